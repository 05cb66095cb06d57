/* RhPageWatch on a fake host: a load's lifecycle and times, first paint,
 * ready detection and the ready call, failures and resources; and what a
 * page's messages are recorded as, by a watch without a host. */
#include <string.h>

#include "fake-cloud.h"
#include "fake-page-host.h"
#include "rh-bridge.h"
#include "rh-error.h"
#include "rh-har.h"
#include "rh-page-json.h"
#include "rh-page-watch.h"
#include "rh-route.h"
#include "test-utils.h"

#define PAGE_URL "https://pages.example/record.html"

typedef struct
{
  FakeCloud *cloud;
  SoupSession *session;
  RhTimeline *timeline;
  RhPageOptions *options;
  FakePageHost *host;
  RhReadyCall *ready_call;
  RhPageWatch *watch;
  GPtrArray *failures; /* GError */
  guint acknowledged;
  guint first_paints;
  guint loaded;
} Fixture;

static void
failed_cb (RhPageWatch *watch, GError *error, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->failures, g_error_copy (error));
}

static void
count_cb (RhPageWatch *watch, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autofree char *uri = NULL;

  fixture->cloud = fake_cloud_new ();
  fixture->session = rh_ready_call_session_new ();
  uri = rh_ready_call_build_uri (fixture->cloud->base_url, NULL, "app", "room", NULL);
  fixture->ready_call = rh_ready_call_new (fixture->session, uri);
  fixture->timeline = rh_timeline_new ();
  fixture->options = rh_page_options_new ();
  fixture->host = fake_page_host_new ();
  fixture->failures = g_ptr_array_new_with_free_func ((GDestroyNotify) g_error_free);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->watch);
  g_clear_object (&fixture->host);
  g_clear_object (&fixture->ready_call);
  g_clear_object (&fixture->session);
  rh_page_options_free (fixture->options);
  rh_timeline_free (fixture->timeline);
  fake_cloud_free (fixture->cloud);
  g_ptr_array_unref (fixture->failures);
}

/* A watch on the fixture's host, ready by @ready (--ready), loaded. */
static void
watch_load (Fixture *fixture, const char *ready)
{
  g_autoptr (GError) error = NULL;

  fixture->options->ready = rh_ready_protocol_parse (ready, &error);
  g_assert_no_error (error);
  fixture->watch = rh_page_watch_new (RH_PAGE_HOST (fixture->host), PAGE_URL, fixture->options,
                                      fixture->ready_call, fixture->timeline, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->watch, "failed", G_CALLBACK (failed_cb), fixture);
  g_signal_connect (fixture->watch, "ready-acknowledged", G_CALLBACK (count_cb),
                    &fixture->acknowledged);
  g_signal_connect (fixture->watch, "first-paint", G_CALLBACK (count_cb),
                    &fixture->first_paints);
  g_signal_connect (fixture->watch, "loaded", G_CALLBACK (count_cb), &fixture->loaded);
  rh_page_watch_load (fixture->watch, g_get_monotonic_time () + 10 * G_USEC_PER_SEC);
}

static void
assert_time (gint64 ms, gint64 after)
{
  g_assert_cmpint (ms, !=, RH_PAGE_NO_TIME);
  g_assert_cmpint (ms, >=, after);
}

typedef struct
{
  const char *name;
  const char *capability; /* the value the page gave RTCPeerConnection */
  gboolean missing;
} CapabilityRow;

/* The page writes its capabilities: only true says the engine has one. */
static const CapabilityRow capability_rows[] = {
  { "true", "true", FALSE },
  { "false", "false", TRUE },
  { "object", "{}", TRUE },
  { "array", "[true]", TRUE },
  { "string", "\"yes\"", TRUE },
  { "null", "null", TRUE },
  { "one", "1", TRUE },
};

static void
record (RhPageWatch *watch, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = rh_bridge_message_parse (json, &error);

  g_assert_no_error (error);
  rh_page_watch_record_message (watch, message);
}

static void
test_capability (gconstpointer data)
{
  const CapabilityRow *row = data;
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (RhPageWatch) watch = rh_page_watch_new_detached (PAGE_URL, timeline);
  g_autofree char *capabilities = g_strdup_printf (
    "{\"kind\":\"capabilities\",\"capabilities\":{\"RTCPeerConnection\":%s}}", row->capability);
  g_autoptr (RhPageOutcome) outcome = NULL;

  record (watch, capabilities);
  record (watch, "{\"kind\":\"touch\",\"feature\":\"RTCPeerConnection\"}");
  outcome = rh_page_watch_end_load (watch);
  g_assert_cmpuint (outcome->engine.missing_touched->len, ==, row->missing ? 1 : 0);
  g_assert_cmpuint (outcome->engine.touched->len, ==, 1);
}

/* Wherever the page puts the token, the load's outcome, and so the report
 * and the HAR, say [REDACTED]: in an element's tag, a request's api and
 * method, the SDK's version, launch options and what launch returned, an
 * uncaught error, a feature name. */
