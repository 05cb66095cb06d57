/* Recording files from synthetic frames, checked with GStreamer's own
 * discoverer and decoder. */
#include <gst/app/gstappsink.h>
#include <gst/gst.h>
#include <gst/pbutils/pbutils.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rh-frame.h"
#include "rh-fs.h"
#include "media-probe.h"
#include "rh-recorder.h"
#include "test-utils.h"

#define WIDTH 640
#define HEIGHT 480
#define FPS 15

typedef struct
{
  char *dir;
  guint32 *pixels;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("recordhost-recorder-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->pixels = g_new (guint32, WIDTH * HEIGHT);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  rh_fs_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->pixels);
}

typedef enum
{
  PICTURE_WHITE,
  PICTURE_CLASSROOM, /* a dark header and coloured panes */
  PICTURE_NOISE,     /* hard to compress */
} Picture;

static RhFrame
paint (Fixture *fixture, Picture picture, guint seed)
{
  RhFrame frame = { (const guint8 *) fixture->pixels, WIDTH * 4, WIDTH, HEIGHT, 0 };
  GRand *rand = g_rand_new_with_seed (seed);

  for (guint y = 0; y < HEIGHT; y++)
    for (guint x = 0; x < WIDTH; x++)
      {
        guint32 *pixel = &fixture->pixels[y * WIDTH + x];

        if (picture == PICTURE_WHITE)
          *pixel = 0xffffffff;
        else if (picture == PICTURE_NOISE)
          *pixel = 0xff000000 | g_rand_int (rand);
        else
          *pixel = y < 60 ? 0xff1f3b73 : x < 400 ? 0xfff3f0e6 : 0xff4a6fa5;
      }
  g_rand_free (rand);
  return frame;
}

/* Frames a recorder running from @from_us must have taken by @to_us, at least
 * (it catches up whenever it runs) or at most (it never runs ahead). */
static guint64
frames_due (gint64 from_us, gint64 to_us)
{
  return to_us <= from_us ? 0 : (guint64) (to_us - from_us) * FPS / G_USEC_PER_SEC;
}

/* Records @seconds of video: white for the first @white_ms, then @picture,
 * a new one each time the recorder has taken a frame, or once when not
 * @repaint.  Returns the frames.  The recorder takes frames on its own
 * clock, so the length is counted in the frames it took, never in the time
 * the test spent. */
static guint64
record_full (Fixture *fixture, const char *path, guint bitrate, guint white_ms, Picture picture,
             gboolean repaint, double seconds)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhRecorder) recorder = rh_recorder_new (path, WIDTH, HEIGHT, FPS, bitrate, &error);
  g_autoptr (GAsyncResult) result = NULL;
  guint64 wanted = (guint64) (seconds * FPS);
  guint64 frames;
  gint64 before_start, after_start, before_iteration = 0;
  RhFrame frame;
  guint n = 0;

  g_assert_no_error (error);
  frame = paint (fixture, white_ms > 0 ? PICTURE_WHITE : picture, 0);
  rh_recorder_add_frame (recorder, &frame);
  before_start = g_get_monotonic_time ();
  rh_recorder_start_async (recorder, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  g_assert_true (rh_recorder_start_finish (recorder, result, &error));
  g_clear_object (&result);
  after_start = g_get_monotonic_time ();
  while ((frames = rh_recorder_get_frames (recorder)) < wanted)
    {
      before_iteration = g_get_monotonic_time ();
      g_main_context_iteration (NULL, TRUE);
      if (rh_recorder_get_frames (recorder) != frames
          && rh_recorder_get_frames (recorder) * 1000 / FPS >= white_ms && (repaint || n == 0))
        {
          frame = paint (fixture, picture, n++);
          rh_recorder_add_frame (recorder, &frame);
        }
    }
  /* A constant rate whatever the page did: the recorder kept up with the
   * clock until the frame it took last, in the last iteration, and never
   * ran ahead of it. */
  g_assert_cmpuint (frames, >=, frames_due (after_start, before_iteration));
  g_assert_cmpuint (frames, <=, frames_due (before_start, g_get_monotonic_time ()) + 1);
  rh_recorder_close_async (recorder, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 60));
  g_assert_true (rh_recorder_close_finish (recorder, result, &error));
  g_assert_no_error (error);
  g_clear_object (&result);
  g_assert_cmpuint (rh_recorder_get_open_count (), ==, 0);
  g_assert_cmpuint (rh_recorder_get_frames (recorder), ==, frames);
  return frames;
}

