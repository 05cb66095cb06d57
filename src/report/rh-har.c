#include "rh-har.h"

#include <libsoup/soup.h>
#include <string.h>

#include "rh-error.h"
#include "rh-fs.h"
#include "rh-json.h"

typedef struct
{
  JsonBuilder *builder;
  gint64 epoch_ms; /* wall-clock time of timeline 0 */
} Har;

static void
add_string (Har *har, const char *name, const char *value)
{
  json_builder_set_member_name (har->builder, name);
  json_builder_add_string_value (har->builder, value);
}

static void
add_int (Har *har, const char *name, gint64 value)
{
  json_builder_set_member_name (har->builder, name);
  json_builder_add_int_value (har->builder, value);
}

static void
add_empty_array (Har *har, const char *name)
{
  json_builder_set_member_name (har->builder, name);
  json_builder_begin_array (har->builder);
  json_builder_end_array (har->builder);
}

static void
add_date (Har *har, const char *name, gint64 ms)
{
  g_autoptr (GDateTime) time = g_date_time_new_from_unix_utc ((har->epoch_ms + ms) / 1000);
  g_autoptr (GDateTime) exact = g_date_time_add (time, ((har->epoch_ms + ms) % 1000) * 1000);
  g_autofree char *text = g_date_time_format (exact, "%Y-%m-%dT%H:%M:%S.%fZ");

  /* %f gives microseconds: HAR wants milliseconds or more, both are ISO 8601. */
  add_string (har, name, text);
}

static void
add_query (Har *har, const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *query = uri != NULL ? g_uri_get_query (uri) : NULL;
  g_autoptr (GHashTable) params = NULL;
  GHashTableIter iter;
  gpointer key, value;

  json_builder_set_member_name (har->builder, "queryString");
  json_builder_begin_array (har->builder);
  if (query != NULL)
    params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  if (params != NULL)
    {
      g_hash_table_iter_init (&iter, params);
      while (g_hash_table_iter_next (&iter, &key, &value))
        {
          json_builder_begin_object (har->builder);
          add_string (har, "name", key);
          add_string (har, "value", value);
          json_builder_end_object (har->builder);
        }
    }
  json_builder_end_array (har->builder);
}

static void
add_headers (Har *har, const char *name, const char *const *headers)
{
  json_builder_set_member_name (har->builder, name);
  json_builder_begin_array (har->builder);
  for (guint i = 0; headers != NULL && headers[i] != NULL && headers[i + 1] != NULL; i += 2)
    {
      json_builder_begin_object (har->builder);
      add_string (har, "name", headers[i]);
      add_string (har, "value", headers[i + 1]);
      json_builder_end_object (har->builder);
    }
  json_builder_end_array (har->builder);
}

/* What an entry is made of: a load the engine saw, a request a script
 * made, or both. */
typedef struct
{
  const char *method;
  const char *url;          /* as the page asked */
  const char *routed_to;    /* where a route sent it, or NULL */
  gint64 start_ms;
  gint64 end_ms;
  guint status;             /* 0 with @error for a request that got no answer */
  const char *error;
  const char *comment;
  const RhResource *load;   /* the engine's view of its load, or NULL */
} Entry;

/* A phase in whole milliseconds, -1 unknown. */
static gint64
phase (double ms)
{
  return ms >= 0 ? (gint64) (ms + 0.5) : -1;
}

/* The phases the page timed, or else all of it as waiting, as HAR wants
 * send, wait and receive; returns the entry's time, their sum. */
