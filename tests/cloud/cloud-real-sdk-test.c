/* The documented recording flow through a real `recordhost cloud` on
 * loopback, offline, with a published classroom SDK (npm
 * agora-classroom-sdk 1.1.x, fetched by tests/real-sdk/fetch into
 * RECORDHOST_REAL_SDK_DIR): the bundled record page served from a local
 * "CDN" that hands it the SDK bundle where a deployed template has it,
 * started held, ready (reason 1), released, stopped (reason 2); the file
 * begins painted and lasts from the release to the stop.  2.x, which wait
 * for their RTM login, end 4, 4, 5, each event with its cause. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "media-probe.h"
#include "test-utils.h"

/* The published SDKs 1.1.x refuse an app ID that is not 32 characters. */
#define APP_ID "0123456789abcdef0123456789abcdef"
#define ROOM "/cn/edu/apps/" APP_ID "/v2/rooms/real-room"
/* Bound on the SDK getting ready, on a busy machine. */
#define READY_TIMEOUT_S 120
#define WAIT_TIMEOUT_S 60
/* How long the recording stays held after reason 1, as the documented flow
 * holds it (60 s there): 1.1.x fire event 1 before they paint their
 * classroom, and a recording released at once would begin white. */
#define HOLD_MS 3000
/* How long the released recording runs. */
#define RECORD_MS 3000
/* The file's duration against release-to-stop: a frame at 15 fps either
 * side, the calls' round trips and the recorder's start. */
#define DURATION_TOLERANCE_MS 1000

typedef struct
{
  char *sdk_dir; /* the version's lib/ folder */
  char *page;
  SoupServer *cdn;
  char *cdn_url;
  RhTestChild *cloud;
  char *cloud_url;
  char *data_dir;
  SoupSession *session;
} Fixture;

static void
serve_file (SoupServerMessage *msg, const char *path, const char *type)
{
  g_autoptr (GMappedFile) mapped = g_mapped_file_new (path, FALSE, NULL);
  g_autoptr (GBytes) bytes = NULL;

  if (mapped == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  bytes = g_mapped_file_get_bytes (mapped);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_headers_set_content_type (soup_server_message_get_response_headers (msg), type,
                                         NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), bytes);
}

/* A deployed template: the bundled page, the SDK bundle where the page
 * loads its SDK from (sdk/edu_sdk.window.js, its stand-in's core left
 * empty), the rest of the SDK's lib/ folder beside it. */
static void
cdn_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autofree char *file = NULL;

  if (g_str_equal (path, "/record_page.html"))
    {
      serve_file (msg, fixture->page, "text/html");
      return;
    }
  if (g_str_equal (path, "/sdk/standin-core.js"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "text/javascript", SOUP_MEMORY_STATIC, "", 0);
      return;
    }
  if (g_str_equal (path, "/sdk/edu_sdk.window.js"))
    file = g_build_filename (fixture->sdk_dir, "edu_sdk.bundle.js", NULL);
  else if (g_str_has_prefix (path, "/sdk/") && strstr (path, "..") == NULL)
    file = g_build_filename (fixture->sdk_dir, path + strlen ("/sdk/"), NULL);
  if (file == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  serve_file (msg, file, "text/javascript");
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  const char *version = data;
  const char *dir = g_getenv ("RECORDHOST_REAL_SDK_DIR");
  g_autoptr (GError) error = NULL;
  g_autoslist (GUri) uris = NULL;
  const char *args[] = { "cloud", "--listen", ":0", "--data-dir", NULL, NULL };
  g_autofree char *out = NULL;

  g_assert_nonnull (dir);
  fixture->sdk_dir = g_build_filename (dir, version, NULL);
  fixture->page = rh_test_page_path ("record_page.html");
  fixture->cdn = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->cdn, NULL, cdn_cb, fixture, NULL);
  g_assert_true (soup_server_listen_local (fixture->cdn, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->cdn);
  fixture->cdn_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));

  fixture->data_dir = g_build_filename (rh_test_tmpdir (), "cloud", NULL);
  args[4] = fixture->data_dir;
  fixture->cloud = rh_test_child_spawn (args, NULL);
  rh_test_child_wait_stderr (fixture->cloud, "cloud: listening on", WAIT_TIMEOUT_S);
  out = rh_test_child_get_stdout (fixture->cloud);
  g_assert_true (g_str_has_prefix (out, "http://"));
  *strchr (out, '\n') = '\0';
  fixture->cloud_url = g_steal_pointer (&out);
  fixture->session = soup_session_new_with_options ("timeout", 30, NULL);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->cloud, rh_test_child_free);
  g_clear_object (&fixture->session);
  soup_server_disconnect (fixture->cdn);
  g_clear_object (&fixture->cdn);
  g_free (fixture->cdn_url);
  g_free (fixture->cloud_url);
  g_free (fixture->data_dir);
  g_free (fixture->page);
  g_free (fixture->sdk_dir);
}