static guint64
record (Fixture *fixture, const char *path, guint bitrate, guint white_ms, Picture picture,
        double seconds)
{
  return record_full (fixture, path, bitrate, white_ms, picture, TRUE, seconds);
}

/* Every frame taken is in the file once, at its time: as many frames as
 * taken, FPS of them a second, none missing or repeated. */
static void
assert_frames_exact (const char *path, guint64 frames, MediaProbeFrames *decoded)
{
  media_probe_decode (path, decoded);
  g_test_message ("%s: %u frames decoded of %" G_GUINT64_FORMAT ", from %" GST_TIME_FORMAT
                  " to %" GST_TIME_FORMAT ", steps %" GST_TIME_FORMAT "..%" GST_TIME_FORMAT,
                  path, decoded->frames, frames, GST_TIME_ARGS (decoded->first_pts),
                  GST_TIME_ARGS (decoded->last_pts), GST_TIME_ARGS (decoded->shortest_step),
                  GST_TIME_ARGS (decoded->longest_step));
  g_assert_cmpuint (decoded->frames, ==, frames);
  g_assert_cmpuint (decoded->first_pts, ==, 0);
  g_assert_cmpuint (decoded->shortest_step, >=, GST_SECOND / FPS - GST_MSECOND);
  g_assert_cmpuint (decoded->longest_step, <=, GST_SECOND / FPS + GST_MSECOND);
}

static GstDiscovererInfo *
discover (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscoverer) discoverer = gst_discoverer_new (10 * GST_SECOND, &error);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  GstDiscovererInfo *info;

  g_assert_no_error (error);
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  g_assert_no_error (error);
  g_assert_cmpint (gst_discoverer_info_get_result (info), ==, GST_DISCOVERER_OK);
  return info;
}

static void
test_mp4 (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "class.mp4", NULL);
  g_autoptr (GstDiscovererInfo) info = NULL;
  GList *streams;
  GstDiscovererVideoInfo *video;
  g_autofree char *codec = NULL;
  GstClockTime duration;
  MediaProbeFrames decoded;
  guint64 frames;

  frames = record (fixture, path, 1000, 1000, PICTURE_CLASSROOM, 2.0);
  info = discover (path);
  streams = gst_discoverer_info_get_video_streams (info);
  g_assert_cmpuint (g_list_length (streams), ==, 1);
  video = streams->data;
  g_assert_cmpuint (gst_discoverer_video_info_get_width (video), ==, WIDTH);
  g_assert_cmpuint (gst_discoverer_video_info_get_height (video), ==, HEIGHT);
  codec = gst_pb_utils_get_codec_description (
    gst_discoverer_stream_info_get_caps (GST_DISCOVERER_STREAM_INFO (video)));
  g_assert_nonnull (strstr (codec, "H.264"));
  /* Every frame taken is in the file, one FPS-th of a second each. */
  duration = gst_discoverer_info_get_duration (info);
  g_assert_cmpuint (frames, >=, 2 * FPS);
  g_assert_cmpuint (duration, >=, (frames - 1) * GST_SECOND / FPS);
  g_assert_cmpuint (duration, <=, (frames + 1) * GST_SECOND / FPS);
  gst_discoverer_stream_info_list_free (streams);
  /* White first: what a late-painting page gives. */
  g_assert_true (media_probe_first_frame_blank (path, RH_FRAME_BLANK_THRESHOLD_DEFAULT));
  assert_frames_exact (path, frames, &decoded);
}

/* A classroom is mostly still: one paint, then the same picture for seconds.
 * The file still has every frame, and the last one is that paint. */
