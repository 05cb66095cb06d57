/* `recordhost run` end to end: the real view and SDK stand-in, a loopback
 * cloud, the recording lifecycle with short timeouts. */
#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-cloud.h"
#include "media-probe.h"
#include "rh-error.h"
#include "rh-run.h"
#include "test-utils.h"

/* The retry timeout of a test that expects every load to get ready: no
 * machine is that slow, and it costs nothing when the page gets ready. */
#define READY_WINDOW_S 60
/* The retry timeout of a test where some load times out on purpose while
 * others must get ready (or make their ready call) in time: each timed-out
 * load costs this much, so it is shorter, but still several times what a
 * cold first load takes under the sanitizers on a loaded machine. */
#define RETRY_WINDOW_S 10
/* Bound on any wait for an event of a run. */
#define EVENT_TIMEOUT_S 120

typedef struct
{
  FakeCloud *cloud;
  RhRunOptions *options;
  RhRun *run;
  RhReadyEndpoint *endpoint;
  JsonObject *report;
  GError *error;
  char *state_log;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  RhPageOptions *page;

  fixture->cloud = fake_cloud_new ();
  fixture->options = rh_run_options_new ();
  page = fixture->options->page;
  rh_page_options_set_engine (page, rh_test_engine ());
  page->room = rh_room_new ();
  page->room->app_id = g_strdup ("app-1");
  page->room->room_uuid = g_strdup ("room-1");
  page->room->room_type = 4;
  page->room->user_uuid = g_strdup ("rec-1");
  page->page = fake_cloud_page_url (fixture->cloud, "record_page.html");
  page->api_base = g_strdup (fixture->cloud->base_url);
  page->echo = g_test_verbose ();
  g_assert_true (rh_room_add_param (page->room, "sdkReadyMs=200", NULL));
  fixture->options->retry_timeout_s = READY_WINDOW_S;
  fixture->options->duration_s = 1;

  fixture->state_log = g_build_filename (rh_test_tmpdir (), "state.jsonl", NULL);
  fixture->options->state_log = g_strdup (fixture->state_log);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  rh_run_options_free (fixture->options);
  g_clear_object (&fixture->run);
  g_clear_pointer (&fixture->endpoint, rh_ready_endpoint_close);
  g_clear_pointer (&fixture->report, json_object_unref);
  g_clear_error (&fixture->error);
  fake_cloud_free (fixture->cloud);
  g_free (fixture->state_log);
}

static void
param (Fixture *fixture, const char *key_value)
{
  g_assert_true (rh_room_add_param (fixture->options->page->room, key_value, NULL));
}

typedef void (*StepFunc) (Fixture *fixture);

/* Something to do during a run once its timeline has @count events of @type. */
typedef struct
{
  const char *type;
  guint count;
  StepFunc func;
} Step;

typedef struct
{
  Fixture *fixture;
  GAsyncResult *result;
  const Step *step; /* the next one to take; NULL or type NULL: none left */
} Progress;

static gboolean
finished_or_step_due (gpointer user_data)
{
  Progress *progress = user_data;

  return progress->result != NULL
         || (progress->step != NULL && progress->step->type != NULL
             && rh_timeline_count (rh_run_get_timeline (progress->fixture->run),
                                   progress->step->type)
                  >= progress->step->count);
}

static void
progress_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((Progress *) user_data)->result = g_object_ref (result);
}

/* Runs to the end, taking @steps (ended by one with type NULL) in order as
 * their events happen; a run that neither ends nor reaches its next step
 * within EVENT_TIMEOUT_S fails the test. */
