#include "rh-report.h"

#include <string.h>

#include "rh-text.h"

static void
append_ms (GString *out, const char *label, gint64 ms)
{
  if (ms == RH_PAGE_NO_TIME)
    g_string_append_printf (out, "    %-26s -\n", label);
  else
    g_string_append_printf (out, "    %-26s %6" G_GINT64_FORMAT " ms\n", label, ms);
}

/* "@prefix@text\n", @text from outside and made printable. */
static void
append_line (GString *out, const char *prefix, const char *text)
{
  g_autofree char *printable = rh_text_printable (text);

  g_string_append_printf (out, "%s%s\n", prefix, printable);
}

/* "WPE WebKit 2.38.6, WebRTC stand-in; missing here, used by the page: ..." */
static void
append_engine (GString *out, const RhPageEngine *engine)
{
  g_autoptr (GString) text = g_string_new (NULL);

  if (engine->name == NULL)
    return;
  g_string_printf (text, "%s %s", engine->name, engine->version);
  if (engine->webrtc == RH_WEBRTC_STANDIN)
    g_string_append (text, ", WebRTC stand-in");
  else if (engine->capabilities != NULL
           && json_object_get_boolean_member_with_default (engine->capabilities,
                                                           "RTCPeerConnection", FALSE))
    g_string_append (text, ", its own WebRTC");
  else
    g_string_append (text, ", no WebRTC (--webrtc=absent)");
  for (guint i = 0; i < engine->missing_touched->len; i++)
    g_string_append_printf (text, "%s%s", i == 0 ? "; missing here, used by the page: " : ", ",
                            (const char *) g_ptr_array_index (engine->missing_touched, i));
  append_line (out, "  engine: ", text->str);
}

/* The SDK as its bundle names itself, and as its object does. */
static void
append_sdk (GString *out, const RhPageLaunch *launch)
{
  g_autofree char *text = NULL;

  if (launch->bundle_version != NULL && launch->sdk_version != NULL
      && !g_str_equal (launch->bundle_version, launch->sdk_version))
    text = g_strdup_printf ("%s (its bundle's version; AgoraEduSDK says %s)",
                            launch->bundle_version, launch->sdk_version);
  else if (launch->bundle_version != NULL)
    text = g_strdup (launch->bundle_version);
  else if (launch->sdk_version != NULL)
    text = g_strdup_printf ("%s (as AgoraEduSDK says; its bundle names none)",
                            launch->sdk_version);
  if (text != NULL)
    append_line (out, "  SDK: ", text);
}

/* The summary names this many blank spans, and counts the others. */
#define TEXT_MAX_SPANS 20

/* Every span of white, and how much of it a recording started at the ready
 * call (or at the hold's release) would begin with. */
static void
append_blank_spans (GString *out, const RhPageOutcome *outcome)
{
  const GArray *spans = rh_frame_log_get_blank_spans (outcome->frames);
  guint more = rh_frame_log_count_dropped_spans (outcome->frames);
  const RhPageTimes *times = &outcome->times;

  if (spans->len == 0)
    return;
  g_string_append (out, "  blank:");
  for (guint i = 0; i < spans->len; i++)
    {
      const RhBlankSpan *span = &g_array_index (spans, RhBlankSpan, i);

      if (i == TEXT_MAX_SPANS)
        {
          more += spans->len - i;
          break;
        }
      g_string_append (out, i == 0 ? " " : ", ");
      if (span->end_ms == -1)
        g_string_append_printf (out, "from %" G_GINT64_FORMAT " ms to the end", span->start_ms);
      else
        g_string_append_printf (out, "%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT " ms",
                                span->start_ms, span->end_ms);
    }
  if (more > 0)
    g_string_append_printf (out, " and %u more", more);
  g_string_append_c (out, '\n');
  if (times->ready_call_ms != RH_PAGE_NO_TIME)
    g_string_append_printf (out, "  blank %" G_GINT64_FORMAT " ms before the ready call\n",
                            rh_frame_log_blank_ms_before (outcome->frames, times->ready_call_ms));
  if (times->hold_release_ms != RH_PAGE_NO_TIME)
    g_string_append_printf (out, "  blank %" G_GINT64_FORMAT " ms before the hold's release\n",
                            rh_frame_log_blank_ms_before (outcome->frames,
                                                          times->hold_release_ms));
}

