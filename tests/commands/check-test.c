/* `recordhost check` end to end: the real WebKit view on page/, a real
 * libsoup server on loopback answering the ready call. */
#include <cairo.h>
#include <errno.h>
#include <string.h>
#include <sys/wait.h>

#include "fake-cloud.h"
#include "rh-frame.h"
#include "rh-check.h"
#include "rh-error.h"
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
  fixture->cloud = fake_cloud_new ();
  fixture->options = rh_page_options_new ();
  rh_page_options_set_engine (fixture->options, rh_test_engine ());
  fixture->options->room = rh_room_new ();
  fixture->options->room->app_id = g_strdup ("app-1");
  fixture->options->room->room_uuid = g_strdup ("room-1");
  fixture->options->room->room_type = 4;
  fixture->options->room->user_uuid = g_strdup ("rec-1");
  fixture->options->page = rh_test_page_path ("record_page.html");
  fixture->options->file_access = TRUE; /* as for a page named on the command line */
  fixture->options->api_base = g_strdup (fixture->cloud->base_url);
  fixture->options->timeout_s = 20;
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

static void
param (Fixture *fixture, const char *key_value)
{
  g_assert_true (rh_room_add_param (fixture->options->room, key_value, NULL));
}

static void
ready (Fixture *fixture, const char *spec)
{
  rh_ready_protocol_free (fixture->options->ready);
  fixture->options->ready = rh_ready_protocol_parse (spec, NULL);
  g_assert_nonnull (fixture->options->ready);
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

static JsonArray *
events (Fixture *fixture)
{
  return json_object_get_array_member (fixture->report, "events");
}

static guint
count_events (Fixture *fixture, const char *type)
{
  JsonArray *array = events (fixture);
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (array, i),
                                                    "type"),
                     type))
      count++;
  return count;
}

static gboolean
has_problem (Fixture *fixture, const char *code, const char *severity)
{
  return rh_test_report_has_problem (fixture->report, code, severity, NULL);
}

static gboolean
problem_mentions (Fixture *fixture, const char *code, const char *text)
{
  return rh_test_report_has_problem (fixture->report, code, NULL, text);
}

static const char *
webrtc_mode (Fixture *fixture)
{
  JsonObject *engine = json_object_get_object_member (fixture->report, "engine");

  return json_object_get_string_member (engine, "webrtc");
}

static JsonObject *
find_event (Fixture *fixture, const char *type)
{
  JsonArray *array = events (fixture);

  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonObject *event = json_array_get_object_element (array, i);

      if (g_str_equal (json_object_get_string_member (event, "type"), type))
        return event;
    }
  return NULL;
}

static gint64
timeline_ms (Fixture *fixture, const char *name)
{
  JsonObject *timeline = json_object_get_object_member (fixture->report, "timeline");

  if (json_object_get_null_member (timeline, name))
    return -1;
  return json_object_get_int_member (timeline, name);
}

static gboolean
timeout_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Waits up to 5 s for a timeline event of @type. */
static gboolean
wait_for_event (Fixture *fixture, const char *type)
{
  RhTimeline *timeline = rh_check_get_timeline (fixture->check);
  gboolean timed_out = FALSE;
  guint id = g_timeout_add_seconds (5, timeout_cb, &timed_out);

  while (rh_timeline_count (timeline, type) == 0 && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  if (!timed_out)
    g_source_remove (id);
  return rh_timeline_count (timeline, type) > 0;
}

static void
assert_passed_with_one_ready_call (Fixture *fixture)
{
  FakeRequest *request;

  g_assert_true (run (fixture));
  g_assert_cmpstr (json_object_get_string_member (fixture->report, "verdict"), ==, "pass");
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 1);
  request = fake_cloud_get_request (fixture->cloud, 0);
  g_assert_cmpstr (request->method, ==, "PUT");
  g_assert_cmpstr (request->path, ==, "/edu/apps/app-1/v2/rooms/room-1/records/ready");
  g_assert_cmpint (timeline_ms (fixture, "ready_event_ms"), >=, 0);
  g_assert_cmpint (timeline_ms (fixture, "ready_ack_ms"), >=,
                   timeline_ms (fixture, "ready_event_ms"));
}

/* ---- bundle shapes ---- */

typedef struct
{
  const char *shape;
  const char *how; /* "patched" or "wrapped" */
} ShapeRow;

static const ShapeRow shape_rows[] = {
  { "window", "patched" }, { "umd", "patched" },    { "var", "patched" },
  { "const", "patched" },  { "let", "patched" },    { "class", "patched" },
  { "frozen", "wrapped" }, { "defprop", "wrapped" },
};

static void
test_shape (Fixture *fixture, gconstpointer data)
{
  const ShapeRow *row = data;
  g_autofree char *shape = g_strconcat ("sdkShape=", row->shape, NULL);
  JsonObject *sdk;

  param (fixture, shape);
  param (fixture, "sdkReadyMs=100");
  assert_passed_with_one_ready_call (fixture);
  g_assert_cmpuint (count_events (fixture, "launch"), ==, 1);
  sdk = json_object_get_object_member (find_event (fixture, "sdk"), "detail");
  g_assert_cmpstr (json_object_get_string_member (sdk, "how"), ==, row->how);
  /* The page's own listener still runs: it logs the event, just after our
   * report of it, so its message may land after the check has passed. */
  g_assert_true (wait_for_event (fixture, "console"));
}

/* ---- ready protocols ---- */

static void
test_protocol_event1 (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReadyMs=300");
  assert_passed_with_one_ready_call (fixture);
  g_assert_cmpuint (count_events (fixture, "listener-event"), ==, 1);
  /* Ready came after launch.  Not "300 ms after": both messages cross a
   * process boundary, and on a loaded machine the first may be delivered
   * late (seen: 106 ms apart under the sanitizers). */
  g_assert_cmpint (timeline_ms (fixture, "launch_ms"), >=, 0);
  g_assert_cmpint (timeline_ms (fixture, "ready_event_ms"), >=,
                   timeline_ms (fixture, "launch_ms"));
}

/* The timeline says where its zero is on the system's clocks, so that what
 * is seen from outside the process (tests/bench/check-startup.py) lines up
 * with its events; said in --json only. */
static void
test_timeline_clock (Fixture *fixture, gconstpointer data)
{
  gint64 monotonic_before = g_get_monotonic_time ();
  gint64 real_before = g_get_real_time ();
  JsonObject *clock;
  JsonObject *detail;
  gint64 monotonic_us;
  gint64 real_us;

  param (fixture, "sdkReadyMs=100");
  assert_passed_with_one_ready_call (fixture);
  g_assert_cmpuint (count_events (fixture, "clock"), ==, 1);
  clock = find_event (fixture, "clock");
  g_assert_cmpint (json_object_get_int_member (clock, "ms"), ==, 0);
  detail = json_object_get_object_member (clock, "detail");
  monotonic_us = json_object_get_int_member (detail, "monotonic_us");
  real_us = json_object_get_int_member (detail, "realtime_us");
  g_assert_cmpint (monotonic_us, >=, monotonic_before);
  g_assert_cmpint (monotonic_us, <=, g_get_monotonic_time ());
  g_assert_cmpint (real_us, >=, real_before);
  g_assert_cmpint (real_us, <=, g_get_real_time ());
  /* The events after it are the check's, in ms since that instant. */
  g_assert_cmpint (timeline_ms (fixture, "ready_ack_ms") * 1000, <=,
                   g_get_monotonic_time () - monotonic_us);
}

static void
test_protocol_whiteboard (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReady=whiteboard");
  param (fixture, "sdkReadyMs=100");
  ready (fixture, "whiteboard");
  assert_passed_with_one_ready_call (fixture);
  /* chat and video came first and were not taken for ready. */
  g_assert_cmpuint (count_events (fixture, "listener-event"), >=, 3);
}

static void
test_protocol_whiteboard_other_type (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReady=nowhiteboard");
  param (fixture, "sdkReadyMs=100");
  ready (fixture, "whiteboard");
  fixture->options->timeout_s = 3;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_assert_cmpuint (count_events (fixture, "listener-event"), ==, 2);
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 0);
}

static void
test_protocol_notify (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReady=notify");
  param (fixture, "sdkReadyMs=100");
  ready (fixture, "notify");
  assert_passed_with_one_ready_call (fixture);
  g_assert_cmpuint (count_events (fixture, "notify"), ==, 1);
}

static void
test_protocol_console (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReady=console");
  param (fixture, "sdkReadyMs=100");
  ready (fixture, "console:START_RECORDING");
  assert_passed_with_one_ready_call (fixture);
}

