/* What a run is told (rh-run.h), with the recording server's defaults. */
#include "rh-run.h"

#include "rh-recorder.h"
#include "rh-recording-policy.h"

RhRunOptions *
rh_run_options_new (void)
{
  RhRunOptions *options = g_new0 (RhRunOptions, 1);

  options->page = rh_page_options_new ();
  options->retry_timeout_s = RH_RECORDING_POLICY_DEFAULT_RETRY_TIMEOUT_S;
  options->video_fps = RH_RECORDER_DEFAULT_FPS;
  return options;
}

void
rh_run_options_free (RhRunOptions *options)
{
  if (options == NULL)
    return;
  rh_page_options_free (options->page);
  g_free (options->state_log);
  g_free (options->record);
  g_free (options->record_id);
  g_free (options);
}
