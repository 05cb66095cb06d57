/* Waiting for an asynchronous call where a command has no main loop of its
 * own running yet (its set-up) or runs one step after another (demo). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A GAsyncReadyCallback that keeps the result in the GAsyncResult * that
 * user_data points to. */
void          rh_cli_keep_result (GObject *source, GAsyncResult *result, gpointer user_data);
/* Iterates the thread-default main context until *result is set. */
GAsyncResult *rh_cli_wait        (GAsyncResult **result);

G_END_DECLS