static void
test_mp4_still (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "still.mp4", NULL);
  MediaProbeFrames decoded;
  guint64 frames;

  frames = record_full (fixture, path, 1000, 1000, PICTURE_CLASSROOM, FALSE, 4.0);
  g_assert_true (media_probe_first_frame_blank (path, RH_FRAME_BLANK_THRESHOLD_DEFAULT));
  assert_frames_exact (path, frames, &decoded);
  g_assert_false (decoded.last_blank);
  g_assert_cmpint (media_probe_duration_ms (path), >=, (gint64) (frames - 1) * 1000 / FPS);
  g_assert_cmpint (media_probe_duration_ms (path), <=, (gint64) (frames + 1) * 1000 / FPS);
}

static void
test_mp4_painted_from_start (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "painted.mp4", NULL);

  record (fixture, path, 1000, 0, PICTURE_CLASSROOM, 1.0);
  g_assert_false (media_probe_first_frame_blank (path, RH_FRAME_BLANK_THRESHOLD_DEFAULT));
}

/* A dark bar at @column on white. */
static RhFrame
paint_bar (Fixture *fixture, guint column)
{
  RhFrame frame = { (const guint8 *) fixture->pixels, WIDTH * 4, WIDTH, HEIGHT, 0 };

  for (guint y = 0; y < HEIGHT; y++)
    for (guint x = 0; x < WIDTH; x++)
      fixture->pixels[y * WIDTH + x] = x >= column && x < column + 32 ? 0xff000000 : 0xffffffff;
  return frame;
}

/* The encoder gets only the frames that changed (and a keyframe every two
 * seconds); the file still shows, at every frame, what was on screen:
 * changes in a row, long still stretches across keyframes, and the last
 * still stretch up to the end. */
static void
test_mp4_repeats (Fixture *fixture, gconstpointer data)
{
  static const guint changes[] = { 5, 6, 20, 41, 42, 43, 70 };
  const guint64 total = 5 * FPS;
  g_autofree char *path = g_build_filename (fixture->dir, "repeats.mp4", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhRecorder) recorder = rh_recorder_new (path, WIDTH, HEIGHT, FPS, 1000, &error);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GArray) columns = NULL;
  int expected[5 * FPS];
  int column = -1;
  guint next = 0;
  guint64 frames;
  RhFrame frame;

  g_assert_no_error (error);
  /* White until the first change. */
  for (guint i = 0; i < total; i++)
    expected[i] = -1;
  frame = paint (fixture, PICTURE_WHITE, 0);
  rh_recorder_add_frame (recorder, &frame);
  rh_recorder_start_async (recorder, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  g_assert_true (rh_recorder_start_finish (recorder, result, &error));
  g_clear_object (&result);
  while ((frames = rh_recorder_get_frames (recorder)) < total)
    {
      /* A picture added now is in the frames from this one on. */
      if (next < G_N_ELEMENTS (changes) && frames >= changes[next])
        {
          column = 40 * (next + 1);
          frame = paint_bar (fixture, column);
          rh_recorder_add_frame (recorder, &frame);
          next++;
        }
      for (guint64 i = frames; i < total; i++)
        expected[i] = column;
      g_main_context_iteration (NULL, TRUE);
    }
  rh_recorder_close_async (recorder, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 60));
  g_assert_true (rh_recorder_close_finish (recorder, result, &error));
  g_test_message ("%" G_GUINT64_FORMAT " frames, %" G_GUINT64_FORMAT " encoded",
                  rh_recorder_get_frames (recorder), rh_recorder_get_encoded_frames (recorder));
  /* The first, the changes, a keyframe at 2 and 4 s, the last. */
  g_assert_cmpuint (rh_recorder_get_encoded_frames (recorder), <=, 1 + G_N_ELEMENTS (changes) + 3);

  columns = media_probe_dark_columns (path);
  g_assert_cmpuint (columns->len, ==, rh_recorder_get_frames (recorder));
  for (guint i = 0; i < columns->len; i++)
    {
      int got = g_array_index (columns, int, i);

      if (expected[i] < 0 ? got != -1 : ABS (got - expected[i]) > 2)
        g_error ("frame %u shows a bar at %d, not %d", i, got, expected[i]);
    }
}

