/* The JS bridge's messages: what the script injected at document start
 * posts to the "recordhost" script message handler. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RH_BRIDGE_HANDLER_NAME "recordhost"

/* What a page may post: the bridge's own messages are far smaller. */
#define RH_BRIDGE_MESSAGE_MAX_BYTES (256 * 1024)
#define RH_BRIDGE_MESSAGE_MAX_DEPTH 32

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
const char *rh_bridge_message_get_string (JsonObject *message, const char *member);
gboolean    rh_bridge_message_is_event (JsonObject *message, gint64 event);
gboolean    rh_bridge_message_get_boolean (JsonObject *message, const char *member);

G_END_DECLS
