#include "rh-run-private.h"

#include "rh-error.h"
#include "rh-fs.h"
#include "rh-problems.h"

G_DEFINE_FINAL_TYPE (RhRun, rh_run, G_TYPE_OBJECT)

enum
{
  SIGNAL_STATE_CHANGED,
  SIGNAL_LOAD_ENDED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
rh_run_dispose (GObject *object)
{
  RhRun *self = RH_RUN (object);

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (self->policy != NULL)
    g_signal_handlers_disconnect_by_data (self->policy, self);
  g_clear_object (&self->policy);
  if (self->session != NULL)
    rh_page_session_disconnect (self->session, self);
  self->watch = NULL;
  g_clear_object (&self->session);
  if (self->recorder != NULL)
    g_signal_handlers_disconnect_by_data (self->recorder, self);
  g_clear_object (&self->recorder);
  G_OBJECT_CLASS (rh_run_parent_class)->dispose (object);
}

static void
rh_run_finalize (GObject *object)
{
  RhRun *self = RH_RUN (object);

  rh_run_options_free (self->options);
  rh_state_log_close (self->state_log);
  json_array_unref (self->state_events);
  g_clear_error (&self->error);
  g_clear_error (&self->recording_error);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_error (&self->load_error);
  G_OBJECT_CLASS (rh_run_parent_class)->finalize (object);
}

static void
rh_run_class_init (RhRunClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_run_dispose;
  object_class->finalize = rh_run_finalize;

  /* A recording state event (a JsonNode shaped like the cloud's), once logged. */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 1, JSON_TYPE_NODE);
  /* A load of the page ended, reloaded or the last: (its number from 1, its
   * RhPageOutcome, its problems (RhProblem), why it was given up or NULL). */
  signals[SIGNAL_LOAD_ENDED] = g_signal_new ("load-ended", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                             G_TYPE_NONE, 4, G_TYPE_UINT, RH_TYPE_PAGE_OUTCOME,
                                             G_TYPE_PTR_ARRAY, G_TYPE_STRING);
}

static void
rh_run_init (RhRun *self)
{
  self->state_events = json_array_new ();
}

/* Takes @options; the ready signal is answered by @ready_call.  Checks
 * everything a user could get wrong. */
RhRun *
rh_run_new (RhRunOptions *options, RhReadyCall *ready_call, GError **error)
{
  g_autoptr (RhRun) self = g_object_new (RH_TYPE_RUN, NULL);
  g_autoptr (RhRunOptions) owned = options;

  self->session = rh_page_session_new (g_steal_pointer (&options->page), ready_call, error);
  if (self->session == NULL)
    return NULL;
  self->page = rh_page_session_get_options (self->session);
  self->timeline = rh_page_session_get_timeline (self->session);
  if (options->retry_timeout_s == 0)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "--retry-timeout must be at least 1 second");
      return NULL;
    }
  /* A load's bound, as the cause of one given up says it. */
  self->page->timeout_s = options->retry_timeout_s;
  /* A recording must have somewhere to go before the class starts, not be
   * found missing at the end. */
  if (options->record != NULL && !rh_fs_probe_output (options->record, error))
    {
      g_prefix_error (error, "cannot write --record ");
      return NULL;
    }
  if (options->record != NULL)
    {
      guint bitrate = options->video_bitrate_kbps != 0
                        ? options->video_bitrate_kbps
                        : rh_recorder_default_bitrate (self->page->record.width,
                                                       self->page->record.height);

      self->recorder = rh_recorder_new (options->record, self->page->record.width,
                                        self->page->record.height, options->video_fps,
                                        bitrate, error);
      if (self->recorder == NULL)
        return NULL;
    }
  if (options->state_log != NULL)
    {
      self->state_log = rh_state_log_open (options->state_log, error);
      if (self->state_log == NULL)
        return NULL;
    }
  self->options = g_steal_pointer (&owned);
  return g_steal_pointer (&self);
}

RhTimeline *
rh_run_get_timeline (RhRun *run)
{
  return run->timeline;
}

