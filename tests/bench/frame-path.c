/* Cost of the frame path at 1920x1080: the blank check and the frame log on
 * every frame, and the copy the recorder keeps.  Prints the share of one
 * core each takes at 30 frames per second. */
#include <glib.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rh-frame-log.h"
#include "rh-recorder.h"

#define WIDTH 1920
#define HEIGHT 1080
#define ROUNDS 300
#define FPS 30

static double
per_frame_us (const char *what, void (*step) (gpointer), gpointer data)
{
  gint64 start = g_get_monotonic_time ();
  double us;

  for (guint i = 0; i < ROUNDS; i++)
    step (data);
  us = (double) (g_get_monotonic_time () - start) / ROUNDS;
  g_print ("%-44s %8.1f us/frame  %5.2f %% of a core at %d fps\n", what, us,
           us * FPS / 10000.0, FPS);
  return us;
}

static void
blank_check (gpointer data)
{
  g_assert_true (rh_frame_is_blank (data, RH_FRAME_BLANK_THRESHOLD_DEFAULT));
}

static void
log_add (gpointer data)
{
  static RhFrameLog *log = NULL;

  if (log == NULL)
    log = rh_frame_log_new (FALSE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  rh_frame_log_add (log, data, 0);
  if (rh_frame_log_get_marks (log)->len > 10000)
    rh_frame_log_reset (log);
}

typedef struct
{
  RhRecorder *recorder;
  RhFrame *frames[2];
  guint round;
} Recording;

/* A page that changes at every frame: the recorder keeps each one. */
static void
recorder_copy (gpointer data)
{
  Recording *recording = data;

  rh_recorder_add_frame (recording->recorder, recording->frames[recording->round++ % 2]);
}

int
main (int argc, char **argv)
{
  g_autofree guint32 *white = g_new (guint32, WIDTH * HEIGHT);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  g_autofree guint32 *faint = g_new (guint32, WIDTH * HEIGHT);
  RhFrame faint_frame = { (const guint8 *) faint, WIDTH * 4, WIDTH, HEIGHT, 0 };
  RhFrame white_frame = { (const guint8 *) white, WIDTH * 4, WIDTH, HEIGHT, 0 };
  RhFrame painted_frame = { (const guint8 *) painted, WIDTH * 4, WIDTH, HEIGHT, 0 };
  g_autoptr (GError) error = NULL;
  g_autofree char *path = g_build_filename (g_get_tmp_dir (), "recordhost-frame-path.mp4", NULL);
  Recording recording = { NULL, { &painted_frame, &white_frame }, 0 };
  double total;

  for (guint i = 0; i < WIDTH * HEIGHT; i++)
    {
      white[i] = 0xffffffff;
      painted[i] = i % WIDTH < 300 ? 0xff1f3b73 : 0xfff3f0e6;
      /* A loading box, a tenth of the frame, near white but not in its
       * histogram cell. */
      faint[i] = i % WIDTH < WIDTH / 2 && i / WIDTH < HEIGHT / 5 ? 0xffe8e8e8 : 0xffffffff;
    }
  g_print ("frame path at %dx%d, %d rounds\n", WIDTH, HEIGHT, ROUNDS);
  /* A frame blank despite a faint box is the worst case: every sample is
   * looked at twice. */
  per_frame_us ("blank check, white frame", blank_check, &white_frame);
  total = per_frame_us ("blank check, faint box (worst case)", blank_check, &faint_frame);
  per_frame_us ("frame log (check + mark), blank frame", log_add, &white_frame);
  recording.recorder = rh_recorder_new (path, WIDTH, HEIGHT, FPS, 2000, &error);
  g_assert_no_error (error);
  total += per_frame_us ("recorder: keep the latest frame (copy)", recorder_copy, &recording);
  g_print ("%-44s %8.1f us/frame  %5.2f %% of a core at %d fps\n",
           "capture path with --record (check + copy)", total, total * FPS / 10000.0, FPS);
  g_object_unref (recording.recorder);
  g_remove (path);
  return 0;
}