char *
rh_report_format_text (const RhReport *report)
{
  GString *out = g_string_new (NULL);
  const RhPageTimes *times = &report->outcome->times;

  g_string_append_printf (out, "\nrecordhost check: %s\n", report->passed ? "PASS" : "FAIL");
  append_line (out, "  page: ", report->outcome->page_url);
  if (report->failure != NULL)
    append_line (out, "  cause: ", report->failure);
  if (report->problems->len == 0)
    g_string_append (out, "  problems: none\n");
  else
    g_string_append (out, "  problems:\n");
  for (guint i = 0; i < report->problems->len; i++)
    {
      const RhProblem *problem = g_ptr_array_index (report->problems, i);
      g_autofree char *prefix = g_strdup_printf ("    %-7s %-19s %s%s%s",
                                                 rh_severity_name (problem->severity),
                                                 problem->code,
                                                 problem->offline != NULL ? "(" : "",
                                                 problem->offline != NULL ? problem->offline : "",
                                                 problem->offline != NULL ? ") " : "");

      append_line (out, prefix, problem->message);
    }
  append_engine (out, &report->outcome->engine);
  append_sdk (out, &report->outcome->launch);
  g_string_append (out, "  times since navigation start:\n");
  append_ms (out, "committed", times->committed_ms);
  append_ms (out, "DOM loaded", times->dom_loaded_ms);
  append_ms (out, "load finished", times->load_finished_ms);
  append_ms (out, "first frame", times->first_frame_ms);
  append_ms (out, "first painted frame", times->first_nonblank_ms);
  append_ms (out, "AgoraEduSDK.launch", times->launch_ms);
  append_ms (out, "ready (event 1)", times->ready_event_ms);
  append_ms (out, "ready call acknowledged", times->ready_ack_ms);
  if (times->first_nonblank_ms != RH_PAGE_NO_TIME)
    g_string_append_printf (out, "  the page was blank for %" G_GINT64_FORMAT " ms%s\n",
                            times->first_nonblank_ms,
                            times->ready_event_ms != RH_PAGE_NO_TIME
                                && times->first_nonblank_ms > times->ready_event_ms
                              ? ", longer than it took to get ready"
                              : "");
  else if (times->committed_ms != RH_PAGE_NO_TIME)
    g_string_append (out, "  the page never painted\n");
  append_blank_spans (out, report->outcome);
  for (guint i = 0; report->pictures != NULL && i < report->pictures->len; i++)
    append_line (out, i == 0 ? "  pictures: " : "            ",
                 g_ptr_array_index (report->pictures, i));
  return g_string_free (out, FALSE);
}

/* What a test case needs to have happened to say anything: a case whose
 * step never came is not a pass. */
typedef enum
{
  NEEDS_COMMIT,   /* observations of a loaded page */
  NEEDS_LAUNCH,
  NEEDS_READY,
  NEEDS_ACK,
  NEEDS_PAINT,
} CaseNeed;

/* What each JUnit test case covers: the problem codes that fail or warn it,
 * and what it needs.  A case whose step never came is never a pass.  The
 * first core step (the page loading, getting ready, its ready call
 * acknowledged) that never came in a failed check fails its case, unless
 * an earlier case failed already: that absence is what the check is for.
 * Every other case whose step never came is skipped, as not reached:
 * failing it too would blame the page twice for one cause (the ready call
 * of a page that never got ready was never sent). */
