/* The HAR file of a load, rendered from its outcome: one entry per load the
 * engine saw and per script request, with what the engine and the page's
 * resource timing told of it, as HAR 1.2 readers expect them. */
#include <string.h>

#include "rh-har.h"
#include "rh-page-outcome.h"
#include "test-utils.h"

#define PAGE_URL "https://pages.example/record_page.html?appId=a&rtmToken=[REDACTED]"

typedef struct
{
  RhPageOutcome *outcome;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->outcome = rh_page_outcome_new (PAGE_URL);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  rh_page_outcome_unref (fixture->outcome);
}

/* A load the engine saw, from 10 to 30 ms; @status 0 with @error
 * when it got no answer. */
static RhResource *
add_resource (Fixture *fixture, const char *uri, guint status, const char *error)
{
  RhResource resource;

  rh_resource_init (&resource, uri, 10);
  resource.end_ms = 30;
  resource.status = status;
  resource.failed = error != NULL || status >= 400;
  resource.error = g_strdup (error);
  g_array_append_val (fixture->outcome->resources, resource);
  return &g_array_index (fixture->outcome->resources, RhResource,
                         fixture->outcome->resources->len - 1);
}

/* A script's request; @end_ms -1 while under way. */
static RhRequest *
add_request (Fixture *fixture, const char *api, const char *method, const char *url,
             const char *routed_to, guint status, const char *error, gint64 end_ms)
{
  RhRequest *request = g_new0 (RhRequest, 1);

  request->id = fixture->outcome->requests->len + 1;
  request->api = g_strdup (api);
  request->method = g_strdup (method);
  request->url = g_strdup (url);
  request->routed_to = g_strdup (routed_to);
  request->status = status;
  request->error = g_strdup (error);
  request->start_ms = 5;
  request->end_ms = end_ms;
  g_ptr_array_add (fixture->outcome->requests, request);
  return request;
}

/* The HAR as a reader gets it: written, then parsed. */
static JsonNode *
build (Fixture *fixture)
{
  g_autoptr (JsonNode) har = rh_har_build (fixture->outcome);
  g_autofree char *text = json_to_string (har, FALSE);

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

static gint64
timing (JsonObject *entry, const char *phase)
{
  return json_object_get_int_member (entry_member (entry, "timings"), phase);
}

/* The value of the header @name of @message, NULL if it has none. */
static const char *
header (JsonObject *message, const char *name)
{
  JsonArray *headers = json_object_get_array_member (message, "headers");

  for (guint i = 0; i < json_array_get_length (headers); i++)
    {
      JsonObject *pair = json_array_get_object_element (headers, i);

      if (g_str_equal (json_object_get_string_member (pair, "name"), name))
        return json_object_get_string_member (pair, "value");
    }
  return NULL;
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
 * URL, no timings, no entries. */
static void
test_empty (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = build (fixture);
  JsonObject *log = har_log (har);
  JsonObject *page, *timings;

  g_assert_cmpstr (json_object_get_string_member (log, "version"), ==, "1.2");
  g_assert_cmpstr (json_object_get_string_member (entry_member (log, "creator"), "name"), ==,
                   "recordhost");
  /* No engine: it is not claimed. */
  g_assert_cmpstr (json_object_get_string_member (entry_member (log, "browser"), "name"), ==,
                   "unknown");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (log, "pages")), ==, 1);
  page = json_array_get_object_element (json_object_get_array_member (log, "pages"), 0);
  g_assert_cmpstr (json_object_get_string_member (page, "id"), ==, "page_1");
  g_assert_cmpstr (json_object_get_string_member (page, "title"), ==, PAGE_URL);
  assert_recent_date (json_object_get_string_member (page, "startedDateTime"));
  timings = entry_member (page, "pageTimings");
  g_assert_cmpint (json_object_get_int_member (timings, "onContentLoad"), ==, -1);
  g_assert_cmpint (json_object_get_int_member (timings, "onLoad"), ==, -1);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 0);
}

/* A script's request answered: its method, URL, query, status and the API
 * that made it; with no load the engine saw, all its time is waiting. */
static void
test_request_answered (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;
  JsonObject *entry, *request, *response;
  JsonArray *query;
  gboolean saw_x = FALSE, saw_y = FALSE;

  add_request (fixture, "xhr", "POST", "https://api.example/v1?x=1&y=two%20words", NULL, 201,
               NULL, 25);
  har = build (fixture);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 1);
  entry = find_entry (har, "https://api.example/v1?x=1&y=two%20words");
  request = entry_member (entry, "request");
  response = entry_member (entry, "response");
  g_assert_cmpstr (json_object_get_string_member (entry, "pageref"), ==, "page_1");
  assert_recent_date (json_object_get_string_member (entry, "startedDateTime"));
  g_assert_cmpint (json_object_get_int_member (entry, "time"), ==, 20);
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
  g_assert_false (json_object_has_member (entry, "_routedTo"));
  /* Every member a HAR 1.2 reader requires. */
  g_assert_true (json_object_has_member (request, "headers"));
  g_assert_true (json_object_has_member (request, "cookies"));
  g_assert_true (json_object_has_member (response, "content"));
  g_assert_true (json_object_has_member (response, "redirectURL"));
  g_assert_true (json_object_has_member (entry, "cache"));
  g_assert_cmpint (timing (entry, "wait"), ==, 20);
  g_assert_cmpint (timing (entry, "send"), ==, 0);
  g_assert_cmpint (timing (entry, "receive"), ==, 0);
  g_assert_cmpint (timing (entry, "dns"), ==, -1);
  g_assert_cmpint (timing (entry, "connect"), ==, -1);
}

