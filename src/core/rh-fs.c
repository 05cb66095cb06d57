#include "rh-fs.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rh-error.h"

/* Leaves room for the temporary name's prefix and suffix within NAME_MAX. */
#define TEMP_STEM_MAX 32

static gboolean
set_errno_error (GError **error, int saved, const char *path)
{
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "%s: %s", path,
               g_strerror (saved));
  return FALSE;
}

/* All of @data to @fd, whatever a signal interrupts; FALSE with errno set
 * when a write fails.  Only async-signal-safe calls: a forked child may use
 * it. */
gboolean
rh_fs_write_all (int fd, const void *contents, gsize length)
{
  const char *data = contents;

  while (length > 0)
    {
      gssize n = write (fd, data, length);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        return FALSE;
      data += n;
      length -= n;
    }
  return TRUE;
}

/* The name stays within NAME_MAX whatever the target's, so that a name too
 * long shows as the target's own failure, at the rename. */
static char *
temp_template (const char *path)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  g_autofree char *stem = g_utf8_make_valid (base, MIN (strlen (base), TEMP_STEM_MAX));
  g_autofree char *name = g_strdup_printf (".%s.XXXXXX", stem);

  return g_build_filename (dir, name, NULL);
}

/* Writes @contents to @path whole or not at all: into a new file beside it
 * (never through a link), synced, then renamed over @path.  On failure
 * nothing is left and @path, if it was there, is as it was.  Errors name
 * the path and the cause. */
gboolean
rh_fs_write_atomic (const char *path, const void *contents, gsize length, GError **error)
{
  g_autofree char *temp = temp_template (path);
  g_autofree char *dir = g_path_get_dirname (path);
  /* As readable as any file the user makes: mkstemp's 0600 is for secrets. */
  int fd = g_mkstemp_full (temp, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
  int saved;
  int dir_fd;

  if (fd < 0)
    return set_errno_error (error, errno, path);
  if (!rh_fs_write_all (fd, contents, length) || fsync (fd) != 0)
    {
      saved = errno;
      close (fd);
      g_unlink (temp);
      return set_errno_error (error, saved, path);
    }
  if (close (fd) != 0 || g_rename (temp, path) != 0)
    {
      saved = errno;
      g_unlink (temp);
      return set_errno_error (error, saved, path);
    }
  /* The rename itself durable too; best effort. */
  dir_fd = g_open (dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (dir_fd >= 0)
    {
      fsync (dir_fd);
      close (dir_fd);
    }
  return TRUE;
}

/* Refuses, before any work, an output @path that cannot be a file of ours:
 * a directory, a link (never followed), a FIFO or a device (whose open
 * waits for a reader, or whose writes go elsewhere), a name longer than its
 * directory allows.  A usage error (RH_ERROR_INVALID_INPUT) saying which. */
gboolean
rh_fs_check_output (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  g_autofree char *base = g_path_get_basename (path);
  long name_max = pathconf (dir, _PC_NAME_MAX);
  GStatBuf info;
  const char *what = NULL;

  if (name_max > 0 && strlen (base) > (gsize) name_max)
    what = g_strerror (ENAMETOOLONG);
  else if (g_lstat (path, &info) != 0)
    return TRUE;
  else if (S_ISLNK (info.st_mode))
    what = "a symbolic link (not followed)";
  else if (S_ISDIR (info.st_mode))
    what = "a directory";
  else if (!S_ISREG (info.st_mode))
    what = "not a regular file";
  if (what == NULL)
    return TRUE;
  g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "%s: %s", path, what);
  return FALSE;
}

/* Opens @path to write (O_WRONLY | O_CREAT and @flags) as a regular file
 * only: a link is not followed and the open does not wait for a FIFO's
 * reader, so that a file swapped in after rh_fs_check_output () can neither
 * hang the program nor take the output elsewhere.  Returns the descriptor,
 * blocking as usual, or -1. */
int
rh_fs_open_output (const char *path, int flags, GError **error)
{
  int fd = g_open (path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | flags, 0644);
  int saved;
  struct stat info;

  if (fd < 0)
    {
      saved = errno;
      if (saved == ENXIO) /* a FIFO without a reader */
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "%s: not a regular file",
                     path);
      else if (saved == ELOOP)
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                     "%s: a symbolic link (not followed)", path);
      else
        set_errno_error (error, saved, path);
      return -1;
    }
  if (fstat (fd, &info) != 0 || !S_ISREG (info.st_mode))
    {
      close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "%s: not a regular file",
                   path);
      return -1;
    }
  if (fcntl (fd, F_SETFL, fcntl (fd, F_GETFL) & ~O_NONBLOCK) != 0)
    {
      saved = errno;
      close (fd);
      set_errno_error (error, saved, path);
      return -1;
    }
  return fd;
}

/* Whether an output could be made at @path, before the work that makes it:
 * rh_fs_check_output (), a writable directory, and an open of the file
 * itself, which a directory can refuse although it says yes (/proc, a
 * quota, root on a read-only mount).  Leaves no file it made.  A usage
 * error (RH_ERROR_INVALID_INPUT) naming @path. */
gboolean
rh_fs_probe_output (const char *path, GError **error)
{
  g_autofree char *dir = g_path_get_dirname (path);
  gboolean existed = g_file_test (path, G_FILE_TEST_EXISTS);
  g_autoptr (GError) local_error = NULL;
  int fd;

  if (!g_file_test (dir, G_FILE_TEST_IS_DIR) || g_access (dir, W_OK) != 0)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "%s: %s is not a writable directory",
                   path, dir);
      return FALSE;
    }
  if (!rh_fs_check_output (path, error))
    return FALSE;
  fd = rh_fs_open_output (path, 0, &local_error);
  if (fd < 0)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT, local_error->message);
      return FALSE;
    }
  close (fd);
  if (!existed)
    g_unlink (path);
  return TRUE;
}

/* Removes @path and everything below it; symbolic links are removed, not
 * followed.  Best effort: what cannot be removed stays. */
void
rh_fs_remove_tree (const char *path)
{
  g_autoptr (GDir) dir = NULL;
  const char *name;

  if (g_file_test (path, G_FILE_TEST_IS_SYMLINK) || !g_file_test (path, G_FILE_TEST_IS_DIR))
    {
      g_unlink (path);
      return;
    }
  dir = g_dir_open (path, 0, NULL);
  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      rh_fs_remove_tree (child);
    }
  g_rmdir (path);
}
