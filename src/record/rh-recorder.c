#include "rh-recorder.h"

#include <fcntl.h>
#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>
#include <unistd.h>

#include "rh-error.h"
#include "rh-fs.h"
#include "rh-recorder-pipeline.h"
#include "rh-recorder-repeats.h"

#define CLOSE_TIMEOUT_S 30

typedef enum
{
  STATE_NEW,
  STATE_STARTING,
  STATE_RUNNING,
  STATE_CLOSING,
  STATE_CLOSED,
} State;

struct _RhRecorder
{
  GObject parent_instance;

  char *path;
  guint width;
  guint height;
  guint fps;
  GstElement *pipeline;
  GstAppSrc *source;
  GstVideoInfo screen_info;      /* BGRA, as WebKit paints */
  GstVideoInfo encoded_info;     /* I420, what the encoder takes */
  GstVideoConverter *converter;
  GstPad *encoder_pad;           /* the encoder's source */
  RhRecorderRepeats *repeats;    /* the encoder's pads' */
  guint8 *latest;                /* the frame on screen, BGRA, stride 4 * width; NULL until
                                  * the first frame or the start */
  gboolean latest_converted;
  GstBuffer *converted;          /* latest in I420 */
  State state;
  guint tick_id;
  guint64 frames_pushed;         /* the file's frames so far */
  guint64 frames_encoded;        /* of which the encoder had */
  guint64 next_key_frame;
  gint64 start_us;
  GTask *start_task;
  GTask *close_task;
  guint close_timeout_id;
  GError *error;                 /* first pipeline error */
  int fd;                        /* the MP4's, once started; -1 before */
};

G_DEFINE_FINAL_TYPE (RhRecorder, rh_recorder, G_TYPE_OBJECT)

enum
{
  SIGNAL_FAILED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* Recorders started and not yet closed; main thread only. */
static guint open_count;

static void end_close (RhRecorder *self);

static gboolean
bus_cb (GstBus *bus, GstMessage *message, gpointer user_data)
{
  RhRecorder *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR && self->error == NULL)
    {
      g_autoptr (GError) error = NULL;

      g_autofree char *debug = NULL;
      const char *cause;

      gst_message_parse_error (message, &error, &debug);
      /* A sink's message is generic ("Could not write to resource."); the
       * system's reason (a full disk) ends its debug text. */
      cause = debug != NULL && strrchr (debug, '\n') != NULL ? strrchr (debug, '\n') + 1 : NULL;
      if (cause != NULL && strstr (cause, ": ") != NULL)
        cause = g_strrstr (cause, ": ") + 2;
      self->error = g_error_new (RH_ERROR, RH_ERROR_PAGE_FAILED, "recording to %s: %s%s%s%s",
                                 self->path, error->message, cause != NULL ? " (" : "",
                                 cause != NULL ? cause : "", cause != NULL ? ")" : "");
      /* The pipeline has stopped: frames would only pile up in its queue. */
      g_clear_handle_id (&self->tick_id, g_source_remove);
      g_signal_emit (self, signals[SIGNAL_FAILED], 0, self->error);
    }
  if (self->state == STATE_CLOSING
      && (GST_MESSAGE_TYPE (message) == GST_MESSAGE_EOS
          || GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR))
    end_close (self);
  return G_SOURCE_CONTINUE;
}

static void
rh_recorder_dispose (GObject *object)
{
  RhRecorder *self = RH_RECORDER (object);

  /* Operations hold a reference: none is under way.  Dropped while
   * recording, the file keeps what was written, as after a crash. */
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->state == STATE_RUNNING)
    open_count--;
  if (self->pipeline != NULL)
    {
      g_autoptr (GstBus) bus = gst_element_get_bus (self->pipeline);

      gst_element_set_state (self->pipeline, GST_STATE_NULL);
      gst_bus_remove_watch (bus);
    }
  gst_clear_object (&self->encoder_pad);
  gst_clear_object (&self->source);
  gst_clear_object (&self->pipeline);
  gst_clear_buffer (&self->converted);
  G_OBJECT_CLASS (rh_recorder_parent_class)->dispose (object);
}

static void
rh_recorder_finalize (GObject *object)
{
  RhRecorder *self = RH_RECORDER (object);

  g_clear_pointer (&self->converter, gst_video_converter_free);
  g_clear_error (&self->error);
  g_free (self->latest);
  g_free (self->path);
  /* The pipeline is stopped (dispose): fdsink writes no more. */
  if (self->fd >= 0)
    close (self->fd);
  G_OBJECT_CLASS (rh_recorder_parent_class)->finalize (object);
}