static void
test_protocol_event1_not_sent_for_notify (Fixture *fixture, gconstpointer data)
{
  /* The page fires event 1, but the check waits for notifyReady (). */
  param (fixture, "sdkReadyMs=100");
  ready (fixture, "notify");
  fixture->options->timeout_s = 3;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_assert_nonnull (strstr (fixture->error->message, "notifyReady"));
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 0);
}

/* ---- page failures ---- */

static void
test_page_http (Fixture *fixture, gconstpointer data)
{
  g_free (fixture->options->page);
  fixture->options->page = fake_cloud_page_url (fixture->cloud, "record_page.html");
  param (fixture, "sdkReadyMs=100");
  assert_passed_with_one_ready_call (fixture);
  g_assert_cmpint (json_object_get_int_member (fixture->report, "http_status"), ==, 200);
}

static void
test_page_404 (Fixture *fixture, gconstpointer data)
{
  g_free (fixture->options->page);
  fixture->options->page = fake_cloud_page_url (fixture->cloud, "no_such_page.html");
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_PAGE_FAILED);
  g_assert_nonnull (strstr (fixture->error->message, "HTTP 404"));
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 0);
  g_assert_cmpint (json_object_get_int_member (fixture->report, "exit_status"), ==, 1);
}

static void
test_page_refused (Fixture *fixture, gconstpointer data)
{
  g_autofree char *base = fake_cloud_refused_url ();

  g_free (fixture->options->page);
  fixture->options->page = g_strconcat (base, "/record_page.html", NULL);
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_PAGE_FAILED);
  g_assert_nonnull (strstr (fixture->error->message, "did not load"));
}

static void
test_page_restricted_port (Fixture *fixture, gconstpointer data)
{
  /* WebKit refuses port 1 without a load-failed: it commits about:blank. */
  g_free (fixture->options->page);
  fixture->options->page = g_strdup ("http://127.0.0.1:1/record_page.html");
  fixture->options->timeout_s = 10;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_PAGE_FAILED);
}

/* An uncaught error is recorded with where it was thrown, and the check
 * waits for ready as the cloud would: it ends at its timeout, not at the
 * error. */
static void
test_page_launch_throws (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReady=throw");
  fixture->options->timeout_s = 3;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  /* The cause is what launch threw, where; not the wait that followed. */
  g_assert_true (g_str_has_prefix (fixture->error->message,
                                   "AgoraEduSDK.launch threw Error: AgoraEduSDK.launch: stand-in "
                                   "asked to throw (standin-core.js:"));
  g_assert_cmpuint (count_events (fixture, "launch"), ==, 1);
  g_assert_cmpuint (count_events (fixture, "js-error"), >=, 1);
  g_assert_true (has_problem (fixture, "js-error", "error"));
  g_assert_true (problem_mentions (fixture, "js-error", "stand-in asked to throw"));
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 0);
}

static void
test_page_rejects (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReady=reject");
  param (fixture, "sdkReadyMs=100");
  fixture->options->timeout_s = 3;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_assert_true (problem_mentions (fixture, "js-error", "join rejected"));
}

/* A page that throws after launch and still gets ready passes: the error
 * is a warning. */
static void
test_page_error_then_ready (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkPaintMs=100");
  param (fixture, "sdkReadyMs=400");
  param (fixture, "pageThrowMs=50");
  g_assert_true (run (fixture));
  g_assert_true (has_problem (fixture, "js-error", "warning"));
  g_assert_true (problem_mentions (fixture, "js-error", "record_page.html"));
}

static void
test_page_never_ready (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReady=never");
  /* Long enough for a launch on a busy machine, in either engine. */
  fixture->options->timeout_s = 6;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_assert_nonnull (strstr (fixture->error->message, "not ready within 6 s"));
  g_assert_nonnull (strstr (fixture->error->message, "event 1"));
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 0);
}

/* The steps of a page that never got ready never happened: its JUnit
 * report skips them, and fails the one whose absence failed the check. */
static void
test_page_never_ready_junit (Fixture *fixture, gconstpointer data)
{
  g_autofree char *junit = g_build_filename (rh_test_tmpdir (), "never-ready.xml", NULL);
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) report = { 0 };

  param (fixture, "sdkReady=never");
  fixture->options->timeout_s = 3;
  fixture->options->junit = g_strdup (junit);
  g_assert_false (run (fixture));
  g_assert_true (g_file_get_contents (junit, &xml, NULL, NULL));
  g_test_message ("%s", xml);
  rh_test_junit_parse (&report, xml);
  g_assert_cmpstr (report.failed->str, ==, "page gets ready\n");
  g_assert_nonnull (strstr (report.skipped_cases->str, "ready call acknowledged\n"));
  g_assert_nonnull (strstr (report.skipped_cases->str, "painted before ready\n"));
  g_assert_nonnull (strstr (report.text->str, "not ready within 3 s"));
}

static void
test_page_bundle_404 (Fixture *fixture, gconstpointer data)
{
  g_free (fixture->options->page);
  fixture->options->page = fake_cloud_page_url (fixture->cloud, "record_page.html");
  param (fixture, "sdkShape=missing");
  fixture->options->timeout_s = 60;
  g_assert_false (run (fixture));
  /* Loaded, and launch never called: certain well before the timeout.  The
   * missing bundle is the cause, not the errors of the code that used it. */
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_assert_true (g_str_has_prefix (fixture->error->message, "AgoraEduSDK.launch never called: "));
  g_assert_nonnull (strstr (fixture->error->message, "edu_sdk.missing.js did not load ("));
  g_assert_cmpuint (count_events (fixture, "resource-error"), ==, 1);
  g_assert_cmpuint (count_events (fixture, "launch"), ==, 0);
  g_assert_true (has_problem (fixture, "resource-failed", "error"));
  g_assert_true (has_problem (fixture, "launch-not-called", "error"));
}

/* ---- the ready call ---- */

static void
test_ready_call_401 (Fixture *fixture, gconstpointer data)
{
  fake_cloud_reply (fixture->cloud, 401, "{\"msg\":\"token expired\",\"code\":401}");
  param (fixture, "sdkReadyMs=100");
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_READY_CALL);
  g_assert_nonnull (strstr (fixture->error->message, "HTTP 401"));
  g_assert_nonnull (strstr (fixture->error->message, "token expired"));
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 1);
}

static void
test_ready_call_code_nonzero (Fixture *fixture, gconstpointer data)
{
  fake_cloud_reply (fixture->cloud, 200, "{\"msg\":\"record not started\",\"code\":30409410}");
  param (fixture, "sdkReadyMs=100");
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_READY_CALL);
  g_assert_nonnull (strstr (fixture->error->message, "30409410"));
}

static void
test_ready_call_5xx_then_success (Fixture *fixture, gconstpointer data)
{
  fake_cloud_reply (fixture->cloud, 500, "");
  fake_cloud_reply (fixture->cloud, 503, "");
  fake_cloud_reply (fixture->cloud, 200, NULL);
  param (fixture, "sdkReadyMs=100");
  g_assert_true (run (fixture));
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 3);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (fixture->report,
                                                                               "ready_call"),
                                               "attempts"),
                   ==, 3);
  g_assert_cmpuint (count_events (fixture, "ready-call-answer"), ==, 3);
}

static void
test_ready_call_local_cloud (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->options->api_base, g_free);
  param (fixture, "sdkReadyMs=100");
  g_assert_true (run (fixture));
  g_assert_cmpuint (count_events (fixture, "cloud-ready"), ==, 1);
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 0);
}

static void
test_ready_call_region_and_token (Fixture *fixture, gconstpointer data)
{
  const char *token = "006sekret+TOKEN/xyz=";
  FakeRequest *request;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *text = NULL;

  fixture->options->room->rtm_token = g_strdup (token);
  g_assert_true (rh_room_set_region (fixture->options->room, "AS", NULL));
  g_free (fixture->options->room->room_uuid);
  fixture->options->room->room_uuid = g_strdup ("room 1/x");
  param (fixture, "sdkReadyMs=100");
  param (fixture, "sdkReady=event1");
  g_assert_true (run (fixture));

  request = fake_cloud_get_request (fixture->cloud, 0);
  g_assert_cmpstr (request->path, ==, "/ap/edu/apps/app-1/v2/rooms/room 1/x/records/ready");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "x-agora-token"), ==, token);
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "x-agora-uid"), ==, "rec-1");

  /* The page got the room uuid intact through the query string. */
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (
                       json_object_get_object_member (find_event (fixture, "listener-event"),
                                                      "detail"),
                       "args"),
                     "roomUuid"),
                   ==, "room 1/x");

  /* And the token is nowhere in the report. */
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, fixture->report);
  text = json_to_string (node, FALSE);
  g_assert_null (strstr (text, "sekret"));
  g_assert_nonnull (strstr (json_object_get_string_member (fixture->report, "page_url"),
                            "rtmToken=[REDACTED]"));
  g_assert_nonnull (strstr (json_object_get_string_member (fixture->report, "page_url"),
                            "region=AP"));
}

