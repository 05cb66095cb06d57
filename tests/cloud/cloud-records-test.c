/* What a cloud record says of its page: each attempt's times, problems and
 * cause in the records list, and each attempt's HAR and pictures, with the
 * bundled page hosted in real WebKit views. */
#include <glib/gstdio.h>
#include <string.h>

#include "cloud-fixture.h"
#include "rh-cloud.h"
#include "test-utils.h"

/* The retryTimeout of a recording whose page is to get ready at its first
 * load: no machine is that slow. */
#define READY_WINDOW_S 60
/* Bound on waiting for a recording's events. */
#define EVENT_TIMEOUT_S 120

#define ROOM "/edu/apps/app-1/v2/rooms/room-1"

typedef CloudFixture Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  cloud_fixture_setup (fixture, NULL, 10);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  cloud_fixture_teardown (fixture);
}

static JsonObject *
call (Fixture *fixture, const char *method, const char *path, const char *body, guint *status)
{
  return cloud_fixture_call (fixture, method, path, body, status);
}

/* Starts a recording of the bundled page with @query, with pictures of
 * each attempt when @snapshots, in @engine ("wpe", "chromium", NULL: the
 * cloud's); returns its record id. */
static char *
start_in (Fixture *fixture, const char *query, guint retry_timeout, gboolean snapshots,
          const char *engine)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *uri = g_filename_to_uri (page, NULL, NULL);
  g_autofree char *engine_member = engine != NULL
                                       ? g_strdup_printf (",\"engine\":\"%s\"", engine)
                                       : g_strdup ("");
  g_autofree char *body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{"
                                           "\"rootUrl\":\"%s?%s\",\"videoWidth\":960,"
                                           "\"videoHeight\":540,\"snapshots\":%s%s},"
                                           "\"retryTimeout\":%u}",
                                           uri, query, snapshots ? "true" : "false",
                                           engine_member, retry_timeout);
  guint status = 0;
  g_autoptr (JsonObject) reply = call (fixture, "PUT", ROOM "/records/states/1", body, &status);

  g_assert_cmpuint (status, ==, 200);
  return g_strdup (json_object_get_string_member (json_object_get_object_member (reply, "data"),
                                                  "recordId"));
}

static char *
start (Fixture *fixture, const char *query, guint retry_timeout)
{
  return start_in (fixture, query, retry_timeout, FALSE, NULL);
}

static void
stop (Fixture *fixture)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = call (fixture, "PUT", ROOM "/records/states/0", NULL, &status);

  g_assert_cmpuint (status, ==, 200);
}

/* The room's only record. */
static JsonObject *
record (Fixture *fixture)
{
  g_autoptr (JsonObject) reply = call (fixture, "GET", ROOM "/records", NULL, NULL);
  JsonArray *list = json_object_get_array_member (json_object_get_object_member (reply, "data"),
                                                  "list");

  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  return json_object_ref (json_array_get_object_element (list, 0));
}

static gboolean
record_ended (gpointer user_data)
{
  g_autoptr (JsonObject) listed = record (user_data);

  return json_object_get_int_member (listed, "state") == 2;
}

static gboolean
record_started (gpointer user_data)
{
  g_autoptr (JsonObject) listed = record (user_data);

  return json_object_get_int_member (listed, "reason") == 1;
}

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the recording run for @ms of the clock: the page paints. */
static void
keep_running (guint ms)
{
  gboolean timed_out = FALSE;

  g_timeout_add (ms, timed_out_cb, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

/* The record's attempts, as listed. */
static JsonArray *
attempts (JsonObject *listed)
{
  JsonObject *page = json_object_get_object_member (listed, "page");

  g_assert_nonnull (page);
  return json_object_get_array_member (page, "attempts");
}

/* GET @path's raw body and status; the body written to @file when given. */
static guint
get_raw (Fixture *fixture, const char *path, const char *file, GBytes **body)
{
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (fixture->cloud), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) bytes = NULL;

  /* The cloud answers on this thread's main loop. */
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  bytes = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);
  if (file != NULL)
    g_assert_true (g_file_set_contents (file, g_bytes_get_data (bytes, NULL),
                                        (gssize) g_bytes_get_size (bytes), NULL));
  if (body != NULL)
    *body = g_steal_pointer (&bytes);
  return soup_message_get_status (msg);
}

/* The HAR of the record's attempt (@query "" for the last) is served,
 * valid HAR 1.2, with the page among its entries; its browser's name. */