static void
test_token_redacted (void)
{
  static const char *const messages[] = {
    "{\"kind\":\"resource-error\",\"tag\":\"x+tok/1\",\"url\":\"https://cdn.example/a.js\"}",
    "{\"kind\":\"request\",\"id\":1,\"api\":\"x+tok/1\",\"method\":\"x+tok/1\","
    "\"url\":\"https://api.example/?t=x%2Btok%2F1\"}",
    "{\"kind\":\"response\",\"id\":1,\"status\":200}",
    "{\"kind\":\"launch\",\"version\":\"x+tok/1\",\"options\":[\"x+tok/1\"]}",
    "{\"kind\":\"launch-result\",\"type\":\"x+tok/1\"}",
    "{\"kind\":\"request\",\"id\":2,\"api\":\"x+tok/1\",\"url\":\"https://a.example/\","
    "\"routed_to\":\"http://127.0.0.1:1/\"}",
    "{\"kind\":\"error\",\"message\":\"TypeError: x+tok/1\"}",
    "{\"kind\":\"touch\",\"feature\":\"x+tok/1\"}",
    "{\"kind\":\"capabilities\",\"capabilities\":{\"RTCx+tok/1\":true}}",
  };
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (RhPageWatch) watch = rh_page_watch_new_detached (PAGE_URL, timeline);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) report = NULL;
  g_autoptr (JsonNode) har = NULL;
  g_autofree char *report_text = NULL;
  g_autofree char *har_text = NULL;
  g_autoptr (RhPageOutcome) outcome = NULL;

  rh_timeline_add_secret (timeline, "x+tok/1");
  for (guint i = 0; i < G_N_ELEMENTS (messages); i++)
    record (watch, messages[i]);
  outcome = rh_page_watch_end_load (watch);
  g_assert_nonnull (strstr (outcome->first_js_error, "[REDACTED]"));
  json_builder_begin_object (builder);
  rh_page_json_add_resources (outcome, builder);
  rh_page_json_add_requests (outcome, builder);
  rh_page_json_add_engine (outcome, builder);
  json_builder_end_object (builder);
  report = json_builder_get_root (builder);
  report_text = json_to_string (report, FALSE);
  har = rh_har_build (outcome);
  har_text = json_to_string (har, FALSE);

  g_assert_null (strstr (report_text, "tok"));
  g_assert_nonnull (strstr (report_text, "[REDACTED]"));
  g_assert_null (strstr (har_text, "tok"));
  g_assert_nonnull (strstr (har_text, "[REDACTED]"));
}

/* The SDK as its bundle names itself, beside what its object says: the
 * report and the template checks go by the bundle's. */
static void
test_sdk_bundle (void)
{
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (RhPageWatch) watch = rh_page_watch_new_detached (PAGE_URL, timeline);
  g_autoptr (RhPageOutcome) outcome = NULL;
  guint read = 0;

  g_signal_connect (watch, "sdk-bundle-read", G_CALLBACK (count_cb), &read);
  record (watch, "{\"kind\":\"sdk-bundle\",\"url\":\"https://cdn.example/edu_sdk.bundle.js\","
                 "\"reading\":true}");
  g_assert_true (rh_page_watch_is_reading_sdk_bundle (watch));
  record (watch, "{\"kind\":\"launch\",\"version\":\"1.1.0\",\"options\":[]}");
  record (watch, "{\"kind\":\"sdk-bundle\",\"url\":\"https://cdn.example/edu_sdk.bundle.js\","
                 "\"reading\":false,\"version\":\"1.1.5-rc.2\"}");
  g_assert_false (rh_page_watch_is_reading_sdk_bundle (watch));
  g_assert_cmpuint (read, ==, 1);
  outcome = rh_page_watch_end_load (watch);
  g_assert_cmpstr (outcome->launch.sdk_version, ==, "1.1.0");
  g_assert_cmpstr (outcome->launch.bundle_version, ==, "1.1.5-rc.2");
  g_assert_cmpstr (outcome->launch.bundle_url, ==, "https://cdn.example/edu_sdk.bundle.js");
  g_assert_cmpuint (rh_timeline_count (timeline, "sdk-bundle"), ==, 1);
}

/* The process's first page probes the engine; once an empty document has
 * answered for it, later pages do not.  First of the tests: the answer
 * stays for the process. */
static void
test_probe (Fixture *fixture, gconstpointer data)
{
  g_autoptr (FakePageHost) next_host = fake_page_host_new ();
  g_autoptr (RhPageWatch) next = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  watch_load (fixture, "event1");
  if (strstr (fake_page_host_get_script (fixture->host), "\"probe\":true") == NULL)
    {
      g_test_skip ("this process knows the engine's capabilities already");
      return;
    }
  rh_page_watch_stop (fixture->watch);
  g_assert_cmpuint (fake_page_host_get_stops (fixture->host), ==, 1);
  rh_page_watch_probe_engine_async (fixture->watch, g_get_monotonic_time () + 5 * G_USEC_PER_SEC,
                                    rh_test_async_cb, &result);
  /* The page's document never loaded: the empty one is loaded at once. */
  g_assert_nonnull (fake_page_host_get_html (fixture->host));
  g_assert_cmpstr (fake_page_host_get_loaded (fixture->host), ==, "about:blank");
  /* Only the probe's answer counts from that document. */
  fake_page_host_post (fixture->host, "{\"kind\":\"console\",\"level\":\"log\",\"text\":\"x\"}");
  fake_page_host_post (fixture->host, "{\"kind\":\"capabilities\","
                                      "\"capabilities\":{\"RTCPeerConnection\":false}}");
  g_assert_true (rh_test_wait_result (&result, 5));
  g_assert_true (rh_page_watch_probe_engine_finish (fixture->watch, result, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "console"), ==, 0);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "capabilities"), ==, 1);

  next = rh_page_watch_new (RH_PAGE_HOST (next_host), PAGE_URL, fixture->options,
                            fixture->ready_call, fixture->timeline, &error);
  g_assert_no_error (error);
  g_assert_nonnull (strstr (fake_page_host_get_script (next_host), "\"probe\":false"));
}

