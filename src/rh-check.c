#include "rh-check.h"

#include <libsoup/soup.h>

#include "rh-bridge.h"
#include "rh-cloud.h"
#include "rh-error.h"
#include "rh-page-host.h"
#include "rh-ready-call.h"

#define PROGRESS_INTERVAL_S 10
#define HTTP_TIMEOUT_S 15
#define NO_TIME (-1)

struct _RhCheck
{
  GObject parent_instance;

  RhCheckOptions *options;
  char *page_url;
  char *ready_uri;
  RhTimeline *timeline;

  RhCloud *cloud;
  SoupSession *session;
  RhReadyCall *ready_call;
  RhPageHost *host;

  GTask *task;
  GCancellable *cancellable;      /* the caller's */
  gulong cancelled_id;
  GCancellable *ready_cancellable; /* ours, for the ready call */
  guint deadline_id;
  guint progress_id;
  guint interrupt_id;
  gint64 deadline_us;

  gboolean finished;
  gboolean launched;
  gboolean ready;
  gboolean unpatchable;
  GError *error;

  /* Milliseconds since navigation start, NO_TIME until they happen. */
  gint64 first_frame_ms;
  gint64 first_nonblank_ms;
  gint64 committed_ms;
  gint64 load_finished_ms;
  gint64 launch_ms;
  gint64 ready_event_ms;
  gint64 ready_call_ms;
  gint64 ready_ack_ms;
  guint http_status;
};

G_DEFINE_FINAL_TYPE (RhCheck, rh_check, G_TYPE_OBJECT)

RhCheckOptions *
rh_check_options_new (void)
{
  RhCheckOptions *options = g_new0 (RhCheckOptions, 1);

  rh_record_config_init (&options->record);
  options->timeout_s = RH_CHECK_DEFAULT_TIMEOUT_S;
  options->echo = TRUE;
  return options;
}

void
rh_check_options_free (RhCheckOptions *options)
{
  if (options == NULL)
    return;
  rh_room_free (options->room);
  g_free (options->page);
  rh_ready_protocol_free (options->ready);
  g_free (options->api_base);
  g_free (options);
}

int
rh_check_exit_status (const GError *error)
{
  if (error == NULL)
    return 0;
  if (g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT))
    return 2;
  return 1;
}

static void
rh_check_dispose (GObject *object)
{
  RhCheck *self = RH_CHECK (object);

  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  g_clear_handle_id (&self->interrupt_id, g_source_remove);
  if (self->cancellable != NULL)
    {
      g_cancellable_disconnect (self->cancellable, self->cancelled_id);
      g_clear_object (&self->cancellable);
    }
  if (self->ready_cancellable != NULL)
    g_cancellable_cancel (self->ready_cancellable);
  g_clear_object (&self->ready_cancellable);
  if (self->host != NULL)
    g_signal_handlers_disconnect_by_data (rh_page_host_get_view (self->host), self);
  g_clear_object (&self->host);
  g_clear_object (&self->ready_call);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  g_clear_object (&self->cloud);
  G_OBJECT_CLASS (rh_check_parent_class)->dispose (object);
}

static void
rh_check_finalize (GObject *object)
{
  RhCheck *self = RH_CHECK (object);

  rh_check_options_free (self->options);
  g_free (self->page_url);
  g_free (self->ready_uri);
  rh_timeline_free (self->timeline);
  g_clear_error (&self->error);
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
  self->first_frame_ms = NO_TIME;
  self->first_nonblank_ms = NO_TIME;
  self->committed_ms = NO_TIME;
  self->load_finished_ms = NO_TIME;
  self->launch_ms = NO_TIME;
  self->ready_event_ms = NO_TIME;
  self->ready_call_ms = NO_TIME;
  self->ready_ack_ms = NO_TIME;
}

/* Takes @options.  Everything a user could get wrong is checked here, before
 * any process starts. */
