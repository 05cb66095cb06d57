/* The recordings' files in the cloud's data directory, as the records list
 * names them and GET /recordings/NAME.mp4 serves them: only those, however
 * a request names a path. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The folder of the data directory the recordings are written to. */
#define RH_RECORDING_FILE_DIR "recordings"

const char  *rh_recording_file_name (const char *path);
GMappedFile *rh_recording_file_open (const char *data_dir, const char *name, GError **error);

G_END_DECLS
