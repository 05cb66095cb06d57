#include "rh-wpe-frame-sink.h"

#include <string.h>
#include <wayland-server.h>
#include <wpe/fdo.h>
#include <wpe/unstable/fdo-shm.h>

/* Until the host sets one (rh_page_host_set_frame_interval ()). */
#define DEFAULT_FRAME_INTERVAL_MS 16

/* The frame on screen is read again from the buffer it came in, not from a
 * copy: a released buffer is written by the web process only for its next
 * frame, which comes here next.  A buffer the web process destroys (it
 * crashed, the view was resized) is copied first. */
struct _RhWpeFrameSink
{
  struct wpe_view_backend_exportable_fdo *exportable;
  RhPageHost *host; /* NULL once the host is gone */
  guint frame_interval_ms;
  guint frame_complete_id;
  struct wl_resource *shown; /* the last frame's buffer, while it exists */
  struct wl_listener shown_destroyed;
  gint64 shown_time_us;
  guint8 *kept; /* the last frame's pixels once its buffer is gone */
  RhFrame kept_frame;
};

/* Whether @shm holds a frame the host passes on; @frame is valid between
 * wl_shm_buffer_begin_access () and wl_shm_buffer_end_access (). */
static gboolean
frame_from_shm (struct wl_shm_buffer *shm, gint64 time_us, RhFrame *frame)
{
  frame->time_us = time_us;
  frame->data = wl_shm_buffer_get_data (shm);
  frame->stride = wl_shm_buffer_get_stride (shm);
  frame->width = wl_shm_buffer_get_width (shm);
  frame->height = wl_shm_buffer_get_height (shm);
  return wl_shm_buffer_get_format (shm) == WL_SHM_FORMAT_ARGB8888
         || wl_shm_buffer_get_format (shm) == WL_SHM_FORMAT_XRGB8888;
}

static void
forget_shown (RhWpeFrameSink *sink)
{
  if (sink->shown != NULL)
    {
      wl_list_remove (&sink->shown_destroyed.link);
      sink->shown = NULL;
    }
  g_clear_pointer (&sink->kept, g_free);
}

static void
shown_destroyed_cb (struct wl_listener *listener, void *data)
{
  RhWpeFrameSink *sink = wl_container_of (listener, sink, shown_destroyed);
  struct wl_shm_buffer *shm = wl_shm_buffer_get (sink->shown);
  RhFrame frame = { 0 };

  wl_list_remove (&listener->link);
  sink->shown = NULL;
  if (shm == NULL)
    return;
  wl_shm_buffer_begin_access (shm);
  if (frame_from_shm (shm, sink->shown_time_us, &frame))
    {
      gsize row = (gsize) frame.width * 4;

      sink->kept = g_malloc (row * frame.height);
      for (guint y = 0; y < frame.height; y++)
        memcpy (sink->kept + y * row, frame.data + (gsize) y * frame.stride, row);
      sink->kept_frame = frame;
      sink->kept_frame.data = sink->kept;
      sink->kept_frame.stride = row;
    }
  wl_shm_buffer_end_access (shm);
}

static void
show (RhWpeFrameSink *sink, struct wl_resource *buffer, gint64 time_us)
{
  g_clear_pointer (&sink->kept, g_free);
  sink->shown_time_us = time_us;
  if (sink->shown == buffer)
    return;
  forget_shown (sink);
  sink->shown = buffer;
  sink->shown_destroyed.notify = shown_destroyed_cb;
  wl_resource_add_destroy_listener (buffer, &sink->shown_destroyed);
}

static gboolean
frame_complete_cb (gpointer user_data)
{
  RhWpeFrameSink *sink = user_data;

  sink->frame_complete_id = 0;
  wpe_view_backend_exportable_fdo_dispatch_frame_complete (sink->exportable);
  return G_SOURCE_REMOVE;
}

/* Each frame is handed out, released at once, and the next one allowed
 * after the frame interval: that paces the renderer. */
static void
export_shm_buffer (void *data, struct wpe_fdo_shm_exported_buffer *buffer)
{
  RhWpeFrameSink *sink = data;
  struct wl_shm_buffer *shm = wpe_fdo_shm_exported_buffer_get_shm_buffer (buffer);
  RhFrame frame = { 0 };

  wl_shm_buffer_begin_access (shm);
  if (frame_from_shm (shm, g_get_monotonic_time (), &frame) && sink->host != NULL)
    {
      /* Shown first: a handler of the signal may read it again. */
      show (sink, wpe_fdo_shm_exported_buffer_get_resource (buffer), frame.time_us);
      rh_page_host_emit_frame (sink->host, &frame);
    }
  wl_shm_buffer_end_access (shm);

  wpe_view_backend_exportable_fdo_dispatch_release_shm_exported_buffer (sink->exportable, buffer);
  if (sink->frame_complete_id == 0)
    sink->frame_complete_id = g_timeout_add (sink->frame_interval_ms, frame_complete_cb, sink);
}

static const struct wpe_view_backend_exportable_fdo_client exportable_client = {
  .export_shm_buffer = export_shm_buffer,
};

RhWpeFrameSink *
rh_wpe_frame_sink_new (RhPageHost *host, guint width, guint height)
{
  RhWpeFrameSink *sink = g_new0 (RhWpeFrameSink, 1);

  sink->host = host;
  sink->frame_interval_ms = DEFAULT_FRAME_INTERVAL_MS;
  sink->exportable = wpe_view_backend_exportable_fdo_create (&exportable_client, sink, width,
                                                             height);
  if (sink->exportable == NULL)
    {
      g_free (sink);
      return NULL;
    }
  return sink;
}

struct wpe_view_backend *
rh_wpe_frame_sink_get_view_backend (RhWpeFrameSink *sink)
{
  return wpe_view_backend_exportable_fdo_get_view_backend (sink->exportable);
}

void
rh_wpe_frame_sink_free (gpointer data)
{
  RhWpeFrameSink *sink = data;

  g_clear_handle_id (&sink->frame_complete_id, g_source_remove);
  forget_shown (sink);
  wpe_view_backend_exportable_fdo_destroy (sink->exportable);
  g_free (sink);
}

/* Frames come at most every @interval_ms. */
void
rh_wpe_frame_sink_set_interval (RhWpeFrameSink *sink, guint interval_ms)
{
  sink->frame_interval_ms = interval_ms;
}

void
rh_wpe_frame_sink_detach (RhWpeFrameSink *sink)
{
  forget_shown (sink);
  sink->host = NULL;
}

/* Calls @func with the last frame passed on, from its buffer (or the copy
 * of a buffer gone); FALSE when there is none. */
gboolean
rh_wpe_frame_sink_read (RhWpeFrameSink *sink, RhFrameFunc func, gpointer user_data)
{
  struct wl_shm_buffer *shm;
  RhFrame frame = { 0 };
  gboolean read;

  if (sink->kept != NULL)
    {
      func (&sink->kept_frame, user_data);
      return TRUE;
    }
  shm = sink->shown != NULL ? wl_shm_buffer_get (sink->shown) : NULL;
  if (shm == NULL)
    return FALSE;
  wl_shm_buffer_begin_access (shm);
  read = frame_from_shm (shm, sink->shown_time_us, &frame);
  if (read)
    func (&frame, user_data);
  wl_shm_buffer_end_access (shm);
  return read;
}
