#include "rh-state-log.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "rh-error.h"
#include "rh-fs.h"
#include "rh-json.h"

struct _RhStateLog
{
  int fd;
  char *path;
};

RhStateLog *
rh_state_log_open (const char *path, GError **error)
{
  RhStateLog *log;
  g_autoptr (GError) local_error = NULL;
  int fd = -1;

  if (rh_fs_check_output (path, &local_error))
    fd = rh_fs_open_output (path, O_APPEND, &local_error);
  if (fd < 0)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot open --state-log %s",
                   local_error->message);
      return NULL;
    }
  log = g_new0 (RhStateLog, 1);
  log->fd = fd;
  log->path = g_strdup (path);
  return log;
}

gboolean
rh_state_log_append (RhStateLog *log, JsonNode *event, GError **error)
{
  g_autofree char *text = rh_json_to_string (event, FALSE);
  g_autofree char *line = g_strconcat (text, "\n", NULL);
  off_t end = lseek (log->fd, 0, SEEK_END);

  if (!rh_fs_write_all (log->fd, line, strlen (line)))
    {
      int saved = errno;

      /* Whole lines only: a reader never sees half an event. */
      if (end >= 0 && ftruncate (log->fd, end) != 0)
        g_debug ("cannot cut --state-log %s back: %s", log->path, g_strerror (errno));
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot write --state-log %s: %s", log->path, g_strerror (saved));
      return FALSE;
    }
  /* Durable before the run goes on: a crash of the host loses no event. */
  if (fsync (log->fd) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                   "cannot sync --state-log %s: %s", log->path, g_strerror (saved));
      return FALSE;
    }
  return TRUE;
}

void
rh_state_log_close (RhStateLog *log)
{
  if (log == NULL)
    return;
  if (log->fd >= 0)
    close (log->fd);
  g_free (log->path);
  g_free (log);
}
