/* The local cloud's recording API end to end, driven with libsoup: rooms,
 * recordings hosted in real WebKit views, events, restarts. */
#include <glib/gstdio.h>
#include <signal.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cloud-fixture.h"
#include "store-sync.h"
#include "media-probe.h"
#include "rh-cloud.h"
#include "rh-recorder.h"
#include "test-utils.h"

/* The retryTimeout of a recording whose page is to get ready at its first
 * load: no machine is that slow, and it costs nothing when the page gets ready. */
#define READY_WINDOW_S 60
/* Bound on waiting for a recording's events. */
#define EVENT_TIMEOUT_S 120

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
  g_autofree char *page = rh_test_page_path ("record_page.html");
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

/* A file the records list names: in the data directory, named relative to
 * it (no call here carries the token); its path on disk. */
static char *
listed_file (Fixture *fixture, JsonObject *record)
{
  JsonArray *files = json_object_get_array_member (record, "files");
  JsonObject *entry;
  const char *name;
  g_autofree char *download = NULL;

  g_assert_cmpuint (json_array_get_length (files), ==, 1);
  entry = json_array_get_object_element (files, 0);
  name = json_object_get_string_member (entry, "fileName");
  g_assert_false (json_object_has_member (entry, "localPath"));
  download = g_strconcat ("/", name, NULL);
  g_assert_cmpstr (json_object_get_string_member (entry, "download"), ==, download);
  g_assert_true (g_str_has_prefix (name, "recordings/"));
  g_assert_null (strstr (name, ".."));
  return g_build_filename (fixture->data_dir, name, NULL);
}

/* The record's file downloads whole from the path the list gives. */
static void
assert_downloads (Fixture *fixture, JsonObject *record, const char *file)
{
  JsonObject *entry = json_array_get_object_element (json_object_get_array_member (record,
                                                                                   "files"),
                                                     0);
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (fixture->cloud),
                                      json_object_get_string_member (entry, "download"), NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  /* The cloud answers on this thread's main loop. */
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  body = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), contents, length);
}

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
  g_autofree char *ended_file = NULL;
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

  file = listed_file (fixture, held);
  /* Released, it records.  Frames come at a constant rate by the clock, so
   * half a second of it is 7 frames however busy the machine (a file of a
   * single frame does not decode). */
  call_ok (fixture, "PATCH", ROOM "/records/states/1", "{\"webRecordConfig\":{\"onHold\":false}}");
  rh_test_keep_running (500);
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
  ended_file = listed_file (fixture, ended);
  g_assert_cmpstr (ended_file, ==, file);
  g_assert_cmpint (g_stat (file, &file_stat), ==, 0);
  g_assert_cmpint (file_stat.st_size, >, 0);
  g_assert_cmpint (media_probe_duration_ms (file), >, 0);
  assert_downloads (fixture, ended, file);

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
  g_autoptr (JsonObject) reply = NULL;
  JsonArray *list;

  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  wait_reasons (fixture, ROOM, "4,4,5");
  /* Each says why, as check would: what the page was waiting for. */
  reply = call (fixture, "GET", ROOM "/sequences?nextId=0&cmd=1001", NULL, NULL);
  list = json_object_get_array_member (json_object_get_object_member (reply, "data"), "list");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *event_data = json_object_get_object_member (
        json_array_get_object_element (list, i), "data");

      g_assert_true (g_str_has_prefix (json_object_get_string_member (event_data, "cause"),
                                       "not ready within 1 s: still waiting for "));
    }
  record = first_record (fixture, ROOM);
  g_assert_true (json_object_get_boolean_member (record, "unready"));
  g_assert_cmpint (json_object_get_int_member (record, "state"), ==, 2);
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

typedef struct
{
  const char *name;
  gboolean cloud_local; /* the cloud's --sdk-api */
  const char *sdk_api;  /* the start's webRecordConfig.sdkApi, NULL: none given */
  gboolean routed;
} SdkApiRow;

static const SdkApiRow sdk_api_rows[] = {
  { "default", TRUE, NULL, TRUE },
  { "cloud-none", FALSE, NULL, FALSE },
  { "start-local", FALSE, "local", TRUE },
  { "start-none", TRUE, "none", FALSE },
};

