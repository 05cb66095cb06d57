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

/* One entry; @status 0 with @error for a request that got no answer. */
static void
add_entry (Har *har, const char *method, const char *url, gint64 start_ms, gint64 end_ms,
           guint status, const char *error, const char *comment)
{
  gint64 time = end_ms >= start_ms ? end_ms - start_ms : 0;

  json_builder_begin_object (har->builder);
  add_string (har, "pageref", "page_1");
  add_date (har, "startedDateTime", start_ms);
  add_int (har, "time", time);

  json_builder_set_member_name (har->builder, "request");
  json_builder_begin_object (har->builder);
  add_string (har, "method", method);
  add_string (har, "url", url);
  add_string (har, "httpVersion", "HTTP/1.1");
  add_empty_array (har, "cookies");
  add_empty_array (har, "headers");
  add_query (har, url);
  add_int (har, "headersSize", -1);
  add_int (har, "bodySize", -1);
  json_builder_end_object (har->builder);

  json_builder_set_member_name (har->builder, "response");
  json_builder_begin_object (har->builder);
  add_int (har, "status", status);
  add_string (har, "statusText", status != 0 ? soup_status_get_phrase (status) : "");
  add_string (har, "httpVersion", "HTTP/1.1");
  add_empty_array (har, "cookies");
  add_empty_array (har, "headers");
  json_builder_set_member_name (har->builder, "content");
  json_builder_begin_object (har->builder);
  add_int (har, "size", 0);
  add_string (har, "mimeType", "");
  json_builder_end_object (har->builder);
  add_string (har, "redirectURL", "");
  add_int (har, "headersSize", -1);
  add_int (har, "bodySize", -1);
  /* Chromium's name for a request that got no answer. */
  if (error != NULL)
    add_string (har, "_error", error);
  json_builder_end_object (har->builder);

  json_builder_set_member_name (har->builder, "cache");
  json_builder_begin_object (har->builder);
  json_builder_end_object (har->builder);
  json_builder_set_member_name (har->builder, "timings");
  json_builder_begin_object (har->builder);
  add_int (har, "send", 0);
  add_int (har, "wait", time);
  add_int (har, "receive", 0);
  json_builder_end_object (har->builder);
  if (comment != NULL)
    add_string (har, "comment", comment);
  json_builder_end_object (har->builder);
}

static gboolean
requested_by_script (const GPtrArray *requests, const char *uri)
{
  for (guint i = 0; i < requests->len; i++)
    if (g_str_equal (rh_request_target (g_ptr_array_index (requests, i)), uri))
      return TRUE;
  return FALSE;
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

      /* A script's request is the script's entry, with its method. */
      if (i > 0 && requested_by_script (requests, resource->uri))
        continue;
      add_entry (har, "GET", resource->uri, resource->start_ms, resource->end_ms,
                 resource->status, resource->failed && resource->status == 0 ? resource->error
                                                                             : NULL,
                 NULL);
    }
  for (guint i = 0; i < requests->len; i++)
    {
      const RhRequest *request = g_ptr_array_index (requests, i);
      g_autofree char *comment = NULL;

      if (request->routed_to != NULL)
        comment = g_strdup_printf ("%s, routed from %s", request->api, request->url);
      add_entry (har, request->method, rh_request_target (request), request->start_ms,
                 request->end_ms, request->status, request->error,
                 comment != NULL ? comment : request->api);
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
