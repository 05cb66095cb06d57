/* --route HOST=URL and the SDK API hosts of --sdk-api local. */
#include <string.h>

#include "rh-error.h"
#include "rh-route.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *text;
  const char *host; /* NULL: refused */
  const char *base;
} ParseRow;

static const ParseRow parse_rows[] = {
  { "plain", "api.agora.io=http://127.0.0.1:8440", "api.agora.io", "http://127.0.0.1:8440" },
  { "upper-case-host", "API.Agora.IO=http://127.0.0.1:8440/", "api.agora.io",
    "http://127.0.0.1:8440" },
  { "with-port", "edge.example:9591=https://local.test/edge/", "edge.example:9591",
    "https://local.test/edge" },
  { "no-equals", "api.agora.io", NULL, NULL },
  { "empty-host", "=http://127.0.0.1", NULL, NULL },
  { "empty-url", "api.agora.io=", NULL, NULL },
  { "host-with-path", "api.agora.io/cn=http://127.0.0.1", NULL, NULL },
  { "bad-port", "api.agora.io:99999=http://127.0.0.1", NULL, NULL },
  { "not-http", "api.agora.io=ftp://127.0.0.1", NULL, NULL },
  { "no-scheme", "api.agora.io=127.0.0.1:8440", NULL, NULL },
  { "target-with-query", "api.agora.io=http://127.0.0.1/?a=1", NULL, NULL },
  /* Routed requests carry no user name or password: refused, not dropped. */
  { "target-with-password", "api.agora.io=http://user:secret@127.0.0.1:8440", NULL, NULL },
  { "target-with-user", "api.agora.io=https://user@local.test/", NULL, NULL },
  { "target-with-empty-userinfo", "api.agora.io=http://@127.0.0.1", NULL, NULL },
  { "target-with-escaped-at", "api.agora.io=http://u%40x:p@127.0.0.1", NULL, NULL },
};

static void
test_parse (gconstpointer data)
{
  const ParseRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhRoute) route = rh_route_parse (row->text, &error);

  if (row->host == NULL)
    {
      g_assert_null (route);
      g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
      g_assert_true (g_str_has_prefix (error->message, "--route"));
      /* A password given is not written back. */
      g_assert_null (strstr (error->message, "secret"));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (route->host, ==, row->host);
  g_assert_cmpstr (route->base, ==, row->base);
}

static const char *const cn_pool[] = {
  "api.sd-rtn.com", "api-cn-north-1.agora.io", "api-cn-east-1.sd-rtn.com",
  "api.agora.io",   "api-cn-north-1.sd-rtn.com", "api-cn-east-1.agora.io",
};

/* Every host of the SDKs' pools goes to the local cloud; one the user
 * routed already keeps its route. */
static void
test_sdk_api (void)
{
  g_autoptr (GPtrArray) routes = rh_route_list_new ();
  const char *const *hosts = rh_route_sdk_api_hosts ();
  guint n_hosts = g_strv_length ((char **) hosts);

  g_ptr_array_add (routes, rh_route_parse ("api.agora.io=http://mine.test", NULL));
  rh_route_list_add_sdk_api (routes, "http://127.0.0.1:1234");
  g_assert_cmpuint (routes->len, ==, n_hosts);
  for (guint i = 0; i < routes->len; i++)
    {
      const RhRoute *route = g_ptr_array_index (routes, i);

      g_assert_cmpstr (route->base, ==, g_str_equal (route->host, "api.agora.io")
                                          ? "http://mine.test" : "http://127.0.0.1:1234");
    }
  /* The CN pool of SDK 2.9.52, all six. */
  for (guint i = 0; i < G_N_ELEMENTS (cn_pool); i++)
    g_assert_true (g_strv_contains (hosts, cn_pool[i]));
}

typedef struct
{
  const char *name;
  const char *url;
  const char *routed; /* NULL: no route applies */
} ApplyRow;

/* The routes of apply_rows: one host with any port, one with a port of its
 * own, one to a base with a path, one to https. */
static const char *const apply_routes[] = {
  "sdk.routed.test=http://127.0.0.1:8440/",
  "edge.routed.test:9591=http://127.0.0.1:8441",
  "cdn.routed.test=http://127.0.0.1:8442/cdn//",
  "secure.routed.test=https://Local.Test:443/",
};

