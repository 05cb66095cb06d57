/* How the command line prints the library's messages on stderr. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void rh_cli_log_init        (void);
void rh_cli_log_set_verbose (gboolean verbose);

G_END_DECLS