static gboolean
return_task_cb (gpointer user_data)
{
  g_autoptr (RhRun) self = user_data;
  g_autoptr (GTask) task = g_steal_pointer (&self->task);

  if (task == NULL)
    return G_SOURCE_REMOVE;
  /* With --fail-on, the last load's problems fail a run that went well
   * otherwise (errors, and the warnings named), its recording complete. */
  if (self->error == NULL && self->page->fail_on != NULL)
    self->error = rh_problems_get_failure (self->problems);
  if (self->error != NULL)
    g_task_return_error (task, g_error_copy (self->error));
  else
    g_task_return_boolean (task, TRUE);
  return G_SOURCE_REMOVE;
}

/* The caller hears of the end from the main loop, never from inside the
 * policy or the page watch: it may drop the run at once. */
static void
return_task_later (RhRun *self)
{
  if (self->task != NULL)
    g_idle_add (return_task_cb, g_object_ref (self));
}

static void
recording_closed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhRun) self = user_data;
  RhRecorder *recorder = RH_RECORDER (source);
  g_autoptr (GError) error = NULL;

  if (!rh_recorder_close_finish (recorder, result, &error))
    {
      /* Said already when the recorder failed on the way. */
      if (self->recording_error == NULL)
        {
          rh_timeline_add (self->timeline, "recording-failed", NULL, "%s", error->message);
          self->recording_error = g_error_copy (error);
        }
      if (self->error == NULL)
        self->error = g_steal_pointer (&error);
    }
  else
    rh_timeline_add (self->timeline, "recording-file", NULL,
                     "recording written: %s (%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT
                     " encoded)",
                     self->options->record, rh_recorder_get_frames (recorder),
                     rh_recorder_get_encoded_frames (recorder));
  return_task_later (self);
}

/* A recording that cannot be made ends the run, as a lost state event
 * does: the file is what the run is for. */
static void
fail_recording (RhRun *self, const GError *error)
{
  rh_timeline_add (self->timeline, "recording-failed", NULL, "%s", error->message);
  if (self->recording_error == NULL)
    self->recording_error = g_error_copy (error);
  if (self->error == NULL)
    self->error = g_error_copy (error);
  if (self->policy != NULL && !rh_recording_policy_is_finished (self->policy))
    rh_recording_policy_stop (self->policy);
}

static void
recording_started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhRun) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!rh_recorder_start_finish (RH_RECORDER (source), result, &error))
    fail_recording (self, error);
}

static void
recorder_failed_cb (RhRecorder *recorder, GError *error, gpointer user_data)
{
  fail_recording (user_data, error);
}

static void
add_frame_cb (const RhFrame *frame, gpointer user_data)
{
  rh_recorder_add_frame (user_data, frame);
}

/* Recording output starts when slicing would: at ready, or at the release.
 * Its clock starts now; the pipeline starts off the main loop.  It begins
 * with the frame on screen, read again from the page host: until now the
 * recorder kept none (a full frame a room on hold). */
static void
start_recording (RhRun *self)
{
  if (self->recorder == NULL || self->recording_started)
    return;
  self->recording_started = TRUE;
  rh_page_host_read_frame (rh_page_watch_get_host (self->watch), add_frame_cb, self->recorder);
  rh_recorder_start_async (self->recorder, recording_started_cb, g_object_ref (self));
  rh_timeline_add (self->timeline, "recording-file", NULL, "recording to %s",
                   self->options->record);
}

static void
frame_cb (RhPageHost *host, RhFrame *frame, gpointer user_data)
{
  RhRun *self = user_data;

  if (self->recorder != NULL && self->recording_started)
    rh_recorder_add_frame (self->recorder, frame);
}

/* The current load ended, not the run's last: it is told, then forgotten. */
static char *
end_load (RhRun *self)
{
  g_autoptr (GError) failure = g_steal_pointer (&self->load_error);
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (RhPageOutcome) outcome = rh_page_session_end_load (self->session, failure,
                                                                &problems);
  char *cause = rh_page_session_cause_of (self->session, outcome, failure);

  self->loading = FALSE;
  g_signal_emit (self, signals[SIGNAL_LOAD_ENDED], 0, self->loads, outcome, problems, cause);
  return cause;
}