/* Each load event in its place on the timeline, and in the times. */
static void
test_lifecycle (Fixture *fixture, gconstpointer data)
{
  const RhPageTimes *times;

  watch_load (fixture, "event1");
  times = rh_page_watch_get_times (fixture->watch);
  g_assert_cmpuint (fake_page_host_get_loads (fixture->host), ==, 1);
  g_assert_cmpstr (fake_page_host_get_loaded (fixture->host), ==, PAGE_URL);
  g_assert_nonnull (strstr (fake_page_host_get_script (fixture->host), RH_BRIDGE_HANDLER_NAME));
  assert_time (times->load_ms, 0);
  g_assert_cmpint (times->committed_ms, ==, RH_PAGE_NO_TIME);
  g_assert_cmpstr (rh_page_watch_waiting_for (fixture->watch), ==, "the page to load");

  fake_page_host_load_event (fixture->host, RH_PAGE_LOAD_STARTED, 0);
  fake_page_host_load_event (fixture->host, RH_PAGE_LOAD_REDIRECTED, 0);
  fake_page_host_load_event (fixture->host, RH_PAGE_LOAD_COMMITTED, 200);
  assert_time (times->committed_ms, times->load_ms);
  g_assert_cmpuint (times->http_status, ==, 200);
  g_assert_cmpint (times->dom_loaded_ms, ==, RH_PAGE_NO_TIME);
  fake_page_host_post (fixture->host, "{\"kind\":\"dom-content-loaded\"}");
  assert_time (times->dom_loaded_ms, times->committed_ms);
  g_assert_cmpuint (fixture->loaded, ==, 0);
  fake_page_host_load_event (fixture->host, RH_PAGE_LOAD_FINISHED, 0);
  assert_time (times->load_finished_ms, times->dom_loaded_ms);
  g_assert_cmpuint (fixture->loaded, ==, 1);

  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "navigation-started"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "navigation-redirected"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "navigation-committed"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "dom-loaded"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "load-finished"), ==, 1);
  g_assert_cmpuint (fixture->failures->len, ==, 0);
  g_assert_cmpstr (rh_page_watch_waiting_for (fixture->watch), ==,
                   "AgoraEduSDK.launch to be called");

  /* A reload starts the times over. */
  rh_page_watch_load (fixture->watch, g_get_monotonic_time () + G_USEC_PER_SEC);
  g_assert_cmpuint (fake_page_host_get_loads (fixture->host), ==, 2);
  g_assert_cmpint (times->committed_ms, ==, RH_PAGE_NO_TIME);
  g_assert_cmpint (times->load_finished_ms, ==, RH_PAGE_NO_TIME);
}

/* The host has the page's routes before the page loads, for an engine
 * that routes every load to route the first. */
static void
test_routes (Fixture *fixture, gconstpointer data)
{
  const GPtrArray *routes;
  const RhRoute *route;
  guint loads_before = G_MAXUINT;

  g_ptr_array_add (fixture->options->routes,
                   rh_route_parse ("sdk.routed.test=http://127.0.0.1:8440", NULL));
  watch_load (fixture, "event1");
  routes = fake_page_host_get_routes (fixture->host, &loads_before);
  g_assert_nonnull (routes);
  g_assert_cmpuint (loads_before, ==, 0);
  g_assert_cmpuint (routes->len, ==, 1);
  route = g_ptr_array_index (routes, 0);
  g_assert_cmpstr (route->host, ==, "sdk.routed.test");
  g_assert_cmpstr (route->base, ==, "http://127.0.0.1:8440");
}

/* The report says which engine the host runs. */
static void
test_engine (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhPageOutcome) outcome = NULL;

  watch_load (fixture, "event1");
  outcome = rh_page_watch_end_load (fixture->watch);
  g_assert_cmpstr (outcome->engine.name, ==, "Fake");
  g_assert_cmpstr (outcome->engine.version, ==, "1.0");
  g_assert_cmpstr (outcome->engine.user_agent, ==, "FakeHost/1.0");
  g_assert_cmpint (outcome->engine.webrtc, ==, RH_WEBRTC_STANDIN);
}

/* The first frame, then the first that is not blank, once. */
static void
test_first_paint (Fixture *fixture, gconstpointer data)
{
  const RhPageTimes *times;

  watch_load (fixture, "event1");
  times = rh_page_watch_get_times (fixture->watch);
  fake_page_host_load_page (fixture->host, 200);
  fake_page_host_paint (fixture->host, TRUE);
  assert_time (times->first_frame_ms, times->load_ms);
  g_assert_cmpint (times->first_nonblank_ms, ==, RH_PAGE_NO_TIME);
  g_assert_cmpuint (fixture->first_paints, ==, 0);
  fake_page_host_paint (fixture->host, FALSE);
  assert_time (times->first_nonblank_ms, times->first_frame_ms);
  g_assert_cmpuint (fixture->first_paints, ==, 1);
  fake_page_host_paint (fixture->host, FALSE);
  g_assert_cmpuint (fixture->first_paints, ==, 1);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "first-frame"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "first-nonblank-frame"), ==, 1);
}

