/* src/host/rh-page-watch*.c, src/host/rh-request-log.c, src/core/rh-timeline.c,
 * src/report/rh-har.c: what a page's messages to the bridge become.  The input
 * is one message a line, delivered in order to a watch without a host; then
 * every report the watch feeds is written, and must be valid JSON without the
 * token. */
#include <string.h>

#include "fuzz-common.h"
#include "rh-bridge.h"
#include "rh-har.h"
#include "rh-json.h"
#include "rh-page-watch.h"
#include "rh-timeline.h"

#define MAX_MESSAGES 64
#define SECRET "SECRET-TOKEN"
#define PAGE_URL "https://pages.example/record.html?roomUuid=r&rtmToken=" SECRET

static void
check_report (JsonNode *node, gboolean pretty)
{
  g_autofree char *text = rh_json_to_string (node, pretty);

  rh_fuzz_check_written (text, pretty);
  rh_fuzz_check (strstr (text, SECRET) == NULL);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (GStrv) lines = rh_fuzz_fields (data, size, MAX_MESSAGES);
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (RhPageWatch) watch = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (JsonNode) events = NULL;
  g_autoptr (JsonNode) har = NULL;
  g_autoptr (GPtrArray) touched = NULL;
  g_autoptr (GPtrArray) blamed = NULL;
  g_autofree char *blocking = NULL;
  const char *first_error = NULL;

  rh_timeline_add_secret (timeline, SECRET);
  watch = rh_page_watch_new_detached ("https://pages.example/p.html", timeline);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonObject) message = rh_bridge_message_parse (lines[i], NULL);

      if (message != NULL)
        rh_page_watch_record_message (watch, message);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_object (builder);
  rh_page_watch_add_times_json (watch, builder);
  json_builder_end_object (builder);
  rh_page_watch_add_resources_json (watch, builder);
  rh_page_watch_add_requests_json (watch, builder);
  json_builder_end_object (builder);
  report = json_builder_get_root (builder);
  check_report (report, TRUE);

  events = rh_timeline_to_json (timeline);
  check_report (events, FALSE);
  har = rh_har_build (watch, timeline, PAGE_URL);
  check_report (har, TRUE);

  blocking = rh_page_watch_describe_blocking (watch);
  touched = rh_page_watch_get_missing_touched (watch);
  blamed = rh_page_watch_get_missing_blamed (watch);
  rh_page_watch_get_js_errors (watch, &first_error);
  rh_page_watch_is_launched (watch);
  rh_page_watch_is_unpatchable (watch);
  rh_fuzz_check (blamed->len <= touched->len);
  return 0;
}