/* The last load ended, as the run saw it: failed only when given up (a
 * failure of the page itself may be followed by a reload).  Returns its
 * one-line cause, NULL for none or when it ended already. */
static char *
conclude (RhRun *self)
{
  char *cause;

  if (self->problems != NULL)
    return NULL;
  rh_page_session_conclude (self->session, self->load_error);
  self->problems = g_ptr_array_ref (rh_page_session_get_problems (self->session));
  cause = rh_page_session_cause (self->session, self->load_error);
  if (self->loads > 0)
    g_signal_emit (self, signals[SIGNAL_LOAD_ENDED], 0, self->loads,
                   rh_page_session_get_outcome (self->session), self->problems, cause);
  return cause;
}

/* The run ends once the recording's file is finished. */
static void
complete (RhRun *self)
{
  gboolean recording = self->recorder != NULL && rh_recorder_is_running (self->recorder);

  g_free (conclude (self));
  if (recording)
    rh_recorder_close_async (self->recorder, recording_closed_cb, g_object_ref (self));
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  rh_page_session_stop (self->session);
  if (!recording)
    return_task_later (self);
}

/* ---- the policy's clock ---- */

static gint64
monotonic_clock (gpointer user_data)
{
  return g_get_monotonic_time ();
}

static gboolean deadline_cb (gpointer user_data);

static void
arm_deadline (RhRun *self)
{
  gint64 deadline_us = rh_recording_policy_get_deadline (self->policy);
  gint64 delay_ms;

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  if (deadline_us < 0)
    return;
  delay_ms = MAX (0, (deadline_us - g_get_monotonic_time () + 999) / 1000);
  self->deadline_id = g_timeout_add ((guint) delay_ms, deadline_cb, self);
}

static gboolean
deadline_cb (gpointer user_data)
{
  RhRun *self = user_data;

  self->deadline_id = 0;
  rh_recording_policy_tick (self->policy);
  if (!rh_recording_policy_is_finished (self->policy))
    arm_deadline (self);
  return G_SOURCE_REMOVE;
}

/* ---- the policy's decisions ---- */

static void
load_page_cb (RhRecordingPolicy *policy, guint attempt, const char *why, gpointer user_data)
{
  RhRun *self = user_data;
  gint64 ready_deadline_us = rh_recording_policy_get_deadline (policy);

  if (self->loading)
    g_free (end_load (self));
  self->loads++;
  self->loading = TRUE;
  if (g_str_equal (why, "retry"))
    rh_timeline_add (self->timeline, "reload", NULL, "reloading the page: attempt %u of %u",
                     attempt, RH_RECORDING_POLICY_MAX_RETRIES + 1);
  else if (g_str_equal (why, "crash"))
    rh_timeline_add (self->timeline, "reload", NULL, "reloading the page after a crash");
  /* After a crash while recording there is no retry deadline: the ready
   * call may take as long as the retry timeout. */
  if (ready_deadline_us < 0 || rh_recording_policy_is_recording (policy))
    ready_deadline_us = g_get_monotonic_time ()
                        + (gint64) self->options->retry_timeout_s * G_USEC_PER_SEC;
  rh_page_watch_load (self->watch, ready_deadline_us);
}