static gint64
add_timings (Har *har, const Entry *entry)
{
  const RhResourceTiming *timing = entry->load != NULL ? &entry->load->timing : NULL;
  gint64 elapsed = entry->end_ms >= entry->start_ms ? entry->end_ms - entry->start_ms : 0;
  gint64 phases[] = { -1, -1, -1, -1, 0, elapsed, 0 };
  static const char *const names[] = { "blocked", "dns", "connect", "ssl", "send", "wait",
                                       "receive" };
  gint64 time = 0;

  if (timing != NULL && timing->known && timing->wait >= 0 && timing->receive >= 0)
    {
      phases[0] = phase (timing->blocked);
      phases[1] = phase (timing->dns);
      phases[2] = phase (timing->connect);
      phases[3] = phase (timing->ssl);
      phases[4] = MAX (phase (timing->send), 0);
      phases[5] = phase (timing->wait);
      phases[6] = phase (timing->receive);
    }
  json_builder_set_member_name (har->builder, "timings");
  json_builder_begin_object (har->builder);
  for (guint i = 0; i < G_N_ELEMENTS (phases); i++)
    {
      add_int (har, names[i], phases[i]);
      /* ssl is part of connect already. */
      if (phases[i] > 0 && !g_str_equal (names[i], "ssl"))
        time += phases[i];
    }
  json_builder_end_object (har->builder);
  return time;
}

static void
add_entry (Har *har, const Entry *entry)
{
  const RhResource *load = entry->load;
  const RhResourceTiming *timing = load != NULL ? &load->timing : NULL;
  gint64 content_size = 0, body_size = -1;
  gint64 time;

  if (timing != NULL && timing->decoded_size >= 0)
    content_size = timing->decoded_size;
  else if (load != NULL && load->content_length >= 0)
    content_size = load->content_length;
  if (timing != NULL && timing->encoded_size >= 0)
    body_size = timing->encoded_size;
  else if (load != NULL && load->content_length >= 0)
    body_size = load->content_length;

  json_builder_begin_object (har->builder);
  add_string (har, "pageref", "page_1");
  add_date (har, "startedDateTime", entry->start_ms);

  json_builder_set_member_name (har->builder, "request");
  json_builder_begin_object (har->builder);
  add_string (har, "method", entry->method);
  add_string (har, "url", entry->url);
  add_string (har, "httpVersion", "HTTP/1.1");
  add_empty_array (har, "cookies");
  add_headers (har, "headers", load != NULL ? (const char *const *) load->request_headers : NULL);
  add_query (har, entry->url);
  add_int (har, "headersSize", -1);
  add_int (har, "bodySize", -1);
  json_builder_end_object (har->builder);

  json_builder_set_member_name (har->builder, "response");
  json_builder_begin_object (har->builder);
  add_int (har, "status", entry->status);
  add_string (har, "statusText",
              entry->status != 0 ? soup_status_get_phrase (entry->status) : "");
  add_string (har, "httpVersion", "HTTP/1.1");
  add_empty_array (har, "cookies");
  add_headers (har, "headers", load != NULL ? (const char *const *) load->response_headers : NULL);
  json_builder_set_member_name (har->builder, "content");
  json_builder_begin_object (har->builder);
  add_int (har, "size", content_size);
  add_string (har, "mimeType", load != NULL && load->mime_type != NULL ? load->mime_type : "");
  json_builder_end_object (har->builder);
  add_string (har, "redirectURL", "");
  add_int (har, "headersSize", -1);
  add_int (har, "bodySize", body_size);
  /* Chromium's names: the bytes over the wire, a request that got no answer. */
  if (timing != NULL && timing->transfer_size >= 0)
    add_int (har, "_transferSize", timing->transfer_size);
  if (entry->error != NULL)
    add_string (har, "_error", entry->error);
  json_builder_end_object (har->builder);

  json_builder_set_member_name (har->builder, "cache");
  json_builder_begin_object (har->builder);
  json_builder_end_object (har->builder);
  time = add_timings (har, entry);
  add_int (har, "time", time);
  if (timing != NULL && timing->initiator != NULL)
    {
      json_builder_set_member_name (har->builder, "_initiator");
      json_builder_begin_object (har->builder);
      add_string (har, "type", timing->initiator);
      json_builder_end_object (har->builder);
    }
  if (entry->routed_to != NULL)
    add_string (har, "_routedTo", entry->routed_to);
  if (entry->comment != NULL)
    add_string (har, "comment", entry->comment);
  json_builder_end_object (har->builder);
}

/* Inline data is in the page, no request of its own. */
static gboolean
is_inline (const char *url)
{
  return g_ascii_strncasecmp (url, "data:", 5) == 0 || g_ascii_strncasecmp (url, "blob:", 5) == 0;
}

