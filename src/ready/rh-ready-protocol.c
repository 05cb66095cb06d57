#include "rh-ready-protocol.h"

#include <string.h>

#include "rh-bridge.h"
#include "rh-error.h"

#define CONSOLE_PREFIX "console:"

RhReadyProtocol *
rh_ready_protocol_parse (const char *spec, GError **error)
{
  g_autoptr (RhReadyProtocol) protocol = g_new0 (RhReadyProtocol, 1);

  if (g_str_equal (spec, "event1"))
    protocol->kind = RH_READY_PROTOCOL_EVENT1;
  else if (g_str_equal (spec, "whiteboard"))
    protocol->kind = RH_READY_PROTOCOL_WHITEBOARD;
  else if (g_str_equal (spec, "notify"))
    protocol->kind = RH_READY_PROTOCOL_NOTIFY;
  else if (g_str_has_prefix (spec, CONSOLE_PREFIX) && spec[strlen (CONSOLE_PREFIX)] != '\0')
    {
      protocol->kind = RH_READY_PROTOCOL_CONSOLE;
      protocol->console_text = g_strdup (spec + strlen (CONSOLE_PREFIX));
    }
  else
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "unknown --ready '%s' (expected event1, whiteboard, notify or console:TEXT)",
                   spec);
      return NULL;
    }
  return g_steal_pointer (&protocol);
}

void
rh_ready_protocol_free (RhReadyProtocol *protocol)
{
  if (protocol == NULL)
    return;
  g_free (protocol->console_text);
  g_free (protocol);
}

const char *
rh_ready_protocol_describe (const RhReadyProtocol *protocol)
{
  switch (protocol->kind)
    {
    case RH_READY_PROTOCOL_EVENT1:
      return "launch listener event 1";
    case RH_READY_PROTOCOL_WHITEBOARD:
      return "launch listener event 1 of the whiteboard";
    case RH_READY_PROTOCOL_NOTIFY:
      return "navigator.notifyReady()";
    case RH_READY_PROTOCOL_CONSOLE:
      return "a console message";
    default:
      g_assert_not_reached ();
    }
}

gboolean
rh_ready_protocol_matches (const RhReadyProtocol *protocol, JsonObject *bridge_message)
{
  RhBridgeKind kind = rh_bridge_message_get_kind (bridge_message);
  JsonNode *args;

  if (kind == RH_BRIDGE_KIND_UNKNOWN)
    return FALSE;
  switch (protocol->kind)
    {
    case RH_READY_PROTOCOL_EVENT1:
      return rh_bridge_message_is_event (bridge_message, 1);
    case RH_READY_PROTOCOL_WHITEBOARD:
      if (!rh_bridge_message_is_event (bridge_message, 1))
        return FALSE;
      args = json_object_get_member (bridge_message, "args");
      return args != NULL && JSON_NODE_HOLDS_OBJECT (args)
             && g_strcmp0 (rh_bridge_message_get_string (json_node_get_object (args), "type"),
                           "whiteboard") == 0;
    case RH_READY_PROTOCOL_NOTIFY:
      return kind == RH_BRIDGE_KIND_NOTIFY;
    case RH_READY_PROTOCOL_CONSOLE:
      return kind == RH_BRIDGE_KIND_CONSOLE
             && g_strcmp0 (rh_bridge_message_get_string (bridge_message, "text"),
                           protocol->console_text) == 0;
    default:
      g_assert_not_reached ();
    }
}
