#include "rh-check.h"

#include "rh-error.h"
#include "rh-har.h"
#include "rh-page-host.h"
#include "rh-page-watch.h"
#include "rh-wpe-page-host.h"
#include "rh-problems.h"
#include "rh-ready-call.h"
#include "rh-report.h"
#include "rh-snapshots.h"
#include "rh-text.h"

#define PROGRESS_INTERVAL_S 10
#define AFTER_PAINT_MS 300
/* After the document and its scripts loaded, how long a page may take to
 * call AgoraEduSDK.launch before the check says it never will. */
#define LAUNCH_GRACE_MS 5000

struct _RhCheck
{
  GObject parent_instance;

  RhPageOptions *options;
  char *page_url;
  RhTimeline *timeline;

  RhReadyCall *ready_call;
  RhPageWatch *watch;

  GTask *task;
  GCancellable *cancellable; /* the caller's */
  gulong cancelled_id;
  guint deadline_id;
  guint progress_id;
  guint interrupt_id;
  guint paint_grace_id;
  guint launch_grace_id;

  gboolean finished;
  GError *error;
  GPtrArray *problems;  /* RhProblem, once finished */
  GPtrArray *pictures;  /* paths written */
  gint64 end_ms;
  RhPageWatchTimes no_times; /* for reports of a check that never loaded */
};

G_DEFINE_FINAL_TYPE (RhCheck, rh_check, G_TYPE_OBJECT)

static void
rh_check_dispose (GObject *object)
{
  RhCheck *self = RH_CHECK (object);

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_handle_id (&self->interrupt_id, g_source_remove);
  g_clear_handle_id (&self->paint_grace_id, g_source_remove);
  g_clear_handle_id (&self->launch_grace_id, g_source_remove);
  if (self->cancellable != NULL)
    {
      g_cancellable_disconnect (self->cancellable, self->cancelled_id);
      g_clear_object (&self->cancellable);
    }
  rh_page_watch_detach (&self->watch, self);
  g_clear_object (&self->ready_call);
  G_OBJECT_CLASS (rh_check_parent_class)->dispose (object);
}

static void
rh_check_finalize (GObject *object)
{
  RhCheck *self = RH_CHECK (object);

  rh_page_options_free (self->options);
  g_free (self->page_url);
  rh_timeline_free (self->timeline);
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
  self->timeline = rh_timeline_new ();
}

/* Takes @options; the ready signal is answered by @ready_call.  Everything
 * a user could get wrong is checked here, before any process starts. */
RhCheck *
rh_check_new (RhPageOptions *options, RhReadyCall *ready_call, GError **error)
{
  g_autoptr (RhCheck) self = g_object_new (RH_TYPE_CHECK, NULL);
  g_autoptr (RhPageOptions) owned = options;

  g_return_val_if_fail (RH_IS_READY_CALL (ready_call), NULL);

  if (!rh_page_options_prepare (options, &self->page_url, error))
    return NULL;
  self->ready_call = g_object_ref (ready_call);
  rh_page_options_add_secrets (options, self->timeline);
  rh_timeline_set_echo (self->timeline, options->echo);
  self->options = g_steal_pointer (&owned);
  return g_steal_pointer (&self);
}

RhTimeline *
rh_check_get_timeline (RhCheck *check)
{
  return check->timeline;
}

static void
find_problems (RhCheck *self)
{
  RhProblemInput input;
  const char *first_js_error = NULL;
  g_autoptr (GPtrArray) missing_touched = NULL;
  g_autoptr (GPtrArray) missing_blamed = NULL;

  rh_problem_input_init (&input);
  input.failure = self->error;
  input.slow_paint_ms = self->options->slow_paint_ms;
  input.launch_expected = self->options->ready->kind == RH_READY_PROTOCOL_EVENT1
                          || self->options->ready->kind == RH_READY_PROTOCOL_WHITEBOARD;
  if (self->watch != NULL)
    {
      input.times = *rh_page_watch_get_times (self->watch);
      input.launched = rh_page_watch_is_launched (self->watch);
      input.js_errors = rh_page_watch_get_js_errors (self->watch, &first_js_error);
      input.first_js_error = first_js_error;
      input.resources = rh_page_watch_get_resources (self->watch);
      input.missing_params = rh_page_watch_get_missing_params (self->watch);
      missing_touched = rh_page_watch_get_missing_touched (self->watch);
      input.missing_touched = missing_touched;
      missing_blamed = rh_page_watch_get_missing_blamed (self->watch);
      input.missing_blamed = missing_blamed;
      if (input.launched)
        input.launch = rh_page_watch_get_launch (self->watch);
      input.requests = rh_request_log_get_all (rh_page_watch_get_requests (self->watch));
      input.workers = rh_page_watch_get_workers (self->watch);
    }
  self->problems = rh_problems_find (&input);
  /* Messages quote URLs and errors, which may carry the token. */
  for (guint i = 0; i < self->problems->len; i++)
    {
      RhProblem *problem = g_ptr_array_index (self->problems, i);
      char *clean = rh_timeline_redact (self->timeline, problem->message);

      g_free (problem->message);
      problem->message = clean;
    }
}

