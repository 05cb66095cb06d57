/* src/rh-bridge.c and src/rh-ready-protocol.c: a message a page posts to
 * the bridge's handler (a string, so it ends at a NUL), parsed and read as
 * the page watch reads it, and judged by every ready protocol. */
#include "fuzz-common.h"
#include "rh-bridge.h"
#include "rh-ready-protocol.h"

static const char *const members[] = {
  "kind", "text", "level", "event", "args", "version", "language", "type", "thenable", "how",
  "message", "source", "line", "tag", "url", "feature", "call", "name", "id", "status", "error",
};

static const char *const protocols[] = {
  "event1", "whiteboard", "notify", "console:START_RECORDING",
};

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *json = g_strndup ((const char *) data, size);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = rh_bridge_message_parse (json, &error);
  g_autoptr (JsonNode) node = NULL;

  if (message == NULL)
    {
      rh_fuzz_check (error != NULL);
      return 0;
    }
  rh_fuzz_check (error == NULL);
  rh_fuzz_check (rh_bridge_message_kind (message) != NULL);
  node = json_node_init_object (json_node_alloc (), message);
  rh_fuzz_check (rh_fuzz_node_depth (node) <= RH_BRIDGE_MESSAGE_MAX_DEPTH);
  for (guint i = 0; i < G_N_ELEMENTS (members); i++)
    {
      rh_bridge_message_get_string (message, members[i]);
      rh_bridge_message_get_boolean (message, members[i]);
    }
  for (gint64 event = -1; event <= 2; event++)
    rh_bridge_message_is_event (message, event);
  for (guint i = 0; i < G_N_ELEMENTS (protocols); i++)
    {
      g_autoptr (RhReadyProtocol) protocol = rh_ready_protocol_parse (protocols[i], NULL);

      rh_fuzz_check (protocol != NULL);
      rh_ready_protocol_matches (protocol, message);
    }
  return 0;
}