static gboolean
run_with (Fixture *fixture, const Step *steps)
{
  Progress progress = { fixture, NULL, steps };
  g_autoptr (JsonNode) report = NULL;

  fixture->run = rh_test_run_new (g_steal_pointer (&fixture->options), &fixture->endpoint,
                                  &fixture->error);
  g_assert_no_error (fixture->error);
  rh_run_start_async (fixture->run, progress_done_cb, &progress);
  while (progress.result == NULL)
    {
      if (!rh_test_wait_until (finished_or_step_due, &progress, EVENT_TIMEOUT_S))
        g_error ("the run neither ended nor logged the next step's event within %d s",
                 EVENT_TIMEOUT_S);
      if (progress.result == NULL)
        (progress.step++)->func (fixture);
    }
  rh_run_start_finish (fixture->run, progress.result, &fixture->error);
  g_object_unref (progress.result);
  report = rh_run_to_json (fixture->run);
  fixture->report = json_object_ref (json_node_get_object (report));
  return fixture->error == NULL;
}

static gboolean
run (Fixture *fixture)
{
  return run_with (fixture, NULL);
}

/* The time of the @nth (from 1) event of @type in the report, in ms; -1: none. */
static gint64
event_ms (Fixture *fixture, const char *type, guint nth)
{
  JsonArray *events = json_object_get_array_member (fixture->report, "events");

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_str_equal (json_object_get_string_member (event, "type"), type) && --nth == 0)
        return json_object_get_int_member (event, "ms");
    }
  return -1;
}

static char *
reasons (Fixture *fixture)
{
  JsonArray *events = json_object_get_array_member (fixture->report, "state_events");
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *data = json_object_get_object_member (json_array_get_object_element (events, i),
                                                        "data");

      g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                              json_object_get_int_member (data, "reason"));
    }
  return g_string_free (out, FALSE);
}

/* The state log holds the same events, one a line, in order. */
static void
assert_state_log_matches (Fixture *fixture)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  JsonArray *events = json_object_get_array_member (fixture->report, "state_events");
  guint n;

  g_assert_true (g_file_get_contents (fixture->state_log, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  lines = g_strsplit (contents, "\n", -1);
  n = g_strv_length (lines) - 1;
  g_assert_cmpuint (n, ==, json_array_get_length (events));
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (JsonNode) line = rh_test_parse_json (lines[i]);
      g_autofree char *expected = json_to_string (json_array_get_element (events, i), FALSE);
      g_autofree char *got = json_to_string (line, FALSE);

      g_assert_cmpstr (got, ==, expected);
    }
}

static void
test_normal (Fixture *fixture, gconstpointer data)
{
  g_autofree char *got = NULL;

  g_assert_true (run (fixture));
  got = reasons (fixture);
  g_assert_cmpstr (got, ==, "1,2");
  g_assert_cmpint (json_object_get_int_member (fixture->report, "loads"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (fixture->report, "result"), ==, "stopped");
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 1);
  assert_state_log_matches (fixture);
  /* The last load's resources and the engine, as in check. */
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fixture->report,
                                                                         "resources")),
                    >=, 3);
  g_assert_nonnull (json_object_get_object_member (fixture->report, "engine"));
}

static void
test_ready_on_second_load (Fixture *fixture, gconstpointer data)
{
  g_autofree char *got = NULL;

  param (fixture, "sdkReadyOnLoad=2");
  /* The first load times out on purpose; the second must get ready. */
  fixture->options->retry_timeout_s = RETRY_WINDOW_S;
  g_assert_true (run (fixture));
  got = reasons (fixture);
  g_assert_cmpstr (got, ==, "4,3,2");
  g_assert_cmpint (json_object_get_int_member (fixture->report, "loads"), ==, 2);
  assert_state_log_matches (fixture);
}

static void
test_never_ready (Fixture *fixture, gconstpointer data)
{
  g_autofree char *got = NULL;

  /* Never ready, however fast or slow the loads: a short window will do. */
  param (fixture, "sdkReady=never");
  fixture->options->retry_timeout_s = 1;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  got = reasons (fixture);
  g_assert_cmpstr (got, ==, "4,4,5");
  g_assert_cmpint (json_object_get_int_member (fixture->report, "loads"), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (fixture->report, "result"), ==, "abandoned");
  g_assert_cmpint (json_object_get_int_member (fixture->report, "exit_status"), ==, 1);
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 0);
  assert_state_log_matches (fixture);
}

