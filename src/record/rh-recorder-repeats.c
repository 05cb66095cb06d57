#include "rh-recorder-repeats.h"

#include "rh-h264.h"

#define RH_RECORDER_REPEAT_EVENT "recordhost-repeat"

/* The encoder's input and output, on their streaming thread: the encoder
 * is synchronous (no look-ahead, one thread), so once a frame is in, it is
 * out, and repeated pictures go into its output there, in order. */
struct _RhRecorderRepeats
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
};

static void
repeats_free (gpointer data)
{
  RhRecorderRepeats *repeats = data;

  g_clear_pointer (&repeats->repeater, rh_h264_repeater_free);
  g_free (repeats);
}

static guint64
frame_at (RhRecorderRepeats *repeats, GstClockTime running_time)
{
  return gst_util_uint64_scale_round (running_time, repeats->fps, GST_SECOND);
}

/* Repeats of the last picture out, up to frame @until (excluded). */
static void
add_repeats (RhRecorderRepeats *repeats, GstBufferList *list, guint64 until)
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
push_repeats (RhRecorderRepeats *repeats, GstPad *pad, guint64 until)
{
  GstBufferList *list;

  if (repeats->next_out >= until)
    return GST_FLOW_OK;
  list = gst_buffer_list_new ();
  add_repeats (repeats, list, until);
  return gst_pad_push_list (pad, list);
}

static void
set_up_repeats (RhRecorderRepeats *repeats, GstCaps *caps)
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
  RhRecorderRepeats *repeats = user_data;
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
      || !gst_structure_has_name (structure, RH_RECORDER_REPEAT_EVENT))
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
  RhRecorderRepeats *repeats = user_data;
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

/* Watches @encoder's input and output, which own what is returned: the
 * pads live as long as each other. */
RhRecorderRepeats *
rh_recorder_repeats_attach (GstElement *encoder, guint fps)
{
  g_autoptr (GstPad) encoder_in = gst_element_get_static_pad (encoder, "sink");
  g_autoptr (GstPad) encoder_out = gst_element_get_static_pad (encoder, "src");
  RhRecorderRepeats *repeats = g_new0 (RhRecorderRepeats, 1);

  repeats->fps = fps;
  gst_segment_init (&repeats->segment, GST_FORMAT_TIME);
  gst_pad_add_probe (encoder_out, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     encoder_out_cb, repeats, repeats_free);
  gst_pad_add_probe (encoder_in, GST_PAD_PROBE_TYPE_BUFFER | GST_PAD_PROBE_TYPE_EVENT_DOWNSTREAM,
                     encoder_in_cb, repeats, NULL);
  return repeats;
}

/* Whether the stream can repeat a picture: the encoder's output has said
 * how (its codec data). */
gboolean
rh_recorder_repeats_is_ready (RhRecorderRepeats *repeats)
{
  return g_atomic_int_get (&repeats->ready);
}

/* The word, sent downstream from the source, that the frames before @until
 * are repeats of the last one encoded. */
GstEvent *
rh_recorder_repeats_event_new (guint64 until)
{
  GstStructure *repeat = gst_structure_new (RH_RECORDER_REPEAT_EVENT, "until", G_TYPE_UINT64,
                                            until, NULL);

  return gst_event_new_custom (GST_EVENT_CUSTOM_DOWNSTREAM, repeat);
}
