#include "rh-recording-file.h"

#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* The name in recordings/ that @path (a request's, as sent) downloads, or
 * NULL: only names of the shape the cloud gives its files (letters,
 * digits, '_', '-' and '.', not first, ending .mp4), so that no path can
 * leave the directory, escaped or not. */
const char *
rh_recording_file_name (const char *path)
{
  const char *name;

  if (path == NULL || !g_str_has_prefix (path, "/" RH_RECORDING_FILE_DIR "/"))
    return NULL;
  name = path + strlen ("/" RH_RECORDING_FILE_DIR "/");
  if (!g_ascii_isalnum (*name) && *name != '_')
    return NULL;
  for (const char *c = name; *c != '\0'; c++)
    if (!g_ascii_isalnum (*c) && strchr ("_-.", *c) == NULL)
      return NULL;
  if (!g_str_has_suffix (name, ".mp4") || strlen (name) > 255)
    return NULL;
  return name;
}

/* A regular file of @data_dir's recordings/, opened for reading without
 * following a link; NULL (G_IO_ERROR_NOT_FOUND) for anything else. */
GMappedFile *
rh_recording_file_open (const char *data_dir, const char *name, GError **error)
{
  g_autofree char *path = g_build_filename (data_dir, RH_RECORDING_FILE_DIR, name, NULL);
  GStatBuf file_stat;
  GMappedFile *mapped;
  int fd;

  fd = g_open (path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0);
  if (fd < 0 || fstat (fd, &file_stat) != 0 || !S_ISREG (file_stat.st_mode))
    {
      if (fd >= 0)
        close (fd);
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no recording %s", name);
      return NULL;
    }
  mapped = g_mapped_file_new_from_fd (fd, FALSE, error);
  close (fd);
  return mapped;
}
