/* Signals handled from the main loop: a handler writes the signal's number
 * to a pipe that the main loop watches.  Any signal can be handled this way,
 * SIGQUIT too, which g_unix_signal_add refuses. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef void (*RhSignalFunc) (gpointer user_data);

/* The signals that end a command normally (ended by 0): an interrupt, a
 * kill's default, a closed terminal, the terminal's quit key. */
extern const int rh_stop_signals[];

void rh_signals_watch   (const int *signals, RhSignalFunc func, gpointer user_data);
void rh_signals_unwatch (const int *signals);

G_END_DECLS
