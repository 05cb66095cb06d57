#include "rh-page-watch.h"

#include <libsoup/soup.h>
#include <string.h>

#include "rh-bridge.h"
#include "rh-error.h"
#include "rh-page-host.h"
#include "rh-request-log.h"

struct _RhPageWatch
{
  GObject parent_instance;

  char *page_url;
  RhRecordConfig record;
  const RhReadyProtocol *ready_protocol; /* the caller's, outlives us */
  RhReadyCall *ready_call;
  RhTimeline *timeline;                  /* the caller's */
  RhPageHost *host;
  JsonObject *capabilities;              /* what this page's probe said, if it did */

  GCancellable *load_cancellable;        /* this load's ready call */
  gint64 ready_deadline_us;
  guint load_serial;
  gboolean stopped;
  gboolean launched;
  gboolean ready;
  gboolean unpatchable;
  RhPageWatchTimes times;
  RhFrameLog *frame_log;
  GArray *resources;       /* RhResource */
  GPtrArray *missing_params;
  guint js_errors;
  char *first_js_error;
  GTask *probe_task;       /* rh_page_watch_probe_engine_async () under way */
  guint probe_timeout_id;
  gboolean probing;        /* the view shows the probe document, not the page */
  GPtrArray *touched;      /* features the page reached for, char * */
  GPtrArray *blamed;       /* missing features an uncaught error named, char * */
  GPtrArray *workers;      /* service worker script URLs the page registered, char * */
  RhRequestLog *requests;
  RhPageWatchLaunch launch;
  RhWebrtcMode webrtc;
  guint page_events;       /* this load's timeline events from the page's messages */
};

/* Features the engine may lack, and the words in an error that name them. */
static const struct
{
  const char *feature;
  const char *needles[4];
} engine_features[] = {
  { "RTCPeerConnection", { "RTCPeerConnection", "RTCSessionDescription", "RTCIceCandidate", NULL } },
  { "getUserMedia", { "getUserMedia", "mediaDevices", NULL } },
  { "WebGL2", { "webgl2", "WebGL2", NULL } },
  { "OffscreenCanvas", { "OffscreenCanvas", NULL } },
};

static void
add_touched (RhPageWatch *self, const char *feature)
{
  if (!g_ptr_array_find_with_equal_func (self->touched, feature, g_str_equal, NULL))
    g_ptr_array_add (self->touched, g_strdup (feature));
}

/* An uncaught error that names a feature counts as touching it, and
 * blames it. */
static void
attribute_error (RhPageWatch *self, const char *message)
{
  for (guint i = 0; message != NULL && i < G_N_ELEMENTS (engine_features); i++)
    for (guint n = 0; engine_features[i].needles[n] != NULL; n++)
      if (strstr (message, engine_features[i].needles[n]) != NULL)
        {
          const char *feature = engine_features[i].feature;

          add_touched (self, feature);
          if (!g_ptr_array_find_with_equal_func (self->blamed, feature, g_str_equal, NULL))
            g_ptr_array_add (self->blamed, g_strdup (feature));
        }
}

G_DEFINE_FINAL_TYPE (RhPageWatch, rh_page_watch, G_TYPE_OBJECT)

enum
{
  SIGNAL_READY_ACKNOWLEDGED,
  SIGNAL_FIRST_PAINT,
  SIGNAL_FAILED,
  SIGNAL_LOADED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

void
rh_page_watch_times_init (RhPageWatchTimes *times)
{
  times->load_ms = RH_PAGE_WATCH_NO_TIME;
  times->committed_ms = RH_PAGE_WATCH_NO_TIME;
  times->dom_loaded_ms = RH_PAGE_WATCH_NO_TIME;
  times->load_finished_ms = RH_PAGE_WATCH_NO_TIME;
  times->first_frame_ms = RH_PAGE_WATCH_NO_TIME;
  times->first_nonblank_ms = RH_PAGE_WATCH_NO_TIME;
  times->launch_ms = RH_PAGE_WATCH_NO_TIME;
  times->ready_event_ms = RH_PAGE_WATCH_NO_TIME;
  times->ready_call_ms = RH_PAGE_WATCH_NO_TIME;
  times->ready_ack_ms = RH_PAGE_WATCH_NO_TIME;
  times->http_status = 0;
}

static void
report_failure (RhPageWatch *self, RhError code, const char *format, ...) G_GNUC_PRINTF (3, 4);

static void
report_failure (RhPageWatch *self, RhError code, const char *format, ...)
{
  g_autoptr (GError) error = NULL;
  va_list args;

  va_start (args, format);
  error = g_error_new_valist (RH_ERROR, code, format, args);
  va_end (args);
  g_signal_emit (self, signals[SIGNAL_FAILED], 0, error);
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
      report_failure (self, RH_ERROR_READY_CALL, "ready call failed: %s", error->message);
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

/* ---- engine capabilities ---- */

/* What the engine offers does not depend on the page: the first answer in
 * the process serves the reports of pages that did not probe, having failed
 * first or come after it.  A page's own answer serves its own report, so
 * that no page can answer for another one. */
static JsonObject *engine_capabilities;

#define MAX_CAPABILITIES 32
/* How long to wait for the own probe of a page whose document loaded. */
#define PAGE_PROBE_GRACE_MS 1000
/* A page that keeps its web process busy holds the probe up too: a check
 * ends at most this long after its own end. */
#define PROBE_TIMEOUT_S 3
/* Nothing but the bridge runs in it. */
#define PROBE_DOCUMENT "<!DOCTYPE html><html><head></head><body></body></html>"

/* A page can post what it likes: only named booleans are kept. */
static JsonObject *
capabilities_from (JsonObject *posted)
{
  g_autoptr (JsonObject) clean = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, posted);
  while (json_object_iter_next_ordered (&iter, &name, &value)
         && json_object_get_size (clean) < MAX_CAPABILITIES)
    if (strlen (name) <= 64 && JSON_NODE_HOLDS_VALUE (value)
        && json_node_get_value_type (value) == G_TYPE_BOOLEAN)
      json_object_set_boolean_member (clean, name, json_node_get_boolean (value));
  return g_steal_pointer (&clean);
}

static JsonObject *
capabilities_of (RhPageWatch *watch)
{
  return watch->capabilities != NULL ? watch->capabilities : engine_capabilities;
}

static void
probe_done (RhPageWatch *self, GError *error /* owned, NULL when known */)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->probe_task);

  g_clear_handle_id (&self->probe_timeout_id, g_source_remove);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  RhPageWatch *self = user_data;

  self->probe_timeout_id = 0;
  probe_done (self, g_error_new (RH_ERROR, RH_ERROR_PAGE_FAILED,
                                 "the engine's capabilities could not be probed within %u s",
                                 PROBE_TIMEOUT_S));
  return G_SOURCE_REMOVE;
}