static void
state_changed_cb (RhRecordingPolicy *policy, JsonNode *event, gpointer user_data)
{
  RhRun *self = user_data;
  JsonObject *data = json_object_get_object_member (json_node_get_object (event), "data");
  gint64 reason = json_object_get_int_member (data, "reason");
  gboolean given_up = reason == RH_RECORDING_REASON_TIMED_OUT
                      || reason == RH_RECORDING_REASON_ABANDONED;
  g_autoptr (GError) error = NULL;
  g_autofree char *cause = NULL;

  if (given_up && self->watch != NULL)
    {
      g_autofree char *not_ready = rh_page_watch_describe_not_ready (self->watch,
                                                                     self->options->retry_timeout_s);

      g_clear_error (&self->load_error);
      self->load_error = g_error_new_literal (RH_ERROR, RH_ERROR_NOT_READY, not_ready);
    }
  /* A load given up, or the run's end, is told of before the event; a load
   * given up says why in it, in the one line check says it in. */
  if (reason == RH_RECORDING_REASON_TIMED_OUT && self->loading)
    cause = end_load (self);
  else if (reason == RH_RECORDING_REASON_STOPPED || reason == RH_RECORDING_REASON_ABANDONED)
    cause = conclude (self);
  if (given_up && cause != NULL)
    json_object_set_string_member (data, "cause", cause);

  if (self->state_log != NULL && self->error == NULL
      && !rh_state_log_append (self->state_log, event, &error))
    {
      /* The events are the point of the run: losing one ends it. */
      self->error = g_error_copy (error);
      rh_timeline_add (self->timeline, "failed", NULL, "%s", error->message);
    }
  json_array_add_element (self->state_events, json_node_copy (event));
  rh_timeline_add (self->timeline, "recording-state", json_node_copy (event),
                   "recording state %" G_GINT64_FORMAT ", reason %" G_GINT64_FORMAT ": %s%s%s%s",
                   json_object_get_int_member (data, "state"), reason,
                   rh_recording_reason_describe (reason),
                   json_object_get_boolean_member (data, "onHold") ? " (on hold)" : "",
                   json_object_has_member (data, "cause") ? ": " : "",
                   json_object_get_string_member_with_default (data, "cause", ""));
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, event);
  if (self->error != NULL && !rh_recording_policy_is_finished (policy))
    rh_recording_policy_stop (policy);
}

static void
finished_cb (RhRecordingPolicy *policy, gpointer user_data)
{
  RhRun *self = user_data;

  if (self->error == NULL && rh_recording_policy_gave_up (policy))
    self->error = g_error_new (RH_ERROR, RH_ERROR_NOT_READY,
                               "recording abandoned: not ready after %u loads of %u s each",
                               rh_recording_policy_get_attempt (policy),
                               self->options->retry_timeout_s);
  complete (self);
}

/* ---- the page ---- */

static void
ready_acknowledged_cb (RhPageWatch *watch, gpointer user_data)
{
  RhRun *self = user_data;
  gboolean was_recording = rh_recording_policy_is_recording (self->policy);

  rh_recording_policy_ready_acknowledged (self->policy);
  if (!was_recording && rh_recording_policy_is_held (self->policy))
    rh_timeline_add (self->timeline, "hold", NULL,
                     "on hold: the page is ready, recording paused until released (SIGUSR1)");
  else if (rh_recording_policy_is_recording (self->policy))
    start_recording (self);
  arm_deadline (self);
}

static void
page_failed_cb (RhPageWatch *watch, GError *error, gpointer user_data)
{
  RhRun *self = user_data;

  if (g_error_matches (error, RH_ERROR, RH_ERROR_WEB_PROCESS))
    {
      g_autofree char *message = rh_timeline_redact (self->timeline, error->message);

      self->crashes++;
      g_clear_error (&self->load_error);
      self->load_error = g_error_new_literal (error->domain, error->code, message);
      rh_recording_policy_page_crashed (self->policy);
      return;
    }
  /* Not fatal here: the cloud waits for the retry timeout whatever the page did. */
  rh_timeline_add (self->timeline, "page-problem", NULL, "%s (attempt %u)", error->message,
                   rh_recording_policy_get_attempt (self->policy));
}

static char *
progress_cb (gpointer user_data)
{
  RhRun *self = user_data;

  if (rh_recording_policy_is_held (self->policy))
    return g_strdup_printf ("on hold, waiting for release (%" G_GINT64_FORMAT " s)",
                            rh_timeline_now_ms (self->timeline) / 1000);
  if (rh_recording_policy_is_recording (self->policy))
    return g_strdup_printf ("recording (%" G_GINT64_FORMAT " s)",
                            rh_timeline_now_ms (self->timeline) / 1000);
  return g_strdup_printf ("attempt %u, waiting for %s",
                          rh_recording_policy_get_attempt (self->policy),
                          rh_page_watch_waiting_for (self->watch));
}