static void
test_ready_call_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *got = NULL;

  /* A 4xx is an answer, not an acknowledgement: each load's call is refused,
   * and each load times out.  Every load must get as far as its call. */
  fake_cloud_reply (fixture->cloud, 403, "{\"msg\":\"forbidden\",\"code\":403}");
  fixture->options->retry_timeout_s = RETRY_WINDOW_S;
  g_assert_false (run (fixture));
  got = reasons (fixture);
  g_assert_cmpstr (got, ==, "4,4,5");
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 3);
}

static void
test_cloud_500_twice (Fixture *fixture, gconstpointer data)
{
  g_autofree char *got = NULL;

  fake_cloud_reply (fixture->cloud, 500, "");
  fake_cloud_reply (fixture->cloud, 500, "");
  fake_cloud_reply (fixture->cloud, 200, NULL);
  g_assert_true (run (fixture));
  got = reasons (fixture);
  g_assert_cmpstr (got, ==, "1,2");
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 3);
}

/* Kills every web process this test process started. */
static void
kill_web_processes (Fixture *fixture)
{
  g_autoptr (GArray) pids = rh_test_web_processes (getpid ());

  for (guint i = 0; i < pids->len; i++)
    kill (g_array_index (pids, GPid, i), SIGKILL);
  g_assert_cmpuint (pids->len, >=, 1);
}

static void
stop (Fixture *fixture)
{
  rh_run_stop (fixture->run);
}

