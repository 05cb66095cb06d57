/* The end of a check in words and as JUnit XML, from a report made up
 * here: what passed or failed, the problems, the times, text from outside
 * made safe for a terminal and for XML. */
#include <string.h>

#include "rh-page-json.h"
#include "rh-report.h"
#include "test-utils.h"

typedef struct
{
  RhPageOutcome *outcome;
  GPtrArray *problems;
  GPtrArray *pictures;
  RhReport report;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->outcome = rh_page_outcome_new ("https://pages.example/p.html?roomUuid=r");
  fixture->problems = g_ptr_array_new_with_free_func (g_free);
  fixture->pictures = g_ptr_array_new ();
  fixture->report.passed = TRUE;
  fixture->report.problems = fixture->problems;
  fixture->report.outcome = fixture->outcome;
  fixture->report.duration_ms = 1234;
}

/* Every step of a check happened, each in time. */
static void
fixture_setup_all_steps (Fixture *fixture, gconstpointer data)
{
  fixture_setup (fixture, data);
  fixture->outcome->times.committed_ms = 100;
  fixture->outcome->times.dom_loaded_ms = 200;
  fixture->outcome->times.load_finished_ms = 300;
  fixture->outcome->times.first_frame_ms = 150;
  fixture->outcome->times.first_nonblank_ms = 400;
  fixture->outcome->times.launch_ms = 500;
  fixture->outcome->times.ready_event_ms = 900;
  fixture->outcome->times.ready_ack_ms = 950;
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_ptr_array_unref (fixture->problems);
  g_ptr_array_unref (fixture->pictures);
  rh_page_outcome_unref (fixture->outcome);
}

static void
set_page_url (Fixture *fixture, const char *page_url)
{
  g_free (fixture->outcome->page_url);
  fixture->outcome->page_url = g_strdup (page_url);
}

/* @message is not copied: it lives as long as the test. */
static void
add_problem (Fixture *fixture, const char *code, RhSeverity severity, const char *message)
{
  RhProblem *problem = g_new0 (RhProblem, 1);

  problem->code = code;
  problem->severity = severity;
  problem->message = (char *) message;
  g_ptr_array_add (fixture->problems, problem);
}

/* Whether @text has a line matching @pattern. */
static gboolean
has_line (const char *text, const char *pattern)
{
  return g_regex_match_simple (pattern, text, G_REGEX_MULTILINE, 0);
}

static void
test_text_pass (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = rh_report_format_text (&fixture->report);

  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, "\nrecordhost check: PASS\n"
                                         "  page: https://pages.example/p.html?roomUuid=r\n"
                                         "  problems: none\n"));
  g_assert_null (strstr (text, "cause:"));
  g_assert_null (strstr (text, "engine:"));
  g_assert_null (strstr (text, "pictures:"));
  /* Nothing happened: every time is a dash, nothing said of painting. */
  g_assert_true (has_line (text, "^    committed +-$"));
  g_assert_true (has_line (text, "^    ready call acknowledged +-$"));
  g_assert_null (strstr (text, "painted\n"));
  g_assert_null (strstr (text, "blank for"));
}

/* The times in one column, the blank time compared with ready. */
static void
test_text_times (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  gssize column = -1;

  fixture->outcome->times.committed_ms = 120;
  fixture->outcome->times.first_nonblank_ms = 2500;
  fixture->outcome->times.ready_event_ms = 900;
  fixture->outcome->times.ready_ack_ms = 4000;
  text = rh_report_format_text (&fixture->report);
  g_test_message ("%s", text);
  g_assert_true (has_line (text, "^    committed +120 ms$"));
  g_assert_true (has_line (text, "^    first painted frame +2500 ms$"));
  g_assert_true (has_line (text, "^    ready \\(event 1\\) +900 ms$"));
  g_assert_true (has_line (text, "^    ready call acknowledged +4000 ms$"));
  g_assert_true (has_line (text, "^    DOM loaded +-$"));
  g_assert_true (has_line (text, "^  the page was blank for 2500 ms, longer than it took to get "
                                 "ready$"));
  /* The numbers end in one column, " ms" after them. */
  lines = g_strsplit (text, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_suffix (lines[i], " ms") && g_str_has_prefix (lines[i], "    "))
      {
        if (column < 0)
          column = strlen (lines[i]);
        g_assert_cmpint (strlen (lines[i]), ==, column);
      }
  g_assert_cmpint (column, >, 0);
}

/* ---- blank spans ---- */

#define FRAME_WIDTH 64
#define FRAME_HEIGHT 48

