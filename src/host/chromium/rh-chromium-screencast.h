/* The pictures of Chromium's screencast (Page.screencastFrame): base64 PNG
 * turned into the pixels a frame carries. */
#pragma once

#include <cairo.h>
#include <glib.h>

G_BEGIN_DECLS

cairo_surface_t *rh_chromium_screencast_decode (const char *data_base64, guint width,
                                                guint height);

G_END_DECLS
