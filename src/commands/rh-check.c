#include "rh-check-private.h"

#include "rh-error.h"
#include "rh-problems.h"
#include "rh-text.h"

#define AFTER_PAINT_MS 300
/* After the document and its scripts loaded (the load event, and the end
 * of the last script), how long a page may take to call AgoraEduSDK.launch
 * before the check says it never will. */
#define LAUNCH_GRACE_MS 5000
/* How long past --timeout, or past an interrupt, the engine's capabilities
 * may still be probed for the report: a check ends within --timeout + 1 s,
 * and within 1 s of a stop signal, its engine processes killed, even when the
 * page's web process is stuck in a script. */
#define PROBE_PAST_END_MS 500
/* How long a check that ended may wait for the bridge's read of the SDK
 * bundle's text (its version), within --timeout: a bound, the read's end
 * ends the wait.  A 1.1.x bundle (10 MB) took over 1.5 s on a busy machine. */
#define BUNDLE_READ_GRACE_MS 5000

G_DEFINE_FINAL_TYPE (RhCheck, rh_check, G_TYPE_OBJECT)

static void
rh_check_dispose (GObject *object)
{
  RhCheck *self = RH_CHECK (object);

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->interrupt_id, g_source_remove);
  g_clear_handle_id (&self->paint_grace_id, g_source_remove);
  g_clear_handle_id (&self->launch_grace_id, g_source_remove);
  g_clear_handle_id (&self->bundle_wait_id, g_source_remove);
  if (self->cancellable != NULL)
    {
      g_cancellable_disconnect (self->cancellable, self->cancelled_id);
      g_clear_object (&self->cancellable);
    }
  if (self->session != NULL)
    rh_page_session_disconnect (self->session, self);
  self->watch = NULL;
  g_clear_object (&self->session);
  G_OBJECT_CLASS (rh_check_parent_class)->dispose (object);
}

static void
rh_check_finalize (GObject *object)
{
  RhCheck *self = RH_CHECK (object);

  g_clear_error (&self->error);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  g_clear_pointer (&self->pictures, g_ptr_array_unref);
  G_OBJECT_CLASS (rh_check_parent_class)->finalize (object);
}

static void
rh_check_class_init (RhCheckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_check_dispose;
  object_class->finalize = rh_check_finalize;
}

static void
rh_check_init (RhCheck *self)
{
}

/* Takes @options; the ready signal is answered by @ready_call.  Everything
 * a user could get wrong is checked here, before any process starts. */
RhCheck *
rh_check_new (RhPageOptions *options, RhReadyCall *ready_call, GError **error)
{
  g_autoptr (RhCheck) self = g_object_new (RH_TYPE_CHECK, NULL);

  self->session = rh_page_session_new (options, ready_call, error);
  if (self->session == NULL)
    return NULL;
  self->options = rh_page_session_get_options (self->session);
  self->timeline = rh_page_session_get_timeline (self->session);
  return g_steal_pointer (&self);
}

RhTimeline *
rh_check_get_timeline (RhCheck *check)
{
  return check->timeline;
}

/* The outcome known and the engine's capabilities too: the problems, the
 * outputs, the end of the task. */
static void
conclude (RhCheck *self)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->task);

  rh_check_find_problems (self);
  /* Ready was acknowledged, but something a recording depends on broke, or
   * the user said a warning is a failure. */
  if (self->error == NULL)
    self->error = rh_problems_get_failure (self->problems);
  /* From here on the failure is its one-line cause; the problems keep the
   * details. */
  if (self->error != NULL)
    {
      g_autofree char *cause = rh_page_session_cause (self->session, self->error);
      GError *short_error = g_error_new_literal (self->error->domain, self->error->code, cause);

      g_clear_error (&self->error);
      self->error = short_error;
    }
  rh_check_write_outputs (self);

  if (self->error != NULL)
    {
      /* Kept for the report, not echoed: the summary, or the command's last
       * line, says it once. */
      rh_timeline_add_unechoed (self->timeline, "failed", NULL, "failed: %s",
                                self->error->message);
      g_task_return_error (task, g_error_copy (self->error));
      return;
    }
  rh_timeline_add (self->timeline, "passed", NULL, "passed: ready acknowledged");
  g_task_return_boolean (task, TRUE);
}

