/* What a page's messages are recorded as, by a watch without a view. */
#include "rh-bridge.h"
#include "rh-page-watch.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *capability; /* the value the page gave RTCPeerConnection */
  gboolean missing;
} CapabilityRow;

/* The page writes its capabilities: only true says the engine has one. */
static const CapabilityRow capability_rows[] = {
  { "true", "true", FALSE },
  { "false", "false", TRUE },
  { "object", "{}", TRUE },
  { "array", "[true]", TRUE },
  { "string", "\"yes\"", TRUE },
  { "null", "null", TRUE },
  { "one", "1", TRUE },
};

static void
record (RhPageWatch *watch, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = rh_bridge_message_parse (json, &error);

  g_assert_no_error (error);
  rh_page_watch_record_message (watch, message);
}

static void
test_capability (gconstpointer data)
{
  const CapabilityRow *row = data;
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (RhPageWatch) watch = rh_page_watch_new_detached (timeline);
  g_autofree char *capabilities = g_strdup_printf (
    "{\"kind\":\"capabilities\",\"capabilities\":{\"RTCPeerConnection\":%s}}", row->capability);
  g_autoptr (GPtrArray) touched = NULL;

  record (watch, capabilities);
  record (watch, "{\"kind\":\"touch\",\"feature\":\"RTCPeerConnection\"}");
  touched = rh_page_watch_get_missing_touched (watch);
  g_assert_cmpuint (touched->len, ==, row->missing ? 1 : 0);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (capability_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-watch/capability/%s",
                                               capability_rows[i].name);

      g_test_add_data_func (path, &capability_rows[i], test_capability);
    }
  return g_test_run ();
}