static gboolean
requested_by_script (const GPtrArray *requests, const char *uri)
{
  for (guint i = 0; i < requests->len; i++)
    if (g_str_equal (rh_request_target (g_ptr_array_index (requests, i)), uri))
      return TRUE;
  return FALSE;
}

/* The engine's load of what a script asked for, where it went; NULL if
 * the engine did not see one (a WebSocket). */
static const RhResource *
load_of (const GArray *resources, const RhRequest *request)
{
  for (guint i = 1; i < resources->len; i++)
    {
      const RhResource *resource = &g_array_index (resources, RhResource, i);

      if (g_str_equal (resource->uri, rh_request_target (request)))
        return resource;
    }
  return NULL;
}

static void
add_entries (Har *har, const RhPageOutcome *outcome)
{
  const GArray *resources = outcome->resources;
  const GPtrArray *requests = outcome->requests;

  json_builder_set_member_name (har->builder, "entries");
  json_builder_begin_array (har->builder);
  for (guint i = 0; i < resources->len; i++)
    {
      const RhResource *resource = &g_array_index (resources, RhResource, i);
      Entry entry = { resource->method != NULL ? resource->method : "GET", resource->uri, NULL,
                      resource->start_ms, resource->end_ms, resource->status,
                      resource->failed && resource->status == 0 ? resource->error : NULL, NULL,
                      resource };

      /* A script's request is the script's entry, with its method. */
      if (is_inline (resource->uri) || (i > 0 && requested_by_script (requests, resource->uri)))
        continue;
      add_entry (har, &entry);
    }
  for (guint i = 0; i < requests->len; i++)
    {
      const RhRequest *request = g_ptr_array_index (requests, i);
      Entry entry = { request->method, request->url, request->routed_to, request->start_ms,
                      request->end_ms, request->status, request->error, request->api,
                      load_of (resources, request) };

      if (is_inline (request->url))
        continue;
      add_entry (har, &entry);
    }
  json_builder_end_array (har->builder);
}

JsonNode *
rh_har_build (const RhPageOutcome *outcome)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  const RhPageEngine *engine = &outcome->engine;
  const RhPageTimes *times = &outcome->times;
  Har har = { builder, outcome->epoch_ms };

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "log");
  json_builder_begin_object (builder);
  add_string (&har, "version", "1.2");
  json_builder_set_member_name (builder, "creator");
  json_builder_begin_object (builder);
  add_string (&har, "name", "recordhost");
  add_string (&har, "version", PACKAGE_VERSION);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "browser");
  json_builder_begin_object (builder);
  /* A page fed messages by hand (tests) had no engine. */
  add_string (&har, "name", engine->name != NULL ? engine->name : "unknown");
  add_string (&har, "version", engine->version != NULL ? engine->version : "unknown");
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "pages");
  json_builder_begin_array (builder);
  json_builder_begin_object (builder);
  add_date (&har, "startedDateTime", MAX (times->load_ms, 0));
  add_string (&har, "id", "page_1");
  add_string (&har, "title", outcome->page_url);
  json_builder_set_member_name (builder, "pageTimings");
  json_builder_begin_object (builder);
  add_int (&har, "onContentLoad", times->dom_loaded_ms >= 0
                                    ? times->dom_loaded_ms - MAX (times->load_ms, 0) : -1);
  add_int (&har, "onLoad", times->load_finished_ms >= 0
                             ? times->load_finished_ms - MAX (times->load_ms, 0) : -1);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  json_builder_end_array (builder);

  add_entries (&har, outcome);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

gboolean
rh_har_write (const char *path, const RhPageOutcome *outcome, GError **error)
{
  g_autoptr (JsonNode) root = rh_har_build (outcome);
  g_autofree char *text = rh_json_to_string (root, TRUE);

  if (!rh_fs_write_atomic (path, text, strlen (text), error))
    {
      g_prefix_error (error, "cannot write --har ");
      return FALSE;
    }
  return TRUE;
}