RhCheck *
rh_check_new (RhCheckOptions *options, GError **error)
{
  g_autoptr (RhCheck) self = g_object_new (RH_TYPE_CHECK, NULL);
  g_autoptr (RhCheckOptions) owned = options;

  if (!rh_record_config_validate (&options->record, error))
    return NULL;
  if (options->timeout_s == 0)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "--timeout must be at least 1 second");
      return NULL;
    }
  if (options->ready == NULL)
    options->ready = rh_ready_protocol_parse ("event1", NULL);
  self->page_url = rh_room_build_page_url (options->room, options->page, error);
  if (self->page_url == NULL)
    return NULL;
  if (options->api_base != NULL)
    {
      self->ready_uri = rh_ready_call_build_uri (options->api_base, options->room->region,
                                                 options->room->app_id,
                                                 options->room->room_uuid, error);
      if (self->ready_uri == NULL)
        return NULL;
    }
  rh_timeline_add_secret (self->timeline, options->room->rtm_token);
  rh_timeline_set_echo (self->timeline, options->echo);
  self->options = g_steal_pointer (&owned);
  return g_steal_pointer (&self);
}

const char *
rh_check_get_page_url (RhCheck *check)
{
  return check->page_url;
}

RhTimeline *
rh_check_get_timeline (RhCheck *check)
{
  return check->timeline;
}

/* The first outcome wins; later events are still recorded. */
static void
finish (RhCheck *self, GError *error /* owned, NULL for success */)
{
  g_autoptr (GTask) task = NULL;

  if (self->finished)
    {
      g_clear_error (&error);
      return;
    }
  self->finished = TRUE;
  g_clear_handle_id (&self->deadline_id, g_source_remove);
  g_clear_handle_id (&self->progress_id, g_source_remove);
  if (self->host != NULL)
    webkit_web_view_stop_loading (rh_page_host_get_view (self->host));

  task = g_steal_pointer (&self->task);
  if (error != NULL)
    {
      g_autofree char *message = rh_timeline_redact (self->timeline, error->message);

      rh_timeline_add (self->timeline, "failed", NULL, "failed: %s", message);
      self->error = g_error_copy (error);
      g_task_return_error (task, error);
      return;
    }
  rh_timeline_add (self->timeline, "passed", NULL, "passed: ready acknowledged");
  g_task_return_boolean (task, TRUE);
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

/* ---- ready call ---- */

static void
ready_call_attempt_cb (RhReadyCall *call, guint attempt, guint status, GError *error,
                       gpointer user_data)
{
  RhCheck *self = user_data;

  if (error == NULL)
    rh_timeline_add (self->timeline, "ready-call-answer", NULL,
                     "ready call attempt %u: HTTP %u, code 0", attempt, status);
  else
    rh_timeline_add (self->timeline, "ready-call-answer", NULL, "ready call attempt %u: %s",
                     attempt, error->message);
}

static void
ready_call_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCheck) self = user_data;
  g_autoptr (GError) error = NULL;

  if (!rh_ready_call_send_finish (RH_READY_CALL (source), result, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        fail (self, RH_ERROR_READY_CALL, "ready call failed: %s", error->message);
      return;
    }
  self->ready_ack_ms = rh_timeline_now_ms (self->timeline);
  rh_timeline_add (self->timeline, "ready-ack", NULL, "ready call acknowledged");
  finish (self, NULL);
}

static void
send_ready_call (RhCheck *self)
{
  self->ready_call_ms = rh_timeline_now_ms (self->timeline);
  rh_timeline_add (self->timeline, "ready-call", NULL, "ready call: PUT %s", self->ready_uri);
  rh_ready_call_send_async (self->ready_call, self->deadline_us, self->ready_cancellable,
                            ready_call_done_cb, g_object_ref (self));
}

/* ---- the page ---- */

static JsonNode *
node_from_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return node;
}

static char *
args_text (JsonObject *message)
{
  JsonNode *args = json_object_get_member (message, "args");

  if (args == NULL || JSON_NODE_HOLDS_NULL (args))
    return g_strdup ("");
  return json_to_string (args, FALSE);
}