static RhReport *
report_new (RhCheck *self, char **page_url, char **failure)
{
  RhReport *report = g_new0 (RhReport, 1);

  *page_url = rh_timeline_redact (self->timeline, self->page_url);
  *failure = self->error != NULL ? rh_timeline_redact (self->timeline, self->error->message)
                                 : NULL;
  report->passed = self->finished && self->error == NULL;
  report->page_url = *page_url;
  report->failure = *failure;
  report->problems = self->problems;
  if (self->watch != NULL)
    report->times = rh_page_watch_get_times (self->watch);
  else
    {
      rh_page_watch_times_init (&self->no_times);
      report->times = &self->no_times;
    }
  report->duration_ms = self->end_ms;
  report->pictures = self->pictures;
  return report;
}

/* The human summary, for stderr at the end. */
char *
rh_check_format_report (RhCheck *check)
{
  g_autofree char *page_url = NULL;
  g_autofree char *failure = NULL;
  g_autofree RhReport *report = report_new (check, &page_url, &failure);
  g_autofree char *engine = NULL;

  if (check->watch != NULL)
    {
      g_autoptr (GPtrArray) missing = rh_page_watch_get_missing_touched (check->watch);
      g_autoptr (GString) text = g_string_new (NULL);
      g_autofree char *version = rh_page_host_engine_version ();

      g_string_printf (text, "WPE WebKit %s", version);
      g_string_append (text, check->options->webrtc == RH_WEBRTC_STANDIN
                               ? ", WebRTC stand-in" : ", no WebRTC (--webrtc=absent)");
      for (guint i = 0; i < missing->len; i++)
        g_string_append_printf (text, "%s%s", i == 0 ? "; missing here, used by the page: " : ", ",
                                (const char *) g_ptr_array_index (missing, i));
      /* Feature names come from the page. */
      engine = rh_timeline_redact (check->timeline, text->str);
      report->engine = engine;
    }
  return rh_report_format_text (report);
}

static void
write_outputs (RhCheck *self)
{
  g_autoptr (GError) error = NULL;

  if (self->options->snapshots_dir != NULL && self->watch != NULL)
    {
      self->pictures = rh_snapshots_write_all (self->watch, self->timeline,
                                               self->options->snapshots_dir, self->end_ms,
                                               &error);
      if (self->pictures == NULL)
        {
          rh_timeline_add (self->timeline, "output-failed", NULL, "%s", error->message);
          g_clear_error (&error);
        }
    }
  if (self->options->junit != NULL)
    {
      g_autofree char *page_url = NULL;
      g_autofree char *failure = NULL;
      g_autofree RhReport *report = report_new (self, &page_url, &failure);
      g_autofree char *xml = rh_report_format_junit (report);

      if (!g_file_set_contents (self->options->junit, xml, -1, &error))
        rh_timeline_add (self->timeline, "output-failed", NULL, "%s", error->message);
      g_clear_error (&error);
    }
  if (self->options->har != NULL && self->watch != NULL
      && !rh_har_write (self->options->har, self->watch, self->timeline, self->page_url,
                        &error))
    rh_timeline_add (self->timeline, "output-failed", NULL, "%s", error->message);
}

/* The outcome known and the engine's capabilities too: the problems, the
 * outputs, the end of the task. */