static char *
assert_har (Fixture *fixture, const char *record_id, const char *query)
{
  g_autofree char *path = g_strdup_printf (ROOM "/records/%s/har%s", record_id, query);
  g_autofree char *file = g_build_filename (rh_test_tmpdir (), "attempt.har", NULL);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *log;
  JsonArray *entries;
  gboolean has_page = FALSE;

  g_test_message ("GET %s", path);
  g_assert_cmpuint (get_raw (fixture, path, file, &body), ==, 200);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             (gssize) g_bytes_get_size (body), NULL));
  log = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                       "log");
  g_assert_cmpstr (json_object_get_string_member (log, "version"), ==, "1.2");
  entries = json_object_get_array_member (log, "entries");
  for (guint i = 0; i < json_array_get_length (entries); i++)
    {
      JsonObject *request = json_object_get_object_member (
        json_array_get_object_element (entries, i), "request");

      has_page |= strstr (json_object_get_string_member (request, "url"), "record_page.html")
                  != NULL;
    }
  g_assert_true (has_page);
  rh_test_assert_har_valid (file);
  return g_strdup (json_object_get_string_member (json_object_get_object_member (log, "browser"),
                                                  "name"));
}

static void
assert_time (JsonObject *times, const char *name)
{
  g_test_message ("%s", name);
  g_assert_true (json_object_has_member (times, name));
  g_assert_false (json_object_get_null_member (times, name));
  g_assert_cmpint (json_object_get_int_member (times, name), >=, 0);
}

/* A recording whose page got ready lists one attempt, once the load ended
 * (none while it records): its key times as check gives them, its
 * problems, no cause; its HAR is served.  It records 4 s: beside Chromium
 * tests on a 2-core machine, the page's first frame came more than 1 s
 * after ready, and the attempt then had no first paint. */
static void
test_ready (Fixture *fixture, gconstpointer data)
{
  g_autofree char *record_id = start (fixture, "sdkReadyMs=200", READY_WINDOW_S);
  g_autoptr (JsonObject) recording = NULL;
  g_autoptr (JsonObject) ended = NULL;
  g_autofree char *page = NULL;
  JsonObject *attempt, *times;
  JsonArray *problems;

  g_assert_true (rh_test_wait_until (record_started, fixture, EVENT_TIMEOUT_S));
  recording = record (fixture);
  g_assert_true (json_object_get_null_member (recording, "page"));
  keep_running (4000);
  stop (fixture);
  ended = record (fixture);
  page = json_to_string (json_object_get_member (ended, "page"), TRUE);
  g_test_message ("page: %s", page);
  g_assert_cmpuint (json_array_get_length (attempts (ended)), ==, 1);
  attempt = json_array_get_object_element (attempts (ended), 0);
  g_assert_cmpint (json_object_get_int_member (attempt, "attempt"), ==, 1);
  g_assert_true (json_object_get_null_member (attempt, "cause"));
  times = json_object_get_object_member (attempt, "times");
  assert_time (times, "first_nonblank_ms");
  assert_time (times, "launch_ms");
  assert_time (times, "ready_event_ms");
  assert_time (times, "ready_call_ms");
  problems = json_object_get_array_member (attempt, "problems");
  g_assert_nonnull (problems);
  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *problem = json_array_get_object_element (problems, i);

      g_assert_nonnull (json_object_get_string_member (problem, "code"));
      g_assert_cmpstr (json_object_get_string_member (problem, "severity"), !=, "error");
      g_assert_nonnull (json_object_get_string_member (problem, "message"));
    }

  g_free (assert_har (fixture, record_id, ""));
  g_free (assert_har (fixture, record_id, "?attempt=1"));
}

/* A start's engine overrides the cloud's (WPE here): the page ran in it, as
 * the attempt's HAR says. */
static void
test_engine (Fixture *fixture, gconstpointer data)
{
  const char *engine = data;
  g_autofree char *record_id = start_in (fixture, "sdkReadyMs=200", READY_WINDOW_S, FALSE, engine);
  g_autofree char *browser = NULL;

  g_assert_true (rh_test_wait_until (record_started, fixture, EVENT_TIMEOUT_S));
  stop (fixture);
  browser = assert_har (fixture, record_id, "");
  g_assert_cmpstr (browser, ==, g_str_equal (engine, "chromium") ? "Chromium" : "WPE WebKit");
}

/* A page never ready lists attempts 1, 2 and 3, each with the cause its
 * reason 4 or 5 event gave and check's problem for it; each attempt's HAR
 * is served. */
