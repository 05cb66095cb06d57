/* Repeated pictures made by the stream itself: the recorder sends the
 * encoder only the frames that changed, and tells it (an event through the
 * pipeline) when frames are repeats of the last one; probes on the
 * encoder's pads put repeats of its last picture (rh-h264.c) into its
 * output, in order, on the streaming thread. */
#pragma once

#include <gst/gst.h>

G_BEGIN_DECLS

typedef struct _RhRecorderRepeats RhRecorderRepeats;

RhRecorderRepeats *rh_recorder_repeats_attach    (GstElement *encoder, guint fps);
gboolean           rh_recorder_repeats_is_ready  (RhRecorderRepeats *repeats);
GstEvent          *rh_recorder_repeats_event_new (guint64 until);

G_END_DECLS
