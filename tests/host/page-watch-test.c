/* What a page's messages are recorded as, by a watch without a view. */
#include <string.h>

#include "rh-bridge.h"
#include "rh-har.h"
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

/* Wherever the page puts the token, the report and the HAR say
 * [REDACTED]: in an element's tag, a request's api and method, the SDK's
 * version, launch options and what launch returned. */
static void
test_token_redacted (void)
{
  static const char *const messages[] = {
    "{\"kind\":\"resource-error\",\"tag\":\"x+tok/1\",\"url\":\"https://cdn.example/a.js\"}",
    "{\"kind\":\"request\",\"id\":1,\"api\":\"x+tok/1\",\"method\":\"x+tok/1\","
    "\"url\":\"https://api.example/?t=x%2Btok%2F1\"}",
    "{\"kind\":\"response\",\"id\":1,\"status\":200}",
    "{\"kind\":\"launch\",\"version\":\"x+tok/1\",\"options\":[\"x+tok/1\"]}",
    "{\"kind\":\"launch-result\",\"type\":\"x+tok/1\"}",
    "{\"kind\":\"request\",\"id\":2,\"api\":\"x+tok/1\",\"url\":\"https://a.example/\","
    "\"routed_to\":\"http://127.0.0.1:1/\"}",
  };
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (RhPageWatch) watch = rh_page_watch_new_detached (timeline);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (JsonNode) har = NULL;
  g_autofree char *report_text = NULL;
  g_autofree char *har_text = NULL;

  rh_timeline_add_secret (timeline, "x+tok/1");
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    record (watch, messages[i]);
  json_builder_begin_object (builder);
  rh_page_watch_add_resources_json (watch, builder);
  rh_page_watch_add_requests_json (watch, builder);
  json_builder_end_object (builder);
  report = json_builder_get_root (builder);
  report_text = json_to_string (report, FALSE);
  har = rh_har_build (watch, timeline, "https://pages.example/p.html");
  har_text = json_to_string (har, FALSE);

  g_assert_null (strstr (report_text, "tok"));
  g_assert_nonnull (strstr (report_text, "[REDACTED]"));
  g_assert_null (strstr (har_text, "tok"));
  g_assert_nonnull (strstr (har_text, "[REDACTED]"));
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
  g_test_add_func ("/page-watch/token-redacted", test_token_redacted);
  return g_test_run ();
}
