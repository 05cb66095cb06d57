#include "rh-cloud-store-private.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "rh-error.h"

/* One cloud per data directory: through SQLite's own locks two would share
 * the database, each stalling the other's answers and failing its writes.
 * The lock file names its holder, for the second one's message. */
gboolean
rh_cloud_store_lock_dir (RhCloudStore *store, const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "cloud.lock", NULL);
  g_autofree char *pid = NULL;
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot use --data-dir %s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      char holder[32] = "";
      gssize length = pread (fd, holder, sizeof holder - 1, 0);
      guint64 other = 0;

      close (fd);
      if (saved != EWOULDBLOCK)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot lock --data-dir %s: %s", dir, g_strerror (saved));
          return FALSE;
        }
      holder[MAX (length, 0)] = '\0';
      if (g_ascii_string_to_unsigned (g_strstrip (holder), 10, 1, G_MAXINT, &other, NULL))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     "--data-dir %s is in use by another recordhost cloud (pid %" G_GUINT64_FORMAT
                     ")", dir, other);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     "--data-dir %s is in use by another recordhost cloud", dir);
      return FALSE;
    }
  /* The pid only serves the message: failing to write it is no failure. */
  pid = g_strdup_printf ("%d\n", (int) getpid ());
  if (ftruncate (fd, 0) == 0 && pwrite (fd, pid, strlen (pid), 0) < 0)
    g_debug ("cloud store: cannot write %s", path);
  store->lock_fd = fd;
  return TRUE;
}