static void
conclude (RhCheck *self)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->task);

  find_problems (self);
  if (self->error == NULL && rh_problems_have_error (self->problems))
    {
      /* Ready was acknowledged, but something a recording depends on broke. */
      for (guint i = 0; i < self->problems->len && self->error == NULL; i++)
        {
          const RhProblem *problem = g_ptr_array_index (self->problems, i);

          if (problem->severity == RH_SEVERITY_ERROR)
            self->error = g_error_new (RH_ERROR, RH_ERROR_PAGE_FAILED, "%s: %s", problem->code,
                                       problem->message);
        }
    }
  write_outputs (self);

  if (self->error != NULL)
    {
      g_autofree char *message = rh_timeline_redact (self->timeline, self->error->message);

      rh_timeline_add (self->timeline, "failed", NULL, "failed: %s", message);
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

/* The first outcome wins; later events are still recorded. */
static void
finish (RhCheck *self, GError *error /* owned, NULL for success */)
{
  if (self->finished)
    {
      g_clear_error (&error);
      return;
    }
  self->finished = TRUE;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_handle_id (&self->paint_grace_id, g_source_remove);
  g_clear_handle_id (&self->launch_grace_id, g_source_remove);
  self->end_ms = rh_timeline_now_ms (self->timeline);
  self->error = error;
  if (self->watch == NULL)
    {
      conclude (self);
      return;
    }
  /* The report says what the engine offers even when the page failed
   * before it could probe it. */
  rh_page_watch_stop (self->watch);
  rh_page_watch_probe_engine_async (self->watch, engine_probed_cb, g_object_ref (self));
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

  if (rh_page_watch_get_times (watch)->first_nonblank_ms != RH_PAGE_WATCH_NO_TIME
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
  g_autofree char *blocking = NULL;

  self->deadline_id = 0;
  if (rh_page_watch_is_ready (self->watch))
    {
      fail (self, RH_ERROR_READY_CALL, "ready call not acknowledged within %u s",
            self->options->timeout_s);
      return G_SOURCE_REMOVE;
    }
  blocking = rh_page_watch_describe_blocking (self->watch);
  fail (self, RH_ERROR_NOT_READY, "not ready within %u s: still waiting for %s%s%s",
        self->options->timeout_s, rh_page_watch_waiting_for (self->watch),
        blocking != NULL ? "; " : "", blocking != NULL ? blocking : "");
  return G_SOURCE_REMOVE;
}

/* The document and its scripts loaded long ago and launch was never called:
 * it will not be. */
static gboolean
launch_grace_cb (gpointer user_data)
{
  RhCheck *self = user_data;
  g_autofree char *blocking = NULL;

  self->launch_grace_id = 0;
  /* An SDK whose launch could not be wrapped may well have launched: not
   * certain, so the check waits for its timeout. */
  if (rh_page_watch_is_launched (self->watch) || rh_page_watch_is_ready (self->watch)
      || rh_page_watch_is_unpatchable (self->watch))
    return G_SOURCE_REMOVE;
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

static gboolean
progress_cb (gpointer user_data)
{
  RhCheck *self = user_data;
  g_autofree char *waiting_for = NULL;

  if (!self->options->echo)
    return G_SOURCE_CONTINUE;
  /* It can quote --ready console:TEXT. */
  waiting_for = rh_text_printable (rh_page_watch_waiting_for (self->watch));
  g_message ("recordhost: waiting for %s (%" G_GINT64_FORMAT " s of %u s)", waiting_for,
             rh_timeline_now_ms (self->timeline) / 1000, self->options->timeout_s);
  return G_SOURCE_CONTINUE;
}

static gboolean
interrupt_cb (gpointer user_data)
{
  RhCheck *self = user_data;

  self->interrupt_id = 0;
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

void
rh_check_run_async (RhCheck *check, GCancellable *cancellable, GAsyncReadyCallback callback,
                    gpointer user_data)
{
  RhCheck *self = check;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageHost) host = NULL;
  gint64 deadline_us;

  g_return_if_fail (self->task == NULL && !self->finished);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, rh_check_run_async);

  host = rh_wpe_page_host_new (self->options->record.width, self->options->record.height,
                               self->options->user_agent, &error);
  if (host != NULL)
    self->watch = rh_page_watch_new (host, self->page_url, self->options, self->ready_call,
                                     self->timeline, &error);
  if (self->watch == NULL)
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  if (self->options->snapshots_dir != NULL)
    rh_page_watch_keep_pictures (self->watch);
  g_signal_connect (self->watch, "ready-acknowledged", G_CALLBACK (ready_acknowledged_cb), self);
  g_signal_connect (self->watch, "failed", G_CALLBACK (page_failed_cb), self);
  g_signal_connect (self->watch, "first-paint", G_CALLBACK (first_paint_cb), self);
  g_signal_connect (self->watch, "loaded", G_CALLBACK (loaded_cb), self);
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self,
                                                  NULL);
    }

  rh_timeline_start (self->timeline);
  deadline_us = g_get_monotonic_time () + (gint64) self->options->timeout_s * G_USEC_PER_SEC;
  self->deadline_id = g_timeout_add_seconds (self->options->timeout_s, deadline_cb, self);
  self->progress_id = g_timeout_add_seconds (PROGRESS_INTERVAL_S, progress_cb, self);
  rh_timeline_add (self->timeline, "start", NULL, "loading %s at %ux%u, ready on %s",
                   self->page_url, self->options->record.width, self->options->record.height,
                   rh_ready_protocol_describe (self->options->ready));
  rh_page_watch_load (self->watch, deadline_us);
}