static void
engine_probed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCheck) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!rh_page_watch_probe_engine_finish (RH_PAGE_WATCH (source), result, &error))
    rh_timeline_add (self->timeline, "capabilities-unknown", NULL, "%s", error->message);
  conclude (self);
}

/* The page is stopped and what the report still needs is gathered. */
static void
settle (RhCheck *self)
{
  gint64 probe_end_us;

  /* The report says what the engine offers even when the page failed
   * before it could probe it. */
  rh_page_session_stop (self->session);
  probe_end_us = g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED)
                   ? g_get_monotonic_time ()
                   : self->deadline_us;
  rh_page_watch_probe_engine_async (self->watch, probe_end_us + PROBE_PAST_END_MS * 1000,
                                    engine_probed_cb, g_object_ref (self));
}

static gboolean
bundle_wait_cb (gpointer user_data)
{
  RhCheck *self = user_data;

  self->bundle_wait_id = 0;
  settle (self);
  return G_SOURCE_REMOVE;
}

static void
sdk_bundle_read_cb (RhPageWatch *watch, gpointer user_data)
{
  RhCheck *self = user_data;

  if (self->bundle_wait_id == 0)
    return;
  g_clear_handle_id (&self->bundle_wait_id, g_source_remove);
  settle (self);
}

/* The first outcome wins; later events are still recorded. */
static void
finish (RhCheck *self, GError *error /* owned, NULL for success */)
{
  gint64 left_ms;

  if (self->finished)
    {
      g_clear_error (&error);
      return;
    }
  self->finished = TRUE;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->paint_grace_id, g_source_remove);
  g_clear_handle_id (&self->launch_grace_id, g_source_remove);
  self->end_ms = rh_timeline_now_ms (self->timeline);
  self->error = error;
  if (self->watch == NULL)
    {
      conclude (self);
      return;
    }
  /* The SDK's version, read from its bundle, is worth a moment to a check
   * that ended early; not past --timeout, nor after an interrupt. */
  left_ms = (self->deadline_us - g_get_monotonic_time ()) / 1000;
  if (rh_page_watch_is_reading_sdk_bundle (self->watch) && left_ms > 0
      && !g_error_matches (self->error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      self->bundle_wait_id = g_timeout_add ((guint) MIN (left_ms, BUNDLE_READ_GRACE_MS),
                                            bundle_wait_cb, self);
      return;
    }
  settle (self);
}

static void
fail (RhCheck *self, RhError code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
fail (RhCheck *self, RhError code, const char *format, ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);
  finish (self, g_error_new_literal (RH_ERROR, code, message));
}

/* ---- the page ---- */

static gboolean
paint_grace_cb (gpointer user_data)
{
  RhCheck *self = user_data;

  self->paint_grace_id = 0;
  rh_timeline_add (self->timeline, "no-paint", NULL,
                   "no painted frame within %u ms of the acknowledgement",
                   self->options->paint_grace_ms);
  finish (self, NULL);
  return G_SOURCE_REMOVE;
}

/* Acknowledged.  A page still blank is watched a little longer, so that the
 * report can say how long it stayed white. */
static void
ready_acknowledged_cb (RhPageWatch *watch, gpointer user_data)
{
  RhCheck *self = user_data;

  if (rh_page_watch_get_times (watch)->first_nonblank_ms != RH_PAGE_NO_TIME
      || self->options->paint_grace_ms == 0)
    {
      finish (self, NULL);
      return;
    }
  rh_timeline_add (self->timeline, "awaiting-paint", NULL,
                   "acknowledged while the page is still blank: watching for its first paint");
  self->paint_grace_id = g_timeout_add (self->options->paint_grace_ms, paint_grace_cb, self);
}