/* The page's own probe will not come: the bridge probes an empty document
 * in the page's view, whose web process is there already. */
static void
load_probe_document (RhPageWatch *self)
{
  self->probing = TRUE;
  self->probe_timeout_id = g_timeout_add_seconds (PROBE_TIMEOUT_S, probe_timeout_cb, self);
  webkit_web_view_load_html (rh_page_host_get_view (self->host), PROBE_DOCUMENT, "about:blank");
}

static gboolean
page_probe_late_cb (gpointer user_data)
{
  RhPageWatch *self = user_data;

  self->probe_timeout_id = 0;
  load_probe_document (self);
  return G_SOURCE_REMOVE;
}

/* Makes the engine's capabilities known to the report of a stopped watch:
 * at once if the process knows them, else from the page's own probe if its
 * document loaded, else (or if that does not come) from an empty document
 * loaded in the page's place. */
void
rh_page_watch_probe_engine_async (RhPageWatch *watch, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  RhPageWatch *self = watch;
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (self->stopped && self->probe_task == NULL);
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, rh_page_watch_probe_engine_async);
  if (engine_capabilities != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->probe_task = g_steal_pointer (&task);
  if (self->times.dom_loaded_ms != RH_PAGE_WATCH_NO_TIME)
    self->probe_timeout_id = g_timeout_add (PAGE_PROBE_GRACE_MS, page_probe_late_cb, self);
  else
    load_probe_document (self);
}

gboolean
rh_page_watch_probe_engine_finish (RhPageWatch *watch, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, watch), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- the page ---- */

static char *
member_text (JsonObject *message, const char *name)
{
  JsonNode *node = json_object_get_member (message, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  return json_to_string (node, FALSE);
}

static JsonNode *
node_from_object (JsonObject *object)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (node, object);
  return node;
}

static void mark_resource_failed (RhPageWatch *self, const char *uri, const char *tag);

/* A page can post without end (a console loop, an SDK retrying offline):
 * past this many of its events a load's timeline keeps only recordhost's own,
 * and says so once.  What the events mean (errors, requests, launch) is
 * still counted. */
#define MAX_PAGE_EVENTS 5000

