/* Routes (--route, --sdk-api local) on a Chromium page host's target: the
 * Fetch domain pauses each request to a routed host, and it goes on to
 * the routed URL, whatever made it (the document, <script src>, <img>,
 * CSS, fonts, iframes).  The bridge script still routes what the page's
 * scripts ask for (fetch, XMLHttpRequest, EventSource, sendBeacon) before
 * Chromium sees it: those requests leave already routed, to hosts no
 * pattern names, and WebSockets, which the Fetch domain does not see, are
 * the bridge's alone.  Both route by the same rules
 * (rh_route_list_apply ()).  So the resources and the HAR show a load
 * routed here by the URL the page asked for (the Network domain names no
 * other), and a script's request by the URL the bridge sent it to (the
 * request log has both). */
#include "rh-chromium-page-host-private.h"

#include <string.h>

#include "rh-json.h"
#include "rh-route.h"

static void
add_pattern (JsonArray *patterns, const char *scheme, const char *host, const char *rest)
{
  JsonObject *pattern = json_object_new ();
  g_autofree char *url = g_strdup_printf ("%s://%s%s", scheme, host, rest);

  json_object_set_string_member (pattern, "urlPattern", url);
  json_object_set_string_member (pattern, "requestStage", "Request");
  json_array_add_object_element (patterns, pattern);
}

/* @session_id pauses the requests that a route names: its host, with its
 * port or with any (one pattern without a port, one with).  The patterns
 * are globs; rh_route_list_apply () decides. */
void
_rh_chromium_page_host_fetch_enable (RhChromiumPageHost *self, const char *session_id)
{
  static const char *const schemes[] = { "http", "https" };
  JsonObject *params = json_object_new ();
  JsonArray *patterns = json_array_new ();

  for (guint i = 0; i < self->routes->len; i++)
    {
      const RhRoute *route = g_ptr_array_index (self->routes, i);

      for (guint j = 0; j < G_N_ELEMENTS (schemes); j++)
        {
          add_pattern (patterns, schemes[j], route->host, "/*");
          if (strchr (route->host, ':') == NULL)
            add_pattern (patterns, schemes[j], route->host, ":*");
        }
    }
  json_object_set_array_member (params, "patterns", patterns);
  _rh_chromium_page_host_send_to (self, session_id, "Fetch.enable", params, NULL);
}

/* To the target, once it is attached: the patterns of the routes, or none
 * (the domain off) when there are none.  Part of its set-up, which a load
 * waits for. */
void
_rh_chromium_page_host_fetch_set_up (RhChromiumPageHost *self)
{
  if (self->routes->len > 0)
    {
      _rh_chromium_page_host_fetch_enable (self, self->session_id);
      self->fetch_enabled = TRUE;
    }
  else if (self->fetch_enabled)
    {
      _rh_chromium_page_host_send (self, "Fetch.disable", NULL, NULL);
      self->fetch_enabled = FALSE;
    }
}

void
_rh_chromium_page_host_set_routes (RhPageHost *host, const GPtrArray *routes)
{
  RhChromiumPageHost *self = RH_CHROMIUM_PAGE_HOST (host);

  g_ptr_array_unref (self->routes);
  self->routes = rh_route_list_copy (routes);
  if (self->session_id != NULL)
    _rh_chromium_page_host_fetch_set_up (self);
}

/* A paused request goes on, to its routed URL if a route names it: every
 * one is answered, or the page waits for it forever. */
static void
request_paused (RhChromiumPageHost *self, const char *session_id, JsonObject *params)
{
  const char *request_id = rh_json_string_member (params, "requestId");
  const char *url = rh_json_string_member (rh_json_object_member (params, "request"), "url");
  g_autofree char *routed = NULL;
  JsonObject *answer;

  if (request_id == NULL)
    return;
  routed = url != NULL ? rh_route_list_apply (self->routes, url) : NULL;
  answer = _rh_chromium_page_host_object_with_string ("requestId", request_id);
  if (routed != NULL)
    {
      g_debug ("routing %s to %s", url, routed);
      json_object_set_string_member (answer, "url", routed);
    }
  _rh_chromium_page_host_send_to (self, session_id, "Fetch.continueRequest", answer, NULL);
}

void
_rh_chromium_page_host_fetch_event (RhChromiumPageHost *self, const char *session_id,
                                    const char *method, JsonObject *params)
{
  if (g_str_equal (method, "Fetch.requestPaused"))
    request_paused (self, session_id, params);
}
