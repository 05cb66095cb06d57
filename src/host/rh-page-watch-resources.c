/* The resources the page loaded, from the host's resource signals and the
 * page's element error events, and the requests its scripts made. */
#include "rh-page-watch-private.h"

#include <libsoup/soup.h>
#include <string.h>

#include "rh-bridge.h"

/* A new load: resources the host started before it are no longer ours. */
void
_rh_page_watch_resources_reset (RhPageWatch *watch)
{
  g_array_set_size (watch->resources, 0);
  g_hash_table_remove_all (watch->resource_ids);
  g_hash_table_remove_all (watch->failures_echoed);
}

/* Whether a failure of @url with @error is the first of its kind, host and
 * error in this load.  An SDK retrying offline fails one call dozens of
 * times: stderr shows it once, the report has every one. */
gboolean
_rh_page_watch_first_failure (RhPageWatch *watch, const char *kind, const char *url,
                              const char *error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return TRUE;
  return g_hash_table_add (watch->failures_echoed,
                           g_strdup_printf ("%s %s %s", kind, g_uri_get_host (uri),
                                            rh_request_error_in_words (error)));
}

/* A resource's failure on the timeline, echoed the first time only. */
static void
add_resource_failed (RhPageWatch *self, const RhResource *resource)
{
  if (_rh_page_watch_first_failure (self, "resource", resource->uri, resource->error))
    rh_timeline_add (self->timeline, "resource-failed", NULL, "resource %s: %s", resource->uri,
                     resource->error);
  else
    rh_timeline_add_unechoed (self->timeline, "resource-failed", NULL, "resource %s: %s",
                              resource->uri, resource->error);
}

/* NULL for a resource of an earlier load. */
static RhResource *
resource_of (RhPageWatch *self, guint64 id)
{
  gpointer index;

  if (!g_hash_table_lookup_extended (self->resource_ids, &id, NULL, &index)
      || GPOINTER_TO_UINT (index) >= self->resources->len)
    return NULL;
  return &g_array_index (self->resources, RhResource, GPOINTER_TO_UINT (index));
}

/* Inline data (data:, blob:) is no load of its own: it would only crowd
 * the resources, the HAR and the waterfall. */
static gboolean
is_inline (const char *uri)
{
  return g_ascii_strncasecmp (uri, "data:", 5) == 0 || g_ascii_strncasecmp (uri, "blob:", 5) == 0;
}

static void
resource_started_cb (RhPageHost *host, guint64 id, const char *uri, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource resource;

  /* The bridge's own read of the SDK bundle (launch.js) is not the page's. */
  if (self->stopped || is_inline (uri) || g_str_has_suffix (uri, RH_BRIDGE_SDK_BUNDLE_READ))
    return;
  rh_resource_init (&resource, uri, rh_timeline_now_ms (self->timeline));
  g_hash_table_insert (self->resource_ids, g_memdup2 (&id, sizeof id),
                       GUINT_TO_POINTER (self->resources->len));
  g_array_append_val (self->resources, resource);
}

/* @text as valid UTF-8 of at most @max_bytes. */
static char *
bounded (const char *text, gsize max_bytes)
{
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  const char *cut;

  if (strlen (valid) <= max_bytes)
    return g_steal_pointer (&valid);
  cut = g_utf8_find_prev_char (valid, valid + max_bytes + 1);
  return g_strndup (valid, cut - valid);
}

/* Names whose values are credentials whoever reads the HAR must not get. */
static gboolean
is_secret_header (const char *name)
{
  static const char *const secret[] = { "authorization", "cookie", "set-cookie",
                                        "proxy-authorization" };
  g_autofree char *lower = g_ascii_strdown (name, -1);

  for (guint i = 0; i < G_N_ELEMENTS (secret); i++)
    if (g_str_equal (lower, secret[i]))
      return TRUE;
  return strstr (lower, "token") != NULL;
}

/* @headers (name, value...) bounded, credentials' values replaced. */
static GStrv
headers_kept (const char *const *headers)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint count = 0;

  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL
                    && count < RH_RESOURCE_MAX_HEADERS;
       i += 2, count++)
    {
      g_autofree char *name = bounded (headers[i], RH_RESOURCE_MAX_HEADER_VALUE);
      g_autofree char *value = is_secret_header (headers[i])
                                 ? g_strdup ("[REDACTED]")
                                 : bounded (headers[i + 1], RH_RESOURCE_MAX_HEADER_VALUE);

      g_strv_builder_add (builder, name);
      g_strv_builder_add (builder, value);
    }
  return g_strv_builder_end (builder);
}