static void
rh_recorder_class_init (RhRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_recorder_dispose;
  object_class->finalize = rh_recorder_finalize;

  /* The pipeline's first error (a GError, the recording's path and cause):
   * the file gets nothing more.  Once, from the main loop. */
  signals[SIGNAL_FAILED] = g_signal_new ("failed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rh_recorder_init (RhRecorder *self)
{
  self->fd = -1;
}

RhRecorder *
rh_recorder_new (const char *path, guint width, guint height, guint fps, guint bitrate_kbps,
                 GError **error)
{
  g_autoptr (RhRecorder) self = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstElement) encoder = NULL;
  GstElement *pipeline = rh_recorder_pipeline_new (path, fps, bitrate_kbps, error);

  if (pipeline == NULL)
    return NULL;
  self = g_object_new (RH_TYPE_RECORDER, NULL);
  self->path = g_strdup (path);
  self->width = width;
  self->height = height;
  self->fps = fps;
  self->pipeline = pipeline;
  self->source = GST_APP_SRC (gst_bin_get_by_name (GST_BIN (pipeline), "source"));
  gst_video_info_set_format (&self->screen_info, GST_VIDEO_FORMAT_BGRA, width, height);
  gst_video_info_set_format (&self->encoded_info, GST_VIDEO_FORMAT_I420, width, height);
  GST_VIDEO_INFO_FPS_N (&self->screen_info) = GST_VIDEO_INFO_FPS_N (&self->encoded_info) = fps;
  GST_VIDEO_INFO_FPS_D (&self->screen_info) = GST_VIDEO_INFO_FPS_D (&self->encoded_info) = 1;
  caps = gst_video_info_to_caps (&self->encoded_info);
  gst_app_src_set_caps (self->source, caps);
  self->converter = gst_video_converter_new (&self->screen_info, &self->encoded_info, NULL);
  encoder = gst_bin_get_by_name (GST_BIN (pipeline), "encoder");
  self->encoder_pad = gst_element_get_static_pad (encoder, "src");
  self->repeats = rh_recorder_repeats_attach (encoder, fps);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, bus_cb, self);
  return g_steal_pointer (&self);
}

/* The frame buffer, made at the first frame or the start: a recorder made
 * long before its recording (a room on hold) holds no frame until then.
 * White before the first frame, as an unpainted page. */
static void
ensure_latest (RhRecorder *self)
{
  gsize size = (gsize) self->width * self->height * 4;

  if (self->latest != NULL)
    return;
  self->latest = g_malloc (size);
  memset (self->latest, 0xff, size);
}

/* Keeps the latest frame; frames of another size (a resize) are scaled
 * nearest-neighbour into the recording's size.  Converted for the encoder
 * at the next tick, once, however often the page paints until then. */
