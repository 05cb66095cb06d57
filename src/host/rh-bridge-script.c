#include "rh-bridge-script.h"

#include <gio/gio.h>

#include "recordhost-resources.h"
#include "rh-room.h"

#define RESOURCE_PREFIX "/org/recordhost/"

/* The injected script: its parts, each an expression taking (config,
 * post), called in this order, in every frame or in the top frame only.
 * The bridge probes the engine before the stand-in defines anything; a
 * subframe gets what routes and reports its requests and its workers'. */
static const struct
{
  const char *name;
  gboolean every_frame;
} parts[] = {
  { "bridge.js", FALSE },
  { "network.js", TRUE },
  { "workers.js", TRUE },
  { "webrtc-standin.js", FALSE },
};

/* post (kind, fields): one JSON message to the host, through the channel
 * the host's engine offers (rh_page_host_get_message_channel ()), whose
 * expression closes the prelude's first line.  Kept by reference here: the
 * page may replace what it uses later.  A subframe's
 * messages say so (scope "frame") and name the frame (context), so that its
 * requests are told from the top frame's; a worker's, forwarded by its
 * frame, say "worker" and name the worker. */
static const char prelude[] =
  "  if (!postMessage)\n"
  "    return;\n"
  "  const stringify = JSON.stringify;\n"
  "  const topFrame = window === window.top;\n"
  "  const context = topFrame ? 'top' : 'f' + Math.random ().toString (36).slice (2);\n"
  "  function post (kind, fields) {\n"
  "    try {\n"
  "      const message = fields || {};\n"
  "      message.kind = kind;\n"
  "      if (!topFrame && message.scope === undefined) {\n"
  "        message.scope = 'frame';\n"
  "        message.context = context;\n"
  "      }\n"
  "      postMessage (stringify (message));\n"
  "    } catch (e) {\n"
  "      /* Reporting must never break the page. */\n"
  "    }\n"
  "  }\n"
  "  config.context = context;\n";

/* A part's source, from our own bundle: a static library drops
 * unreferenced resource constructors. */
static GBytes *
part_source (const char *name, GError **error)
{
  g_autofree char *path = g_strconcat (RESOURCE_PREFIX, name, NULL);

  return g_resource_lookup_data (recordhost_get_resource (), path, G_RESOURCE_LOOKUP_FLAGS_NONE,
                                 error);
}

/* @network: network.js's source, which workers run first (workers.js makes
 * it their first script). */
static char *
config_json (RhWebrtcMode webrtc, const GPtrArray *routes, const char *sdk_bundle,
             gboolean file_access, gboolean probe, const char *network)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  const RhRoomParam *params;
  guint n_params;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "webrtc");
  json_builder_add_string_value (builder, rh_webrtc_mode_name (webrtc));
  json_builder_set_member_name (builder, "probe");
  json_builder_add_boolean_value (builder, probe);
  /* The room parameters pages read, from the one list of them. */
  json_builder_set_member_name (builder, "roomParams");
  json_builder_begin_array (builder);
  params = rh_room_params (&n_params);
  for (guint i = 0; i < n_params; i++)
    if (params[i].flags & RH_ROOM_PARAM_READ)
      json_builder_add_string_value (builder, params[i].name);
  json_builder_end_array (builder);
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
  json_builder_set_member_name (builder, "sdkBundle");
  if (sdk_bundle != NULL)
    json_builder_add_string_value (builder, sdk_bundle);
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "fileAccess");
  json_builder_add_boolean_value (builder, file_access);
  json_builder_set_member_name (builder, "workerNetwork");
  json_builder_add_string_value (builder, network);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

char *
rh_bridge_script_build (const char *channel, RhWebrtcMode webrtc, const GPtrArray *routes,
                        const char *sdk_bundle, gboolean file_access, gboolean probe,
                        GError **error)
{
  g_autoptr (GString) source = g_string_new (NULL);
  g_autoptr (GBytes) network = part_source ("network.js", error);
  g_autofree char *network_source = NULL;
  g_autofree char *config = NULL;

  if (network == NULL)
    return NULL;
  g_string_printf (source, "(function (config) {\n  'use strict';\n  const postMessage = %s;\n%s",
                   channel, prelude);
  network_source = g_strndup (g_bytes_get_data (network, NULL), g_bytes_get_size (network));
  config = config_json (webrtc, routes, sdk_bundle, file_access, probe, network_source);
  for (guint i = 0; i < G_N_ELEMENTS (parts); i++)
    {
      g_autoptr (GBytes) script = NULL;
      gsize size;
      const char *text;

      if (webrtc != RH_WEBRTC_STANDIN && g_str_equal (parts[i].name, "webrtc-standin.js"))
        continue;
      script = part_source (parts[i].name, error);
      if (script == NULL)
        return NULL;
      text = g_bytes_get_data (script, &size);
      if (!parts[i].every_frame)
        g_string_append (source, "  if (topFrame)\n");
      g_string_append_len (source, text, size);
      g_string_append (source, " (config, post);\n");
    }
  g_string_append_printf (source, "}) (%s);\n", config);
  return g_string_free (g_steal_pointer (&source), FALSE);
}
