#include "rh-bridge.h"

#include <gio/gio.h>

#include "recordhost-resources.h"
#include "rh-error.h"
#include "rh-json.h"

#define RESOURCE_PREFIX "/org/recordhost/"

/* The injected script: three parts, each an expression taking (config,
 * post), called in this order.  The bridge probes the engine before the
 * stand-in defines anything. */
static const char *const parts[] = { "bridge.js", "network.js", "webrtc-standin.js" };

/* post (kind, fields): one JSON message to the host.  Kept by reference
 * here: the page may replace what it uses later. */
static const char prelude[] =
  "(function (config) {\n"
  "  'use strict';\n"
  "  const handlers = window.webkit && window.webkit.messageHandlers;\n"
  "  const handler = handlers && handlers." RH_BRIDGE_HANDLER_NAME ";\n"
  "  if (!handler)\n"
  "    return;\n"
  "  const postMessage = handler.postMessage.bind (handler);\n"
  "  const stringify = JSON.stringify;\n"
  "  function post (kind, fields) {\n"
  "    try {\n"
  "      const message = fields || {};\n"
  "      message.kind = kind;\n"
  "      postMessage (stringify (message));\n"
  "    } catch (e) {\n"
  "      /* Reporting must never break the page. */\n"
  "    }\n"
  "  }\n";

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

static char *
config_json (RhWebrtcMode webrtc, const GPtrArray *routes, gboolean probe)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "webrtc");
  json_builder_add_string_value (builder, rh_webrtc_mode_name (webrtc));
  json_builder_set_member_name (builder, "probe");
  json_builder_add_boolean_value (builder, probe);
  json_builder_set_member_name (builder, "routes");
  json_builder_begin_array (builder);
  for (guint i = 0; routes != NULL && i < routes->len; i++)
    {
      const RhRoute *route = g_ptr_array_index (routes, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "host");
      json_builder_add_string_value (builder, route->host);
      json_builder_set_member_name (builder, "base");
      json_builder_add_string_value (builder, route->base);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

char *
rh_bridge_build_source (RhWebrtcMode webrtc, const GPtrArray *routes, gboolean probe,
                        GError **error)
{
  g_autoptr (GString) source = g_string_new (prelude);
  g_autofree char *config = config_json (webrtc, routes, probe);

  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autofree char *path = g_strconcat (RESOURCE_PREFIX, parts[i], NULL);
      g_autoptr (GBytes) script = NULL;
      gsize size;
      const char *text;

      if (webrtc != RH_WEBRTC_STANDIN && g_str_equal (parts[i], "webrtc-standin.js"))
        continue;
      /* Looked up in our own bundle: a static library drops unreferenced
       * resource constructors. */
      script = g_resource_lookup_data (recordhost_get_resource (), path,
                                       G_RESOURCE_LOOKUP_FLAGS_NONE, error);
      if (script == NULL)
        return NULL;
      text = g_bytes_get_data (script, &size);
      g_string_append_len (source, text, size);
      g_string_append (source, " (config, post);\n");
    }
  g_string_append_printf (source, "}) (%s);\n", config);
  return g_string_free (g_steal_pointer (&source), FALSE);
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

gboolean
rh_bridge_message_get_boolean (JsonObject *message, const char *member)
{
  JsonNode *node = json_object_get_member (message, member);

  return node != NULL && JSON_NODE_HOLDS_VALUE (node)
         && json_node_get_value_type (node) == G_TYPE_BOOLEAN && json_node_get_boolean (node);
}
