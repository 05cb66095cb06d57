#include "rh-wpe-processes.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

/* How long a kill waits for the processes to be gone: SIGKILL takes a
 * moment to land, never more unless a process is stuck in the kernel. */
#define KILL_WAIT_MS 500
#define KILL_POLL_MS 5

/* From /proc/@pid/stat: its name (at most 15 bytes), state and parent; the
 * name is in parentheses and may hold anything. */
static gboolean
read_stat (pid_t pid, char **name, char *state, pid_t *parent)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *name_start;
  const char *name_end;
  int ppid;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  name_start = strchr (text, '(');
  name_end = strrchr (text, ')');
  if (name_start == NULL || name_end == NULL || name_end < name_start
      || sscanf (name_end, ") %c %d", state, &ppid) != 2)
    return FALSE;
  if (name != NULL)
    *name = g_strndup (name_start + 1, name_end - name_start - 1);
  *parent = (pid_t) ppid;
  return TRUE;
}

/* WPEWebProcess, WPENetworkProcess and their kind, in WebKit's folder
 * (wpe-webkit-1.1/, in libexec or lib).  A process on its way out has no
 * executable to read any more: its name says whose it is. */
static gboolean
is_engine_process (pid_t pid, const char *name)
{
  g_autofree char *link = g_strdup_printf ("/proc/%d/exe", (int) pid);
  g_autofree char *target = g_file_read_link (link, NULL);
  g_autofree char *file = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *dir_name = NULL;

  if (target == NULL)
    return g_str_has_prefix (name, "WPE");
  file = g_path_get_basename (target);
  dir = g_path_get_dirname (target);
  dir_name = g_path_get_basename (dir);
  return g_str_has_prefix (file, "WPE") && strstr (file, "Process") != NULL
         && g_str_has_prefix (dir_name, "wpe-webkit");
}

/* The pids (pid_t) of the engine processes this process started that still
 * run, or still exit: its children whose executable is WebKit's. */
static GArray *
engine_processes (void)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (pid_t));
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  pid_t self = getpid ();
  const char *entry;

  while (proc != NULL && (entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *name = NULL;
      guint64 number;
      pid_t pid;
      pid_t parent;
      char state;

      if (!g_ascii_string_to_unsigned (entry, 10, 1, G_MAXINT, &number, NULL))
        continue;
      pid = (pid_t) number;
      if (read_stat (pid, &name, &state, &parent) && parent == self && state != 'Z'
          && is_engine_process (pid, name))
        g_array_append_val (pids, pid);
    }
  return pids;
}

static gboolean
is_running (pid_t pid)
{
  pid_t parent;
  char state;

  return read_stat (pid, NULL, &state, &parent) && state != 'Z' && state != 'X';
}

/* SIGKILL to each engine process, then a short wait until none runs; they
 * are left to whoever reaps them (GLib's child watch now, or init once this
 * process ended), so that WebKit's own watch never finds them gone.  Returns
 * how many there were. */
guint
rh_wpe_processes_kill (void)
{
  g_autoptr (GArray) pids = engine_processes ();
  gint64 deadline_us = g_get_monotonic_time () + KILL_WAIT_MS * 1000;
  gboolean running = TRUE;

  g_debug ("killing %u engine processes", pids->len);
  for (guint i = 0; i < pids->len; i++)
    kill (g_array_index (pids, pid_t, i), SIGKILL);
  while (running && g_get_monotonic_time () < deadline_us)
    {
      running = FALSE;
      for (guint i = 0; i < pids->len && !running; i++)
        running = is_running (g_array_index (pids, pid_t, i));
      if (running)
        g_usleep (KILL_POLL_MS * 1000);
    }
  if (running)
    g_debug ("engine processes still running %u ms after SIGKILL", KILL_WAIT_MS);
  return pids->len;
}