static JsonObject *
call (Fixture *fixture, const char *method, const char *path, const char *body)
{
  g_autofree char *uri = g_strconcat (fixture->cloud_url, path, NULL);
  guint status = 0;
  JsonObject *reply = rh_test_call_json (fixture->session, method, uri, body, NULL, &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 0);
  return reply;
}

static JsonArray *
events (Fixture *fixture, JsonObject **reply)
{
  *reply = call (fixture, "GET", ROOM "/sequences?nextId=0&cmd=1001", NULL);
  return json_object_get_array_member (json_object_get_object_member (*reply, "data"), "list");
}

typedef struct
{
  Fixture *fixture;
  guint count;
} EventsWait;

static gboolean
has_events (gpointer user_data)
{
  EventsWait *wait = user_data;
  g_autoptr (JsonObject) reply = NULL;

  return json_array_get_length (events (wait->fixture, &reply)) >= wait->count;
}

static void
wait_events (Fixture *fixture, guint count, guint timeout_s)
{
  EventsWait wait = { fixture, count };

  if (!rh_test_wait_until (has_events, &wait, timeout_s))
    {
      g_autofree char *err = rh_test_child_get_stderr (fixture->cloud);

      g_test_message ("cloud's stderr:\n%s", err);
      g_assert_not_reached ();
    }
}

/* Each event in turn: "reason:held" or "reason:released", with its
 * sequence number 1, 2, ... */
static char *
describe_events (Fixture *fixture)
{
  g_autoptr (JsonObject) reply = NULL;
  JsonArray *list = events (fixture, &reply);
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *event = json_array_get_object_element (list, i);
      JsonObject *data = json_object_get_object_member (event, "data");

      g_assert_cmpint (json_object_get_int_member (event, "sequence"), ==, i + 1);
      g_string_append_printf (out, "%s%" G_GINT64_FORMAT ":%s", i > 0 ? "," : "",
                              json_object_get_int_member (data, "reason"),
                              json_object_get_boolean_member (data, "onHold") ? "held"
                                                                              : "released");
    }
  return g_string_free (out, FALSE);
}

static gboolean
file_finished (gpointer user_data)
{
  return media_probe_duration_ms (user_data) > 0;
}

/* The record's file as the list names it: downloaded whole from the
 * cloud, the same as on disk. */
