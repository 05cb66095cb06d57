#include "rh-wpe-noise.h"

#include <errno.h>
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rh-fs.h"

/* How long the end waits for the filter to pass on the last lines: the
 * engine's processes are gone by then, so its pipe ends at once. */
#define END_WAIT_MS 1000
#define END_POLL_MS 5

/* Longer lines are passed on in pieces, unfiltered. */
#define LINE_MAX_BYTES 4096

/* Lines printed whatever the page does: WebKit (in this process) finds no
 * accessibility bus; ALSA and OpenAL, loaded by GStreamer's audio sinks in
 * the web process, find no sound card. */
static const char *const noise_prefixes[] = {
  "Could not determine the accessibility bus address\n",
  "ALSA lib ",
  "AL lib: ",
};

static pid_t filter_pid = -1;
static int saved_stderr = -1;

static void
close_saved_stderr (void)
{
  close (saved_stderr);
  saved_stderr = -1;
}

static gboolean
is_noise (const char *line, gsize length)
{
  for (guint i = 0; i < G_N_ELEMENTS (noise_prefixes); i++)
    {
      gsize prefix_length = strlen (noise_prefixes[i]);

      if (length >= prefix_length && memcmp (line, noise_prefixes[i], prefix_length) == 0)
        return TRUE;
    }
  return FALSE;
}

/* The filter process: lines from @in to @out, but the noise, until every
 * writer has closed the pipe.  Only async-signal-safe calls: it is forked
 * from a process that may have threads. */
static G_NORETURN void
filter_lines (int in, int out)
{
  char line[LINE_MAX_BYTES];
  gsize length = 0;

  for (;;)
    {
      ssize_t n = read (in, line + length, sizeof line - length);
      gsize start = 0;

      if (n < 0 && errno == EINTR)
        continue;
      if (n <= 0)
        break;
      length += (gsize) n;
      for (gsize i = 0; i < length; i++)
        if (line[i] == '\n')
          {
            if (!is_noise (line + start, i + 1 - start))
              rh_fs_write_all (out, line + start, i + 1 - start);
            start = i + 1;
          }
      memmove (line, line + start, length - start);
      length -= start;
      if (length == sizeof line)
        {
          rh_fs_write_all (out, line, length);
          length = 0;
        }
    }
  rh_fs_write_all (out, line, length);
  _exit (0);
}

/* From now on stderr, this process's and every process it starts, goes
 * through a filter process that drops the engine's noise.  The filter is a
 * process, not a thread, so that what a crash prints is passed on too.  It
 * ignores the signals that stop a command, which then still prints its
 * last lines.  Quiet audio comes first: a web process playing sound gets a
 * sink that needs no sound card, unless the user chose the sinks' ranks. */
void
rh_wpe_noise_filter_start (void)
{
  int fds[2];
  pid_t pid;

  g_setenv ("GST_PLUGIN_FEATURE_RANK", "fakeaudiosink:MAX", FALSE);
  if (filter_pid > 0)
    return;
  saved_stderr = fcntl (STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
  if (saved_stderr < 0)
    return;
  if (!g_unix_open_pipe (fds, FD_CLOEXEC, NULL))
    {
      close_saved_stderr ();
      return;
    }
  pid = fork ();
  if (pid == 0)
    {
      signal (SIGINT, SIG_IGN);
      signal (SIGTERM, SIG_IGN);
      signal (SIGHUP, SIG_IGN);
      signal (SIGQUIT, SIG_IGN);
      signal (SIGPIPE, SIG_IGN);
      /* Whoever reads our stdout to its end must not wait for the filter. */
      close (STDIN_FILENO);
      close (STDOUT_FILENO);
      close (STDERR_FILENO);
      close (fds[1]);
      filter_lines (fds[0], saved_stderr);
    }
  close (fds[0]);
  if (pid < 0 || dup2 (fds[1], STDERR_FILENO) < 0)
    {
      close (fds[1]);
      close_saved_stderr ();
      return;
    }
  close (fds[1]);
  filter_pid = pid;
}

/* Stderr is this process's own again, and the filter has passed on every
 * line written before, unless an engine process still holds the pipe. */
void
rh_wpe_noise_filter_end (void)
{
  gint64 deadline_us = g_get_monotonic_time () + END_WAIT_MS * 1000;

  if (filter_pid <= 0)
    return;
  fflush (stderr);
  dup2 (saved_stderr, STDERR_FILENO);
  close_saved_stderr ();
  while (waitpid (filter_pid, NULL, WNOHANG) == 0 && g_get_monotonic_time () < deadline_us)
    g_usleep (END_POLL_MS * 1000);
  filter_pid = -1;
}
