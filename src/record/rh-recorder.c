#include "rh-recorder.h"

#include <gst/app/gstappsrc.h>
#include <gst/gst.h>
#include <gst/video/video.h>
#include <string.h>

#include "rh-error.h"
#include "rh-h264.h"

#define CLOSE_TIMEOUT_S 30

typedef enum
{
  STATE_NEW,
  STATE_STARTING,
  STATE_RUNNING,
  STATE_CLOSING,
  STATE_CLOSED,
} State;

/* The encoder's input and output, on their streaming thread: the encoder
 * is synchronous (no look-ahead, one thread), so once a frame is in, it is
 * out, and repeated pictures go into its output there, in order. */
typedef struct
{
  guint fps;
  gint ready;                 /* atomic: repeats can be made */
  RhH264Repeater *repeater;
  GstSegment segment;         /* the output's */
  GstClockTime shift;         /* output time - input time (x264enc keeps DTS >= 0) */
  gboolean shifted;           /* shift is known: a frame is out */
  guint64 next_in;            /* the frame after the last one into the encoder */
  guint64 next_out;           /* the frame after the last one out */
  guint64 requested;          /* frames before this one are in, or repeats */
} Repeats;

#define REPEAT_EVENT "recordhost-repeat"

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
  Repeats *repeats;              /* the encoder's pads' */
  guint8 *latest;                /* the frame on screen, BGRA, stride 4 * width */
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
};

G_DEFINE_FINAL_TYPE (RhRecorder, rh_recorder, G_TYPE_OBJECT)

/* Recorders started and not yet closed; main thread only. */
static guint open_count;

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

/* appsrc (I420) ! x264enc ! h264parse ! (mp4mux ! filesink | hlssink2)
 *
 * The encoder is set for a screen recorder on a shared machine: one thread,
 * no look-ahead and no B-frames (a frame leaves the encoder as soon as it
 * is in, so a fragment holds the second it says), and the fastest analysis,
 * which the flat colours and text of a classroom do not miss.  It gets only
 * the frames that changed and a keyframe every two seconds: one reference
 * frame, CAVLC, no weighted prediction and no access unit delimiters let the
 * stream repeat a picture by itself (rh-h264.c).  The MP4 is fragmented
 * every second, its header first, and the file is written unbuffered: each
 * fragment is on disk once made, and a killed process leaves a file that
 * plays to its last fragment. */
static char *
pipeline_description (const char *path, guint fps, guint bitrate_kbps, GError **error)
{
  g_autofree char *encoder = g_strdup_printf ("x264enc name=encoder bitrate=%u "
                                              "speed-preset=ultrafast tune=zerolatency threads=1 "
                                              "key-int-max=%u ref=1 cabac=false aud=false "
                                              "option-string=weightp=0 ! "
                                              "video/x-h264,stream-format=avc,alignment=au",
                                              bitrate_kbps, fps * 2);

  /* Paths are set as properties (set_output): the launch syntax would take
   * their bytes for escapes. */
  if (g_str_has_suffix (path, ".mp4"))
    return g_strdup_printf ("appsrc name=source format=time is-live=false do-timestamp=false ! "
                            "%s ! h264parse ! mp4mux fragment-duration=1000 ! "
                            "filesink name=sink buffer-mode=unbuffered",
                            encoder);
  if (g_str_has_suffix (path, ".m3u8"))
    return g_strdup_printf ("appsrc name=source format=time is-live=false do-timestamp=false ! "
                            "%s ! h264parse ! hlssink2 name=sink target-duration=2 max-files=0 "
                            "playlist-length=0",
                            encoder);
  g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
               "--record %s: expected a .mp4 file or a .m3u8 playlist", path);
  return NULL;
}

/* The file, or the playlist and its segments DIR/NAME-00000.ts, ... */
static void
set_output (GstElement *pipeline, const char *path)
{
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");

  if (g_str_has_suffix (path, ".mp4"))
    {
      g_object_set (sink, "location", path, NULL);
      return;
    }
  {
    g_autofree char *stem = g_strndup (path, strlen (path) - strlen (".m3u8"));
    g_auto (GStrv) parts = g_strsplit (stem, "%", -1);
    g_autofree char *literal = g_strjoinv ("%%", parts); /* the location is a format */
    g_autofree char *segments = g_strconcat (literal, "-%05d.ts", NULL);

    g_object_set (sink, "playlist-location", path, "location", segments, NULL);
  }
}

