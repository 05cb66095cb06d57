/* The command line: subcommands, options, exit statuses. */
#pragma once

#include <glib.h>

#include "rh-timeline.h"

G_BEGIN_DECLS

int rh_cli_main (int argc, char **argv);

/* For the commands.  Every exit status is rh_error_exit_status () of what
 * ended the command: 0 done, 1 failed, 2 usage error or invalid input. */
int rh_cli_usage_error (const char *message);
int rh_cli_end         (RhTimeline *timeline, const GError *error);

G_END_DECLS
