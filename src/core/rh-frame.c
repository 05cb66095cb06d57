#include "rh-frame.h"

#include <string.h>

/* Every STEP-th pixel of every STEP-th row: 57600 samples of a 1280x720
 * frame.  A smaller frame is sampled more densely, down to every pixel, so
 * that it still gets about MIN_SAMPLES. */
#define SAMPLE_STEP 4
#define MIN_SAMPLES 10000
/* The histogram finding the dominant colour: 16 levels a channel. */
#define LEVEL_SHIFT 4
#define LEVELS (256 >> LEVEL_SHIFT)

static guint
sample_step (guint width, guint height)
{
  guint64 pixels = (guint64) width * height;
  guint step = SAMPLE_STEP;

  while (step > 1 && pixels / ((guint64) step * step) < MIN_SAMPLES)
    step--;
  return step;
}

static inline guint32
pixel_at (const RhFrame *frame, guint x, guint y)
{
  guint32 pixel;

  memcpy (&pixel, frame->data + (gsize) y * frame->stride + (gsize) x * 4, sizeof pixel);
  return pixel;
}

/* Alpha is left out: a recording has none. */
static inline guint
cell_of (guint32 pixel)
{
  guint r = (pixel >> 16) & 0xff, g = (pixel >> 8) & 0xff, b = pixel & 0xff;

  return (r >> LEVEL_SHIFT) * LEVELS * LEVELS + (g >> LEVEL_SHIFT) * LEVELS + (b >> LEVEL_SHIFT);
}

static inline gboolean
channel_near (guint32 pixel, guint32 colour, guint shift)
{
  guint a = (pixel >> shift) & 0xff, b = (colour >> shift) & 0xff;

  return (a > b ? a - b : b - a) <= RH_FRAME_BLANK_DISTANCE;
}

static inline gboolean
colour_near (guint32 pixel, guint32 colour)
{
  return channel_near (pixel, colour, 16) && channel_near (pixel, colour, 8)
         && channel_near (pixel, colour, 0);
}

/* Blank: at least @threshold_percent of the samples lie within
 * RH_FRAME_BLANK_DISTANCE of the dominant colour: the first sample seen of
 * the most common cell of a coarse histogram, which is a page's background
 * colour itself when it has one.  A cell is 16 wide a channel, so all of
 * the dominant cell is near: when it alone holds enough samples, as on a
 * white page, one pass is all.  Otherwise a second pass counts the near
 * samples of other cells, and stops as soon as too many are far.  Runs of
 * one colour are counted in a register: a histogram whose every increment
 * hits the same counter waits on memory at each sample. */
gboolean
rh_frame_is_blank (const RhFrame *frame, guint threshold_percent)
{
  guint32 counts[LEVELS * LEVELS * LEVELS] = { 0 };
  guint32 first_seen[LEVELS * LEVELS * LEVELS];
  guint step, samples, needed, top_cell = 0, far = 0, run = 0;
  guint32 dominant, previous;

  g_return_val_if_fail (threshold_percent <= 100, TRUE);

  if (frame->width == 0 || frame->height == 0)
    return TRUE;
  step = sample_step (frame->width, frame->height);
  samples = ((frame->width + step - 1) / step) * ((frame->height + step - 1) / step);
  needed = (guint) (((guint64) samples * threshold_percent + 99) / 100);

  previous = pixel_at (frame, 0, 0);
  first_seen[cell_of (previous)] = previous;
  for (guint y = 0; y < frame->height; y += step)
    for (guint x = 0; x < frame->width; x += step)
      {
        guint32 pixel = pixel_at (frame, x, y);
        guint cell;

        if (pixel == previous)
          {
            run++;
            continue;
          }
        counts[cell_of (previous)] += run;
        cell = cell_of (pixel);
        if (counts[cell] == 0)
          first_seen[cell] = pixel;
        previous = pixel;
        run = 1;
      }
  counts[cell_of (previous)] += run;
  for (guint cell = 1; cell < G_N_ELEMENTS (counts); cell++)
    if (counts[cell] > counts[top_cell])
      top_cell = cell;
  if (counts[top_cell] >= needed)
    return TRUE;

  dominant = first_seen[top_cell];
  for (guint y = 0; y < frame->height; y += step)
    for (guint x = 0; x < frame->width; x += step)
      if (!colour_near (pixel_at (frame, x, y), dominant) && ++far > samples - needed)
        return FALSE;
  return TRUE;
}
