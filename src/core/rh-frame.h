/* One frame WebKit rendered: ARGB8888 pixels, valid during the "frame" signal only. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const guint8 *data;
  guint stride;
  guint width;
  guint height;
  gint64 time_us; /* monotonic */
} RhFrame;

/* Reads a frame that is valid during the call only. */
typedef void (*RhFrameFunc) (const RhFrame *frame, gpointer user_data);

/* A frame is blank when at least this share (percent) of it is close to its
 * dominant colour: a faint loading box or a line of small text on white is
 * still white to whoever watches the recording. */
#define RH_FRAME_BLANK_THRESHOLD_DEFAULT 98
#define RH_FRAME_BLANK_THRESHOLD_MIN 50
#define RH_FRAME_BLANK_THRESHOLD_MAX 100
/* Close: no channel further than this (of 255) from the dominant colour.
 * #f0f0f0 on white is; the #e0e0e0 of a table's rule is not. */
#define RH_FRAME_BLANK_DISTANCE 24

gboolean rh_frame_is_blank (const RhFrame *frame, guint threshold_percent);

G_END_DECLS
