/* Blank (uniform) versus painted frames. */
#include <string.h>

#include "rh-frame.h"
#include "test-utils.h"

typedef struct
{
  guint8 *pixels;
  RhFrame frame;
} Canvas;

static void
canvas_init (Canvas *canvas, guint width, guint height, guint padding, guint32 colour)
{
  canvas->frame.width = width;
  canvas->frame.height = height;
  canvas->frame.stride = width * 4 + padding;
  canvas->pixels = g_malloc ((gsize) canvas->frame.stride * height);
  /* Padding bytes hold garbage: they must not count. */
  memset (canvas->pixels, 0x5a, (gsize) canvas->frame.stride * height);
  for (guint y = 0; y < height; y++)
    for (guint x = 0; x < width; x++)
      memcpy (canvas->pixels + (gsize) y * canvas->frame.stride + x * 4, &colour, 4);
  canvas->frame.data = canvas->pixels;
}

static void
canvas_set (Canvas *canvas, guint x, guint y, guint32 colour)
{
  memcpy (canvas->pixels + (gsize) y * canvas->frame.stride + x * 4, &colour, 4);
}

typedef struct
{
  guint32 colour;
  guint padding; /* bytes after each row */
} UniformRow;

static const UniformRow uniform_rows[] = {
  { 0xffffffff, 0 }, { 0xff000000, 8 }, { 0x00000000, 16 }, { 0xff336699, 24 },
};

static void
test_uniform (gconstpointer data)
{
  const UniformRow *row = data;
  Canvas canvas;

  canvas_init (&canvas, 64, 48, row->padding, row->colour);
  g_assert_true (rh_frame_is_blank (&canvas.frame));
  g_free (canvas.pixels);
}

/* Corners, and one pixel in from a corner, of a 64x48 frame. */
typedef struct
{
  guint x;
  guint y;
} SpotRow;

static const SpotRow spot_rows[] = { { 0, 0 }, { 63, 0 }, { 1, 1 }, { 63, 47 }, { 0, 47 } };

static void
test_one_pixel_differs (gconstpointer data)
{
  const SpotRow *row = data;
  Canvas canvas;

  canvas_init (&canvas, 64, 48, 16, 0xffffffff);
  canvas_set (&canvas, row->x, row->y, 0xfffffffe);
  g_assert_false (rh_frame_is_blank (&canvas.frame));
  g_free (canvas.pixels);
}

static void
test_empty (void)
{
  RhFrame frame = { 0 };

  g_assert_true (rh_frame_is_blank (&frame));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (uniform_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/frame/blank/uniform/%08x-padding-%u",
                                               uniform_rows[i].colour, uniform_rows[i].padding);

      g_test_add_data_func (path, &uniform_rows[i], test_uniform);
    }
  for (guint i = 0; i < G_N_ELEMENTS (spot_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/frame/blank/one-pixel-differs/%u-%u",
                                               spot_rows[i].x, spot_rows[i].y);

      g_test_add_data_func (path, &spot_rows[i], test_one_pixel_differs);
    }
  g_test_add_func ("/frame/blank/empty", test_empty);
  return g_test_run ();
}