static const struct
{
  const char *name;
  const char *codes[3];
  CaseNeed need;
  gboolean core;
} junit_cases[] = {
  { "page loads", { "page-load-failed", "http-error", NULL }, NEEDS_COMMIT, TRUE },
  { "resources load", { "resource-failed", NULL }, NEEDS_COMMIT, FALSE },
  { "no uncaught JavaScript errors", { "js-error", NULL }, NEEDS_COMMIT, FALSE },
  { "AgoraEduSDK.launch is called", { "launch-not-called", NULL }, NEEDS_LAUNCH, FALSE },
  { "page gets ready", { "ready-timeout", NULL }, NEEDS_READY, TRUE },
  { "ready call acknowledged", { "ready-call-failed", NULL }, NEEDS_ACK, TRUE },
  { "room parameters supplied", { "missing-param", NULL }, NEEDS_COMMIT, FALSE },
  { "painted before ready", { "ready-before-paint", NULL }, NEEDS_READY, FALSE },
  { "first paint in time", { "slow-first-paint", NULL }, NEEDS_PAINT, FALSE },
  { "engine has what the page uses", { "engine-missing-feature", NULL }, NEEDS_COMMIT, FALSE },
};

/* Why the step @need did not happen, NULL when it did. */
static const char *
missing_step (const RhPageTimes *times, CaseNeed need)
{
  switch (need)
    {
    case NEEDS_COMMIT:
      return times->committed_ms == RH_PAGE_NO_TIME ? "the page never loaded" : NULL;
    case NEEDS_LAUNCH:
      return times->launch_ms == RH_PAGE_NO_TIME ? "AgoraEduSDK.launch was not called"
                                                       : NULL;
    case NEEDS_READY:
      return times->ready_event_ms == RH_PAGE_NO_TIME ? "the page never got ready" : NULL;
    case NEEDS_ACK:
      if (times->ready_event_ms == RH_PAGE_NO_TIME)
        return "no ready call was sent: the page never got ready";
      return times->ready_ack_ms == RH_PAGE_NO_TIME
               ? "the ready call was never acknowledged" : NULL;
    case NEEDS_PAINT:
      return times->first_nonblank_ms == RH_PAGE_NO_TIME ? "the page never painted" : NULL;
    }
  return NULL;
}

static void
append_escaped (GString *out, const char *text)
{
  /* g_markup_escape_text () passes invalid UTF-8 through and writes control
   * characters as character references, which XML 1.0 forbids for all of
   * C0 but tab, LF and CR: strict JUnit readers would refuse the file. */
  g_autofree char *valid = g_utf8_make_valid (text, -1);
  g_autoptr (GString) legal = g_string_sized_new (strlen (valid));
  g_autofree char *escaped = NULL;

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0xfffe || c == 0xffff)
        g_string_append_unichar (legal, 0xfffd);
      else
        g_string_append_unichar (legal, c);
    }
  escaped = g_markup_escape_text (legal->str, -1);
  g_string_append (out, escaped);
}

static void
append_attribute (GString *out, const char *name, const char *value)
{
  g_string_append_printf (out, " %s=\"", name);
  append_escaped (out, value);
  g_string_append_c (out, '"');
}

/* A <failure> or <skipped> whose message is @text. */
static void
append_outcome (GString *out, const char *element, const char *text)
{
  g_string_append_printf (out, "      <%s", element);
  append_attribute (out, "message", text);
  g_string_append (out, ">");
  append_escaped (out, text);
  g_string_append_printf (out, "</%s>\n", element);
}

typedef struct
{
  guint tests;
  guint failures;
  guint skipped;
  gint64 duration_ms;
} SuiteCounts;