/* The rules of the bridge's network.js (routed ()), row by row. */
static const ApplyRow apply_rows[] = {
  { "path", "http://sdk.routed.test/sdk.js", "http://127.0.0.1:8440/sdk.js" },
  { "https-to-http", "https://sdk.routed.test/a/b.js", "http://127.0.0.1:8440/a/b.js" },
  { "query-and-fragment", "http://sdk.routed.test/x?a=1&b=%20#top",
    "http://127.0.0.1:8440/x?a=1&b=%20#top" },
  { "empty-query-and-fragment", "http://sdk.routed.test/x?#", "http://127.0.0.1:8440/x" },
  { "no-path", "http://sdk.routed.test", "http://127.0.0.1:8440/" },
  { "escapes-kept", "http://sdk.routed.test/a%2Fb/%E2%82%AC.js",
    "http://127.0.0.1:8440/a%2Fb/%E2%82%AC.js" },
  { "host-case", "http://SDK.Routed.TEST/sdk.js", "http://127.0.0.1:8440/sdk.js" },
  { "any-port", "http://sdk.routed.test:8080/sdk.js", "http://127.0.0.1:8440/sdk.js" },
  { "user-dropped", "http://user:pw@sdk.routed.test/sdk.js", "http://127.0.0.1:8440/sdk.js" },
  { "port-matches", "http://edge.routed.test:9591/e", "http://127.0.0.1:8441/e" },
  { "port-differs", "http://edge.routed.test:9592/e", NULL },
  { "port-missing", "http://edge.routed.test/e", NULL },
  { "base-path", "http://cdn.routed.test/pic.png", "http://127.0.0.1:8442/cdn/pic.png" },
  { "base-path-root", "http://cdn.routed.test/", "http://127.0.0.1:8442/cdn/" },
  { "base-normalised", "http://secure.routed.test/s", "https://local.test/s" },
  { "websocket", "ws://sdk.routed.test/socket", "ws://127.0.0.1:8440/socket" },
  { "secure-websocket-to-ws", "wss://sdk.routed.test/socket", "ws://127.0.0.1:8440/socket" },
  { "websocket-to-wss", "ws://secure.routed.test/socket", "wss://local.test/socket" },
  { "default-port", "http://edge.routed.test:80/e", NULL },
  { "other-host", "http://other.test/sdk.js", NULL },
  { "suffix-host", "http://sdk.routed.test.evil.test/sdk.js", NULL },
  { "prefix-host", "http://x.sdk.routed.test/sdk.js", NULL },
  { "other-scheme", "ftp://sdk.routed.test/sdk.js", NULL },
  { "blob", "blob:http://sdk.routed.test/1234", NULL },
  { "data", "data:text/plain,sdk.routed.test", NULL },
  { "relative", "/sdk.js", NULL },
  { "not-a-url", "http://sdk.routed.test:99999999/", NULL },
};

static void
test_apply (gconstpointer data)
{
  const ApplyRow *row = data;
  g_autoptr (GPtrArray) routes = rh_route_list_new ();
  g_autofree char *routed = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (apply_routes); i++)
    {
      g_autoptr (GError) error = NULL;

      g_ptr_array_add (routes, rh_route_parse (apply_routes[i], &error));
      g_assert_no_error (error);
    }
  routed = rh_route_list_apply (routes, row->url);
  g_assert_cmpstr (routed, ==, row->routed);
}

/* No routes, no routing; the first route naming a host wins. */
static void
test_apply_list (void)
{
  g_autoptr (GPtrArray) routes = rh_route_list_new ();
  g_autoptr (GPtrArray) copy = NULL;
  g_autofree char *first = NULL;

  g_assert_null (rh_route_list_apply (NULL, "http://a.test/"));
  g_assert_null (rh_route_list_apply (routes, "http://a.test/"));
  g_ptr_array_add (routes, rh_route_parse ("a.test:81=http://127.0.0.1:1", NULL));
  g_ptr_array_add (routes, rh_route_parse ("a.test=http://127.0.0.1:2", NULL));
  g_ptr_array_add (routes, rh_route_parse ("a.test=http://127.0.0.1:3", NULL));
  copy = rh_route_list_copy (routes);
  g_ptr_array_set_size (routes, 0);
  first = rh_route_list_apply (copy, "http://a.test:81/x");
  g_assert_cmpstr (first, ==, "http://127.0.0.1:1/x");
  g_free (first);
  first = rh_route_list_apply (copy, "http://a.test/x");
  g_assert_cmpstr (first, ==, "http://127.0.0.1:2/x");
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (parse_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/route/parse/%s", parse_rows[i].name);

      g_test_add_data_func (path, &parse_rows[i], test_parse);
    }
  g_test_add_func ("/route/sdk-api", test_sdk_api);
  for (guint i = 0; i < G_N_ELEMENTS (apply_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/route/apply/%s", apply_rows[i].name);

      g_test_add_data_func (path, &apply_rows[i], test_apply);
    }
  g_test_add_func ("/route/apply/list", test_apply_list);
  return g_test_run ();
}
