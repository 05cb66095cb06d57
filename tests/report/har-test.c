/* The HAR file of a page's requests, from a watch without a view fed the
 * bridge's messages: one entry per resource and per script request, as
 * HAR 1.2 readers expect them. */
#include <string.h>

#include "rh-bridge.h"
#include "rh-har.h"
#include "rh-page-watch.h"
#include "test-utils.h"

#define PAGE_URL "https://pages.example/record_page.html?appId=a&rtmToken=tok-SECRET"

typedef struct
{
  RhTimeline *timeline;
  RhPageWatch *watch;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->timeline = rh_timeline_new ();
  rh_timeline_add_secret (fixture->timeline, "tok-SECRET");
  fixture->watch = rh_page_watch_new_detached (PAGE_URL, fixture->timeline);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->watch);
  rh_timeline_free (fixture->timeline);
}

static void
record (Fixture *fixture, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = rh_bridge_message_parse (json, &error);

  g_assert_no_error (error);
  rh_page_watch_record_message (fixture->watch, message);
}

/* The HAR as a reader gets it: written, then parsed. */
static JsonNode *
build (Fixture *fixture)
{
  g_autoptr (RhPageOutcome) outcome = rh_page_watch_end_load (fixture->watch);
  g_autoptr (JsonNode) har = rh_har_build (outcome);
  g_autofree char *text = json_to_string (har, FALSE);

  g_assert_null (strstr (text, "tok-SECRET"));
  return rh_test_parse_json (text);
}

static JsonObject *
har_log (JsonNode *har)
{
  return json_object_get_object_member (json_node_get_object (har), "log");
}

static JsonArray *
entries (JsonNode *har)
{
  return json_object_get_array_member (har_log (har), "entries");
}

static JsonObject *
entry_member (JsonObject *entry, const char *member)
{
  return json_object_get_object_member (entry, member);
}

/* The entry whose request URL is @url; fails if there is none or more. */
static JsonObject *
find_entry (JsonNode *har, const char *url)
{
  JsonArray *all = entries (har);
  JsonObject *found = NULL;

  for (guint i = 0; i < json_array_get_length (all); i++)
    {
      JsonObject *entry = json_array_get_object_element (all, i);

      if (g_str_equal (json_object_get_string_member (entry_member (entry, "request"), "url"),
                       url))
        {
          g_assert_null (found);
          found = entry;
        }
    }
  g_assert_nonnull (found);
  return found;
}

/* An ISO 8601 date within a minute of now. */
static void
assert_recent_date (const char *text)
{
  g_autoptr (GDateTime) date = g_date_time_new_from_iso8601 (text, NULL);
  g_autoptr (GDateTime) now = g_date_time_new_now_utc ();

  g_assert_nonnull (date);
  g_assert_true (g_str_has_suffix (text, "Z"));
  g_assert_cmpint (ABS (g_date_time_difference (now, date)), <, 60 * G_TIME_SPAN_SECOND);
}

/* With nothing loaded: the log, its creator, one page titled with the
 * redacted URL, no timings, no entries. */
static void
test_empty (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = build (fixture);
  JsonObject *log = har_log (har);
  JsonObject *page, *timings;

  g_assert_cmpstr (json_object_get_string_member (log, "version"), ==, "1.2");
  g_assert_cmpstr (json_object_get_string_member (entry_member (log, "creator"), "name"), ==,
                   "recordhost");
  /* A watch with no host: the engine is not claimed. */
  g_assert_cmpstr (json_object_get_string_member (entry_member (log, "browser"), "name"), ==,
                   "unknown");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (log, "pages")), ==, 1);
  page = json_array_get_object_element (json_object_get_array_member (log, "pages"), 0);
  g_assert_cmpstr (json_object_get_string_member (page, "id"), ==, "page_1");
  g_assert_cmpstr (json_object_get_string_member (page, "title"), ==,
                   "https://pages.example/record_page.html?appId=a&rtmToken=[REDACTED]");
  assert_recent_date (json_object_get_string_member (page, "startedDateTime"));
  timings = entry_member (page, "pageTimings");
  g_assert_cmpint (json_object_get_int_member (timings, "onContentLoad"), ==, -1);
  g_assert_cmpint (json_object_get_int_member (timings, "onLoad"), ==, -1);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 0);
}