static gboolean
ready_heard (gpointer user_data)
{
  return rh_cloud_get_ready_count (user_data) > 0;
}

/* A hosted page reaches the cloud at the SDKs' API hosts as check's does
 * with --sdk-api local: the page's calls to api.agora.io (its configs, its
 * check-in, then a ready call) are answered by the cloud, which hears the
 * ready call; or, with "none", they go to the network, which has no such
 * host here. */
static void
test_sdk_api (Fixture *fixture, gconstpointer data)
{
  const SdkApiRow *row = data;
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "requests.html", NULL);
  g_autofree char *uri = g_filename_to_uri (page, NULL, NULL);
  g_autofree char *sdk_api = row->sdk_api != NULL
                               ? g_strdup_printf (",\"sdkApi\":\"%s\"", row->sdk_api)
                               : g_strdup ("");
  g_autofree char *body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":"
                                           "{\"rootUrl\":\"%s\"%s},\"retryTimeout\":2}",
                                           uri, sdk_api);

  rh_cloud_set_sdk_api_local (fixture->cloud, row->cloud_local);
  call_ok (fixture, "PUT", "/cn" ROOM "/records/states/1", body);
  if (row->routed)
    g_assert_true (rh_test_wait_until (ready_heard, fixture->cloud, EVENT_TIMEOUT_S));
  else
    {
      /* The page never gets ready: by its first reason 4 its calls failed. */
      wait_reasons (fixture, "/cn" ROOM, "4");
      rh_test_keep_running (1000);
      g_assert_cmpuint (rh_cloud_get_ready_count (fixture->cloud), ==, 0);
    }
  call_ok (fixture, "PUT", "/cn" ROOM "/records/states/0", NULL);
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

  cloud_fixture_start (fixture, NULL);
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
  store = store_sync_open (fixture->data_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (store_sync_put_room (store, "app-1", "room-1", "room-1", 4, NULL, &error));
  running.app_id = "app-1";
  running.room_uuid = "room-1";
  running.record_id = "00000000000000000000000000000001";
  running.state = 1;
  running.reason = 1;
  running.start_ms = 1;
  g_assert_true (store_sync_put_record (store, &running, &error));
  g_assert_cmpuint (store_sync_end_interrupted (store, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (store_sync_end_interrupted (store, &error), ==, 0);
  g_clear_object (&store);

  cloud_fixture_start (fixture, NULL);
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

/* ---- recording files ---- */

/* The API path of a room, its uuid percent-encoded. */
static char *
room_path (const char *room_uuid)
{
  g_autofree char *escaped = g_uri_escape_string (room_uuid, NULL, FALSE);

  return g_strconcat ("/edu/apps/app-1/v2/rooms/", escaped, NULL);
}

static void
start_recording (Fixture *fixture, const char *room_path)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", FALSE, READY_WINDOW_S);
  g_autofree char *path = g_strconcat (room_path, "/records/states/1", NULL);

  call_ok (fixture, "PUT", path, body);
}

static void
stop_recording (Fixture *fixture, const char *room_path)
{
  g_autofree char *path = g_strconcat (room_path, "/records/states/0", NULL);

  call_ok (fixture, "PUT", path, NULL);
}

/* The record's one file: inside the data directory, named in a few
 * characters any file system and GStreamer take, and playable. */
static char *
assert_recording_file (Fixture *fixture, const char *room_path)
{
  g_autoptr (JsonObject) record = first_record (fixture, room_path);
  g_autofree char *dir = g_build_filename (fixture->data_dir, "recordings", NULL);
  g_autofree char *file_dir = NULL;
  g_autofree char *name = NULL;
  g_autofree char *file = NULL;
  GStatBuf file_stat;

  g_assert_cmpstr (json_object_get_string_member (record, "fileState"), ==, "written");
  file = listed_file (fixture, record);
  file_dir = g_path_get_dirname (file);
  name = g_path_get_basename (file);
  g_assert_cmpstr (file_dir, ==, dir);
  g_assert_cmpuint (strlen (name), <=, 100);
  g_assert_true (g_regex_match_simple ("^[A-Za-z0-9_-]+[A-Za-z0-9_.-]*\\.mp4$", name, 0, 0));
  g_assert_cmpint (g_stat (file, &file_stat), ==, 0);
  g_assert_cmpint (file_stat.st_size, >, 0);
  g_assert_cmpint (media_probe_duration_ms (file), >, 0);
  return g_steal_pointer (&file);
}

typedef struct
{
  const char *name;
  const char *room_uuid;
} RoomRow;

static const RoomRow room_rows[] = {
  { "non-ascii", "salle-\xc3\xa9t\xc3\xa9-\xe6\x95\x99\xe5\xae\xa4" },
  { "long", NULL }, /* 300 characters */
  { "separators", "a/b\\c" },
  { "dot-dot", "../../x/.." },
  { "control", "a\x01" "b\tc\nd\x7f" },
  { "quotes", "a\"b' c$(x)*" },
};

static gboolean
file_has_fragment (gpointer user_data)
{
  return media_probe_has_fragment (user_data);
}

/* Whatever the room uuid, the recording gets a file, named safely.  It
 * records until its file holds encoded frames, then half a second more:
 * the muxer writes its header at once, and on a loaded machine the
 * encoder's first frames come seconds later. */
static void
test_recording_file (Fixture *fixture, gconstpointer data)
{
  const RoomRow *row = data;
  g_autofree char *long_uuid = g_strnfill (300, 'r');
  g_autofree char *path = room_path (row->room_uuid != NULL ? row->room_uuid : long_uuid);
  g_autofree char *file = NULL;
  g_autoptr (JsonObject) recording = NULL;
  g_autofree char *recording_file = NULL;

  start_recording (fixture, path);
  wait_reasons (fixture, path, "1");
  recording = first_record (fixture, path);
  recording_file = listed_file (fixture, recording);
  g_assert_true (rh_test_wait_until (file_has_fragment, recording_file, EVENT_TIMEOUT_S));
  rh_test_keep_running (500);
  stop_recording (fixture, path);
  file = assert_recording_file (fixture, path);
}

/* Room uuids alike but for the characters a file name cannot keep get
 * files of their own; a file removed is reported missing, not listed. */
static void
test_recording_files_distinct (Fixture *fixture, gconstpointer data)
{
  g_autofree char *first = room_path ("a/b");
  g_autofree char *second = room_path ("a\\b");
  g_autofree char *first_file = NULL;
  g_autofree char *second_file = NULL;
  g_autoptr (JsonObject) record = NULL;

  start_recording (fixture, first);
  start_recording (fixture, second);
  wait_reasons (fixture, first, "1");
  wait_reasons (fixture, second, "1");
  /* Two rooms on a loaded machine: long enough for each to have painted
   * and its recorder to have encoded a frame. */
  rh_test_keep_running (1500);
  stop_recording (fixture, first);
  stop_recording (fixture, second);
  first_file = assert_recording_file (fixture, first);
  second_file = assert_recording_file (fixture, second);
  g_assert_cmpstr (first_file, !=, second_file);

  g_assert_cmpint (g_unlink (first_file), ==, 0);
  record = first_record (fixture, first);
  g_assert_cmpstr (json_object_get_string_member (record, "fileState"), ==, "missing");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (record, "files")), ==, 0);
}

