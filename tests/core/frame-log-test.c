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
  g_autoptr (RhFrameLog) log = rh_frame_log_new (TRUE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
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

/* A page painted once and still on hold: its first painted frame, the one
 * on screen at ready and the last are one frame, kept once; the pixels are
 * the frame's whatever happens to the frame's buffer after. */
static void
test_pictures_shared (void)
{
  g_autoptr (RhFrameLog) log = rh_frame_log_new (TRUE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  g_autofree guint32 *white = g_new (guint32, WIDTH * HEIGHT);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  RhFrame blank_frame = make_frame (white, FALSE);
  RhFrame painted_frame = make_frame (painted, TRUE);
  const RhImage *last;

  rh_frame_log_add (log, &blank_frame, 10);
  rh_frame_log_add (log, &painted_frame, 320);
  rh_frame_log_mark_ready (log);
  make_frame (painted, FALSE);

  last = rh_frame_log_get_last (log);
  g_assert_cmpint (last->ms, ==, 320);
  g_assert_false (last->blank);
  g_assert_true (rh_frame_log_get_first_nonblank (log) == last);
  g_assert_true (rh_frame_log_get_at_ready (log) == last);
  g_assert_true (rh_frame_log_get_first (log) != last);
  make_frame (white, TRUE);
  g_assert_cmpuint (((const guint32 *) last->pixels)[150 * WIDTH + 200], ==, 0xff203050);
  g_assert_cmpuint (((const guint32 *) rh_frame_log_get_first (log)->pixels)[150 * WIDTH + 200],
                    ==, 0xffffffff);

  /* A new frame leaves the earlier pictures as they were. */
  make_frame (white, FALSE);
  rh_frame_log_add (log, &blank_frame, 900);
  g_assert_cmpint (rh_frame_log_get_last (log)->ms, ==, 900);
  g_assert_cmpint (rh_frame_log_get_at_ready (log)->ms, ==, 320);
  g_assert_true (rh_frame_log_get_first_nonblank (log) == rh_frame_log_get_at_ready (log));
  g_assert_cmpuint (((const guint32 *) rh_frame_log_get_at_ready (log)->pixels)[150 * WIDTH + 200],
                    ==, 0xff203050);
}

/* Ready before the renderer's first frame: at-ready is the first frame, what
 * a recording started at ready would begin with. */
static void
test_ready_before_frames (void)
{
  g_autoptr (RhFrameLog) log = rh_frame_log_new (TRUE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
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
  g_autoptr (RhFrameLog) log = rh_frame_log_new (FALSE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  RhFrame frame = make_frame (painted, TRUE);

  g_assert_false (rh_frame_log_add (log, &frame, 10));
  rh_frame_log_mark_ready (log);
  g_assert_cmpuint (rh_frame_log_get_marks (log)->len, ==, 1);
  g_assert_null (rh_frame_log_get_first (log));
  g_assert_null (rh_frame_log_get_at_ready (log));
  g_assert_cmpuint (rh_frame_log_get_thumbnails (log)->len, ==, 0);
}

/* ---- blank spans ---- */

typedef struct
{
  char kind; /* 'W' white, 'F' white with a faint loading box, 'P' painted; 0 ends */
  gint64 ms;
} FrameStep;

typedef struct
{
  gint64 before_ms;
  gint64 blank_ms;
} BlankQuery;

typedef struct
{
  const char *name;
  FrameStep frames[10];
  RhBlankSpan spans[4];
  guint n_spans;
  BlankQuery queries[4];
} SpanRow;

static const SpanRow span_rows[] = {
  { "painted-at-once", { { 'P', 10 }, { 'P', 50 } }, { { 0 } }, 0,
    { { 1000, 0 }, { 0, 0 } } },
  { "blank-then-painted", { { 'W', 10 }, { 'W', 50 }, { 'P', 300 }, { 'P', 900 } },
    { { 10, 300 } }, 1, { { 5, 0 }, { 100, 90 }, { 1000, 290 } } },
  /* The loading box is white to a viewer: one span until the classroom. */
  { "faint-box", { { 'W', 0 }, { 'F', 180 }, { 'F', 1000 }, { 'P', 3000 } },
    { { 0, 3000 } }, 1, { { 1000, 1000 }, { 4000, 3000 } } },
  /* Painted, then white again (a reload, a white overlay), then painted. */
  { "white-again",
    { { 'W', 0 }, { 'P', 100 }, { 'P', 200 }, { 'W', 1500 }, { 'F', 2000 }, { 'P', 2500 },
      { 'P', 3000 } },
    { { 0, 100 }, { 1500, 2500 } }, 2, { { 50, 50 }, { 2000, 600 }, { 5000, 1100 } } },
  /* Still blank at the last frame: the span lasts until the time asked. */
  { "still-blank", { { 'W', 10 }, { 'P', 100 }, { 'W', 400 } }, { { 10, 100 }, { 400, -1 } },
    2, { { 300, 90 }, { 1000, 690 } } },
};

/* White with a light-grey box, a tenth of the frame: blank. */
static RhFrame
make_faint_frame (guint32 *pixels)
{
  RhFrame frame = make_frame (pixels, FALSE);

  for (guint y = 140; y < 220; y++)
    for (guint x = 200; x < 488; x++)
      pixels[y * WIDTH + x] = 0xfff0f0f0;
  return frame;
}

static void
test_spans (gconstpointer data)
{
  const SpanRow *row = data;
  g_autoptr (RhFrameLog) log = rh_frame_log_new (FALSE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  g_autofree guint32 *white = g_new (guint32, WIDTH * HEIGHT);
  g_autofree guint32 *faint = g_new (guint32, WIDTH * HEIGHT);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  RhFrame frames[] = { make_frame (white, FALSE), make_faint_frame (faint),
                       make_frame (painted, TRUE) };
  const GArray *spans;

  for (guint i = 0; i < G_N_ELEMENTS (row->frames) && row->frames[i].kind != 0; i++)
    {
      const char *kinds = "WFP";
      guint k = strchr (kinds, row->frames[i].kind) - kinds;

      g_assert_cmpint (rh_frame_log_add (log, &frames[k], row->frames[i].ms), ==, k != 2);
    }
  spans = rh_frame_log_get_blank_spans (log);
  g_assert_cmpuint (spans->len, ==, row->n_spans);
  for (guint i = 0; i < row->n_spans; i++)
    {
      g_assert_cmpint (g_array_index (spans, RhBlankSpan, i).start_ms, ==,
                       row->spans[i].start_ms);
      g_assert_cmpint (g_array_index (spans, RhBlankSpan, i).end_ms, ==, row->spans[i].end_ms);
    }
  for (guint i = 0; i < G_N_ELEMENTS (row->queries) && row->queries[i].before_ms != 0; i++)
    g_assert_cmpint (rh_frame_log_blank_ms_before (log, row->queries[i].before_ms), ==,
                     row->queries[i].blank_ms);
  g_assert_cmpuint (rh_frame_log_count_dropped_spans (log), ==, 0);

  rh_frame_log_reset (log);
  g_assert_cmpuint (rh_frame_log_get_blank_spans (log)->len, ==, 0);
  g_assert_cmpint (rh_frame_log_blank_ms_before (log, 10000), ==, 0);
}

/* A page that flickers white for ever: the spans kept are bounded, the
 * rest counted. */
static void
test_spans_capped (void)
{
  g_autoptr (RhFrameLog) log = rh_frame_log_new (FALSE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  g_autofree guint32 *white = g_new (guint32, WIDTH * HEIGHT);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  RhFrame blank_frame = make_frame (white, FALSE);
  RhFrame painted_frame = make_frame (painted, TRUE);
  const guint flickers = RH_FRAME_LOG_MAX_BLANK_SPANS + 500;
  const GArray *spans;

  for (guint i = 0; i < flickers; i++)
    {
      rh_frame_log_add (log, &blank_frame, i * 100);
      rh_frame_log_add (log, &painted_frame, i * 100 + 30);
    }
  spans = rh_frame_log_get_blank_spans (log);
  g_assert_cmpuint (spans->len, ==, RH_FRAME_LOG_MAX_BLANK_SPANS);
  g_assert_cmpuint (rh_frame_log_count_dropped_spans (log), ==, 500);
  /* The last span kept was closed by its own painted frame, not a later one. */
  g_assert_cmpint (g_array_index (spans, RhBlankSpan, spans->len - 1).start_ms, ==,
                   (RH_FRAME_LOG_MAX_BLANK_SPANS - 1) * 100);
  g_assert_cmpint (g_array_index (spans, RhBlankSpan, spans->len - 1).end_ms, ==,
                   (RH_FRAME_LOG_MAX_BLANK_SPANS - 1) * 100 + 30);
  g_assert_cmpuint (rh_frame_log_count_blank (log), ==, flickers);
}

/* The log classifies with its own threshold: a frame a twelfth painted is
 * blank at 50 %. */
static void
test_threshold (void)
{
  g_autoptr (RhFrameLog) log = rh_frame_log_new (FALSE, 50);
  g_autofree guint32 *painted = g_new (guint32, WIDTH * HEIGHT);
  RhFrame frame = make_frame (painted, TRUE);

  g_assert_cmpuint (rh_frame_log_get_blank_threshold (log), ==, 50);
  g_assert_true (rh_frame_log_add (log, &frame, 10));
  g_assert_cmpuint (rh_frame_log_get_blank_spans (log)->len, ==, 1);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (span_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/frame-log/spans/%s", span_rows[i].name);

      g_test_add_data_func (path, &span_rows[i], test_spans);
    }
  g_test_add_func ("/frame-log/spans/capped", test_spans_capped);
  g_test_add_func ("/frame-log/threshold", test_threshold);
  g_test_add_func ("/frame-log/pictures", test_pictures);
  g_test_add_func ("/frame-log/pictures-shared", test_pictures_shared);
  g_test_add_func ("/frame-log/marks-only", test_marks_only);
  g_test_add_func ("/frame-log/ready-before-frames", test_ready_before_frames);
  return g_test_run ();
}
