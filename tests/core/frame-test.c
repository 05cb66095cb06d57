/* Blank frames as a viewer sees them: near-uniform, faint boxes and a line
 * of text included, against painted ones; from synthetic frames. */
#include <string.h>

#include "rh-frame.h"
#include "test-utils.h"

#define WHITE 0xffffffff
#define FAINT 0xfff0f0f0   /* a loading box: 15 from white */
#define LIGHTER 0xfffafafa /* its text */
#define GREY 0xffc8c8c8    /* 55 from white: content */
#define DARK 0xff202020

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
canvas_box (Canvas *canvas, guint x0, guint y0, guint width, guint height, guint32 colour)
{
  for (guint y = y0; y < y0 + height; y++)
    for (guint x = x0; x < x0 + width; x++)
      canvas_set (canvas, x, y, colour);
}

/* A centred box of @colour, 1/@across of the frame's width and 1/@down of
 * its height. */
static void
canvas_box_share (Canvas *canvas, guint across, guint down, guint32 colour)
{
  guint width = canvas->frame.width / across, height = canvas->frame.height / down;

  canvas_box (canvas, (canvas->frame.width - width) / 2, (canvas->frame.height - height) / 2,
              width, height, colour);
}

typedef enum
{
  DRAW_NOTHING,
  DRAW_FAINT_BOX,    /* a light-grey box (10 %) with lighter text lines */
  DRAW_GREY_BOX,     /* a grey box (10 %): not faint */
  DRAW_DARK_TEXT_1,  /* a dark line of text, 1 % */
  DRAW_DARK_TEXT_5,  /* 5 % */
  DRAW_DARK_PAGE,    /* a dark classroom: header, panels */
  DRAW_NOISE,        /* every pixel a random colour, as a photo's detail */
  DRAW_SPARSE_DOTS,  /* dark dots off a 4-pixel grid, 6 % */
} Drawing;

typedef struct
{
  const char *name;
  guint width;
  guint height;
  guint padding; /* bytes after each row */
  guint32 background;
  Drawing drawing;
  guint threshold;
  gboolean blank;
} BlankRow;

static const BlankRow blank_rows[] = {
  { "all-white", 1280, 720, 0, WHITE, DRAW_NOTHING, 98, TRUE },
  { "all-black", 1280, 720, 0, 0xff000000, DRAW_NOTHING, 98, TRUE },
  { "transparent", 640, 360, 0, 0x00000000, DRAW_NOTHING, 98, TRUE },
  { "white-faint-box", 1280, 720, 0, WHITE, DRAW_FAINT_BOX, 98, TRUE },
  { "white-faint-box-at-100", 1280, 720, 0, WHITE, DRAW_FAINT_BOX, 100, TRUE },
  { "white-grey-box", 1280, 720, 0, WHITE, DRAW_GREY_BOX, 98, FALSE },
  { "white-grey-box-at-50", 1280, 720, 0, WHITE, DRAW_GREY_BOX, 50, TRUE },
  { "white-dark-text-1", 1280, 720, 0, WHITE, DRAW_DARK_TEXT_1, 98, TRUE },
  { "white-dark-text-1-at-100", 1280, 720, 0, WHITE, DRAW_DARK_TEXT_1, 100, FALSE },
  { "white-dark-text-5", 1280, 720, 0, WHITE, DRAW_DARK_TEXT_5, 98, FALSE },
  { "white-dark-text-5-at-90", 1280, 720, 0, WHITE, DRAW_DARK_TEXT_5, 90, TRUE },
  { "dark-page", 1280, 720, 0, 0xff26262e, DRAW_DARK_PAGE, 98, FALSE },
  { "dark-page-1080p", 1920, 1080, 0, 0xff26262e, DRAW_DARK_PAGE, 98, FALSE },
  { "noise", 1280, 720, 0, WHITE, DRAW_NOISE, 98, FALSE },
  { "noise-at-50", 1280, 720, 0, WHITE, DRAW_NOISE, 50, FALSE },
  { "one-by-one", 1, 1, 0, DARK, DRAW_NOTHING, 98, TRUE },
  { "stride-white", 640, 360, 64, WHITE, DRAW_NOTHING, 98, TRUE },
  { "stride-grey-box", 640, 360, 64, WHITE, DRAW_GREY_BOX, 98, FALSE },
  { "stride-odd-width", 333, 111, 12, WHITE, DRAW_FAINT_BOX, 98, TRUE },
  /* Small frames are sampled densely: dots a 4-pixel grid would miss. */
  { "small-sparse-dots", 100, 100, 0, WHITE, DRAW_SPARSE_DOTS, 98, FALSE },
};

static void
draw (Canvas *canvas, Drawing drawing)
{
  guint w = canvas->frame.width, h = canvas->frame.height;

  switch (drawing)
    {
    case DRAW_NOTHING:
      break;
    case DRAW_FAINT_BOX:
      canvas_box_share (canvas, 2, 5, FAINT);
      for (guint line = 0; line < 3; line++)
        canvas_box (canvas, w / 2 - w / 10, h / 2 - h / 20 + line * h / 40, w / 5, h / 100 + 1,
                    LIGHTER);
      break;
    case DRAW_GREY_BOX:
      canvas_box_share (canvas, 2, 5, GREY);
      break;
    case DRAW_DARK_TEXT_1:
      canvas_box_share (canvas, 5, 20, DARK);
      break;
    case DRAW_DARK_TEXT_5:
      canvas_box_share (canvas, 4, 5, DARK);
      break;
    case DRAW_DARK_PAGE:
      canvas_box (canvas, 0, 0, w, h / 12, 0xff1f3b73);
      canvas_box (canvas, 0, h / 12, w * 3 / 4, h - h / 12, 0xfff3f0e6);
      canvas_box (canvas, w * 3 / 4 + 8, h / 12 + 8, w / 4 - 16, h / 3, 0xff4a6fa5);
      canvas_box (canvas, w * 3 / 4 + 8, h / 2, w / 4 - 16, h / 3, 0xff6a994e);
      break;
    case DRAW_NOISE:
      {
        g_autoptr (GRand) rand = g_rand_new_with_seed (7);

        for (guint y = 0; y < h; y++)
          for (guint x = 0; x < w; x++)
            canvas_set (canvas, x, y, 0xff000000 | g_rand_int (rand));
      }
      break;
    case DRAW_SPARSE_DOTS:
      for (guint y = 1; y < h; y += 4)
        for (guint x = 1; x < w; x += 4)
          canvas_set (canvas, x, y, DARK);
      break;
    default:
      g_assert_not_reached ();
    }
}

static void
test_blank (gconstpointer data)
{
  const BlankRow *row = data;
  Canvas canvas;

  canvas_init (&canvas, row->width, row->height, row->padding, row->background);
  draw (&canvas, row->drawing);
  g_assert_cmpint (rh_frame_is_blank (&canvas.frame, row->threshold), ==, row->blank);
  g_free (canvas.pixels);
}

static void
test_empty (void)
{
  RhFrame frame = { 0 };

  g_assert_true (rh_frame_is_blank (&frame, RH_FRAME_BLANK_THRESHOLD_DEFAULT));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (blank_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/frame/blank/%s", blank_rows[i].name);

      g_test_add_data_func (path, &blank_rows[i], test_blank);
    }
  g_test_add_func ("/frame/blank/empty", test_empty);
  return g_test_run ();
}