/* Stopped while held, it recorded nothing: no file is listed. */
static void
test_recording_file_none (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", TRUE, READY_WINDOW_S);
  g_autoptr (JsonObject) held = NULL;
  g_autoptr (JsonObject) ended = NULL;

  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  wait_reasons (fixture, ROOM, "1");
  held = first_record (fixture, ROOM);
  g_assert_cmpstr (json_object_get_string_member (held, "fileState"), ==, "recording");
  call_ok (fixture, "PUT", ROOM "/records/states/0", NULL);
  ended = first_record (fixture, ROOM);
  g_assert_cmpint (json_object_get_int_member (ended, "state"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (ended, "fileState"), ==, "missing");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (ended, "files")), ==, 0);
}

/* Where the recording cannot be written, it does not start: the answer
 * says so, without the cloud's paths. */
static void
test_recording_file_unwritable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", FALSE, READY_WINDOW_S);
  g_autofree char *dir = g_build_filename (fixture->data_dir, "recordings", NULL);
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (GError) error = NULL;
  guint status = 0;

  /* A file where the directory should be: refused even to root. */
  g_assert_true (g_file_set_contents (dir, "", 0, &error));
  g_test_expect_message ("recordhost-cloud", G_LOG_LEVEL_WARNING, "*recordings*");
  reply = call (fixture, "PUT", ROOM "/records/states/1", body, &status);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (status, ==, 500);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 500);
  g_assert_null (strstr (json_object_get_string_member (reply, "msg"), fixture->data_dir));
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

