/* Files and directories: outputs written whole or not at all, outputs
 * opened without following a link or waiting on a FIFO, a buffer written
 * whole to a descriptor, and removing a directory tree we made. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean rh_fs_write_atomic  (const char *path, const void *contents, gsize length,
                              GError **error);
int      rh_fs_open_output   (const char *path, int flags, GError **error);
gboolean rh_fs_check_output  (const char *path, GError **error);
gboolean rh_fs_probe_output  (const char *path, GError **error);
void     rh_fs_remove_tree   (const char *path);
gboolean rh_fs_write_all     (int fd, const void *contents, gsize length);

G_END_DECLS
