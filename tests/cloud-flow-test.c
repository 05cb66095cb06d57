/* The local cloud's recording API end to end, driven with libsoup: rooms,
 * recordings hosted in real WebKit views, events, restarts. */
#include <glib/gstdio.h>
#include <string.h>

#include "media-probe.h"
#include "rh-cloud.h"
#include "rh-fs.h"
#include "rh-recorder.h"
#include "test-utils.h"

/* The retryTimeout of a recording whose page is to get ready at its first
 * load: no machine is that slow, and it costs nothing when the page gets ready. */
#define READY_WINDOW_S 60
/* Bound on waiting for a recording's events. */
#define EVENT_TIMEOUT_S 120

typedef struct
{
  char *data_dir;
  RhCloud *cloud;
  SoupSession *session;
  char *token; /* sent as x-agora-token when set */
} Fixture;

static void
start_cloud (Fixture *fixture, const char *require_token)
{
  g_autoptr (GError) error = NULL;
  RhCloudStore *store = rh_cloud_store_open (fixture->data_dir, &error);

  g_assert_no_error (error);
  fixture->cloud = rh_cloud_new (store, require_token);
  g_assert_true (rh_cloud_listen_local (fixture->cloud, 0, &error));
  g_assert_no_error (error);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->data_dir = g_dir_make_tmp ("recordhost-cloud-XXXXXX", &error);
  g_assert_no_error (error);
  start_cloud (fixture, NULL);
  fixture->session = soup_session_new_with_options ("timeout", 10, NULL);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->session);
  g_clear_object (&fixture->cloud);
  rh_fs_remove_tree (fixture->data_dir);
  g_free (fixture->data_dir);
  g_free (fixture->token);
}

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* One API call; returns the envelope and sets *@status. */
static JsonObject *
call (Fixture *fixture, const char *method, const char *path, const char *body, guint *status)
{
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (fixture->cloud), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (fixture->token != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-agora-token",
                                  fixture->token);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb,
                                    &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  reply = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);
  if (status != NULL)
    *status = soup_message_get_status (msg);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
call_ok (Fixture *fixture, const char *method, const char *path, const char *body)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = call (fixture, method, path, body, &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 0);
}

static char *
start_body (const char *query, gboolean on_hold, guint retry_timeout)
{
  g_autofree char *page = g_build_filename (RH_PAGE_DIR, "record_page.html", NULL);
  g_autofree char *uri = g_filename_to_uri (page, NULL, NULL);

  return g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"%s%s%s\","
                          "\"onhold\":%s,\"videoWidth\":960,\"videoHeight\":540},"
                          "\"retryTimeout\":%u}",
                          uri, query != NULL ? "?" : "", query != NULL ? query : "",
                          on_hold ? "true" : "false", retry_timeout);
}

/* The reasons of a room's cmd 1001 events, "1,2". */
static char *
reasons (Fixture *fixture, const char *room_path)
{
  g_autofree char *path = g_strconcat (room_path, "/sequences?nextId=0&cmd=1001", NULL);
  g_autoptr (JsonObject) reply = call (fixture, "GET", path, NULL, NULL);
  JsonArray *list;
  GString *out = g_string_new (NULL);

  list = json_object_get_array_member (json_object_get_object_member (reply, "data"), "list");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *event = json_array_get_object_element (list, i);
      JsonObject *data = json_object_get_object_member (event, "data");

      g_assert_cmpint (json_object_get_int_member (event, "cmd"), ==, 1001);
      g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                              json_object_get_int_member (data, "reason"));
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  Fixture *fixture;
  const char *room_path;
  const char *expected;
} ReasonsWait;

static gboolean
reasons_read (gpointer user_data)
{
  ReasonsWait *wait = user_data;
  g_autofree char *got = reasons (wait->fixture, wait->room_path);

  return g_str_equal (got, wait->expected);
}

/* Waits, the recordings running meanwhile, for the room's reasons to read
 * @expected. */