static void end_close (RhRecorder *self);

static void
repeats_free (gpointer data)
{
  Repeats *repeats = data;

  g_clear_pointer (&repeats->repeater, rh_h264_repeater_free);
  g_free (repeats);
}

static guint64
frame_at (Repeats *repeats, GstClockTime running_time)
{
  return gst_util_uint64_scale_round (running_time, repeats->fps, GST_SECOND);
}

/* Repeats of the last picture out, up to frame @until (excluded). */
static void
add_repeats (Repeats *repeats, GstBufferList *list, guint64 until)
{
  for (; repeats->next_out < until; repeats->next_out++)
    {
      g_autoptr (GBytes) picture = rh_h264_repeater_repeat (repeats->repeater);
      GstBuffer *repeat = gst_buffer_new_wrapped_bytes (picture);

      GST_BUFFER_PTS (repeat) = GST_BUFFER_DTS (repeat)
        = repeats->shift + gst_util_uint64_scale (repeats->next_out, GST_SECOND, repeats->fps);
      GST_BUFFER_DURATION (repeat) = gst_util_uint64_scale (1, GST_SECOND, repeats->fps);
      GST_BUFFER_FLAG_SET (repeat, GST_BUFFER_FLAG_DELTA_UNIT);
      gst_buffer_list_add (list, repeat);
    }
}

static GstFlowReturn
push_repeats (Repeats *repeats, GstPad *pad, guint64 until)
{
  GstBufferList *list;

  if (repeats->next_out >= until)
    return GST_FLOW_OK;
  list = gst_buffer_list_new ();
  add_repeats (repeats, list, until);
  return gst_pad_push_list (pad, list);
}

static void
set_up_repeats (Repeats *repeats, GstCaps *caps)
{
  const GValue *codec_data = gst_structure_get_value (gst_caps_get_structure (caps, 0),
                                                      "codec_data");
  g_autoptr (GError) error = NULL;
  GstMapInfo map;

  g_clear_pointer (&repeats->repeater, rh_h264_repeater_free);
  if (codec_data != NULL && G_VALUE_HOLDS (codec_data, GST_TYPE_BUFFER)
      && gst_buffer_map (gst_value_get_buffer (codec_data), &map, GST_MAP_READ))
    {
      repeats->repeater = rh_h264_repeater_new (map.data, map.size, &error);
      gst_buffer_unmap (gst_value_get_buffer (codec_data), &map);
    }
  if (repeats->repeater == NULL)
    g_debug ("every frame is encoded: %s", error != NULL ? error->message : "no codec data");
  g_atomic_int_set (&repeats->ready, repeats->repeater != NULL);
}

/* Into the encoder: the frames it encodes, and the recorder's word that
 * frames up to some one are repeats, which go out at once. */
static GstPadProbeReturn
encoder_in_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Repeats *repeats = user_data;
  GstEvent *event;
  const GstStructure *structure;
  guint64 until;
  g_autoptr (GstPad) out = NULL;

  if (info->type & GST_PAD_PROBE_TYPE_BUFFER)
    {
      repeats->next_in = frame_at (repeats, GST_BUFFER_PTS (GST_PAD_PROBE_INFO_BUFFER (info))) + 1;
      return GST_PAD_PROBE_OK;
    }
  event = GST_PAD_PROBE_INFO_EVENT (info);
  structure = gst_event_get_structure (event);
  if (GST_EVENT_TYPE (event) != GST_EVENT_CUSTOM_DOWNSTREAM
      || !gst_structure_has_name (structure, REPEAT_EVENT))
    return GST_PAD_PROBE_OK;
  if (gst_structure_get_uint64 (structure, "until", &until))
    repeats->requested = MAX (repeats->requested, until);
  /* Nothing of the encoder's is still to come out before them. */
  if (repeats->repeater != NULL && repeats->shifted && repeats->next_in <= repeats->next_out)
    {
      out = gst_element_get_static_pad (GST_PAD_PARENT (pad), "src");
      push_repeats (repeats, out, repeats->requested);
    }
  return GST_PAD_PROBE_DROP;
}

