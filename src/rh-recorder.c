#include "rh-recorder.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <string.h>

#include "rh-error.h"

#define FINALIZE_TIMEOUT_S 30

struct _RhRecorder
{
  char *path;
  guint width;
  guint height;
  guint fps;
  GstElement *pipeline;
  GstAppSrc *source;
  guint8 *latest;        /* the frame on screen, BGRA, stride 4 * width */
  gboolean have_frame;
  guint tick_id;
  guint64 frames_pushed;
  gint64 start_us;
  gboolean running;
  GError *error;         /* first pipeline error */
};

static gboolean
gst_init_once (GError **error)
{
  static gsize done = 0;
  static gboolean ok = FALSE;
  static GError *init_error = NULL;

  if (g_once_init_enter (&done))
    {
      ok = gst_init_check (NULL, NULL, &init_error);
      g_once_init_leave (&done, 1);
    }
  if (!ok && error != NULL)
    *error = g_error_copy (init_error);
  return ok;
}

/* appsrc ! videoconvert ! x264enc ! h264parse ! (mp4mux ! filesink | hlssink2)
 *
 * No look-ahead and no B-frames in the encoder: a frame leaves it as soon as
 * it is in, so that a fragment holds the second it says.  The MP4 is
 * fragmented every second, its header first, and the file is written
 * unbuffered: each fragment is on disk once made, and a killed process
 * leaves a file that plays to its last fragment. */
static char *
pipeline_description (const char *path, guint width, guint height, guint fps,
                      guint bitrate_kbps, GError **error)
{
  g_autofree char *caps = g_strdup_printf ("video/x-raw,format=BGRA,width=%u,height=%u,"
                                           "framerate=%u/1",
                                           width, height, fps);
  g_autofree char *encoder = g_strdup_printf ("x264enc bitrate=%u speed-preset=veryfast "
                                              "tune=zerolatency key-int-max=%u "
                                              "byte-stream=false",
                                              bitrate_kbps, fps * 2);
  g_autofree char *quoted = NULL;

  if (g_str_has_suffix (path, ".mp4"))
    {
      quoted = g_strescape (path, NULL);
      return g_strdup_printf ("appsrc name=source format=time is-live=false do-timestamp=false "
                              "caps=\"%s\" ! videoconvert ! video/x-raw,format=I420 ! %s ! "
                              "h264parse ! mp4mux fragment-duration=1000 ! "
                              "filesink location=\"%s\" buffer-mode=unbuffered",
                              caps, encoder, quoted);
    }
  if (g_str_has_suffix (path, ".m3u8"))
    {
      g_autofree char *dir = g_path_get_dirname (path);
      g_autofree char *base = g_path_get_basename (path);
      g_autofree char *stem = g_strndup (base, strlen (base) - strlen (".m3u8"));
      g_autofree char *segments = g_build_filename (dir, stem, NULL);
      g_autofree char *quoted_segments = NULL;

      quoted = g_strescape (path, NULL);
      quoted_segments = g_strescape (segments, NULL);
      return g_strdup_printf ("appsrc name=source format=time is-live=false do-timestamp=false "
                              "caps=\"%s\" ! videoconvert ! video/x-raw,format=I420 ! %s ! "
                              "h264parse ! hlssink2 playlist-location=\"%s\" "
                              "location=\"%s-%%05d.ts\" target-duration=2 max-files=0 "
                              "playlist-length=0",
                              caps, encoder, quoted, quoted_segments);
    }
  g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
               "--record %s: expected a .mp4 file or a .m3u8 playlist", path);
  return NULL;
}

static gboolean
bus_cb (GstBus *bus, GstMessage *message, gpointer user_data)
{
  RhRecorder *recorder = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR && recorder->error == NULL)
    {
      g_autoptr (GError) error = NULL;

      gst_message_parse_error (message, &error, NULL);
      recorder->error = g_error_new (RH_ERROR, RH_ERROR_PAGE_FAILED, "recording to %s: %s",
                                     recorder->path, error->message);
      g_warning ("%s", recorder->error->message);
    }
  return G_SOURCE_CONTINUE;
}

RhRecorder *
rh_recorder_new (const char *path, guint width, guint height, guint fps, guint bitrate_kbps,
                 GError **error)
{
  g_autofree char *description = NULL;
  g_autoptr (GError) parse_error = NULL;
  RhRecorder *recorder;
  GstElement *pipeline;
  GstElement *source;
  g_autoptr (GstBus) bus = NULL;

  if (!gst_init_once (error))
    return NULL;
  description = pipeline_description (path, width, height, fps, bitrate_kbps, error);
  if (description == NULL)
    return NULL;
  pipeline = gst_parse_launch (description, &parse_error);
  if (pipeline == NULL || parse_error != NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED,
                   "cannot build the recording pipeline (are GStreamer's good, bad and ugly "
                   "plugins installed?): %s",
                   parse_error != NULL ? parse_error->message : "unknown error");
      g_clear_object (&pipeline);
      return NULL;
    }
  source = gst_bin_get_by_name (GST_BIN (pipeline), "source");

  recorder = g_new0 (RhRecorder, 1);
  recorder->path = g_strdup (path);
  recorder->width = width;
  recorder->height = height;
  recorder->fps = fps;
  recorder->pipeline = pipeline;
  recorder->source = GST_APP_SRC (source);
  recorder->latest = g_malloc ((gsize) width * height * 4);
  /* Before the first frame: white, as an unpainted page. */
  memset (recorder->latest, 0xff, (gsize) width * height * 4);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, bus_cb, recorder);
  return recorder;
}

