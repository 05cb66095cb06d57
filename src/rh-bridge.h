/* The JS bridge: the user script injected at document start, and the
 * messages it posts to the "recordhost" script message handler. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

#define RH_BRIDGE_HANDLER_NAME "recordhost"

char       *rh_bridge_build_source  (gboolean webrtc_stub, GError **error);
JsonObject *rh_bridge_message_parse (const char *json, GError **error);
const char *rh_bridge_message_kind  (JsonObject *message);
const char *rh_bridge_message_get_string (JsonObject *message, const char *member);
gboolean    rh_bridge_message_is_event (JsonObject *message, gint64 event);

G_END_DECLS
