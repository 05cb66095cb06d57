/* The Network domain's events of a Chromium page host's target as
 * RhPageHost's resource signals, which the request log and the HAR read:
 * each request the page made (its document, subresources, fetch,
 * XMLHttpRequest), its headers, response and end.  A request that a route
 * sent elsewhere (rh-chromium-page-fetch.c) is told by the URL the page
 * asked for: the Network domain names no other (the routed one shows only
 * in headers the host does not read: the extra info's Host). */
#include "rh-chromium-page-host-private.h"

#include <gio/gio.h>

/* Requests followed at once: past it a page's new requests are not logged
 * (the watch bounds what it keeps too). */
#define MAX_REQUESTS 10000

typedef struct
{
  guint64 id;
  guint status; /* its response's, 0 before */
} Request;

static guint64 last_request_id;

/* name, value, name, value..., NULL, from a protocol Headers object. */
static GStrv
headers_flatten (JsonObject *headers)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autoptr (GList) names = headers != NULL ? json_object_get_members (headers) : NULL;

  for (GList *name = names; name != NULL; name = name->next)
    {
      JsonNode *value = json_object_get_member (headers, name->data);

      if (JSON_NODE_HOLDS_VALUE (value) && json_node_get_value_type (value) == G_TYPE_STRING)
        {
          g_strv_builder_add (builder, name->data);
          g_strv_builder_add (builder, json_node_get_string (value));
        }
    }
  return g_strv_builder_end (builder);
}

static gint64
content_length (JsonObject *headers)
{
  g_autoptr (GList) names = headers != NULL ? json_object_get_members (headers) : NULL;
  guint64 length;

  for (GList *name = names; name != NULL; name = name->next)
    {
      const char *value = rh_json_string_member (headers, name->data);

      if (g_ascii_strcasecmp (name->data, "content-length") == 0 && value != NULL
          && g_ascii_string_to_unsigned (value, 10, 0, G_MAXINT64, &length, NULL))
        return (gint64)length;
    }
  return -1;
}

static void
emit_response (RhChromiumPageHost *self, Request *request, JsonObject *response)
{
  JsonObject *headers = rh_json_object_member (response, "headers");
  g_auto (GStrv) flat = headers_flatten (headers);

  request->status = (guint)json_object_get_int_member_with_default (response, "status", 0);
  rh_page_host_emit_resource_response (RH_PAGE_HOST (self), request->id,
                                       rh_json_string_member (response, "mimeType"),
                                       content_length (headers), (const char *const *)flat);
}

static gboolean
is_favicon (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  return uri != NULL && g_str_equal (g_uri_get_path (uri), "/favicon.ico");
}

static void
request_will_be_sent (RhChromiumPageHost *self, const char *request_id, JsonObject *params)
{
  JsonObject *request = rh_json_object_member (params, "request");
  JsonObject *redirect = rh_json_object_member (params, "redirectResponse");
  const char *url = rh_json_string_member (request, "url");
  const char *fragment = rh_json_string_member (request, "urlFragment");
  Request *known = g_hash_table_lookup (self->requests, request_id);
  const char *http_method;
  g_autofree char *whole_url = NULL;
  g_auto (GStrv) headers = NULL;

  if (url == NULL)
    return;
  /* The browser's own request for the site's icon, which WPE does not
   * make: not the page's, and its 404 is not the page's failure. */
  if (g_strcmp0 (rh_json_string_member (params, "type"), "Other") == 0 && known == NULL
      && is_favicon (url))
    return;
  /* With its fragment, as WPE gives it: the bridge's own read of the SDK
   * bundle is told by one. */
  whole_url = g_strconcat (url, fragment, NULL);
  /* A redirect keeps the request (and its id): it goes out again. */
  if (known != NULL && redirect != NULL)
    emit_response (self, known, redirect);
  else if (known == NULL)
    {
      if (g_hash_table_size (self->requests) >= MAX_REQUESTS)
        return;
      known = g_new0 (Request, 1);
      known->id = ++last_request_id;
      g_hash_table_insert (self->requests, g_strdup (request_id), known);
      rh_page_host_emit_resource_started (RH_PAGE_HOST (self), known->id, whole_url);
    }
  headers = headers_flatten (rh_json_object_member (request, "headers"));
  http_method = rh_json_string_member (request, "method");
  rh_page_host_emit_resource_sent (RH_PAGE_HOST (self), known->id,
                                   http_method != NULL ? http_method : "GET",
                                   (const char *const *)headers);
}

void
_rh_chromium_page_host_network_event (RhChromiumPageHost *self, const char *method,
                                      JsonObject *params)
{
  const char *request_id = rh_json_string_member (params, "requestId");
  Request *known;

  if (request_id == NULL)
    return;
  if (g_str_equal (method, "Network.requestWillBeSent"))
    {
      request_will_be_sent (self, request_id, params);
      return;
    }
  known = g_hash_table_lookup (self->requests, request_id);
  if (known == NULL)
    return;
  if (g_str_equal (method, "Network.responseReceived")
      && rh_json_object_member (params, "response") != NULL)
    emit_response (self, known, rh_json_object_member (params, "response"));
  else if (g_str_equal (method, "Network.loadingFinished"))
    {
      rh_page_host_emit_resource_finished (RH_PAGE_HOST (self), known->id, known->status);
      g_hash_table_remove (self->requests, request_id);
    }
  /* A stylesheet or font whose answer was an HTTP error is aborted after
   * it: its failure is that status, as WPE tells it. */
  else if (g_str_equal (method, "Network.loadingFailed") && known->status >= 400)
    {
      rh_page_host_emit_resource_finished (RH_PAGE_HOST (self), known->id, known->status);
      g_hash_table_remove (self->requests, request_id);
    }
  else if (g_str_equal (method, "Network.loadingFailed"))
    {
      const char *error_text = rh_json_string_member (params, "errorText");
      const char *text = error_text != NULL ? error_text : "failed";
      g_autoptr (GError) error
          = json_object_get_boolean_member_with_default (params, "canceled", FALSE)
                ? g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, text)
                : g_error_new_literal (G_IO_ERROR, G_IO_ERROR_FAILED, text);

      rh_page_host_emit_resource_failed (RH_PAGE_HOST (self), known->id, error);
      g_hash_table_remove (self->requests, request_id);
    }
}
