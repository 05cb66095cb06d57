/* A view's resource loads, as RhPageHost's resource signals tell them:
 * started, sent (method, headers), the response (type, length, headers),
 * finished with its HTTP status, or failed. */
#include "rh-wpe-resources.h"

#define RESOURCE_ID_KEY "rh-resource-id"
#define RESPONSE_SEEN_KEY "rh-response-seen"

static guint64 last_resource_id;

GError *
rh_wpe_error_translate (const GError *error)
{
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED))
    return g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, error->message);
  return g_error_copy (error);
}

guint
rh_wpe_resource_status (WebKitWebResource *resource)
{
  WebKitURIResponse *response = resource != NULL ? webkit_web_resource_get_response (resource)
                                                 : NULL;

  return response != NULL ? webkit_uri_response_get_status_code (response) : 0;
}

static guint64
resource_id (WebKitWebResource *resource)
{
  guint64 *id = g_object_get_data (G_OBJECT (resource), RESOURCE_ID_KEY);

  return id != NULL ? *id : 0;
}

/* name, value, name, value..., NULL */
static GStrv
headers_flatten (SoupMessageHeaders *headers)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  SoupMessageHeadersIter iter;
  const char *name, *value;

  if (headers != NULL)
    {
      soup_message_headers_iter_init (&iter, headers);
      while (soup_message_headers_iter_next (&iter, &name, &value))
        {
          g_strv_builder_add (builder, name);
          g_strv_builder_add (builder, value);
        }
    }
  return g_strv_builder_end (builder);
}

static void
resource_sent_request_cb (WebKitWebResource *resource, WebKitURIRequest *request,
                          WebKitURIResponse *redirected_response, gpointer user_data)
{
  g_auto (GStrv) headers = headers_flatten (webkit_uri_request_get_http_headers (request));

  rh_page_host_emit_resource_sent (user_data, resource_id (resource),
                                   webkit_uri_request_get_http_method (request),
                                   (const char *const *) headers);
}

/* Once, before the resource finishes or fails, if a response came. */
static void
emit_response (RhPageHost *host, WebKitWebResource *resource)
{
  WebKitURIResponse *response = webkit_web_resource_get_response (resource);
  g_auto (GStrv) headers = NULL;
  guint64 length;

  if (response == NULL || g_object_get_data (G_OBJECT (resource), RESPONSE_SEEN_KEY) != NULL)
    return;
  g_object_set_data (G_OBJECT (resource), RESPONSE_SEEN_KEY, GINT_TO_POINTER (TRUE));
  headers = headers_flatten (webkit_uri_response_get_http_headers (response));
  length = webkit_uri_response_get_content_length (response);
  /* WebKit says 0 for a length it does not know. */
  rh_page_host_emit_resource_response (host, resource_id (resource),
                                       webkit_uri_response_get_mime_type (response),
                                       length > 0 && length <= G_MAXINT64 ? (gint64) length : -1,
                                       (const char *const *) headers);
}

static void
resource_finished_cb (WebKitWebResource *resource, gpointer user_data)
{
  emit_response (user_data, resource);
  rh_page_host_emit_resource_finished (user_data, resource_id (resource),
                                       rh_wpe_resource_status (resource));
}

static void
resource_failed_cb (WebKitWebResource *resource, GError *error, gpointer user_data)
{
  g_autoptr (GError) translated = rh_wpe_error_translate (error);
  guint status = rh_wpe_resource_status (resource);

  emit_response (user_data, resource);
  /* WebKit cancels the load of a font, a style sheet or an image whose
   * response is an HTTP error: that status is what failed, not a page
   * giving the load up. */
  if (g_error_matches (translated, G_IO_ERROR, G_IO_ERROR_CANCELLED) && status >= 400)
    {
      rh_page_host_emit_resource_finished (user_data, resource_id (resource), status);
      return;
    }
  rh_page_host_emit_resource_failed (user_data, resource_id (resource), translated);
}

/* The view's "resource-load-started": @user_data is the RhPageHost that
 * reports it. */
void
rh_wpe_resource_started_cb (WebKitWebView *view, WebKitWebResource *resource,
                            WebKitURIRequest *request, gpointer user_data)
{
  RhPageHost *self = user_data;
  guint64 *id = g_new (guint64, 1);

  /* One series for the process: an id names a resource of one view only. */
  *id = ++last_resource_id;
  g_object_set_data_full (G_OBJECT (resource), RESOURCE_ID_KEY, id, g_free);
  g_signal_connect_object (resource, "finished", G_CALLBACK (resource_finished_cb), self, 0);
  g_signal_connect_object (resource, "failed", G_CALLBACK (resource_failed_cb), self, 0);
  g_signal_connect_object (resource, "sent-request", G_CALLBACK (resource_sent_request_cb), self,
                           0);
  rh_page_host_emit_resource_started (self, *id,
                                      webkit_uri_request_get_uri (request));
}
