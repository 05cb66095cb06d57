/* What the bridge's messages are recorded as: one case a kind of
 * RhBridgeKind. */
#include "rh-page-watch-private.h"

#include <string.h>

#include "rh-bridge.h"

/* A page can post without end (a console loop, an SDK retrying offline):
 * past this many of its events a load's timeline keeps only recordhost's own,
 * and says so once.  What the events mean (errors, requests, launch) is
 * still counted. */
#define MAX_PAGE_EVENTS 5000

/* Whether the page's next event is kept; takes @detail when it is not. */
static gboolean
page_event_kept (RhPageWatch *self, JsonNode *detail)
{
  if (self->page_events++ < MAX_PAGE_EVENTS)
    return TRUE;
  if (detail != NULL)
    json_node_unref (detail);
  if (self->page_events == MAX_PAGE_EVENTS + 1)
    rh_timeline_add (self->timeline, "page-events-dropped", NULL,
                     "the page sent more than %u messages in this load: the rest are "
                     "counted, not kept", MAX_PAGE_EVENTS);
  return FALSE;
}

static void
page_event (RhPageWatch *self, const char *type, JsonNode *detail, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static void
page_event (RhPageWatch *self, const char *type, JsonNode *detail, const char *format, ...)
{
  va_list args;

  if (!page_event_kept (self, detail))
    return;
  va_start (args, format);
  rh_timeline_addv (self->timeline, type, detail, format, args);
  va_end (args);
}

static char *
member_text (JsonObject *message, const char *name)
{
  JsonNode *node = json_object_get_member (message, name);

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return g_strdup ("");
  return json_to_string (node, FALSE);
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
js_error_parts (JsonObject *message, RhJsError *error)
{
  const char *text = rh_bridge_message_get_string (message, "message");
  const char *source = rh_bridge_message_get_string (message, "source");
  JsonNode *line = json_object_get_member (message, "line");

  rh_js_error_clear (error);
  error->message = g_strdup (text != NULL ? text : "(no message)");
  error->source = source != NULL && *source != '\0' ? g_strdup (source) : NULL;
  if (line != NULL && JSON_NODE_HOLDS_VALUE (line)
      && json_node_get_value_type (line) == G_TYPE_INT64)
    error->line = (guint) CLAMP (json_node_get_int (line), 0, G_MAXUINT);
}

static void
record_launch (RhPageWatch *self, JsonObject *message, JsonNode *detail)
{
  JsonNode *options = json_object_get_member (message, "options");

  if (self->times.launch_ms == RH_PAGE_NO_TIME)
    self->times.launch_ms = rh_timeline_now_ms (self->timeline);
  self->launched = TRUE;
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
  if (self->launch.sdk_version != NULL)
    rh_timeline_add (self->timeline, "launch", detail, "AgoraEduSDK.launch called (SDK %s)",
                     self->launch.sdk_version);
  else
    rh_timeline_add (self->timeline, "launch", detail, "AgoraEduSDK.launch called");
}

/* What the SDK bundle says of itself: SDK 1.1.x's object says 1.1.0 whatever
 * its release. */
static void
record_sdk_bundle (RhPageWatch *self, JsonObject *message, JsonNode *detail)
{
  const char *url = rh_bridge_message_get_string (message, "url");
  const char *version = rh_bridge_message_get_string (message, "version");

  if (rh_bridge_message_get_boolean (message, "reading"))
    {
      self->reading_sdk_bundle = TRUE;
      json_node_unref (detail);
      return;
    }
  g_free (self->launch.bundle_url);
  self->launch.bundle_url = g_strdup (url);
  g_free (self->launch.bundle_version);
  self->launch.bundle_version = g_strdup (version);
  if (version != NULL)
    rh_timeline_add (self->timeline, "sdk-bundle", detail, "the SDK bundle %s says it is %s",
                     url != NULL ? url : "(unknown)", version);
  else
    rh_timeline_add (self->timeline, "sdk-bundle", detail,
                     "the SDK bundle %s names no version recordhost can read",
                     url != NULL ? url : "(unknown)");
  if (self->reading_sdk_bundle)
    {
      self->reading_sdk_bundle = FALSE;
      _rh_page_watch_emit_sdk_bundle_read (self);
    }
}

static void
record_launch_result (RhPageWatch *self, JsonObject *message, JsonNode *detail)
{
  const char *version = rh_bridge_message_get_string (message, "version");

  g_free (self->launch.result_type);
  self->launch.result_type = g_strdup (rh_bridge_message_get_string (message, "type"));
  self->launch.result_thenable = rh_bridge_message_get_boolean (message, "thenable");
  if (version != NULL)
    {
      g_free (self->launch.sdk_version);
      self->launch.sdk_version = g_strdup (version);
    }
  rh_timeline_add (self->timeline, "launch-result", detail, "AgoraEduSDK.launch returned %s%s",
                   self->launch.result_type,
                   self->launch.result_thenable ? " (a promise)" : "");
}

static void
record_request (RhPageWatch *self, JsonObject *message, JsonNode *detail)
{
  const RhRequest *request = rh_request_log_begin (self->requests, message,
                                                   rh_timeline_now_ms (self->timeline));

  if (request != NULL && request->routed_to != NULL)
    page_event (self, "request-routed", detail, "%s %s %s routed to %s", request->api,
                request->method, request->url, request->routed_to);
  else
    json_node_unref (detail);
}

static void
record_response (RhPageWatch *self, JsonObject *message, JsonNode *detail)
{
  const RhRequest *request = rh_request_log_end (self->requests, message,
                                                 rh_timeline_now_ms (self->timeline));

  if (request != NULL && request->error != NULL
      && !_rh_page_watch_first_failure (self, "request", rh_request_target (request),
                                        request->error))
    {
      /* Said once on stderr already. */
      if (page_event_kept (self, detail))
        rh_timeline_add_unechoed (self->timeline, "request-failed", detail, "%s %s %s: %s",
                                  request->api, request->method, rh_request_target (request),
                                  request->error);
    }
  else if (request != NULL && request->error != NULL)
    page_event (self, "request-failed", detail, "%s %s %s: %s", request->api, request->method,
                rh_request_target (request), request->error);
  else if (request != NULL && request->routed_to != NULL)
    page_event (self, "request-answered", detail, "%s %s %s: %u", request->api, request->method,
                request->routed_to, request->status);
  else
    json_node_unref (detail);
}

static void
record_error (RhPageWatch *self, JsonObject *message, JsonNode *detail, gboolean uncaught)
{
  const char *text = rh_bridge_message_get_string (message, "message");
  g_autofree char *where = describe_source (message);

  if (self->js_errors++ == 0)
    {
      self->first_js_error = g_strdup_printf ("%s%s", text != NULL ? text : "(no message)",
                                              where);
      js_error_parts (message, &self->first_error);
    }
  if (rh_bridge_message_get_boolean (message, "in_launch") && self->launch.threw.message == NULL)
    js_error_parts (message, &self->launch.threw);
  /* "launched.then is not a function": the lookup was the template's. */
  if (self->launch.then_on_result && text != NULL && strstr (text, "then") != NULL)
    self->launch.then_threw = TRUE;
  _rh_page_watch_blame (self, text);
  page_event (self, "js-error", detail, "%s%s: %s%s",
              uncaught ? "uncaught error" : "unhandled rejection",
              self->launched ? " after launch" : "", text, where);
}

static void
add_unique (GPtrArray *names, const char *name, guint max)
{
  if (name != NULL && names->len < max
      && !g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
    g_ptr_array_add (names, g_strdup (name));
}

/* Takes @detail. */
static void
record_kind (RhPageWatch *self, RhBridgeKind kind, JsonObject *message, JsonNode *detail)
{
  const char *name = rh_bridge_message_kind (message);
  g_autofree char *args = NULL;
  g_autofree char *event = NULL;

  switch (kind)
    {
    case RH_BRIDGE_KIND_CONSOLE:
      page_event (self, "console", detail, "console.%s: %s",
                  rh_bridge_message_get_string (message, "level"),
                  rh_bridge_message_get_string (message, "text"));
      break;
    case RH_BRIDGE_KIND_ERROR:
    case RH_BRIDGE_KIND_REJECTION:
      record_error (self, message, detail, kind == RH_BRIDGE_KIND_ERROR);
      break;
    case RH_BRIDGE_KIND_RESOURCE_ERROR:
      page_event (self, "resource-error", detail, "<%s> failed to load: %s",
                  rh_bridge_message_get_string (message, "tag"),
                  rh_bridge_message_get_string (message, "url"));
      _rh_page_watch_resource_error (self, rh_bridge_message_get_string (message, "url"),
                                     rh_bridge_message_get_string (message, "tag"));
      break;
    case RH_BRIDGE_KIND_NOTIFY:
      page_event (self, "notify", detail, "navigator.notifyReady() called");
      break;
    case RH_BRIDGE_KIND_CAPABILITIES:
      _rh_page_watch_capabilities (self, message, detail);
      break;
    case RH_BRIDGE_KIND_TOUCH:
      name = rh_bridge_message_get_string (message, "feature");
      if (name != NULL)
        _rh_page_watch_touch (self, name);
      page_event (self, "touch", detail, "the page reached for %s, which this engine lacks",
                  name);
      break;
    case RH_BRIDGE_KIND_USER_AGENT_READ:
      rh_timeline_add (self->timeline, "user-agent-read", detail,
                       "the page read navigator.userAgent");
      break;
    case RH_BRIDGE_KIND_SERVICE_WORKER:
      name = rh_bridge_message_get_string (message, "url");
      add_unique (self->workers, name, 16);
      rh_timeline_add (self->timeline, "service-worker", detail,
                       "the page registered a service worker: %s", name);
      break;
    case RH_BRIDGE_KIND_DOM_CONTENT_LOADED:
      if (self->times.dom_loaded_ms == RH_PAGE_NO_TIME)
        self->times.dom_loaded_ms = rh_timeline_now_ms (self->timeline);
      rh_timeline_add (self->timeline, "dom-loaded", detail, "DOM content loaded");
      break;
    case RH_BRIDGE_KIND_PARAM_MISSING:
      name = rh_bridge_message_get_string (message, "name");
      add_unique (self->missing_params, name, G_MAXUINT);
      page_event (self, "param-missing", detail,
                  "the page read query parameter %s, which was not supplied", name);
      break;
    case RH_BRIDGE_KIND_EVENT:
      args = member_text (message, "args");
      event = member_text (message, "event");
      page_event (self, "listener-event", detail, "launch listener event %s %s", event, args);
      break;
    case RH_BRIDGE_KIND_LAUNCH:
      record_launch (self, message, detail);
      break;
    case RH_BRIDGE_KIND_LAUNCH_RESULT:
      record_launch_result (self, message, detail);
      break;
    case RH_BRIDGE_KIND_SDK_BUNDLE:
      record_sdk_bundle (self, message, detail);
      break;
    case RH_BRIDGE_KIND_LAUNCH_THEN:
      self->launch.then_on_result = TRUE;
      rh_timeline_add (self->timeline, "launch-then", detail,
                       "the page called .then on what AgoraEduSDK.launch returned, which is no "
                       "promise");
      break;
    case RH_BRIDGE_KIND_SDK:
      name = rh_bridge_message_get_string (message, "how");
      if (g_strcmp0 (name, "unpatchable") == 0)
        self->unpatchable = TRUE;
      rh_timeline_add (self->timeline, "sdk", detail, "AgoraEduSDK found (%s)", name);
      break;
    case RH_BRIDGE_KIND_REQUEST:
      record_request (self, message, detail);
      break;
    case RH_BRIDGE_KIND_RESPONSE:
      record_response (self, message, detail);
      break;
    case RH_BRIDGE_KIND_RESOURCE_TIMING:
      /* Many a load, and in the resources already: no event of its own. */
      _rh_page_watch_resource_timing (self, message);
      json_node_unref (detail);
      break;
    case RH_BRIDGE_KIND_WEBRTC_STANDIN:
      page_event (self, "webrtc-standin", detail, "WebRTC stand-in: %s",
                  rh_bridge_message_get_string (message, "call"));
      break;
    case RH_BRIDGE_KIND_UNKNOWN:
    case RH_BRIDGE_N_KINDS:
    default:
      page_event (self, name, detail, "bridge: %s", name);
      break;
    }
}

void
_rh_page_watch_record_message (RhPageWatch *watch, JsonObject *message)
{
  JsonNode *detail = json_node_new (JSON_NODE_OBJECT);

  json_node_set_object (detail, message);
  record_kind (watch, rh_bridge_message_get_kind (message), message, detail);
}

/* What a message from the page is recorded as, ready detection aside. */
void
rh_page_watch_record_message (RhPageWatch *watch, JsonObject *message)
{
  _rh_page_watch_record_message (watch, message);
}