/* Out of the encoder: its frames, each after the repeats due before it. */
static GstPadProbeReturn
encoder_out_cb (GstPad *pad, GstPadProbeInfo *info, gpointer user_data)
{
  Repeats *repeats = user_data;
  GstBuffer *buffer;
  GstBufferList *list;
  GstMapInfo map;
  GstClockTime running_time;
  guint64 frame;
  g_autoptr (GBytes) renumbered = NULL;
  g_autoptr (GError) error = NULL;

  if (info->type & GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM)
    {
      GstEvent *event = GST_PAD_PROBE_INFO_EVENT (info);
      GstCaps *caps;

      if (GST_EVENT_TYPE (event) == GST_EVENT_SEGMENT)
        gst_event_copy_segment (event, &repeats->segment);
      else if (GST_EVENT_TYPE (event) == GST_EVENT_CAPS)
        {
          gst_event_parse_caps (event, &caps);
          set_up_repeats (repeats, caps);
        }
      else if (GST_EVENT_TYPE (event) == GST_EVENT_EOS && repeats->repeater != NULL
               && repeats->shifted)
        push_repeats (repeats, pad, repeats->requested);
      return GST_PAD_PROBE_OK;
    }

  buffer = GST_PAD_PROBE_INFO_BUFFER (info);
  running_time = gst_segment_to_running_time (&repeats->segment, GST_FORMAT_TIME,
                                              GST_BUFFER_PTS (buffer));
  if (repeats->repeater == NULL || !GST_CLOCK_TIME_IS_VALID (running_time))
    return GST_PAD_PROBE_OK;
  frame = frame_at (repeats, running_time);
  repeats->shift = GST_BUFFER_PTS (buffer)
                   - gst_util_uint64_scale (frame, GST_SECOND, repeats->fps);
  repeats->shifted = TRUE;
  /* The repeats first: they come before it, and take their frame numbers first. */
  list = gst_buffer_list_new ();
  add_repeats (repeats, list, frame);
  if (gst_buffer_map (buffer, &map, GST_MAP_READ))
    {
      renumbered = rh_h264_repeater_renumber (repeats->repeater, map.data, map.size, &error);
      gst_buffer_unmap (buffer, &map);
    }
  if (renumbered == NULL)
    {
      GST_ELEMENT_ERROR (GST_PAD_PARENT (pad), STREAM, ENCODE, (NULL),
                         ("%s", error != NULL ? error->message : "unreadable buffer"));
      gst_buffer_list_unref (list);
      return GST_PAD_PROBE_DROP;
    }
  {
    GstBuffer *own = gst_buffer_new_wrapped_bytes (renumbered);

    gst_buffer_copy_into (own, buffer, GST_BUFFER_COPY_METADATA, 0, -1);
    gst_buffer_list_add (list, own);
  }
  repeats->next_out = frame + 1;
  gst_buffer_unref (buffer);
  GST_PAD_PROBE_INFO_FLOW_RETURN (info) = gst_pad_push_list (pad, list);
  return GST_PAD_PROBE_HANDLED;
}