static void
wait_reasons (Fixture *fixture, const char *room_path, const char *expected)
{
  ReasonsWait wait = { fixture, room_path, expected };
  g_autofree char *got = NULL;

  rh_test_wait_until (reasons_read, &wait, EVENT_TIMEOUT_S);
  got = reasons (fixture, room_path);
  g_assert_cmpstr (got, ==, expected);
}

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

/* Lets the recordings run for @ms of the clock. */
static void
keep_running (guint ms)
{
  gboolean timed_out = FALSE;

  g_timeout_add (ms, timed_out_cb, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

static void
assert_reasons (Fixture *fixture, const char *room_path, const char *expected)
{
  g_autofree char *got = reasons (fixture, room_path);

  g_assert_cmpstr (got, ==, expected);
}

static JsonObject *
first_record (Fixture *fixture, const char *room_path)
{
  g_autofree char *path = g_strconcat (room_path, "/records", NULL);
  g_autoptr (JsonObject) reply = call (fixture, "GET", path, NULL, NULL);
  JsonObject *data = json_object_get_object_member (reply, "data");

  g_assert_cmpint (json_object_get_int_member (data, "total"), >=, 1);
  return json_object_ref (json_array_get_object_element (json_object_get_array_member (data,
                                                                                       "list"),
                                                         0));
}

#define ROOM "/edu/apps/app-1/v2/rooms/room-1"

static gboolean
recordings_closed (gpointer user_data)
{
  return rh_recorder_get_open_count () == 0;
}

static void
test_flow (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=200", TRUE, READY_WINDOW_S);
  g_autoptr (JsonObject) started = NULL;
  g_autoptr (JsonObject) held = NULL;
  g_autoptr (JsonObject) ended = NULL;
  g_autoptr (JsonObject) later = NULL;
  g_autofree char *file = NULL;
  JsonArray *files;
  GStatBuf file_stat;
  guint status = 0;

  call_ok (fixture, "POST", ROOM, "{\"roomName\":\"Maths\",\"roomType\":4}");
  started = call (fixture, "PUT", ROOM "/records/states/1", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (strlen (json_object_get_string_member (
                      json_object_get_object_member (started, "data"), "recordId")),
                    ==, 32);
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 1);

  /* The page gets ready; the recording starts on hold. */
  wait_reasons (fixture, ROOM, "1");
  held = first_record (fixture, ROOM);
  g_assert_true (json_object_get_boolean_member (held, "onHold"));
  g_assert_cmpint (json_object_get_int_member (held, "state"), ==, 1);
  g_assert_cmpuint (rh_cloud_get_ready_count (fixture->cloud), ==, 1);

  files = json_object_get_array_member (held, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 1);
  file = g_strdup (json_array_get_string_element (files, 0));
  /* Released, it records.  Frames come at a constant rate by the clock, so
   * half a second of it is 7 frames however busy the machine (a file of a
   * single frame does not decode). */
  call_ok (fixture, "PATCH", ROOM "/records/states/1", "{\"webRecordConfig\":{\"onHold\":false}}");
  keep_running (500);
  call_ok (fixture, "PUT", ROOM "/records/states/0", NULL);
  /* Stored before the stop was answered. */
  assert_reasons (fixture, ROOM, "1,2");
  ended = first_record (fixture, ROOM);
  g_assert_false (json_object_get_boolean_member (ended, "onHold"));
  g_assert_false (json_object_get_boolean_member (ended, "unready"));
  g_assert_cmpint (json_object_get_int_member (ended, "state"), ==, 2);
  g_assert_false (json_object_get_null_member (ended, "endTime"));
  /* The recording file, finished once the stop is answered: it plays. */
  g_assert_true (rh_test_wait_until (recordings_closed, NULL, EVENT_TIMEOUT_S));
  files = json_object_get_array_member (ended, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 1);
  g_assert_true (g_str_has_prefix (json_array_get_string_element (files, 0), fixture->data_dir));
  g_assert_cmpstr (json_array_get_string_element (files, 0), ==, file);
  g_assert_cmpint (g_stat (file, &file_stat), ==, 0);
  g_assert_cmpint (file_stat.st_size, >, 0);
  g_assert_cmpint (media_probe_duration_ms (file), >, 0);

  /* nextId pages through the events. */
  later = call (fixture, "GET", ROOM "/sequences?nextId=2", NULL, NULL);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_object_get_object_member (later, "data"), "list")),
                    ==, 1);
  g_assert_cmpint (json_object_get_int_member (json_object_get_object_member (later, "data"),
                                               "nextId"),
                   ==, 3);
}

