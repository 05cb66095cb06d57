#include "rh-cli-end.h"

#include "rh-error.h"
#include "rh-text.h"

/* A usage error: the cause, then where help is. */
int
rh_cli_usage_error (const char *message)
{
  g_autoptr (GError) error = g_error_new_literal (RH_ERROR, RH_ERROR_INVALID_INPUT, message);

  rh_cli_end (NULL, error);
  g_printerr ("Try '%s --help' for more information.\n", g_get_prgname ());
  return rh_error_exit_status (error);
}

/* How a command ends: the failure line, when it failed, and the exit status.
 * Outside text in the line cannot act on the terminal, and the timeline's
 * secrets, when there is a timeline, are redacted. */
int
rh_cli_end (RhTimeline *timeline, const GError *error)
{
  g_autofree char *message = NULL;
  g_autofree char *printable = NULL;

  if (error == NULL)
    return rh_error_exit_status (error);
  message = timeline != NULL ? rh_timeline_redact (timeline, error->message)
                             : g_strdup (error->message);
  printable = rh_text_printable (message);
  g_printerr ("%s: %s\n", g_get_prgname (), printable);
  return rh_error_exit_status (error);
}