/* ---- rendering ---- */

/* A failure whose message quotes the page URL: the token stays out of the
 * problems, the error and the JUnit report. */
static void
test_token_redacted_in_problems (Fixture *fixture, gconstpointer data)
{
  g_autofree char *junit = g_build_filename (rh_test_tmpdir (), "junit.xml", NULL);
  g_autofree char *xml = NULL;
  g_autofree char *report = NULL;
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *json = NULL;

  fixture->options->room->rtm_token = g_strdup ("tok-SECRET-42");
  fixture->options->junit = g_strdup (junit);
  /* The bundle 404s; the page's inline script throws, at the page's URL. */
  param (fixture, "sdkShape=missing");
  g_assert_false (run (fixture));
  /* The uncaught error is quoted with the page URL that carries the token. */
  g_assert_true (problem_mentions (fixture, "js-error", "record_page.html?"));
  node = json_node_new (JSON_NODE_OBJECT);
  json_node_set_object (node, fixture->report);
  json = json_to_string (node, FALSE);
  report = rh_check_format_report (fixture->check);
  g_assert_true (g_file_get_contents (junit, &xml, NULL, NULL));
  g_assert_null (strstr (json, "SECRET"));
  g_assert_null (strstr (report, "SECRET"));
  g_assert_null (strstr (xml, "SECRET"));
  g_assert_nonnull (strstr (json, "[REDACTED]"));
}

static void
assert_absent (const char *where, const char *text, const char *name, const char *form)
{
  const char *found = strstr (text, form);

  if (found != NULL)
    g_error ("%s has the token in form %s: ...%.200s", where, name,
             found - MIN (found - text, 200));
}

/* Whether @text has the test token in any of its forms. */
static void
assert_no_token_form (const char *where, const char *text)
{
  for (guint i = 0; rh_test_token_forms[i].name != NULL; i++)
    {
      g_autofree char *form = rh_test_token_form (RH_TEST_TOKEN, rh_test_token_forms[i].name);

      assert_absent (where, text, rh_test_token_forms[i].name, form);
    }
  assert_absent (where, text, "part", "SEKRET");
}

/* The page writes the token in one form to its console, a request's query
 * and an image's path: the form is nowhere in the report or the HAR file. */
static void
test_token_form (Fixture *fixture, gconstpointer data)
{
  const RhTestTokenForm *row = data;
  g_autofree char *har_path = g_build_filename (rh_test_tmpdir (), "requests.har", NULL);
  g_autofree char *form = g_strconcat ("form=", row->name, NULL);
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *json = NULL;
  g_autofree char *har = NULL;
  const char *printed;

  g_free (fixture->options->page);
  fixture->options->page = g_test_build_filename (G_TEST_DIST, "pages", "token-forms.html", NULL);
  fixture->options->room->rtm_token = g_strdup (RH_TEST_TOKEN);
  fixture->options->har = g_strdup (har_path);
  fixture->options->paint_grace_ms = 0;
  param (fixture, form);
  ready (fixture, "console:tokens-done");
  g_assert_true (run (fixture));

  printed = json_object_get_string_member (find_event (fixture, "console"), "text");
  g_test_message ("printed: %s", printed);
  if (row->whole)
    g_assert_cmpstr (printed, ==, "console.log: form: [REDACTED]");
  else
    {
      /* What is left is the base64 of the data around the token. */
      g_assert_nonnull (strstr (printed, "[REDACTED]"));
      g_assert_cmpuint (strlen (printed), <=, strlen ("console.log: form: [REDACTED]") + 8);
    }
  json_node_set_object (node, fixture->report);
  json = json_to_string (node, FALSE);
  if (row->whole)
    g_assert_nonnull (strstr (json, "\"url\":\"https://unrouted.invalid/q?v=[REDACTED]\""));
  assert_no_token_form ("the report", json);
  g_assert_true (g_file_get_contents (har_path, &har, NULL, NULL));
  assert_no_token_form ("the HAR file", har);
}

/* Neither the report nor the summary shows @password; the URL that had it
 * says user:[REDACTED]@. */
static void
assert_password_redacted (Fixture *fixture, const char *password)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *json = NULL;
  g_autofree char *summary = NULL;

  json_node_set_object (node, fixture->report);
  json = json_to_string (node, FALSE);
  summary = rh_check_format_report (fixture->check);
  g_assert_nonnull (strstr (json, "user:[REDACTED]@"));
  g_assert_null (strstr (json, password));
  g_assert_null (strstr (summary, password));
}

/* The password of an --api-base stays out of every output. */
static void
test_api_base_password_redacted (Fixture *fixture, gconstpointer data)
{
  g_free (fixture->options->api_base);
  fixture->options->api_base = g_strdup_printf ("http://user:pw-SECRET-7@%s",
                                                fixture->cloud->base_url + strlen ("http://"));
  param (fixture, "sdkReadyMs=100");
  run (fixture);
  assert_password_redacted (fixture, "pw-SECRET");
}

/* So does the password of a page URL. */
static void
test_page_password_redacted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = fake_cloud_page_url (fixture->cloud, "record_page.html");

  g_free (fixture->options->page);
  fixture->options->page = g_strdup_printf ("http://user:pw-SECRET-8@%s",
                                            url + strlen ("http://"));
  param (fixture, "sdkReadyMs=100");
  g_assert_true (run (fixture));
  assert_password_redacted (fixture, "pw-SECRET");
}

static void
test_viewport (Fixture *fixture, gconstpointer data)
{
  JsonObject *first_frame;

  fixture->options->record.width = 1920;
  fixture->options->record.height = 1080;
  param (fixture, "sdkReadyMs=600");
  param (fixture, "sdkPaintMs=100");
  g_assert_true (run (fixture));
  first_frame = find_event (fixture, "first-frame");
  g_assert_nonnull (first_frame);
  g_assert_cmpstr (json_object_get_string_member (first_frame, "text"), ==,
                   "first frame (1920x1080)");
  /* The classroom painted at that size (its order against event 1 is
   * /check/paint/before-ready's business). */
  g_assert_cmpint (timeline_ms (fixture, "first_nonblank_ms"), >=, 0);
}

/* ---- white screens ---- */


static char *
snapshots_dir (void)
{
  return g_build_filename (rh_test_tmpdir (), "snapshots", NULL);
}

/* Loads a PNG the tool wrote and says whether it is blank. */
static gboolean
png_is_blank (const char *dir, const char *name, int width, int height)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  cairo_surface_t *surface = cairo_image_surface_create_from_png (path);
  RhFrame frame = { 0 };
  gboolean blank;

  g_assert_cmpint (cairo_surface_status (surface), ==, CAIRO_STATUS_SUCCESS);
  g_assert_cmpint (cairo_image_surface_get_width (surface), ==, width);
  g_assert_cmpint (cairo_image_surface_get_height (surface), ==, height);
  frame.data = cairo_image_surface_get_data (surface);
  frame.stride = cairo_image_surface_get_stride (surface);
  frame.width = width;
  frame.height = height;
  blank = rh_frame_is_blank (&frame, RH_FRAME_BLANK_THRESHOLD_DEFAULT);
  cairo_surface_destroy (surface);
  return blank;
}

static void
test_paints_late (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = snapshots_dir ();
  g_autofree char *junit = g_build_filename (dir, "report.xml", NULL);
  g_autofree char *junit_xml = NULL;
  gint64 paint, launch, ready;

  param (fixture, "sdkPaintMs=1500");
  param (fixture, "sdkReadyMs=300");
  /* Late against event 1, not against a threshold a cold machine may pass. */
  fixture->options->slow_paint_ms = 60000;
  fixture->options->snapshots_dir = g_strdup (dir);
  fixture->options->junit = g_strdup (junit);
  g_assert_true (run (fixture));

  /* Painted 1500 ms after launch, give or take the frame pacing, rendering
   * and the delay of the launch message itself. */
  paint = timeline_ms (fixture, "first_nonblank_ms");
  launch = timeline_ms (fixture, "launch_ms");
  ready = timeline_ms (fixture, "ready_event_ms");
  g_test_message ("launch %" G_GINT64_FORMAT ", ready %" G_GINT64_FORMAT ", paint %"
                  G_GINT64_FORMAT, launch, ready, paint);
  /* A late launch message shortens the gap, a loaded machine lengthens it:
   * only the order of magnitude is the page's. */
  g_assert_cmpint (paint - launch, >=, 1500 - 500);
  g_assert_cmpint (paint - launch, <=, 1500 + 8000);
  g_assert_cmpint (ready, <, paint);
  g_assert_true (has_problem (fixture, "ready-before-paint", "warning"));
  g_assert_false (has_problem (fixture, "slow-first-paint", "warning"));
  g_assert_cmpstr (json_object_get_string_member (fixture->report, "verdict"), ==, "pass");

  g_assert_true (png_is_blank (dir, "first.png", 1280, 720));
  g_assert_true (png_is_blank (dir, "at-ready.png", 1280, 720));
  g_assert_false (png_is_blank (dir, "first-painted.png", 1280, 720));
  g_assert_false (png_is_blank (dir, "last.png", 1280, 720));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fixture->report,
                                                                         "pictures")),
                    ==, 7);

  g_assert_true (g_file_get_contents (junit, &junit_xml, NULL, NULL));
  g_assert_nonnull (strstr (junit_xml, "tests=\"10\" failures=\"0\""));
  g_assert_nonnull (strstr (junit_xml, "warning: ready-before-paint"));
}

