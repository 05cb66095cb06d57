#include "rh-page-outcome.h"

G_DEFINE_BOXED_TYPE (RhPageOutcome, rh_page_outcome, rh_page_outcome_ref, rh_page_outcome_unref)

void
rh_page_times_init (RhPageTimes *times)
{
  times->load_ms = RH_PAGE_NO_TIME;
  times->committed_ms = RH_PAGE_NO_TIME;
  times->dom_loaded_ms = RH_PAGE_NO_TIME;
  times->load_finished_ms = RH_PAGE_NO_TIME;
  times->first_frame_ms = RH_PAGE_NO_TIME;
  times->first_nonblank_ms = RH_PAGE_NO_TIME;
  times->launch_ms = RH_PAGE_NO_TIME;
  times->ready_event_ms = RH_PAGE_NO_TIME;
  times->ready_call_ms = RH_PAGE_NO_TIME;
  times->ready_ack_ms = RH_PAGE_NO_TIME;
  times->hold_release_ms = RH_PAGE_NO_TIME;
  times->http_status = 0;
}

/* A resource of @uri started at @start_ms, with nothing known of it yet. */
void
rh_resource_init (RhResource *resource, const char *uri, gint64 start_ms)
{
  *resource = (RhResource) { 0 };
  resource->uri = g_strdup (uri);
  resource->start_ms = start_ms;
  resource->end_ms = RH_PAGE_NO_TIME;
  resource->content_length = -1;
  resource->timing.blocked = resource->timing.dns = resource->timing.connect = -1;
  resource->timing.ssl = resource->timing.send = resource->timing.wait = -1;
  resource->timing.receive = -1;
  resource->timing.transfer_size = resource->timing.encoded_size = -1;
  resource->timing.decoded_size = -1;
}

void
rh_resource_clear (RhResource *resource)
{
  g_free (resource->uri);
  g_free (resource->error);
  g_free (resource->method);
  g_strfreev (resource->request_headers);
  g_strfreev (resource->response_headers);
  g_free (resource->mime_type);
  g_free (resource->timing.initiator);
}

/* An outcome with nothing in it, as of a page that never loaded; its maker
 * fills it before handing it over.  @page_url redacted. */
void
rh_js_error_clear (RhJsError *error)
{
  g_clear_pointer (&error->message, g_free);
  g_clear_pointer (&error->source, g_free);
  error->line = 0;
}

RhPageOutcome *
rh_page_outcome_new (const char *page_url)
{
  RhPageOutcome *outcome = g_new0 (RhPageOutcome, 1);

  g_atomic_ref_count_init (&outcome->ref_count);
  outcome->page_url = g_strdup (page_url);
  outcome->epoch_ms = g_get_real_time () / 1000;
  rh_page_times_init (&outcome->times);
  outcome->launch.options = g_ptr_array_new_with_free_func (g_free);
  outcome->resources = g_array_new (FALSE, TRUE, sizeof (RhResource));
  g_array_set_clear_func (outcome->resources, (GDestroyNotify) rh_resource_clear);
  outcome->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) rh_request_free);
  outcome->missing_params = g_ptr_array_new_with_free_func (g_free);
  outcome->workers = g_ptr_array_new_with_free_func (g_free);
  outcome->waiting_for = g_strdup ("the page to load");
  outcome->engine.touched = g_ptr_array_new_with_free_func (g_free);
  outcome->engine.missing_touched = g_ptr_array_new_with_free_func (g_free);
  outcome->engine.missing_blamed = g_ptr_array_new_with_free_func (g_free);
  outcome->frames = rh_frame_log_new (FALSE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  return outcome;
}

RhPageOutcome *
rh_page_outcome_ref (RhPageOutcome *outcome)
{
  g_atomic_ref_count_inc (&outcome->ref_count);
  return outcome;
}

static void
engine_clear (RhPageEngine *engine)
{
  g_free (engine->name);
  g_free (engine->version);
  g_free (engine->user_agent);
  g_clear_pointer (&engine->capabilities, json_object_unref);
  g_ptr_array_unref (engine->touched);
  g_ptr_array_unref (engine->missing_touched);
  g_ptr_array_unref (engine->missing_blamed);
}

void
rh_page_outcome_unref (RhPageOutcome *outcome)
{
  if (!g_atomic_ref_count_dec (&outcome->ref_count))
    return;
  g_free (outcome->page_url);
  g_free (outcome->launch.sdk_version);
  g_free (outcome->launch.bundle_version);
  g_free (outcome->launch.bundle_url);
  g_free (outcome->launch.language);
  g_free (outcome->launch.result_type);
  g_ptr_array_unref (outcome->launch.options);
  rh_js_error_clear (&outcome->launch.threw);
  g_free (outcome->first_js_error);
  rh_js_error_clear (&outcome->first_error);
  g_array_unref (outcome->resources);
  g_ptr_array_unref (outcome->requests);
  g_ptr_array_unref (outcome->missing_params);
  g_ptr_array_unref (outcome->workers);
  g_free (outcome->waiting_for);
  g_free (outcome->blocking);
  engine_clear (&outcome->engine);
  rh_frame_log_free (outcome->frames);
  g_free (outcome);
}

gboolean
rh_resource_uri_is_script (const char *uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *path = parsed != NULL ? g_uri_get_path (parsed) : uri;

  return g_str_has_suffix (path, ".js") || g_str_has_suffix (path, ".mjs");
}
