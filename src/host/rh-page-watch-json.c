/* The watch's members of the --json report. */
#include "rh-page-watch-private.h"

void
_rh_page_watch_add_ms (JsonBuilder *builder, const char *name, gint64 ms)
{
  json_builder_set_member_name (builder, name);
  if (ms == RH_PAGE_WATCH_NO_TIME)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, ms);
}

/* A string the page wrote, redacted; null for NULL. */
void
_rh_page_watch_add_page_string (RhPageWatch *watch, JsonBuilder *builder, const char *text)
{
  g_autofree char *clean = rh_timeline_redact (watch->timeline, text);

  if (clean != NULL)
    json_builder_add_string_value (builder, clean);
  else
    json_builder_add_null_value (builder);
}

/* Adds the current load's times as members of the object being built. */
void
rh_page_watch_add_times_json (RhPageWatch *watch, JsonBuilder *builder)
{
  const RhPageWatchTimes *times = &watch->times;

  _rh_page_watch_add_ms (builder, "load_ms", times->load_ms);
  _rh_page_watch_add_ms (builder, "committed_ms", times->committed_ms);
  _rh_page_watch_add_ms (builder, "dom_loaded_ms", times->dom_loaded_ms);
  _rh_page_watch_add_ms (builder, "load_finished_ms", times->load_finished_ms);
  _rh_page_watch_add_ms (builder, "first_frame_ms", times->first_frame_ms);
  _rh_page_watch_add_ms (builder, "first_nonblank_ms", times->first_nonblank_ms);
  _rh_page_watch_add_ms (builder, "launch_ms", times->launch_ms);
  _rh_page_watch_add_ms (builder, "ready_event_ms", times->ready_event_ms);
  _rh_page_watch_add_ms (builder, "ready_call_ms", times->ready_call_ms);
  _rh_page_watch_add_ms (builder, "ready_ack_ms", times->ready_ack_ms);
}

/* Adds "resources": [{url, status, start_ms, end_ms, failed, error}] to the
 * object being built, URLs redacted. */
void
rh_page_watch_add_resources_json (RhPageWatch *watch, JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "resources");
  json_builder_begin_array (builder);
  for (guint i = 0; i < watch->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (watch->resources, RhResource, i);
      g_autofree char *uri = rh_timeline_redact (watch->timeline, resource->uri);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "url");
      json_builder_add_string_value (builder, uri);
      json_builder_set_member_name (builder, "status");
      json_builder_add_int_value (builder, resource->status);
      _rh_page_watch_add_ms (builder, "start_ms", resource->start_ms);
      _rh_page_watch_add_ms (builder, "end_ms", resource->end_ms);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_boolean_value (builder, resource->failed);
      json_builder_set_member_name (builder, "error");
      /* It names the element's tag, which the page wrote. */
      _rh_page_watch_add_page_string (watch, builder, resource->error);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* Adds "requests" and "sdk" to the object being built. */
void
rh_page_watch_add_requests_json (RhPageWatch *watch, JsonBuilder *builder)
{
  const RhPageWatchLaunch *launch = &watch->launch;

  json_builder_set_member_name (builder, "requests");
  rh_request_log_add_json (watch->requests, watch->timeline, builder);
  json_builder_set_member_name (builder, "sdk");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "version");
  _rh_page_watch_add_page_string (watch, builder, launch->sdk_version);
  json_builder_set_member_name (builder, "launch_options");
  json_builder_begin_array (builder);
  for (guint i = 0; i < launch->options->len; i++)
    _rh_page_watch_add_page_string (watch, builder, g_ptr_array_index (launch->options, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "launch_returned");
  if (launch->result_type != NULL && launch->result_thenable)
    json_builder_add_string_value (builder, "promise");
  else
    _rh_page_watch_add_page_string (watch, builder, launch->result_type);
  json_builder_end_object (builder);
}
