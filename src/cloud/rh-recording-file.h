/* The recordings' files in the cloud's data directory, as the records list
 * names them and GET /recordings/NAME.mp4 serves them: only those, however
 * a request names a path; and where each attempt's HAR and pictures are kept. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* The folder of the data directory the recordings are written to. */
#define RH_RECORDING_FILE_DIR "recordings"
/* ... the HAR of each attempt of a record's page, and its pictures. */
#define RH_RECORDING_FILE_HAR_DIR "har"
#define RH_RECORDING_FILE_SNAPSHOTS_DIR "snapshots"

const char  *rh_recording_file_name (const char *path);
GMappedFile *rh_recording_file_open (const char *data_dir, const char *name, GError **error);
void         rh_recording_file_add_json (JsonBuilder *builder, int state, const char *file,
                                         const char *failure, const char *dir,
                                         gboolean full_paths);
char        *rh_recording_file_create (const char *data_dir, const char *app_id,
                                       const char *room_uuid, gint64 start_ms, GError **error);
gboolean     rh_recording_file_keep_if_written (const char *path);
char        *rh_recording_file_attempt_path (const char *data_dir, const char *folder,
                                             const char *record_id, guint attempt,
                                             const char *extension);

G_END_DECLS
