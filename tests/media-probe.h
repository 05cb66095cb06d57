/* Looking into recorded files from tests, with GStreamer's decoders. */
#pragma once

#include <glib.h>
#include <gst/gst.h>

/* Decodes the file's first frame and says whether it is one colour. */
gboolean media_probe_first_frame_blank (const char *path, guint threshold);

/* Whether a fragment of the fragmented MP4 at @path is on disk: mp4mux
 * writes its header at once and a fragment's moof box once the fragment is
 * whole, so this says encoded frames are there.  (Decoding a file still
 * being written waits for more until the decoder's own time limit.) */
gboolean media_probe_has_fragment (const char *path);

/* The file's duration by GStreamer's discoverer, -1 when it cannot tell. */
gint64 media_probe_duration_ms (const char *path);

/* What decoding a file gives, frame by frame. */
typedef struct
{
  guint frames;
  GstClockTime first_pts;
  GstClockTime last_pts;
  GstClockTime shortest_step; /* between consecutive frames' timestamps */
  GstClockTime longest_step;
  gboolean last_blank;        /* the last frame is one colour */
} MediaProbeFrames;

/* Decodes every frame of @path (a file GStreamer can play, not a playlist)
 * to its end or to the first error, as a player would. */
void media_probe_decode (const char *path, MediaProbeFrames *out);

/* The time the decoded frames cover: from the first one's timestamp to the
 * end of the last one, at @fps. */
GstClockTime media_probe_covered (const MediaProbeFrames *frames, guint fps);

/* For each decoded frame, the first dark pixel of the middle row from the
 * left (-1: none): where a dark bar on a light picture is. */
GArray *media_probe_dark_columns (const char *path);
