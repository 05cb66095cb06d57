/* A load's outcome, made from the watch when the load ends: copies of what
 * it saw, everything the page or a server wrote redacted, here and once. */
#include "rh-page-watch-private.h"

GPtrArray *
_rh_page_watch_redact_all (RhPageWatch *watch, const GPtrArray *texts)
{
  GPtrArray *clean = g_ptr_array_new_full (texts->len, g_free);

  for (guint i = 0; i < texts->len; i++)
    g_ptr_array_add (clean, rh_timeline_redact (watch->timeline, g_ptr_array_index (texts, i)));
  return clean;
}

static void
copy_js_error (RhPageWatch *self, const RhJsError *error, RhJsError *copy)
{
  copy->message = rh_timeline_redact (self->timeline, error->message);
  copy->source = rh_timeline_redact (self->timeline, error->source);
  copy->line = error->line;
}

static void
copy_launch (RhPageWatch *self, RhPageLaunch *launch)
{
  *launch = self->launch;
  launch->sdk_version = rh_timeline_redact (self->timeline, self->launch.sdk_version);
  launch->bundle_version = rh_timeline_redact (self->timeline, self->launch.bundle_version);
  launch->bundle_url = rh_timeline_redact (self->timeline, self->launch.bundle_url);
  launch->language = rh_timeline_redact (self->timeline, self->launch.language);
  launch->result_type = rh_timeline_redact (self->timeline, self->launch.result_type);
  launch->options = _rh_page_watch_redact_all (self, self->launch.options);
  copy_js_error (self, &self->launch.threw, &launch->threw);
}

/* Names and values: a server or the page wrote both. */
static GStrv
redact_headers (RhPageWatch *self, const char *const *headers)
{
  g_autoptr (GStrvBuilder) builder = NULL;

  if (headers == NULL)
    return NULL;
  builder = g_strv_builder_new ();
  for (guint i = 0; headers[i] != NULL; i++)
    {
      g_autofree char *clean = rh_timeline_redact (self->timeline, headers[i]);

      g_strv_builder_add (builder, clean);
    }
  return g_strv_builder_end (builder);
}

static void
copy_resources (RhPageWatch *self, GArray *resources)
{
  for (guint i = 0; i < self->resources->len; i++)
    {
      RhResource copy = g_array_index (self->resources, RhResource, i);

      copy.uri = rh_timeline_redact (self->timeline, copy.uri);
      /* It names the element's tag, which the page wrote. */
      copy.error = rh_timeline_redact (self->timeline, copy.error);
      copy.method = rh_timeline_redact (self->timeline, copy.method);
      copy.request_headers = redact_headers (self, (const char *const *) copy.request_headers);
      copy.response_headers = redact_headers (self, (const char *const *) copy.response_headers);
      copy.mime_type = rh_timeline_redact (self->timeline, copy.mime_type);
      copy.timing.initiator = rh_timeline_redact (self->timeline, copy.timing.initiator);
      g_array_append_val (resources, copy);
    }
}

static void
copy_requests (RhPageWatch *self, GPtrArray *requests)
{
  const GPtrArray *all = rh_request_log_get_all (self->requests);

  for (guint i = 0; i < all->len; i++)
    g_ptr_array_add (requests, rh_request_copy_redacted (g_ptr_array_index (all, i),
                                                         self->timeline));
}

/* The current load's outcome, as far as it went; the watch keeps watching
 * (a later load has an outcome of its own).  The frames go with it. */
RhPageOutcome *
rh_page_watch_end_load (RhPageWatch *watch)
{
  RhPageWatch *self = watch;
  g_autofree char *page_url = rh_timeline_redact (self->timeline, self->page_url);
  RhPageOutcome *outcome = rh_page_outcome_new (page_url);

  outcome->epoch_ms = g_get_real_time () / 1000 - rh_timeline_now_ms (self->timeline);
  outcome->times = self->times;
  outcome->launched = self->launched;
  outcome->ready = self->ready;
  outcome->unpatchable = self->unpatchable;
  g_ptr_array_unref (outcome->launch.options);
  copy_launch (self, &outcome->launch);
  outcome->js_errors = self->js_errors;
  outcome->first_js_error = rh_timeline_redact (self->timeline, self->first_js_error);
  copy_js_error (self, &self->first_error, &outcome->first_error);
  copy_resources (self, outcome->resources);
  copy_requests (self, outcome->requests);
  outcome->requests_dropped = rh_request_log_dropped (self->requests);
  g_ptr_array_extend_and_steal (outcome->missing_params,
                                _rh_page_watch_redact_all (self, self->missing_params));
  g_ptr_array_extend_and_steal (outcome->workers,
                                _rh_page_watch_redact_all (self, self->workers));
  g_free (outcome->waiting_for);
  outcome->waiting_for = rh_timeline_redact (self->timeline, rh_page_watch_waiting_for (self));
  if (self->host != NULL)
    {
      g_autofree char *blocking = rh_page_watch_describe_blocking (self);

      outcome->blocking = rh_timeline_redact (self->timeline, blocking);
    }
  _rh_page_watch_engine_describe (self, &outcome->engine);
  rh_frame_log_free (outcome->frames);
  outcome->frames = g_steal_pointer (&self->frame_log);
  self->frame_log = rh_frame_log_new (self->keep_pictures, self->blank_threshold);
  return outcome;
}