static void
test_web_process_killed (Fixture *fixture, gconstpointer data)
{
  /* Killed once recording, stopped once the reloaded page is ready again. */
  static const Step steps[] = {
    { "recording-state", 1, kill_web_processes },
    { "ready-ack", 2, stop },
    { NULL },
  };
  g_autofree char *got = NULL;
  g_autofree char *file = g_build_filename (rh_test_tmpdir (), "crash.mp4", NULL);
  RhTimeline *timeline;
  gint64 file_ms, started_ms;

  fixture->options->duration_s = 0;
  fixture->options->record = g_strdup (file);
  g_assert_true (run_with (fixture, steps));
  /* The recording went on through the crash and the reload, and still
   * decodes: frames come at a constant rate by the clock, so it covers the
   * time from its start to the reloaded page's launch at least, and no more
   * than until it was written (give or take a frame and the first one's push). */
  g_assert_cmpuint (rh_timeline_count (rh_run_get_timeline (fixture->run), "recording-failed"),
                    ==, 0);
  file_ms = media_probe_duration_ms (file);
  started_ms = event_ms (fixture, "recording-file", 1);
  g_test_message ("recording: %" G_GINT64_FORMAT " ms in the file, started at %" G_GINT64_FORMAT
                  " ms, reloaded page launched at %" G_GINT64_FORMAT " ms, written at %"
                  G_GINT64_FORMAT " ms",
                  file_ms, started_ms, event_ms (fixture, "launch", 2),
                  event_ms (fixture, "recording-file", 2));
  g_assert_cmpint (started_ms, >=, 0);
  g_assert_cmpint (started_ms, <, event_ms (fixture, "web-process-terminated", 1));
  g_assert_cmpint (file_ms, >=, event_ms (fixture, "launch", 2) - started_ms);
  g_assert_cmpint (file_ms, <=, event_ms (fixture, "recording-file", 2) - started_ms + 200);
  got = reasons (fixture);
  g_assert_cmpstr (got, ==, "1,2");
  g_assert_cmpint (json_object_get_int_member (fixture->report, "crashes"), ==, 1);
  timeline = rh_run_get_timeline (fixture->run);
  g_assert_cmpuint (rh_timeline_count (timeline, "web-process-terminated"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (timeline, "reload"), ==, 1);
  /* The reloaded page got ready again and made its ready call. */
  g_assert_cmpuint (rh_timeline_count (timeline, "ready-ack"), ==, 2);
}

static void
release (Fixture *fixture)
{
  g_assert_true (rh_run_release (fixture->run));
}

static void
test_on_hold_released (Fixture *fixture, gconstpointer data)
{
  static const Step steps[] = { { "recording-state", 1, release }, { NULL } };
  g_autofree char *got = NULL;
  RhTimeline *timeline;
  JsonObject *first;

  fixture->options->on_hold = TRUE;
  g_assert_true (run_with (fixture, steps));
  got = reasons (fixture);
  g_assert_cmpstr (got, ==, "1,2");
  first = json_object_get_object_member (
    json_array_get_object_element (json_object_get_array_member (fixture->report,
                                                                 "state_events"),
                                   0),
    "data");
  g_assert_true (json_object_get_boolean_member (first, "onHold"));
  timeline = rh_run_get_timeline (fixture->run);
  g_assert_cmpuint (rh_timeline_count (timeline, "hold"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (timeline, "release"), ==, 1);
}

static void
test_stop_before_ready (Fixture *fixture, gconstpointer data)
{
  /* Stopped while the launched page waits for ready. */
  static const Step steps[] = { { "launch", 1, stop }, { NULL } };
  g_autofree char *got = NULL;

  param (fixture, "sdkReady=never");
  g_assert_true (run_with (fixture, steps));
  got = reasons (fixture);
  g_assert_cmpstr (got, ==, "2");
  g_assert_cmpint (json_object_get_int_member (fixture->report, "loads"), ==, 1);
  assert_state_log_matches (fixture);
}

static void
test_state_log_unwritable (Fixture *fixture, gconstpointer data)
{
  g_free (fixture->options->state_log);
  fixture->options->state_log = g_strdup ("/nonexistent-dir/state.jsonl");
  fixture->run = rh_test_run_new (g_steal_pointer (&fixture->options), &fixture->endpoint,
                                  &fixture->error);
  g_assert_null (fixture->run);
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (fixture->error->message, "--state-log"));
}

static void
test_record_white_head (Fixture *fixture, gconstpointer data)
{
  g_autofree char *file = g_build_filename (rh_test_tmpdir (), "white.mp4", NULL);
  gint64 painted_ms;

  /* Ready 200 ms after launch, painted 10 s after: a recording from ready
   * starts white. */
  param (fixture, "sdkPaintMs=10000");
  fixture->options->duration_s = 1;
  fixture->options->record = g_strdup (file);
  g_assert_true (run (fixture));
  g_assert_cmpuint (rh_timeline_count (rh_run_get_timeline (fixture->run), "recording-file"), ==,
                    2);
  /* The page was still blank when the recording started. */
  painted_ms = event_ms (fixture, "first-nonblank-frame", 1);
  g_assert_true (painted_ms < 0 || painted_ms > event_ms (fixture, "recording-file", 1));
  g_assert_true (media_probe_first_frame_blank (file, RH_FRAME_BLANK_THRESHOLD_DEFAULT));
}

/* What is put at the recording's path once the run has checked it, before
 * the recording starts. */
typedef struct
{
  const char *name;
  const char *kind;    /* "fifo" or "link" */
  const char *message; /* the cause the run fails with */
} PlantedRow;

static const PlantedRow planted_rows[] = {
  { "fifo", "fifo", "not a regular file" },
  { "link", "link", "a symbolic link (not followed)" },
};

static const PlantedRow *planted_row;
static char *planted_path;

static void
plant (Fixture *fixture)
{
  g_autofree char *elsewhere = g_build_filename (rh_test_tmpdir (), "elsewhere.mp4", NULL);

  if (g_str_equal (planted_row->kind, "fifo"))
    g_assert_cmpint (mkfifo (planted_path, 0600), ==, 0);
  else
    g_assert_cmpint (symlink (elsewhere, planted_path), ==, 0);
}

/* The recording cannot start: the run ends at once, failed, saying why;
 * a FIFO with no reader does not hold it, a link is not followed. */
static void
test_record_planted (Fixture *fixture, gconstpointer data)
{
  const Step steps[] = { { "start", 1, plant }, { NULL } };
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "class.mp4", NULL);
  g_autofree char *elsewhere = g_build_filename (rh_test_tmpdir (), "elsewhere.mp4", NULL);
  planted_row = data;
  planted_path = path;
  /* Far longer than the run may take once the recording fails. */
  fixture->options->duration_s = 3600;
  fixture->options->record = g_strdup (path);
  g_assert_false (run_with (fixture, steps));
  planted_path = NULL;
  g_assert_nonnull (strstr (fixture->error->message, planted_row->message));
  g_assert_nonnull (strstr (fixture->error->message, path));
  g_assert_cmpstr (json_object_get_string_member (fixture->report, "result"), ==, "failed");
  g_assert_cmpuint (rh_timeline_count (rh_run_get_timeline (fixture->run), "recording-failed"),
                    ==, 1);
  g_assert_false (g_file_test (elsewhere, G_FILE_TEST_EXISTS));
}

