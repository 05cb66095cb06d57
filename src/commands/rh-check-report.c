/* What a check makes of its page: the problems found, the report in words,
 * JSON and JUnit, the pictures and the HAR. */
#include "rh-check-private.h"

#include <string.h>

#include "rh-error.h"
#include "rh-fs.h"
#include "rh-har.h"
#include "rh-page-json.h"
#include "rh-problems.h"
#include "rh-report.h"
#include "rh-snapshots.h"

void
rh_check_find_problems (RhCheck *self)
{
  rh_page_session_conclude (self->session, self->error);
  self->outcome = rh_page_session_get_outcome (self->session);
  self->problems = g_ptr_array_ref (rh_page_session_get_problems (self->session));
}

static void
report_init (RhCheck *self, RhReport *report, char **failure)
{
  *failure = self->error != NULL ? rh_timeline_redact (self->timeline, self->error->message)
                                 : NULL;
  report->name = self->options->junit_name;
  report->passed = self->finished && self->error == NULL;
  report->failure = *failure;
  report->problems = self->problems;
  report->outcome = self->outcome;
  report->duration_ms = self->end_ms;
  report->pictures = self->pictures;
}

/* The human summary, for stderr at the end. */
char *
rh_check_format_report (RhCheck *check)
{
  g_autofree char *failure = NULL;
  RhReport report;

  report_init (check, &report, &failure);
  return rh_report_format_text (&report);
}

/* An output asked for and not written fails the check, whatever the page
 * did: a pass would leave a pipeline without its report.  The failure
 * joins any other, on one line. */
static void
fail_output (RhCheck *self, const GError *error)
{
  GError *failure;

  rh_timeline_add (self->timeline, "output-failed", NULL, "%s", error->message);
  if (self->error == NULL)
    failure = g_error_copy (error);
  else
    failure = g_error_new (self->error->domain, self->error->code, "%s; %s",
                           self->error->message, error->message);
  g_clear_error (&self->error);
  self->error = failure;
}

/* Writes the outputs asked for, each whole or not at all; the JUnit report
 * last, so that it tells of the others' failures. */
void
rh_check_write_outputs (RhCheck *self)
{
  g_autoptr (GError) error = NULL;

  if (self->options->snapshots_dir != NULL && self->watch != NULL)
    {
      self->pictures = rh_snapshots_write_all (self->outcome, self->options->snapshots_dir,
                                               self->end_ms, &error);
      if (self->pictures == NULL)
        {
          g_prefix_error (&error, "cannot write --snapshots ");
          fail_output (self, error);
          g_clear_error (&error);
        }
    }
  if (self->options->har != NULL && self->watch != NULL
      && !rh_har_write (self->options->har, self->outcome, &error))
    {
      fail_output (self, error);
      g_clear_error (&error);
    }
  if (self->options->junit != NULL)
    {
      g_autofree char *failure = NULL;
      g_autofree char *xml = NULL;
      RhReport report;

      report_init (self, &report, &failure);
      xml = rh_report_format_junit (&report);

      if (!rh_fs_write_atomic (self->options->junit, xml, strlen (xml), &error))
        {
          g_prefix_error (&error, "cannot write --junit ");
          fail_output (self, error);
        }
    }
}

/* One JUnit file with a test suite for each of @checks (RhCheck, each
 * finished), for checks run side by side. */
char *
rh_check_format_junit_all (GPtrArray *checks)
{
  g_autofree RhReport *reports = g_new0 (RhReport, MAX (checks->len, 1));
  g_autoptr (GPtrArray) failures = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < checks->len; i++)
    {
      char *failure;

      report_init (g_ptr_array_index (checks, i), &reports[i], &failure);
      g_ptr_array_add (failures, failure);
    }
  return rh_report_format_junit_all (reports, checks->len);
}

/* The exit status the outcome gives: 0 for a pass (see rh_error_exit_status). */
int
rh_check_get_exit_status (RhCheck *check)
{
  return rh_error_exit_status (check->error);
}

JsonNode *
rh_check_to_json (RhCheck *check)
{
  RhCheck *self = check;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  const RhPageTimes *times = &self->outcome->times;
  RhReadyCall *call = rh_page_session_get_ready_call (self->session);
  g_autofree char *ready_url = rh_page_session_redact (self->session,
                                                       rh_ready_call_get_uri (call));

  json_builder_begin_object (builder);
  rh_page_session_add_outcome_json (self->session, builder, "verdict",
                                    self->finished && self->error == NULL ? "pass" : "fail",
                                    rh_check_get_exit_status (self), self->error);
  json_builder_set_member_name (builder, "viewport");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "width");
  json_builder_add_int_value (builder, self->options->record.width);
  json_builder_set_member_name (builder, "height");
  json_builder_add_int_value (builder, self->options->record.height);
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "ready_protocol");
  json_builder_add_string_value (builder, rh_ready_protocol_describe (self->options->ready));
  json_builder_set_member_name (builder, "http_status");
  json_builder_add_int_value (builder, times->http_status);

  json_builder_set_member_name (builder, "ready_call");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "url");
  json_builder_add_string_value (builder, ready_url);
  json_builder_set_member_name (builder, "attempts");
  json_builder_add_int_value (builder, rh_ready_call_get_attempts (call));
  json_builder_set_member_name (builder, "status");
  json_builder_add_int_value (builder, rh_ready_call_get_status (call));
  json_builder_set_member_name (builder, "acknowledged");
  json_builder_add_boolean_value (builder, times->ready_ack_ms != RH_PAGE_NO_TIME);
  json_builder_end_object (builder);

  json_builder_set_member_name (builder, "timeline");
  json_builder_begin_object (builder);
  rh_page_json_add_times (times, builder);
  json_builder_end_object (builder);

  rh_problems_add_json (self->problems, builder);
  rh_page_session_add_page_json (self->session, builder, TRUE);
  json_builder_set_member_name (builder, "pictures");
  json_builder_begin_array (builder);
  for (guint i = 0; self->pictures != NULL && i < self->pictures->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (self->pictures, i));
  json_builder_end_array (builder);
  return rh_page_session_end_json (self->session, builder);
}
