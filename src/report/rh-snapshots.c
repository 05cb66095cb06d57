#include "rh-snapshots.h"

#include <cairo.h>
#include <gio/gio.h>
#include <errno.h>
#include <glib/gstdio.h>
#include <string.h>

#include "rh-error.h"
#include "rh-fs.h"
#include "rh-text.h"

#define MAX_CELLS 16
#define COLUMNS 4
#define CELL_PAD 12
#define LABEL_HEIGHT 36
#define TITLE_HEIGHT 56
#define AXIS_HEIGHT 110
#define MARGIN 20
#define FONT "DejaVu Sans"
#define KEY_FRAME_WIDTH 640
#define BLANK_TAG_WIDTH 58
#define BLANK_TAG_HEIGHT 20

typedef struct
{
  const char *label;
  gint64 ms;
  double r, g, b;
} Marker;

static cairo_status_t
append_png_cb (void *closure, const unsigned char *data, unsigned int length)
{
  g_byte_array_append (closure, data, length);
  return CAIRO_STATUS_SUCCESS;
}

/* The picture as a PNG at @path, whole or not at all (rh_fs_write_atomic ()):
 * a full disk leaves no empty or cut file. */
static gboolean
write_png (cairo_surface_t *surface, const char *path, GError **error)
{
  g_autoptr (GByteArray) png = g_byte_array_new ();
  cairo_status_t status = cairo_surface_write_to_png_stream (surface, append_png_cb, png);

  if (status != CAIRO_STATUS_SUCCESS)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", path,
                   cairo_status_to_string (status));
      return FALSE;
    }
  return rh_fs_write_atomic (path, png->data, png->len, error);
}

/* WebKit's SHM frames are ARGB8888 in memory order, which is cairo's layout;
 * alpha is dropped: a recording has none. */
static cairo_surface_t *
surface_for_image (const RhImage *image)
{
  return cairo_image_surface_create_for_data (image->pixels, CAIRO_FORMAT_RGB24, image->width,
                                              image->height, (int) image->width * 4);
}

gboolean
rh_snapshots_write_png (const RhImage *image, const char *path, GError **error)
{
  cairo_surface_t *surface = surface_for_image (image);
  gboolean written = write_png (surface, path, error);

  cairo_surface_destroy (surface);
  return written;
}

static void
text (cairo_t *cr, double x, double y, double size, const char *format, ...) G_GNUC_PRINTF (5, 6);