void
rh_run_start_async (RhRun *run, GAsyncReadyCallback callback, gpointer user_data)
{
  RhRun *self = run;
  RhPageOptions *page = self->page;
  RhRecordingPolicyConfig config = { 0 };
  g_autoptr (GError) error = NULL;

  g_return_if_fail (self->task == NULL && self->policy == NULL);
  self->task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (self->task, rh_run_start_async);

  if (!rh_page_session_open (self->session, &error))
    {
      self->error = g_steal_pointer (&error);
      complete (self);
      return;
    }
  self->watch = rh_page_session_get_watch (self->session);
  g_signal_connect (self->watch, "ready-acknowledged", G_CALLBACK (ready_acknowledged_cb), self);
  g_signal_connect (self->watch, "failed", G_CALLBACK (page_failed_cb), self);
  g_signal_connect (rh_page_watch_get_host (self->watch), "frame", G_CALLBACK (frame_cb), self);
  if (self->recorder != NULL)
    g_signal_connect (self->recorder, "failed", G_CALLBACK (recorder_failed_cb), self);
  if (self->options->keep_pictures)
    rh_page_watch_keep_pictures (self->watch);
  /* A recording takes video_fps frames a second: rendering more would only
   * be copied and thrown away, by every room of a cloud. */
  if (self->recorder != NULL)
    rh_page_host_set_frame_interval (rh_page_watch_get_host (self->watch),
                                     1000 / self->options->video_fps);

  config.room_uuid = page->room->room_uuid;
  config.retry_timeout_s = self->options->retry_timeout_s;
  config.duration_s = self->options->duration_s;
  config.on_hold = self->options->on_hold;
  config.first_attempt = self->options->first_attempt;
  config.record_id = self->options->record_id;
  self->policy = rh_recording_policy_new (&config, monotonic_clock, NULL);
  g_signal_connect (self->policy, "load-page", G_CALLBACK (load_page_cb), self);
  g_signal_connect (self->policy, "state-changed", G_CALLBACK (state_changed_cb), self);
  g_signal_connect (self->policy, "finished", G_CALLBACK (finished_cb), self);

  rh_timeline_start (self->timeline);
  rh_timeline_add (self->timeline, "start", NULL,
                   "recording %s at %ux%u, ready on %s, retry timeout %u s%s",
                   rh_page_session_get_page_url (self->session),
                   page->record.width, page->record.height,
                   rh_ready_protocol_describe (page->ready), self->options->retry_timeout_s,
                   self->options->on_hold ? ", on hold" : "");
  rh_page_session_start_progress (self->session, progress_cb, self);
  rh_recording_policy_start (self->policy);
  arm_deadline (self);
}

gboolean
rh_run_start_finish (RhRun *run, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, run), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* A normal end (reason 2), from --duration's caller, SIGINT or SIGTERM. */
void
rh_run_stop (RhRun *run)
{
  if (run->policy == NULL || rh_recording_policy_is_finished (run->policy))
    return;
  rh_timeline_add (run->timeline, "stop", NULL, "stop requested");
  rh_recording_policy_stop (run->policy);
}

/* Releases an onHold recording; returns whether there was a hold. */
gboolean
rh_run_release (RhRun *run)
{
  gboolean was_held;

  if (run->policy == NULL)
    return FALSE;
  was_held = rh_recording_policy_is_held (run->policy);
  if (!rh_recording_policy_release (run->policy))
    {
      rh_timeline_add (run->timeline, "release", NULL, "release requested: nothing on hold");
      return FALSE;
    }
  rh_timeline_add (run->timeline, "release", NULL,
                   was_held ? "released: recording resumes" : "released before ready");
  if (was_held)
    {
      rh_page_watch_mark_hold_released (run->watch);
      start_recording (run);
    }
  arm_deadline (run);
  return TRUE;
}
