#include "rh-bridge.h"

#include <gio/gio.h>

#include "rh-error.h"
#include "rh-json.h"

/* As the scripts spell them, in RhBridgeKind's order. */
static const char *const kind_names[RH_BRIDGE_N_KINDS] = {
  [RH_BRIDGE_KIND_UNKNOWN] = NULL,
  [RH_BRIDGE_KIND_CONSOLE] = "console",
  [RH_BRIDGE_KIND_ERROR] = "error",
  [RH_BRIDGE_KIND_REJECTION] = "rejection",
  [RH_BRIDGE_KIND_RESOURCE_ERROR] = "resource-error",
  [RH_BRIDGE_KIND_NOTIFY] = "notify",
  [RH_BRIDGE_KIND_CAPABILITIES] = "capabilities",
  [RH_BRIDGE_KIND_TOUCH] = "touch",
  [RH_BRIDGE_KIND_USER_AGENT_READ] = "user-agent-read",
  [RH_BRIDGE_KIND_SERVICE_WORKER] = "service-worker",
  [RH_BRIDGE_KIND_DOM_CONTENT_LOADED] = "dom-content-loaded",
  [RH_BRIDGE_KIND_PARAM_MISSING] = "param-missing",
  [RH_BRIDGE_KIND_EVENT] = "event",
  [RH_BRIDGE_KIND_LAUNCH] = "launch",
  [RH_BRIDGE_KIND_LAUNCH_RESULT] = "launch-result",
  [RH_BRIDGE_KIND_LAUNCH_THEN] = "launch-then",
  [RH_BRIDGE_KIND_SDK] = "sdk",
  [RH_BRIDGE_KIND_REQUEST] = "request",
  [RH_BRIDGE_KIND_RESPONSE] = "response",
  [RH_BRIDGE_KIND_WEBRTC_STANDIN] = "webrtc-standin",
  [RH_BRIDGE_KIND_SDK_BUNDLE] = "sdk-bundle",
  [RH_BRIDGE_KIND_RESOURCE_TIMING] = "resource-timing",
};

/* NULL for RH_BRIDGE_KIND_UNKNOWN. */
const char *
rh_bridge_kind_name (RhBridgeKind kind)
{
  g_return_val_if_fail (kind < RH_BRIDGE_N_KINDS, NULL);
  return kind_names[kind];
}

RhBridgeKind
rh_bridge_kind_lookup (const char *name)
{
  for (guint kind = RH_BRIDGE_KIND_UNKNOWN + 1; name != NULL && kind < RH_BRIDGE_N_KINDS; kind++)
    if (g_str_equal (kind_names[kind], name))
      return kind;
  return RH_BRIDGE_KIND_UNKNOWN;
}

const char *
rh_webrtc_mode_name (RhWebrtcMode mode)
{
  return mode == RH_WEBRTC_STANDIN ? "standin" : "absent";
}

/* "stub" is the stand-in's former name. */
gboolean
rh_webrtc_mode_parse (const char *text, RhWebrtcMode *mode, GError **error)
{
  if (g_str_equal (text, "standin") || g_str_equal (text, "stub"))
    *mode = RH_WEBRTC_STANDIN;
  else if (g_str_equal (text, "absent"))
    *mode = RH_WEBRTC_ABSENT;
  else
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "unknown --webrtc '%s' (expected standin or absent)", text);
      return FALSE;
    }
  return TRUE;
}

JsonObject *
rh_bridge_message_parse (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = NULL;
  JsonNode *root;

  /* The page can post anything to the handler: a message larger or deeper
   * than the bridge's own is refused before the parser sees it. */
  parser = json_parser_new ();
  if (!rh_json_parser_load (parser, json, -1, RH_BRIDGE_MESSAGE_MAX_BYTES,
                            RH_BRIDGE_MESSAGE_MAX_DEPTH, error))
    return NULL;
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root)
      || rh_bridge_message_get_string (json_node_get_object (root), "kind") == NULL)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_PAGE_FAILED,
                           "bridge message is not an object with a kind");
      return NULL;
    }
  return json_object_ref (json_node_get_object (root));
}

const char *
rh_bridge_message_get_string (JsonObject *message, const char *member)
{
  return rh_json_string_member (message, member);
}

const char *
rh_bridge_message_kind (JsonObject *message)
{
  return rh_bridge_message_get_string (message, "kind");
}

RhBridgeKind
rh_bridge_message_get_kind (JsonObject *message)
{
  return rh_bridge_kind_lookup (rh_bridge_message_kind (message));
}

/* Event numbers arrive as JSON numbers; a bundle passing "1" means the same. */
gboolean
rh_bridge_message_is_event (JsonObject *bridge_message, gint64 event)
{
  JsonNode *node;

  if (rh_bridge_message_get_kind (bridge_message) != RH_BRIDGE_KIND_EVENT)
    return FALSE;
  node = json_object_get_member (bridge_message, "event");
  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return FALSE;
  switch (json_node_get_value_type (node))
    {
    case G_TYPE_INT64:
      return json_node_get_int (node) == event;
    case G_TYPE_DOUBLE:
      return json_node_get_double (node) == (double) event;
    case G_TYPE_STRING:
      {
        gint64 parsed;

        return g_ascii_string_to_signed (json_node_get_string (node), 10, G_MININT64,
                                         G_MAXINT64, &parsed, NULL)
               && parsed == event;
      }
    default:
      return FALSE;
    }
}

gboolean
rh_bridge_message_get_boolean (JsonObject *message, const char *member)
{
  JsonNode *node = json_object_get_member (message, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}
