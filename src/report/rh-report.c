#include "rh-report.h"

#include <string.h>

#include "rh-text.h"

static void
append_ms (GString *out, const char *label, gint64 ms)
{
  if (ms == RH_PAGE_WATCH_NO_TIME)
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

char *
rh_report_format_text (const RhReport *report)
{
  GString *out = g_string_new (NULL);
  const RhPageWatchTimes *times = report->times;

  g_string_append_printf (out, "\nrecordhost check: %s\n", report->passed ? "PASS" : "FAIL");
  append_line (out, "  page: ", report->page_url);
  if (report->failure != NULL)
    append_line (out, "  cause: ", report->failure);
  if (report->problems->len == 0)
    g_string_append (out, "  problems: none\n");
  else
    g_string_append (out, "  problems:\n");
  for (guint i = 0; i < report->problems->len; i++)
    {
      const RhProblem *problem = g_ptr_array_index (report->problems, i);
      g_autofree char *prefix = g_strdup_printf ("    %-7s %-19s ",
                                                 rh_severity_name (problem->severity),
                                                 problem->code);

      append_line (out, prefix, problem->message);
    }
  if (report->engine != NULL)
    append_line (out, "  engine: ", report->engine);
  g_string_append (out, "  times since navigation start:\n");
  append_ms (out, "committed", times->committed_ms);
  append_ms (out, "DOM loaded", times->dom_loaded_ms);
  append_ms (out, "load finished", times->load_finished_ms);
  append_ms (out, "first frame", times->first_frame_ms);
  append_ms (out, "first painted frame", times->first_nonblank_ms);
  append_ms (out, "AgoraEduSDK.launch", times->launch_ms);
  append_ms (out, "ready (event 1)", times->ready_event_ms);
  append_ms (out, "ready call acknowledged", times->ready_ack_ms);
  if (times->first_nonblank_ms != RH_PAGE_WATCH_NO_TIME)
    g_string_append_printf (out, "  the page was blank for %" G_GINT64_FORMAT " ms%s\n",
                            times->first_nonblank_ms,
                            times->ready_event_ms != RH_PAGE_WATCH_NO_TIME
                                && times->first_nonblank_ms > times->ready_event_ms
                              ? ", longer than it took to get ready"
                              : "");
  else if (times->committed_ms != RH_PAGE_WATCH_NO_TIME)
    g_string_append (out, "  the page never painted\n");
  for (guint i = 0; report->pictures != NULL && i < report->pictures->len; i++)
    append_line (out, i == 0 ? "  pictures: " : "            ",
                 g_ptr_array_index (report->pictures, i));
  return g_string_free (out, FALSE);
}

/* What each JUnit test case covers: the problem codes that fail or warn it. */
static const struct
{
  const char *name;
  const char *codes[3];
} junit_cases[] = {
  { "page loads", { "page-load-failed", "http-error", NULL } },
  { "resources load", { "resource-failed", NULL } },
  { "no uncaught JavaScript errors", { "js-error", NULL } },
  { "AgoraEduSDK.launch is called", { "launch-not-called", NULL } },
  { "page gets ready", { "ready-timeout", NULL } },
  { "ready call acknowledged", { "ready-call-failed", NULL } },
  { "room parameters supplied", { "missing-param", NULL } },
  { "painted before ready", { "ready-before-paint", NULL } },
  { "first paint in time", { "slow-first-paint", NULL } },
  { "engine has what the page uses", { "engine-missing-feature", NULL } },
};

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

char *
rh_report_format_junit (const RhReport *report)
{
  GString *out = g_string_new ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
  guint failures = 0;
  GString *cases = g_string_new (NULL);

  for (guint c = 0; c < G_N_ELEMENTS (junit_cases); c++)
    {
      g_autoptr (GString) errors = g_string_new (NULL);
      g_autoptr (GString) warnings = g_string_new (NULL);

      for (guint i = 0; i < report->problems->len; i++)
        {
          const RhProblem *problem = g_ptr_array_index (report->problems, i);

          if (!g_strv_contains (junit_cases[c].codes, problem->code))
            continue;
          g_string_append_printf (problem->severity == RH_SEVERITY_ERROR ? errors : warnings,
                                  "%s: %s\n", problem->code, problem->message);
        }
      g_string_append (cases, "    <testcase classname=\"recordhost.check\" name=\"");
      append_escaped (cases, junit_cases[c].name);
      g_string_append (cases, "\">\n");
      if (errors->len > 0)
        {
          failures++;
          g_string_append (cases, "      <failure message=\"");
          append_escaped (cases, errors->str);
          g_string_append (cases, "\">");
          append_escaped (cases, errors->str);
          g_string_append (cases, "</failure>\n");
        }
      if (warnings->len > 0)
        {
          g_string_append (cases, "      <system-out>warning: ");
          append_escaped (cases, warnings->str);
          g_string_append (cases, "</system-out>\n");
        }
      g_string_append (cases, "    </testcase>\n");
    }
  g_string_append_printf (out,
                          "<testsuites tests=\"%u\" failures=\"%u\">\n"
                          "  <testsuite name=\"recordhost check\" tests=\"%u\" failures=\"%u\" "
                          "errors=\"0\" time=\"%.3f\">\n",
                          (guint) G_N_ELEMENTS (junit_cases), failures,
                          (guint) G_N_ELEMENTS (junit_cases), failures,
                          report->duration_ms / 1000.0);
  g_string_append (out, "    <properties>\n      <property name=\"page\" value=\"");
  append_escaped (out, report->page_url);
  g_string_append (out, "\"/>\n    </properties>\n");
  g_string_append (out, cases->str);
  g_string_append (out, "  </testsuite>\n</testsuites>\n");
  g_string_free (cases, TRUE);
  return g_string_free (out, FALSE);
}
