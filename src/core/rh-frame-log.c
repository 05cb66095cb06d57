#include "rh-frame-log.h"

#include <string.h>

#define THUMBNAIL_WIDTH 192
#define THUMBNAIL_INTERVAL_MS 100
#define MAX_THUMBNAILS 600 /* one minute at the interval: ~53 MiB at most */
#define MAX_MARKS 100000

struct _RhFrameLog
{
  gboolean keep_pictures;
  guint blank_threshold;
  GArray *marks;
  guint blank_count;
  GArray *spans;       /* RhBlankSpan */
  gboolean in_span;    /* the last frame was blank */
  guint dropped_spans; /* past RH_FRAME_LOG_MAX_BLANK_SPANS */
  RhImage *first;
  RhImage *first_nonblank;
  RhImage *at_ready;
  gboolean ready_before_frames; /* ready came before any frame */
  RhImage *last;
  GPtrArray *thumbnails;
};

static void
image_clear (gpointer data)
{
  g_free (((RhImage *) data)->pixels);
}

RhImage *
rh_image_ref (RhImage *image)
{
  return g_rc_box_acquire (image);
}

void
rh_image_unref (RhImage *image)
{
  if (image != NULL)
    g_rc_box_release_full (image, image_clear);
}

static RhImage *
image_from_frame (const RhFrame *frame, gint64 ms, gboolean blank)
{
  RhImage *image = g_rc_box_new0 (RhImage);
  gsize row = (gsize) frame->width * 4;

  image->width = frame->width;
  image->height = frame->height;
  image->ms = ms;
  image->blank = blank;
  image->pixels = g_malloc (row * frame->height);
  for (guint y = 0; y < frame->height; y++)
    memcpy (image->pixels + y * row, frame->data + (gsize) y * frame->stride, row);
  return image;
}

/* Nearest-neighbour: a thumbnail is for seeing white versus content. */
static RhImage *
thumbnail_from_frame (const RhFrame *frame, gint64 ms, gboolean blank)
{
  RhImage *image = g_rc_box_new0 (RhImage);
  guint32 *out;

  image->width = MIN (THUMBNAIL_WIDTH, frame->width);
  image->height = MAX (1, (guint) ((guint64) frame->height * image->width / frame->width));
  image->ms = ms;
  image->blank = blank;
  image->pixels = g_malloc ((gsize) image->width * image->height * 4);
  out = (guint32 *) image->pixels;
  for (guint y = 0; y < image->height; y++)
    {
      const guint8 *row = frame->data + (gsize) (y * frame->height / image->height) * frame->stride;

      for (guint x = 0; x < image->width; x++)
        memcpy (&out[(gsize) y * image->width + x],
                row + (gsize) (x * frame->width / image->width) * 4, 4);
    }
  return image;
}

RhFrameLog *
rh_frame_log_new (gboolean keep_pictures, guint blank_threshold)
{
  RhFrameLog *log;

  g_return_val_if_fail (blank_threshold <= 100, NULL);
  log = g_new0 (RhFrameLog, 1);
  log->keep_pictures = keep_pictures;
  log->blank_threshold = blank_threshold;
  log->marks = g_array_new (FALSE, FALSE, sizeof (RhFrameMark));
  log->spans = g_array_new (FALSE, FALSE, sizeof (RhBlankSpan));
  log->thumbnails = g_ptr_array_new_with_free_func ((GDestroyNotify) rh_image_unref);
  return log;
}

static void
free_pictures (RhFrameLog *log)
{
  g_clear_pointer (&log->first, rh_image_unref);
  g_clear_pointer (&log->first_nonblank, rh_image_unref);
  g_clear_pointer (&log->at_ready, rh_image_unref);
  g_clear_pointer (&log->last, rh_image_unref);
  g_ptr_array_set_size (log->thumbnails, 0);
}

void
rh_frame_log_reset (RhFrameLog *log)
{
  g_array_set_size (log->marks, 0);
  log->blank_count = 0;
  g_array_set_size (log->spans, 0);
  log->in_span = FALSE;
  log->dropped_spans = 0;
  log->ready_before_frames = FALSE;
  free_pictures (log);
}

/* The pictures kept are written: freed, and no more kept; what the frames
 * tell (marks, blank spans) stays. */
void
rh_frame_log_drop_pictures (RhFrameLog *log)
{
  log->keep_pictures = FALSE;
  free_pictures (log);
}

void
rh_frame_log_free (RhFrameLog *log)
{
  if (log == NULL)
    return;
  rh_frame_log_reset (log);
  g_array_unref (log->marks);
  g_array_unref (log->spans);
  g_ptr_array_unref (log->thumbnails);
  g_free (log);
}