static gboolean
painted_cb (gpointer user_data)
{
  RhCheck *self = user_data;

  self->paint_grace_id = 0;
  finish (self, NULL);
  return G_SOURCE_REMOVE;
}

/* Painted at last: a few more frames show the content settling in pictures. */
static void
first_paint_cb (RhPageWatch *watch, gpointer user_data)
{
  RhCheck *self = user_data;

  if (self->paint_grace_id == 0)
    return;
  g_source_remove (self->paint_grace_id);
  self->paint_grace_id = g_timeout_add (AFTER_PAINT_MS, painted_cb, self);
}

static void
page_failed_cb (RhPageWatch *watch, GError *error, gpointer user_data)
{
  finish (RH_CHECK (user_data), g_error_copy (error));
}

/* ---- time limits ---- */

static gboolean
deadline_cb (gpointer user_data)
{
  RhCheck *self = user_data;
  g_autofree char *cause = NULL;

  self->deadline_id = 0;
  if (rh_page_watch_is_ready (self->watch))
    {
      fail (self, RH_ERROR_READY_CALL, "ready call not acknowledged within %u s",
            self->options->timeout_s);
      return G_SOURCE_REMOVE;
    }
  cause = rh_page_watch_describe_not_ready (self->watch, self->options->timeout_s);
  fail (self, RH_ERROR_NOT_READY, "%s", cause);
  return G_SOURCE_REMOVE;
}

/* The document and its scripts loaded long ago and launch was never called:
 * it will not be. */
static gboolean
launch_grace_cb (gpointer user_data)
{
  RhCheck *self = user_data;
  g_autofree char *blocking = NULL;
  gint64 scripts_ms = rh_page_watch_scripts_done_ms (self->watch);
  gint64 since_ms = rh_timeline_now_ms (self->timeline) - scripts_ms;

  self->launch_grace_id = 0;
  /* An SDK whose launch could not be wrapped may well have launched: not
   * certain, so the check waits for its timeout. */
  if (rh_page_watch_is_launched (self->watch) || rh_page_watch_is_ready (self->watch)
      || rh_page_watch_is_unpatchable (self->watch))
    return G_SOURCE_REMOVE;
  /* A script still on its way, or just arrived (an SDK bundle of megabytes
   * on a busy machine, added after the load event): the grace runs from
   * its end. */
  if (scripts_ms == G_MAXINT64 || (scripts_ms >= 0 && since_ms < LAUNCH_GRACE_MS))
    {
      self->launch_grace_id = g_timeout_add (
          scripts_ms == G_MAXINT64 ? LAUNCH_GRACE_MS : (guint) (LAUNCH_GRACE_MS - since_ms),
          launch_grace_cb, self);
      return G_SOURCE_REMOVE;
    }
  blocking = rh_page_watch_describe_blocking (self->watch);
  fail (self, RH_ERROR_NOT_READY,
        "not ready: the page loaded and, %u ms later, had still not called "
        "AgoraEduSDK.launch%s%s", LAUNCH_GRACE_MS, blocking != NULL ? "; " : "",
        blocking != NULL ? blocking : "");
  return G_SOURCE_REMOVE;
}

static void
loaded_cb (RhPageWatch *watch, gpointer user_data)
{
  RhCheck *self = user_data;
  RhReadyProtocolKind kind = self->options->ready->kind;

  if (kind != RH_READY_PROTOCOL_EVENT1 && kind != RH_READY_PROTOCOL_WHITEBOARD)
    return;
  if (rh_page_watch_is_launched (watch) || self->launch_grace_id != 0)
    return;
  self->launch_grace_id = g_timeout_add (LAUNCH_GRACE_MS, launch_grace_cb, self);
}

