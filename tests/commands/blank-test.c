/* Blank as a viewer of the recording sees it, end to end: `check` on pages
 * in tests/pages/ in the real WebKit view, a real libsoup server on loopback
 * answering the ready call. */
#include <string.h>

#include "fake-cloud.h"
#include "rh-check.h"
#include "rh-run.h"
#include "test-utils.h"

/* Bound on a run's wait for its page. */
#define EVENT_TIMEOUT_S 120

typedef struct
{
  FakeCloud *cloud;
  RhPageOptions *options;
  RhCheck *check;
  RhReadyEndpoint *endpoint;
  JsonObject *report;
  GError *error;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  const char *page = data;

  fixture->cloud = fake_cloud_new ();
  fixture->options = rh_page_options_new ();
  rh_page_options_set_engine (fixture->options, rh_test_engine ());
  fixture->options->room = rh_room_new ();
  fixture->options->room->app_id = g_strdup ("app-1");
  fixture->options->room->room_uuid = g_strdup ("room-1");
  fixture->options->room->room_type = 4;
  fixture->options->room->user_uuid = g_strdup ("rec-1");
  fixture->options->page = g_test_build_filename (G_TEST_DIST, "pages", page, NULL);
  fixture->options->file_access = TRUE;
  fixture->options->api_base = g_strdup (fixture->cloud->base_url);
  fixture->options->timeout_s = 30;
  /* Late against event 1, not against a threshold a cold machine may pass. */
  fixture->options->slow_paint_ms = 60000;
  fixture->options->echo = g_test_verbose ();
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  rh_page_options_free (fixture->options);
  g_clear_object (&fixture->check);
  g_clear_pointer (&fixture->endpoint, rh_ready_endpoint_close);
  g_clear_pointer (&fixture->report, json_object_unref);
  g_clear_error (&fixture->error);
  fake_cloud_free (fixture->cloud);
}

/* Runs the check to its end; returns whether it passed. */
static gboolean
run (Fixture *fixture)
{
  fixture->check = rh_test_check_new (g_steal_pointer (&fixture->options), &fixture->endpoint,
                                      &fixture->error);
  g_assert_no_error (fixture->error);
  rh_test_check_run (fixture->check, &fixture->report, &fixture->error);
  if (fixture->error != NULL)
    g_test_message ("check failed: %s", fixture->error->message);
  return fixture->error == NULL;
}

static gint64
timeline_ms (Fixture *fixture, const char *name)
{
  JsonObject *timeline = json_object_get_object_member (fixture->report, "timeline");

  if (json_object_get_null_member (timeline, name))
    return -1;
  return json_object_get_int_member (timeline, name);
}

static JsonObject *
frames (Fixture *fixture)
{
  return json_object_get_object_member (fixture->report, "frames");
}

static JsonObject *
span (Fixture *fixture, guint i)
{
  return json_array_get_object_element (json_object_get_array_member (frames (fixture),
                                                                      "blank_spans"),
                                        i);
}

static guint
n_spans (Fixture *fixture)
{
  return json_array_get_length (json_object_get_array_member (frames (fixture), "blank_spans"));
}

/* A faint loading box on white for 3 s, event 1 at about 1 s: the first
 * paint is the classroom, not the box, and the recording would start with
 * about 2 s of white. */
static void
test_faint_box (Fixture *fixture, gconstpointer data)
{
  g_autofree char *text = NULL;
  gint64 paint, ready, launch, ready_call;

  g_assert_true (run (fixture));
  paint = timeline_ms (fixture, "first_nonblank_ms");
  ready = timeline_ms (fixture, "ready_event_ms");
  launch = timeline_ms (fixture, "launch_ms");
  g_test_message ("launch %" G_GINT64_FORMAT ", ready %" G_GINT64_FORMAT ", paint %"
                  G_GINT64_FORMAT, launch, ready, paint);
  /* The reveal is 3000 ms after launch, which comes soon after the start. */
  g_assert_cmpint (paint, >=, 2500);
  g_assert_cmpint (paint - launch, >=, 3000 - 100);
  g_assert_cmpint (ready, <, paint);
  g_assert_true (rh_test_report_has_problem (fixture->report, "ready-before-paint", "warning",
                                             NULL));

  /* One span, from the first frame to the classroom; all the white before
   * the ready call is in it. */
  g_assert_cmpuint (n_spans (fixture), ==, 1);
  g_assert_cmpint (json_object_get_int_member (span (fixture, 0), "start_ms"), ==,
                   timeline_ms (fixture, "first_frame_ms"));
  g_assert_cmpint (json_object_get_int_member (span (fixture, 0), "end_ms"), ==, paint);
  ready_call = timeline_ms (fixture, "ready_call_ms");
  g_assert_cmpint (json_object_get_int_member (frames (fixture), "blank_before_ready_call_ms"),
                   ==, ready_call - timeline_ms (fixture, "first_frame_ms"));
  g_assert_true (json_object_get_null_member (frames (fixture), "blank_before_hold_release_ms"));
  g_assert_cmpint (json_object_get_int_member (frames (fixture), "blank_threshold"), ==, 98);
  text = rh_check_format_report (fixture->check);
  g_test_message ("%s", text);
  g_assert_nonnull (strstr (text, "  blank: "));
  g_assert_nonnull (strstr (text, " ms before the ready call\n"));
}

