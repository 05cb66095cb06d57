#include "rh-chromium-screencast.h"

#include <string.h>

typedef struct
{
  const guchar *data;
  gsize length;
  gsize offset;
} PngReader;

static cairo_status_t
read_png (void *closure, unsigned char *data, unsigned int length)
{
  PngReader *reader = closure;

  if (reader->length - reader->offset < length)
    return CAIRO_STATUS_READ_ERROR;
  memcpy (data, reader->data + reader->offset, length);
  reader->offset += length;
  return CAIRO_STATUS_SUCCESS;
}

/* An image surface in cairo's native ARGB (the frames' layout) of exactly
 * @width x @height, or NULL: not a PNG, or of another size (the window's
 * first picture, before the viewport was set). */
cairo_surface_t *
rh_chromium_screencast_decode (const char *data_base64, guint width, guint height)
{
  g_autofree guchar *png = NULL;
  PngReader reader = { 0 };
  cairo_surface_t *surface;
  cairo_format_t format;

  png = g_base64_decode (data_base64, &reader.length);
  reader.data = png;
  surface = cairo_image_surface_create_from_png_stream (read_png, &reader);
  format = cairo_image_surface_get_format (surface);
  if (cairo_surface_status (surface) != CAIRO_STATUS_SUCCESS
      || (format != CAIRO_FORMAT_RGB24 && format != CAIRO_FORMAT_ARGB32)
      || (guint) cairo_image_surface_get_width (surface) != width
      || (guint) cairo_image_surface_get_height (surface) != height)
    {
      cairo_surface_destroy (surface);
      return NULL;
    }
  cairo_surface_flush (surface);
  return surface;
}
