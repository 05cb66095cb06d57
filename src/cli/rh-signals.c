#include "rh-signals.h"

#include <errno.h>
#include <glib-unix.h>
#include <signal.h>
#include <unistd.h>

const int rh_stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, 0 };

static int signal_pipe[2] = { -1, -1 };
static RhSignalFunc signal_funcs[NSIG];
static gpointer signal_data[NSIG];

static void
signal_to_pipe (int signal_number)
{
  int saved_errno = errno;
  guint8 byte = (guint8) signal_number;
  /* A full pipe already holds signals to handle: losing one is harmless. */
  G_GNUC_UNUSED ssize_t written = write (signal_pipe[1], &byte, 1);

  errno = saved_errno;
}

static gboolean
signal_pipe_cb (int fd, GIOCondition condition, gpointer user_data)
{
  guint8 bytes[16];
  ssize_t n;

  while ((n = read (fd, bytes, sizeof bytes)) > 0)
    for (ssize_t i = 0; i < n; i++)
      if (bytes[i] < NSIG && signal_funcs[bytes[i]] != NULL)
        signal_funcs[bytes[i]] (signal_data[bytes[i]]);
  return G_SOURCE_CONTINUE;
}

/* Calls @func (@user_data) from the main loop for each of @signals (ended
 * by 0) that arrives, until rh_signals_unwatch (). */
void
rh_signals_watch (const int *signals, RhSignalFunc func, gpointer user_data)
{
  struct sigaction action = { 0 };

  if (signal_pipe[0] < 0)
    {
      g_autoptr (GError) error = NULL;

      if (!g_unix_open_pipe (signal_pipe, FD_CLOEXEC, &error)
          || !g_unix_set_fd_nonblocking (signal_pipe[0], TRUE, &error)
          || !g_unix_set_fd_nonblocking (signal_pipe[1], TRUE, &error))
        g_error ("cannot watch signals: %s", error->message);
      g_unix_fd_add (signal_pipe[0], G_IO_IN, signal_pipe_cb, NULL);
    }
  action.sa_handler = signal_to_pipe;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; signals[i] != 0; i++)
    {
      signal_funcs[signals[i]] = func;
      signal_data[signals[i]] = user_data;
      sigaction (signals[i], &action, NULL);
    }
}

/* Back to the signals' default actions. */
void
rh_signals_unwatch (const int *signals)
{
  for (guint i = 0; signals[i] != 0; i++)
    {
      signal (signals[i], SIG_DFL);
      signal_funcs[signals[i]] = NULL;
    }
}