/* --fail-on makes a warning fail the check: exit status 1, the code in
 * the JSON's failed_on and in the failure of its JUnit case. */
static void
test_paints_late_fail_on (Fixture *fixture, gconstpointer data)
{
  g_autofree char *junit = g_build_filename (rh_test_tmpdir (), "fail-on.xml", NULL);
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) report = { 0 };
  JsonArray *failed_on;

  param (fixture, "sdkPaintMs=1500");
  param (fixture, "sdkReadyMs=300");
  fixture->options->slow_paint_ms = 60000;
  fixture->options->junit = g_strdup (junit);
  fixture->options->fail_on = g_strsplit ("slow-first-paint,ready-before-paint", ",", -1);
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_PAGE_FAILED);
  g_assert_true (g_str_has_prefix (fixture->error->message, "ready-before-paint: "));
  g_assert_nonnull (strstr (fixture->error->message, "(--fail-on)"));
  g_assert_cmpint (rh_check_get_exit_status (fixture->check), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (fixture->report, "verdict"), ==, "fail");
  /* Still a warning: --fail-on changes what fails, not what the page did. */
  g_assert_true (has_problem (fixture, "ready-before-paint", "warning"));
  failed_on = json_object_get_array_member (fixture->report, "failed_on");
  g_assert_cmpuint (json_array_get_length (failed_on), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (failed_on, 0), ==, "ready-before-paint");

  g_assert_true (g_file_get_contents (junit, &xml, NULL, NULL));
  rh_test_junit_parse (&report, xml);
  g_assert_cmpstr (report.failed->str, ==, "painted before ready\n");
  g_assert_nonnull (strstr (report.text->str, "failed by --fail-on"));
}

static void
test_paints_before_ready (Fixture *fixture, gconstpointer data)
{
  /* 2.9 s between paint and event 1: under the sanitizers on a loaded
   * machine a paint has been seen to reach us 800 ms late.  The threshold of
   * slow-first-paint is the page's business here, not the machine's. */
  param (fixture, "sdkPaintMs=100");
  param (fixture, "sdkReadyMs=3000");
  fixture->options->slow_paint_ms = 60000;
  g_assert_true (run (fixture));
  g_assert_cmpint (timeline_ms (fixture, "first_nonblank_ms"), <,
                   timeline_ms (fixture, "ready_event_ms"));
  g_assert_false (has_problem (fixture, "ready-before-paint", "warning"));
  g_assert_false (has_problem (fixture, "slow-first-paint", "warning"));
}

static void
test_never_paints (Fixture *fixture, gconstpointer data)
{
  g_autofree char *dir = snapshots_dir ();
  g_autofree char *first_painted = NULL;

  param (fixture, "sdkPaintMs=never");
  param (fixture, "sdkReadyMs=200");
  fixture->options->paint_grace_ms = 1000;
  fixture->options->snapshots_dir = g_strdup (dir);
  g_assert_true (run (fixture));
  g_assert_cmpint (timeline_ms (fixture, "first_nonblank_ms"), ==, -1);
  g_assert_true (has_problem (fixture, "ready-before-paint", "warning"));
  g_assert_true (has_problem (fixture, "slow-first-paint", "warning"));
  g_assert_true (png_is_blank (dir, "last.png", 1280, 720));
  first_painted = g_build_filename (dir, "first-painted.png", NULL);
  g_assert_false (g_file_test (first_painted, G_FILE_TEST_EXISTS));
}

static void
test_bundle_404_problems (Fixture *fixture, gconstpointer data)
{
  JsonArray *resources;
  gboolean bundle_seen = FALSE;

  g_free (fixture->options->page);
  fixture->options->page = fake_cloud_page_url (fixture->cloud, "record_page.html");
  param (fixture, "sdkShape=missing");
  g_assert_false (run (fixture));
  g_assert_true (has_problem (fixture, "resource-failed", "error"));
  g_assert_true (has_problem (fixture, "js-error", "error"));
  resources = json_object_get_array_member (fixture->report, "resources");
  for (guint i = 0; i < json_array_get_length (resources); i++)
    {
      JsonObject *resource = json_array_get_object_element (resources, i);

      if (g_str_has_suffix (json_object_get_string_member (resource, "url"),
                            "edu_sdk.missing.js"))
        {
          bundle_seen = TRUE;
          /* Its status may not be in yet: the page's error event came first. */
          g_assert_true (json_object_get_boolean_member (resource, "failed"));
          g_assert_false (json_object_get_null_member (resource, "error"));
          g_assert_cmpint (json_object_get_int_member (resource, "end_ms"), >=,
                           json_object_get_int_member (resource, "start_ms"));
        }
    }
  g_assert_true (bundle_seen);
}

/* Ready and acknowledged, but a script failed to load: an error problem
 * fails the check. */
static void
test_script_404_fails_ready_page (Fixture *fixture, gconstpointer data)
{
  param (fixture, "pageExtraScript=analytics");
  param (fixture, "sdkReadyMs=100");
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_PAGE_FAILED);
  g_assert_true (g_str_has_prefix (fixture->error->message, "resource-failed: "));
  g_assert_true (has_problem (fixture, "resource-failed", "error"));
  g_assert_cmpint (timeline_ms (fixture, "ready_ack_ms"), >=, 0);
  g_assert_cmpstr (json_object_get_string_member (fixture->report, "verdict"), ==, "fail");
  g_assert_cmpint (json_object_get_int_member (fixture->report, "exit_status"), ==, 1);
}

static void
test_launch_not_called (Fixture *fixture, gconstpointer data)
{
  /* The page loads but its inline script never reaches launch. */
  g_free (fixture->options->page);
  fixture->options->page = rh_test_page_path ("no_launch.html");
  fixture->options->timeout_s = 60;
  g_assert_false (run (fixture));
  g_assert_nonnull (strstr (fixture->error->message, "had still not called AgoraEduSDK.launch"));
  g_assert_true (has_problem (fixture, "launch-not-called", "error"));
}

/* The one-line cause of a template that fails names the decisive fact, in
 * a short line: the error with its file's name and line, not the
 * page's URL or the wait that followed. */
typedef struct
{
  const char *name;
  const char *page;   /* in tests/pages */
  guint timeout_s;
  const char *start;  /* of the cause */
  const char *where;  /* in it */
  const char *script; /* where it was thrown, as the js-error problem has it */
  const char *chromium_start; /* of the cause in Chromium, whose words differ; NULL: start */
} CauseRow;

static const CauseRow cause_rows[] = {
  { "syntax-error", "syntax-error.html", 20, "AgoraEduSDK.launch never called: SyntaxError: ",
    "(syntax-error.html:17)", "/tests/pages/syntax-error.html?" },
  { "launch-throws", "launch-throws.html", 3,
    "AgoraEduSDK.launch threw TypeError: undefined is not an object", "(throwing-sdk.js:8)",
    "/tests/pages/throwing-sdk.js:8",
    "AgoraEduSDK.launch threw TypeError: Cannot read properties of undefined" },
};

static void
test_cause (Fixture *fixture, gconstpointer data)
{
  const CauseRow *row = data;

  g_free (fixture->options->page);
  fixture->options->page = g_test_build_filename (G_TEST_DIST, "pages", row->page, NULL);
  fixture->options->timeout_s = row->timeout_s;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_test_message ("cause: %s", fixture->error->message);
  g_assert_true (g_str_has_prefix (fixture->error->message,
                                   rh_test_engine () == RH_BROWSER_ENGINE_CHROMIUM
                                           && row->chromium_start != NULL
                                       ? row->chromium_start
                                       : row->start));
  g_assert_nonnull (strstr (fixture->error->message, row->where));
  g_assert_cmpuint (g_utf8_strlen (fixture->error->message, -1), <=, 160);
  g_assert_cmpstr (json_object_get_string_member (fixture->report, "error"), ==,
                   fixture->error->message);
  /* The details stay in the problems. */
  g_assert_true (problem_mentions (fixture, "js-error", row->script));
}