/* Feeds the outcome's frame log: white at each time of @white_ms, painted
 * (a dark half) at each of @painted_ms, in the order of their times; each
 * list ends with -1. */
static void
feed_frames (Fixture *fixture, const gint64 *white_ms, const gint64 *painted_ms)
{
  g_autofree guint32 *white = g_new (guint32, FRAME_WIDTH * FRAME_HEIGHT);
  g_autofree guint32 *painted = g_new (guint32, FRAME_WIDTH * FRAME_HEIGHT);
  RhFrame white_frame = { (const guint8 *) white, FRAME_WIDTH * 4, FRAME_WIDTH, FRAME_HEIGHT, 0 };
  RhFrame painted_frame = { (const guint8 *) painted, FRAME_WIDTH * 4, FRAME_WIDTH, FRAME_HEIGHT,
                            0 };

  for (guint i = 0; i < FRAME_WIDTH * FRAME_HEIGHT; i++)
    {
      white[i] = 0xffffffff;
      painted[i] = i % FRAME_WIDTH < FRAME_WIDTH / 2 ? 0xff26262e : 0xffffffff;
    }
  while (*white_ms != -1 || *painted_ms != -1)
    {
      if (*painted_ms == -1 || (*white_ms != -1 && *white_ms < *painted_ms))
        g_assert_true (rh_frame_log_add (fixture->outcome->frames, &white_frame, *white_ms++));
      else
        g_assert_false (rh_frame_log_add (fixture->outcome->frames, &painted_frame,
                                          *painted_ms++));
    }
}

/* White until 400 ms, again from 2000 to 2600 ms and from 5000 ms on: the
 * summary lists each span, and the white before the ready call and before
 * the hold's release. */
static void
test_text_blank_spans (Fixture *fixture, gconstpointer data)
{
  static const gint64 white_ms[] = { 150, 2000, 2300, 5000, -1 };
  static const gint64 painted_ms[] = { 400, 2600, -1 };
  g_autofree char *text = NULL;

  feed_frames (fixture, white_ms, painted_ms);
  fixture->outcome->times.committed_ms = 100;
  fixture->outcome->times.first_nonblank_ms = 400;
  fixture->outcome->times.ready_call_ms = 900;
  fixture->outcome->times.hold_release_ms = 3000;
  text = rh_report_format_text (&fixture->report);
  g_test_message ("%s", text);
  g_assert_true (has_line (text, "^  blank: 150-400 ms, 2000-2600 ms, from 5000 ms to the end$"));
  g_assert_true (has_line (text, "^  blank 250 ms before the ready call$"));
  g_assert_true (has_line (text, "^  blank 850 ms before the hold's release$"));
}

/* A page flickering white: the summary names the first spans and counts
 * the rest. */
static void
test_text_blank_spans_many (Fixture *fixture, gconstpointer data)
{
  gint64 white_ms[31], painted_ms[31];
  g_autofree char *text = NULL;

  for (guint i = 0; i < 30; i++)
    {
      white_ms[i] = i * 100;
      painted_ms[i] = i * 100 + 50;
    }
  white_ms[30] = painted_ms[30] = -1;
  feed_frames (fixture, white_ms, painted_ms);
  fixture->outcome->times.committed_ms = 0;
  fixture->outcome->times.first_nonblank_ms = 50;
  text = rh_report_format_text (&fixture->report);
  g_test_message ("%s", text);
  g_assert_true (has_line (text, "^  blank: 0-50 ms, 100-150 ms, .*, 1900-1950 ms and 10 more$"));
  /* No ready call, no hold: nothing said of either. */
  g_assert_null (strstr (text, "before the"));
}

/* --json's "frames": the counts, the threshold, every span (an open one's
 * end null) and the white before the ready call and the hold's release,
 * null when there was none. */