/* The disk fills while a recording is on hold (a file size limit just past
 * the store's journal, in this process, SIGXFSZ ignored): the stop cannot
 * be stored, so it is no success, and the store and the cloud still say
 * recording; stopped again once there is room, it is stored. */
static void
test_stop_store_full (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", TRUE, READY_WINDOW_S);
  g_autofree char *wal = g_build_filename (fixture->data_dir, "cloud.sqlite3-wal", NULL);
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonObject) record = NULL;
  struct rlimit saved_limit, limit;
  void (*saved_handler) (int);
  GStatBuf info;
  guint status = 0;

  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  wait_reasons (fixture, ROOM, "1");

  g_assert_cmpint (g_stat (wal, &info), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  limit = saved_limit;
  /* The journal's next frame does not fit. */
  limit.rlim_cur = info.st_size;
  saved_handler = signal (SIGXFSZ, SIG_IGN);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  g_test_expect_message ("recordhost-cloud", G_LOG_LEVEL_MESSAGE, "*state 2, reason 2*");
  g_test_expect_message ("recordhost-cloud", G_LOG_LEVEL_WARNING, "room room-1: cloud store: *");
  g_test_expect_message ("recordhost-cloud", G_LOG_LEVEL_WARNING, "cloud: PUT *: cloud store: *");
  reply = call (fixture, "PUT", ROOM "/records/states/0", NULL, &status);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  signal (SIGXFSZ, saved_handler);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (status, ==, 500);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 500);
  assert_reasons (fixture, ROOM, "1");
  record = first_record (fixture, ROOM);
  g_assert_cmpint (json_object_get_int_member (record, "state"), ==, 1);
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 1);
  g_clear_pointer (&record, json_object_unref);

  call_ok (fixture, "PUT", ROOM "/records/states/0", NULL);
  assert_reasons (fixture, ROOM, "1,2");
  record = first_record (fixture, ROOM);
  g_assert_cmpint (json_object_get_int_member (record, "state"), ==, 2);
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

static gboolean
record_ended (gpointer user_data)
{
  g_autoptr (JsonObject) record = first_record (user_data, ROOM);

  return json_object_get_int_member (record, "state") == 2;
}

/* A recorder that fails (here its file was swapped for a link to a full
 * device) ends the recording at once, and the list says the file failed
 * and why. */
