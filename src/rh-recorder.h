/* The recording the cloud would make of the hosted page: WebKit's frames
 * paced at a constant rate (the last one repeated while the page does not
 * change) and encoded to H.264 in MP4, or HLS, by a GStreamer pipeline whose
 * encoding runs on its own threads.  Video only. */
#pragma once

#include <glib.h>

#include "rh-frame.h"

G_BEGIN_DECLS

#define RH_RECORDER_DEFAULT_FPS 15

typedef struct _RhRecorder RhRecorder;

RhRecorder *rh_recorder_new        (const char *path, guint width, guint height, guint fps,
                                    guint bitrate_kbps, GError **error);
void        rh_recorder_add_frame  (RhRecorder *recorder, const RhFrame *frame);
gboolean    rh_recorder_start      (RhRecorder *recorder, GError **error);
gboolean    rh_recorder_is_running (RhRecorder *recorder);
guint64     rh_recorder_get_frames (RhRecorder *recorder);
gboolean    rh_recorder_finish     (RhRecorder *recorder, GError **error);
void        rh_recorder_free       (RhRecorder *recorder);
guint       rh_recorder_default_bitrate (guint width, guint height);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhRecorder, rh_recorder_free)

G_END_DECLS
