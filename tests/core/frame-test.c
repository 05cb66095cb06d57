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

static void
test_uniform (void)
{
  static const guint32 colours[] = { 0xffffffff, 0xff000000, 0x00000000, 0xff336699 };

  for (guint i = 0; i < G_N_ELEMENTS (colours); i++)
    {
      Canvas canvas;

      canvas_init (&canvas, 64, 48, i * 8, colours[i]);
      g_assert_true (rh_frame_is_blank (&canvas.frame));
      g_free (canvas.pixels);
    }
}

static void
test_one_pixel_differs (void)
{
  static const guint spots[][2] = { { 0, 0 }, { 63, 0 }, { 1, 1 }, { 63, 47 }, { 0, 47 } };

  for (guint i = 0; i < G_N_ELEMENTS (spots); i++)
    {
      Canvas canvas;

      canvas_init (&canvas, 64, 48, 16, 0xffffffff);
      canvas_set (&canvas, spots[i][0], spots[i][1], 0xfffffffe);
      g_assert_false (rh_frame_is_blank (&canvas.frame));
      g_free (canvas.pixels);
    }
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
  g_test_add_func ("/frame/blank/uniform", test_uniform);
  g_test_add_func ("/frame/blank/one-pixel-differs", test_one_pixel_differs);
  g_test_add_func ("/frame/blank/empty", test_empty);
  return g_test_run ();
}
