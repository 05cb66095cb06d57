/* The watch's lifecycle: loads and what the host says of them (load events,
 * failures, frames), ready detection and the ready call. */
#include "rh-page-watch-private.h"

#include <libsoup/soup.h>

#include "rh-bridge-script.h"

G_DEFINE_FINAL_TYPE (RhPageWatch, rh_page_watch, G_TYPE_OBJECT)

enum
{
  SIGNAL_READY_ACKNOWLEDGED,
  SIGNAL_FIRST_PAINT,
  SIGNAL_FAILED,
  SIGNAL_LOADED,
  SIGNAL_SDK_BUNDLE_READ,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

void
_rh_page_watch_emit_sdk_bundle_read (RhPageWatch *watch)
{
  g_signal_emit (watch, signals[SIGNAL_SDK_BUNDLE_READ], 0);
}

void
_rh_page_watch_report_failure (RhPageWatch *watch, RhError code, const char *format, ...)
{
  g_autoptr (GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (RH_ERROR, code, format, args);
  va_end (args);
  g_signal_emit (watch, signals[SIGNAL_FAILED], 0, error);
}

/* ---- the ready call ---- */

static void
ready_call_attempt_cb (RhReadyCall *call, guint attempt, guint status, GError *error,
                       gpointer user_data)
{
  RhPageWatch *self = user_data;

  if (error == NULL)
    rh_timeline_add (self->timeline, "ready-call-answer", NULL,
                     "ready call attempt %u: HTTP %u, code 0", attempt, status);
  else
    rh_timeline_add (self->timeline, "ready-call-answer", NULL, "ready call attempt %u: %s",
                     attempt, error->message);
}

typedef struct
{
  RhPageWatch *watch;
  guint load_serial;
} ReadyCallContext;

static void
ready_call_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ReadyCallContext *context = user_data;
  g_autoptr (RhPageWatch) self = context->watch;
  g_autoptr (GError) error = NULL;
  gboolean ok = rh_ready_call_send_finish (RH_READY_CALL (source), result, &error);
  gboolean current = context->load_serial == self->load_serial && !self->stopped;

  g_free (context);
  if (!current || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!ok)
    {
      _rh_page_watch_report_failure (self, RH_ERROR_READY_CALL, "ready call failed: %s",
                                     error->message);
      return;
    }
  self->times.ready_ack_ms = rh_timeline_now_ms (self->timeline);
  rh_timeline_add (self->timeline, "ready-ack", NULL, "ready call acknowledged");
  g_signal_emit (self, signals[SIGNAL_READY_ACKNOWLEDGED], 0);
}

static void
send_ready_call (RhPageWatch *self)
{
  ReadyCallContext *context = g_new0 (ReadyCallContext, 1);

  context->watch = g_object_ref (self);
  context->load_serial = self->load_serial;
  self->times.ready_call_ms = rh_timeline_now_ms (self->timeline);
  rh_timeline_add (self->timeline, "ready-call", NULL, "ready call: PUT %s",
                   rh_ready_call_get_uri (self->ready_call));
  rh_ready_call_send_async (self->ready_call, self->ready_deadline_us, self->load_cancellable,
                            ready_call_done_cb, context);
}

/* ---- the page ---- */

static void
bridge_message_cb (RhPageHost *host, JsonObject *message, gpointer user_data)
{
  RhPageWatch *self = user_data;

  /* The probe document's messages are not the page's. */
  if (self->probing)
    {
      if (rh_bridge_message_get_kind (message) == RH_BRIDGE_KIND_CAPABILITIES)
        _rh_page_watch_record_message (self, message);
      return;
    }
  /* A subframe's or a worker's bridge reports requests, nothing else: the
   * launch, readiness and the rest are the top frame's. */
  if (rh_bridge_message_get_string (message, "scope") != NULL
      && rh_bridge_message_get_kind (message) != RH_BRIDGE_KIND_REQUEST
      && rh_bridge_message_get_kind (message) != RH_BRIDGE_KIND_RESPONSE)
    return;
  /* Recorded even once stopped: what the page did last still tells. */
  _rh_page_watch_record_message (self, message);
  if (self->stopped || self->ready)
    return;

  /* An uncaught error is recorded, never taken as the end: the cloud waits
   * for the ready call whatever the page logs or throws. */
  if (rh_ready_protocol_matches (self->ready_protocol, message))
    {
      self->ready = TRUE;
      self->times.ready_event_ms = rh_timeline_now_ms (self->timeline);
      rh_frame_log_mark_ready (self->frame_log);
      rh_timeline_add (self->timeline, "ready", NULL, "ready: %s",
                       rh_ready_protocol_describe (self->ready_protocol));
      send_ready_call (self);
    }
}

static void
frame_cb (RhPageHost *host, RhFrame *frame, gpointer user_data)
{
  RhPageWatch *self = user_data;
  gint64 ms = rh_timeline_ms_since_start (self->timeline, frame->time_us);

  /* Frames of a previous load may still arrive just after a reload. */
  if (self->stopped || ms < self->times.load_ms)
    return;
  if (self->times.first_frame_ms == RH_PAGE_NO_TIME)
    {
      self->times.first_frame_ms = ms;
      rh_timeline_add (self->timeline, "first-frame", NULL, "first frame (%ux%u)", frame->width,
                       frame->height);
    }
  if (!rh_frame_log_add (self->frame_log, frame, ms)
      && self->times.first_nonblank_ms == RH_PAGE_NO_TIME)
    {
      self->times.first_nonblank_ms = ms;
      rh_timeline_add (self->timeline, "first-nonblank-frame", NULL, "first painted frame");
      g_signal_emit (self, signals[SIGNAL_FIRST_PAINT], 0);
    }
}

static void
load_committed (RhPageWatch *self, const char *uri, guint status)
{
  self->times.committed_ms = rh_timeline_now_ms (self->timeline);
  self->times.http_status = status;
  if (status != 0)
    rh_timeline_add (self->timeline, "navigation-committed", NULL,
                     "navigation committed, HTTP %u %s", status, soup_status_get_phrase (status));
  else
    rh_timeline_add (self->timeline, "navigation-committed", NULL, "navigation committed");
  /* The page's engine is up and busy with it: the ready call is prepared
   * meanwhile. */
  if (self->ready_call != NULL)
    rh_ready_call_warm_up (self->ready_call);
  /* A restricted port commits about:blank without any load failure. */
  if (g_strcmp0 (uri, "about:blank") == 0)
    _rh_page_watch_report_failure (self, RH_ERROR_PAGE_FAILED,
                                   "page did not load: navigation ended on about:blank");
  else if (status >= 400)
    _rh_page_watch_report_failure (self, RH_ERROR_PAGE_FAILED, "page answered HTTP %u %s",
                                   status, soup_status_get_phrase (status));
}

static void
load_event_cb (RhPageHost *host, RhPageLoadEvent event, const char *uri, guint status,
               gpointer user_data)
{
  RhPageWatch *self = user_data;

  if (self->stopped)
    return;
  switch (event)
    {
    case RH_PAGE_LOAD_STARTED:
      rh_timeline_add (self->timeline, "navigation-started", NULL, "navigation started: %s", uri);
      break;
    case RH_PAGE_LOAD_REDIRECTED:
      rh_timeline_add (self->timeline, "navigation-redirected", NULL, "redirected to %s", uri);
      break;
    case RH_PAGE_LOAD_COMMITTED:
      load_committed (self, uri, status);
      break;
    case RH_PAGE_LOAD_FINISHED:
      self->times.load_finished_ms = rh_timeline_now_ms (self->timeline);
      rh_timeline_add (self->timeline, "load-finished", NULL, "load finished");
      g_signal_emit (self, signals[SIGNAL_LOADED], 0);
      break;
    default:
      break;
    }
}

static void
load_failed_cb (RhPageHost *host, const char *uri, GError *error, gboolean tls,
                gpointer user_data)
{
  RhPageWatch *self = user_data;

  /* Our own reload or stop cancels the load in progress: not a failure. */
  if (self->stopped || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  if (!tls)
    rh_timeline_add (self->timeline, "load-failed", NULL, "load failed: %s", error->message);
  _rh_page_watch_report_failure (self, RH_ERROR_PAGE_FAILED, "page did not load: %s",
                                 error->message);
}

static void
web_process_terminated_cb (RhPageHost *host, gboolean crashed, const char *reason,
                           gpointer user_data)
{
  RhPageWatch *self = user_data;

  if (self->stopped)
    return;
  rh_timeline_add (self->timeline, "web-process-terminated", NULL, "web process %s", reason);
  _rh_page_watch_report_failure (self, RH_ERROR_WEB_PROCESS, "%s's web process %s",
                                 rh_page_host_get_engine_name (host),
                                 crashed ? "terminated unexpectedly" : reason);
}

/* ---- lifecycle ---- */

static void
rh_page_watch_dispose (GObject *object)
{
  RhPageWatch *self = RH_PAGE_WATCH (object);

  g_clear_handle_id (&self->probe_timeout_id, g_source_remove);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  if (self->ready_call != NULL)
    g_signal_handlers_disconnect_by_data (self->ready_call, self);
  g_clear_object (&self->ready_call);
  if (self->host != NULL)
    g_signal_handlers_disconnect_by_data (self->host, self);
  g_clear_object (&self->host);
  G_OBJECT_CLASS (rh_page_watch_parent_class)->dispose (object);
}

static void
rh_page_watch_finalize (GObject *object)
{
  RhPageWatch *self = RH_PAGE_WATCH (object);

  g_free (self->page_url);
  g_clear_pointer (&self->capabilities, json_object_unref);
  rh_frame_log_free (self->frame_log);
  g_array_unref (self->resources);
  g_hash_table_unref (self->resource_ids);
  g_hash_table_unref (self->failures_echoed);
  g_ptr_array_unref (self->missing_params);
  g_free (self->first_js_error);
  rh_js_error_clear (&self->first_error);
  rh_js_error_clear (&self->launch.threw);
  g_ptr_array_unref (self->touched);
  g_ptr_array_unref (self->blamed);
  g_ptr_array_unref (self->workers);
  rh_request_log_free (self->requests);
  g_free (self->launch.sdk_version);
  g_free (self->launch.bundle_version);
  g_free (self->launch.bundle_url);
  g_free (self->launch.language);
  g_free (self->launch.result_type);
  g_ptr_array_unref (self->launch.options);
  G_OBJECT_CLASS (rh_page_watch_parent_class)->finalize (object);
}

static void
rh_page_watch_class_init (RhPageWatchClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_page_watch_dispose;
  object_class->finalize = rh_page_watch_finalize;

  /* The current load's ready call was acknowledged. */
  signals[SIGNAL_READY_ACKNOWLEDGED] = g_signal_new ("ready-acknowledged",
                                                     G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The current load's first frame that is not blank. */
  signals[SIGNAL_FIRST_PAINT] = g_signal_new ("first-paint", G_TYPE_FROM_CLASS (klass),
                                              G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                              G_TYPE_NONE, 0);
  /* Something went wrong with the current load: an RH_ERROR. */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
  /* The current load's document and its subresources finished loading. */
  signals[SIGNAL_LOADED] = g_signal_new ("loaded", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* The bridge's read of the SDK bundle's text ended. */
  signals[SIGNAL_SDK_BUNDLE_READ] = g_signal_new ("sdk-bundle-read", G_TYPE_FROM_CLASS (klass),
                                                  G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                  G_TYPE_NONE, 0);
}

static void
rh_page_watch_init (RhPageWatch *self)
{
  rh_page_times_init (&self->times);
  self->blank_threshold = RH_FRAME_BLANK_THRESHOLD_DEFAULT;
  self->frame_log = rh_frame_log_new (FALSE, self->blank_threshold);
  self->resources = g_array_new (FALSE, TRUE, sizeof (RhResource));
  g_array_set_clear_func (self->resources, (GDestroyNotify) rh_resource_clear);
  self->resource_ids = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->failures_echoed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->missing_params = g_ptr_array_new_with_free_func (g_free);
  self->touched = g_ptr_array_new_with_free_func (g_free);
  self->blamed = g_ptr_array_new_with_free_func (g_free);
  self->workers = g_ptr_array_new_with_free_func (g_free);
  self->requests = rh_request_log_new ();
  self->launch.options = g_ptr_array_new_with_free_func (g_free);
}

/* Watches @page_url in @host, which it keeps and gives the bridge script. */
RhPageWatch *
rh_page_watch_new (RhPageHost *host, const char *page_url, const RhPageOptions *options,
                   RhReadyCall *ready_call, RhTimeline *timeline, GError **error)
{
  g_autoptr (RhPageWatch) self = g_object_new (RH_TYPE_PAGE_WATCH, NULL);
  g_autofree char *script = NULL;

  /* Once the process knows the engine's capabilities, the page need not
   * probe them. */
  script = rh_bridge_script_build (rh_page_host_get_message_channel (host), options->webrtc,
                                   options->routes, options->sdk_bundle, options->file_access,
                                   !_rh_page_watch_engine_known (host), error);
  if (script == NULL)
    return NULL;
  self->page_url = g_strdup (page_url);
  self->engine_name = rh_page_host_get_engine_name (host);
  self->blank_threshold = options->blank_threshold;
  rh_frame_log_free (self->frame_log);
  self->frame_log = rh_frame_log_new (FALSE, self->blank_threshold);
  self->ready_protocol = options->ready;
  self->webrtc = options->webrtc;
  self->ready_call = g_object_ref (ready_call);
  self->timeline = timeline;
  self->host = g_object_ref (host);
  g_signal_connect (ready_call, "attempt", G_CALLBACK (ready_call_attempt_cb), self);

  /* Where the engine routes the page's loads itself, the bridge's routing
   * of its scripts' requests comes first: those reach the engine already
   * routed. */
  rh_page_host_set_routes (host, options->routes);
  rh_page_host_add_user_script (host, script);
  g_signal_connect (host, "bridge-message", G_CALLBACK (bridge_message_cb), self);
  g_signal_connect (host, "frame", G_CALLBACK (frame_cb), self);
  g_signal_connect (host, "load-event", G_CALLBACK (load_event_cb), self);
  g_signal_connect (host, "load-failed", G_CALLBACK (load_failed_cb), self);
  g_signal_connect (host, "web-process-terminated", G_CALLBACK (web_process_terminated_cb),
                    self);
  _rh_page_watch_resources_connect (self);
  return g_steal_pointer (&self);
}

RhPageWatch *
rh_page_watch_new_detached (const char *page_url, RhTimeline *timeline)
{
  RhPageWatch *self = g_object_new (RH_TYPE_PAGE_WATCH, NULL);

  self->page_url = g_strdup (page_url);

  self->timeline = timeline;
  return self;
}

/* (Re)loads the page; a ready call of an earlier load is abandoned.  The
 * ready call is retried until @ready_deadline_us. */
void
rh_page_watch_load (RhPageWatch *watch, gint64 ready_deadline_us)
{
  RhPageWatch *self = watch;

  g_return_if_fail (self->host != NULL);
  if (self->load_cancellable != NULL)
    g_cancellable_cancel (self->load_cancellable);
  g_clear_object (&self->load_cancellable);
  self->load_cancellable = g_cancellable_new ();
  self->load_serial++;
  self->stopped = FALSE;
  self->launched = FALSE;
  self->ready = FALSE;
  self->unpatchable = FALSE;
  self->ready_deadline_us = ready_deadline_us;
  rh_page_times_init (&self->times);
  rh_frame_log_reset (self->frame_log);
  _rh_page_watch_resources_reset (self);
  g_ptr_array_set_size (self->missing_params, 0);
  self->js_errors = 0;
  g_clear_pointer (&self->first_js_error, g_free);
  rh_js_error_clear (&self->first_error);
  rh_js_error_clear (&self->launch.threw);
  self->probing = FALSE;
  g_ptr_array_set_size (self->touched, 0);
  g_ptr_array_set_size (self->blamed, 0);
  g_ptr_array_set_size (self->workers, 0);
  self->page_events = 0;
  rh_request_log_reset (self->requests);
  g_clear_pointer (&self->launch.sdk_version, g_free);
  g_clear_pointer (&self->launch.bundle_version, g_free);
  g_clear_pointer (&self->launch.bundle_url, g_free);
  g_clear_pointer (&self->launch.language, g_free);
  g_clear_pointer (&self->launch.result_type, g_free);
  g_ptr_array_set_size (self->launch.options, 0);
  self->launch.result_thenable = FALSE;
  self->reading_sdk_bundle = FALSE;
  self->launch.then_on_result = FALSE;
  self->launch.then_threw = FALSE;
  self->times.load_ms = rh_timeline_now_ms (self->timeline);
  rh_page_host_load (self->host, self->page_url);
}

/* Keep copies of key frames and thumbnails from the next load on. */
void
rh_page_watch_keep_pictures (RhPageWatch *watch)
{
  watch->keep_pictures = TRUE;
  rh_frame_log_free (watch->frame_log);
  watch->frame_log = rh_frame_log_new (TRUE, watch->blank_threshold);
}

/* Stops loading and ignores whatever the page does next. */
void
rh_page_watch_stop (RhPageWatch *watch)
{
  watch->stopped = TRUE;
  if (watch->load_cancellable != NULL)
    g_cancellable_cancel (watch->load_cancellable);
  if (watch->host != NULL)
    rh_page_host_stop_loading (watch->host);
}

/* For a listener going away: its handlers off the watch and its host. */
void
rh_page_watch_disconnect (RhPageWatch *watch, gpointer handler_data)
{
  g_signal_handlers_disconnect_by_data (watch, handler_data);
  if (watch->host != NULL)
    g_signal_handlers_disconnect_by_data (watch->host, handler_data);
}

const RhPageTimes *
rh_page_watch_get_times (RhPageWatch *watch)
{
  return &watch->times;
}

/* A recording held at ready (run --on-hold) was released now: it begins
 * with what the page shows from here on. */
void
rh_page_watch_mark_hold_released (RhPageWatch *watch)
{
  watch->times.hold_release_ms = rh_timeline_now_ms (watch->timeline);
}

gboolean
rh_page_watch_is_ready (RhPageWatch *watch)
{
  return watch->ready;
}

gboolean
rh_page_watch_is_launched (RhPageWatch *watch)
{
  return watch->launched;
}

/* The SDK is there but its launch could not be wrapped: a launch would go
 * unseen. */
gboolean
rh_page_watch_is_unpatchable (RhPageWatch *watch)
{
  return watch->unpatchable;
}

/* The bridge is reading the SDK bundle's text for its version: a report
 * made now would not have it ("sdk-bundle-read" when done). */
gboolean
rh_page_watch_is_reading_sdk_bundle (RhPageWatch *watch)
{
  return watch->reading_sdk_bundle;
}

RhPageHost *
rh_page_watch_get_host (RhPageWatch *watch)
{
  return watch->host;
}

const char *
rh_page_watch_waiting_for (RhPageWatch *watch)
{
  if (watch->ready)
    return "the ready call to be acknowledged";
  if (watch->times.committed_ms == RH_PAGE_NO_TIME)
    return "the page to load";
  if (watch->unpatchable)
    return "ready (AgoraEduSDK.launch could not be intercepted)";
  if (watch->ready_protocol == NULL) /* detached */
    return "ready";
  if (!watch->launched && watch->ready_protocol->kind != RH_READY_PROTOCOL_NOTIFY
      && watch->ready_protocol->kind != RH_READY_PROTOCOL_CONSOLE)
    return "AgoraEduSDK.launch to be called";
  return rh_ready_protocol_describe (watch->ready_protocol);
}