static void
page_event (RhPageWatch *self, const char *type, JsonNode *detail, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static void
page_event (RhPageWatch *self, const char *type, JsonNode *detail, const char *format, ...)
{
  va_list args;

  if (self->page_events++ >= MAX_PAGE_EVENTS)
    {
      if (detail != NULL)
        json_node_unref (detail);
      if (self->page_events == MAX_PAGE_EVENTS + 1)
        rh_timeline_add (self->timeline, "page-events-dropped", NULL,
                         "the page sent more than %u messages in this load: the rest are "
                         "counted, not kept", MAX_PAGE_EVENTS);
      return;
    }
  va_start (args, format);
  rh_timeline_addv (self->timeline, type, detail, format, args);
  va_end (args);
}

/* " at SOURCE:LINE" of an error message, "" when the page did not say. */
static char *
describe_source (JsonObject *message)
{
  const char *source = rh_bridge_message_get_string (message, "source");
  JsonNode *line = json_object_get_member (message, "line");
  gint64 number = line != NULL && JSON_NODE_HOLDS_VALUE (line)
                      && json_node_get_value_type (line) == G_TYPE_INT64
                    ? json_node_get_int (line) : 0;

  if (source == NULL || *source == '\0')
    return g_strdup ("");
  if (number > 0)
    return g_strdup_printf (" at %s:%" G_GINT64_FORMAT, source, number);
  return g_strdup_printf (" at %s", source);
}

static void
record_launch (RhPageWatch *self, JsonObject *message)
{
  JsonNode *options = json_object_get_member (message, "options");

  g_clear_pointer (&self->launch.sdk_version, g_free);
  g_clear_pointer (&self->launch.language, g_free);
  g_ptr_array_set_size (self->launch.options, 0);
  self->launch.sdk_version = g_strdup (rh_bridge_message_get_string (message, "version"));
  self->launch.language = g_strdup (rh_bridge_message_get_string (message, "language"));
  if (options != NULL && JSON_NODE_HOLDS_ARRAY (options))
    {
      JsonArray *array = json_node_get_array (options);

      for (guint i = 0; i < json_array_get_length (array) && i < 32; i++)
        {
          JsonNode *node = json_array_get_element (array, i);

          if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
            g_ptr_array_add (self->launch.options, g_strdup (json_node_get_string (node)));
        }
    }
}

static void
record_bridge_message (RhPageWatch *self, JsonObject *message)
{
  const char *kind = rh_bridge_message_kind (message);
  JsonNode *detail = node_from_object (message);

  if (g_str_equal (kind, "console"))
    page_event (self, "console", detail, "console.%s: %s",
                rh_bridge_message_get_string (message, "level"),
                rh_bridge_message_get_string (message, "text"));
  else if (g_str_equal (kind, "event"))
    {
      g_autofree char *args = member_text (message, "args");
      g_autofree char *event = member_text (message, "event");

      page_event (self, "listener-event", detail, "launch listener event %s %s",
                  event, args);
    }
  else if (g_str_equal (kind, "launch"))
    {
      if (self->times.launch_ms == RH_PAGE_WATCH_NO_TIME)
        self->times.launch_ms = rh_timeline_now_ms (self->timeline);
      self->launched = TRUE;
      record_launch (self, message);
      if (self->launch.sdk_version != NULL)
        rh_timeline_add (self->timeline, "launch", detail, "AgoraEduSDK.launch called (SDK %s)",
                         self->launch.sdk_version);
      else
        rh_timeline_add (self->timeline, "launch", detail, "AgoraEduSDK.launch called");
    }
  else if (g_str_equal (kind, "launch-result"))
    {
      g_free (self->launch.result_type);
      self->launch.result_type = g_strdup (rh_bridge_message_get_string (message, "type"));
      self->launch.result_thenable = rh_bridge_message_get_boolean (message, "thenable");
      if (rh_bridge_message_get_string (message, "version") != NULL)
        {
          g_free (self->launch.sdk_version);
          self->launch.sdk_version = g_strdup (rh_bridge_message_get_string (message,
                                                                              "version"));
        }
      rh_timeline_add (self->timeline, "launch-result", detail,
                       "AgoraEduSDK.launch returned %s%s", self->launch.result_type,
                       self->launch.result_thenable ? " (a promise)" : "");
    }
  else if (g_str_equal (kind, "launch-then"))
    {
      self->launch.then_on_result = TRUE;
      rh_timeline_add (self->timeline, "launch-then", detail,
                       "the page called .then on what AgoraEduSDK.launch returned, which is no "
                       "promise");
    }
  else if (g_str_equal (kind, "request"))
    {
      const RhRequest *request = rh_request_log_begin (self->requests, message,
                                                       rh_timeline_now_ms (self->timeline));

      if (request != NULL && request->routed_to != NULL)
        page_event (self, "request-routed", detail, "%s %s %s routed to %s",
                    request->api, request->method, request->url, request->routed_to);
      else
        json_node_unref (detail);
    }
  else if (g_str_equal (kind, "response"))
    {
      const RhRequest *request = rh_request_log_end (self->requests, message,
                                                     rh_timeline_now_ms (self->timeline));

      if (request != NULL && request->error != NULL)
        page_event (self, "request-failed", detail, "%s %s %s: %s", request->api,
                    request->method, rh_request_target (request), request->error);
      else if (request != NULL && request->routed_to != NULL)
        page_event (self, "request-answered", detail, "%s %s %s: %u",
                    request->api, request->method, request->routed_to, request->status);
      else
        json_node_unref (detail);
    }
  else if (g_str_equal (kind, "sdk"))
    {
      const char *how = rh_bridge_message_get_string (message, "how");

      if (g_strcmp0 (how, "unpatchable") == 0)
        self->unpatchable = TRUE;
      rh_timeline_add (self->timeline, "sdk", detail, "AgoraEduSDK found (%s)", how);
    }
  else if (g_str_equal (kind, "error") || g_str_equal (kind, "rejection"))
    {
      const char *text = rh_bridge_message_get_string (message, "message");
      g_autofree char *where = describe_source (message);

      if (self->js_errors++ == 0)
        self->first_js_error = g_strdup_printf ("%s%s", text != NULL ? text : "(no message)",
                                                where);
      /* "launched.then is not a function": the lookup was the template's. */
      if (self->launch.then_on_result && text != NULL && strstr (text, "then") != NULL)
        self->launch.then_threw = TRUE;
      attribute_error (self, text);
      page_event (self, "js-error", detail, "%s%s: %s%s",
                  g_str_equal (kind, "error") ? "uncaught error" : "unhandled rejection",
                  self->launched ? " after launch" : "", text, where);
    }
  else if (g_str_equal (kind, "resource-error"))
    {
      page_event (self, "resource-error", detail, "<%s> failed to load: %s",
                  rh_bridge_message_get_string (message, "tag"),
                  rh_bridge_message_get_string (message, "url"));
      mark_resource_failed (self, rh_bridge_message_get_string (message, "url"),
                            rh_bridge_message_get_string (message, "tag"));
    }
  else if (g_str_equal (kind, "notify"))
    page_event (self, "notify", detail, "navigator.notifyReady() called");
  else if (g_str_equal (kind, "capabilities"))
    {
      JsonNode *node = json_object_get_member (message, "capabilities");

      if (self->capabilities == NULL && node != NULL && JSON_NODE_HOLDS_OBJECT (node))
        self->capabilities = capabilities_from (json_node_get_object (node));
      if (engine_capabilities == NULL && self->capabilities != NULL
          && json_object_get_size (self->capabilities) > 0)
        engine_capabilities = json_object_ref (self->capabilities);
      rh_timeline_add (self->timeline, "capabilities", detail, "engine capabilities probed%s",
                       self->probing ? " on an empty document" : "");
      if (self->probe_task != NULL && capabilities_of (self) != NULL)
        probe_done (self, NULL);
    }
  else if (g_str_equal (kind, "touch"))
    {
      const char *feature = rh_bridge_message_get_string (message, "feature");

      if (feature != NULL)
        add_touched (self, feature);
      page_event (self, "touch", detail,
                  "the page reached for %s, which this engine lacks", feature);
    }
  else if (g_str_equal (kind, "webrtc-standin"))
    page_event (self, "webrtc-standin", detail, "WebRTC stand-in: %s",
                rh_bridge_message_get_string (message, "call"));
  else if (g_str_equal (kind, "service-worker"))
    {
      const char *url = rh_bridge_message_get_string (message, "url");

      if (url != NULL && self->workers->len < 16
          && !g_ptr_array_find_with_equal_func (self->workers, url, g_str_equal, NULL))
        g_ptr_array_add (self->workers, g_strdup (url));
      rh_timeline_add (self->timeline, "service-worker", detail,
                       "the page registered a service worker: %s", url);
    }
  else if (g_str_equal (kind, "user-agent-read"))
    rh_timeline_add (self->timeline, "user-agent-read", detail,
                     "the page read navigator.userAgent");
  else if (g_str_equal (kind, "dom-content-loaded"))
    {
      if (self->times.dom_loaded_ms == RH_PAGE_WATCH_NO_TIME)
        self->times.dom_loaded_ms = rh_timeline_now_ms (self->timeline);
      rh_timeline_add (self->timeline, "dom-loaded", detail, "DOM content loaded");
    }
  else if (g_str_equal (kind, "param-missing"))
    {
      const char *name = rh_bridge_message_get_string (message, "name");

      if (name != NULL && !g_ptr_array_find_with_equal_func (self->missing_params, name,
                                                             g_str_equal, NULL))
        g_ptr_array_add (self->missing_params, g_strdup (name));
      page_event (self, "param-missing", detail,
                  "the page read query parameter %s, which was not supplied", name);
    }
  else
    page_event (self, kind, detail, "bridge: %s", kind);
}

static void
bridge_message_cb (RhPageHost *host, JsonObject *message, gpointer user_data)
{
  RhPageWatch *self = user_data;

  /* The probe document's messages are not the page's. */
  if (self->probing)
    {
      if (g_strcmp0 (rh_bridge_message_kind (message), "capabilities") == 0)
        record_bridge_message (self, message);
      return;
    }
  /* Recorded even once stopped: what the page did last still tells. */
  record_bridge_message (self, message);
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
  if (self->times.first_frame_ms == RH_PAGE_WATCH_NO_TIME)
    {
      self->times.first_frame_ms = ms;
      rh_timeline_add (self->timeline, "first-frame", NULL, "first frame (%ux%u)", frame->width,
                       frame->height);
    }
  if (!rh_frame_log_add (self->frame_log, frame, ms)
      && self->times.first_nonblank_ms == RH_PAGE_WATCH_NO_TIME)
    {
      self->times.first_nonblank_ms = ms;
      rh_timeline_add (self->timeline, "first-nonblank-frame", NULL, "first painted frame");
      g_signal_emit (self, signals[SIGNAL_FIRST_PAINT], 0);
    }
}

static void
load_changed_cb (WebKitWebView *view, WebKitLoadEvent event, gpointer user_data)
{
  RhPageWatch *self = user_data;
  const char *uri = webkit_web_view_get_uri (view);
  WebKitWebResource *resource;
  WebKitURIResponse *response;
  guint status;

  if (self->stopped)
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
      self->times.committed_ms = rh_timeline_now_ms (self->timeline);
      resource = webkit_web_view_get_main_resource (view);
      response = resource != NULL ? webkit_web_resource_get_response (resource) : NULL;
      status = response != NULL ? webkit_uri_response_get_status_code (response) : 0;
      self->times.http_status = status;
      if (status != 0)
        rh_timeline_add (self->timeline, "navigation-committed", NULL,
                         "navigation committed, HTTP %u %s", status,
                         soup_status_get_phrase (status));
      else
        rh_timeline_add (self->timeline, "navigation-committed", NULL, "navigation committed");
      /* A restricted port commits about:blank without any load-failed. */
      if (g_strcmp0 (uri, "about:blank") == 0)
        report_failure (self, RH_ERROR_PAGE_FAILED,
                        "page did not load: navigation ended on about:blank");
      else if (status >= 400)
        report_failure (self, RH_ERROR_PAGE_FAILED, "page answered HTTP %u %s", status,
                        soup_status_get_phrase (status));
      break;
    case WEBKIT_LOAD_FINISHED:
      self->times.load_finished_ms = rh_timeline_now_ms (self->timeline);
      rh_timeline_add (self->timeline, "load-finished", NULL, "load finished");
      g_signal_emit (self, signals[SIGNAL_LOADED], 0);
      break;
    default:
      break;
    }
}