static void
text (cairo_t *cr, double x, double y, double size, const char *format, ...)
{
  g_autofree char *string = NULL;
  va_list args;

  va_start (args, format);
  string = g_strdup_vprintf (format, args);
  va_end (args);
  cairo_select_font_face (cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
  cairo_set_font_size (cr, size);
  cairo_move_to (cr, x, y);
  cairo_show_text (cr, string);
}

static guint
collect_markers (const RhPageTimes *times, Marker *markers)
{
  const Marker all[] = {
    { "commit", times->committed_ms, 0.4, 0.4, 0.4 },
    { "launch", times->launch_ms, 0.2, 0.3, 0.8 },
    { "first paint", times->first_nonblank_ms, 0.1, 0.6, 0.1 },
    { "event 1", times->ready_event_ms, 0.85, 0.45, 0.0 },
    { "ready ack", times->ready_ack_ms, 0.6, 0.1, 0.6 },
  };
  guint n = 0;

  for (guint i = 0; i < G_N_ELEMENTS (all); i++)
    if (all[i].ms != RH_PAGE_NO_TIME)
      markers[n++] = all[i];
  return n;
}

static void
set_source_hex (cairo_t *cr, guint32 rgb)
{
  cairo_set_source_rgb (cr, ((rgb >> 16) & 0xff) / 255.0, ((rgb >> 8) & 0xff) / 255.0,
                        (rgb & 0xff) / 255.0);
}

/* The blank spans of @spans (RhBlankSpan, NULL: one span from 0 to the first
 * paint) shaded red over a green bar, painted wherever no span is, and grey
 * before the first frame, when nothing was on screen. */
static void
draw_spans (cairo_t *cr, double x, double y, double width, gint64 end_ms,
            const RhPageTimes *times, const GArray *spans)
{
  RhBlankSpan whole = { 0, times->first_nonblank_ms };
  guint n = spans != NULL ? spans->len : 1;
  gint64 first = spans == NULL ? 0
                 : times->first_frame_ms == RH_PAGE_NO_TIME
                   ? end_ms
                   : MIN (times->first_frame_ms, end_ms);
  double first_x = x + width * first / (double) end_ms;

  cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
  cairo_rectangle (cr, x, y, first_x - x, 18);
  cairo_fill (cr);
  set_source_hex (cr, RH_SNAPSHOTS_PAINTED_SPAN_RGB);
  cairo_rectangle (cr, first_x, y, x + width - first_x, 18);
  cairo_fill (cr);
  for (guint i = 0; i < n; i++)
    {
      const RhBlankSpan *span = spans != NULL ? &g_array_index (spans, RhBlankSpan, i) : &whole;
      gint64 end = span->end_ms == -1 ? end_ms : MIN (span->end_ms, end_ms);
      double x0 = x + width * span->start_ms / (double) end_ms;
      double x1 = x + width * end / (double) end_ms;

      if (span->start_ms >= end_ms)
        break;
      set_source_hex (cr, RH_SNAPSHOTS_BLANK_SPAN_RGB);
      cairo_rectangle (cr, x0, y, MAX (x1 - x0, 1), 18);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.6, 0.1, 0.1);
      if (x1 - x0 > 90)
        text (cr, x0 + 6, y + 13, 12, "blank %s%" G_GINT64_FORMAT " ms",
              span->end_ms == -1 ? "to the end, " : "", end - span->start_ms);
    }
}

/* A time axis from 0 to @end_ms across [x, x + width], the blank spans
 * shaded, with a labelled line for each marker. */
static void
draw_axis (cairo_t *cr, double x, double y, double width, gint64 end_ms,
           const RhPageTimes *times, const GArray *spans)
{
  Marker markers[8];
  guint n = collect_markers (times, markers);
  gint64 step = 100;

  draw_spans (cr, x, y, width, end_ms, times, spans);

  /* ticks */
  while (end_ms / step > 10)
    step *= step % 1000 == 0 || step == 100 ? 5 : 2;
  cairo_set_source_rgb (cr, 0.3, 0.3, 0.3);
  cairo_set_line_width (cr, 1);
  for (gint64 t = 0; t <= end_ms; t += step)
    {
      double tx = x + width * t / (double) end_ms;

      cairo_move_to (cr, tx, y + 18);
      cairo_line_to (cr, tx, y + 24);
      cairo_stroke (cr);
      text (cr, tx - 10, y + 36, 11, "%" G_GINT64_FORMAT, t);
    }
  text (cr, x + width - 20, y + 50, 11, "ms");

  /* markers, labels staggered so neighbours do not overlap */
  for (guint i = 0; i < n; i++)
    {
      double mx = x + width * markers[i].ms / (double) end_ms;

      cairo_set_source_rgb (cr, markers[i].r, markers[i].g, markers[i].b);
      cairo_set_line_width (cr, 2);
      cairo_move_to (cr, mx, y - 4);
      cairo_line_to (cr, mx, y + 24);
      cairo_stroke (cr);
      {
        g_autofree char *label = g_strdup_printf ("%s %" G_GINT64_FORMAT " ms", markers[i].label,
                                                  markers[i].ms);
        cairo_text_extents_t extents;

        cairo_set_font_size (cr, 12);
        cairo_text_extents (cr, label, &extents);
        text (cr, MIN (mx + 3, x + width - extents.x_advance), y + 52 + 14 * (i % 4), 12, "%s",
              label);
      }
    }
}

typedef struct
{
  gint64 ms;            /* the moment shown */
  const RhImage *image; /* the frame on screen then: the latest one before it */
} Cell;

static int
compare_ms (gconstpointer a, gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return x < y ? -1 : x > y;
}

/* Moments spread evenly from 0 to @end_ms, plus the first paint and event 1
 * themselves.  Frames only come when the page changes, so each moment shows
 * the latest frame before it. */
