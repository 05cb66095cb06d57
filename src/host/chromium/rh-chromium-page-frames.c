/* A Chromium page host's frames: the screencast's pictures, and a picture
 * asked for when the screencast has been silent.  Chromium's screencast
 * sends a picture when the compositor makes one, and on a busy machine it
 * was seen to send nothing more for seconds after the page painted (its
 * last picture a blank page): the first paint would then never be seen.
 * A silent screencast is checked with Page.captureScreenshot, less often
 * while the picture stays the same. */
#include "rh-chromium-page-host-private.h"

#include <string.h>

#include "rh-chromium-screencast.h"

/* The screencast silent this long: a picture is asked for.  Doubled while
 * the pictures asked for show nothing new, up to the most. */
#define SILENCE_MIN_MS 250
#define SILENCE_MAX_MS 4000

static void schedule_check (RhChromiumPageHost *self);

/* The last frame, to @func, or as the "frame" signal when NULL. */
gboolean
_rh_chromium_page_host_emit_last_frame (RhChromiumPageHost *self, RhFrameFunc func,
                                        gpointer user_data)
{
  RhFrame frame = { 0 };

  if (self->last_frame == NULL)
    return FALSE;
  frame.time_us = self->last_frame_us;
  frame.data = cairo_image_surface_get_data (self->last_frame);
  frame.stride = cairo_image_surface_get_stride (self->last_frame);
  frame.width = self->width;
  frame.height = self->height;
  if (func != NULL)
    func (&frame, user_data);
  else
    rh_page_host_emit_frame (RH_PAGE_HOST (self), &frame);
  return TRUE;
}

static gboolean
same_picture (cairo_surface_t *a, cairo_surface_t *b)
{
  int stride = cairo_image_surface_get_stride (a);
  int height = cairo_image_surface_get_height (a);

  return stride == cairo_image_surface_get_stride (b)
         && height == cairo_image_surface_get_height (b)
         && memcmp (cairo_image_surface_get_data (a), cairo_image_surface_get_data (b),
                    (gsize)stride * (gsize)height)
                == 0;
}

/* @data, a base64 PNG, the frame on screen now: passed on.  FALSE when it
 * is no picture of the viewport, or (when @only_new) the same as the
 * last. */
static gboolean
take_picture (RhChromiumPageHost *self, const char *data, gboolean only_new)
{
  cairo_surface_t *surface
      = data != NULL ? rh_chromium_screencast_decode (data, self->width, self->height) : NULL;

  if (surface == NULL)
    return FALSE;
  if (only_new && self->last_frame != NULL && same_picture (surface, self->last_frame))
    {
      cairo_surface_destroy (surface);
      return FALSE;
    }
  g_clear_pointer (&self->last_frame, cairo_surface_destroy);
  self->last_frame = surface;
  self->last_frame_us = self->quiet_since_us = g_get_monotonic_time ();
  _rh_chromium_page_host_emit_last_frame (self, NULL, NULL);
  return TRUE;
}

/* A screencast frame, acknowledged at once so that the next one comes. */
void
_rh_chromium_page_host_screencast_frame (RhChromiumPageHost *self, JsonObject *params)
{
  JsonObject *ack = json_object_new ();

  json_object_set_int_member (ack, "sessionId",
                              json_object_get_int_member_with_default (params, "sessionId", 0));
  _rh_chromium_page_host_send (self, "Page.screencastFrameAck", ack, NULL);
  if (take_picture (self, rh_json_string_member (params, "data"), FALSE))
    self->silence_ms = SILENCE_MIN_MS;
}

static void
screenshot_cb (RhChromiumPageHost *self, JsonObject *result, const GError *error)
{
  self->capturing = FALSE;
  self->quiet_since_us = g_get_monotonic_time ();
  if (result != NULL && take_picture (self, rh_json_string_member (result, "data"), TRUE))
    {
      g_debug ("chromium: target %s's screencast missed a picture", self->target_id);
      self->silence_ms = SILENCE_MIN_MS;
    }
  else
    self->silence_ms = MIN (self->silence_ms * 2, SILENCE_MAX_MS);
  schedule_check (self);
}

static gboolean
check_cb (gpointer user_data)
{
  RhChromiumPageHost *self = user_data;
  gint64 silent_ms = (g_get_monotonic_time () - self->quiet_since_us) / 1000;
  JsonObject *params;

  self->check_id = 0;
  /* A crashed tab has nothing to show until it loads again. */
  if (self->terminated)
    self->quiet_since_us = g_get_monotonic_time ();
  if (silent_ms < self->silence_ms || self->terminated)
    {
      schedule_check (self);
      return G_SOURCE_REMOVE;
    }
  params = _rh_chromium_page_host_object_with_string ("format", "png");
  self->capturing = TRUE;
  _rh_chromium_page_host_send (self, "Page.captureScreenshot", params, screenshot_cb);
  return G_SOURCE_REMOVE;
}

static void
schedule_check (RhChromiumPageHost *self)
{
  gint64 silent_ms = (g_get_monotonic_time () - self->quiet_since_us) / 1000;
  gint64 wait_ms = CLAMP (self->silence_ms - silent_ms, 1, SILENCE_MAX_MS);

  if (self->check_id == 0 && !self->capturing)
    self->check_id = g_timeout_add ((guint)wait_ms, check_cb, self);
}

/* Once the screencast runs; until the host goes (dispose removes the
 * check). */
void
_rh_chromium_page_host_frames_start (RhChromiumPageHost *self)
{
  self->silence_ms = SILENCE_MIN_MS;
  self->quiet_since_us = g_get_monotonic_time ();
  schedule_check (self);
}
