/* The pictures: the waterfall draws URLs and errors of an outcome, redacted
 * whole, and shortens them without losing the mark; the filmstrip and the
 * key frames mark blank frames. */
#include <cairo.h>
#include <string.h>

#include "rh-snapshots.h"
#include "test-utils.h"

/* As an outcome holds it: redacted with @timeline's secrets (NULL: as is). */
static void
add_resource (GArray *resources, RhTimeline *timeline, const char *uri, guint status,
              const char *error)
{
  RhResource resource = { 0 };

  resource.uri = timeline != NULL ? rh_timeline_redact (timeline, uri) : g_strdup (uri);
  resource.status = status;
  resource.start_ms = 10 * resources->len;
  resource.end_ms = resource.start_ms + 50;
  resource.failed = error != NULL;
  resource.error = timeline != NULL ? rh_timeline_redact (timeline, error) : g_strdup (error);
  g_array_append_val (resources, resource);
}

static GArray *
resources_new (void)
{
  GArray *resources = g_array_new (FALSE, TRUE, sizeof (RhResource));

  g_array_set_clear_func (resources, (GDestroyNotify) rh_resource_clear);
  return resources;
}

/* The token, in one form, in a resource's path, its query and its error:
 * no label the waterfall draws has it. */
static void
test_labels_redacted (gconstpointer data)
{
  const RhTestTokenForm *row = data;
  g_autofree char *form = rh_test_token_form (RH_TEST_TOKEN, row->name);
  g_autofree char *in_path = g_strconcat ("https://cdn.example/assets/", form, ".js", NULL);
  g_autofree char *last = g_strconcat ("https://cdn.example/", form, NULL);
  g_autofree char *in_query = g_strconcat ("https://cdn.example/api?token=", form, NULL);
  g_autofree char *error = g_strconcat ("could not load ", form, NULL);
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (GArray) resources = resources_new ();
  g_autoptr (GArray) labels = NULL;

  rh_timeline_add_secret (timeline, RH_TEST_TOKEN);
  add_resource (resources, timeline, in_path, 404, "HTTP 404 Not Found");
  add_resource (resources, timeline, last, 200, NULL);
  add_resource (resources, timeline, in_query, 0, error);
  labels = rh_snapshots_waterfall_labels (resources);
  g_assert_cmpuint (labels->len, ==, 3);
  for (guint i = 0; i < labels->len; i++)
    {
      const RhWaterfallLabel *label = &g_array_index (labels, RhWaterfallLabel, i);

      g_test_message ("%s | %s", label->name, label->note);
      g_assert_null (strstr (label->name, form));
      g_assert_null (strstr (label->name, "SEKRET"));
      g_assert_true (g_utf8_validate (label->name, -1, NULL));
      if (label->note != NULL)
        {
          g_assert_null (strstr (label->note, form));
          g_assert_null (strstr (label->note, "SEKRET"));
        }
    }
  /* Redacted before it was shortened: the name shows where the token was. */
  g_assert_nonnull (strstr (g_array_index (labels, RhWaterfallLabel, 0).name, "[REDACTED]"));
  g_assert_nonnull (strstr (g_array_index (labels, RhWaterfallLabel, 1).name, "[REDACTED]"));
  g_assert_cmpstr (g_array_index (labels, RhWaterfallLabel, 1).note, ==, "200");
  g_assert_nonnull (strstr (g_array_index (labels, RhWaterfallLabel, 2).note, "[REDACTED]"));
}