static GArray *
pick_cells (const GPtrArray *thumbnails, const RhPageTimes *times, gint64 end_ms)
{
  GArray *cells = g_array_new (FALSE, FALSE, sizeof (Cell));
  g_autoptr (GArray) moments = g_array_new (FALSE, FALSE, sizeof (gint64));
  const gint64 extra[] = { times->first_nonblank_ms, times->ready_event_ms };
  guint uniform = MAX_CELLS - G_N_ELEMENTS (extra);
  gint64 last_ms = -1;

  for (guint k = 0; k < uniform; k++)
    {
      gint64 ms = (gint64) k * end_ms / (uniform - 1);

      g_array_append_val (moments, ms);
    }
  for (guint i = 0; i < G_N_ELEMENTS (extra); i++)
    if (extra[i] != RH_PAGE_NO_TIME)
      g_array_append_val (moments, extra[i]);
  g_array_sort (moments, compare_ms);

  for (guint m = 0; m < moments->len; m++)
    {
      gint64 ms = g_array_index (moments, gint64, m);
      gboolean key = ms == times->first_nonblank_ms || ms == times->ready_event_ms;
      gboolean near_key = FALSE;
      Cell cell = { ms, NULL };

      /* A uniform moment close to a key one would show the same frame. */
      for (guint i = 0; i < G_N_ELEMENTS (extra) && !key; i++)
        near_key |= extra[i] != RH_PAGE_NO_TIME
                    && ABS (extra[i] - ms) < end_ms / (gint64) (2 * MAX_CELLS);
      for (guint i = 0; i < thumbnails->len; i++)
        {
          const RhImage *image = g_ptr_array_index (thumbnails, i);

          if (image->ms > ms)
            break;
          cell.image = image;
        }
      if (cell.image == NULL || near_key || ms == last_ms)
        continue;
      g_array_append_val (cells, cell);
      last_ms = ms;
    }
  return cells;
}

/* The mark of a blank picture: a red tag over its top-left corner. */
static void
draw_blank_tag (cairo_t *cr, double x, double y)
{
  set_source_hex (cr, RH_SNAPSHOTS_BLANK_MARK_RGB);
  cairo_rectangle (cr, x, y, BLANK_TAG_WIDTH, BLANK_TAG_HEIGHT);
  cairo_fill (cr);
  cairo_set_source_rgb (cr, 1, 1, 1);
  text (cr, x + 6, y + 15, 12, "BLANK");
}

/* A border that says blank (red) or painted (green) around a picture. */
static void
draw_frame_border (cairo_t *cr, double x, double y, double width, double height,
                   gboolean blank)
{
  if (blank)
    set_source_hex (cr, RH_SNAPSHOTS_BLANK_MARK_RGB);
  else
    cairo_set_source_rgb (cr, 0.2, 0.65, 0.2);
  cairo_rectangle (cr, x - 3, y - 3, width + 6, height + 6);
  cairo_fill (cr);
}