void
rh_recorder_add_frame (RhRecorder *recorder, const RhFrame *frame)
{
  gsize row = (gsize) recorder->width * 4;

  if (recorder->state == STATE_CLOSING || recorder->state == STATE_CLOSED)
    return;
  ensure_latest (recorder);
  if (frame->width == recorder->width && frame->height == recorder->height)
    {
      gboolean changed = FALSE;

      /* A repaint of the same pixels (a caret blinking back) is no change. */
      for (guint y = 0; y < frame->height; y++)
        if (memcmp (recorder->latest + y * row, frame->data + (gsize) y * frame->stride, row) != 0)
          {
            memcpy (recorder->latest + y * row, frame->data + (gsize) y * frame->stride, row);
            changed = TRUE;
          }
      if (!changed)
        return;
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
  recorder->latest_converted = FALSE;
}

static GstBuffer *
convert_latest (RhRecorder *self)
{
  gsize size = GST_VIDEO_INFO_SIZE (&self->screen_info);
  g_autoptr (GstBuffer) screen = gst_buffer_new_wrapped_full (GST_MEMORY_FLAG_READONLY,
                                                              self->latest, size, 0, size,
                                                              NULL, NULL);
  GstBuffer *encoded = gst_buffer_new_allocate (NULL, GST_VIDEO_INFO_SIZE (&self->encoded_info),
                                                NULL);
  GstVideoFrame in, out;

  /* Buffers of exactly the infos' sizes: mapping cannot fail. */
  gst_video_frame_map (&in, &self->screen_info, screen, GST_MAP_READ);
  gst_video_frame_map (&out, &self->encoded_info, encoded, GST_MAP_WRITE);
  gst_video_converter_frame (self->converter, &in, &out);
  gst_video_frame_unmap (&out);
  gst_video_frame_unmap (&in);
  return encoded;
}

/* The frame's picture to the encoder, at the frame's time; converted once,
 * its repeats share its memory. */
static void
encode_frame (RhRecorder *self, guint64 frame)
{
  GstBuffer *buffer;

  if (self->converted == NULL || !self->latest_converted)
    {
      gst_clear_buffer (&self->converted);
      self->converted = convert_latest (self);
      self->latest_converted = TRUE;
    }
  if (frame >= self->next_key_frame)
    {
      if (frame > 0)
        gst_pad_send_event (self->encoder_pad,
                            gst_video_event_new_upstream_force_key_unit (GST_CLOCK_TIME_NONE,
                                                                         FALSE, 0));
      self->next_key_frame = frame + 2 * self->fps;
    }
  buffer = gst_buffer_copy (self->converted);
  GST_BUFFER_PTS (buffer) = gst_util_uint64_scale (frame, GST_SECOND, self->fps);
  GST_BUFFER_DURATION (buffer) = gst_util_uint64_scale (1, GST_SECOND, self->fps);
  self->frames_encoded++;
  gst_app_src_push_buffer (self->source, buffer);
}

/* One frame a tick, the latest one again when the page did not change: the
 * file has a constant frame rate and correct timestamps.  The encoder gets
 * only the frames that changed and a keyframe every two seconds; the
 * others are repeats, which the stream makes at once (rh-recorder-repeats.c), so
 * that the file's fragments are complete as the clock goes. */
static void
push_frame (RhRecorder *self)
{
  guint64 frame = self->frames_pushed++;

  if (self->converted == NULL || !self->latest_converted || frame >= self->next_key_frame
      || !rh_recorder_repeats_is_ready (self->repeats))
    {
      encode_frame (self, frame);
      return;
    }
  gst_element_send_event (GST_ELEMENT (self->source), rh_recorder_repeats_event_new (frame + 1));
}

static gboolean
tick_cb (gpointer user_data)
{
  RhRecorder *self = user_data;
  gint64 due = gst_util_uint64_scale (self->frames_pushed, G_USEC_PER_SEC, self->fps);
  gint64 elapsed = g_get_monotonic_time () - self->start_us;

  /* Catch up when the main loop was late, so that wall time and file time agree. */
  while (due <= elapsed)
    {
      push_frame (self);
      due = gst_util_uint64_scale (self->frames_pushed, G_USEC_PER_SEC, self->fps);
    }
  return G_SOURCE_CONTINUE;
}


static void begin_close (RhRecorder *self);

static void
started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhRecorder) self = user_data;
  g_autoptr (GTask) task = g_steal_pointer (&self->start_task);
  g_autoptr (GError) error = NULL;

  if (!rh_recorder_pipeline_set_state_finish (result, &error))
    {
      self->state = STATE_CLOSED;
      open_count--;
      g_task_return_new_error (task, RH_ERROR, RH_ERROR_PAGE_FAILED,
                               "cannot start recording to %s: %s", self->path, error->message);
      if (self->close_task != NULL)
        {
          g_autoptr (GTask) close = g_steal_pointer (&self->close_task);

          /* Nothing was written. */
          g_task_return_boolean (close, TRUE);
        }
      return;
    }
  self->state = STATE_RUNNING;
  tick_cb (self);
  self->tick_id = g_timeout_add (MAX (1000 / self->fps / 2, 5), tick_cb, self);
  g_task_return_boolean (task, TRUE);
  /* Asked to close while starting. */
  if (self->close_task != NULL && self->state == STATE_RUNNING)
    begin_close (self);
}

/* The MP4, emptied, as the sink's: opened here, where no link is followed
 * and a FIFO does not hold the start. */
static gboolean
open_file (RhRecorder *self, GError **error)
{
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (self->pipeline), "sink");

  self->fd = rh_fs_open_output (self->path, O_TRUNC, error);
  if (self->fd < 0)
    return FALSE;
  g_object_set (sink, "fd", self->fd, NULL);
  return TRUE;
}

/* The recording's clock starts now: frames are due from now on, and those
 * due while the pipeline starts are taken once it has. */
