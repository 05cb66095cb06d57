/* src/rh-ready-call.c: how the answer to the ready call is judged.  The
 * input is the HTTP status (two bytes, big-endian, below 1000) and the body. */
#include "fuzz-common.h"
#include "rh-ready-call.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *msg = NULL;
  gint64 code = -1;
  guint status;
  gboolean ok;

  if (size < 2)
    return 0;
  status = ((guint) data[0] << 8 | data[1]) % 1000;
  body = g_bytes_new (data + 2, size - 2);
  ok = rh_ready_reply_parse (status, body, &code, &msg, &error);
  /* Success is 2xx and code 0, nothing else; anything else is one error. */
  rh_fuzz_check (ok == (error == NULL));
  if (ok)
    rh_fuzz_check (status >= 200 && status <= 299 && code == 0);
  else
    {
      rh_fuzz_check (error->domain == RH_READY_CALL_ERROR);
      rh_fuzz_check ((error->code == RH_READY_CALL_ERROR_HTTP)
                     == (status < 200 || status > 299));
      rh_fuzz_check (!rh_ready_call_error_is_transient (error));
    }
  return 0;
}