static gboolean
load_failed_cb (WebKitWebView *view, WebKitLoadEvent event, const char *failing_uri,
                GError *error, gpointer user_data)
{
  RhPageWatch *self = user_data;

  /* Our own reload or stop cancels the load in progress: not a failure. */
  if (self->stopped || g_error_matches (error, WEBKIT_NETWORK_ERROR,
                                        WEBKIT_NETWORK_ERROR_CANCELLED))
    return TRUE;
  rh_timeline_add (self->timeline, "load-failed", NULL, "load failed: %s", error->message);
  report_failure (self, RH_ERROR_PAGE_FAILED, "page did not load: %s", error->message);
  return TRUE; /* no WebKit error page: it would look like a load */
}

static gboolean
load_failed_with_tls_errors_cb (WebKitWebView *view, const char *failing_uri,
                                GTlsCertificate *certificate, GTlsCertificateFlags errors,
                                gpointer user_data)
{
  RhPageWatch *self = user_data;

  if (!self->stopped)
    report_failure (self, RH_ERROR_PAGE_FAILED,
                    "page did not load: TLS certificate of %s not trusted", failing_uri);
  return TRUE;
}

static void
web_process_terminated_cb (WebKitWebView *view, WebKitWebProcessTerminationReason reason,
                           gpointer user_data)
{
  RhPageWatch *self = user_data;

  if (self->stopped)
    return;
  rh_timeline_add (self->timeline, "web-process-terminated", NULL, "web process %s",
                   reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT ? "exceeded its memory limit"
                                                                      : "crashed");
  report_failure (self, RH_ERROR_WEB_PROCESS, "WebKit's web process %s",
                  reason == WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT
                    ? "exceeded its memory limit" : "terminated unexpectedly");
}