/* Text no font can draw as it is still makes a picture. */
static void
test_waterfall_outside_text (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "waterfall.png", NULL);
  g_autoptr (GArray) resources = resources_new ();
  g_autoptr (GError) error = NULL;
  RhPageTimes times;

  rh_page_times_init (&times);
  add_resource (resources, NULL, "https://cdn.example/a\xff\x1b[2J.js", 0, "bad \xc3 \x07");
  add_resource (resources, NULL, "not a URL at all \xe2\x80\xae", 200, NULL);
  g_assert_true (rh_snapshots_write_waterfall (resources, &times, 100, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

/* ---- blank frames in the filmstrip and the key frames ---- */

/* The layout the pictures are drawn with (rh-snapshots.c): the margin, the
 * filmstrip's title band, its thumbnails' width and gap, the height of the
 * band under it that holds the time axis, and the key frames' label band. */
#define MARGIN 20
#define TITLE_HEIGHT 56
#define THUMBNAIL_WIDTH 192
#define CELL_PAD 12
#define AXIS_HEIGHT 110
#define LABEL_HEIGHT 36
#define FRAME_WIDTH 640
#define FRAME_HEIGHT 360

/* White, or white with a dark classroom filling the left half. */
static RhFrame
make_frame (guint32 *pixels, gboolean painted)
{
  RhFrame frame = { (const guint8 *) pixels, FRAME_WIDTH * 4, FRAME_WIDTH, FRAME_HEIGHT, 0 };

  for (guint i = 0; i < FRAME_WIDTH * FRAME_HEIGHT; i++)
    pixels[i] = painted && i % FRAME_WIDTH < FRAME_WIDTH / 2 ? 0xff26262e : 0xffffffff;
  return frame;
}

static guint32
rgb_at (cairo_surface_t *surface, int x, int y)
{
  const guint8 *data = cairo_image_surface_get_data (surface);
  guint32 pixel;

  memcpy (&pixel, data + (gsize) y * cairo_image_surface_get_stride (surface) + x * 4, 4);
  return pixel & 0xffffff;
}

static cairo_surface_t *
load_png (const char *path)
{
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_flush (surface);
  return surface;
}

/* Blank at first, painted at 300 ms, white again from 1000 ms to 1500 ms:
 * the first cell and key frame carry the blank tag, the painted ones not,
 * and the time axis shades both spans. */
static void
test_blank_marked (void)
{
  g_autofree char *filmstrip = g_build_filename (rh_test_tmpdir (), "filmstrip.png", NULL);
  g_autofree char *key_frames = g_build_filename (rh_test_tmpdir (), "key-frames.png", NULL);
  g_autoptr (RhFrameLog) log = rh_frame_log_new (TRUE, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  g_autofree guint32 *white = g_new (guint32, FRAME_WIDTH * FRAME_HEIGHT);
  g_autofree guint32 *painted = g_new (guint32, FRAME_WIDTH * FRAME_HEIGHT);
  RhFrame blank_frame = make_frame (white, FALSE);
  RhFrame painted_frame = make_frame (painted, TRUE);
  g_autoptr (GError) error = NULL;
  const gint64 end_ms = 2000;
  int axis_x, axis_w, axis_y, key_h = FRAME_HEIGHT * 640 / FRAME_WIDTH;
  cairo_surface_t *surface;
  RhPageTimes times;

  rh_page_times_init (&times);
  times.committed_ms = 0;
  times.first_frame_ms = 0;
  times.ready_event_ms = 150;
  times.first_nonblank_ms = 300;
  rh_frame_log_add (log, &blank_frame, 0);
  rh_frame_log_add (log, &blank_frame, 100);
  rh_frame_log_mark_ready (log);
  rh_frame_log_add (log, &painted_frame, 300);
  rh_frame_log_add (log, &blank_frame, 1000);
  rh_frame_log_add (log, &painted_frame, 1500);
  rh_frame_log_add (log, &painted_frame, 1990);

  g_assert_true (rh_snapshots_write_filmstrip (log, &times, end_ms, filmstrip, &error));
  g_assert_no_error (error);
  surface = load_png (filmstrip);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==,
                   2 * MARGIN + 4 * (THUMBNAIL_WIDTH + CELL_PAD));
  /* The first cell is the first frame, blank: the tag is on its corner. */
  g_assert_cmphex (rgb_at (surface, MARGIN + 1, TITLE_HEIGHT + 1), ==,
                   RH_SNAPSHOTS_BLANK_MARK_RGB);
  /* The time axis: blank from 1000 to 1500 ms, painted at 750 ms and
   * 1750 ms (under the bar's label, whose text ends above this row). */
  axis_x = MARGIN;
  axis_w = cairo_image_surface_get_width (surface) - 2 * MARGIN - 20;
  axis_y = cairo_image_surface_get_height (surface) - AXIS_HEIGHT + 16;
  g_assert_cmphex (rgb_at (surface, axis_x + axis_w * 1250 / end_ms, axis_y), ==,
                   RH_SNAPSHOTS_BLANK_SPAN_RGB);
  g_assert_cmphex (rgb_at (surface, axis_x + axis_w * 100 / end_ms, axis_y), ==,
                   RH_SNAPSHOTS_BLANK_SPAN_RGB);
  g_assert_cmphex (rgb_at (surface, axis_x + axis_w * 750 / end_ms, axis_y), ==,
                   RH_SNAPSHOTS_PAINTED_SPAN_RGB);
  g_assert_cmphex (rgb_at (surface, axis_x + axis_w * 1750 / end_ms, axis_y), ==,
                   RH_SNAPSHOTS_PAINTED_SPAN_RGB);
  cairo_surface_destroy (surface);

  g_assert_true (rh_snapshots_write_key_frames (log, key_frames, &error));
  g_assert_no_error (error);
  surface = load_png (key_frames);
  /* Two by two, 640 px wide each: a dialog's title can be read. */
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, 2 * MARGIN + 2 * 640 + CELL_PAD);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==,
                   2 * MARGIN + 2 * (LABEL_HEIGHT + key_h + CELL_PAD));
  /* First frame (blank) tagged, first painted frame not; at ready (blank)
   * tagged, the last (painted) not. */
  g_assert_cmphex (rgb_at (surface, MARGIN + 1, MARGIN + LABEL_HEIGHT + 1), ==,
                   RH_SNAPSHOTS_BLANK_MARK_RGB);
  g_assert_cmphex (rgb_at (surface, MARGIN + 640 + CELL_PAD + 1, MARGIN + LABEL_HEIGHT + 1), ==,
                   0x26262e);
  g_assert_cmphex (rgb_at (surface, MARGIN + 1,
                           MARGIN + 2 * LABEL_HEIGHT + key_h + CELL_PAD + 1),
                   ==, RH_SNAPSHOTS_BLANK_MARK_RGB);
  g_assert_cmphex (rgb_at (surface, MARGIN + 640 + CELL_PAD + 1,
                           MARGIN + 2 * LABEL_HEIGHT + key_h + CELL_PAD + 1),
                   ==, 0x26262e);
  cairo_surface_destroy (surface);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; rh_test_token_forms[i].name != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/snapshots/waterfall-labels/%s",
                                               rh_test_token_forms[i].name);

      g_test_add_data_func (path, &rh_test_token_forms[i], test_labels_redacted);
    }
  g_test_add_func ("/snapshots/waterfall-outside-text", test_waterfall_outside_text);
  g_test_add_func ("/snapshots/blank-marked", test_blank_marked);
  return g_test_run ();
}
