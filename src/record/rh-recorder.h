/* The recording the cloud would make of the hosted page: WebKit's frames
 * paced at a constant rate (the last one repeated while the page does not
 * change) and encoded to H.264 in fragmented MP4, or HLS, by a GStreamer
 * pipeline whose encoding runs on its own threads.  Video only.
 *
 * Only the frames that changed are converted and encoded; the stream
 * repeats the others by itself.  What is written survives a crash of the
 * process: the MP4 is fragmented every second and each fragment goes to
 * the file as soon as it is made.  Starting and closing (which finishes the
 * file) run off the main loop. */
#pragma once

#include <gio/gio.h>

#include "rh-frame.h"

G_BEGIN_DECLS

#define RH_RECORDER_DEFAULT_FPS 15

#define RH_TYPE_RECORDER (rh_recorder_get_type ())
G_DECLARE_FINAL_TYPE (RhRecorder, rh_recorder, RH, RECORDER, GObject)

RhRecorder *rh_recorder_new                (const char *path, guint width, guint height,
                                            guint fps, guint bitrate_kbps, GError **error);
void        rh_recorder_add_frame          (RhRecorder *recorder, const RhFrame *frame);
void        rh_recorder_start_async        (RhRecorder *recorder, GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean    rh_recorder_start_finish       (RhRecorder *recorder, GAsyncResult *result,
                                            GError **error);
gboolean    rh_recorder_is_running         (RhRecorder *recorder);
guint64     rh_recorder_get_frames         (RhRecorder *recorder);
guint64     rh_recorder_get_encoded_frames (RhRecorder *recorder);
void        rh_recorder_close_async        (RhRecorder *recorder, GAsyncReadyCallback callback,
                                            gpointer user_data);
gboolean    rh_recorder_close_finish       (RhRecorder *recorder, GAsyncResult *result,
                                            GError **error);
guint       rh_recorder_get_open_count     (void);
guint       rh_recorder_default_bitrate    (guint width, guint height);

G_END_DECLS