static void
test_never_ready (Fixture *fixture, gconstpointer data)
{
  g_autofree char *record_id = start (fixture, "sdkReady=never", 1);
  g_autoptr (JsonObject) ended = NULL;
  g_autoptr (JsonObject) events = NULL;
  JsonArray *list, *events_list;

  g_assert_true (rh_test_wait_until (record_ended, fixture, EVENT_TIMEOUT_S));
  ended = record (fixture);
  g_assert_cmpint (json_object_get_int_member (ended, "reason"), ==, 5);
  list = attempts (ended);
  events = call (fixture, "GET", ROOM "/sequences?nextId=0&cmd=1001", NULL, NULL);
  events_list = json_object_get_array_member (json_object_get_object_member (events, "data"),
                                              "list");
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  g_assert_cmpuint (json_array_get_length (events_list), ==, 3);
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *attempt = json_array_get_object_element (list, i);
      JsonObject *event = json_object_get_object_member (
        json_array_get_object_element (events_list, i), "data");
      const char *cause = json_object_get_string_member (attempt, "cause");
      JsonArray *problems = json_object_get_array_member (attempt, "problems");
      gboolean said = FALSE;
      g_autofree char *query = g_strdup_printf ("?attempt=%u", i + 1);

      g_assert_cmpint (json_object_get_int_member (attempt, "attempt"), ==, i + 1);
      g_assert_true (g_str_has_prefix (cause, "not ready within 1 s: still waiting for "));
      g_assert_cmpstr (cause, ==, json_object_get_string_member (event, "cause"));
      for (guint j = 0; j < json_array_get_length (problems); j++)
        {
          JsonObject *problem = json_array_get_object_element (problems, j);

          said |= g_str_equal (json_object_get_string_member (problem, "severity"), "error")
                  && g_str_has_suffix (json_object_get_string_member (problem, "message"),
                                       cause);
        }
      g_assert_true (said);
      g_free (assert_har (fixture, record_id, query));
    }
}

/* A recording started with snapshots: true has each attempt's filmstrip,
 * a PNG, served. */
static void
test_snapshots (Fixture *fixture, gconstpointer data)
{
  g_autofree char *record_id = start_in (fixture, "sdkReadyMs=200", READY_WINDOW_S, TRUE, NULL);
  g_autofree char *path = g_strdup_printf (ROOM "/records/%s/snapshots", record_id);
  g_autoptr (GBytes) body = NULL;
  static const guchar png[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };

  g_assert_true (rh_test_wait_until (record_started, fixture, EVENT_TIMEOUT_S));
  keep_running (1000);
  stop (fixture);
  g_assert_cmpuint (get_raw (fixture, path, NULL, &body), ==, 200);
  g_assert_cmpuint (g_bytes_get_size (body), >, sizeof png);
  g_assert_cmpmem (g_bytes_get_data (body, NULL), sizeof png, png, sizeof png);
}

typedef struct
{
  const char *name;
  const char *record; /* NULL: the room's record */
  const char *file;
  const char *query;
  guint status;
} HarErrorRow;

static const HarErrorRow har_error_rows[] = {
  { "unknown-record", "0123456789abcdef0123456789abcdef", "har", "", 404 },
  { "not-an-id", "a%2F..%2Fb", "har", "", 404 },
  { "other-room", NULL, "har", "", 404 },
  { "unknown-attempt", NULL, "har", "?attempt=2", 404 },
  { "bad-attempt", NULL, "har", "?attempt=x", 400 },
  /* Its start did not ask for them. */
  { "no-snapshots", NULL, "snapshots", "", 404 },
};

/* What has no HAR or pictures is 404, a bad attempt 400; the file is never
 * named from the path. */
static void
test_har_errors (Fixture *fixture, gconstpointer data)
{
  g_autofree char *record_id = start (fixture, "sdkReadyMs=200", READY_WINDOW_S);
  g_autoptr (JsonObject) room = call (fixture, "POST", "/edu/apps/app-1/v2/rooms/room-2", NULL,
                                      NULL);

  g_assert_true (rh_test_wait_until (record_started, fixture, EVENT_TIMEOUT_S));
  stop (fixture);
  for (guint i = 0; i < G_N_ELEMENTS (har_error_rows); i++)
    {
      const HarErrorRow *row = &har_error_rows[i];
      const char *room_path = g_str_equal (row->name, "other-room")
                                ? "/edu/apps/app-1/v2/rooms/room-2"
                                : ROOM;
      g_autofree char *path = g_strdup_printf ("%s/records/%s/%s%s", room_path,
                                               row->record != NULL ? row->record : record_id,
                                               row->file, row->query);
      guint status = 0;
      g_autoptr (JsonObject) reply = call (fixture, "GET", path, NULL, &status);

      g_test_message ("%s", row->name);
      g_assert_cmpuint (status, ==, row->status);
      g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, row->status);
    }
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cloud-records/ready", test_ready);
  ADD ("/cloud-records/never-ready", test_never_ready);
  ADD ("/cloud-records/snapshots", test_snapshots);
  ADD ("/cloud-records/har-errors", test_har_errors);
  g_test_add ("/cloud-records/engine/chromium", Fixture, "chromium", fixture_setup, test_engine,
              fixture_teardown);
  g_test_add ("/cloud-records/engine/wpe", Fixture, "wpe", fixture_setup, test_engine,
              fixture_teardown);
#undef ADD
  return g_test_run ();
}