/* ---- resources ---- */

#define RESOURCE_INDEX_KEY "rh-resource-index"
#define RESOURCE_SERIAL_KEY "rh-resource-serial"

static RhResource *
resource_of (RhPageWatch *self, WebKitWebResource *web_resource)
{
  guint index = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (web_resource),
                                                     RESOURCE_INDEX_KEY));
  guint serial = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (web_resource),
                                                      RESOURCE_SERIAL_KEY));

  if (serial != self->load_serial || index >= self->resources->len)
    return NULL; /* a resource of an earlier load */
  return &g_array_index (self->resources, RhResource, index);
}

static void
resource_finished_cb (WebKitWebResource *web_resource, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource *resource = resource_of (self, web_resource);
  WebKitURIResponse *response = webkit_web_resource_get_response (web_resource);

  if (resource == NULL || resource->end_ms != RH_PAGE_WATCH_NO_TIME)
    return;
  resource->end_ms = rh_timeline_now_ms (self->timeline);
  resource->status = response != NULL ? webkit_uri_response_get_status_code (response) : 0;
  if (resource->status >= 400)
    {
      resource->failed = TRUE;
      resource->error = g_strdup_printf ("HTTP %u %s", resource->status,
                                         soup_status_get_phrase (resource->status));
      rh_timeline_add (self->timeline, "resource-failed", NULL, "resource %s: %s",
                       resource->uri, resource->error);
    }
}

