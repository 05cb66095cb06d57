#include "rh-route.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-error.h"

/* The hosts the published classroom SDKs call for their own API (classroom
 * check-in, configs, ready): 1.1.x api.agora.io/{region}, 2.8 its host
 * option, 2.9 a built-in pool per region. */
static const char *const sdk_api_hosts[] = {
  "api.agora.io",
  "api.sd-rtn.com",
  "api-cn-north-1.agora.io",
  "api-cn-north-1.sd-rtn.com",
  "api-cn-east-1.agora.io",
  "api-cn-east-1.sd-rtn.com",
  "api-us-west-1.agora.io",
  "api-us-west-1.sd-rtn.com",
  "api-us-east-1.agora.io",
  "api-us-east-1.sd-rtn.com",
  "api-ap-southeast-1.agora.io",
  "api-ap-southeast-1.sd-rtn.com",
  "api-ap-northeast-1.agora.io",
  "api-ap-northeast-1.sd-rtn.com",
  "api-eu-west-1.agora.io",
  "api-eu-west-1.sd-rtn.com",
  "api-eu-central-1.agora.io",
  "api-eu-central-1.sd-rtn.com",
  NULL,
};

const char *const *
rh_route_sdk_api_hosts (void)
{
  return sdk_api_hosts;
}

static gboolean
host_is_valid (const char *host)
{
  const char *colon = strrchr (host, ':');
  gsize name_length = colon != NULL ? (gsize) (colon - host) : strlen (host);

  if (name_length == 0 || name_length > 253)
    return FALSE;
  for (gsize i = 0; i < name_length; i++)
    if (!g_ascii_isalnum (host[i]) && host[i] != '-' && host[i] != '.')
      return FALSE;
  if (colon != NULL)
    {
      guint64 port;

      if (!g_ascii_string_to_unsigned (colon + 1, 10, 1, 65535, &port, NULL))
        return FALSE;
    }
  return TRUE;
}

RhRoute *
rh_route_new (const char *host, const char *base, GError **error)
{
  g_autoptr (GUri) uri = NULL;
  g_autoptr (RhRoute) route = g_new0 (RhRoute, 1);
  const char *scheme;
  gsize length;

  if (!host_is_valid (host))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "--route host '%s' is not a host name (with an optional :port)", host);
      return NULL;
    }
  uri = g_uri_parse (base, G_URI_FLAGS_NONE, NULL);
  scheme = uri != NULL ? g_uri_get_scheme (uri) : NULL;
  if (uri == NULL || (g_strcmp0 (scheme, "http") != 0 && g_strcmp0 (scheme, "https") != 0)
      || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
      || g_uri_get_query (uri) != NULL || g_uri_get_fragment (uri) != NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "--route target '%s' is not an http(s) URL without query", base);
      return NULL;
    }
  /* A routed request names its target by scheme, host and path only: a
   * user name or password given here would silently go nowhere. */
  if (g_uri_get_userinfo (uri) != NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "--route target for %s has a user name or password (user:password@), "
                   "which routed requests cannot send", host);
      return NULL;
    }
  route->host = g_ascii_strdown (host, -1);
  route->base = g_strdup (base);
  length = strlen (route->base);
  while (length > 0 && route->base[length - 1] == '/')
    route->base[--length] = '\0';
  return g_steal_pointer (&route);
}

/* "HOST=URL" */
RhRoute *
rh_route_parse (const char *host_equals_url, GError **error)
{
  const char *equals = strchr (host_equals_url, '=');
  g_autofree char *host = NULL;

  if (equals == NULL || equals == host_equals_url || equals[1] == '\0')
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--route '%s' is not HOST=URL",
                   host_equals_url);
      return NULL;
    }
  host = g_strndup (host_equals_url, equals - host_equals_url);
  return rh_route_new (host, equals + 1, error);
}

void
rh_route_free (RhRoute *route)
{
  if (route == NULL)
    return;
  g_free (route->host);
  g_free (route->base);
  g_free (route);
}

GPtrArray *
rh_route_list_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) rh_route_free);
}

/* Every SDK API host not routed already goes to @base.  A route the user
 * gave for one of them wins. */