gboolean
rh_check_run_finish (RhCheck *check, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, check), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- report ---- */

JsonNode *
rh_check_to_json (RhCheck *check)
{
  RhCheck *self = check;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *page_url = rh_timeline_redact (self->timeline, self->page_url);
  const RhPageWatchTimes *times = self->watch != NULL ? rh_page_watch_get_times (self->watch)
                                                      : NULL;
  RhReadyCall *call = self->ready_call;
  g_autofree char *ready_url = rh_timeline_redact (self->timeline, rh_ready_call_get_uri (call));
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "verdict");
  json_builder_add_string_value (builder, self->finished && self->error == NULL ? "pass" : "fail");
  json_builder_set_member_name (builder, "exit_status");
  json_builder_add_int_value (builder, rh_error_exit_status (self->error));
  json_builder_set_member_name (builder, "error");
  if (self->error != NULL)
    {
      g_autofree char *message = rh_timeline_redact (self->timeline, self->error->message);

      json_builder_add_string_value (builder, message);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "page_url");
  json_builder_add_string_value (builder, page_url);
  json_builder_set_member_name (builder, "viewport");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, self->options->record.width);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, self->options->record.height);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "ready_protocol");
  json_builder_add_string_value (builder, rh_ready_protocol_describe (self->options->ready));
  json_builder_set_member_name (builder, "http_status");
  json_builder_add_int_value (builder, times != NULL ? times->http_status : 0);

  json_builder_set_member_name (builder, "ready_call");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, ready_url);
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, call != NULL ? rh_ready_call_get_attempts (call) : 0);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, call != NULL ? rh_ready_call_get_status (call) : 0);
  json_builder_set_member_name (builder, "acknowledged");
  json_builder_add_boolean_value (builder, times != NULL
                                             && times->ready_ack_ms != RH_PAGE_WATCH_NO_TIME);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_object (builder);
  if (self->watch != NULL)
    rh_page_watch_add_times_json (self->watch, builder);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "problems");
  if (self->problems != NULL)
    rh_problems_add_json (self->problems, builder);
  else
    {
      json_builder_begin_array (builder);
      json_builder_end_array (builder);
    }
  if (self->watch != NULL)
    {
      RhFrameLog *log = rh_page_watch_get_frame_log (self->watch);

      rh_page_watch_add_resources_json (self->watch, builder);
      rh_page_watch_add_requests_json (self->watch, builder);
      rh_page_watch_add_engine_json (self->watch, builder);
      json_builder_set_member_name (builder, "frames");
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, rh_frame_log_get_marks (log)->len);
      json_builder_set_member_name (builder, "blank");
      json_builder_add_int_value (builder, rh_frame_log_count_blank (log));
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "pictures");
  json_builder_begin_array (builder);
  for (guint i = 0; self->pictures != NULL && i < self->pictures->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (self->pictures, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "events");
  json_builder_add_value (builder, rh_timeline_to_json (self->timeline));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  /* Whatever the page wrote into it: SDK version, feature names, errors. */
  return rh_timeline_redact_json (self->timeline, root);
}