static void
resource_failed_cb (WebKitWebResource *web_resource, GError *error, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource *resource = resource_of (self, web_resource);

  if (resource == NULL || resource->end_ms != RH_PAGE_WATCH_NO_TIME)
    return;
  resource->end_ms = rh_timeline_now_ms (self->timeline);
  if (g_error_matches (error, WEBKIT_NETWORK_ERROR, WEBKIT_NETWORK_ERROR_CANCELLED))
    return;
  resource->failed = TRUE;
  resource->error = g_strdup (error->message);
  rh_timeline_add (self->timeline, "resource-failed", NULL, "resource %s: %s", resource->uri,
                   error->message);
}

/* The page's element error event (a <script src> that failed) comes in
 * order with the page's own messages, while WebKit's resource signals may
 * come later: mark the resource failed now. */
static void
mark_resource_failed (RhPageWatch *self, const char *uri, const char *tag)
{
  RhResource added = { 0 };
  gboolean found = FALSE;

  if (uri == NULL || *uri == '\0')
    return;
  /* Every load of it: a preload and the load proper share the URL. */
  for (guint i = 0; i < self->resources->len; i++)
    {
      RhResource *resource = &g_array_index (self->resources, RhResource, i);

      if (!g_str_equal (resource->uri, uri))
        continue;
      found = TRUE;
      if (resource->failed)
        continue;
      resource->failed = TRUE;
      if (resource->end_ms == RH_PAGE_WATCH_NO_TIME)
        resource->end_ms = rh_timeline_now_ms (self->timeline);
      g_free (resource->error);
      resource->error = g_strdup_printf ("<%s> error event", tag != NULL ? tag : "element");
    }
  if (found)
    return;
  added.uri = g_strdup (uri);
  added.start_ms = added.end_ms = rh_timeline_now_ms (self->timeline);
  added.failed = TRUE;
  added.error = g_strdup_printf ("<%s> error event", tag != NULL ? tag : "element");
  g_array_append_val (self->resources, added);
}

static void
resource_load_started_cb (WebKitWebView *view, WebKitWebResource *web_resource,
                          WebKitURIRequest *request, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource resource = { 0 };

  if (self->stopped)
    return;
  resource.uri = g_strdup (webkit_uri_request_get_uri (request));
  resource.start_ms = rh_timeline_now_ms (self->timeline);
  resource.end_ms = RH_PAGE_WATCH_NO_TIME;
  g_object_set_data (G_OBJECT (web_resource), RESOURCE_INDEX_KEY,
                     GUINT_TO_POINTER (self->resources->len));
  g_object_set_data (G_OBJECT (web_resource), RESOURCE_SERIAL_KEY,
                     GUINT_TO_POINTER (self->load_serial));
  g_array_append_val (self->resources, resource);
  g_signal_connect_object (web_resource, "finished", G_CALLBACK (resource_finished_cb), self, 0);
  g_signal_connect_object (web_resource, "failed", G_CALLBACK (resource_failed_cb), self, 0);
}

static void
resource_clear (RhResource *resource)
{
  g_free (resource->uri);
  g_free (resource->error);
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
    {
      g_signal_handlers_disconnect_by_data (self->host, self);
      g_signal_handlers_disconnect_by_data (rh_page_host_get_view (self->host), self);
    }
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
  g_ptr_array_unref (self->missing_params);
  g_free (self->first_js_error);
  g_ptr_array_unref (self->touched);
  g_ptr_array_unref (self->blamed);
  g_ptr_array_unref (self->workers);
  rh_request_log_free (self->requests);
  g_free (self->launch.sdk_version);
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
}

static void
rh_page_watch_init (RhPageWatch *self)
{
  rh_page_watch_times_init (&self->times);
  self->frame_log = rh_frame_log_new (FALSE);
  self->resources = g_array_new (FALSE, TRUE, sizeof (RhResource));
  g_array_set_clear_func (self->resources, (GDestroyNotify) resource_clear);
  self->missing_params = g_ptr_array_new_with_free_func (g_free);
  self->touched = g_ptr_array_new_with_free_func (g_free);
  self->blamed = g_ptr_array_new_with_free_func (g_free);
  self->workers = g_ptr_array_new_with_free_func (g_free);
  self->requests = rh_request_log_new ();
  self->launch.options = g_ptr_array_new_with_free_func (g_free);
}

RhPageWatch *
rh_page_watch_new (const char *page_url, const RhPageOptions *options, RhReadyCall *ready_call,
                   RhTimeline *timeline, GError **error)
{
  g_autoptr (RhPageWatch) self = g_object_new (RH_TYPE_PAGE_WATCH, NULL);
  const RhRecordConfig *record = &options->record;
  WebKitWebView *view;

  self->page_url = g_strdup (page_url);
  self->record = *record;
  self->ready_protocol = options->ready;
  self->webrtc = options->webrtc;
  self->ready_call = g_object_ref (ready_call);
  self->timeline = timeline;
  g_signal_connect (ready_call, "attempt", G_CALLBACK (ready_call_attempt_cb), self);

  self->host = rh_page_host_new (record->width, record->height, options->webrtc,
                                 options->routes, options->user_agent,
                                 engine_capabilities == NULL, error);
  if (self->host == NULL)
    return NULL;
  view = rh_page_host_get_view (self->host);
  g_signal_connect (self->host, "bridge-message", G_CALLBACK (bridge_message_cb), self);
  g_signal_connect (self->host, "frame", G_CALLBACK (frame_cb), self);
  g_signal_connect (view, "load-changed", G_CALLBACK (load_changed_cb), self);
  g_signal_connect (view, "load-failed", G_CALLBACK (load_failed_cb), self);
  g_signal_connect (view, "load-failed-with-tls-errors",
                    G_CALLBACK (load_failed_with_tls_errors_cb), self);
  g_signal_connect (view, "web-process-terminated", G_CALLBACK (web_process_terminated_cb), self);
  g_signal_connect (view, "resource-load-started", G_CALLBACK (resource_load_started_cb), self);
  return g_steal_pointer (&self);
}