static char *
progress_cb (gpointer user_data)
{
  RhCheck *self = user_data;
  /* It can quote --ready console:TEXT. */
  g_autofree char *waiting_for = rh_text_printable (rh_page_watch_waiting_for (self->watch));

  return g_strdup_printf ("waiting for %s (%" G_GINT64_FORMAT " s of %u s)", waiting_for,
                          rh_timeline_now_ms (self->timeline) / 1000, self->options->timeout_s);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  RhCheck *self = user_data;

  self->interrupt_id = 0;
  /* Ended already, waiting for the SDK bundle's read: not any longer. */
  if (self->bundle_wait_id != 0)
    {
      g_clear_handle_id (&self->bundle_wait_id, g_source_remove);
      settle (self);
      return G_SOURCE_REMOVE;
    }
  finish (self, g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "interrupted"));
  return G_SOURCE_REMOVE;
}

/* Runs inside g_cancellable_cancel (): finish from the main loop instead. */
static void
cancelled_cb (GCancellable *cancellable, gpointer user_data)
{
  RhCheck *self = user_data;

  if (self->interrupt_id == 0)
    self->interrupt_id = g_idle_add (interrupt_cb, self);
}

/* Where the timeline's zero is on the system's clocks, so that what is seen
 * from outside (process starts, syscalls) lines up with the events. */
static void
add_clock_event (RhCheck *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gint64 monotonic_us = g_get_monotonic_time ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "monotonic_us");
  json_builder_add_int_value (builder, monotonic_us);
  json_builder_set_member_name (builder, "realtime_us");
  json_builder_add_int_value (builder, g_get_real_time ());
  json_builder_end_object (builder);
  rh_timeline_add_unechoed (self->timeline, "clock", json_builder_get_root (builder),
                            "timeline started at %" G_GINT64_FORMAT " us, monotonic",
                            monotonic_us);
}

void
rh_check_run_async (RhCheck *check, GCancellable *cancellable, GAsyncReadyCallback callback,
                    gpointer user_data)
{
  RhCheck *self = check;
  g_autoptr (GError) error = NULL;

  g_return_if_fail (self->task == NULL && !self->finished);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, rh_check_run_async);

  if (!rh_page_session_open (self->session, &error))
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  self->watch = rh_page_session_get_watch (self->session);
  if (self->options->snapshots_dir != NULL)
    rh_page_watch_keep_pictures (self->watch);
  g_signal_connect (self->watch, "ready-acknowledged", G_CALLBACK (ready_acknowledged_cb), self);
  g_signal_connect (self->watch, "failed", G_CALLBACK (page_failed_cb), self);
  g_signal_connect (self->watch, "first-paint", G_CALLBACK (first_paint_cb), self);
  g_signal_connect (self->watch, "loaded", G_CALLBACK (loaded_cb), self);
  g_signal_connect (self->watch, "sdk-bundle-read", G_CALLBACK (sdk_bundle_read_cb), self);
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self,
                                                  NULL);
    }

  rh_timeline_start (self->timeline);
  add_clock_event (self);
  self->deadline_us = g_get_monotonic_time () + (gint64) self->options->timeout_s * G_USEC_PER_SEC;
  /* To the millisecond: g_timeout_add_seconds () may fire up to a second late. */
  self->deadline_id = g_timeout_add ((guint) (self->options->timeout_s * 1000), deadline_cb, self);
  rh_page_session_start_progress (self->session, progress_cb, self);
  rh_timeline_add (self->timeline, "start", NULL, "loading %s at %ux%u, ready on %s",
                   rh_page_session_get_page_url (self->session), self->options->record.width,
                   self->options->record.height,
                   rh_ready_protocol_describe (self->options->ready));
  rh_page_watch_load (self->watch, self->deadline_us);
}

/* Ended, its outputs written: its view and engine processes, and the
 * pictures it kept for them, go now; the report stays.  For checks that
 * run side by side, so that those ended do not hold memory. */
void
rh_check_release (RhCheck *check)
{
  g_return_if_fail (check->finished && check->task == NULL && check->outcome != NULL);

  rh_page_session_disconnect (check->session, check);
  check->watch = NULL;
  rh_page_session_release (check->session);
}

gboolean
rh_check_run_finish (RhCheck *check, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, check), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
