#include "rh-attempt-files.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rh-fs.h"
#include "rh-har.h"
#include "rh-json.h"
#include "rh-recording-file.h"
#include "rh-snapshots.h"

/* @folder of the data directory, private as the recordings' is. */
static gboolean
make_folder (const char *data_dir, const char *folder, GError **error)
{
  g_autofree char *path = g_build_filename (data_dir, folder, NULL);
  int saved;

  if (g_mkdir_with_parents (path, 0700) == 0)
    return TRUE;
  saved = errno;
  g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create %s: %s", path,
               g_strerror (saved));
  return FALSE;
}

static gboolean
write_har (const char *data_dir, const char *record_id, guint attempt,
           const RhPageOutcome *outcome, GError **error)
{
  g_autofree char *path = rh_recording_file_attempt_path (data_dir, RH_RECORDING_FILE_HAR_DIR,
                                                          record_id, attempt, ".har");
  g_autoptr (JsonNode) har = NULL;
  g_autofree char *text = NULL;

  if (path == NULL || !make_folder (data_dir, RH_RECORDING_FILE_HAR_DIR, error))
    return FALSE;
  har = rh_har_build (outcome);
  text = rh_json_to_string (har, TRUE);
  return rh_fs_write_atomic (path, text, strlen (text), error);
}

static gboolean
write_snapshots (const char *data_dir, const char *record_id, guint attempt,
                 const RhPageOutcome *outcome, gint64 now_ms, GError **error)
{
  g_autofree char *path = rh_recording_file_attempt_path (
    data_dir, RH_RECORDING_FILE_SNAPSHOTS_DIR, record_id, attempt, "");
  g_autoptr (GPtrArray) written = NULL;

  if (path == NULL || !make_folder (data_dir, RH_RECORDING_FILE_SNAPSHOTS_DIR, error))
    return FALSE;
  written = rh_snapshots_write_all (outcome, path, now_ms, error);
  return written != NULL;
}

/* Debugging aids: what cannot be written is only logged. */
void
rh_attempt_files_write (const char *data_dir, const char *record_id, guint attempt,
                        const RhPageOutcome *outcome, gboolean snapshots, gint64 now_ms,
                        const char *room_text)
{
  g_autoptr (GError) error = NULL;

  if (!write_har (data_dir, record_id, attempt, outcome, &error))
    g_warning ("room %s: no HAR of attempt %u: %s", room_text, attempt,
               error != NULL ? error->message : "no record id");
  g_clear_error (&error);
  if (snapshots && !write_snapshots (data_dir, record_id, attempt, outcome, now_ms, &error))
    g_warning ("room %s: no pictures of attempt %u: %s", room_text, attempt,
               error != NULL ? error->message : "no record id");
}

/* An attempt the record no longer lists: its files go with it. */
void
rh_attempt_files_remove (const char *data_dir, const char *record_id, guint attempt,
                         gboolean snapshots)
{
  g_autofree char *path = rh_recording_file_attempt_path (data_dir, RH_RECORDING_FILE_HAR_DIR,
                                                          record_id, attempt, ".har");
  g_autofree char *pictures = rh_recording_file_attempt_path (
    data_dir, RH_RECORDING_FILE_SNAPSHOTS_DIR, record_id, attempt, "");

  if (path != NULL)
    g_unlink (path);
  if (pictures != NULL && snapshots)
    rh_fs_remove_tree (pictures);
}