/* Keeps the latest frame; frames of another size (a resize) are scaled
 * nearest-neighbour into the recording's size. */
void
rh_recorder_add_frame (RhRecorder *recorder, const RhFrame *frame)
{
  gsize row = (gsize) recorder->width * 4;

  if (frame->width == recorder->width && frame->height == recorder->height)
    {
      for (guint y = 0; y < frame->height; y++)
        memcpy (recorder->latest + y * row, frame->data + (gsize) y * frame->stride, row);
    }
  else
    {
      for (guint y = 0; y < recorder->height; y++)
        {
          const guint8 *source_row = frame->data
                                     + (gsize) (y * frame->height / recorder->height)
                                         * frame->stride;

          for (guint x = 0; x < recorder->width; x++)
            memcpy (recorder->latest + y * row + x * 4,
                    source_row + (gsize) (x * frame->width / recorder->width) * 4, 4);
        }
    }
  recorder->have_frame = TRUE;
}

/* One frame a tick, the latest one again when the page did not change: the
 * file has a constant frame rate and correct timestamps. */
static void
push_frame (RhRecorder *recorder)
{
  gsize size = (gsize) recorder->width * recorder->height * 4;
  GstBuffer *buffer = gst_buffer_new_memdup (recorder->latest, size);

  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (recorder->frames_pushed, GST_SECOND,
                                                   recorder->fps);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (1, GST_SECOND, recorder->fps);
  recorder->frames_pushed++;
  gst_app_src_push_buffer (recorder->source, buffer);
}

static gboolean
tick_cb (gpointer user_data)
{
  RhRecorder *recorder = user_data;
  gint64 due = gst_util_uint64_scale (recorder->frames_pushed, G_USEC_PER_SEC, recorder->fps);
  gint64 elapsed = g_get_monotonic_time () - recorder->start_us;

  /* Catch up when the main loop was late, so that wall time and file time agree. */
  while (due <= elapsed && recorder->running)
    {
      push_frame (recorder);
      due = gst_util_uint64_scale (recorder->frames_pushed, G_USEC_PER_SEC, recorder->fps);
    }
  return G_SOURCE_CONTINUE;
}

gboolean
rh_recorder_start (RhRecorder *recorder, GError **error)
{
  if (gst_element_set_state (recorder->pipeline, GST_STATE_PLAYING) == GST_STATE_CHANGE_FAILURE)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED, "cannot start recording to %s",
                   recorder->path);
      return FALSE;
    }
  recorder->running = TRUE;
  recorder->start_us = g_get_monotonic_time ();
  push_frame (recorder);
  recorder->tick_id = g_timeout_add (MAX (1000 / recorder->fps / 2, 5), tick_cb, recorder);
  return TRUE;
}

gboolean
rh_recorder_is_running (RhRecorder *recorder)
{
  return recorder->running;
}

guint64
rh_recorder_get_frames (RhRecorder *recorder)
{
  return recorder->frames_pushed;
}

/* Ends the stream and waits for the muxer to finish the file, so that it plays. */
gboolean
rh_recorder_finish (RhRecorder *recorder, GError **error)
{
  g_autoptr (GstBus) bus = gst_element_get_bus (recorder->pipeline);
  g_autoptr (GstMessage) message = NULL;

  if (!recorder->running)
    return TRUE;
  recorder->running = FALSE;
  g_clear_handle_id (&recorder->tick_id, g_source_remove);
  gst_app_src_end_of_stream (recorder->source);
  message = gst_bus_timed_pop_filtered (bus, FINALIZE_TIMEOUT_S * GST_SECOND,
                                        GST_MESSAGE_EOS | GST_MESSAGE_ERROR);
  gst_element_set_state (recorder->pipeline, GST_STATE_NULL);
  if (message == NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED, "recording to %s did not finish in %d s",
                   recorder->path, FINALIZE_TIMEOUT_S);
      return FALSE;
    }
  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR)
    {
      g_autoptr (GError) pipeline_error = NULL;

      gst_message_parse_error (message, &pipeline_error, NULL);
      g_set_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED, "recording to %s: %s", recorder->path,
                   pipeline_error->message);
      return FALSE;
    }
  if (recorder->error != NULL)
    {
      g_propagate_error (error, g_error_copy (recorder->error));
      return FALSE;
    }
  return TRUE;
}

void
rh_recorder_free (RhRecorder *recorder)
{
  if (recorder == NULL)
    return;
  if (recorder->running)
    rh_recorder_finish (recorder, NULL);
  g_clear_handle_id (&recorder->tick_id, g_source_remove);
  gst_element_set_state (recorder->pipeline, GST_STATE_NULL);
  {
    g_autoptr (GstBus) bus = gst_element_get_bus (recorder->pipeline);

    gst_bus_remove_watch (bus);
  }
  gst_object_unref (recorder->source);
  gst_object_unref (recorder->pipeline);
  g_clear_error (&recorder->error);
  g_free (recorder->latest);
  g_free (recorder->path);
  g_free (recorder);
}

/* The cloud's default: 2000 kbps at 1280x720 and above, else 1500. */
guint
rh_recorder_default_bitrate (guint width, guint height)
{
  return (guint64) width * height >= 1280 * 720 ? 2000 : 1500;
}