/* --blank-threshold reaches the frame log, and stays when pictures are
 * kept and from one load's outcome to the next: a frame an eighth painted
 * is blank at 80 %. */
static void
test_blank_threshold (Fixture *fixture, gconstpointer data)
{
  const RhPageTimes *times;

  fixture->options->blank_threshold = 80;
  watch_load (fixture, "event1");
  rh_page_watch_keep_pictures (fixture->watch);
  for (guint load = 0; load < 2; load++)
    {
      g_autoptr (RhPageOutcome) outcome = NULL;

      rh_page_watch_load (fixture->watch, g_get_monotonic_time () + 10 * G_USEC_PER_SEC);
      times = rh_page_watch_get_times (fixture->watch);
      fake_page_host_load_page (fixture->host, 200);
      fake_page_host_paint (fixture->host, FALSE);
      g_assert_cmpint (times->first_frame_ms, !=, RH_PAGE_NO_TIME);
      g_assert_cmpint (times->first_nonblank_ms, ==, RH_PAGE_NO_TIME);
      outcome = rh_page_watch_end_load (fixture->watch);
      g_assert_cmpuint (rh_frame_log_get_blank_threshold (outcome->frames), ==, 80);
      g_assert_nonnull (rh_frame_log_get_first (outcome->frames));
      g_assert_cmpuint (rh_frame_log_get_blank_spans (outcome->frames)->len, ==, 1);
    }
}

typedef struct
{
  const char *name;
  const char *ready;           /* --ready */
  const char *messages[3];     /* what the page posts, in order */
  gboolean is_ready;
} ReadyRow;

static const ReadyRow ready_rows[] = {
  { "event1", "event1", { "{\"kind\":\"launch\"}", "{\"kind\":\"event\",\"event\":1}" }, TRUE },
  { "event1-as-text", "event1", { "{\"kind\":\"event\",\"event\":\"1\"}" }, TRUE },
  { "event2", "event1", { "{\"kind\":\"event\",\"event\":2}" }, FALSE },
  { "error-is-not-ready", "event1", { "{\"kind\":\"error\",\"message\":\"boom\"}" }, FALSE },
  { "whiteboard", "whiteboard",
    { "{\"kind\":\"event\",\"event\":1,\"args\":{\"type\":\"whiteboard\"}}" }, TRUE },
  { "whiteboard-other", "whiteboard",
    { "{\"kind\":\"event\",\"event\":1,\"args\":{\"type\":\"chat\"}}" }, FALSE },
  { "notify", "notify", { "{\"kind\":\"notify\"}" }, TRUE },
  { "notify-event1", "notify", { "{\"kind\":\"event\",\"event\":1}" }, FALSE },
  { "console", "console:all set",
    { "{\"kind\":\"console\",\"level\":\"log\",\"text\":\"all set\"}" }, TRUE },
  { "console-other", "console:all set",
    { "{\"kind\":\"console\",\"level\":\"log\",\"text\":\"all set?\"}" }, FALSE },
  /* A subframe's or a worker's bridge is no source of readiness. */
  { "event1-of-a-frame", "event1",
    { "{\"kind\":\"launch\",\"scope\":\"frame\",\"context\":\"f1\"}",
      "{\"kind\":\"event\",\"event\":1,\"scope\":\"frame\",\"context\":\"f1\"}" }, FALSE },
  { "notify-of-a-worker", "notify",
    { "{\"kind\":\"notify\",\"scope\":\"worker\",\"context\":\"top/w1\"}" }, FALSE },
};

static gboolean
acknowledged (gpointer user_data)
{
  Fixture *fixture = user_data;

  return fixture->acknowledged > 0 || fixture->failures->len > 0;
}

/* The ready signal of --ready, and only it, sends the ready call once. */
static void
test_ready (Fixture *fixture, gconstpointer data)
{
  const ReadyRow *row = data;
  const RhPageTimes *times;

  watch_load (fixture, row->ready);
  times = rh_page_watch_get_times (fixture->watch);
  fake_page_host_load_page (fixture->host, 200);
  for (guint i = 0; i < G_N_ELEMENTS (row->messages) && row->messages[i] != NULL; i++)
    fake_page_host_post (fixture->host, row->messages[i]);
  g_assert_cmpint (rh_page_watch_is_ready (fixture->watch), ==, row->is_ready);
  if (!row->is_ready)
    {
      g_assert_cmpint (times->ready_event_ms, ==, RH_PAGE_NO_TIME);
      g_assert_cmpint (times->ready_call_ms, ==, RH_PAGE_NO_TIME);
      return;
    }
  assert_time (times->ready_event_ms, times->committed_ms);
  assert_time (times->ready_call_ms, times->ready_event_ms);
  /* The signal again: still one call. */
  for (guint i = 0; i < G_N_ELEMENTS (row->messages) && row->messages[i] != NULL; i++)
    fake_page_host_post (fixture->host, row->messages[i]);
  g_assert_true (rh_test_wait_until (acknowledged, fixture, 10));
  g_assert_cmpuint (fixture->failures->len, ==, 0);
  g_assert_cmpuint (fixture->acknowledged, ==, 1);
  assert_time (times->ready_ack_ms, times->ready_call_ms);
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 1);
  g_assert_cmpstr (fake_cloud_get_request (fixture->cloud, 0)->method, ==, "PUT");
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "ready"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "ready-ack"), ==, 1);
}

