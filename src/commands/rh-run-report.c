/* What is reported of a run: its exit status, its recording's failure and
 * its --json report. */
#include "rh-run-private.h"

#include "rh-error.h"
#include "rh-page-json.h"
#include "rh-problems.h"

/* 0 for a run that stopped normally, 1 for one that failed or gave up
 * (see rh_error_exit_status). */
int
rh_run_get_exit_status (RhRun *run)
{
  return rh_error_exit_status (run->error);
}

/* Why the recording failed (it could not start, be written or be
 * finished), NULL for no failure (yet); known before the state event that
 * ends the run, but for a failure to finish the file. */
const GError *
rh_run_get_recording_error (RhRun *run)
{
  return run->recording_error;
}

JsonNode *
rh_run_to_json (RhRun *run)
{
  RhRun *self = run;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gboolean gave_up = self->policy != NULL && rh_recording_policy_gave_up (self->policy);
  const RhPageOutcome *outcome = rh_page_session_get_outcome (self->session);

  json_builder_begin_object (builder);
  rh_page_session_add_outcome_json (self->session, builder, "result",
                                    self->error == NULL ? "stopped"
                                    : gave_up           ? "abandoned"
                                                        : "failed",
                                    rh_run_get_exit_status (self), self->error);
  json_builder_set_member_name (builder, "record_id");
  if (self->policy != NULL)
    json_builder_add_string_value (builder, rh_recording_policy_get_record_id (self->policy));
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "loads");
  json_builder_add_int_value (builder,
                              self->policy != NULL ? rh_recording_policy_get_attempt (self->policy)
                                                   : 0);
  json_builder_set_member_name (builder, "crashes");
  json_builder_add_int_value (builder, self->crashes);
  json_builder_set_member_name (builder, "state_events");
  json_builder_add_value (builder, json_node_init_array (json_node_alloc (), self->state_events));
  json_builder_set_member_name (builder, "last_load");
  json_builder_begin_object (builder);
  if (outcome != NULL)
    rh_page_json_add_times (&outcome->times, builder);
  json_builder_end_object (builder);
  rh_problems_add_json (self->problems, builder);
  if (outcome != NULL)
    rh_page_session_add_page_json (self->session, builder, FALSE);
  return rh_page_session_end_json (self->session, builder);
}

/* NULL before rh_run_start_async (). */
const char *
rh_run_get_record_id (RhRun *run)
{
  return run->policy != NULL ? rh_recording_policy_get_record_id (run->policy) : NULL;
}
