/* Looking into recorded files from tests, with GStreamer's decoders. */
#pragma once

#include <glib.h>

/* Decodes the file's first frame and says whether it is one colour. */
gboolean media_probe_first_frame_blank (const char *path);

/* The file's duration by GStreamer's discoverer, -1 when it cannot tell. */
gint64 media_probe_duration_ms (const char *path);
