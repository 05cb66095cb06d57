/* The script injected at document start: its parts, in order, and the
 * configuration it is called with. */
#include <string.h>

#include "rh-bridge-script.h"
#include "rh-room.h"
#include "test-utils.h"

/* What the host gives as its message channel (an expression). */
#define CHANNEL "window.hostChannelForTest"

/* The JSON the assembled script ends with: "}) (CONFIG);\n". */
static JsonObject *
config_of (const char *script)
{
  const char *start = g_strrstr (script, "}) (");
  g_autofree char *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (start);
  g_assert_true (g_str_has_suffix (script, ");\n"));
  text = g_strndup (start + 4, strlen (start + 4) - 3);
  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_standin (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script
      = rh_bridge_script_build (CHANNEL, RH_WEBRTC_STANDIN, NULL, NULL, FALSE, TRUE, &error);
  g_autoptr (JsonObject) config = NULL;
  const char *network, *standin;

  g_assert_no_error (error);
  /* Called through the channel the host gives, and only there: no engine's
   * own is named. */
  g_assert_nonnull (strstr (script, "const postMessage = " CHANNEL ";\n"));
  g_assert_null (strstr (script, "messageHandlers"));
  network = strstr (script, "scope.fetch = function fetch");
  standin = strstr (script, "class RTCPeerConnection");
  g_assert_nonnull (network);
  g_assert_nonnull (standin);
  /* The stand-in comes after the bridge probed the engine as it is. */
  g_assert_true (strstr (script, "typeof window.RTCPeerConnection") < standin);
  g_assert_true (network < standin);
  config = config_of (script);
  g_assert_cmpstr (json_object_get_string_member (config, "webrtc"), ==, "standin");
  g_assert_true (json_object_get_boolean_member (config, "probe"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (config, "routes")), ==, 0);
  g_assert_true (json_object_get_null_member (config, "sdkBundle"));
}

/* Whether the part whose comment has @text runs in the top frame only. */
static gboolean
top_frame_only (const char *script, const char *text)
{
  static const char guard[] = "  if (topFrame)\n/* ";
  gsize length = strlen (guard);

  return (gsize)(text - script) >= length && strncmp (text - length, guard, length) == 0;
}

/* Every frame routes and reports its requests and its workers'; the rest of
 * the bridge and the stand-in are the top frame's.  Workers get the network
 * watch's source to run first. */
static void
test_frames (void)
{
  g_autofree char *script
      = rh_bridge_script_build (CHANNEL, RH_WEBRTC_STANDIN, NULL, NULL, TRUE, FALSE, NULL);
  g_autoptr (JsonObject) config = config_of (script);
  g_autoptr (GBytes) network
      = g_resources_lookup_data ("/org/recordhost/network.js", G_RESOURCE_LOOKUP_FLAGS_NONE, NULL);
  g_autofree char *network_text = NULL;
  const char *code_end = g_strrstr (script, "}) (");
  const char *bridge = strstr (script, "recordhost bridge: injected");
  const char *watch = strstr (script, "recordhost network watch");
  const char *workers = strstr (script, "recordhost workers");
  const char *standin = strstr (script, "recordhost WebRTC and media stand-in");

  g_assert_nonnull (network);
  network_text = g_strndup (g_bytes_get_data (network, NULL), g_bytes_get_size (network));
  g_assert_cmpstr (json_object_get_string_member (config, "workerNetwork"), ==, network_text);
  g_assert_true (json_object_get_boolean_member (config, "fileAccess"));
  g_assert_true (bridge != NULL && watch != NULL && workers != NULL && standin != NULL);
  g_assert_true (bridge < watch && watch < workers && workers < standin && standin < code_end);
  g_assert_true (top_frame_only (script, bridge));
  g_assert_false (top_frame_only (script, watch));
  g_assert_false (top_frame_only (script, workers));
  g_assert_true (top_frame_only (script, standin));
}

/* The bundle the command line named reaches the page through the bridge,
 * which fixes it before the page runs. */
static void
test_sdk_bundle (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *script
      = rh_bridge_script_build (CHANNEL, RH_WEBRTC_ABSENT, NULL,
                                "file:///tmp/o'clock/edu_sdk.bundle.js", FALSE, FALSE, &error);
  g_autoptr (JsonObject) config = NULL;

  g_assert_no_error (error);
  config = config_of (script);
  g_assert_cmpstr (json_object_get_string_member (config, "sdkBundle"), ==,
                   "file:///tmp/o'clock/edu_sdk.bundle.js");
  g_assert_nonnull (strstr (script, "__recordhostSdkBundle"));
}

/* --webrtc=absent: the stand-in is not in the page at all. */
static void
test_absent (void)
{
  g_autofree char *standin
      = rh_bridge_script_build (CHANNEL, RH_WEBRTC_STANDIN, NULL, NULL, FALSE, FALSE, NULL);
  g_autofree char *absent
      = rh_bridge_script_build (CHANNEL, RH_WEBRTC_ABSENT, NULL, NULL, FALSE, FALSE, NULL);
  g_autoptr (JsonObject) config = config_of (absent);

  g_assert_cmpuint (strlen (absent), <, strlen (standin));
  g_assert_null (strstr (absent, "class RTCPeerConnection"));
  g_assert_cmpstr (json_object_get_string_member (config, "webrtc"), ==, "absent");
  g_assert_false (json_object_get_boolean_member (config, "probe"));
}

/* The page is told the room parameters pages read from the one list of
 * them, in its order. */
static void
test_room_params (void)
{
  g_autofree char *script
      = rh_bridge_script_build (CHANNEL, RH_WEBRTC_ABSENT, NULL, NULL, FALSE, FALSE, NULL);
  g_autoptr (JsonObject) config = config_of (script);
  JsonArray *names = json_object_get_array_member (config, "roomParams");
  const RhRoomParam *params;
  guint n_params, read = 0;

  params = rh_room_params (&n_params);
  for (guint i = 0; i < n_params; i++)
    if (params[i].flags & RH_ROOM_PARAM_READ)
      g_assert_cmpstr (json_array_get_string_element (names, read++), ==, params[i].name);
  g_assert_cmpuint (json_array_get_length (names), ==, read);
  g_assert_cmpuint (read, >, 0);
}

/* Routes reach the page as data, never as code. */
static void
test_routes (void)
{
  g_autoptr (GPtrArray) routes = rh_route_list_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *script = NULL;
  g_autoptr (JsonObject) config = NULL;
  JsonArray *list;
  RhRoute *route = rh_route_new ("api.example.com", "http://127.0.0.1:9/o'clock", &error);

  g_assert_no_error (error);
  g_ptr_array_add (routes, route);
  script = rh_bridge_script_build (CHANNEL, RH_WEBRTC_STANDIN, routes, NULL, FALSE, FALSE, &error);
  g_assert_no_error (error);
  config = config_of (script);
  list = json_object_get_array_member (config, "routes");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "host"),
                   ==, route->host);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (list, 0), "base"),
                   ==, route->base);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/bridge-script/standin", test_standin);
  g_test_add_func ("/bridge-script/absent", test_absent);
  g_test_add_func ("/bridge-script/routes", test_routes);
  g_test_add_func ("/bridge-script/frames", test_frames);
  g_test_add_func ("/bridge-script/sdk-bundle", test_sdk_bundle);
  g_test_add_func ("/bridge-script/room-params", test_room_params);
  return g_test_run ();
}