static void
resource_sent_cb (RhPageHost *host, guint64 id, const char *method, const char *const *headers,
                  gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource *resource = resource_of (self, id);

  if (resource == NULL)
    return;
  g_free (resource->method);
  resource->method = bounded (method != NULL ? method : "GET", 32);
  g_strfreev (resource->request_headers);
  resource->request_headers = headers_kept (headers);
}

static void
resource_response_cb (RhPageHost *host, guint64 id, const char *mime_type,
                      gint64 content_length, const char *const *headers, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource *resource = resource_of (self, id);

  if (resource == NULL)
    return;
  g_free (resource->mime_type);
  resource->mime_type = bounded (mime_type != NULL ? mime_type : "", 256);
  resource->content_length = content_length;
  g_strfreev (resource->response_headers);
  resource->response_headers = headers_kept (headers);
}

/* --verbose: each resource as it ends, its URL redacted. */
static void
debug_resource (RhPageWatch *self, const RhResource *resource)
{
  g_autofree char *uri = rh_timeline_redact (self->timeline, resource->uri);
  g_autofree char *error = rh_timeline_redact (self->timeline, resource->error);

  g_debug ("resource %s %s: %u%s%s%s in %" G_GINT64_FORMAT " ms",
           resource->method != NULL ? resource->method : "GET", uri, resource->status,
           resource->mime_type != NULL && *resource->mime_type != '\0' ? " " : "",
           resource->mime_type != NULL ? resource->mime_type : "",
           error != NULL ? ", failed" : "", resource->end_ms - resource->start_ms);
  if (error != NULL)
    g_debug ("resource %s: %s", uri, error);
}

static void
resource_finished_cb (RhPageHost *host, guint64 id, guint status, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource *resource = resource_of (self, id);

  if (resource == NULL || resource->status != 0)
    return;
  /* The first end is the end; but when an element's error event came
   * first, an HTTP error status still says what failed. */
  if (resource->end_ms == RH_PAGE_NO_TIME)
    resource->end_ms = rh_timeline_now_ms (self->timeline);
  else if (!resource->failed || status < 400)
    return;
  resource->status = status;
  if (resource->status >= 400)
    {
      resource->failed = TRUE;
      g_free (resource->error);
      resource->error = g_strdup_printf ("HTTP %u %s", resource->status,
                                         soup_status_get_phrase (resource->status));
      add_resource_failed (self, resource);
    }
  debug_resource (self, resource);
}

static void
resource_failed_cb (RhPageHost *host, guint64 id, GError *error, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource *resource = resource_of (self, id);

  if (resource == NULL || resource->end_ms != RH_PAGE_NO_TIME)
    return;
  resource->end_ms = rh_timeline_now_ms (self->timeline);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  resource->failed = TRUE;
  resource->error = g_strdup (error->message);
  add_resource_failed (self, resource);
  debug_resource (self, resource);
}

void
_rh_page_watch_resources_connect (RhPageWatch *watch)
{
  g_signal_connect (watch->host, "resource-started", G_CALLBACK (resource_started_cb), watch);
  g_signal_connect (watch->host, "resource-sent", G_CALLBACK (resource_sent_cb), watch);
  g_signal_connect (watch->host, "resource-response", G_CALLBACK (resource_response_cb), watch);
  g_signal_connect (watch->host, "resource-finished", G_CALLBACK (resource_finished_cb), watch);
  g_signal_connect (watch->host, "resource-failed", G_CALLBACK (resource_failed_cb), watch);
}

/* The page's element error event (a <script src> that failed) comes in
 * order with the page's own messages, while the host's resource signals may
 * come later: mark the resource failed now. */