static char *
recorded_file (Fixture *fixture)
{
  g_autoptr (JsonObject) reply = call (fixture, "GET", ROOM "/records", NULL);
  JsonObject *record = json_array_get_object_element (
    json_object_get_array_member (json_object_get_object_member (reply, "data"), "list"), 0);
  JsonObject *entry = json_array_get_object_element (json_object_get_array_member (record,
                                                                                   "files"),
                                                     0);
  g_autofree char *file = g_build_filename (fixture->data_dir,
                                            json_object_get_string_member (entry, "fileName"),
                                            NULL);
  g_autofree char *uri = g_strconcat (fixture->cloud_url,
                                      json_object_get_string_member (entry, "download"), NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;

  g_assert_cmpint (json_object_get_int_member (record, "state"), ==, 2);
  g_assert_false (json_object_get_boolean_member (record, "unready"));
  /* Finished once a player reads its length. */
  g_assert_true (rh_test_wait_until (file_finished, file, WAIT_TIMEOUT_S));
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, WAIT_TIMEOUT_S));
  body = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  g_assert_true (g_file_get_contents (file, &contents, &length, NULL));
  g_assert_cmpmem (g_bytes_get_data (body, NULL), g_bytes_get_size (body), contents, length);
  return g_steal_pointer (&file);
}

static void
test_flow (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bundle = g_build_filename (fixture->sdk_dir, "edu_sdk.bundle.js", NULL);
  g_autofree char *body = NULL;
  g_autofree char *held = NULL;
  g_autofree char *ended = NULL;
  g_autofree char *file = NULL;
  g_autoptr (JsonObject) reply = NULL;
  gint64 start_us, ready_us, release_us, stop_us, duration_ms;
  int status;

  if (!g_file_test (bundle, G_FILE_TEST_IS_REGULAR))
    {
      /* The set-up step fetches them: their absence is a failure, not a skip. */
      g_test_message ("no %s: run tests/real-sdk/fetch", bundle);
      g_test_fail ();
      return;
    }
  json_object_unref (call (fixture, "POST", ROOM, "{\"roomName\":\"Maths\",\"roomType\":4}"));
  body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":"
                          "\"%s/record_page.html\",\"onHold\":true,\"videoWidth\":1280,"
                          "\"videoHeight\":720},\"retryTimeout\":%u}",
                          fixture->cdn_url, READY_TIMEOUT_S);
  start_us = g_get_monotonic_time ();
  reply = call (fixture, "PUT", ROOM "/records/states/1", body);

  /* Ready through the cloud's own answers to the SDK, and held. */
  wait_events (fixture, 1, READY_TIMEOUT_S);
  ready_us = g_get_monotonic_time ();
  held = describe_events (fixture);
  g_assert_cmpstr (held, ==, "1:held");
  g_test_message ("reason 1 after %" G_GINT64_FORMAT " ms",
                  (ready_us - start_us) / 1000);

  rh_test_keep_running (HOLD_MS);
  json_object_unref (call (fixture, "PATCH", ROOM "/records/states/1",
                        "{\"webRecordConfig\":{\"onHold\":false}}"));
  release_us = g_get_monotonic_time ();
  rh_test_keep_running (RECORD_MS);
  json_object_unref (call (fixture, "PUT", ROOM "/records/states/0", NULL));
  stop_us = g_get_monotonic_time ();
  ended = describe_events (fixture);
  g_assert_cmpstr (ended, ==, "1:held,2:released");

  /* The file begins with the classroom, and holds what came between the
   * release and the stop.  Offline the classroom is a white whiteboard with
   * a dialog on it, under 2 % of its pixels far from white: blank as a
   * viewer's eye takes it (--blank-threshold 98), yet not the page before
   * the classroom, which is one colour. */
  file = recorded_file (fixture);
  g_assert_false (media_probe_first_frame_blank (file, 100));
  duration_ms = media_probe_duration_ms (file);
  g_test_message ("released for %" G_GINT64_FORMAT " ms, recorded %" G_GINT64_FORMAT " ms",
                  (stop_us - release_us) / 1000, duration_ms);
  g_assert_cmpint (ABS (duration_ms - (stop_us - release_us) / 1000), <=,
                   DURATION_TOLERANCE_MS);

  rh_test_child_send_signal (fixture->cloud, SIGTERM);
  status = rh_test_child_wait (fixture->cloud, WAIT_TIMEOUT_S);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* Each load of a 2.x template's page has this long to get ready. */
