/* src/rh-record-request.c: the body of "start recording" (PUT
 * .../records/states/1) and of its update (PATCH), as the local cloud gets
 * them from any API client.  The input is the body, not terminated. */
#include "fuzz-common.h"
#include "rh-record-config.h"
#include "rh-record-request.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  const char *body = (const char *) data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) update_error = NULL;
  g_autoptr (RhRecordRequest) request = rh_record_request_parse (body, size, &error);
  gboolean on_hold = TRUE;
  gboolean has_on_hold = FALSE;

  rh_fuzz_check ((request == NULL) == (error != NULL));
  if (request != NULL)
    {
      RhRecordConfig size_config = { request->width, request->height };

      /* What was accepted is within the cloud's limits. */
      rh_fuzz_check (request->url != NULL && *request->url != '\0');
      rh_fuzz_check (rh_record_config_validate (&size_config, NULL));
      rh_fuzz_check (request->bitrate_kbps >= 50 && request->bitrate_kbps <= 8000);
      rh_fuzz_check (request->fps >= 5 && request->fps <= 60);
      rh_fuzz_check (request->max_recording_hours >= 1 && request->max_recording_hours <= 720);
      rh_fuzz_check (request->retry_timeout_s >= 1 && request->retry_timeout_s <= 3600);
    }
  else
    rh_fuzz_check (error->domain == RH_RECORD_REQUEST_ERROR);

  if (rh_record_request_update (body, size, &on_hold, &has_on_hold, &update_error))
    rh_fuzz_check (update_error == NULL);
  else
    rh_fuzz_check (update_error != NULL);
  return 0;
}
