/* Which frames the frame log keeps, from synthetic frames. */
#include <string.h>

#include "rh-frame-log.h"
#include "test-utils.h"

#define WIDTH 640
#define HEIGHT 360

/* A white frame, or one with a dark box when @painted. */
static RhFrame
make_frame (guint32 *pixels, gboolean painted)
{
  RhFrame frame = { (const guint8 *) pixels, WIDTH * 4, WIDTH, HEIGHT, 0 };

  for (guint i = 0; i < WIDTH * HEIGHT; i++)
    pixels[i] = 0xffffffff;
  if (painted)
    for (guint y = 100; y < 200; y++)
      for (guint x = 100; x < 300; x++)
        pixels[y * WIDTH + x] = 0xff203050;
  return frame;
}

static void
test_pictures (void)
{
  g_autoptr (RhFrameLog) log = rh_frame_log_new (TRUE);
  g_autofree guint32 *white = g_new (guint32, WIDTH * HEIGHT);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  RhFrame blank_frame = make_frame (white, FALSE);
  RhFrame painted_frame = make_frame (painted, TRUE);
  const GPtrArray *thumbnails;

  g_assert_true (rh_frame_log_add (log, &blank_frame, 10));
  g_assert_true (rh_frame_log_add (log, &blank_frame, 50));
  rh_frame_log_mark_ready (log); /* ready while white */
  g_assert_true (rh_frame_log_add (log, &blank_frame, 300));
  g_assert_false (rh_frame_log_add (log, &painted_frame, 320));
  g_assert_false (rh_frame_log_add (log, &painted_frame, 900));

  g_assert_cmpuint (rh_frame_log_get_marks (log)->len, ==, 5);
  g_assert_cmpuint (rh_frame_log_count_blank (log), ==, 3);
  g_assert_cmpint (rh_frame_log_get_first (log)->ms, ==, 10);
  g_assert_true (rh_frame_log_get_first (log)->blank);
  g_assert_cmpint (rh_frame_log_get_first_nonblank (log)->ms, ==, 320);
  g_assert_cmpint (rh_frame_log_get_at_ready (log)->ms, ==, 50);
  g_assert_true (rh_frame_log_get_at_ready (log)->blank);
  g_assert_cmpint (rh_frame_log_get_last (log)->ms, ==, 900);
  g_assert_cmpuint (rh_frame_log_get_last (log)->width, ==, WIDTH);
  g_assert_cmpmem (rh_frame_log_get_last (log)->pixels, WIDTH * HEIGHT * 4, painted,
                   WIDTH * HEIGHT * 4);

  /* Thumbnails: the first, each change of blankness, then one per 100 ms at most. */
  thumbnails = rh_frame_log_get_thumbnails (log);
  g_assert_cmpuint (thumbnails->len, ==, 4);
  g_assert_cmpint (((RhImage *) g_ptr_array_index (thumbnails, 0))->ms, ==, 10);
  g_assert_cmpint (((RhImage *) g_ptr_array_index (thumbnails, 1))->ms, ==, 300);
  g_assert_cmpint (((RhImage *) g_ptr_array_index (thumbnails, 2))->ms, ==, 320);
  g_assert_cmpuint (((RhImage *) g_ptr_array_index (thumbnails, 2))->width, ==, 192);
  g_assert_cmpuint (((RhImage *) g_ptr_array_index (thumbnails, 2))->height, ==, 108);
  g_assert_false (((RhImage *) g_ptr_array_index (thumbnails, 2))->blank);

  rh_frame_log_reset (log);
  g_assert_cmpuint (rh_frame_log_get_marks (log)->len, ==, 0);
  g_assert_null (rh_frame_log_get_first (log));
}

/* Ready before the renderer's first frame: at-ready is the first frame, what
 * a recording started at ready would begin with. */
static void
test_ready_before_frames (void)
{
  g_autoptr (RhFrameLog) log = rh_frame_log_new (TRUE);
  g_autofree guint32 *white = g_new (guint32, WIDTH * HEIGHT);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  RhFrame blank_frame = make_frame (white, FALSE);
  RhFrame painted_frame = make_frame (painted, TRUE);

  rh_frame_log_mark_ready (log);
  g_assert_null (rh_frame_log_get_at_ready (log));
  rh_frame_log_add (log, &blank_frame, 400);
  rh_frame_log_add (log, &painted_frame, 900);
  g_assert_cmpint (rh_frame_log_get_at_ready (log)->ms, ==, 400);
  g_assert_true (rh_frame_log_get_at_ready (log)->blank);

  /* A new load starts over. */
  rh_frame_log_reset (log);
  rh_frame_log_add (log, &painted_frame, 100);
  g_assert_null (rh_frame_log_get_at_ready (log));
}

static void
test_marks_only (void)
{
  g_autoptr (RhFrameLog) log = rh_frame_log_new (FALSE);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  RhFrame frame = make_frame (painted, TRUE);

  g_assert_false (rh_frame_log_add (log, &frame, 10));
  rh_frame_log_mark_ready (log);
  g_assert_cmpuint (rh_frame_log_get_marks (log)->len, ==, 1);
  g_assert_null (rh_frame_log_get_first (log));
  g_assert_null (rh_frame_log_get_at_ready (log));
  g_assert_cmpuint (rh_frame_log_get_thumbnails (log)->len, ==, 0);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/frame-log/pictures", test_pictures);
  g_test_add_func ("/frame-log/marks-only", test_marks_only);
  g_test_add_func ("/frame-log/ready-before-frames", test_ready_before_frames);
  return g_test_run ();
}
