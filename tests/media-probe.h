/* Looking into recorded files from tests, with GStreamer's decoders. */
#pragma once

#include <glib.h>

/* Decodes the file's first frame and says whether it is one colour. */
gboolean media_probe_first_frame_blank (const char *path);