static void
test_missing_param (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkReadyMs=100");
  g_assert_true (run (fixture));
  /* The bundled page reads startTime; nobody passed it. */
  g_assert_true (has_problem (fixture, "missing-param", "warning"));
  g_assert_nonnull (find_event (fixture, "param-missing"));
  g_assert_nonnull (find_event (fixture, "dom-loaded"));
}

/* ---- engine capabilities ---- */

static JsonObject *
capabilities (Fixture *fixture)
{
  g_assert_false (json_object_get_null_member (fixture->report, "capabilities"));
  return json_object_get_object_member (fixture->report, "capabilities");
}

static gboolean
touched (Fixture *fixture, const char *feature)
{
  JsonArray *array = json_object_get_array_member (fixture->report, "touched");

  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_str_equal (json_array_get_string_element (array, i), feature))
      return TRUE;
  return FALSE;
}

/* The engine's answer does not depend on the page: once a process has it,
 * its next pages do not probe again, and their reports still carry it. */
static void
test_engine_probed_once (Fixture *fixture, gconstpointer data)
{
  g_assert_true (run (fixture));
  capabilities (fixture);
  fixture_teardown (fixture, NULL);
  memset (fixture, 0, sizeof *fixture);
  fixture_setup (fixture, NULL);

  g_assert_true (run (fixture));
  g_assert_cmpuint (rh_timeline_count (rh_check_get_timeline (fixture->check), "capabilities"),
                    ==, 0);
  g_assert_true (json_object_get_boolean_member (capabilities (fixture), "WebGL"));
}

/* What each engine is and has, as its report must say: measured on Debian
 * 12's WPE 2.38 (no WebRTC, WebGL 1 but not 2) and Chromium 156 (both, its
 * WebGL in software). */
static const struct
{
  const char *name;
  const char *version;    /* a regular expression */
  const char *user_agent; /* in it */
  gboolean webrtc;
  gboolean webgl2;
} engine_rows[] = {
  [RH_BROWSER_ENGINE_WPE] = { "WPE WebKit", "^[0-9]+\\.[0-9]+\\.[0-9]+$", "AppleWebKit", FALSE,
                              FALSE },
  [RH_BROWSER_ENGINE_CHROMIUM] = { "Chromium", "^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$",
                                   "Chrome/", TRUE, TRUE },
};

static void
test_engine_report (Fixture *fixture, gconstpointer data)
{
  JsonObject *engine;
  JsonObject *caps;
  const typeof (engine_rows[0]) *row = &engine_rows[rh_test_engine ()];

  param (fixture, "sdkReadyMs=100");
  /* Probed after DOMContentLoaded, or known from an earlier page of the
   * process: the report has them even after a quick ready. */
  g_assert_true (run (fixture));
  engine = json_object_get_object_member (fixture->report, "engine");
  g_assert_cmpstr (json_object_get_string_member (engine, "name"), ==, row->name);
  g_assert_true (g_regex_match_simple (row->version,
                                       json_object_get_string_member (engine, "version"), 0, 0));
  g_assert_nonnull (strstr (json_object_get_string_member (engine, "user_agent"),
                            row->user_agent));
  caps = capabilities (fixture);
  g_assert_cmpint (json_object_get_boolean_member (caps, "RTCPeerConnection"), ==, row->webrtc);
  g_assert_cmpint (json_object_get_boolean_member (caps, "getUserMedia"), ==, row->webrtc);
  g_assert_true (json_object_get_boolean_member (caps, "WebGL"));
  g_assert_cmpint (json_object_get_boolean_member (caps, "WebGL2"), ==, row->webgl2);
  g_assert_true (json_object_get_boolean_member (caps, "WebAssembly"));
  g_assert_true (json_object_get_boolean_member (caps, "Worker"));
  g_assert_true (json_object_get_boolean_member (caps, "WebSocket"));
  /* A page that uses none of it is not blamed. */
  g_assert_false (has_problem (fixture, "engine-missing-feature", "warning"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (fixture->report,
                                                                         "touched")),
                    ==, 0);
}

static void
test_webrtc_required_absent (Fixture *fixture, gconstpointer data)
{
  if (!rh_test_engine_is (RH_BROWSER_ENGINE_WPE, "an engine without WebRTC"))
    return;
  param (fixture, "sdkWebrtc=require");
  fixture->options->webrtc = RH_WEBRTC_ABSENT;
  fixture->options->timeout_s = 3;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_assert_true (touched (fixture, "RTCPeerConnection"));
  /* The error named it: blamed. */
  g_assert_true (has_problem (fixture, "engine-missing-feature", "error"));
  g_assert_cmpstr (webrtc_mode (fixture), ==, "absent");
}

static void
test_webrtc_required_stub (Fixture *fixture, gconstpointer data)
{
  gboolean real = rh_test_engine () == RH_BROWSER_ENGINE_CHROMIUM;

  param (fixture, "sdkWebrtc=require");
  param (fixture, "sdkReadyMs=200");
  g_assert_true (run (fixture));
  g_assert_cmpuint (count_events (fixture, "js-error"), ==, 0);
  /* Chromium has the real thing: no stand-in. */
  if (real)
    g_assert_cmpuint (count_events (fixture, "webrtc-standin"), ==, 0);
  else
    g_assert_cmpuint (count_events (fixture, "webrtc-standin"), >=, 1);
  g_assert_false (has_problem (fixture, "engine-missing-feature", "error"));
  g_assert_cmpstr (webrtc_mode (fixture), ==, real ? "absent" : "standin");
}

static void
test_webrtc_wait_absent (Fixture *fixture, gconstpointer data)
{
  if (!rh_test_engine_is (RH_BROWSER_ENGINE_WPE, "an engine without WebRTC"))
    return;
  param (fixture, "sdkWebrtc=wait");
  param (fixture, "sdkReadyMs=200");
  fixture->options->webrtc = RH_WEBRTC_ABSENT;
  fixture->options->timeout_s = 3;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_assert_true (touched (fixture, "RTCPeerConnection"));
  /* It waited without an error naming the feature: reported, not blamed. */
  g_assert_true (has_problem (fixture, "engine-missing-feature", "warning"));
  g_assert_false (has_problem (fixture, "engine-missing-feature", "error"));
}

static void
test_webrtc_wait_stub (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkWebrtc=wait");
  param (fixture, "sdkReadyMs=200");
  assert_passed_with_one_ready_call (fixture);
  if (rh_test_engine () == RH_BROWSER_ENGINE_CHROMIUM)
    g_assert_cmpuint (count_events (fixture, "webrtc-standin"), ==, 0);
  else
    g_assert_cmpuint (count_events (fixture, "webrtc-standin"), >=, 3);
}

static void
test_get_user_media (Fixture *fixture, gconstpointer data)
{
  if (!rh_test_engine_is (RH_BROWSER_ENGINE_WPE, "an engine without WebRTC"))
    return;
  param (fixture, "sdkMedia=gum");
  fixture->options->webrtc = RH_WEBRTC_ABSENT;
  fixture->options->timeout_s = 3;
  g_assert_false (run (fixture));
  g_assert_true (touched (fixture, "getUserMedia"));
  g_assert_true (has_problem (fixture, "engine-missing-feature", "error"));
}

static void
test_get_user_media_stub (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkMedia=gum");
  param (fixture, "sdkReadyMs=300");
  g_assert_true (run (fixture));
  /* Answered like a recorder without devices. */
  g_assert_true (wait_for_event (fixture, "console"));
  g_assert_cmpuint (count_events (fixture, "js-error"), ==, 0);
}

static void
test_user_agent (Fixture *fixture, gconstpointer data)
{
  const char *chrome = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/120.0.0.0 Safari/537.36";

  param (fixture, "sdkBrowser=chrome");
  param (fixture, "sdkReadyMs=100");
  fixture->options->user_agent = g_strdup (chrome);
  g_assert_true (run (fixture));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (fixture->report,
                                                                                 "engine"),
                                                  "user_agent"),
                   ==, chrome);
  g_assert_cmpuint (count_events (fixture, "user-agent-read"), ==, 1);
}