/* A ready call the cloud refuses fails the load. */
static void
test_ready_refused (Fixture *fixture, gconstpointer data)
{
  GError *error;

  fake_cloud_reply (fixture->cloud, 403, "{\"code\":403,\"msg\":\"no\"}");
  watch_load (fixture, "notify");
  fake_page_host_load_page (fixture->host, 200);
  fake_page_host_post (fixture->host, "{\"kind\":\"notify\"}");
  g_assert_true (rh_test_wait_until (acknowledged, fixture, 10));
  g_assert_cmpuint (fixture->acknowledged, ==, 0);
  g_assert_cmpuint (fixture->failures->len, ==, 1);
  error = g_ptr_array_index (fixture->failures, 0);
  g_assert_error (error, RH_ERROR, RH_ERROR_READY_CALL);
  g_assert_true (g_str_has_prefix (error->message, "ready call failed: "));
}

typedef struct
{
  const char *name;
  void (*act) (Fixture *fixture);
  int code;              /* RhError, -1: no failure */
  const char *message;   /* the failure's, exactly */
  const char *event;     /* on the timeline once, NULL for none */
} FailureRow;

static void
act_load_failed (Fixture *fixture)
{
  g_autoptr (GError) error = g_error_new_literal (G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND,
                                                  "Could not resolve host");

  rh_page_host_emit_load_failed (RH_PAGE_HOST (fixture->host), PAGE_URL, error, FALSE);
}

static void
act_tls (Fixture *fixture)
{
  g_autoptr (GError) error = g_error_new_literal (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                                                  "TLS certificate of " PAGE_URL " not trusted");

  rh_page_host_emit_load_failed (RH_PAGE_HOST (fixture->host), PAGE_URL, error, TRUE);
}

static void
act_cancelled (Fixture *fixture)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "stopped");

  rh_page_host_emit_load_failed (RH_PAGE_HOST (fixture->host), PAGE_URL, error, FALSE);
}

static void
act_crash (Fixture *fixture)
{
  rh_page_host_emit_web_process_terminated (RH_PAGE_HOST (fixture->host), TRUE, "crashed");
}

static void
act_memory (Fixture *fixture)
{
  rh_page_host_emit_web_process_terminated (RH_PAGE_HOST (fixture->host), FALSE,
                                            "exceeded its memory limit");
}

static void
act_http_404 (Fixture *fixture)
{
  fake_page_host_load_event (fixture->host, RH_PAGE_LOAD_COMMITTED, 404);
}

static void
act_about_blank (Fixture *fixture)
{
  rh_page_host_emit_load_event (RH_PAGE_HOST (fixture->host), RH_PAGE_LOAD_COMMITTED,
                                "about:blank", 0);
}

static void
act_crash_after_stop (Fixture *fixture)
{
  rh_page_watch_stop (fixture->watch);
  g_assert_cmpuint (fake_page_host_get_stops (fixture->host), ==, 1);
  act_crash (fixture);
  act_load_failed (fixture);
}

static const FailureRow failure_rows[] = {
  { "load-failed", act_load_failed, RH_ERROR_PAGE_FAILED,
    "page did not load: Could not resolve host", "load-failed" },
  { "tls", act_tls, RH_ERROR_PAGE_FAILED,
    "page did not load: TLS certificate of " PAGE_URL " not trusted", NULL },
  { "cancelled", act_cancelled, -1, NULL, NULL },
  { "web-process-crashed", act_crash, RH_ERROR_WEB_PROCESS,
    "Fake's web process terminated unexpectedly", "web-process-terminated" },
  { "web-process-memory", act_memory, RH_ERROR_WEB_PROCESS,
    "Fake's web process exceeded its memory limit", "web-process-terminated" },
  { "http-404", act_http_404, RH_ERROR_PAGE_FAILED, "page answered HTTP 404 Not Found",
    "navigation-committed" },
  { "about-blank", act_about_blank, RH_ERROR_PAGE_FAILED,
    "page did not load: navigation ended on about:blank", "navigation-committed" },
  { "after-stop", act_crash_after_stop, -1, NULL, NULL },
};

static void
test_failure (Fixture *fixture, gconstpointer data)
{
  const FailureRow *row = data;

  watch_load (fixture, "event1");
  row->act (fixture);
  if (row->code < 0)
    g_assert_cmpuint (fixture->failures->len, ==, 0);
  else
    {
      GError *error;

      g_assert_cmpuint (fixture->failures->len, ==, 1);
      error = g_ptr_array_index (fixture->failures, 0);
      g_assert_error (error, RH_ERROR, row->code);
      g_assert_cmpstr (error->message, ==, row->message);
    }
  if (row->event != NULL)
    g_assert_cmpuint (rh_timeline_count (fixture->timeline, row->event), ==, 1);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "load-failed"), ==,
                    row->event != NULL && g_str_equal (row->event, "load-failed") ? 1 : 0);
}

#define RESOURCE_URL "https://cdn.example/sdk.js"