gboolean
rh_snapshots_write_filmstrip (RhFrameLog *log, const RhPageTimes *times, gint64 end_ms,
                              const char *path, GError **error)
{
  g_autoptr (GArray) cells = pick_cells (rh_frame_log_get_thumbnails (log), times,
                                         MAX (end_ms, 1));
  const RhImage *sample = cells->len > 0 ? g_array_index (cells, Cell, 0).image : NULL;
  const GArray *spans = rh_frame_log_get_blank_spans (log);
  int cell_w = sample != NULL ? (int) sample->width : 192;
  int cell_h = sample != NULL ? (int) sample->height : 108;
  int rows = MAX (1, ((int) cells->len + COLUMNS - 1) / COLUMNS);
  int width = MARGIN * 2 + COLUMNS * (cell_w + CELL_PAD);
  int height = TITLE_HEIGHT + rows * (cell_h + LABEL_HEIGHT + CELL_PAD) + AXIS_HEIGHT + MARGIN;
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  gboolean written;
  gint64 paint = times->first_nonblank_ms;
  guint n_spans = spans->len + rh_frame_log_count_dropped_spans (log);

  end_ms = MAX (end_ms, 1);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  if (paint == RH_PAGE_NO_TIME)
    text (cr, MARGIN, 26, 17, "The page never painted in %" G_GINT64_FORMAT " ms", end_ms);
  else
    text (cr, MARGIN, 26, 17,
          "First painted at %" G_GINT64_FORMAT " ms; blank %" G_GINT64_FORMAT
          " ms in all, in %u span%s", paint, rh_frame_log_blank_ms_before (log, end_ms),
          n_spans, n_spans == 1 ? "" : "s");
  if (times->ready_event_ms != RH_PAGE_NO_TIME)
    text (cr, MARGIN, 46, 13, "event 1 (ready) at %" G_GINT64_FORMAT " ms%s",
          times->ready_event_ms,
          paint == RH_PAGE_NO_TIME || paint > times->ready_event_ms
            ? ": before the first paint, a recording started then begins white"
            : ": after the first paint");

  for (guint i = 0; i < cells->len; i++)
    {
      const Cell *moment = &g_array_index (cells, Cell, i);
      const RhImage *cell = moment->image;
      cairo_surface_t *thumbnail = surface_for_image (cell);
      double x = MARGIN + (i % COLUMNS) * (cell_w + CELL_PAD);
      double y = TITLE_HEIGHT + (i / COLUMNS) * (cell_h + LABEL_HEIGHT + CELL_PAD);

      draw_frame_border (cr, x, y, cell->width, cell->height, cell->blank);
      cairo_set_source_surface (cr, thumbnail, x, y);
      cairo_paint (cr);
      cairo_surface_destroy (thumbnail);
      if (cell->blank)
        draw_blank_tag (cr, x, y);
      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      text (cr, x, y + cell->height + 18, 12, "%" G_GINT64_FORMAT " ms  %s", moment->ms,
            cell->blank ? "blank" : "painted");
      if (moment->ms == times->ready_event_ms)
        {
          cairo_set_source_rgb (cr, 0.85, 0.45, 0.0);
          text (cr, x, y + cell->height + 32, 12, "event 1 (ready)");
        }
      else if (moment->ms == times->first_nonblank_ms)
        {
          cairo_set_source_rgb (cr, 0.1, 0.6, 0.1);
          text (cr, x, y + cell->height + 32, 12, "first paint");
        }
    }
  draw_axis (cr, MARGIN, height - AXIS_HEIGHT, width - 2 * MARGIN - 20, end_ms, times, spans);

  cairo_destroy (cr);
  written = write_png (surface, path, error);
  cairo_surface_destroy (surface);
  return written;
}

/* The frames that tell the story, large enough to read a dialog's title:
 * the first, the first painted, the one on screen at ready and the last, in
 * two rows of two, each KEY_FRAME_WIDTH wide. */