static void
test_user_agent_refused (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkBrowser=chrome");
  fixture->options->timeout_s = 3;
  /* Chromium's own User-Agent is the browser the SDK asks for. */
  if (rh_test_engine () == RH_BROWSER_ENGINE_CHROMIUM)
    {
      param (fixture, "sdkReadyMs=100");
      g_assert_true (run (fixture));
      g_assert_cmpuint (count_events (fixture, "user-agent-read"), ==, 1);
      return;
    }
  g_assert_false (run (fixture));
  g_assert_true (problem_mentions (fixture, "js-error", "unsupported browser"));
  g_assert_cmpuint (count_events (fixture, "user-agent-read"), ==, 1);
}

/* ---- the page's requests ---- */

static JsonObject *
find_request (Fixture *fixture, const char *method, const char *url_part)
{
  JsonArray *requests = json_object_get_array_member (fixture->report, "requests");

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_equal (json_object_get_string_member (request, "method"), method)
          && strstr (json_object_get_string_member (request, "url"), url_part) != NULL)
        return request;
    }
  return NULL;
}

/* fetch, XMLHttpRequest and WebSocket to the SDK API hosts go to the local
 * cloud, which answers the SDKs' first calls; each request is logged with
 * its method and outcome, and written to a HAR file. */
static void
test_requests_routed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *har_path = g_build_filename (rh_test_tmpdir (), "requests.har", NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *request, *log;
  JsonArray *entries;
  gboolean routed_entry = FALSE;

  g_free (fixture->options->page);
  fixture->options->page = g_test_build_filename (G_TEST_DIST, "pages", "requests.html", NULL);
  ready (fixture, "console:requests-done");
  fixture->options->sdk_api_local = TRUE;
  fixture->options->har = g_strdup (har_path);
  g_assert_true (run (fixture));

  request = find_request (fixture, "GET", "https://api.agora.io/cn/edu/apps/app-1/v2/configs");
  g_assert_nonnull (request);
  g_assert_cmpstr (json_object_get_string_member (request, "api"), ==, "fetch");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (request, "routed_to"),
                                   "http://127.0.0.1:"));
  g_assert_cmpint (json_object_get_int_member (request, "status"), ==, 200);
  request = find_request (fixture, "PUT", "/v3/rooms/room-1/users/rec-1");
  g_assert_nonnull (request);
  g_assert_cmpstr (json_object_get_string_member (request, "api"), ==, "xhr");
  g_assert_cmpint (json_object_get_int_member (request, "status"), ==, 200);
  request = find_request (fixture, "GET", "wss://api.agora.io/socket");
  g_assert_nonnull (request);
  g_assert_cmpstr (json_object_get_string_member (request, "api"), ==, "websocket");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (request, "routed_to"),
                                   "ws://127.0.0.1:"));
  request = find_request (fixture, "GET", "https://unrouted.invalid/x");
  g_assert_nonnull (request);
  g_assert_true (json_object_get_null_member (request, "routed_to"));
  g_assert_false (json_object_get_null_member (request, "error"));
  g_assert_true (wait_for_event (fixture, "request-routed"));
  /* The page's own ready call is a template finding. */
  g_assert_true (has_problem (fixture, "page-ready-call", "warning"));

  g_assert_true (json_parser_load_from_file (parser, har_path, NULL));
  log = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)), "log");
  g_assert_cmpstr (json_object_get_string_member (log, "version"), ==, "1.2");
  entries = json_object_get_array_member (log, "entries");
  g_assert_cmpuint (json_array_get_length (entries), >=, 5);
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      JsonObject *har_request = json_object_get_object_member (entry, "request");

      g_assert_nonnull (json_object_get_string_member (entry, "startedDateTime"));
      if (g_str_equal (json_object_get_string_member (har_request, "method"), "PUT")
          && g_str_has_prefix (json_object_get_string_member (har_request, "url"),
                               "https://api.sd-rtn.com/")
          && json_object_has_member (entry, "_routedTo"))
        routed_entry = TRUE;
    }
  g_assert_true (routed_entry);
}

/* ---- the HAR and the page's failed loads ---- */

#define HAR_TOKEN "har-SEKRET-room-token"

/* tests/pages/ over HTTP on loopback port 0, 404 for what is not there, an
 * answer with ?delayMs=N that long after the request; a careless server's
 * answers echo the room token of the page's URL and set a cookie. */
typedef struct
{
  SoupServer *server;
  char *base_url;
  GHashTable *delayed; /* SoupServerMessage -> its timer: answers not given yet */
} PagesServer;

/* A delayed answer left at the end: its timer goes. */
static void
pages_answer (gpointer msg, gpointer timer, gpointer user_data)
{
  g_source_remove (GPOINTER_TO_UINT (timer));
}

static gboolean
pages_unpause (gpointer user_data)
{
  SoupServerMessage *msg = user_data;
  PagesServer *pages = g_object_get_data (G_OBJECT (msg), "pages");

  g_hash_table_remove (pages->delayed, msg);
  soup_server_message_unpause (msg);
  return G_SOURCE_REMOVE;
}

/* Gone before its answer (the page went, a request made twice): no answer. */
static void
pages_message_gone (SoupServerMessage *msg, gpointer user_data)
{
  PagesServer *pages = user_data;
  gpointer timer;

  if (pages->delayed != NULL && g_hash_table_steal_extended (pages->delayed, msg, NULL, &timer))
    g_source_remove (GPOINTER_TO_UINT (timer));
}

static void
pages_handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
              gpointer user_data)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *file = g_test_build_filename (G_TEST_DIST, "pages", path + 1, NULL);
  const char *token = query != NULL ? g_hash_table_lookup (query, "rtmToken") : NULL;
  char *contents = NULL;
  gsize length;

  if (token != NULL)
    soup_message_headers_append (headers, "X-Room-Echo", token);
  soup_message_headers_append (headers, "Set-Cookie", "session=" HAR_TOKEN);
  if (strstr (path, "..") != NULL || !g_file_get_contents (file, &contents, &length, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "not here", 8);
      return;
    }
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg,
                                    g_str_has_suffix (path, ".js") ? "text/javascript"
                                                                   : "text/html",
                                    SOUP_MEMORY_TAKE, contents, length);
  if (query != NULL && g_hash_table_lookup (query, "delayMs") != NULL)
    {
      PagesServer *pages = user_data;
      guint timer = g_timeout_add (atoi (g_hash_table_lookup (query, "delayMs")), pages_unpause,
                                   msg);

      soup_server_message_pause (msg);
      g_object_set_data (G_OBJECT (msg), "pages", pages);
      g_hash_table_insert (pages->delayed, msg, GUINT_TO_POINTER (timer));
      g_signal_connect (msg, "finished", G_CALLBACK (pages_message_gone), pages);
      g_signal_connect (msg, "disconnected", G_CALLBACK (pages_message_gone), pages);
    }
}

static void
pages_server_start (PagesServer *pages)
{
  g_autoptr (GError) error = NULL;
  GSList *uris;
  g_autofree char *text = NULL;

  pages->server = soup_server_new (NULL, NULL);
  pages->delayed = g_hash_table_new (g_direct_hash, g_direct_equal);
  soup_server_add_handler (pages->server, NULL, pages_handle, pages, NULL);
  soup_server_listen_local (pages->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (pages->server);
  text = g_uri_to_string (uris->data);
  pages->base_url = g_strndup (text, strlen (text) - 1); /* without the last / */
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
}

static void
pages_server_stop (PagesServer *pages)
{
  soup_server_disconnect (pages->server);
  g_hash_table_foreach (pages->delayed, pages_answer, NULL);
  g_clear_pointer (&pages->delayed, g_hash_table_unref);
  g_clear_object (&pages->server);
  g_clear_pointer (&pages->base_url, g_free);
}

/* The entries of @har whose request URL ends with @suffix. */
static GPtrArray *
har_entries (JsonNode *har, const char *suffix)
{
  JsonObject *log = json_object_get_object_member (json_node_get_object (har), "log");
  JsonArray *entries = json_object_get_array_member (log, "entries");
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *entry = json_array_get_object_element (entries, i);
      JsonObject *request = json_object_get_object_member (entry, "request");

      if (g_str_has_suffix (json_object_get_string_member (request, "url"), suffix))
        g_ptr_array_add (found, entry);
    }
  return found;
}

static gboolean
has_header (JsonObject *message, const char *name, const char *value)
{
  JsonArray *headers = json_object_get_array_member (message, "headers");

  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonObject *header = json_array_get_object_element (headers, i);

      if (g_ascii_strcasecmp (json_object_get_string_member (header, "name"), name) == 0
          && (value == NULL || g_str_equal (json_object_get_string_member (header, "value"),
                                            value)))
        return TRUE;
    }
  return FALSE;
}