/* One page's test suite, its counts added to @totals. */
static void
append_suite (GString *out, const RhReport *report, SuiteCounts *totals)
{
  guint failures = 0;
  guint skipped = 0;
  guint warning_count = 0;
  g_autoptr (GString) cases = g_string_new (NULL);
  const char *name = report->name != NULL ? report->name : "recordhost check";
  guint tests = G_N_ELEMENTS (junit_cases);
  gboolean failed_before = FALSE;

  for (guint c = 0; c < G_N_ELEMENTS (junit_cases); c++)
    {
      g_autoptr (GString) errors = g_string_new (NULL);
      g_autoptr (GString) warnings = g_string_new (NULL);
      const char *missing = missing_step (&report->outcome->times, junit_cases[c].need);

      for (guint i = 0; i < report->problems->len; i++)
        {
          const RhProblem *problem = g_ptr_array_index (report->problems, i);

          if (!g_strv_contains (junit_cases[c].codes, problem->code))
            continue;
          if (problem->severity == RH_SEVERITY_WARNING)
            {
              warning_count++;
              g_string_append_printf (warnings, "warning: %s: %s\n", problem->code,
                                      problem->message);
            }
          if (rh_problem_fails (problem))
            g_string_append_printf (errors, "%s: %s%s\n", problem->code, problem->message,
                                    problem->failed_on ? " (a warning, failed by --fail-on)"
                                                       : "");
        }
      if (errors->len == 0 && missing != NULL && junit_cases[c].core && !report->passed
          && !failed_before)
        g_string_append_printf (errors, "%s: %s\n", missing,
                                report->failure != NULL ? report->failure : "the check failed");
      g_string_append (cases, "    <testcase");
      append_attribute (cases, "classname", "recordhost.check");
      append_attribute (cases, "name", junit_cases[c].name);
      g_string_append (cases, " time=\"0\">\n");
      if (errors->len > 0)
        {
          failures++;
          failed_before = TRUE;
          append_outcome (cases, "failure", errors->str);
        }
      else if (missing != NULL)
        {
          g_autofree char *why = g_strdup_printf ("not reached: %s", missing);

          skipped++;
          append_outcome (cases, "skipped", why);
        }
      if (warnings->len > 0)
        {
          g_string_append (cases, "      <system-out>");
          append_escaped (cases, warnings->str);
          g_string_append (cases, "</system-out>\n");
        }
      g_string_append (cases, "    </testcase>\n");
    }
  g_string_append (out, "  <testsuite");
  append_attribute (out, "name", name);
  g_string_append_printf (out,
                          " tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\" "
                          "time=\"%.3f\">\n",
                          tests, failures, skipped, report->duration_ms / 1000.0);
  g_string_append (out, "    <properties>\n      <property name=\"page\"");
  append_attribute (out, "value", report->outcome->page_url);
  g_string_append_printf (out,
                          "/>\n      <property name=\"warnings\" value=\"%u\"/>\n"
                          "    </properties>\n",
                          warning_count);
  g_string_append (out, cases->str);
  g_string_append (out, "  </testsuite>\n");
  totals->tests += tests;
  totals->failures += failures;
  totals->skipped += skipped;
  totals->duration_ms += report->duration_ms;
}

/* A test suite a page, in one file: the whole named like its one suite, or
 * "recordhost check" for several. */
char *
rh_report_format_junit_all (const RhReport *reports, guint n_reports)
{
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  g_autoptr (GString) suites = g_string_new (NULL);
  SuiteCounts totals = { 0 };
  const char *name = n_reports == 1 && reports[0].name != NULL ? reports[0].name
                                                               : "recordhost check";

  for (guint i = 0; i < n_reports; i++)
    append_suite (suites, &reports[i], &totals);
  g_string_append (out, "<testsuites");
  append_attribute (out, "name", name);
  g_string_append_printf (out,
                          " tests=\"%u\" failures=\"%u\" errors=\"0\" skipped=\"%u\" "
                          "time=\"%.3f\">\n",
                          totals.tests, totals.failures, totals.skipped,
                          totals.duration_ms / 1000.0);
  g_string_append (out, suites->str);
  g_string_append (out, "</testsuites>\n");
  return g_string_free (out, FALSE);
}

char *
rh_report_format_junit (const RhReport *report)
{
  return rh_report_format_junit_all (report, 1);
}