static void
test_json_frames (Fixture *fixture, gconstpointer data)
{
  static const gint64 white_ms[] = { 150, 2000, 5000, -1 };
  static const gint64 painted_ms[] = { 400, 2600, -1 };
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  JsonObject *frames;
  JsonArray *spans;

  feed_frames (fixture, white_ms, painted_ms);
  fixture->outcome->times.ready_call_ms = 2100;
  json_builder_begin_object (builder);
  rh_page_json_add_frames (fixture->outcome, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  frames = json_object_get_object_member (json_node_get_object (root), "frames");
  g_assert_cmpint (json_object_get_int_member (frames, "count"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (frames, "blank"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (frames, "blank_threshold"), ==,
                   RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  spans = json_object_get_array_member (frames, "blank_spans");
  g_assert_cmpuint (json_array_get_length (spans), ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (spans, 1),
                                               "start_ms"), ==, 2000);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (spans, 1),
                                               "end_ms"), ==, 2600);
  g_assert_true (json_object_get_null_member (json_array_get_object_element (spans, 2),
                                              "end_ms"));
  g_assert_cmpint (json_object_get_int_member (frames, "blank_spans_dropped"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (frames, "blank_before_ready_call_ms"), ==,
                   250 + 100);
  g_assert_true (json_object_get_null_member (frames, "blank_before_hold_release_ms"));
}

static void
test_text_painted_before_ready (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;

  fixture->outcome->times.committed_ms = 10;
  fixture->outcome->times.first_nonblank_ms = 300;
  fixture->outcome->times.ready_event_ms = 900;
  text = rh_report_format_text (&fixture->report);
  g_assert_true (has_line (text, "^  the page was blank for 300 ms$"));
}

static void
test_text_never_painted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;

  fixture->outcome->times.committed_ms = 10;
  text = rh_report_format_text (&fixture->report);
  g_assert_true (has_line (text, "^  the page never painted$"));
}

/* A failure: the cause, each problem with its severity and code, the
 * engine and the pictures. */
static void
test_text_fail (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;

  fixture->report.passed = FALSE;
  fixture->report.failure = "not ready within 60 s";
  fixture->outcome->engine.name = g_strdup ("WPE WebKit");
  fixture->outcome->engine.version = g_strdup ("2.38.6");
  g_ptr_array_add (fixture->outcome->engine.missing_touched, g_strdup ("RTCPeerConnection"));
  fixture->outcome->launch.sdk_version = g_strdup ("1.1.0");
  fixture->outcome->launch.bundle_version = g_strdup ("1.1.5-rc.2");
  add_problem (fixture, "ready-timeout", RH_SEVERITY_ERROR, "no event 1");
  add_problem (fixture, "slow-first-paint", RH_SEVERITY_WARNING, "painted after 4 s");
  g_ptr_array_add (fixture->pictures, (gpointer) "/out/last.png");
  g_ptr_array_add (fixture->pictures, (gpointer) "/out/first.png");
  fixture->report.pictures = fixture->pictures;
  text = rh_report_format_text (&fixture->report);
  g_test_message ("%s", text);
  g_assert_true (g_str_has_prefix (text, "\nrecordhost check: FAIL\n"));
  g_assert_true (has_line (text, "^  cause: not ready within 60 s$"));
  g_assert_true (has_line (text, "^  problems:$"));
  g_assert_true (has_line (text, "^    error   ready-timeout +no event 1$"));
  g_assert_true (has_line (text, "^    warning slow-first-paint +painted after 4 s$"));
  g_assert_true (has_line (text, "^  engine: WPE WebKit 2.38.6, WebRTC stand-in; missing here, "
                                 "used by the page: RTCPeerConnection$"));
  g_assert_true (has_line (text, "^  SDK: 1.1.5-rc.2 \\(its bundle's version; AgoraEduSDK says "
                                 "1.1.0\\)$"));
  g_assert_true (has_line (text, "^  pictures: /out/last.png\n            /out/first.png$"));
  g_assert_true (strstr (text, "ready-timeout") < strstr (text, "slow-first-paint"));
}

/* What came from outside cannot move the cursor or forge a line. */
static void
test_text_outside (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;

  fixture->report.passed = FALSE;
  set_page_url (fixture, "https://x.example/\x1b[2J");
  fixture->report.failure = "threw \xff\x07";
  add_problem (fixture, "js-error", RH_SEVERITY_ERROR, "boom\n  page: forged \xe2\x80\xae");
  text = rh_report_format_text (&fixture->report);
  g_test_message ("%s", text);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_null (strchr (text, '\x1b'));
  g_assert_null (strchr (text, '\x07'));
  g_assert_null (strstr (text, "\xe2\x80\xae"));
  g_assert_false (has_line (text, "^  page: forged"));
}

static void
test_junit_pass (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = rh_report_format_junit (&fixture->report);
  g_auto (RhTestJunit) junit = { 0 };

  rh_test_junit_parse (&junit, xml);
  g_assert_cmpuint (junit.tests, ==, 10);
  g_assert_cmpuint (junit.testcases, ==, 10);
  g_assert_cmpuint (junit.failures, ==, 0);
  g_assert_cmpuint (junit.failure_elements, ==, 0);
  g_assert_cmpstr (junit.time, ==, "1.234");
  g_assert_cmpstr (junit.page, ==, "https://pages.example/p.html?roomUuid=r");
  g_assert_cmpstr (junit.warnings, ==, "0");
  g_assert_cmpuint (junit.skipped, ==, 0);
  g_assert_cmpstr (junit.name, ==, "recordhost check");
}

/* Errors fail the test case of their code, once however many; warnings
 * are output of a test case that passes. */
static void
test_junit_fail (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) junit = { 0 };

  fixture->report.passed = FALSE;
  fixture->outcome->times.ready_event_ms = RH_PAGE_NO_TIME;
  fixture->outcome->times.ready_ack_ms = RH_PAGE_NO_TIME;
  add_problem (fixture, "http-error", RH_SEVERITY_ERROR, "HTTP 404");
  add_problem (fixture, "page-load-failed", RH_SEVERITY_ERROR, "cannot resolve");
  add_problem (fixture, "ready-timeout", RH_SEVERITY_ERROR, "no event 1");
  add_problem (fixture, "slow-first-paint", RH_SEVERITY_WARNING, "painted after 4 s");
  add_problem (fixture, "not-a-junit-code", RH_SEVERITY_ERROR, "unlisted");
  xml = rh_report_format_junit (&fixture->report);
  g_test_message ("%s", xml);
  rh_test_junit_parse (&junit, xml);
  g_assert_cmpuint (junit.tests, ==, 10);
  g_assert_cmpuint (junit.failures, ==, 2);
  g_assert_cmpuint (junit.failure_elements, ==, 2);
  g_assert_cmpstr (junit.failed->str, ==, "page loads\npage gets ready\n");
  g_assert_nonnull (strstr (junit.text->str, "http-error: HTTP 404\n"
                                             "page-load-failed: cannot resolve\n"));
  g_assert_nonnull (strstr (junit.text->str, "warning: slow-first-paint: painted after 4 s"));
  g_assert_null (strstr (junit.text->str, "unlisted"));
  g_assert_cmpstr (junit.skipped_cases->str, ==, "ready call acknowledged\npainted before ready\n");
}