void
_rh_page_watch_resource_error (RhPageWatch *watch, const char *uri, const char *tag)
{
  RhPageWatch *self = watch;
  RhResource added;
  gboolean found = FALSE;

  if (uri == NULL || *uri == '\0' || is_inline (uri))
    return;
  /* Every load of it: a preload and the load proper share the URL. */
  for (guint i = 0; i < self->resources->len; i++)
    {
      RhResource *resource = &g_array_index (self->resources, RhResource, i);

      if (!g_str_equal (resource->uri, uri))
        continue;
      found = TRUE;
      if (resource->failed)
        continue;
      resource->failed = TRUE;
      if (resource->end_ms == RH_PAGE_NO_TIME)
        resource->end_ms = rh_timeline_now_ms (self->timeline);
      g_free (resource->error);
      resource->error = g_strdup_printf ("<%s> error event", tag != NULL ? tag : "element");
    }
  if (found)
    return;
  rh_resource_init (&added, uri, rh_timeline_now_ms (self->timeline));
  added.end_ms = added.start_ms;
  added.failed = TRUE;
  added.error = g_strdup_printf ("<%s> error event", tag != NULL ? tag : "element");
  g_array_append_val (self->resources, added);
}

/* A number of the message, -1 when it is none or out of [0, @max]. */
static double
timing_member (JsonObject *message, const char *name, double max)
{
  JsonNode *node = json_object_get_member (message, name);
  double value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return -1;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    value = json_node_get_int (node);
  else if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    value = json_node_get_double (node);
  else
    return -1;
  return value >= 0 && value <= max ? value : -1;
}

/* The page's resource timing of a load: the earliest resource of its URL
 * that has none yet gets it (the entries come in the order of the loads). */
void
_rh_page_watch_resource_timing (RhPageWatch *watch, JsonObject *message)
{
  RhPageWatch *self = watch;
  const char *url = rh_bridge_message_get_string (message, "url");
  const char *initiator = rh_bridge_message_get_string (message, "initiator");
  const double day_ms = 24 * 3600 * 1000.0;

  if (url == NULL)
    return;
  for (guint i = 0; i < self->resources->len; i++)
    {
      RhResource *resource = &g_array_index (self->resources, RhResource, i);
      RhResourceTiming *timing = &resource->timing;

      if (timing->known || !g_str_equal (resource->uri, url))
        continue;
      timing->known = TRUE;
      timing->blocked = timing_member (message, "blocked", day_ms);
      timing->dns = timing_member (message, "dns", day_ms);
      timing->connect = timing_member (message, "connect", day_ms);
      timing->ssl = timing_member (message, "ssl", day_ms);
      timing->wait = timing_member (message, "wait", day_ms);
      timing->receive = timing_member (message, "receive", day_ms);
      /* The request goes out at once: the page has no time of its end. */
      timing->send = timing->wait >= 0 ? 0 : -1;
      timing->transfer_size = timing_member (message, "transfer_size", G_MAXINT32);
      timing->encoded_size = timing_member (message, "encoded_size", G_MAXINT32);
      timing->decoded_size = timing_member (message, "decoded_size", G_MAXINT32);
      if (initiator != NULL && *initiator != '\0')
        timing->initiator = bounded (initiator, 32);
      return;
    }
}

/* The engine's error for a resource the page's script asked for. */
static const char *
transport_error (const char *url, gpointer user_data)
{
  RhPageWatch *self = user_data;

  for (guint i = 0; i < self->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (self->resources, RhResource, i);

      if (resource->failed && resource->status == 0 && resource->error != NULL
          && g_str_equal (resource->uri, url))
        return resource->error;
    }
  return NULL;
}

/* What the page's failed requests say it was blocked on; NULL if nothing. */
char *
rh_page_watch_describe_blocking (RhPageWatch *watch)
{
  return rh_request_log_describe_blocking (watch->requests, transport_error, watch);
}

gint64
rh_page_watch_scripts_done_ms (RhPageWatch *watch)
{
  gint64 done_ms = -1;

  for (guint i = 0; i < watch->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (watch->resources, RhResource, i);

      if (!rh_resource_uri_is_script (resource->uri))
        continue;
      if (resource->end_ms == RH_PAGE_NO_TIME)
        return G_MAXINT64;
      done_ms = MAX (done_ms, resource->end_ms);
    }
  return done_ms;
}

/* "not ready within N s: still waiting for ...; <what blocked it>": why a
 * page given @timeout_s did not get ready, said the same by check and by a
 * run's given-up loads. */
char *
rh_page_watch_describe_not_ready (RhPageWatch *watch, guint timeout_s)
{
  g_autofree char *blocking = rh_page_watch_describe_blocking (watch);

  return g_strdup_printf ("not ready within %u s: still waiting for %s%s%s", timeout_s,
                          rh_page_watch_waiting_for (watch), blocking != NULL ? "; " : "",
                          blocking != NULL ? blocking : "");
}