gboolean
rh_snapshots_write_key_frames (RhFrameLog *log, const char *path, GError **error)
{
  const struct
  {
    const char *label;
    const RhImage *image;
  } keys[] = {
    { "first frame", rh_frame_log_get_first (log) },
    { "first painted frame", rh_frame_log_get_first_nonblank (log) },
    { "at event 1 (ready)", rh_frame_log_get_at_ready (log) },
    { "last frame", rh_frame_log_get_last (log) },
  };
  const RhImage *sample = NULL;
  int key_h, width, height;
  cairo_surface_t *surface;
  cairo_t *cr;
  gboolean written;

  for (guint i = 0; i < G_N_ELEMENTS (keys) && sample == NULL; i++)
    sample = keys[i].image;
  key_h = sample != NULL ? MAX (1, (int) ((guint64) KEY_FRAME_WIDTH * sample->height
                                          / MAX (sample->width, 1)))
                         : KEY_FRAME_WIDTH * 9 / 16;
  width = MARGIN * 2 + 2 * KEY_FRAME_WIDTH + CELL_PAD;
  height = MARGIN + 2 * (LABEL_HEIGHT + key_h + CELL_PAD) + MARGIN;
  surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cr = cairo_create (surface);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);

  for (guint i = 0; i < G_N_ELEMENTS (keys); i++)
    {
      const RhImage *image = keys[i].image;
      double x = MARGIN + (i % 2) * (KEY_FRAME_WIDTH + CELL_PAD);
      double y = MARGIN + (i / 2) * (LABEL_HEIGHT + key_h + CELL_PAD) + LABEL_HEIGHT;

      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      if (image == NULL)
        {
          text (cr, x, y - 10, 15, "%s: none", keys[i].label);
          cairo_set_source_rgb (cr, 0.9, 0.9, 0.9);
          cairo_rectangle (cr, x, y, KEY_FRAME_WIDTH, key_h);
          cairo_fill (cr);
          continue;
        }
      text (cr, x, y - 10, 15, "%s: the frame of %" G_GINT64_FORMAT " ms, %s", keys[i].label,
            image->ms, image->blank ? "blank" : "painted");
      draw_frame_border (cr, x, y, KEY_FRAME_WIDTH, key_h, image->blank);
      cairo_save (cr);
      cairo_rectangle (cr, x, y, KEY_FRAME_WIDTH, key_h);
      cairo_clip (cr);
      cairo_translate (cr, x, y);
      cairo_scale (cr, KEY_FRAME_WIDTH / (double) MAX (image->width, 1),
                   KEY_FRAME_WIDTH / (double) MAX (image->width, 1));
      {
        cairo_surface_t *picture = surface_for_image (image);

        cairo_set_source_surface (cr, picture, 0, 0);
        cairo_paint (cr);
        cairo_surface_destroy (picture);
      }
      cairo_restore (cr);
      if (image->blank)
        draw_blank_tag (cr, x, y);
    }

  cairo_destroy (cr);
  written = write_png (surface, path, error);
  cairo_surface_destroy (surface);
  return written;
}

static char *
short_name (const char *uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_NONE, NULL);
  const char *path = parsed != NULL ? g_uri_get_path (parsed) : uri;
  const char *slash = strrchr (path, '/');
  const char *name = slash != NULL && slash[1] != '\0' ? slash + 1 : path;

  return g_utf8_substring (name, 0, MIN (g_utf8_strlen (name, -1), 34));
}

static void
label_clear (RhWaterfallLabel *label)
{
  g_free (label->name);
  g_free (label->note);
}

/* What each row of the waterfall says, of resources whose URLs were
 * redacted whole: a cut could leave part of a secret unrecognised. */
GArray *
rh_snapshots_waterfall_labels (const GArray *resources)
{
  GArray *labels = g_array_sized_new (FALSE, TRUE, sizeof (RhWaterfallLabel), resources->len);

  g_array_set_clear_func (labels, (GDestroyNotify) label_clear);
  for (guint i = 0; i < resources->len; i++)
    {
      const RhResource *resource = &g_array_index (resources, RhResource, i);
      g_autofree char *printable = rh_text_printable (resource->uri);
      RhWaterfallLabel label = { short_name (printable), NULL };

      if (resource->failed)
        label.note = rh_text_printable (resource->error != NULL ? resource->error : "failed");
      else if (resource->status != 0)
        label.note = g_strdup_printf ("%u", resource->status);
      g_array_append_val (labels, label);
    }
  return labels;
}

