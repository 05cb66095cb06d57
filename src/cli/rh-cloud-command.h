/* `recordhost cloud`: the classroom cloud's recording API on this machine. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

int rh_cloud_command_main (int argc, char **argv);

G_END_DECLS
