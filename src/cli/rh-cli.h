/* The command line: subcommands, options, exit statuses. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int rh_cli_main (int argc, char **argv);

G_END_DECLS