gboolean
rh_snapshots_write_waterfall (const GArray *resources, const RhPageTimes *times,
                              gint64 end_ms, const char *path, GError **error)
{
  const int label_w = 300, row_h = 22, bar_w = 760;
  int height = TITLE_HEIGHT + MAX (1, (int) resources->len) * row_h + AXIS_HEIGHT + MARGIN;
  int width = MARGIN * 2 + label_w + bar_w + 40;
  g_autoptr (GArray) labels = rh_snapshots_waterfall_labels (resources);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, width, height);
  cairo_t *cr = cairo_create (surface);
  gboolean written;

  end_ms = MAX (end_ms, 1);
  cairo_set_source_rgb (cr, 1, 1, 1);
  cairo_paint (cr);
  cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
  text (cr, MARGIN, 28, 17, "Resource loads (%u), ms since navigation start", resources->len);

  for (guint i = 0; i < resources->len; i++)
    {
      const RhResource *resource = &g_array_index (resources, RhResource, i);
      const RhWaterfallLabel *label = &g_array_index (labels, RhWaterfallLabel, i);
      double y = TITLE_HEIGHT + i * row_h;
      gint64 end = resource->end_ms != RH_PAGE_NO_TIME ? resource->end_ms : end_ms;
      double x0 = MARGIN + label_w + bar_w * resource->start_ms / (double) end_ms;
      double x1 = MARGIN + label_w + bar_w * end / (double) end_ms;

      cairo_set_source_rgb (cr, 0.1, 0.1, 0.1);
      text (cr, MARGIN, y + 15, 12, "%s", label->name);
      if (resource->failed)
        cairo_set_source_rgb (cr, 0.85, 0.2, 0.2);
      else
        cairo_set_source_rgb (cr, 0.3, 0.55, 0.85);
      cairo_rectangle (cr, x0, y + 4, MAX (x1 - x0, 2), row_h - 8);
      cairo_fill (cr);
      cairo_set_source_rgb (cr, 0.2, 0.2, 0.2);
      if (label->note != NULL)
        text (cr, x1 + 4, y + 15, 11, "%s", label->note);
    }
  draw_axis (cr, MARGIN + label_w, height - AXIS_HEIGHT, bar_w, end_ms, times, NULL);

  cairo_destroy (cr);
  written = write_png (surface, path, error);
  cairo_surface_destroy (surface);
  return written;
}

/* Writes whatever of first.png, first-painted.png, at-ready.png, last.png,
 * filmstrip.png, key-frames.png and waterfall.png there is to write, the text in them
 * of @outcome; returns their paths. */
GPtrArray *
rh_snapshots_write_all (const RhPageOutcome *outcome, const char *dir, gint64 end_ms,
                        GError **error)
{
  g_autoptr (GPtrArray) written = g_ptr_array_new_with_free_func (g_free);
  RhFrameLog *log = outcome->frames;
  const struct
  {
    const char *name;
    const RhImage *image;
  } pictures[] = {
    { "first.png", rh_frame_log_get_first (log) },
    { "first-painted.png", rh_frame_log_get_first_nonblank (log) },
    { "at-ready.png", rh_frame_log_get_at_ready (log) },
    { "last.png", rh_frame_log_get_last (log) },
  };
  g_autofree char *filmstrip = g_build_filename (dir, "filmstrip.png", NULL);
  g_autofree char *key_frames = g_build_filename (dir, "key-frames.png", NULL);
  g_autofree char *waterfall = g_build_filename (dir, "waterfall.png", NULL);

  /* A link put in the directory's place would take the pictures elsewhere. */
  if (g_file_test (dir, G_FILE_TEST_IS_SYMLINK))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_TOO_MANY_LINKS,
                   "%s: a symbolic link (not followed)", dir);
      return NULL;
    }
  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved), "cannot create %s: %s",
                   dir, g_strerror (saved));
      return NULL;
    }
  for (guint i = 0; i < G_N_ELEMENTS (pictures); i++)
    {
      g_autofree char *path = NULL;

      if (pictures[i].image == NULL)
        continue;
      path = g_build_filename (dir, pictures[i].name, NULL);
      if (!rh_snapshots_write_png (pictures[i].image, path, error))
        return NULL;
      g_ptr_array_add (written, g_steal_pointer (&path));
    }
  if (!rh_snapshots_write_filmstrip (log, &outcome->times, end_ms, filmstrip, error))
    return NULL;
  g_ptr_array_add (written, g_steal_pointer (&filmstrip));
  if (!rh_snapshots_write_key_frames (log, key_frames, error))
    return NULL;
  g_ptr_array_add (written, g_steal_pointer (&key_frames));
  if (!rh_snapshots_write_waterfall (outcome->resources, &outcome->times, end_ms, waterfall,
                                     error))
    return NULL;
  g_ptr_array_add (written, g_steal_pointer (&waterfall));
  return g_steal_pointer (&written);
}