RhPageWatch *
rh_page_watch_new_detached (RhTimeline *timeline)
{
  RhPageWatch *self = g_object_new (RH_TYPE_PAGE_WATCH, NULL);

  self->timeline = timeline;
  return self;
}

/* What a message from the page is recorded as, ready detection aside. */
void
rh_page_watch_record_message (RhPageWatch *watch, JsonObject *message)
{
  record_bridge_message (watch, message);
}

/* (Re)loads the page; a ready call of an earlier load is abandoned.  The
 * ready call is retried until @ready_deadline_us. */
void
rh_page_watch_load (RhPageWatch *watch, gint64 ready_deadline_us)
{
  RhPageWatch *self = watch;

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
  rh_page_watch_times_init (&self->times);
  rh_frame_log_reset (self->frame_log);
  g_array_set_size (self->resources, 0);
  g_ptr_array_set_size (self->missing_params, 0);
  self->js_errors = 0;
  g_clear_pointer (&self->first_js_error, g_free);
  self->probing = FALSE;
  g_ptr_array_set_size (self->touched, 0);
  g_ptr_array_set_size (self->blamed, 0);
  g_ptr_array_set_size (self->workers, 0);
  self->page_events = 0;
  rh_request_log_reset (self->requests);
  g_clear_pointer (&self->launch.sdk_version, g_free);
  g_clear_pointer (&self->launch.language, g_free);
  g_clear_pointer (&self->launch.result_type, g_free);
  g_ptr_array_set_size (self->launch.options, 0);
  self->launch.result_thenable = FALSE;
  self->launch.then_on_result = FALSE;
  self->launch.then_threw = FALSE;
  self->times.load_ms = rh_timeline_now_ms (self->timeline);
  rh_page_host_load (self->host, self->page_url);
}

/* Keep copies of key frames and thumbnails from the next load on. */
void
rh_page_watch_keep_pictures (RhPageWatch *watch)
{
  rh_frame_log_free (watch->frame_log);
  watch->frame_log = rh_frame_log_new (TRUE);
}

/* Stops loading and ignores whatever the page does next. */
void
rh_page_watch_stop (RhPageWatch *watch)
{
  watch->stopped = TRUE;
  if (watch->load_cancellable != NULL)
    g_cancellable_cancel (watch->load_cancellable);
  webkit_web_view_stop_loading (rh_page_host_get_view (watch->host));
}

/* For an owner going away: its handlers off the watch and its view, the page
 * stopped, the owner's reference dropped. */
void
rh_page_watch_detach (RhPageWatch **watch, gpointer handler_data)
{
  if (*watch == NULL)
    return;
  g_signal_handlers_disconnect_by_data (*watch, handler_data);
  g_signal_handlers_disconnect_by_data ((*watch)->host, handler_data);
  rh_page_watch_stop (*watch);
  g_clear_object (watch);
}

const RhPageWatchTimes *
rh_page_watch_get_times (RhPageWatch *watch)
{
  return &watch->times;
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

guint
rh_page_watch_get_js_errors (RhPageWatch *watch, const char **first_message)
{
  *first_message = watch->first_js_error;
  return watch->js_errors;
}

RhPageHost *
rh_page_watch_get_host (RhPageWatch *watch)
{
  return watch->host;
}

RhFrameLog *
rh_page_watch_get_frame_log (RhPageWatch *watch)
{
  return watch->frame_log;
}

const GArray *
rh_page_watch_get_resources (RhPageWatch *watch)
{
  return watch->resources;
}

const GPtrArray *
rh_page_watch_get_missing_params (RhPageWatch *watch)
{
  return watch->missing_params;
}

const char *
rh_page_watch_waiting_for (RhPageWatch *watch)
{
  if (watch->ready)
    return "the ready call to be acknowledged";
  if (watch->times.committed_ms == RH_PAGE_WATCH_NO_TIME)
    return "the page to load";
  if (watch->unpatchable)
    return "ready (AgoraEduSDK.launch could not be intercepted)";
  if (!watch->launched && watch->ready_protocol->kind != RH_READY_PROTOCOL_NOTIFY
      && watch->ready_protocol->kind != RH_READY_PROTOCOL_CONSOLE)
    return "AgoraEduSDK.launch to be called";
  return rh_ready_protocol_describe (watch->ready_protocol);
}

static void
add_ms (JsonBuilder *builder, const char *name, gint64 ms)
{
  json_builder_set_member_name (builder, name);
  if (ms == RH_PAGE_WATCH_NO_TIME)
    json_builder_add_null_value (builder);
  else
    json_builder_add_int_value (builder, ms);
}

/* A string the page wrote, redacted; null for NULL. */
static void
add_page_string (RhPageWatch *watch, JsonBuilder *builder, const char *text)
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
      add_ms (builder, "start_ms", resource->start_ms);
      add_ms (builder, "end_ms", resource->end_ms);
      json_builder_set_member_name (builder, "failed");
      json_builder_add_boolean_value (builder, resource->failed);
      json_builder_set_member_name (builder, "error");
      /* It names the element's tag, which the page wrote. */
      add_page_string (watch, builder, resource->error);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}

