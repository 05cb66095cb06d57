/* The JS bridge's messages: what the script injected at document start
 * posts to the "recordhost" script message handler. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The fragment the bridge reads the SDK bundle's text with, to tell its own
 * load from the page's. */
#define RH_BRIDGE_SDK_BUNDLE_READ "#recordhost-sdk-bundle"

#define RH_BRIDGE_HANDLER_NAME "recordhost"

/* What a page may post: the bridge's own messages are far smaller. */
#define RH_BRIDGE_MESSAGE_MAX_BYTES (256 * 1024)
#define RH_BRIDGE_MESSAGE_MAX_DEPTH 32

/* Every kind of message the bridge posts (the scripts in data/bridge): one table,
 * which tests/core/bridge-test.c holds against the scripts. */
typedef enum
{
  RH_BRIDGE_KIND_UNKNOWN,            /* none of these: a page posting by itself */
  RH_BRIDGE_KIND_CONSOLE,
  RH_BRIDGE_KIND_ERROR,
  RH_BRIDGE_KIND_REJECTION,
  RH_BRIDGE_KIND_RESOURCE_ERROR,
  RH_BRIDGE_KIND_NOTIFY,
  RH_BRIDGE_KIND_CAPABILITIES,
  RH_BRIDGE_KIND_TOUCH,
  RH_BRIDGE_KIND_USER_AGENT_READ,
  RH_BRIDGE_KIND_SERVICE_WORKER,
  RH_BRIDGE_KIND_DOM_CONTENT_LOADED,
  RH_BRIDGE_KIND_PARAM_MISSING,
  RH_BRIDGE_KIND_EVENT,
  RH_BRIDGE_KIND_LAUNCH,
  RH_BRIDGE_KIND_LAUNCH_RESULT,
  RH_BRIDGE_KIND_LAUNCH_THEN,
  RH_BRIDGE_KIND_SDK,
  RH_BRIDGE_KIND_REQUEST,
  RH_BRIDGE_KIND_RESPONSE,
  RH_BRIDGE_KIND_WEBRTC_STANDIN,
  RH_BRIDGE_KIND_SDK_BUNDLE,
  RH_BRIDGE_KIND_RESOURCE_TIMING,
  RH_BRIDGE_N_KINDS
} RhBridgeKind;

const char  *rh_bridge_kind_name   (RhBridgeKind kind);
RhBridgeKind rh_bridge_kind_lookup (const char *name);

/* Whether the page gets the WebRTC and media stand-in. */
typedef enum
{
  RH_WEBRTC_STANDIN,
  RH_WEBRTC_ABSENT,
} RhWebrtcMode;

const char *rh_webrtc_mode_name  (RhWebrtcMode mode);
gboolean    rh_webrtc_mode_parse (const char *text, RhWebrtcMode *mode, GError **error);

JsonObject *rh_bridge_message_parse (const char *json, GError **error);
const char *rh_bridge_message_kind  (JsonObject *message);
RhBridgeKind rh_bridge_message_get_kind (JsonObject *message);
const char *rh_bridge_message_get_string (JsonObject *message, const char *member);
gboolean    rh_bridge_message_is_event (JsonObject *message, gint64 event);
gboolean    rh_bridge_message_get_boolean (JsonObject *message, const char *member);

G_END_DECLS
