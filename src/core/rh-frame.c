#include "rh-frame.h"

#include <string.h>

/* Blank means uniform: every pixel the colour of the first (white, black or
 * transparent alike).  Rows are compared with memcmp against one row of
 * that colour, which libc does with vector instructions; a painted frame
 * usually differs within the first rows. */
gboolean
rh_frame_is_blank (const RhFrame *frame)
{
  gsize row_bytes = (gsize) frame->width * 4;
  guint32 first;
  const guint32 *row0;

  if (frame->width == 0 || frame->height == 0)
    return TRUE;
  row0 = (const guint32 *) frame->data;
  memcpy (&first, frame->data, sizeof first);
  for (guint x = 1; x < frame->width; x++)
    if (row0[x] != first)
      return FALSE;
  for (guint y = 1; y < frame->height; y++)
    if (memcmp (frame->data + (gsize) y * frame->stride, frame->data, row_bytes) != 0)
      return FALSE;
  return TRUE;
}
