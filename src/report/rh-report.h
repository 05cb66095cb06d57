/* The end of a check for people and for CI: a one-screen summary and a
 * JUnit XML report with one test case per aspect checked. */
#pragma once

#include <glib.h>

#include "rh-page-outcome.h"
#include "rh-problems.h"

G_BEGIN_DECLS

typedef struct
{
  const char *name;               /* the JUnit test suite's, NULL: "recordhost check" */
  gboolean passed;
  const char *failure;            /* redacted, NULL when passed */
  const GPtrArray *problems;      /* RhProblem */
  const RhPageOutcome *outcome;
  gint64 duration_ms;
  const GPtrArray *pictures;      /* paths, may be NULL */
} RhReport;

char *rh_report_format_text  (const RhReport *report);
char *rh_report_format_junit (const RhReport *report);
char *rh_report_format_junit_all (const RhReport *reports, guint n_reports);

G_END_DECLS
