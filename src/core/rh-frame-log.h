/* Every frame's time and whether it was blank, the spans of time the page
 * was blank (for as long as frames come, after the first paint too), and,
 * when pictures are asked for, copies of the frames that tell the story: the first, the first
 * painted, the one on screen at ready, the last, and small thumbnails over
 * time for a filmstrip. */
#pragma once

#include <glib.h>

#include "rh-frame.h"

G_BEGIN_DECLS

/* A copy of a frame (ARGB8888, stride 4 * width), shared by the pictures
 * that are the same frame: reference counted. */
typedef struct
{
  guint width;
  guint height;
  gint64 ms;
  gboolean blank;
  guint8 *pixels;
} RhImage;

RhImage *rh_image_ref   (RhImage *image);
void     rh_image_unref (RhImage *image);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhImage, rh_image_unref)

typedef struct
{
  gint64 ms;
  gboolean blank;
} RhFrameMark;

/* From the first blank frame to the first painted one after it; end_ms is
 * -1 when the page was still blank at the last frame. */
typedef struct
{
  gint64 start_ms;
  gint64 end_ms;
} RhBlankSpan;

/* A page flickering for hours keeps this many spans; the rest are counted. */
#define RH_FRAME_LOG_MAX_BLANK_SPANS 1000

typedef struct _RhFrameLog RhFrameLog;

/* @blank_threshold: percent, as rh_frame_is_blank () takes it. */
RhFrameLog *rh_frame_log_new          (gboolean keep_pictures, guint blank_threshold);
guint       rh_frame_log_get_blank_threshold (RhFrameLog *log);
void        rh_frame_log_free         (RhFrameLog *log);
void        rh_frame_log_reset        (RhFrameLog *log);
void        rh_frame_log_drop_pictures (RhFrameLog *log);
/* Returns whether @frame was blank. */
gboolean    rh_frame_log_add          (RhFrameLog *log, const RhFrame *frame, gint64 ms);
void        rh_frame_log_mark_ready   (RhFrameLog *log);
const GArray *rh_frame_log_get_marks  (RhFrameLog *log); /* RhFrameMark */
guint       rh_frame_log_count_blank  (RhFrameLog *log);
const GArray *rh_frame_log_get_blank_spans (RhFrameLog *log); /* RhBlankSpan, in time order */
guint       rh_frame_log_count_dropped_spans (RhFrameLog *log);
gint64      rh_frame_log_blank_ms_before (RhFrameLog *log, gint64 ms);

/* Pictures, NULL when not kept or not seen. */
const RhImage *rh_frame_log_get_first          (RhFrameLog *log);
const RhImage *rh_frame_log_get_first_nonblank (RhFrameLog *log);
const RhImage *rh_frame_log_get_at_ready       (RhFrameLog *log);
const RhImage *rh_frame_log_get_last           (RhFrameLog *log);
const GPtrArray *rh_frame_log_get_thumbnails   (RhFrameLog *log); /* RhImage */

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhFrameLog, rh_frame_log_free)

G_END_DECLS