typedef struct
{
  const char *name;
  void (*act) (Fixture *fixture);
  guint count;         /* resources kept */
  guint status;        /* of the first */
  gboolean ended;
  gboolean failed;
  const char *error;   /* exactly, NULL for none */
} ResourceRow;

static void
start (Fixture *fixture, guint64 id)
{
  rh_page_host_emit_resource_started (RH_PAGE_HOST (fixture->host), id, RESOURCE_URL);
}

static void
act_ok (Fixture *fixture)
{
  start (fixture, 7);
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 200);
}

static void
act_resource_404 (Fixture *fixture)
{
  start (fixture, 7);
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 404);
}

static void
act_refused (Fixture *fixture)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                  "Connection refused");

  start (fixture, 7);
  rh_page_host_emit_resource_failed (RH_PAGE_HOST (fixture->host), 7, error);
}

static void
act_resource_cancelled (Fixture *fixture)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED, "gone");

  start (fixture, 7);
  rh_page_host_emit_resource_failed (RH_PAGE_HOST (fixture->host), 7, error);
}

static void
act_earlier_load (Fixture *fixture)
{
  start (fixture, 7);
  rh_page_watch_load (fixture->watch, g_get_monotonic_time () + G_USEC_PER_SEC);
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 404);
}

static void
act_element_error (Fixture *fixture)
{
  start (fixture, 7);
  fake_page_host_post (fixture->host, "{\"kind\":\"resource-error\",\"tag\":\"script\","
                                      "\"url\":\"" RESOURCE_URL "\"}");
  /* The engine's word comes later and does not undo it. */
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 200);
}

static void
act_element_error_unseen (Fixture *fixture)
{
  fake_page_host_post (fixture->host, "{\"kind\":\"resource-error\",\"tag\":\"img\","
                                      "\"url\":\"" RESOURCE_URL "\"}");
}

static void
act_unknown_id (Fixture *fixture)
{
  start (fixture, 7);
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 8, 404);
}

/* WebKit gives up a style sheet's or an image's load on an error status,
 * after the element's error event: the status still counts. */
static void
act_element_error_then_404 (Fixture *fixture)
{
  start (fixture, 7);
  fake_page_host_post (fixture->host, "{\"kind\":\"resource-error\",\"tag\":\"link\","
                                      "\"url\":\"" RESOURCE_URL "\"}");
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 404);
}

static void
act_inline_data (Fixture *fixture)
{
  rh_page_host_emit_resource_started (RH_PAGE_HOST (fixture->host), 7, "data:image/gif;base64,R0");
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 200);
  fake_page_host_post (fixture->host, "{\"kind\":\"resource-error\",\"tag\":\"img\","
                                      "\"url\":\"data:image/png;base64,broken\"}");
}

static void
act_inline_blob (Fixture *fixture)
{
  rh_page_host_emit_resource_started (RH_PAGE_HOST (fixture->host), 7,
                                      "blob:https://pages.example/0b6e");
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 200);
}

static void
act_resource_after_stop (Fixture *fixture)
{
  rh_page_watch_stop (fixture->watch);
  start (fixture, 7);
}

/* The bridge reading the SDK bundle's text for its version. */
static void
act_bundle_read (Fixture *fixture)
{
  rh_page_host_emit_resource_started (RH_PAGE_HOST (fixture->host), 7,
                                      RESOURCE_URL RH_BRIDGE_SDK_BUNDLE_READ);
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 200);
}

static const ResourceRow resource_rows[] = {
  { "ok", act_ok, 1, 200, TRUE, FALSE, NULL },
  { "http-404", act_resource_404, 1, 404, TRUE, TRUE, "HTTP 404 Not Found" },
  { "refused", act_refused, 1, 0, TRUE, TRUE, "Connection refused" },
  { "cancelled", act_resource_cancelled, 1, 0, TRUE, FALSE, NULL },
  { "earlier-load", act_earlier_load, 0, 0, FALSE, FALSE, NULL },
  { "element-error", act_element_error, 1, 0, TRUE, TRUE, "<script> error event" },
  { "element-error-unseen", act_element_error_unseen, 1, 0, TRUE, TRUE, "<img> error event" },
  { "element-error-then-404", act_element_error_then_404, 1, 404, TRUE, TRUE,
    "HTTP 404 Not Found" },
  { "inline-data", act_inline_data, 0, 0, FALSE, FALSE, NULL },
  { "inline-blob", act_inline_blob, 0, 0, FALSE, FALSE, NULL },
  { "unknown-id", act_unknown_id, 1, 0, FALSE, FALSE, NULL },
  { "after-stop", act_resource_after_stop, 0, 0, FALSE, FALSE, NULL },
  { "bridge-bundle-read", act_bundle_read, 0, 0, FALSE, FALSE, NULL },
};

static void
test_resource (Fixture *fixture, gconstpointer data)
{
  const ResourceRow *row = data;
  g_autoptr (RhPageOutcome) outcome = NULL;
  const GArray *resources;
  const RhResource *resource;

  watch_load (fixture, "event1");
  row->act (fixture);
  outcome = rh_page_watch_end_load (fixture->watch);
  resources = outcome->resources;
  g_assert_cmpuint (resources->len, ==, row->count);
  if (row->count == 0)
    return;
  resource = &g_array_index (resources, RhResource, 0);
  g_assert_cmpstr (resource->uri, ==, RESOURCE_URL);
  g_assert_cmpuint (resource->status, ==, row->status);
  g_assert_cmpint (resource->end_ms != RH_PAGE_NO_TIME, ==, row->ended);
  g_assert_cmpint (resource->failed, ==, row->failed);
  g_assert_cmpstr (resource->error, ==, row->error);
}