static void
record_bridge_message (RhCheck *self, JsonObject *message)
{
  const char *kind = rh_bridge_message_kind (message);
  g_autoptr (JsonNode) detail = node_from_object (message);

  if (g_str_equal (kind, "console"))
    rh_timeline_add (self->timeline, "console", g_steal_pointer (&detail), "console.%s: %s",
                     rh_bridge_message_get_string (message, "level"),
                     rh_bridge_message_get_string (message, "text"));
  else if (g_str_equal (kind, "event"))
    {
      g_autofree char *args = args_text (message);
      g_autofree char *event = json_to_string (json_object_get_member (message, "event"), FALSE);

      rh_timeline_add (self->timeline, "listener-event", g_steal_pointer (&detail),
                       "launch listener event %s %s", event, args);
    }
  else if (g_str_equal (kind, "launch"))
    {
      if (self->launch_ms == NO_TIME)
        self->launch_ms = rh_timeline_now_ms (self->timeline);
      self->launched = TRUE;
      rh_timeline_add (self->timeline, "launch", g_steal_pointer (&detail),
                       "AgoraEduSDK.launch called");
    }
  else if (g_str_equal (kind, "sdk"))
    {
      const char *how = rh_bridge_message_get_string (message, "how");

      if (g_strcmp0 (how, "unpatchable") == 0)
        self->unpatchable = TRUE;
      rh_timeline_add (self->timeline, "sdk", g_steal_pointer (&detail), "AgoraEduSDK found (%s)",
                       how);
    }
  else if (g_str_equal (kind, "error") || g_str_equal (kind, "rejection"))
    rh_timeline_add (self->timeline, "js-error", g_steal_pointer (&detail), "%s: %s",
                     g_str_equal (kind, "error") ? "uncaught error" : "unhandled rejection",
                     rh_bridge_message_get_string (message, "message"));
  else if (g_str_equal (kind, "resource-error"))
    rh_timeline_add (self->timeline, "resource-error", g_steal_pointer (&detail),
                     "<%s> failed to load: %s", rh_bridge_message_get_string (message, "tag"),
                     rh_bridge_message_get_string (message, "url"));
  else if (g_str_equal (kind, "notify"))
    rh_timeline_add (self->timeline, "notify", NULL, "navigator.notifyReady() called");
  else
    rh_timeline_add (self->timeline, kind, g_steal_pointer (&detail), "bridge: %s", kind);
}

static void
bridge_message_cb (RhPageHost *host, JsonObject *message, gpointer user_data)
{
  RhCheck *self = user_data;
  const char *kind = rh_bridge_message_kind (message);

  record_bridge_message (self, message);
  if (self->finished || self->ready)
    return;

  if (g_str_equal (kind, "error") || g_str_equal (kind, "rejection"))
    {
      const char *source = rh_bridge_message_get_string (message, "source");

      fail (self, RH_ERROR_PAGE_FAILED, "the page threw before ready: %s%s%s",
            rh_bridge_message_get_string (message, "message"),
            source != NULL && *source != '\0' ? " at " : "",
            source != NULL ? source : "");
      return;
    }
  if (rh_ready_protocol_matches (self->options->ready, message))
    {
      self->ready = TRUE;
      self->ready_event_ms = rh_timeline_now_ms (self->timeline);
      rh_timeline_add (self->timeline, "ready", NULL, "ready: %s",
                       rh_ready_protocol_describe (self->options->ready));
      send_ready_call (self);
    }
}

static void
frame_cb (RhPageHost *host, RhFrame *frame, gpointer user_data)
{
  RhCheck *self = user_data;
  gint64 ms = rh_timeline_ms_since_start (self->timeline, frame->time_us);

  if (self->first_frame_ms == NO_TIME)
    {
      self->first_frame_ms = ms;
      rh_timeline_add (self->timeline, "first-frame", NULL, "first frame (%ux%u)", frame->width,
                       frame->height);
    }
  if (self->first_nonblank_ms == NO_TIME && !rh_frame_is_blank (frame))
    {
      self->first_nonblank_ms = ms;
      rh_timeline_add (self->timeline, "first-nonblank-frame", NULL, "first painted frame");
    }
}

static void
load_changed_cb (WebKitWebView *view, WebKitLoadEvent event, gpointer user_data)
{
  RhCheck *self = user_data;
  const char *uri = webkit_web_view_get_uri (view);
  WebKitWebResource *resource;
  WebKitURIResponse *response;

  if (self->finished)
    return;
  switch (event)
    {
    case WEBKIT_LOAD_STARTED:
      rh_timeline_add (self->timeline, "navigation-started", NULL, "navigation started: %s", uri);
      break;
    case WEBKIT_LOAD_REDIRECTED:
      rh_timeline_add (self->timeline, "navigation-redirected", NULL, "redirected to %s", uri);
      break;
    case WEBKIT_LOAD_COMMITTED:
      self->committed_ms = rh_timeline_now_ms (self->timeline);
      resource = webkit_web_view_get_main_resource (view);
      response = resource != NULL ? webkit_web_resource_get_response (resource) : NULL;
      self->http_status = response != NULL ? webkit_uri_response_get_status_code (response) : 0;
      rh_timeline_add (self->timeline, "navigation-committed", NULL, "navigation committed%s%s",
                       self->http_status != 0 ? ", HTTP " : "",
                       self->http_status != 0 ? soup_status_get_phrase (self->http_status) : "");
      /* A restricted port commits about:blank without any load-failed. */
      if (g_strcmp0 (uri, "about:blank") == 0)
        fail (self, RH_ERROR_PAGE_FAILED, "page did not load: navigation ended on about:blank");
      else if (self->http_status >= 400)
        fail (self, RH_ERROR_PAGE_FAILED, "page answered HTTP %u %s", self->http_status,
              soup_status_get_phrase (self->http_status));
      break;
    case WEBKIT_LOAD_FINISHED:
      self->load_finished_ms = rh_timeline_now_ms (self->timeline);
      rh_timeline_add (self->timeline, "load-finished", NULL, "load finished");
      break;
    default:
      break;
    }
}