void
rh_route_list_add_sdk_api (GPtrArray *routes, const char *base)
{
  for (guint i = 0; sdk_api_hosts[i] != NULL; i++)
    {
      gboolean given = FALSE;

      for (guint j = 0; j < routes->len && !given; j++)
        given = g_str_equal (((RhRoute *) g_ptr_array_index (routes, j))->host, sdk_api_hosts[i]);
      if (!given)
        g_ptr_array_add (routes, rh_route_new (sdk_api_hosts[i], base, NULL));
    }
}

GPtrArray *
rh_route_list_copy (const GPtrArray *routes)
{
  GPtrArray *copy = rh_route_list_new ();

  for (guint i = 0; routes != NULL && i < routes->len; i++)
    {
      const RhRoute *route = g_ptr_array_index (routes, i);

      g_ptr_array_add (copy, rh_route_new (route->host, route->base, NULL));
    }
  return copy;
}

static gint
default_port (const char *scheme)
{
  return g_str_equal (scheme, "https") || g_str_equal (scheme, "wss") ? 443 : 80;
}

/* "host" or "host:port", lower case, without the scheme's default port, as
 * a URL's host in JavaScript. */
static char *
uri_host (GUri *uri)
{
  const char *host = g_uri_get_host (uri);
  gint port = g_uri_get_port (uri);
  g_autofree char *lower = g_ascii_strdown (host, -1);
  g_autofree char *bracketed
      = strchr (lower, ':') != NULL ? g_strdup_printf ("[%s]", lower) : g_steal_pointer (&lower);

  if (port == -1 || port == default_port (g_uri_get_scheme (uri)))
    return g_steal_pointer (&bracketed);
  return g_strdup_printf ("%s:%d", bracketed, port);
}

/* The URL that @url goes to by the first of @routes naming its host (with
 * its port, or any port when the route gives none): the route's base, then
 * @url's path, query and fragment; a WebSocket's keeps the base's security
 * (ws or wss).  NULL when no route applies, @url is not http(s) or ws(s),
 * or is no URL.  The bridge's network.js (routed ()) does the same in the
 * page: keep both in agreement. */
char *
rh_route_list_apply (const GPtrArray *routes, const char *url)
{
  g_autoptr (GUri) uri = NULL;
  g_autofree char *host_port = NULL;
  g_autofree char *hostname = NULL;
  const char *scheme, *path, *query, *fragment;
  gboolean websocket;

  if (routes == NULL || routes->len == 0)
    return NULL;
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (uri == NULL || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return NULL;
  scheme = g_uri_get_scheme (uri);
  websocket = g_str_equal (scheme, "ws") || g_str_equal (scheme, "wss");
  if (!websocket && !g_str_equal (scheme, "http") && !g_str_equal (scheme, "https"))
    return NULL;
  host_port = uri_host (uri);
  hostname = g_ascii_strdown (g_uri_get_host (uri), -1);
  path = *g_uri_get_path (uri) != '\0' ? g_uri_get_path (uri) : "/";
  query = g_uri_get_query (uri);
  fragment = g_uri_get_fragment (uri);
  for (guint i = 0; i < routes->len; i++)
    {
      const RhRoute *route = g_ptr_array_index (routes, i);
      g_autoptr (GUri) base = NULL;
      g_autofree char *base_host = NULL;
      const char *base_scheme, *prefix;
      gsize prefix_length;

      if (!g_str_equal (route->host, host_port) && !g_str_equal (route->host, hostname))
        continue;
      base = g_uri_parse (route->base, G_URI_FLAGS_ENCODED, NULL);
      if (base == NULL)
        return NULL;
      base_scheme = g_uri_get_scheme (base);
      if (websocket)
        base_scheme = g_str_equal (base_scheme, "https") ? "wss" : "ws";
      base_host = uri_host (base);
      /* The base's path without its trailing slashes. */
      prefix = g_uri_get_path (base);
      prefix_length = strlen (prefix);
      while (prefix_length > 0 && prefix[prefix_length - 1] == '/')
        prefix_length--;
      return g_strdup_printf (
          "%s://%s%.*s%s%s%s%s%s", base_scheme, base_host, (int)prefix_length, prefix, path,
          query != NULL && *query != '\0' ? "?" : "", query != NULL ? query : "",
          fragment != NULL && *fragment != '\0' ? "#" : "", fragment != NULL ? fragment : "");
    }
  return NULL;
}
