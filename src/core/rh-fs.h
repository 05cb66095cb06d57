/* Files and directories: removing a directory tree we made. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void rh_fs_remove_tree (const char *path);

G_END_DECLS
