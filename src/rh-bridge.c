#include "rh-bridge.h"

#include <gio/gio.h>

#include "recordhost-resources.h"
#include "rh-error.h"

#define BRIDGE_RESOURCE "/org/recordhost/bridge.js"

/* The bridge is an expression taking a config object; call it here. */
char *
rh_bridge_build_source (gboolean webrtc_stub, GError **error)
{
  g_autoptr (GBytes) script = NULL;
  gsize size;
  const char *text;

  /* Looked up in our own bundle: a static library drops unreferenced
   * resource constructors. */
  script = g_resource_lookup_data (recordhost_get_resource (), BRIDGE_RESOURCE,
                                   G_RESOURCE_LOOKUP_FLAGS_NONE, error);
  if (script == NULL)
    return NULL;
  text = g_bytes_get_data (script, &size);
  return g_strdup_printf ("%.*s ({ webrtc: '%s' });\n", (int) size, text,
                          webrtc_stub ? "stub" : "absent");
}

JsonObject *
rh_bridge_message_parse (const char *json, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonNode *root;

  if (!json_parser_load_from_data (parser, json, -1, error))
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
  JsonNode *node = json_object_get_member (message, member);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}

const char *
rh_bridge_message_kind (JsonObject *message)
{
  return rh_bridge_message_get_string (message, "kind");
}

/* Event numbers arrive as JSON numbers; a bundle passing "1" means the same. */
gboolean
rh_bridge_message_is_event (JsonObject *bridge_message, gint64 event)
{
  JsonNode *node;

  if (g_strcmp0 (rh_bridge_message_get_string (bridge_message, "kind"), "event") != 0)
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
