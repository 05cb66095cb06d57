#include "media-probe.h"

#include <string.h>

#include <gst/app/gstappsink.h>
#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>

#include "rh-frame.h"

/* Decoded frames as BGRA, the first one after at most 10 s. */
static GstElement *
decode_pipeline (const char *path, GstElement **sink)
{
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autofree char *description = g_strdup_printf (
    "uridecodebin uri=\"%s\" ! videoconvert ! video/x-raw,format=BGRA ! appsink name=sink "
    "sync=false",
    uri);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);

  g_assert_no_error (error);
  *sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  return pipeline;
}

static void
decode_pipeline_free (GstElement *pipeline, GstElement *sink)
{
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
}

/* Whether a decoded frame is one colour. */
static gboolean
sample_is_blank (GstSample *sample, guint threshold)
{
  GstBuffer *buffer = gst_sample_get_buffer (sample);
  GstMapInfo map;
  GstVideoInfo info;
  RhFrame frame = { 0 };
  g_autofree guint8 *coarse = NULL;
  gboolean blank;

  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
  g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
  /* H.264 turns pure white into 254 or 255 here and there: compare coarsely. */
  coarse = g_malloc (map.size);
  for (gsize i = 0; i < map.size; i++)
    coarse[i] = map.data[i] & 0xf0;
  frame.data = coarse;
  frame.stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  frame.width = GST_VIDEO_INFO_WIDTH (&info);
  frame.height = GST_VIDEO_INFO_HEIGHT (&info);
  blank = rh_frame_is_blank (&frame, threshold);
  gst_buffer_unmap (buffer, &map);
  return blank;
}

/* Decodes the file's first frame and says whether it is blank, @threshold
 * percent of it near its dominant colour (--blank-threshold; 100: one
 * colour). */
gboolean
media_probe_first_frame_blank (const char *path, guint threshold)
{
  GstElement *sink;
  GstElement *pipeline = decode_pipeline (path, &sink);
  GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
  gboolean blank;

  g_assert_nonnull (sample);
  blank = sample_is_blank (sample, threshold);
  gst_sample_unref (sample);
  decode_pipeline_free (pipeline, sink);
  return blank;
}

/* The file's duration by GStreamer's discoverer, -1 when it cannot tell.
 * The discoverer gives up after its timeout: on a machine loaded with other
 * tests' web processes 10 s was seen to pass, so it gets a minute. */
gboolean
media_probe_has_fragment (const char *path)
{
  g_autofree char *contents = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &contents, &length, NULL))
    return FALSE;
  /* The file holds NULs: no string search. */
  for (gsize i = 0; i + 4 <= length; i++)
    if (memcmp (contents + i, "moof", 4) == 0)
      return TRUE;
  return FALSE;
}

gint64
media_probe_duration_ms (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscoverer) discoverer = gst_discoverer_new (60 * GST_SECOND, &error);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr (GstDiscovererInfo) info = NULL;

  if (discoverer == NULL || uri == NULL)
    return -1;
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  if (info == NULL || gst_discoverer_info_get_result (info) != GST_DISCOVERER_OK)
    {
      g_test_message ("discoverer on %s: result %d, %s", path,
                      info != NULL ? (int) gst_discoverer_info_get_result (info) : -1,
                      error != NULL ? error->message : "no error");
      return -1;
    }
  return (gint64) (gst_discoverer_info_get_duration (info) / GST_MSECOND);
}

void
media_probe_decode (const char *path, MediaProbeFrames *out)
{
  GstElement *sink;
  GstElement *pipeline = decode_pipeline (path, &sink);
  g_autoptr (GstBus) bus = gst_element_get_bus (pipeline);
  GstSample *last = NULL;
  gint64 progress_us = g_get_monotonic_time ();

  *out = (MediaProbeFrames) { 0, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE, GST_CLOCK_TIME_NONE,
                              0, FALSE };
  /* To the end of the stream or the first error: a cut file ends somewhere. */
  while (g_get_monotonic_time () - progress_us < 10 * G_USEC_PER_SEC)
    {
      GstSample *sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 100 * GST_MSECOND);
      GstClockTime pts;

      if (sample == NULL)
        {
          g_autoptr (GstMessage) failed = gst_bus_pop_filtered (bus, GST_MESSAGE_ERROR);

          if (failed != NULL || gst_app_sink_is_eos (GST_APP_SINK (sink)))
            break;
          continue;
        }
      progress_us = g_get_monotonic_time ();
      pts = GST_BUFFER_PTS (gst_sample_get_buffer (sample));
      g_assert_true (GST_CLOCK_TIME_IS_VALID (pts));
      if (out->frames == 0)
        out->first_pts = pts;
      else
        {
          GstClockTime step = pts > out->last_pts ? pts - out->last_pts : 0;

          out->shortest_step = MIN (out->shortest_step, step);
          out->longest_step = MAX (out->longest_step, step);
        }
      out->last_pts = pts;
      out->frames++;
      if (last != NULL)
        gst_sample_unref (last);
      last = sample;
    }
  if (last != NULL)
    {
      out->last_blank = sample_is_blank (last, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
      gst_sample_unref (last);
    }
  decode_pipeline_free (pipeline, sink);
}

GstClockTime
media_probe_covered (const MediaProbeFrames *frames, guint fps)
{
  if (frames->frames == 0)
    return 0;
  return frames->last_pts + GST_SECOND / fps - frames->first_pts;
}

GArray *
media_probe_dark_columns (const char *path)
{
  GstElement *sink;
  GstElement *pipeline = decode_pipeline (path, &sink);
  GArray *columns = g_array_new (FALSE, FALSE, sizeof (int));
  GstSample *sample;

  while ((sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND)) != NULL)
    {
      GstBuffer *buffer = gst_sample_get_buffer (sample);
      GstVideoInfo info;
      GstMapInfo map;
      const guint8 *row;
      int column = -1;

      g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
      g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
      row = map.data + GST_VIDEO_INFO_PLANE_STRIDE (&info, 0) * (GST_VIDEO_INFO_HEIGHT (&info) / 2);
      for (int x = 0; x < GST_VIDEO_INFO_WIDTH (&info) && column < 0; x++)
        if (row[x * 4] < 0x40 && row[x * 4 + 1] < 0x40 && row[x * 4 + 2] < 0x40)
          column = x;
      g_array_append_val (columns, column);
      gst_buffer_unmap (buffer, &map);
      gst_sample_unref (sample);
    }
  decode_pipeline_free (pipeline, sink);
  return columns;
}
