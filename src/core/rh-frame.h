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

gboolean rh_frame_is_blank (const RhFrame *frame);

G_END_DECLS