static gboolean
load_failed_cb (WebKitWebView *view, WebKitLoadEvent event, const char *failing_uri,
                GError *error, gpointer user_data)
{
  RhCheck *self = user_data;

  if (!self->finished)
    fail (self, RH_ERROR_PAGE_FAILED, "page did not load: %s", error->message);
  return TRUE; /* no WebKit error page: it would look like a load */
}

static gboolean
load_failed_with_tls_errors_cb (WebKitWebView *view, const char *failing_uri,
                                GTlsCertificate *certificate, GTlsCertificateFlags errors,
                                gpointer user_data)
{
  RhCheck *self = user_data;

  fail (self, RH_ERROR_PAGE_FAILED, "page did not load: TLS certificate of %s not trusted",
        failing_uri);
  return TRUE;
}

static void
web_process_terminated_cb (WebKitWebView *view, WebKitWebProcessTerminationReason reason,
                           gpointer user_data)
{
  RhCheck *self = user_data;

  fail (self, RH_ERROR_WEB_PROCESS, "WebKit's web process %s",
        reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT ? "exceeded its memory limit"
                                                           : "terminated unexpectedly");
}

static void
cloud_ready_received_cb (RhCloud *cloud, const char *app_id, const char *room_uuid,
                         gpointer user_data)
{
  RhCheck *self = user_data;

  rh_timeline_add (self->timeline, "cloud-ready", NULL, "local cloud: ready call for room %s",
                   room_uuid);
}

/* ---- time limits ---- */

static const char *
waiting_for (RhCheck *self)
{
  if (self->ready)
    return "the ready call to be acknowledged";
  if (self->committed_ms == NO_TIME)
    return "the page to load";
  if (self->unpatchable)
    return "ready (AgoraEduSDK.launch could not be intercepted)";
  if (!self->launched && self->options->ready->kind != RH_READY_PROTOCOL_NOTIFY
      && self->options->ready->kind != RH_READY_PROTOCOL_CONSOLE)
    return "AgoraEduSDK.launch to be called";
  return rh_ready_protocol_describe (self->options->ready);
}

static gboolean
deadline_cb (gpointer user_data)
{
  RhCheck *self = user_data;

  self->deadline_id = 0;
  if (self->ready)
    fail (self, RH_ERROR_READY_CALL, "ready call not acknowledged within %u s",
          self->options->timeout_s);
  else
    fail (self, RH_ERROR_NOT_READY, "not ready within %u s: still waiting for %s",
          self->options->timeout_s, waiting_for (self));
  return G_SOURCE_REMOVE;
}

static gboolean
progress_cb (gpointer user_data)
{
  RhCheck *self = user_data;

  if (self->options->echo)
    g_printerr ("recordhost: waiting for %s (%" G_GINT64_FORMAT " s of %u s)\n",
                waiting_for (self), rh_timeline_now_ms (self->timeline) / 1000,
                self->options->timeout_s);
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
  if (self->ready_cancellable != NULL)
    g_cancellable_cancel (self->ready_cancellable);
}

static gboolean
start_cloud (RhCheck *self, GError **error)
{
  self->cloud = rh_cloud_new ();
  if (!rh_cloud_listen_local (self->cloud, 0, error))
    return FALSE;
  g_signal_connect (self->cloud, "ready-received", G_CALLBACK (cloud_ready_received_cb), self);
  self->ready_uri = rh_ready_call_build_uri (rh_cloud_get_base_url (self->cloud),
                                             self->options->room->region,
                                             self->options->room->app_id,
                                             self->options->room->room_uuid, error);
  return self->ready_uri != NULL;
}

