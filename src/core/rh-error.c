#include "rh-error.h"

G_DEFINE_QUARK (recordhost-error-quark, rh_error)

/* 0 no error; 2 a usage error or invalid input; 1 anything else. */
int
rh_error_exit_status (const GError *error)
{
  if (error == NULL)
    return 0;
  if (g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT))
    return 2;
  return 1;
}