static void
test_recording_file_failed (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", TRUE, READY_WINDOW_S);
  g_autoptr (JsonObject) held = NULL;
  g_autoptr (JsonObject) ended = NULL;
  const char *name;
  g_autofree char *file = NULL;

  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  wait_reasons (fixture, ROOM, "1");
  held = first_record (fixture, ROOM);
  g_assert_true (json_object_get_null_member (held, "error"));
  /* Named in the data directory: the call carried no token. */
  name = json_object_get_string_member (
    json_array_get_object_element (json_object_get_array_member (held, "files"), 0), "fileName");
  file = g_build_filename (fixture->data_dir, name, NULL);
  g_assert_cmpint (g_unlink (file), ==, 0);
  g_assert_cmpint (symlink ("/dev/full", file), ==, 0);
  call_ok (fixture, "PATCH", ROOM "/records/states/1", "{\"webRecordConfig\":{\"onHold\":false}}");

  /* No stop asked for. */
  rh_test_wait_until (record_ended, fixture, EVENT_TIMEOUT_S);
  ended = first_record (fixture, ROOM);
  g_assert_cmpint (json_object_get_int_member (ended, "state"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (ended, "fileState"), ==, "failed");
  g_assert_nonnull (strstr (json_object_get_string_member (ended, "error"), name));
  g_assert_null (strstr (json_object_get_string_member (ended, "error"), fixture->data_dir));
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

/* One cloud per data directory: another is refused at once, and told which
 * process holds it. */
static void
test_data_dir_locked (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhCloudStore) store = store_sync_open (fixture->data_dir, NULL, &error);
  g_autofree char *holder = g_strdup_printf ("(pid %d)", (int) getpid ());
  g_autoptr (GSubprocess) second = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_null (store);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, holder));
  g_clear_error (&error);

  second = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE,
                             &error, RECORDHOST_BINARY, "cloud", "--listen", ":0",
                             "--data-dir", fixture->data_dir, NULL);
  g_assert_no_error (error);
  g_subprocess_wait_async (second, NULL, rh_test_async_cb, &result);
  if (!rh_test_wait_result (&result, 30))
    g_subprocess_force_exit (second);
  g_assert_nonnull (result);
  g_subprocess_communicate_utf8 (second, NULL, NULL, &out, &err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (second));
  g_assert_cmpint (g_subprocess_get_exit_status (second), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_assert_true (g_str_has_prefix (err, "recordhost cloud: "));
  g_assert_nonnull (strstr (err, holder));
  g_assert_nonnull (strstr (err, fixture->data_dir));
  /* One line. */
  g_assert_nonnull (strchr (err, '\n'));
  g_assert_cmpstr (strchr (err, '\n') + 1, ==, "");

  /* Given up with the cloud, the directory is free. */
  g_clear_object (&fixture->cloud);
  store = store_sync_open (fixture->data_dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (store);
}

typedef struct
{
  const char *name;
  const char *sql;    /* run on the store from outside: what makes it fail */
  const char *method;
  const char *path;
  gboolean start;     /* the body is a recording's start */
  const char *detail; /* in the cloud's log, never in the answer */
} StoreFailRow;

static const StoreFailRow store_fail_rows[] = {
  { "create-room",
    "CREATE TRIGGER fail BEFORE INSERT ON rooms BEGIN SELECT RAISE (FAIL, 'disk trouble'); END",
    "POST", "/edu/apps/app-1/v2/rooms/other", FALSE, "disk trouble" },
  { "start",
    "CREATE TRIGGER fail BEFORE INSERT ON records BEGIN SELECT RAISE (FAIL, 'disk trouble'); END",
    "PUT", ROOM "/records/states/1", TRUE, "disk trouble" },
  { "records", "DROP TABLE records", "GET", ROOM "/records", FALSE, "no such table" },
  { "events", "DROP TABLE events", "GET", ROOM "/sequences", FALSE, "no such table" },
  { "room", "DROP TABLE rooms", "GET", ROOM "/records", FALSE, "no such table" },
};

/* A store that fails answers 500 with a message that says nothing of it;
 * the detail is in the cloud's log. */
static void
test_store_fails (Fixture *fixture, gconstpointer data)
{
  const StoreFailRow *row = data;
  g_autofree char *path = g_build_filename (fixture->data_dir, "cloud.sqlite3", NULL);
  g_autofree char *body = row->start ? start_body (NULL, FALSE, READY_WINDOW_S) : NULL;
  g_autofree char *detail = g_strdup_printf ("*%s*", row->detail);
  g_autoptr (JsonObject) reply = NULL;
  const char *text;
  sqlite3 *db = NULL;
  guint status = 0;

  call_ok (fixture, "POST", ROOM, NULL);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, row->sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);

  g_test_expect_message ("recordhost-cloud", G_LOG_LEVEL_WARNING, detail);
  reply = call (fixture, row->method, row->path, body, &status);
  g_test_assert_expected_messages ();
  g_assert_cmpuint (status, ==, 500);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 500);
  text = json_object_get_string_member (reply, "msg");
  g_assert_null (strstr (text, row->detail));
  g_assert_null (strstr (text, "store"));
  g_assert_null (strstr (text, "SQL"));
  g_assert_null (strstr (text, fixture->data_dir));
  /* Nothing was left running. */
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

/* A room uuid reaches the cloud's log spelt out: a terminal showing it
 * acts on none of its control characters. */
