/* The recorder's GStreamer pipeline: its elements for a file or a playlist,
 * and its state changes, made off the main loop. */
#pragma once

#include <gio/gio.h>
#include <gst/gst.h>

G_BEGIN_DECLS

GstElement *rh_recorder_pipeline_new              (const char *path, guint fps,
                                                   guint bitrate_kbps, GError **error);
void        rh_recorder_pipeline_set_state_async  (GstElement *pipeline, GstState state,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
gboolean    rh_recorder_pipeline_set_state_finish (GAsyncResult *result, GError **error);

G_END_DECLS
