#include "rh-page-json.h"

static void
add_ms (JsonBuilder *builder, const char *name, gint64 ms)
{
  json_builder_set_member_name (builder, name);
  if (ms == RH_PAGE_NO_TIME)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, ms);
}

/* A member whose value is @text, null for NULL. */
static void
add_string (JsonBuilder *builder, const char *name, const char *text)
{
  json_builder_set_member_name (builder, name);
  if (text != NULL)
    json_builder_add_string_value (builder, text);
  else
    json_builder_add_null_value (builder);
}

static void
add_strings (JsonBuilder *builder, const char *name, const GPtrArray *texts)
{
  json_builder_set_member_name (builder, name);
  json_builder_begin_array (builder);
  for (guint i = 0; i < texts->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (texts, i));
  json_builder_end_array (builder);
}

/* The times as members of the object being built. */
void
rh_page_json_add_times (const RhPageTimes *times, JsonBuilder *builder)
{
  add_ms (builder, "load_ms", times->load_ms);
  add_ms (builder, "committed_ms", times->committed_ms);
  add_ms (builder, "dom_loaded_ms", times->dom_loaded_ms);
  add_ms (builder, "load_finished_ms", times->load_finished_ms);
  add_ms (builder, "first_frame_ms", times->first_frame_ms);
  add_ms (builder, "first_nonblank_ms", times->first_nonblank_ms);
  add_ms (builder, "launch_ms", times->launch_ms);
  add_ms (builder, "ready_event_ms", times->ready_event_ms);
  add_ms (builder, "ready_call_ms", times->ready_call_ms);
  add_ms (builder, "ready_ack_ms", times->ready_ack_ms);
}

/* "resources": [{url, status, start_ms, end_ms, failed, error}]. */
void
rh_page_json_add_resources (const RhPageOutcome *outcome, JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "resources");
  json_builder_begin_array (builder);
  for (guint i = 0; i < outcome->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (outcome->resources, RhResource, i);

      json_builder_begin_object (builder);
      add_string (builder, "url", resource->uri);
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, resource->status);
      add_ms (builder, "start_ms", resource->start_ms);
      add_ms (builder, "end_ms", resource->end_ms);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_boolean_value (builder, resource->failed);
      add_string (builder, "error", resource->error);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* "requests" and "sdk". */
void
rh_page_json_add_requests (const RhPageOutcome *outcome, JsonBuilder *builder)
{
  const RhPageLaunch *launch = &outcome->launch;

  json_builder_set_member_name (builder, "requests");
  json_builder_begin_array (builder);
  for (guint i = 0; i < outcome->requests->len; i++)
    {
      const RhRequest *request = g_ptr_array_index (outcome->requests, i);

      json_builder_begin_object (builder);
      add_string (builder, "api", request->api);
      add_string (builder, "scope", request->scope != NULL ? request->scope : "page");
      add_string (builder, "method", request->method);
      add_string (builder, "url", request->url);
      add_string (builder, "routed_to", request->routed_to);
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, request->status);
      add_string (builder, "error", request->error);
      add_ms (builder, "start_ms", request->start_ms);
      add_ms (builder, "end_ms", request->end_ms);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);

  json_builder_set_member_name (builder, "sdk");
  json_builder_begin_object (builder);
  add_string (builder, "version", launch->sdk_version);
  add_string (builder, "bundle_version", launch->bundle_version);
  add_string (builder, "bundle_url", launch->bundle_url);
  add_strings (builder, "launch_options", launch->options);
  add_string (builder, "launch_returned",
              launch->result_type != NULL && launch->result_thenable ? "promise"
                                                                     : launch->result_type);
  json_builder_end_object (builder);
}

/* "engine", "capabilities" and "touched"; the engine's name, version and
 * User-Agent are null where there was no engine. */
void
rh_page_json_add_engine (const RhPageOutcome *outcome, JsonBuilder *builder)
{
  const RhPageEngine *engine = &outcome->engine;

  json_builder_set_member_name (builder, "engine");
  json_builder_begin_object (builder);
  add_string (builder, "name", engine->name);
  add_string (builder, "version", engine->version);
  add_string (builder, "user_agent", engine->user_agent);
  add_string (builder, "webrtc", rh_webrtc_mode_name (engine->webrtc));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "capabilities");
  if (engine->capabilities != NULL)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, engine->capabilities);
      json_builder_add_value (builder, node);
    }
  else
    json_builder_add_null_value (builder);
  add_strings (builder, "touched", engine->touched);
}

/* Blank time from the first frame to @ms, null when @ms never came. */
static void
add_blank_before (JsonBuilder *builder, const char *name, RhFrameLog *frames, gint64 ms)
{
  add_ms (builder, name, ms == RH_PAGE_NO_TIME ? ms : rh_frame_log_blank_ms_before (frames, ms));
}

/* "frames": how many the page rendered, how many were blank and when, and
 * how much white a recording started at the ready call or at the hold's
 * release would show first. */
void
rh_page_json_add_frames (const RhPageOutcome *outcome, JsonBuilder *builder)
{
  RhFrameLog *frames = outcome->frames;
  const GArray *spans = rh_frame_log_get_blank_spans (frames);

  json_builder_set_member_name (builder, "frames");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "count");
  json_builder_add_int_value (builder, rh_frame_log_get_marks (frames)->len);
  json_builder_set_member_name (builder, "blank");
  json_builder_add_int_value (builder, rh_frame_log_count_blank (frames));
  json_builder_set_member_name (builder, "blank_threshold");
  json_builder_add_int_value (builder, rh_frame_log_get_blank_threshold (frames));
  json_builder_set_member_name (builder, "blank_spans");
  json_builder_begin_array (builder);
  for (guint i = 0; i < spans->len; i++)
    {
      const RhBlankSpan *span = &g_array_index (spans, RhBlankSpan, i);

      json_builder_begin_object (builder);
      add_ms (builder, "start_ms", span->start_ms);
      add_ms (builder, "end_ms", span->end_ms);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "blank_spans_dropped");
  json_builder_add_int_value (builder, rh_frame_log_count_dropped_spans (frames));
  add_blank_before (builder, "blank_before_ready_call_ms", frames, outcome->times.ready_call_ms);
  add_blank_before (builder, "blank_before_hold_release_ms", frames,
                    outcome->times.hold_release_ms);
  json_builder_end_object (builder);
}