void
rh_recorder_start_async (RhRecorder *recorder, GAsyncReadyCallback callback, gpointer user_data)
{
  RhRecorder *self = recorder;
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);
  g_autoptr (GError) error = NULL;

  g_task_set_source_tag (task, rh_recorder_start_async);
  if (self->state != STATE_NEW)
    {
      g_task_return_new_error (task, RH_ERROR, RH_ERROR_PAGE_FAILED,
                               "recording to %s: already started", self->path);
      return;
    }
  if (g_str_has_suffix (self->path, ".mp4") && !open_file (self, &error))
    {
      self->state = STATE_CLOSED;
      g_task_return_new_error (task, RH_ERROR, RH_ERROR_PAGE_FAILED,
                               "cannot start recording to %s", error->message);
      return;
    }
  ensure_latest (self);
  self->state = STATE_STARTING;
  self->start_us = g_get_monotonic_time ();
  open_count++;
  self->start_task = g_steal_pointer (&task);
  rh_recorder_pipeline_set_state_async (self->pipeline, GST_STATE_PLAYING, started_cb,
                                        g_object_ref (self));
}

gboolean
rh_recorder_start_finish (RhRecorder *recorder, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, recorder), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Started, or starting: taking frames. */
gboolean
rh_recorder_is_running (RhRecorder *recorder)
{
  return recorder->state == STATE_STARTING || recorder->state == STATE_RUNNING;
}

/* Frames of the file so far. */
guint64
rh_recorder_get_frames (RhRecorder *recorder)
{
  return recorder->frames_pushed;
}

/* Of which the encoder had: the first, those that changed, keyframes. */
guint64
rh_recorder_get_encoded_frames (RhRecorder *recorder)
{
  return recorder->frames_encoded;
}

static void
stopped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhRecorder) self = user_data;
  g_autoptr (GTask) task = g_steal_pointer (&self->close_task);

  open_count--;
  if (self->error != NULL)
    g_task_return_error (task, g_error_copy (self->error));
  else
    g_task_return_boolean (task, TRUE);
}

/* The file is finished (or given up on): the pipeline stops. */
static void
end_close (RhRecorder *self)
{
  g_clear_handle_id (&self->close_timeout_id, g_source_remove);
  self->state = STATE_CLOSED;
  rh_recorder_pipeline_set_state_async (self->pipeline, GST_STATE_NULL, stopped_cb,
                                        g_object_ref (self));
}

static gboolean
close_timeout_cb (gpointer user_data)
{
  RhRecorder *self = user_data;

  self->close_timeout_id = 0;
  if (self->error == NULL)
    self->error = g_error_new (RH_ERROR, RH_ERROR_PAGE_FAILED,
                               "recording to %s did not finish in %d s", self->path,
                               CLOSE_TIMEOUT_S);
  end_close (self);
  return G_SOURCE_REMOVE;
}

static void
begin_close (RhRecorder *self)
{
  self->state = STATE_CLOSING;
  g_clear_handle_id (&self->tick_id, g_source_remove);
  if (self->error != NULL)
    {
      /* A failed pipeline has nothing left to write. */
      end_close (self);
      return;
    }
  gst_app_src_end_of_stream (self->source);
  self->close_timeout_id = g_timeout_add_seconds (CLOSE_TIMEOUT_S, close_timeout_cb, self);
}

/* Ends the stream and finishes the file (the MP4's header gets its duration,
 * the playlist its end), so that it plays; the pipeline's first error, if
 * any, is the result.  A recorder never started has nothing to write. */
void
rh_recorder_close_async (RhRecorder *recorder, GAsyncReadyCallback callback, gpointer user_data)
{
  RhRecorder *self = recorder;
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, rh_recorder_close_async);
  if (self->close_task != NULL || self->state == STATE_CLOSING)
    {
      g_task_return_new_error (task, RH_ERROR, RH_ERROR_PAGE_FAILED,
                               "recording to %s: already closing", self->path);
      return;
    }
  switch (self->state)
    {
    case STATE_NEW:
    case STATE_CLOSED:
      g_task_return_boolean (task, TRUE);
      break;
    case STATE_STARTING:
      self->close_task = g_steal_pointer (&task);
      break;
    case STATE_RUNNING:
      self->close_task = g_steal_pointer (&task);
      begin_close (self);
      break;
    case STATE_CLOSING:
      g_assert_not_reached ();
    }
}

gboolean
rh_recorder_close_finish (RhRecorder *recorder, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, recorder), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Recorders of this process started and not closed yet: an exit waits for
 * none to be left, so that every file is finished. */
guint
rh_recorder_get_open_count (void)
{
  return open_count;
}

/* The cloud's default: 2000 kbps at 1280x720 and above, else 1500. */
guint
rh_recorder_default_bitrate (guint width, guint height)
{
  return (guint64) width * height >= 1280 * 720 ? 2000 : 1500;
}

