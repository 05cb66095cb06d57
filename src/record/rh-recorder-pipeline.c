#include "rh-recorder-pipeline.h"

#include <string.h>

#include "rh-error.h"

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

/* appsrc (I420) ! x264enc ! h264parse ! (mp4mux ! fdsink | hlssink2)
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
 * plays to its last fragment.  The MP4 goes to a descriptor the recorder
 * opens (rh_fs_open_output ()), not to a path of the sink's: no link is
 * followed and no FIFO holds the start. */
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
                            "fdsink name=sink",
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

/* The playlist and its segments DIR/NAME-00000.ts, ...; an MP4's
 * descriptor is given at the start. */
static void
set_output (GstElement *pipeline, const char *path)
{
  g_autoptr (GstElement) sink = gst_bin_get_by_name (GST_BIN (pipeline), "sink");

  if (g_str_has_suffix (path, ".mp4"))
    return;
  {
    g_autofree char *stem = g_strndup (path, strlen (path) - strlen (".m3u8"));
    g_auto (GStrv) parts = g_strsplit (stem, "%", -1);
    g_autofree char *literal = g_strjoinv ("%%", parts); /* the location is a format */
    g_autofree char *segments = g_strconcat (literal, "-%05d.ts", NULL);

    g_object_set (sink, "playlist-location", path, "location", segments, NULL);
  }
}

GstElement *
rh_recorder_pipeline_new (const char *path, guint fps, guint bitrate_kbps, GError **error)
{
  g_autofree char *description = NULL;
  g_autoptr (GError) parse_error = NULL;
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
  return pipeline;
}

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

/* Off the main loop: opening files, joining threads.  The task holds the
 * pipeline, not the caller's @user_data (a recorder, which the main thread
 * drops): a worker thread never disposes of a recorder. */
void
rh_recorder_pipeline_set_state_async (GstElement *pipeline, GstState state,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, NULL, callback, user_data);
  StateChange *change = g_new0 (StateChange, 1);

  change->pipeline = gst_object_ref (pipeline);
  change->state = state;
  g_task_set_task_data (task, change, state_change_free);
  g_task_run_in_thread (task, change_state_in_thread);
}

gboolean
rh_recorder_pipeline_set_state_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