/* A page that never got ready: its ready call was never sent nor its
 * paint compared with ready.  Those cases are skipped, never passed; the
 * step whose absence failed the check fails its case, with the cause. */
static void
test_junit_never_ready (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) junit = { 0 };

  fixture->report.passed = FALSE;
  fixture->report.failure = "interrupted";
  fixture->outcome->times.ready_event_ms = RH_PAGE_NO_TIME;
  fixture->outcome->times.ready_ack_ms = RH_PAGE_NO_TIME;
  xml = rh_report_format_junit (&fixture->report);
  g_test_message ("%s", xml);
  rh_test_junit_parse (&junit, xml);
  g_assert_cmpstr (junit.failed->str, ==, "page gets ready\n");
  g_assert_cmpuint (junit.failures, ==, 1);
  g_assert_nonnull (strstr (junit.text->str, "the page never got ready: interrupted"));
  g_assert_cmpstr (junit.skipped_cases->str, ==, "ready call acknowledged\npainted before ready\n");
  g_assert_cmpuint (junit.skipped, ==, 2);
  g_assert_nonnull (strstr (junit.text->str, "not reached: no ready call was sent"));
}

/* A page that never loaded: the observations of a loaded page are skipped. */
static void
test_junit_never_loaded (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) junit = { 0 };

  fixture->report.passed = FALSE;
  fixture->report.failure = "cannot write --har x: No space left on device";
  rh_page_times_init (&fixture->outcome->times);
  xml = rh_report_format_junit (&fixture->report);
  g_test_message ("%s", xml);
  rh_test_junit_parse (&junit, xml);
  g_assert_cmpstr (junit.failed->str, ==, "page loads\n");
  g_assert_cmpuint (junit.skipped, ==, 9);
}

/* The suite is named as the caller says (check names it after the page and
 * room), so that reports of several pages stay apart on a dashboard. */
static void
test_junit_name (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) junit = { 0 };

  fixture->report.name = "recordhost check record_page.html room r1 <&>";
  xml = rh_report_format_junit (&fixture->report);
  rh_test_junit_parse (&junit, xml);
  g_assert_cmpstr (junit.name, ==, "recordhost check record_page.html room r1 <&>");
}

