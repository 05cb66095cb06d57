/* Blank as a viewer of the recording sees it, end to end: `check` on pages
 * in tests/pages/ in the real WebKit view, a real libsoup server on loopback
 * answering the ready call. */
#include <string.h>

#include "fake-cloud.h"
#include "rh-check.h"
#include "test-utils.h"

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
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonNode) report = NULL;

  fixture->check = rh_test_check_new (g_steal_pointer (&fixture->options), &fixture->endpoint,
                                      &fixture->error);
  g_assert_no_error (fixture->error);
  rh_check_run_async (fixture->check, NULL, rh_test_async_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  rh_check_run_finish (fixture->check, result, &fixture->error);
  report = rh_check_to_json (fixture->check);
  fixture->report = json_object_ref (json_node_get_object (report));
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

/* A faint loading box on white for 3 s, event 1 at about 1 s: the first
 * paint is the classroom, not the box, and the recording would start with
 * about 2 s of white. */
static void
test_faint_box (Fixture *fixture, gconstpointer data)
{
  gint64 paint, ready, launch;

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
}

int
main (int argc, char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  rh_test_init (&argc, &argv);

  g_test_add ("/blank/faint-box", Fixture, "faint-box.html", fixture_setup, test_faint_box,
              fixture_teardown);
  return g_test_run ();
}