static void
test_log_escapes_room (Fixture *fixture, gconstpointer data)
{
  if (g_test_subprocess ())
    {
      g_autofree char *body = start_body (NULL, TRUE, READY_WINDOW_S);

      call_ok (fixture, "PUT", "/edu/apps/app-1/v2/rooms/r%1B%5B31mX%07/records/states/1", body);
      call_ok (fixture, "PUT", "/edu/apps/app-1/v2/rooms/r%1B%5B31mX%07/records/states/0", NULL);
      return;
    }
  g_test_trap_subprocess (NULL, 120 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_DEFAULT);
  g_test_trap_assert_passed ();
  g_test_trap_assert_stderr ("*cloud: room r\\x1b[31mX\\x07, record *: started*");
  g_test_trap_assert_stderr_unmatched ("*\033*");
  g_test_trap_assert_stderr_unmatched ("*\007*");
}

static void
test_require_token (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", FALSE, READY_WINDOW_S);
  guint status = 0;
  g_autoptr (JsonObject) refused = NULL;
  g_autoptr (JsonObject) record = NULL;
  JsonArray *files;

  g_clear_object (&fixture->cloud);
  cloud_fixture_start (fixture, "s3cret");
  refused = call (fixture, "POST", ROOM, NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  g_assert_cmpint (json_object_get_int_member (refused, "code"), ==, 401);

  fixture->token = g_strdup ("s3cret");
  call_ok (fixture, "POST", ROOM, NULL);
  /* The hosted page's ready call carries the token too. */
  call_ok (fixture, "PUT", ROOM "/records/states/1", body);
  wait_reasons (fixture, ROOM, "1");
  rh_test_keep_running (500);
  call_ok (fixture, "PUT", ROOM "/records/states/0", NULL);
  /* Who holds the token is told where the file is on disk. */
  g_assert_true (rh_test_wait_until (recordings_closed, NULL, EVENT_TIMEOUT_S));
  record = first_record (fixture, ROOM);
  files = json_object_get_array_member (record, "files");
  g_assert_cmpuint (json_array_get_length (files), ==, 1);
  g_assert_true (g_str_has_prefix (json_object_get_string_member (
                                     json_array_get_object_element (files, 0), "localPath"),
                                   fixture->data_dir));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cloud-flow/flow", test_flow);
  ADD ("/cloud-flow/never-ready", test_never_ready);
  ADD ("/cloud-flow/log-escapes-room", test_log_escapes_room);
  ADD ("/cloud-flow/errors", test_errors);
  ADD ("/cloud-flow/conflicts", test_conflicts);
  ADD ("/cloud-flow/huge-body", test_huge_body);
  ADD ("/cloud-flow/restart-keeps-events", test_restart_keeps_events);
  ADD ("/cloud-flow/restart-ends-interrupted", test_restart_ends_interrupted);
  ADD ("/cloud-flow/rooms-at-once", test_rooms_at_once);
  ADD ("/cloud-flow/require-token", test_require_token);
  ADD ("/cloud-flow/data-dir-locked", test_data_dir_locked);
  ADD ("/cloud-flow/recording-file/distinct", test_recording_files_distinct);
  ADD ("/cloud-flow/recording-file/none", test_recording_file_none);
  ADD ("/cloud-flow/recording-file/unwritable", test_recording_file_unwritable);
  ADD ("/cloud-flow/recording-file/failed", test_recording_file_failed);
  ADD ("/cloud-flow/stop-store-full", test_stop_store_full);
#undef ADD
  for (guint i = 0; i < G_N_ELEMENTS (room_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-flow/recording-file/", room_rows[i].name, NULL);

      g_test_add (path, Fixture, &room_rows[i], fixture_setup, test_recording_file,
                  fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (sdk_api_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-flow/sdk-api/", sdk_api_rows[i].name, NULL);

      g_test_add (path, Fixture, &sdk_api_rows[i], fixture_setup, test_sdk_api,
                  fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (store_fail_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-flow/store-fails/", store_fail_rows[i].name,
                                           NULL);

      g_test_add (path, Fixture, &store_fail_rows[i], fixture_setup, test_store_fails,
                  fixture_teardown);
    }
  return g_test_run ();
}