static void
test_never_ready (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReady=never", FALSE, 1);
  g_autoptr (JsonObject) record = NULL;

  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  wait_reasons (fixture, ROOM, "4,4,5");
  record = first_record (fixture, ROOM);
  g_assert_true (json_object_get_boolean_member (record, "unready"));
  g_assert_cmpint (json_object_get_int_member (record, "state"), ==, 2);
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

typedef struct
{
  const char *name;
  const char *method;
  const char *path;
  const char *body;
  guint status;
  gint64 code;
} ErrorRow;

static const ErrorRow error_rows[] = {
  { "bad-json", "PUT", ROOM "/records/states/1", "{bad", 400, 400 },
  { "no-url", "PUT", ROOM "/records/states/1", "{\"mode\":\"web\",\"webRecordConfig\":{}}", 400,
    30400412 },
  { "width", "PUT", ROOM "/records/states/1",
    "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoWidth\":100}}", 400, 400 },
  { "stop-not-started", "PUT", ROOM "/records/states/0", NULL, 409, 30409410 },
  { "update-not-started", "PATCH", ROOM "/records/states/1",
    "{\"webRecordConfig\":{\"onHold\":false}}", 409, 30409410 },
  { "ready-not-started", "PUT", ROOM "/records/ready", NULL, 409, 30409410 },
  { "unknown-room-records", "GET", "/edu/apps/app-1/v2/rooms/nobody/records", NULL, 404, 404 },
  { "unknown-room-events", "GET", "/edu/apps/app-1/v2/rooms/nobody/sequences", NULL, 404, 404 },
  { "bad-next-id", "GET", ROOM "/sequences?nextId=abc", NULL, 400, 400 },
  { "bad-room-type", "POST", "/edu/apps/app-1/v2/rooms/other", "{\"roomType\":3}", 400, 400 },
  { "wrong-method", "DELETE", ROOM "/records", NULL, 405, 405 },
  /* Room uuids may hold '/': this reads as the room "room-1/whatever". */
  { "unknown-path", "GET", ROOM "/whatever", NULL, 405, 405 },
  { "not-a-room-path", "GET", "/edu/apps/app-1/v3/rooms/r", NULL, 404, 404 },
  { "not-the-api", "GET", "/", NULL, 404, 404 },
};

static void
test_errors (Fixture *fixture, gconstpointer data)
{
  call_ok (fixture, "POST", ROOM, NULL);
  for (guint i = 0; i < G_N_ELEMENTS (error_rows); i++)
    {
      guint status = 0;
      g_autoptr (JsonObject) reply = call (fixture, error_rows[i].method, error_rows[i].path,
                                           error_rows[i].body, &status);

      g_test_message ("%s", error_rows[i].name);
      g_assert_cmpuint (status, ==, error_rows[i].status);
      g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, error_rows[i].code);
      g_assert_cmpstr (json_object_get_string_member (reply, "msg"), !=, "");
    }
}

static void
test_conflicts (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", FALSE, READY_WINDOW_S);
  guint status = 0;
  g_autoptr (JsonObject) again = NULL;
  g_autoptr (JsonObject) room_again = NULL;

  call_ok (fixture, "POST", ROOM, NULL);
  room_again = call (fixture, "POST", ROOM, NULL, &status);
  g_assert_cmpuint (status, ==, 409);
  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  again = call (fixture, "PUT", ROOM "/records/states/1", body, &status);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpint (json_object_get_int_member (again, "code"), ==, 30409411);
  call_ok (fixture, "PUT", ROOM "/records/states/0", NULL);
}

static void
test_huge_body (Fixture *fixture, gconstpointer data)
{
  g_autofree char *huge = g_strnfill (200 * 1024, 'a');
  guint status = 0;
  g_autoptr (JsonObject) reply = call (fixture, "PUT", ROOM "/records/states/1", huge, &status);

  g_assert_cmpuint (status, ==, 413);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 413);
}