static void
test_record_on_hold_no_white_head (Fixture *fixture, gconstpointer data)
{
  /* Released once the page has painted, whenever that is. */
  static const Step steps[] = { { "first-nonblank-frame", 1, release }, { NULL } };
  g_autofree char *file = g_build_filename (rh_test_tmpdir (), "hold.mp4", NULL);

  param (fixture, "sdkPaintMs=3000");
  fixture->options->duration_s = 1;
  fixture->options->on_hold = TRUE;
  fixture->options->record = g_strdup (file);
  g_assert_true (run_with (fixture, steps));
  /* Ready (200 ms after launch) came before the paint: the hold covered the white. */
  g_assert_cmpint (event_ms (fixture, "hold", 1), <, event_ms (fixture, "first-nonblank-frame", 1));
  g_assert_false (media_probe_first_frame_blank (file, RH_FRAME_BLANK_THRESHOLD_DEFAULT));
}

static gboolean
time_reached (gpointer user_data)
{
  return g_get_monotonic_time () >= *(gint64 *) user_data;
}

static void
release_a_second_later (Fixture *fixture)
{
  gint64 until = g_get_monotonic_time () + G_USEC_PER_SEC;

  rh_test_wait_until (time_reached, &until, 5);
  release (fixture);
}

static void
no_step (Fixture *fixture)
{
}

/* Held and painted, then still: released a second after both, when no
 * frame comes any more, the recording begins with the page on screen,
 * which the room kept no copy of while held. */
static void
test_record_on_hold_still_page (Fixture *fixture, gconstpointer data)
{
  static const Step steps[] = { { "hold", 1, no_step },
                                { "first-nonblank-frame", 1, release_a_second_later },
                                { NULL } };
  g_autofree char *file = g_build_filename (rh_test_tmpdir (), "still.mp4", NULL);

  param (fixture, "sdkPaintMs=0");
  fixture->options->duration_s = 1;
  fixture->options->on_hold = TRUE;
  fixture->options->record = g_strdup (file);
  g_assert_true (run_with (fixture, steps));
  g_assert_false (media_probe_first_frame_blank (file, RH_FRAME_BLANK_THRESHOLD_DEFAULT));
}

/* ---- the built binary: recordings that outlive a kill or end on a signal ---- */

#define FPS 15
/* Recording before the kill: several fragments and a keyframe or two. */
#define KILL_AFTER_S 8
/* What a kill may take from the end of a file: its last fragment, under way. */
#define MP4_LOSS_S 3
/* An HLS playlist lists a segment once it is closed, a keyframe interval
 * (2 s) after it ends. */
#define HLS_LOSS_S 5

/* `recordhost run` on the bundled page, its stderr (the timeline) in a file. */
static RhTestChild *
child_spawn (const char *const *extra)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  const char *const run[] = { "run", page, "--app-id", "a", "--room-uuid", "r", "--room-type",
                              "4" };

  for (guint i = 0; i < G_N_ELEMENTS (run); i++)
    g_ptr_array_add (args, (gpointer) run[i]);
  for (guint i = 0; extra[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) extra[i]);
  g_ptr_array_add (args, NULL);
  return rh_test_child_spawn ((const char *const *) args->pdata, NULL);
}

static gboolean
nothing (gpointer user_data)
{
  return FALSE;
}