/* The value of header @name in @headers (name, value...), NULL if none. */
static const char *
header_value (char **headers, const char *name)
{
  for (guint i = 0; headers != NULL && headers[i] != NULL; i += 2)
    if (g_str_equal (headers[i], name))
      return headers[i + 1];
  return NULL;
}

/* A load's headers both ways, bounded (64 a message, values cut at
 * 1 KiB), credentials' values dropped by name and the timeline's secrets
 * redacted in the rest; the response's type and length. */
static void
test_resource_headers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_autofree char *long_value = g_strnfill (3000, 'v');
  const char *response[] = { "Content-Type", "text/css", "Set-Cookie", "s=1",
                             "X-Echo", "room tok-SECRET", NULL };
  g_auto (GStrv) request = NULL;
  g_autoptr (RhPageOutcome) outcome = NULL;
  const RhResource *resource;

  g_strv_builder_add_many (builder, "Authorization", "Bearer abc", "Cookie", "c=1",
                           "Proxy-Authorization", "Basic abc", "X-Agora-Token", "abc",
                           "x-token-id", "abc", "X-Echo", "tok-SECRET here", "X-Long",
                           long_value, NULL);
  for (guint i = 0; i < 100; i++)
    {
      g_autofree char *name = g_strdup_printf ("X-Filler-%u", i);

      g_strv_builder_add_many (builder, name, "1", NULL);
    }
  request = g_strv_builder_end (builder);
  rh_timeline_add_secret (fixture->timeline, "tok-SECRET");
  watch_load (fixture, "event1");
  start (fixture, 7);
  rh_page_host_emit_resource_sent (RH_PAGE_HOST (fixture->host), 7, "POST",
                                   (const char *const *) request);
  rh_page_host_emit_resource_response (RH_PAGE_HOST (fixture->host), 7, "text/css", 42,
                                       response);
  rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), 7, 200);
  outcome = rh_page_watch_end_load (fixture->watch);
  resource = &g_array_index (outcome->resources, RhResource, 0);
  g_assert_cmpstr (resource->method, ==, "POST");
  g_assert_cmpuint (g_strv_length (resource->request_headers), ==, 2 * 64);
  g_assert_cmpstr (header_value (resource->request_headers, "Authorization"), ==, "[REDACTED]");
  g_assert_cmpstr (header_value (resource->request_headers, "Cookie"), ==, "[REDACTED]");
  g_assert_cmpstr (header_value (resource->request_headers, "Proxy-Authorization"), ==,
                   "[REDACTED]");
  g_assert_cmpstr (header_value (resource->request_headers, "X-Agora-Token"), ==, "[REDACTED]");
  g_assert_cmpstr (header_value (resource->request_headers, "x-token-id"), ==, "[REDACTED]");
  g_assert_cmpstr (header_value (resource->request_headers, "X-Echo"), ==, "[REDACTED] here");
  g_assert_cmpuint (strlen (header_value (resource->request_headers, "X-Long")), ==, 1024);
  g_assert_cmpstr (header_value (resource->response_headers, "Content-Type"), ==, "text/css");
  g_assert_cmpstr (header_value (resource->response_headers, "Set-Cookie"), ==, "[REDACTED]");
  g_assert_cmpstr (header_value (resource->response_headers, "X-Echo"), ==, "room [REDACTED]");
  g_assert_cmpstr (resource->mime_type, ==, "text/css");
  g_assert_cmpint (resource->content_length, ==, 42);
}

/* The page's resource timing goes to the first load of its URL that has
 * none; what is not a number in range is not known. */
static void
test_resource_timing (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhPageOutcome) outcome = NULL;
  const RhResourceTiming *first, *second;

  watch_load (fixture, "event1");
  start (fixture, 7);
  start (fixture, 8);
  fake_page_host_post (fixture->host, "{\"kind\":\"resource-timing\",\"url\":\"" RESOURCE_URL
                                      "\",\"initiator\":\"script\",\"blocked\":1,\"dns\":2.5,"
                                      "\"connect\":3,\"ssl\":-1,\"wait\":10,\"receive\":4,"
                                      "\"transfer_size\":900,\"encoded_size\":800,"
                                      "\"decoded_size\":2000}");
  fake_page_host_post (fixture->host, "{\"kind\":\"resource-timing\",\"url\":\"" RESOURCE_URL
                                      "\",\"dns\":\"2\",\"wait\":1e300,\"receive\":0}");
  fake_page_host_post (fixture->host, "{\"kind\":\"resource-timing\",\"url\":\"" RESOURCE_URL
                                      "\",\"dns\":7}");
  outcome = rh_page_watch_end_load (fixture->watch);
  g_assert_cmpuint (outcome->resources->len, ==, 2);
  first = &g_array_index (outcome->resources, RhResource, 0).timing;
  second = &g_array_index (outcome->resources, RhResource, 1).timing;
  g_assert_true (first->known);
  g_assert_cmpfloat (first->blocked, ==, 1);
  g_assert_cmpfloat (first->dns, ==, 2.5);
  g_assert_cmpfloat (first->connect, ==, 3);
  g_assert_cmpfloat (first->ssl, ==, -1);
  g_assert_cmpfloat (first->send, ==, 0);
  g_assert_cmpfloat (first->wait, ==, 10);
  g_assert_cmpfloat (first->receive, ==, 4);
  g_assert_cmpint (first->transfer_size, ==, 900);
  g_assert_cmpint (first->encoded_size, ==, 800);
  g_assert_cmpint (first->decoded_size, ==, 2000);
  g_assert_cmpstr (first->initiator, ==, "script");
  g_assert_true (second->known);
  g_assert_cmpfloat (second->dns, ==, -1);
  g_assert_cmpfloat (second->wait, ==, -1);
  g_assert_cmpfloat (second->send, ==, -1);
  g_assert_cmpfloat (second->receive, ==, 0);
  g_assert_null (second->initiator);
}