#define NEVER_READY_RETRY_S 15

/* Whether a problem of the record's last attempt has @text. */
static gboolean
attempt_says (JsonObject *record, const char *text)
{
  JsonArray *attempts = json_object_get_array_member (json_object_get_object_member (record,
                                                                                     "page"),
                                                      "attempts");
  JsonObject *last = json_array_get_object_element (attempts,
                                                    json_array_get_length (attempts) - 1);
  JsonArray *problems = json_object_get_array_member (last, "problems");

  for (guint i = 0; i < json_array_get_length (problems); i++)
    if (strstr (json_object_get_string_member (json_array_get_object_element (problems, i),
                                               "message"),
                text)
        != NULL)
      return TRUE;
  return FALSE;
}

/* 2.x wait for their RTM login, which no local answer can serve: each load
 * is given up (4, 4, then 5), and each event says why, as check does. */
static void
test_never_ready (Fixture *fixture, gconstpointer data)
{
  g_autofree char *bundle = g_build_filename (fixture->sdk_dir, "edu_sdk.bundle.js", NULL);
  g_autofree char *body = NULL;
  g_autoptr (JsonObject) reply = NULL;
  g_autoptr (JsonObject) records = NULL;
  g_autofree char *err = NULL;
  JsonArray *list;
  JsonObject *record;

  if (!g_file_test (bundle, G_FILE_TEST_IS_REGULAR))
    {
      g_test_message ("no %s: run tests/real-sdk/fetch", bundle);
      g_test_fail ();
      return;
    }
  body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":"
                          "\"%s/record_page.html\",\"onHold\":true},\"retryTimeout\":%u}",
                          fixture->cdn_url, NEVER_READY_RETRY_S);
  json_object_unref (call (fixture, "PUT", ROOM "/records/states/1", body));
  wait_events (fixture, 3, 4 * NEVER_READY_RETRY_S + WAIT_TIMEOUT_S);
  list = events (fixture, &reply);
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *event = json_object_get_object_member (json_array_get_object_element (list, i),
                                                         "data");
      const char *cause = json_object_get_string_member (event, "cause");

      g_test_message ("reason %" G_GINT64_FORMAT ": %s",
                      json_object_get_int_member (event, "reason"), cause);
      g_assert_cmpint (json_object_get_int_member (event, "reason"), ==, i < 2 ? 4 : 5);
      g_assert_true (json_object_get_boolean_member (event, "onHold"));
      /* The one line check says: the step waited for, the first host it
       * could not reach; the rest is in the record's problems. */
      g_assert_nonnull (strstr (cause, "still waiting for the RTM login: ap-web-"));
      g_assert_cmpuint (g_utf8_strlen (cause, -1), <=, 160);
    }
  records = call (fixture, "GET", ROOM "/records", NULL);
  record = json_array_get_object_element (
    json_object_get_array_member (json_object_get_object_member (records, "data"), "list"), 0);
  g_assert_true (json_object_get_boolean_member (record, "unready"));
  g_assert_true (attempt_says (record, "cannot get ready offline"));
  /* The cloud's log says it too. */
  err = rh_test_child_get_stderr (fixture->cloud);
  g_assert_nonnull (strstr (err, "reason 4 (on hold): not ready within"));
}

int
main (int argc, char **argv)
{
  static const char *const versions[] = { "1.1.2-rc.3", "1.1.5-rc.2" };
  static const char *const never_ready[] = { "2.8.21", "2.9.52" };

  rh_test_init (&argc, &argv);
  gst_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (versions); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-real-sdk/", versions[i], "/flow", NULL);

      g_test_add (path, Fixture, versions[i], fixture_setup, test_flow, fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (never_ready); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-real-sdk/", never_ready[i], "/never-ready",
                                           NULL);

      g_test_add (path, Fixture, never_ready[i], fixture_setup, test_never_ready,
                  fixture_teardown);
    }
  return g_test_run ();
}