/* Runs the main loop for @seconds. */
static void
wait_seconds (double seconds)
{
  gint64 until = g_get_monotonic_time () + (gint64) (seconds * G_USEC_PER_SEC);

  while (g_get_monotonic_time () < until)
    rh_test_wait_until (nothing, NULL, 1);
}

/* Starts recording to @path, lets it record KILL_AFTER_S, kills it without
 * warning; returns for how long it had been recording. */
static GstClockTime
record_and_kill (const char *path)
{
  const char *extra[] = { "--record", path, NULL };
  g_autoptr (RhTestChild) child = child_spawn (extra);
  gint64 started_us;
  GstClockTime recorded;
  int status;

  rh_test_child_wait_stderr (child, "recording to ", EVENT_TIMEOUT_S);
  started_us = g_get_monotonic_time ();
  wait_seconds (KILL_AFTER_S);
  g_assert_false (rh_test_child_has_exited (child));
  rh_test_child_send_signal (child, SIGKILL);
  recorded = (g_get_monotonic_time () - started_us) * GST_USECOND;
  status = rh_test_child_wait (child, EVENT_TIMEOUT_S);
  g_assert_true (WIFSIGNALED (status));
  return recorded;
}

static void
assert_frames_regular (const MediaProbeFrames *decoded)
{
  g_assert_cmpuint (decoded->frames, >, 0);
  g_assert_cmpuint (decoded->shortest_step, >=, GST_SECOND / FPS - GST_MSECOND);
  g_assert_cmpuint (decoded->longest_step, <=, GST_SECOND / FPS + GST_MSECOND);
}

/* A recorder killed mid-class (the machine's OOM killer, a power cut)
 * leaves a file that plays up to shortly before the kill. */
static void
test_record_killed_mp4 (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "killed.mp4", NULL);
  GstClockTime recorded = record_and_kill (path);
  MediaProbeFrames decoded;

  media_probe_decode (path, &decoded);
  g_test_message ("killed after %" GST_TIME_FORMAT " of recording: %u frames, %" GST_TIME_FORMAT
                  " decoded", GST_TIME_ARGS (recorded), decoded.frames,
                  GST_TIME_ARGS (media_probe_covered (&decoded, FPS)));
  assert_frames_regular (&decoded);
  g_assert_cmpuint (decoded.first_pts, ==, 0);
  g_assert_cmpuint (media_probe_covered (&decoded, FPS) + MP4_LOSS_S * GST_SECOND, >=, recorded);
}

/* The playlist lists whole segments only, each of which plays. */
static void
test_record_killed_hls (void)
{
  g_autofree char *dir = g_build_filename (rh_test_tmpdir (), "killed-hls", NULL);
  g_autofree char *path = g_build_filename (dir, "class.m3u8", NULL);
  g_autofree char *playlist = NULL;
  g_auto (GStrv) lines = NULL;
  GstClockTime recorded, covered = 0;

  g_assert_cmpint (g_mkdir (dir, 0700), ==, 0);
  recorded = record_and_kill (path);
  g_assert_true (g_file_get_contents (path, &playlist, NULL, NULL));
  g_assert_true (g_str_has_prefix (playlist, "#EXTM3U"));
  lines = g_strsplit (playlist, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_suffix (lines[i], ".ts"))
      {
        g_autofree char *segment = g_build_filename (dir, lines[i], NULL);
        MediaProbeFrames decoded;

        media_probe_decode (segment, &decoded);
        assert_frames_regular (&decoded);
        covered += media_probe_covered (&decoded, FPS);
      }
  g_test_message ("killed after %" GST_TIME_FORMAT " of recording: the playlist lists %"
                  GST_TIME_FORMAT, GST_TIME_ARGS (recorded), GST_TIME_ARGS (covered));
  g_assert_cmpuint (covered + HLS_LOSS_S * GST_SECOND, >=, recorded);
}

/* SIGQUIT (the quit key in a terminal) is a normal stop like SIGTERM: the file is
 * finished, with its duration, and the stop is logged with reason 2. */