/* Those of @features the engine lacks (all of them while capabilities are
 * unknown). */
static GPtrArray *
missing_of (RhPageWatch *watch, const GPtrArray *features)
{
  GPtrArray *missing = g_ptr_array_new_with_free_func (g_free);
  JsonObject *capabilities = capabilities_of (watch);

  for (guint i = 0; i < features->len; i++)
    {
      const char *feature = g_ptr_array_index (features, i);

      if (capabilities != NULL && json_object_has_member (capabilities, feature)
          && json_object_get_boolean_member (capabilities, feature))
        continue;
      g_ptr_array_add (missing, g_strdup (feature));
    }
  return missing;
}

/* Features the page reached for that the engine lacks. */
GPtrArray *
rh_page_watch_get_missing_touched (RhPageWatch *watch)
{
  return missing_of (watch, watch->touched);
}

const char *
rh_page_watch_get_user_agent (RhPageWatch *watch)
{
  WebKitSettings *settings = webkit_web_view_get_settings (
    rh_page_host_get_view (watch->host));

  return webkit_settings_get_user_agent (settings);
}

/* Adds "engine", "capabilities" and "touched" to the object being built. */
void
rh_page_watch_add_engine_json (RhPageWatch *watch, JsonBuilder *builder)
{
  g_autofree char *version = rh_page_host_engine_version ();

  json_builder_set_member_name (builder, "engine");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "name");
  json_builder_add_string_value (builder, "WPE WebKit");
  json_builder_set_member_name (builder, "version");
  json_builder_add_string_value (builder, version);
  json_builder_set_member_name (builder, "user_agent");
  json_builder_add_string_value (builder, rh_page_watch_get_user_agent (watch));
  json_builder_set_member_name (builder, "webrtc");
  json_builder_add_string_value (builder, rh_webrtc_mode_name (watch->webrtc));
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "capabilities");
  if (capabilities_of (watch) != NULL)
    {
      JsonNode *node = json_node_new (JSON_NODE_OBJECT);

      json_node_set_object (node, capabilities_of (watch));
      json_builder_add_value (builder, node);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "touched");
  json_builder_begin_array (builder);
  for (guint i = 0; i < watch->touched->len; i++)
    add_page_string (watch, builder, g_ptr_array_index (watch->touched, i));
  json_builder_end_array (builder);
}

/* Missing features an uncaught error named: a failure may be blamed on them. */
GPtrArray *
rh_page_watch_get_missing_blamed (RhPageWatch *watch)
{
  return missing_of (watch, watch->blamed);
}

RhRequestLog *
rh_page_watch_get_requests (RhPageWatch *watch)
{
  return watch->requests;
}

const RhPageWatchLaunch *
rh_page_watch_get_launch (RhPageWatch *watch)
{
  return &watch->launch;
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
  add_page_string (watch, builder, launch->sdk_version);
  json_builder_set_member_name (builder, "launch_options");
  json_builder_begin_array (builder);
  for (guint i = 0; i < launch->options->len; i++)
    add_page_string (watch, builder, g_ptr_array_index (launch->options, i));
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "launch_returned");
  if (launch->result_type != NULL && launch->result_thenable)
    json_builder_add_string_value (builder, "promise");
  else
    add_page_string (watch, builder, launch->result_type);
  json_builder_end_object (builder);
}

/* WebKit's error for a resource the page's script asked for. */
static const char *
transport_error (const char *url, gpointer user_data)
{
  RhPageWatch *self = user_data;

  for (guint i = 0; i < self->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (self->resources, RhResource, i);

      if (resource->failed && resource->status == 0 && resource->error != NULL
          && g_str_equal (resource->uri, url))
        return resource->error;
    }
  return NULL;
}

/* What the page's failed requests say it was blocked on; NULL if nothing. */
char *
rh_page_watch_describe_blocking (RhPageWatch *watch)
{
  return rh_request_log_describe_blocking (watch->requests, transport_error, watch);
}

/* Service worker scripts the page registered (char *). */
const GPtrArray *
rh_page_watch_get_workers (RhPageWatch *watch)
{
  return watch->workers;
}