static gboolean
start_page (RhCheck *self, GError **error)
{
  WebKitWebView *view;

  self->host = rh_page_host_new (NULL, self->options->record.width,
                                 self->options->record.height, error);
  if (self->host == NULL)
    return FALSE;
  view = rh_page_host_get_view (self->host);
  g_signal_connect (self->host, "bridge-message", G_CALLBACK (bridge_message_cb), self);
  g_signal_connect (self->host, "frame", G_CALLBACK (frame_cb), self);
  g_signal_connect (view, "load-changed", G_CALLBACK (load_changed_cb), self);
  g_signal_connect (view, "load-failed", G_CALLBACK (load_failed_cb), self);
  g_signal_connect (view, "load-failed-with-tls-errors",
                    G_CALLBACK (load_failed_with_tls_errors_cb), self);
  g_signal_connect (view, "web-process-terminated", G_CALLBACK (web_process_terminated_cb), self);
  return TRUE;
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
  self->ready_cancellable = g_cancellable_new ();

  if (self->ready_uri == NULL && !start_cloud (self, &error))
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  self->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_S, "user-agent",
                                                 "recordhost/" PACKAGE_VERSION, NULL);
  self->ready_call = rh_ready_call_new (self->session, self->ready_uri);
  if (self->options->room->rtm_token != NULL)
    rh_ready_call_set_token (self->ready_call, self->options->room->rtm_token,
                             self->options->room->user_uuid);
  g_signal_connect (self->ready_call, "attempt", G_CALLBACK (ready_call_attempt_cb), self);

  if (!start_page (self, &error))
    {
      finish (self, g_steal_pointer (&error));
      return;
    }
  if (cancellable != NULL)
    {
      self->cancellable = g_object_ref (cancellable);
      self->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled_cb), self,
                                                  NULL);
    }

  rh_timeline_start (self->timeline);
  self->deadline_us = g_get_monotonic_time () + (gint64) self->options->timeout_s * G_USEC_PER_SEC;
  self->deadline_id = g_timeout_add_seconds (self->options->timeout_s, deadline_cb, self);
  self->progress_id = g_timeout_add_seconds (PROGRESS_INTERVAL_S, progress_cb, self);
  rh_timeline_add (self->timeline, "start", NULL, "loading %s at %ux%u, ready on %s",
                   self->page_url, self->options->record.width, self->options->record.height,
                   rh_ready_protocol_describe (self->options->ready));
  rh_page_host_load (self->host, self->page_url);
}

gboolean
rh_check_run_finish (RhCheck *check, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, check), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- report ---- */

static void
add_ms (JsonBuilder *builder, const char *name, gint64 ms)
{
  json_builder_set_member_name (builder, name);
  if (ms == NO_TIME)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, ms);
}

JsonNode *
rh_check_to_json (RhCheck *check)
{
  RhCheck *self = check;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autofree char *page_url = rh_timeline_redact (self->timeline, self->page_url);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "verdict");
  json_builder_add_string_value (builder, self->finished && self->error == NULL ? "pass" : "fail");
  json_builder_set_member_name (builder, "exit_status");
  json_builder_add_int_value (builder, rh_check_exit_status (self->error));
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
  json_builder_add_int_value (builder, self->http_status);

  json_builder_set_member_name (builder, "ready_call");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, self->ready_uri);
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder,
                              self->ready_call != NULL
                                ? rh_ready_call_get_attempts (self->ready_call) : 0);
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder,
                              self->ready_call != NULL
                                ? rh_ready_call_get_status (self->ready_call) : 0);
  json_builder_set_member_name (builder, "acknowledged");
  json_builder_add_boolean_value (builder, self->ready_ack_ms != NO_TIME);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_object (builder);
  add_ms (builder, "committed_ms", self->committed_ms);
  add_ms (builder, "load_finished_ms", self->load_finished_ms);
  add_ms (builder, "first_frame_ms", self->first_frame_ms);
  add_ms (builder, "first_nonblank_ms", self->first_nonblank_ms);
  add_ms (builder, "launch_ms", self->launch_ms);
  add_ms (builder, "ready_event_ms", self->ready_event_ms);
  add_ms (builder, "ready_call_ms", self->ready_call_ms);
  add_ms (builder, "ready_ack_ms", self->ready_ack_ms);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "events");
  json_builder_add_value (builder, rh_timeline_to_json (self->timeline));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