/* A script's request answered: its method, URL, query, status and the API
 * that made it. */
static void
test_request_answered (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;
  JsonObject *entry, *request, *response;
  JsonArray *query;
  gboolean saw_x = FALSE, saw_y = FALSE;

  record (fixture, "{\"kind\":\"request\",\"id\":1,\"api\":\"xhr\",\"method\":\"POST\","
                   "\"url\":\"https://api.example/v1?x=1&y=two%20words\"}");
  record (fixture, "{\"kind\":\"response\",\"id\":1,\"status\":201}");
  har = build (fixture);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 1);
  entry = find_entry (har, "https://api.example/v1?x=1&y=two%20words");
  request = entry_member (entry, "request");
  response = entry_member (entry, "response");
  g_assert_cmpstr (json_object_get_string_member (entry, "pageref"), ==, "page_1");
  assert_recent_date (json_object_get_string_member (entry, "startedDateTime"));
  g_assert_cmpint (json_object_get_int_member (entry, "time"), >=, 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "comment"), ==, "xhr");
  g_assert_cmpstr (json_object_get_string_member (request, "method"), ==, "POST");
  g_assert_cmpstr (json_object_get_string_member (request, "httpVersion"), ==, "HTTP/1.1");
  query = json_object_get_array_member (request, "queryString");
  g_assert_cmpuint (json_array_get_length (query), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *param = json_array_get_object_element (query, i);
      const char *name = json_object_get_string_member (param, "name");
      const char *value = json_object_get_string_member (param, "value");

      saw_x |= g_str_equal (name, "x") && g_str_equal (value, "1");
      saw_y |= g_str_equal (name, "y") && g_str_equal (value, "two words");
    }
  g_assert_true (saw_x && saw_y);
  g_assert_cmpint (json_object_get_int_member (response, "status"), ==, 201);
  g_assert_cmpstr (json_object_get_string_member (response, "statusText"), ==, "Created");
  g_assert_false (json_object_has_member (response, "_error"));
  /* Every member a HAR 1.2 reader requires. */
  g_assert_true (json_object_has_member (request, "headers"));
  g_assert_true (json_object_has_member (request, "cookies"));
  g_assert_true (json_object_has_member (response, "content"));
  g_assert_true (json_object_has_member (response, "redirectURL"));
  g_assert_true (json_object_has_member (entry, "cache"));
  g_assert_cmpint (json_object_get_int_member (entry_member (entry, "timings"), "wait"), ==,
                   json_object_get_int_member (entry, "time"));
}

/* No answer: status 0 and the page's error as Chromium's _error; a request
 * still under way ends at time 0. */