static void
test_record_sigquit (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "quit.mp4", NULL);
  g_autofree char *log = g_build_filename (rh_test_tmpdir (), "quit.jsonl", NULL);
  const char *extra[] = { "--record", path, "--state-log", log, NULL };
  g_autoptr (RhTestChild) child = child_spawn (extra);
  g_autofree char *events = NULL;
  g_autofree char *err = NULL;
  MediaProbeFrames decoded;
  gint64 file_ms;
  int status;

  rh_test_child_wait_stderr (child, "recording to ", EVENT_TIMEOUT_S);
  wait_seconds (3);
  rh_test_child_send_signal (child, SIGQUIT);
  status = rh_test_child_wait (child, EVENT_TIMEOUT_S);
  err = rh_test_child_get_stderr (child);
  g_test_message ("%s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_true (g_file_get_contents (log, &events, NULL, NULL));
  g_assert_nonnull (strstr (events, "\"reason\":2"));
  g_assert_nonnull (strstr (err, "recording written: "));
  /* Finished: the header knows the duration, and every frame plays. */
  media_probe_decode (path, &decoded);
  assert_frames_regular (&decoded);
  file_ms = media_probe_duration_ms (path);
  g_assert_cmpint (file_ms, >=, 3000);
  g_assert_cmpint (ABS (file_ms - (gint64) (media_probe_covered (&decoded, FPS) / GST_MSECOND)),
                   <=, 1000 / FPS);
}

/* The disk fills (a file size limit) once the page has loaded, before it
 * is ready and the recording starts: the run ends by itself, exit status
 * 1, its last line naming the file and the cause, even under -q. */
static void
test_record_disk_full (void)
{
  g_autoptr (RhTestBeacon) beacon = rh_test_beacon_new ();
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "loaded-then-ready.html",
                                                 NULL);
  g_autofree char *loaded = g_strconcat ("loadedBeacon=", rh_test_beacon_get_url (beacon), NULL);
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "full.mp4", NULL);
  const char *args[] = { "run", page, "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                         "--ready", "console:READY", "--param", loaded, "-q", "--record", path,
                         NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree char *prefix = NULL;
  int status;

  rh_test_beacon_wait (beacon, EVENT_TIMEOUT_S);
  rh_test_child_limit_file_size (child, 1024);
  status = rh_test_child_wait (child, EVENT_TIMEOUT_S);
  err = rh_test_child_get_stderr (child);
  g_test_message ("%s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  prefix = g_strdup_printf ("recordhost run: recording to %s: ", path);
  line = rh_test_last_line_with_prefix (err, "recordhost run: ");
  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, prefix));
  g_assert_nonnull (strstr (line, g_strerror (EFBIG)));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  gst_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/run/normal", test_normal);
  ADD ("/run/ready-on-second-load", test_ready_on_second_load);
  ADD ("/run/never-ready", test_never_ready);
  ADD ("/run/ready-call-refused", test_ready_call_refused);
  ADD ("/run/cloud-500-twice", test_cloud_500_twice);
  ADD ("/run/web-process-killed", test_web_process_killed);
  ADD ("/run/on-hold-released", test_on_hold_released);
  ADD ("/run/stop-before-ready", test_stop_before_ready);
  ADD ("/run/state-log-unwritable", test_state_log_unwritable);
  ADD ("/run/record/white-head", test_record_white_head);
  ADD ("/run/record/on-hold-no-white-head", test_record_on_hold_no_white_head);
  ADD ("/run/record/on-hold-still-page", test_record_on_hold_still_page);
#undef ADD
  for (guint i = 0; i < G_N_ELEMENTS (planted_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/run/record/planted-%s", planted_rows[i].name);

      g_test_add (path, Fixture, &planted_rows[i], fixture_setup, test_record_planted,
                  fixture_teardown);
    }
  g_test_add_func ("/run/binary/record-disk-full", test_record_disk_full);
  g_test_add_func ("/run/binary/killed-keeps-mp4", test_record_killed_mp4);
  g_test_add_func ("/run/binary/killed-keeps-hls", test_record_killed_hls);
  g_test_add_func ("/run/binary/sigquit-finishes-recording", test_record_sigquit);
  return g_test_run ();
}