static void
test_hls (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (fixture->dir, "class.m3u8", NULL);
  g_autofree char *playlist = NULL;
  g_autofree char *segment = g_build_filename (fixture->dir, "class-00000.ts", NULL);
  g_auto (GStrv) lines = NULL;
  guint segments = 0;

  record (fixture, path, 1000, 0, PICTURE_CLASSROOM, 5.0);
  g_assert_true (g_file_get_contents (path, &playlist, NULL, NULL));
  g_assert_true (g_str_has_prefix (playlist, "#EXTM3U"));
  g_assert_nonnull (strstr (playlist, "#EXT-X-ENDLIST"));
  lines = g_strsplit (playlist, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_suffix (lines[i], ".ts"))
      segments++;
  g_assert_cmpuint (segments, >=, 2);
  g_assert_true (g_file_test (segment, G_FILE_TEST_EXISTS));
}

typedef struct
{
  const char *name;
  const char *dir;  /* made under the fixture's */
  const char *file;
} OutputNameRow;

/* Names whose bytes GStreamer's launch syntax would take for escapes, or the
 * HLS sink's location for a format. */
static const OutputNameRow output_name_rows[] = {
  { "mp4-non-ascii", "cl\xc3\xa9-\xe8\xaf\xbe", "r\xc3\xa9" "cord.mp4" },
  { "mp4-quotes", "a\"b", "c\\d'e.mp4" },
  { "mp4-percent", "100%", "%d%s.mp4" },
  { "hls-non-ascii", "cl\xc3\xa9", "\xe8\xaf\xbe.m3u8" },
  { "hls-percent", "50%", "%05d%s.m3u8" },
};

static void
test_output_name (Fixture *fixture, gconstpointer data)
{
  const OutputNameRow *row = data;
  g_autofree char *dir = g_build_filename (fixture->dir, row->dir, NULL);
  g_autofree char *path = g_build_filename (dir, row->file, NULL);

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  record (fixture, path, 1000, 0, PICTURE_CLASSROOM, 1.0);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
  if (g_str_has_suffix (path, ".mp4"))
    {
      g_autoptr (GstDiscovererInfo) info = discover (path);
    }
  else
    {
      g_autofree char *stem = g_strndup (path, strlen (path) - strlen (".m3u8"));
      g_autofree char *segment = g_strconcat (stem, "-00000.ts", NULL);

      g_assert_true (g_file_test (segment, G_FILE_TEST_IS_REGULAR));
    }
}

static void
test_bitrate_changes_size (Fixture *fixture, gconstpointer data)
{
  g_autofree char *low = g_build_filename (fixture->dir, "low.mp4", NULL);
  g_autofree char *high = g_build_filename (fixture->dir, "high.mp4", NULL);
  GStatBuf low_stat, high_stat;

  record (fixture, low, 200, 0, PICTURE_NOISE, 2.0);
  record (fixture, high, 3000, 0, PICTURE_NOISE, 2.0);
  g_assert_cmpint (g_stat (low, &low_stat), ==, 0);
  g_assert_cmpint (g_stat (high, &high_stat), ==, 0);
  g_test_message ("200 kbps: %" G_GINT64_FORMAT " bytes, 3000 kbps: %" G_GINT64_FORMAT,
                  (gint64) low_stat.st_size, (gint64) high_stat.st_size);
  g_assert_cmpint (high_stat.st_size, >, 3 * low_stat.st_size);
}

static void
test_bad_name (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhRecorder) recorder = rh_recorder_new ("/tmp/out.avi", WIDTH, HEIGHT, FPS, 1000,
                                                     &error);

  g_assert_null (recorder);
  g_assert_nonnull (strstr (error->message, ".mp4"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  gst_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/recorder/mp4", test_mp4);
  ADD ("/recorder/mp4-painted-from-start", test_mp4_painted_from_start);
  ADD ("/recorder/mp4-still", test_mp4_still);
  ADD ("/recorder/mp4-repeats", test_mp4_repeats);
  ADD ("/recorder/hls", test_hls);
  ADD ("/recorder/bitrate-changes-size", test_bitrate_changes_size);
#undef ADD
  g_test_add_func ("/recorder/bad-name", test_bad_name);
  for (guint i = 0; i < G_N_ELEMENTS (output_name_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/recorder/output-name/", output_name_rows[i].name,
                                           NULL);

      g_test_add (path, Fixture, &output_name_rows[i], fixture_setup, test_output_name,
                  fixture_teardown);
    }
  return g_test_run ();
}