static void
test_request_failed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;
  JsonObject *failed, *pending;

  record (fixture, "{\"kind\":\"request\",\"id\":1,\"url\":\"https://down.example/a\"}");
  record (fixture, "{\"kind\":\"response\",\"id\":1,\"status\":0,\"error\":\"Load failed\"}");
  record (fixture, "{\"kind\":\"request\",\"id\":2,\"api\":\"websocket\","
                   "\"url\":\"wss://live.example/s\"}");
  har = build (fixture);
  failed = entry_member (find_entry (har, "https://down.example/a"), "response");
  g_assert_cmpstr (json_object_get_string_member (
                     entry_member (find_entry (har, "https://down.example/a"), "request"),
                     "method"),
                   ==, "GET");
  g_assert_cmpint (json_object_get_int_member (failed, "status"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (failed, "statusText"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (failed, "_error"), ==, "Load failed");
  pending = find_entry (har, "wss://live.example/s");
  g_assert_cmpint (json_object_get_int_member (pending, "time"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (entry_member (pending, "response"), "status"), ==,
                   0);
  g_assert_cmpstr (json_object_get_string_member (pending, "comment"), ==, "websocket");
}

/* A routed request is where it went, and says where it was asked for. */
static void
test_request_routed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;
  JsonObject *entry;

  record (fixture, "{\"kind\":\"request\",\"id\":1,\"api\":\"fetch\",\"method\":\"PUT\","
                   "\"url\":\"https://api.agora.io/r?t=tok-SECRET\","
                   "\"routed_to\":\"http://127.0.0.1:9/r?t=tok-SECRET\"}");
  record (fixture, "{\"kind\":\"response\",\"id\":1,\"status\":200}");
  har = build (fixture);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 1);
  entry = find_entry (har, "http://127.0.0.1:9/r?t=[REDACTED]");
  g_assert_cmpstr (json_object_get_string_member (entry, "comment"), ==,
                   "fetch, routed from https://api.agora.io/r?t=[REDACTED]");
}

/* A resource that failed (an element's error event) is a GET with its
 * error; one a script also requested is the script's entry only, but the
 * document always has its own. */
static void
test_resources (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;
  JsonObject *script;

  record (fixture, "{\"kind\":\"resource-error\",\"tag\":\"iframe\","
                   "\"url\":\"https://pages.example/doc\"}");
  record (fixture, "{\"kind\":\"resource-error\",\"tag\":\"script\","
                   "\"url\":\"https://cdn.example/a.js\"}");
  record (fixture, "{\"kind\":\"resource-error\",\"tag\":\"img\","
                   "\"url\":\"https://cdn.example/both.png\"}");
  record (fixture, "{\"kind\":\"request\",\"id\":1,\"url\":\"https://cdn.example/both.png\"}");
  record (fixture, "{\"kind\":\"request\",\"id\":2,\"url\":\"https://pages.example/doc\"}");
  har = build (fixture);
  /* doc twice (document and script), a.js once, both.png once. */
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 4);
  script = find_entry (har, "https://cdn.example/a.js");
  g_assert_cmpstr (json_object_get_string_member (entry_member (script, "request"), "method"), ==,
                   "GET");
  g_assert_cmpstr (json_object_get_string_member (entry_member (script, "response"), "_error"),
                   ==, "<script> error event");
  g_assert_false (json_object_has_member (script, "comment"));
  g_assert_cmpstr (json_object_get_string_member (find_entry (har, "https://cdn.example/both.png"),
                                                  "comment"),
                   ==, "fetch");
}

static void
test_write (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "requests.har", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) har = NULL;
  g_autoptr (GError) error = NULL;

  g_autoptr (RhPageOutcome) outcome = NULL;

  record (fixture, "{\"kind\":\"request\",\"id\":1,\"url\":\"https://api.example/\"}");
  outcome = rh_page_watch_end_load (fixture->watch);
  g_assert_true (rh_har_write (path, outcome, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  g_assert_null (strstr (text, "tok-SECRET"));
  har = rh_test_parse_json (text);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 1);
}

static void
test_write_unwritable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "none", "requests.har", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageOutcome) outcome = rh_page_watch_end_load (fixture->watch);

  g_assert_false (rh_har_write (path, outcome, &error));
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, "cannot write --har "));
  g_assert_nonnull (strstr (error->message, path));
  g_assert_false (g_file_test (path, G_FILE_TEST_EXISTS));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/har/empty", test_empty);
  ADD ("/har/request-answered", test_request_answered);
  ADD ("/har/request-failed", test_request_failed);
  ADD ("/har/request-routed", test_request_routed);
  ADD ("/har/resources", test_resources);
  ADD ("/har/write", test_write);
  ADD ("/har/write-unwritable", test_write_unwritable);
#undef ADD
  return g_test_run ();
}