/* Painted, then covered white for a second, then painted again, all before
 * ready: two spans, the second about a second long. */
static void
test_white_again (Fixture *fixture, gconstpointer data)
{
  gint64 launch, start, end;

  g_assert_true (rh_room_add_param (fixture->options->room, "sdkReadyMs=3000", NULL));
  g_assert_true (run (fixture));
  launch = timeline_ms (fixture, "launch_ms");
  g_assert_cmpuint (n_spans (fixture), ==, 2);
  g_assert_cmpint (json_object_get_int_member (span (fixture, 0), "end_ms"), ==,
                   timeline_ms (fixture, "first_nonblank_ms"));
  start = json_object_get_int_member (span (fixture, 1), "start_ms");
  end = json_object_get_int_member (span (fixture, 1), "end_ms");
  g_test_message ("launch %" G_GINT64_FORMAT ", second span %" G_GINT64_FORMAT "-%"
                  G_GINT64_FORMAT, launch, start, end);
  /* The overlay is there from 1000 to 2000 ms after launch: a loaded
   * machine delays its frames, never brings them forward. */
  g_assert_cmpint (start - launch, >=, 1000 - 100);
  g_assert_cmpint (end - start, >=, 1000 - 300);
  g_assert_cmpint (end, <, timeline_ms (fixture, "ready_event_ms"));
  g_assert_cmpint (json_object_get_int_member (frames (fixture), "blank_before_ready_call_ms"),
                   >=, end - start);
  g_assert_false (rh_test_report_has_problem (fixture->report, "ready-before-paint", NULL, NULL));
}

static gboolean
first_paint_seen (gpointer user_data)
{
  RhRun *run = user_data;

  return rh_timeline_count (rh_run_get_timeline (run), "first-nonblank-frame") > 0;
}

/* `run --on-hold` on the faint box, released at the classroom's paint: the
 * recording would begin with no white, which --json says next to the white
 * before the ready call. */
static void
test_run_hold_release (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhRunOptions) options = rh_run_options_new ();
  g_autoptr (RhRun) run = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonNode) report = NULL;
  JsonObject *frames_json;
  gint64 ready_call_ms, release_ms;

  rh_page_options_free (options->page);
  options->page = g_steal_pointer (&fixture->options);
  options->on_hold = TRUE;
  options->duration_s = 1;
  options->retry_timeout_s = 60;
  run = rh_test_run_new (g_steal_pointer (&options), &fixture->endpoint, &fixture->error);
  g_assert_no_error (fixture->error);
  rh_run_start_async (run, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_until (first_paint_seen, run, EVENT_TIMEOUT_S));
  g_assert_true (rh_run_release (run));
  g_assert_true (rh_test_wait_result (&result, EVENT_TIMEOUT_S));
  g_assert_true (rh_run_start_finish (run, result, &fixture->error));
  report = rh_run_to_json (run);
  frames_json = json_object_get_object_member (json_node_get_object (report), "frames");
  ready_call_ms = json_object_get_int_member (frames_json, "blank_before_ready_call_ms");
  release_ms = json_object_get_int_member (frames_json, "blank_before_hold_release_ms");
  g_test_message ("blank before the ready call %" G_GINT64_FORMAT ", before the release %"
                  G_GINT64_FORMAT, ready_call_ms, release_ms);
  /* All the white came before the release: nothing of it is recorded. */
  g_assert_cmpint (release_ms, >=, 2500);
  g_assert_cmpint (release_ms, >, ready_call_ms);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (frames_json,
                                                                         "blank_spans")),
                    ==, 1);
}

int
main (int argc, char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  rh_test_init (&argc, &argv);

  g_test_add ("/blank/faint-box", Fixture, "faint-box.html", fixture_setup, test_faint_box,
              fixture_teardown);
  g_test_add ("/blank/white-again", Fixture, "white-again.html", fixture_setup, test_white_again,
              fixture_teardown);
  g_test_add ("/blank/run-hold-release", Fixture, "faint-box.html", fixture_setup,
              test_run_hold_release, fixture_teardown);
  return g_test_run ();
}