static void
test_restart_keeps_events (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", FALSE, READY_WINDOW_S);
  g_autoptr (JsonObject) record = NULL;

  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  wait_reasons (fixture, ROOM, "1");
  call_ok (fixture, "PUT", ROOM "/records/states/0", NULL);
  g_clear_object (&fixture->cloud);

  start_cloud (fixture, NULL);
  assert_reasons (fixture, ROOM, "1,2");
  record = first_record (fixture, ROOM);
  g_assert_cmpint (json_object_get_int_member (record, "state"), ==, 2);
}

/* A cloud killed mid-recording: at the next start the recording is ended
 * and its stop event is listed. */
static void
test_restart_ends_interrupted (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhCloudStore) store = NULL;
  g_autoptr (JsonObject) record = NULL;
  RhCloudRecord running = { 0 };

  g_clear_object (&fixture->cloud);
  store = rh_cloud_store_open (fixture->data_dir, &error);
  g_assert_no_error (error);
  g_assert_true (rh_cloud_store_put_room (store, "app-1", "room-1", "room-1", 4, NULL, &error));
  running.app_id = "app-1";
  running.room_uuid = "room-1";
  running.record_id = "00000000000000000000000000000001";
  running.state = 1;
  running.reason = 1;
  running.start_ms = 1;
  g_assert_true (rh_cloud_store_put_record (store, &running, &error));
  g_assert_cmpuint (rh_cloud_store_end_interrupted (store, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (rh_cloud_store_end_interrupted (store, &error), ==, 0);
  g_clear_pointer (&store, rh_cloud_store_close);

  start_cloud (fixture, NULL);
  assert_reasons (fixture, ROOM, "2");
  record = first_record (fixture, ROOM);
  g_assert_cmpint (json_object_get_int_member (record, "state"), ==, 2);
  g_assert_false (json_object_get_null_member (record, "endTime"));
}

static void
test_rooms_at_once (Fixture *fixture, gconstpointer data)
{
  static const char *const rooms[] = {
    "/edu/apps/app-1/v2/rooms/a", "/cn/edu/apps/app-1/v2/rooms/b",
    "/edu/apps/app-2/v2/rooms/a",
  };
  g_autofree char *body = start_body ("sdkReadyMs=300", FALSE, READY_WINDOW_S);

  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    {
      g_autofree char *path = g_strconcat (rooms[i], "/records/states/1", NULL);

      call_ok (fixture, "PUT", path, body);
    }
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 3);
  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    wait_reasons (fixture, rooms[i], "1");
  rh_cloud_stop_all (fixture->cloud);
  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    assert_reasons (fixture, rooms[i], "1,2");
}

static void
test_require_token (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", FALSE, READY_WINDOW_S);
  guint status = 0;
  g_autoptr (JsonObject) refused = NULL;

  g_clear_object (&fixture->cloud);
  start_cloud (fixture, "s3cret");
  refused = call (fixture, "POST", ROOM, NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpint (json_object_get_int_member (refused, "code"), ==, 401);

  fixture->token = g_strdup ("s3cret");
  call_ok (fixture, "POST", ROOM, NULL);
  /* The hosted page's ready call carries the token too. */
  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  wait_reasons (fixture, ROOM, "1");
  call_ok (fixture, "PUT", ROOM "/records/states/0", NULL);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cloud-flow/flow", test_flow);
  ADD ("/cloud-flow/never-ready", test_never_ready);
  ADD ("/cloud-flow/errors", test_errors);
  ADD ("/cloud-flow/conflicts", test_conflicts);
  ADD ("/cloud-flow/huge-body", test_huge_body);
  ADD ("/cloud-flow/restart-keeps-events", test_restart_keeps_events);
  ADD ("/cloud-flow/restart-ends-interrupted", test_restart_ends_interrupted);
  ADD ("/cloud-flow/rooms-at-once", test_rooms_at_once);
  ADD ("/cloud-flow/require-token", test_require_token);
#undef ADD
  return g_test_run ();
}