static gboolean
bus_cb (GstBus *bus, GstMessage *message, gpointer user_data)
{
  RhRecorder *self = user_data;

  if (GST_MESSAGE_TYPE (message) == GST_MESSAGE_ERROR && self->error == NULL)
    {
      g_autoptr (GError) error = NULL;

      gst_message_parse_error (message, &error, NULL);
      self->error = g_error_new (RH_ERROR, RH_ERROR_PAGE_FAILED, "recording to %s: %s",
                                 self->path, error->message);
      g_warning ("%s", self->error->message);
      /* The pipeline has stopped: frames would only pile up in its queue. */
      g_clear_handle_id (&self->tick_id, g_source_remove);
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
  G_OBJECT_CLASS (rh_recorder_parent_class)->finalize (object);
}

static void
rh_recorder_class_init (RhRecorderClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_recorder_dispose;
  object_class->finalize = rh_recorder_finalize;
}

static void
rh_recorder_init (RhRecorder *self)
{
}

RhRecorder *
rh_recorder_new (const char *path, guint width, guint height, guint fps, guint bitrate_kbps,
                 GError **error)
{
  g_autofree char *description = NULL;
  g_autoptr (GError) parse_error = NULL;
  g_autoptr (RhRecorder) self = NULL;
  g_autoptr (GstCaps) caps = NULL;
  g_autoptr (GstBus) bus = NULL;
  GstElement *pipeline;

  if (!gst_init_once (error))
    return NULL;
  description = pipeline_description (path, fps, bitrate_kbps, error);
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

  set_output (pipeline, path);
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
  {
    g_autoptr (GstElement) encoder = gst_bin_get_by_name (GST_BIN (pipeline), "encoder");
    g_autoptr (GstPad) encoder_in = gst_element_get_static_pad (encoder, "sink");

    self->encoder_pad = gst_element_get_static_pad (encoder, "src");
    self->repeats = g_new0 (Repeats, 1);
    self->repeats->fps = fps;
    gst_segment_init (&self->repeats->segment, GST_FORMAT_TIME);
    /* The output's probe owns them: the pads live as long as each other. */
    gst_pad_add_probe (self->encoder_pad,
                       GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                       encoder_out_cb, self->repeats, repeats_free);
    gst_pad_add_probe (encoder_in,
                       GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                       encoder_in_cb, self->repeats, NULL);
  }
  self->latest = g_malloc ((gsize) width * height * 4);
  /* Before the first frame: white, as an unpainted page. */
  memset (self->latest, 0xff, (gsize) width * height * 4);
  bus = gst_element_get_bus (pipeline);
  gst_bus_add_watch (bus, bus_cb, self);
  return g_steal_pointer (&self);
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
 * others are repeats, which the stream makes at once (encoder_in_cb), so
 * that the file's fragments are complete as the clock goes. */
static void
push_frame (RhRecorder *self)
{
  guint64 frame = self->frames_pushed++;
  GstStructure *repeat;

  if (self->converted == NULL || !self->latest_converted || frame >= self->next_key_frame
      || !g_atomic_int_get (&self->repeats->ready))
    {
      encode_frame (self, frame);
      return;
    }
  repeat = gst_structure_new (REPEAT_EVENT, "until", G_TYPE_UINT64, frame + 1, NULL);
  gst_element_send_event (GST_ELEMENT (self->source),
                          gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, repeat));
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

/* ---- state changes, off the main loop: opening files, joining threads ---- */

typedef struct
{
  GstElement *pipeline;
  GstState state;
} StateChange;

static void
state_change_free (gpointer data)
{
  StateChange *change = data;

  gst_object_unref (change->pipeline);
  g_free (change);
}

static void
change_state_in_thread (GTask *task, gpointer source_object, gpointer task_data,
                        GCancellable *cancellable)
{
  StateChange *change = task_data;
  g_autoptr (GstBus) bus = NULL;
  g_autoptr (GstMessage) message = NULL;
  g_autoptr (GError) error = NULL;

  if (gst_element_set_state (change->pipeline, change->state) != GST_STATE_CHANGE_FAILURE)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  /* The element that failed said why on the bus, before the watch saw it. */
  bus = gst_element_get_bus (change->pipeline);
  message = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);
  if (message != NULL)
    gst_message_parse_error (message, &error, NULL);
  gst_element_set_state (change->pipeline, GST_STATE_NULL);
  g_task_return_new_error (task, RH_ERROR, RH_ERROR_PAGE_FAILED, "%s",
                           error != NULL ? error->message : "the pipeline refused to start");
}

/* The task holds the pipeline, not the recorder (its callback's data, which
 * the main thread drops): a worker thread never disposes of a recorder. */
static void
change_state_async (RhRecorder *self, GstState state, GAsyncReadyCallback callback)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, callback, g_object_ref (self));
  StateChange *change = g_new0 (StateChange, 1);

  change->pipeline = gst_object_ref (self->pipeline);
  change->state = state;
  g_task_set_task_data (task, change, state_change_free);
  g_task_run_in_thread (task, change_state_in_thread);
}

static void begin_close (RhRecorder *self);

static void
started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhRecorder) self = user_data;
  g_autoptr (GTask) task = g_steal_pointer (&self->start_task);
  g_autoptr (GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
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

/* The recording's clock starts now: frames are due from now on, and those
 * due while the pipeline starts are taken once it has. */
void
rh_recorder_start_async (RhRecorder *recorder, GAsyncReadyCallback callback, gpointer user_data)
{
  RhRecorder *self = recorder;
  g_autoptr (GTask) task = g_task_new (self, NULL, callback, user_data);

  g_task_set_source_tag (task, rh_recorder_start_async);
  if (self->state != STATE_NEW)
    {
      g_task_return_new_error (task, RH_ERROR, RH_ERROR_PAGE_FAILED,
                               "recording to %s: already started", self->path);
      return;
    }
  self->state = STATE_STARTING;
  self->start_us = g_get_monotonic_time ();
  open_count++;
  self->start_task = g_steal_pointer (&task);
  change_state_async (self, GST_STATE_PLAYING, started_cb);
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
  change_state_async (self, GST_STATE_NULL, stopped_cb);
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