/* A span opens at a blank frame after a painted one (or at the first
 * frame) and closes at the next painted frame. */
static void
track_spans (RhFrameLog *log, gboolean blank, gint64 ms)
{
  if (blank && !log->in_span)
    {
      RhBlankSpan span = { ms, -1 };

      log->in_span = TRUE;
      if (log->spans->len < RH_FRAME_LOG_MAX_BLANK_SPANS)
        g_array_append_val (log->spans, span);
      else
        log->dropped_spans++;
    }
  else if (!blank && log->in_span)
    {
      log->in_span = FALSE;
      if (log->dropped_spans == 0)
        g_array_index (log->spans, RhBlankSpan, log->spans->len - 1).end_ms = ms;
    }
}

gboolean
rh_frame_log_add (RhFrameLog *log, const RhFrame *frame, gint64 ms)
{
  gboolean blank = rh_frame_is_blank (frame, log->blank_threshold);
  RhFrameMark mark = { ms, blank };
  gboolean changed;

  changed = log->marks->len == 0
            || g_array_index (log->marks, RhFrameMark, log->marks->len - 1).blank != blank;
  if (log->marks->len < MAX_MARKS)
    g_array_append_val (log->marks, mark);
  if (blank)
    log->blank_count++;
  track_spans (log, blank, ms);
  if (!log->keep_pictures)
    return blank;

  /* One copy of the frame, whichever pictures it is: a still page on hold
   * keeps its last frame once, for last and at ready. */
  rh_image_unref (log->last);
  log->last = image_from_frame (frame, ms, blank);
  if (log->first == NULL)
    log->first = rh_image_ref (log->last);
  if (!blank && log->first_nonblank == NULL)
    log->first_nonblank = rh_image_ref (log->last);
  /* The latest frame is what is on screen when ready comes. */
  if (log->ready_before_frames && log->at_ready == NULL)
    log->at_ready = rh_image_ref (log->last);

  if (log->thumbnails->len < MAX_THUMBNAILS
      && (changed || log->thumbnails->len == 0
          || ms - ((RhImage *) g_ptr_array_index (log->thumbnails, log->thumbnails->len - 1))->ms
               >= THUMBNAIL_INTERVAL_MS))
    g_ptr_array_add (log->thumbnails, thumbnail_from_frame (frame, ms, blank));
  return blank;
}

/* Ready before the first frame (a slow renderer): the first frame is what
 * a recording started at ready begins with. */
void
rh_frame_log_mark_ready (RhFrameLog *log)
{
  if (log->last != NULL && log->at_ready == NULL)
    log->at_ready = rh_image_ref (log->last);
  else if (log->last == NULL)
    log->ready_before_frames = TRUE;
}

const GArray *
rh_frame_log_get_marks (RhFrameLog *log)
{
  return log->marks;
}

guint
rh_frame_log_count_blank (RhFrameLog *log)
{
  return log->blank_count;
}

guint
rh_frame_log_get_blank_threshold (RhFrameLog *log)
{
  return log->blank_threshold;
}

const GArray *
rh_frame_log_get_blank_spans (RhFrameLog *log)
{
  return log->spans;
}

guint
rh_frame_log_count_dropped_spans (RhFrameLog *log)
{
  return log->dropped_spans;
}

/* Blank time from the first frame up to @ms, from the spans kept.  Frames
 * only come when the page changes, so a span still open lasts until @ms. */
gint64
rh_frame_log_blank_ms_before (RhFrameLog *log, gint64 ms)
{
  gint64 total = 0;

  for (guint i = 0; i < log->spans->len; i++)
    {
      const RhBlankSpan *span = &g_array_index (log->spans, RhBlankSpan, i);
      gint64 end = span->end_ms == -1 ? ms : MIN (span->end_ms, ms);

      if (span->start_ms >= ms)
        break;
      total += end - span->start_ms;
    }
  return total;
}

const RhImage *
rh_frame_log_get_first (RhFrameLog *log)
{
  return log->first;
}

const RhImage *
rh_frame_log_get_first_nonblank (RhFrameLog *log)
{
  return log->first_nonblank;
}

const RhImage *
rh_frame_log_get_at_ready (RhFrameLog *log)
{
  return log->at_ready;
}

const RhImage *
rh_frame_log_get_last (RhFrameLog *log)
{
  return log->last;
}

const GPtrArray *
rh_frame_log_get_thumbnails (RhFrameLog *log)
{
  return log->thumbnails;
}
