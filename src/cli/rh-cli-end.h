/* How a command of the command line ends: the failure in one line on stderr,
 * and the exit status.  Every exit status is rh_error_exit_status () of what
 * ended the command: 0 done, 1 failed, 2 usage error or invalid input. */
#pragma once

#include <glib.h>

#include "rh-timeline.h"

G_BEGIN_DECLS

int rh_cli_usage_error (const char *message);
int rh_cli_end         (RhTimeline *timeline, const GError *error);

G_END_DECLS
