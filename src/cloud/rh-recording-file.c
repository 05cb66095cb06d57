#include "rh-recording-file.h"

#include <errno.h>
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

/* @file as the data directory @dir sees it, "recordings/NAME.mp4": the
 * disk's layout above it is none of a client's business. */
static char *
relative_file (const char *dir, const char *file)
{
  g_autoptr (GFile) parent = g_file_new_for_path (dir);
  g_autoptr (GFile) child = g_file_new_for_path (file);
  char *relative = g_file_get_relative_path (parent, child);

  return relative != NULL ? relative : g_path_get_basename (file);
}

/* A record's "files", "fileState" and "error" in the records list: what is
 * on disk, not what was meant to be: a recording whose file is
 * empty or gone has none to list; one whose recorder failed (a full disk)
 * says so, and why, however much of its file there is.  Names relative to
 * @dir unless @full_paths. */
void
rh_recording_file_add_json (JsonBuilder *builder, int state, const char *file,
                            const char *failure, const char *dir, gboolean full_paths)
{
  GStatBuf file_stat;
  gboolean exists = file != NULL && g_stat (file, &file_stat) == 0;
  gboolean written = exists && S_ISREG (file_stat.st_mode) && file_stat.st_size > 0;

  json_builder_set_member_name (builder, "files");
  json_builder_begin_array (builder);
  if (written || (state == 1 && exists))
    {
      g_autofree char *name = relative_file (dir, file);
      g_autofree char *download = g_strconcat ("/", name, NULL);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "fileName");
      json_builder_add_string_value (builder, name);
      /* The recordings are served from where they are in the data
       * directory, and nothing else is. */
      json_builder_set_member_name (builder, "download");
      if (rh_recording_file_name (download) != NULL)
        json_builder_add_string_value (builder, download);
      else
        json_builder_add_null_value (builder);
      if (full_paths)
        {
          json_builder_set_member_name (builder, "localPath");
          json_builder_add_string_value (builder, file);
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "fileState");
  json_builder_add_string_value (builder, failure != NULL ? "failed"
                                          : state == 1    ? "recording"
                                          : written       ? "written"
                                                          : "missing");
  json_builder_set_member_name (builder, "error");
  if (failure == NULL)
    json_builder_add_null_value (builder);
  else if (full_paths)
    json_builder_add_string_value (builder, failure);
  else
    {
      /* The recorder names its file by its whole path. */
      g_autofree char *prefix = g_strconcat (dir, G_DIR_SEPARATOR_S, NULL);
      g_auto (GStrv) parts = g_strsplit (failure, prefix, -1);
      g_autofree char *relative = g_strjoinv ("", parts);

      json_builder_add_string_value (builder, relative);
    }
}

/* Where a file of a record's @attempt is written, in @folder of the data
 * directory: named by the record's id, which the cloud made (hex digits
 * only), the attempt's number and @extension; NULL for an id of any other
 * shape. */
char *
rh_recording_file_attempt_path (const char *data_dir, const char *folder, const char *record_id,
                                guint attempt, const char *extension)
{
  g_autofree char *name = NULL;

  if (record_id == NULL || *record_id == '\0' || strlen (record_id) > 64)
    return NULL;
  for (const char *c = record_id; *c != '\0'; c++)
    if (!g_ascii_isxdigit (*c))
      return NULL;
  name = g_strdup_printf ("%s-%u%s", record_id, attempt, extension);
  return g_build_filename (data_dir, folder, name, NULL);
}

/* Bytes of the room uuid kept in a recording's file name. */
#define NAME_PREFIX_MAX 40

/* The recording's file, in the data directory: a room uuid may hold
 * anything ('/', "..", control characters, any script, hundreds of bytes),
 * so the name is its first letters and digits, a hash of app and room, and
 * the start time: short, plain ASCII, and one room's apart from another's.
 * The file is created here, empty, so that a recording that could not be
 * written is refused before it starts, and the name is taken. */
char *
rh_recording_file_create (const char *data_dir, const char *app_id, const char *room_uuid,
                          gint64 start_ms, GError **error)
{
  g_autofree char *dir = g_build_filename (data_dir, RH_RECORDING_FILE_DIR, NULL);
  g_autofree char *key = g_strconcat (app_id, "/", room_uuid, NULL);
  g_autofree char *hash = g_compute_checksum_for_string (G_CHECKSUM_SHA256, key, -1);
  g_autoptr (GString) prefix = g_string_new (NULL);

  /* No leading '-': the name is no option to the tools that read it. */
  for (const char *c = room_uuid; *c != '\0' && prefix->len < NAME_PREFIX_MAX; c++)
    {
      gboolean keep = g_ascii_isalnum (*c) || *c == '_' || (*c == '-' && prefix->len > 0);

      g_string_append_c (prefix, keep ? *c : '_');
    }
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create %s: %s", dir,
                   g_strerror (saved));
      return NULL;
    }
  for (guint attempt = 1;; attempt++)
    {
      g_autofree char *name = NULL;
      g_autofree char *path = NULL;
      int fd;
      int saved;

      name = attempt == 1 ? g_strdup_printf ("%s-%.16s-%" G_GINT64_FORMAT ".mp4", prefix->str,
                                             hash, start_ms)
                          : g_strdup_printf ("%s-%.16s-%" G_GINT64_FORMAT "-%u.mp4",
                                             prefix->str, hash, start_ms, attempt);
      path = g_build_filename (dir, name, NULL);
      fd = g_open (path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
      if (fd >= 0)
        {
          close (fd);
          return g_steal_pointer (&path);
        }
      saved = errno;
      if (saved != EEXIST || attempt == 100)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot write %s: %s",
                       path, g_strerror (saved));
          return NULL;
        }
    }
}

/* Whether the file holds a recording; left empty, it goes. */
gboolean
rh_recording_file_keep_if_written (const char *path)
{
  GStatBuf file_stat;

  if (g_stat (path, &file_stat) == 0 && file_stat.st_size > 0)
    return TRUE;
  g_unlink (path);
  return FALSE;
}