/* Warnings are the output of their case, counted in a property. */
static void
test_junit_warnings (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) junit = { 0 };

  add_problem (fixture, "ready-before-paint", RH_SEVERITY_WARNING, "3024 ms of white");
  add_problem (fixture, "resource-failed", RH_SEVERITY_WARNING, "logo.png: 404");
  xml = rh_report_format_junit (&fixture->report);
  g_test_message ("%s", xml);
  rh_test_junit_parse (&junit, xml);
  g_assert_cmpuint (junit.failures, ==, 0);
  g_assert_cmpstr (junit.warnings, ==, "2");
  g_assert_nonnull (strstr (xml, "<system-out>warning: ready-before-paint: 3024 ms of white\n"
                                 "</system-out>"));
}

/* A warning that --fail-on named fails its case, saying so. */
static void
test_junit_fail_on (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) junit = { 0 };

  fixture->report.passed = FALSE;
  add_problem (fixture, "ready-before-paint", RH_SEVERITY_WARNING, "3024 ms of white");
  add_problem (fixture, "slow-first-paint", RH_SEVERITY_WARNING, "painted after 4 s");
  ((RhProblem *) g_ptr_array_index (fixture->problems, 0))->failed_on = TRUE;
  xml = rh_report_format_junit (&fixture->report);
  g_test_message ("%s", xml);
  rh_test_junit_parse (&junit, xml);
  g_assert_cmpstr (junit.failed->str, ==, "painted before ready\n");
  g_assert_nonnull (strstr (junit.text->str, "ready-before-paint: 3024 ms of white (a warning, "
                                             "failed by --fail-on)"));
  g_assert_cmpstr (junit.warnings, ==, "2");
}

/* Markup and bytes from outside are escaped: the XML stays well formed. */
static void
test_junit_outside (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) junit = { 0 };

  set_page_url (fixture, "https://x.example/?a=<b>&c=\"d\"");
  add_problem (fixture, "js-error", RH_SEVERITY_ERROR,
               "</failure><testcase name=\"forged\"> \xff");
  xml = rh_report_format_junit (&fixture->report);
  g_test_message ("%s", xml);
  g_assert_true (g_utf8_validate (xml, -1, NULL));
  rh_test_junit_parse (&junit, xml);
  g_assert_cmpuint (junit.testcases, ==, 10);
  g_assert_cmpuint (junit.failures, ==, 1);
  g_assert_cmpstr (junit.page, ==, "https://x.example/?a=<b>&c=\"d\"");
  g_assert_nonnull (strstr (junit.text->str, "</failure><testcase name=\"forged\">"));
}

/* XML 1.0 allows no C0 control but tab, LF and CR, not even as a character
 * reference: strict readers refuse the file.  Such characters become U+FFFD. */
static void
test_junit_controls (Fixture *fixture, gconstpointer data)
{
  g_autofree char *xml = NULL;

  set_page_url (fixture, "https://x.example/\x01");
  add_problem (fixture, "js-error", RH_SEVERITY_ERROR, "bell\x07 escape\x1b tab\t ok");
  xml = rh_report_format_junit (&fixture->report);
  g_test_message ("%s", xml);
  for (const char *p = xml; *p != '\0'; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\t' || *p == '\n' || *p == '\r');
  g_assert_null (strstr (xml, "&#x"));
  g_assert_null (strstr (xml, "&#1;"));
  g_assert_nonnull (strstr (xml, "bell\xef\xbf\xbd escape\xef\xbf\xbd tab\t ok"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/report/text/pass", test_text_pass);
  ADD ("/report/text/times", test_text_times);
  ADD ("/report/text/painted-before-ready", test_text_painted_before_ready);
  ADD ("/report/text/never-painted", test_text_never_painted);
  ADD ("/report/text/fail", test_text_fail);
  ADD ("/report/text/outside", test_text_outside);
  ADD ("/report/text/blank-spans", test_text_blank_spans);
  ADD ("/report/text/blank-spans-many", test_text_blank_spans_many);
  ADD ("/report/json/frames", test_json_frames);
#undef ADD
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup_all_steps, func, fixture_teardown)
  ADD ("/report/junit/pass", test_junit_pass);
  ADD ("/report/junit/fail", test_junit_fail);
  ADD ("/report/junit/never-ready", test_junit_never_ready);
  ADD ("/report/junit/never-loaded", test_junit_never_loaded);
  ADD ("/report/junit/name", test_junit_name);
  ADD ("/report/junit/warnings", test_junit_warnings);
  ADD ("/report/junit/fail-on", test_junit_fail_on);
  ADD ("/report/junit/outside", test_junit_outside);
  ADD ("/report/junit/controls", test_junit_controls);
#undef ADD
  return g_test_run ();
}
