/* src/host/rh-page-watch*.c, src/host/rh-request-log.c, src/core/rh-timeline.c,
 * src/report/: what a page's messages to the bridge become.  The input is one
 * message a line, delivered in order to a watch without a host; then the
 * load's outcome is made and every report of it written (JSON, HAR, problems
 * and the one-line cause), each valid, bounded and without the token. */
#include <string.h>

#include "fuzz-common.h"
#include "rh-bridge.h"
#include "rh-error.h"
#include "rh-har.h"
#include "rh-json.h"
#include "rh-page-json.h"
#include "rh-page-watch.h"
#include "rh-problems.h"
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
  g_autoptr (RhPageOutcome) outcome = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (JsonNode) events = NULL;
  g_autoptr (JsonNode) har = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GError) failure = g_error_new_literal (RH_ERROR, RH_ERROR_NOT_READY,
                                                    "not ready within 30 s");
  g_autofree char *cause = NULL;
  RhProblemRules rules;

  rh_timeline_add_secret (timeline, SECRET);
  watch = rh_page_watch_new_detached (PAGE_URL, timeline);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      g_autoptr (JsonObject) message = rh_bridge_message_parse (lines[i], NULL);

      if (message != NULL)
        rh_page_watch_record_message (watch, message);
    }
  rh_page_watch_is_launched (watch);
  rh_page_watch_is_unpatchable (watch);
  outcome = rh_page_watch_end_load (watch);

  rh_problem_rules_init (&rules);
  problems = rh_problems_find (outcome, failure, &rules);
  cause = rh_problems_cause (outcome, failure, &rules);
  rh_fuzz_check (g_utf8_strlen (cause, -1) <= RH_PROBLEMS_CAUSE_MAX);
  rh_fuzz_check (strstr (cause, SECRET) == NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_object (builder);
  rh_page_json_add_times (&outcome->times, builder);
  json_builder_end_object (builder);
  rh_page_json_add_resources (outcome, builder);
  rh_page_json_add_requests (outcome, builder);
  rh_page_json_add_engine (outcome, builder);
  rh_page_json_add_frames (outcome, builder);
  rh_problems_add_json (problems, builder);
  json_builder_end_object (builder);
  report = json_builder_get_root (builder);
  check_report (report, TRUE);

  events = rh_timeline_to_json (timeline);
  check_report (events, FALSE);
  har = rh_har_build (outcome);
  check_report (har, TRUE);
  rh_fuzz_check (outcome->engine.missing_blamed->len <= outcome->engine.missing_touched->len);
  return 0;
}