/* A HAR of a real check as developer tools want one: valid against the
 * HAR 1.2 schema; a script with its MIME type, response headers, size and
 * timing phases; a routed call under the URL the page asked for, saying
 * where it went; no room token, not even in a header a server echoed, and
 * no cookie. */
static void
test_har_as_a_browser (Fixture *fixture, gconstpointer data)
{
  PagesServer pages = { 0 };
  g_autofree char *har_path = g_build_filename (rh_test_tmpdir (), "page.har", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) har = NULL;
  g_autoptr (GPtrArray) scripts = NULL;
  g_autoptr (GPtrArray) routed = NULL;
  g_autoptr (GPtrArray) documents = NULL;
  g_autoptr (GPtrArray) configs = NULL;
  JsonObject *script, *response, *timings, *document;

  pages_server_start (&pages);
  g_free (fixture->options->page);
  fixture->options->page = g_strconcat (pages.base_url, "/har.html", NULL);
  fixture->options->room->rtm_token = g_strdup (HAR_TOKEN);
  fixture->options->sdk_api_local = TRUE;
  fixture->options->har = g_strdup (har_path);
  ready (fixture, "console:har-done");
  g_assert_true (run (fixture));
  pages_server_stop (&pages);

  g_assert_true (g_file_get_contents (har_path, &text, NULL, NULL));
  g_assert_null (strstr (text, "SEKRET"));
  har = rh_test_parse_json (text);

  scripts = har_entries (har, "/har-script.js");
  g_assert_cmpuint (scripts->len, ==, 1);
  script = g_ptr_array_index (scripts, 0);
  response = json_object_get_object_member (script, "response");
  g_assert_cmpint (json_object_get_int_member (response, "status"), ==, 200);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (response, "content"), "mimeType"),
                   ==, "text/javascript");
  g_assert_true (has_header (response, "Content-Type", NULL));
  g_assert_true (has_header (json_object_get_object_member (script, "request"), "User-Agent",
                             NULL));
  g_assert_cmpint (json_object_get_int_member (response, "bodySize"), >, 0);
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (response, "content"), "size"),
                   >, 0);
  timings = json_object_get_object_member (script, "timings");
  g_assert_cmpint (json_object_get_int_member (timings, "dns"), >=, 0);
  g_assert_cmpint (json_object_get_int_member (timings, "connect"), >=, 0);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (script, "_initiator"), "type"),
                   ==, "script");

  /* The server echoed the token in a header whose name says nothing. */
  documents = har_entries (har, "");
  document = g_ptr_array_index (documents, 0);
  g_assert_true (has_header (json_object_get_object_member (document, "response"),
                             "X-Room-Echo", "[REDACTED]"));

  routed = har_entries (har, "https://api.agora.io/cn/edu/apps/app-1/v2/configs");
  g_assert_cmpuint (routed->len, ==, 1);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (g_ptr_array_index (routed, 0),
                                                                  "_routedTo"),
                                   "http://127.0.0.1:"));
  /* Not again under the loopback URL it went to. */
  configs = har_entries (har, "/v2/configs");
  g_assert_cmpuint (configs->len, ==, 1);

  rh_test_assert_har_valid (har_path);
}

static gboolean
is_inline (const char *url)
{
  return g_str_has_prefix (url, "data:") || g_str_has_prefix (url, "blob:");
}

/* The failures the resource-failed problems whose message has @text
 * stand for. */
static gint64
failures_counted (JsonArray *problems, const char *text)
{
  gint64 count = 0;

  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *problem = json_array_get_object_element (problems, i);

      if (g_str_equal (json_object_get_string_member (problem, "code"), "resource-failed")
          && strstr (json_object_get_string_member (problem, "message"), text) != NULL)
        count += json_object_get_int_member_with_default (problem, "count", 1);
    }
  return count;
}

static JsonObject *
find_resource (Fixture *fixture, const char *suffix, guint status)
{
  JsonArray *resources = json_object_get_array_member (fixture->report, "resources");

  for (guint i = 0; i < json_array_get_length (resources); i++)
    {
      JsonObject *resource = json_array_get_object_element (resources, i);

      if (g_str_has_suffix (json_object_get_string_member (resource, "url"), suffix)
          && json_object_get_int_member (resource, "status") == status)
        return resource;
    }
  return NULL;
}

/* Every subresource that fails is a failed resource with its status and
 * a problem: a font (no element to fire an error event), an image, a style
 * sheet, a worker's script, and media; inline data (data:, blob:) is no
 * resource of its own, nor a HAR entry. */
static void
test_failing_subresources (Fixture *fixture, gconstpointer data)
{
  static const char *const failing[] = { "/missing-font.woff2", "/missing-image.png",
                                         "/missing-style.css", "/missing-worker.js" };
  PagesServer pages = { 0 };
  g_autofree char *har_path = g_build_filename (rh_test_tmpdir (), "failing.har", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) har = NULL;
  g_autoptr (GPtrArray) all = NULL;
  g_autoptr (GPtrArray) fonts = NULL;
  JsonArray *resources;
  JsonArray *problems;
  JsonObject *media;
  gboolean chromium = rh_test_engine () == RH_BROWSER_ENGINE_CHROMIUM;

  pages_server_start (&pages);
  g_free (fixture->options->page);
  fixture->options->page = g_strconcat (pages.base_url, "/failing-subresources.html", NULL);
  fixture->options->har = g_strdup (har_path);
  ready (fixture, "console:subresources-done");
  run (fixture);
  pages_server_stop (&pages);

  problems = json_object_get_array_member (fixture->report, "problems");
  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *problem = json_array_get_object_element (problems, i);

      g_test_message ("%s %s x%" G_GINT64_FORMAT ": %s",
                      json_object_get_string_member (problem, "code"),
                      json_object_get_string_member (problem, "severity"),
                      json_object_get_int_member_with_default (problem, "count", 1),
                      json_object_get_string_member (problem, "message"));
    }
  for (guint i = 0; i < G_N_ELEMENTS (failing); i++)
    {
      JsonObject *resource = find_resource (fixture, failing[i], 404);

      g_test_message ("%s", failing[i]);
      g_assert_nonnull (resource);
      g_assert_true (json_object_get_boolean_member (resource, "failed"));
      g_assert_cmpstr (json_object_get_string_member (resource, "error"), ==,
                       "HTTP 404 Not Found");
    }
  /* A host's failures of one kind are one problem with their count, the
   * worker's script (an error) apart from the rest (warnings): every 404
   * is counted once. */
  /* WebKit hands over no response of a media load: its status is not
   * known, its failure is; Chromium's is one more 404. */
  g_assert_cmpint (failures_counted (problems, "HTTP 404 Not Found"), ==,
                   G_N_ELEMENTS (failing) + (chromium ? 1 : 0));
  media = find_resource (fixture, "/missing-audio.wav", chromium ? 404 : 0);
  g_assert_nonnull (media);
  g_assert_true (json_object_get_boolean_member (media, "failed"));
  /* Chromium's is among the host's 404s, counted above. */
  if (!chromium)
    g_assert_true (problem_mentions (fixture, "resource-failed", "/missing-audio.wav"));

  resources = json_object_get_array_member (fixture->report, "resources");
  for (guint i = 0; i < json_array_get_length (resources); i++)
    g_assert_false (is_inline (json_object_get_string_member (
      json_array_get_object_element (resources, i), "url")));
  g_assert_true (g_file_get_contents (har_path, &text, NULL, NULL));
  har = rh_test_parse_json (text);
  all = har_entries (har, "");
  for (guint i = 0; i < all->len; i++)
    g_assert_false (is_inline (json_object_get_string_member (
      json_object_get_object_member (g_ptr_array_index (all, i), "request"), "url")));
  fonts = har_entries (har, "/missing-font.woff2");
  g_assert_cmpuint (fonts->len, ==, 1);
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (g_ptr_array_index (fonts, 0), "response"),
                     "status"),
                   ==, 404);
}

/* An SDK added after the load event that takes longer than the launch
 * grace to arrive (a bundle of megabytes on a busy machine): the grace runs
 * from the script's end, and the page gets ready.  (WebKit's load ends
 * after such a script; Chromium's load event comes before it.) */
static void
test_late_sdk (Fixture *fixture, gconstpointer data)
{
  PagesServer pages = { 0 };

  pages_server_start (&pages);
  g_free (fixture->options->page);
  fixture->options->page = g_strconcat (pages.base_url, "/late-sdk.html", NULL);
  fixture->options->timeout_s = 30;
  param (fixture, "delayMs=7000");
  g_assert_true (run (fixture));
  pages_server_stop (&pages);
  g_assert_cmpint (timeline_ms (fixture, "launch_ms"), >=, 7000);
  g_assert_cmpint (timeline_ms (fixture, "ready_event_ms"), >=, 7000);
}

