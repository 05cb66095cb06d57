/* Every frame's time and whether it was blank, and, when pictures are asked
 * for, copies of the frames that tell the story: the first, the first
 * painted, the one on screen at ready, the last, and small thumbnails over
 * time for a filmstrip. */
#pragma once

#include <glib.h>

#include "rh-frame.h"

G_BEGIN_DECLS

/* An owned copy of a frame (ARGB8888, stride 4 * width). */
typedef struct
{
  guint width;
  guint height;
  gint64 ms;
  gboolean blank;
  guint8 *pixels;
} RhImage;

void     rh_image_free (RhImage *image);
RhImage *rh_image_copy (const RhImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhImage, rh_image_free)

typedef struct
{
  gint64 ms;
  gboolean blank;
} RhFrameMark;

typedef struct _RhFrameLog RhFrameLog;

RhFrameLog *rh_frame_log_new          (gboolean keep_pictures);
void        rh_frame_log_free         (RhFrameLog *log);
void        rh_frame_log_reset        (RhFrameLog *log);
/* Returns whether @frame was blank. */
gboolean    rh_frame_log_add          (RhFrameLog *log, const RhFrame *frame, gint64 ms);
void        rh_frame_log_mark_ready   (RhFrameLog *log);
const GArray *rh_frame_log_get_marks  (RhFrameLog *log); /* RhFrameMark */
guint       rh_frame_log_count_blank  (RhFrameLog *log);

/* Pictures, NULL when not kept or not seen. */
const RhImage *rh_frame_log_get_first          (RhFrameLog *log);
const RhImage *rh_frame_log_get_first_nonblank (RhFrameLog *log);
const RhImage *rh_frame_log_get_at_ready       (RhFrameLog *log);
const RhImage *rh_frame_log_get_last           (RhFrameLog *log);
const GPtrArray *rh_frame_log_get_thumbnails   (RhFrameLog *log); /* RhImage */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhFrameLog, rh_frame_log_free)

G_END_DECLS