/* No answer: status 0 and the page's error as Chromium's _error; a request
 * still under way ends at time 0. */
static void
test_request_failed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;
  JsonObject *failed, *pending;

  add_request (fixture, "fetch", "GET", "https://down.example/a", NULL, 0, "Load failed", 9);
  add_request (fixture, "websocket", "GET", "wss://live.example/s", NULL, 0, NULL, -1);
  har = build (fixture);
  failed = entry_member (find_entry (har, "https://down.example/a"), "response");
  g_assert_cmpint (json_object_get_int_member (failed, "status"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (failed, "statusText"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (failed, "_error"), ==, "Load failed");
  pending = find_entry (har, "wss://live.example/s");
  g_assert_cmpint (json_object_get_int_member (pending, "time"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (entry_member (pending, "response"), "status"), ==,
                   0);
  g_assert_cmpstr (json_object_get_string_member (pending, "comment"), ==, "websocket");
}

/* A routed request is under the URL the page asked for, and says where it
 * went; the engine's load of that place is no entry of its own, but what
 * the engine saw of it (headers, type) is the request's. */
static void
test_request_routed (Fixture *fixture, gconstpointer data)
{
  const char *headers[] = { "Content-Type", "application/json", NULL };
  g_autoptr (JsonNode) har = NULL;
  RhResource *load;
  JsonObject *entry;

  add_resource (fixture, PAGE_URL, 200, NULL);
  load = add_resource (fixture, "http://127.0.0.1:9/r?t=[REDACTED]", 200, NULL);
  load->mime_type = g_strdup ("application/json");
  load->response_headers = g_strdupv ((char **) headers);
  add_request (fixture, "fetch", "PUT", "https://api.agora.io/r?t=[REDACTED]",
               "http://127.0.0.1:9/r?t=[REDACTED]", 200, NULL, 25);
  har = build (fixture);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 2);
  entry = find_entry (har, "https://api.agora.io/r?t=[REDACTED]");
  g_assert_cmpstr (json_object_get_string_member (entry, "_routedTo"), ==,
                   "http://127.0.0.1:9/r?t=[REDACTED]");
  g_assert_cmpstr (json_object_get_string_member (entry, "comment"), ==, "fetch");
  g_assert_cmpstr (json_object_get_string_member (entry_member (entry, "request"), "method"), ==,
                   "PUT");
  g_assert_cmpstr (header (entry_member (entry, "response"), "Content-Type"), ==,
                   "application/json");
  g_assert_cmpstr (json_object_get_string_member (
                     entry_member (entry_member (entry, "response"), "content"), "mimeType"),
                   ==, "application/json");
}

/* A resource that failed (an element's error event) is a GET with its
 * error; one a script also requested is the script's entry only, but the
 * document always has its own. */
static void
test_resources (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;
  JsonObject *script;

  add_resource (fixture, "https://pages.example/doc", 0, "<iframe> error event");
  add_resource (fixture, "https://cdn.example/a.js", 0, "<script> error event");
  add_resource (fixture, "https://cdn.example/both.png", 0, "<img> error event");
  add_request (fixture, "fetch", "GET", "https://cdn.example/both.png", NULL, 0, NULL, -1);
  add_request (fixture, "fetch", "GET", "https://pages.example/doc", NULL, 0, NULL, -1);
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

/* What the engine and the page's resource timing told of a load: method,
 * headers both ways, MIME type, sizes, the phases (the entry's time their
 * sum, ssl within connect) and what started it. */
static void
test_resource_details (Fixture *fixture, gconstpointer data)
{
  const char *sent[] = { "Accept", "*/*", "Authorization", "[REDACTED]", NULL };
  const char *received[] = { "Content-Type", "text/javascript", "Content-Length", "1200", NULL };
  g_autoptr (JsonNode) har = NULL;
  RhResource *load;
  JsonObject *entry, *request, *response, *content;

  load = add_resource (fixture, "https://cdn.example/sdk.js", 200, NULL);
  load->method = g_strdup ("GET");
  load->request_headers = g_strdupv ((char **) sent);
  load->response_headers = g_strdupv ((char **) received);
  load->mime_type = g_strdup ("text/javascript");
  load->content_length = 1200;
  load->timing.known = TRUE;
  load->timing.blocked = 1.2;
  load->timing.dns = 2;
  load->timing.connect = 8;
  load->timing.ssl = 5;
  load->timing.send = 0;
  load->timing.wait = 30.4;
  load->timing.receive = 6.6;
  load->timing.transfer_size = 1500;
  load->timing.encoded_size = 1200;
  load->timing.decoded_size = 4000;
  load->timing.initiator = g_strdup ("script");
  har = build (fixture);
  entry = find_entry (har, "https://cdn.example/sdk.js");
  request = entry_member (entry, "request");
  response = entry_member (entry, "response");
  content = entry_member (response, "content");
  g_assert_cmpstr (header (request, "Accept"), ==, "*/*");
  g_assert_cmpstr (header (request, "Authorization"), ==, "[REDACTED]");
  g_assert_cmpstr (header (response, "Content-Type"), ==, "text/javascript");
  g_assert_cmpstr (json_object_get_string_member (content, "mimeType"), ==, "text/javascript");
  g_assert_cmpint (json_object_get_int_member (content, "size"), ==, 4000);
  g_assert_cmpint (json_object_get_int_member (response, "bodySize"), ==, 1200);
  g_assert_cmpint (json_object_get_int_member (response, "_transferSize"), ==, 1500);
  g_assert_cmpint (timing (entry, "blocked"), ==, 1);
  g_assert_cmpint (timing (entry, "dns"), ==, 2);
  g_assert_cmpint (timing (entry, "connect"), ==, 8);
  g_assert_cmpint (timing (entry, "ssl"), ==, 5);
  g_assert_cmpint (timing (entry, "send"), ==, 0);
  g_assert_cmpint (timing (entry, "wait"), ==, 30);
  g_assert_cmpint (timing (entry, "receive"), ==, 7);
  g_assert_cmpint (json_object_get_int_member (entry, "time"), ==, 1 + 2 + 8 + 30 + 7);
  g_assert_cmpstr (json_object_get_string_member (entry_member (entry, "_initiator"), "type"), ==,
                   "script");
}

/* Without the page's timing: the response's length is the size, the time
 * between start and end is waiting, no initiator is claimed. */
static void
test_resource_untimed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;
  RhResource *load;
  JsonObject *entry, *response;

  load = add_resource (fixture, "https://cdn.example/font.woff2", 404, NULL);
  load->content_length = 9;
  har = build (fixture);
  entry = find_entry (har, "https://cdn.example/font.woff2");
  response = entry_member (entry, "response");
  g_assert_cmpint (json_object_get_int_member (response, "status"), ==, 404);
  g_assert_cmpstr (json_object_get_string_member (response, "statusText"), ==, "Not Found");
  g_assert_cmpint (json_object_get_int_member (entry_member (response, "content"), "size"), ==, 9);
  g_assert_cmpint (json_object_get_int_member (response, "bodySize"), ==, 9);
  g_assert_false (json_object_has_member (response, "_transferSize"));
  g_assert_cmpint (timing (entry, "wait"), ==, 20);
  g_assert_cmpint (timing (entry, "dns"), ==, -1);
  g_assert_cmpint (json_object_get_int_member (entry, "time"), ==, 20);
  g_assert_false (json_object_has_member (entry, "_initiator"));
}

/* data: and blob: URLs are in the page: no entry of their own, whoever
 * loaded them. */
static void
test_inline (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonNode) har = NULL;

  add_resource (fixture, PAGE_URL, 200, NULL);
  add_resource (fixture, "data:image/gif;base64,R0lGODlhAQABAAAAACw=", 200, NULL);
  add_resource (fixture, "blob:https://pages.example/0b6e", 200, NULL);
  add_request (fixture, "fetch", "GET", "blob:https://pages.example/0b6e", NULL, 200, NULL, 9);
  add_request (fixture, "xhr", "GET", "data:text/plain,x", NULL, 200, NULL, 9);
  har = build (fixture);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 1);
  find_entry (har, PAGE_URL);
}

static void
test_write (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "requests.har", NULL);
  g_autofree char *text = NULL;
  g_autoptr (JsonNode) har = NULL;
  g_autoptr (GError) error = NULL;

  add_request (fixture, "fetch", "GET", "https://api.example/", NULL, 0, NULL, -1);
  g_assert_true (rh_har_write (path, fixture->outcome, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
  har = rh_test_parse_json (text);
  g_assert_cmpuint (json_array_get_length (entries (har)), ==, 1);
}

static void
test_write_unwritable (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "none", "requests.har", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (rh_har_write (path, fixture->outcome, &error));
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
  ADD ("/har/resource-details", test_resource_details);
  ADD ("/har/resource-untimed", test_resource_untimed);
  ADD ("/har/inline", test_inline);
  ADD ("/har/write", test_write);
  ADD ("/har/write-unwritable", test_write_unwritable);
#undef ADD
  return g_test_run ();
}