/* A page posting what it likes to the bridge's handler neither crashes the
 * check nor swells its report. */
static void
test_hostile_page (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) node = json_node_new (JSON_NODE_OBJECT);
  g_autofree char *json = NULL;

  g_free (fixture->options->page);
  fixture->options->page = g_test_build_filename (G_TEST_DIST, "pages", "hostile.html", NULL);
  ready (fixture, "console:hostile-done");
  /* Thousands of messages take a while under the sanitizers. */
  fixture->options->timeout_s = 120;
  g_assert_true (run (fixture));
  json_node_set_object (node, fixture->report);
  json = json_to_string (node, FALSE);
  g_assert_cmpuint (strlen (json), <, 4 * 1024 * 1024);
  g_assert_null (strstr (json, "\"deep\""));
  /* The flood is counted, not kept; recordhost's own events still are. */
  g_assert_cmpuint (count_events (fixture, "page-events-dropped"), ==, 1);
  g_assert_cmpuint (json_array_get_length (events (fixture)), <, 6000);
  g_assert_cmpuint (count_events (fixture, "passed"), ==, 1);
}

/* A launch that cannot be wrapped may have happened unseen: the check does
 * not end early on "never called", it says what it could not see. */
static void
test_unpatchable_waits (Fixture *fixture, gconstpointer data)
{
  param (fixture, "sdkShape=constfrozen");
  fixture->options->timeout_s = 8;
  g_assert_false (run (fixture));
  g_assert_error (fixture->error, RH_ERROR, RH_ERROR_NOT_READY);
  g_assert_nonnull (strstr (fixture->error->message, "not ready within 8 s"));
  g_assert_nonnull (strstr (fixture->error->message, "could not be intercepted"));
}

/* ---- outputs on a full disk ---- */

/* Each output's file size limit is below what it needs; the child's own
 * stderr is far below it. */
#define FULL_DISK_BYTES 1024

/* The built binary, with a disk that fills (a file size limit) once its
 * page has loaded and before it is ready: the check fails, even under -q,
 * one line naming each file and why, and leaves no part of any file. */
static void
test_outputs_disk_full (void)
{
  const char *tmp = rh_test_tmpdir ();
  g_autoptr (RhTestBeacon) beacon = rh_test_beacon_new ();
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "loaded-then-ready.html",
                                                 NULL);
  g_autofree char *loaded = g_strconcat ("loadedBeacon=", rh_test_beacon_get_url (beacon), NULL);
  g_autofree char *har = g_build_filename (tmp, "requests.har", NULL);
  g_autofree char *junit = g_build_filename (tmp, "junit.xml", NULL);
  g_autofree char *snapshots = g_build_filename (tmp, "snapshots", NULL);
  g_autofree char *first_png = g_build_filename (snapshots, "first.png", NULL);
  const char *args[] = { "check", page, "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                         "--ready", "console:READY", "--param", loaded, "-q", "--har", har,
                         "--junit", junit, "--snapshots", snapshots, NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  g_autoptr (GDir) dir = NULL;
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree char *expected = NULL;
  int status;

  rh_test_beacon_wait (beacon, 120);
  rh_test_child_limit_file_size (child, FULL_DISK_BYTES);
  status = rh_test_child_wait (child, 120);
  err = rh_test_child_get_stderr (child);
  g_test_message ("stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  line = rh_test_last_line_with_prefix (err, "recordhost check: ");
  expected = g_strdup_printf ("recordhost check: cannot write --snapshots %s: %s; "
                              "cannot write --har %s: %s; cannot write --junit %s: %s",
                              first_png, g_strerror (EFBIG), har, g_strerror (EFBIG), junit,
                              g_strerror (EFBIG));
  g_assert_cmpstr (line, ==, expected);
  g_assert_false (g_file_test (har, G_FILE_TEST_EXISTS));
  g_assert_false (g_file_test (junit, G_FILE_TEST_EXISTS));
  /* No empty, cut or temporary picture. */
  dir = g_dir_open (snapshots, 0, NULL);
  g_assert_nonnull (dir);
  g_assert_null (g_dir_read_name (dir));
}

int
main (int argc, char **argv)
{
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  rh_test_init (&argc, &argv);

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

  for (guint i = 0; i < G_N_ELEMENTS (cause_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/check/cause/%s", cause_rows[i].name);

      g_test_add (path, Fixture, &cause_rows[i], fixture_setup, test_cause, fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (shape_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/check/shape/%s", shape_rows[i].shape);

      g_test_add (path, Fixture, &shape_rows[i], fixture_setup, test_shape, fixture_teardown);
    }
  ADD ("/check/protocol/event1", test_protocol_event1);
  ADD ("/check/protocol/whiteboard", test_protocol_whiteboard);
  ADD ("/check/timeline/clock", test_timeline_clock);
  ADD ("/check/protocol/whiteboard-other-type", test_protocol_whiteboard_other_type);
  ADD ("/check/protocol/notify", test_protocol_notify);
  ADD ("/check/protocol/console", test_protocol_console);
  ADD ("/check/protocol/event1-not-ready-for-notify", test_protocol_event1_not_sent_for_notify);
  ADD ("/check/page/http", test_page_http);
  ADD ("/check/page/404", test_page_404);
  ADD ("/check/page/refused", test_page_refused);
  ADD ("/check/page/restricted-port", test_page_restricted_port);
  ADD ("/check/page/launch-throws", test_page_launch_throws);
  ADD ("/check/page/rejects", test_page_rejects);
  ADD ("/check/page/error-then-ready", test_page_error_then_ready);
  ADD ("/check/requests/routed", test_requests_routed);
  ADD ("/check/har/as-a-browser", test_har_as_a_browser);
  ADD ("/check/resources/failing-subresources", test_failing_subresources);
  ADD ("/check/page/hostile", test_hostile_page);
  ADD ("/check/page/late-sdk", test_late_sdk);
  ADD ("/check/shape/unpatchable-waits", test_unpatchable_waits);
  ADD ("/check/ready-call/api-base-password-redacted", test_api_base_password_redacted);
  ADD ("/check/ready-call/page-password-redacted", test_page_password_redacted);
  ADD ("/check/page/never-ready", test_page_never_ready);
  ADD ("/check/page/never-ready-junit", test_page_never_ready_junit);
  ADD ("/check/page/bundle-404", test_page_bundle_404);
  ADD ("/check/ready-call/401", test_ready_call_401);
  ADD ("/check/ready-call/code-nonzero", test_ready_call_code_nonzero);
  ADD ("/check/ready-call/5xx-then-success", test_ready_call_5xx_then_success);
  ADD ("/check/ready-call/local-cloud", test_ready_call_local_cloud);
  ADD ("/check/ready-call/region-and-token", test_ready_call_region_and_token);
  for (guint i = 0; rh_test_token_forms[i].name != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/check/token/%s", rh_test_token_forms[i].name);

      g_test_add (path, Fixture, &rh_test_token_forms[i], fixture_setup, test_token_form,
                  fixture_teardown);
    }
  ADD ("/check/render/viewport", test_viewport);
  ADD ("/check/ready-call/token-redacted-in-problems", test_token_redacted_in_problems);
  ADD ("/check/white-screen/paints-late", test_paints_late);
  ADD ("/check/white-screen/paints-late-fail-on", test_paints_late_fail_on);
  ADD ("/check/white-screen/paints-before-ready", test_paints_before_ready);
  ADD ("/check/white-screen/never-paints", test_never_paints);
  ADD ("/check/problems/bundle-404", test_bundle_404_problems);
  ADD ("/check/problems/launch-not-called", test_launch_not_called);
  ADD ("/check/problems/script-404-fails-ready-page", test_script_404_fails_ready_page);
  ADD ("/check/problems/missing-param", test_missing_param);
  ADD ("/check/engine/report", test_engine_report);
  ADD ("/check/engine/probed-once", test_engine_probed_once);
  ADD ("/check/engine/webrtc-required-absent", test_webrtc_required_absent);
  ADD ("/check/engine/webrtc-required-stub", test_webrtc_required_stub);
  ADD ("/check/engine/webrtc-wait-absent", test_webrtc_wait_absent);
  ADD ("/check/engine/webrtc-wait-stub", test_webrtc_wait_stub);
  ADD ("/check/engine/get-user-media", test_get_user_media);
  ADD ("/check/engine/get-user-media-stub", test_get_user_media_stub);
  ADD ("/check/engine/user-agent", test_user_agent);
  ADD ("/check/engine/user-agent-refused", test_user_agent_refused);
#undef ADD
  g_test_add_func ("/check/outputs/disk-full", test_outputs_disk_full);
  return g_test_run ();
}