/* An SDK retrying offline fails one host's calls the same way dozens of
 * times: stderr shows each host's failure of one kind once, the timeline
 * keeps them all. */
static void
emit_failed (Fixture *fixture, guint64 id, const char *url, guint status)
{
  g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CONNECTION_REFUSED,
                                                  "Connection refused");

  rh_page_host_emit_resource_started (RH_PAGE_HOST (fixture->host), id, url);
  if (status != 0)
    rh_page_host_emit_resource_finished (RH_PAGE_HOST (fixture->host), id, status);
  else
    rh_page_host_emit_resource_failed (RH_PAGE_HOST (fixture->host), id, error);
}

static void
test_failures_echoed_once (Fixture *fixture, gconstpointer data)
{
  watch_load (fixture, "event1");
  rh_timeline_set_echo (fixture->timeline, TRUE);
  g_test_expect_message ("recordhost-core", G_LOG_LEVEL_MESSAGE,
                         "*resource https://cdn.example/a.js: Connection refused");
  g_test_expect_message ("recordhost-core", G_LOG_LEVEL_MESSAGE,
                         "*resource https://other.example/c.js: Connection refused");
  g_test_expect_message ("recordhost-core", G_LOG_LEVEL_MESSAGE,
                         "*resource https://cdn.example/d.js: HTTP 404 Not Found");
  g_test_expect_message ("recordhost-core", G_LOG_LEVEL_MESSAGE,
                         "*xhr POST https://ap.example/api/v1: network error");
  emit_failed (fixture, 1, "https://cdn.example/a.js", 0);
  emit_failed (fixture, 2, "https://cdn.example/b.js", 0);
  emit_failed (fixture, 3, "https://other.example/c.js", 0);
  emit_failed (fixture, 4, "https://cdn.example/d.js", 404);
  emit_failed (fixture, 5, "https://cdn.example/a.js", 0);
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *request = g_strdup_printf (
        "{\"kind\":\"request\",\"id\":%u,\"api\":\"xhr\",\"method\":\"POST\","
        "\"url\":\"https://ap.example/api/v1\"}", i);
      g_autofree char *response = g_strdup_printf (
        "{\"kind\":\"response\",\"id\":%u,\"status\":0,\"error\":\"network error\"}", i);

      fake_page_host_post (fixture->host, request);
      fake_page_host_post (fixture->host, response);
    }
  g_test_assert_expected_messages ();
  rh_timeline_set_echo (fixture->timeline, FALSE);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "resource-failed"), ==, 5);
  g_assert_cmpuint (rh_timeline_count (fixture->timeline, "request-failed"), ==, 3);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, data, func) \
  g_test_add (path, Fixture, data, fixture_setup, func, fixture_teardown)
  ADD ("/page-watch/probe", NULL, test_probe);
  ADD ("/page-watch/lifecycle", NULL, test_lifecycle);
  ADD ("/page-watch/engine", NULL, test_engine);
  ADD ("/page-watch/routes", NULL, test_routes);
  ADD ("/page-watch/first-paint", NULL, test_first_paint);
  ADD ("/page-watch/blank-threshold", NULL, test_blank_threshold);
  ADD ("/page-watch/ready-refused", NULL, test_ready_refused);
  ADD ("/page-watch/failures-echoed-once", NULL, test_failures_echoed_once);
  for (guint i = 0; i < G_N_ELEMENTS (ready_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-watch/ready/%s", ready_rows[i].name);

      ADD (path, &ready_rows[i], test_ready);
    }
  for (guint i = 0; i < G_N_ELEMENTS (failure_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-watch/failure/%s", failure_rows[i].name);

      ADD (path, &failure_rows[i], test_failure);
    }
  for (guint i = 0; i < G_N_ELEMENTS (resource_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-watch/resource/%s",
                                               resource_rows[i].name);

      ADD (path, &resource_rows[i], test_resource);
    }
  for (guint i = 0; i < G_N_ELEMENTS (capability_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-watch/capability/%s",
                                               capability_rows[i].name);

      g_test_add_data_func (path, &capability_rows[i], test_capability);
    }
  ADD ("/page-watch/resource-headers", NULL, test_resource_headers);
  ADD ("/page-watch/resource-timing", NULL, test_resource_timing);
  g_test_add_func ("/page-watch/token-redacted", test_token_redacted);
  g_test_add_func ("/page-watch/sdk-bundle", test_sdk_bundle);
  return g_test_run ();
}
