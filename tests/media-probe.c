#include "media-probe.h"

#include <gst/app/gstappsink.h>
#include <gst/pbutils/pbutils.h>
#include <gst/video/video.h>

#include "rh-frame.h"

/* Decodes the file's first frame and says whether it is one colour. */
gboolean
media_probe_first_frame_blank (const char *path)
{
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autofree char *description = g_strdup_printf (
    "uridecodebin uri=\"%s\" ! videoconvert ! video/x-raw,format=BGRA ! appsink name=sink "
    "sync=false",
    uri);
  g_autoptr (GError) error = NULL;
  GstElement *pipeline = gst_parse_launch (description, &error);
  GstElement *sink;
  GstSample *sample;
  GstBuffer *buffer;
  GstMapInfo map;
  GstVideoInfo info;
  RhFrame frame = { 0 };
  gboolean blank;

  g_assert_no_error (error);
  sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");
  gst_element_set_state (pipeline, GST_STATE_PLAYING);
  sample = gst_app_sink_try_pull_sample (GST_APP_SINK (sink), 10 * GST_SECOND);
  g_assert_nonnull (sample);
  g_assert_true (gst_video_info_from_caps (&info, gst_sample_get_caps (sample)));
  buffer = gst_sample_get_buffer (sample);
  g_assert_true (gst_buffer_map (buffer, &map, GST_MAP_READ));
  /* H.264 turns pure white into 254 or 255 here and there: compare coarsely. */
  for (gsize i = 0; i < map.size; i++)
    map.data[i] &= 0xf0;
  frame.data = map.data;
  frame.stride = GST_VIDEO_INFO_PLANE_STRIDE (&info, 0);
  frame.width = GST_VIDEO_INFO_WIDTH (&info);
  frame.height = GST_VIDEO_INFO_HEIGHT (&info);
  blank = rh_frame_is_blank (&frame);
  gst_buffer_unmap (buffer, &map);
  gst_sample_unref (sample);
  gst_element_set_state (pipeline, GST_STATE_NULL);
  gst_object_unref (sink);
  gst_object_unref (pipeline);
  return blank;
}


/* The file's duration by GStreamer's discoverer, -1 when it cannot tell. */
gint64
media_probe_duration_ms (const char *path)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GstDiscoverer) discoverer = gst_discoverer_new (10 * GST_SECOND, &error);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr (GstDiscovererInfo) info = NULL;

  if (discoverer == NULL || uri == NULL)
    return -1;
  info = gst_discoverer_discover_uri (discoverer, uri, &error);
  if (info == NULL || gst_discoverer_info_get_result (info) != GST_DISCOVERER_OK)
    return -1;
  return (gint64) (gst_discoverer_info_get_duration (info) / GST_MSECOND);
}
