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
  return g_test_run ();
}
