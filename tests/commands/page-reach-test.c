/* What a hosted page may reach: files, where the user named a file page and
 * never for the cloud's rooms; the SDK bundle the bundled page loads, from
 * its own directory or named by the command line; the routes, from its
 * iframes and workers as from the page itself.  Real WebKit views, the
 * recordhost binary for the command line, a cloud in this process, and a
 * libsoup server on loopback that the pages report to. */
#include <string.h>

#include "cloud-fixture.h"
#include "rh-check.h"
#include "rh-error.h"
#include "rh-recorder.h"
#include "test-utils.h"

/* Bound on a page's outcome or a command's end. */
#define WAIT_S 120

typedef struct
{
  SoupServer *server;
  char *base_url;    /* http://127.0.0.1:PORT/ */
  GPtrArray *paths;  /* "PATH?QUERY" of each request, in order */
  GHashTable *scripts; /* path -> JavaScript it answers */
  CloudFixture cloud;
} Fixture;

/* /plain answers without CORS headers, as another origin's server would;
 * anything else is recorded and answered for every origin, a script
 * registered for its path with that script. */
static void
handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer user_data)
{
  Fixture *fixture = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  g_ptr_array_add (fixture->paths, g_strconcat (path, g_uri_get_query (uri) != NULL ? "?" : "",
                                                g_uri_get_query (uri), NULL));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (!g_str_equal (path, "/plain"))
    {
      soup_message_headers_append (headers, "Access-Control-Allow-Origin", "*");
      soup_message_headers_append (headers, "Access-Control-Allow-Headers", "*");
    }
  if (g_hash_table_contains (fixture->scripts, path))
    {
      const char *script = g_hash_table_lookup (fixture->scripts, path);

      soup_server_message_set_response (msg, "application/javascript", SOUP_MEMORY_COPY, script,
                                        strlen (script));
      return;
    }
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "answered", 8);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;

  fixture->paths = g_ptr_array_new_with_free_func (g_free);
  fixture->scripts = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handle, fixture, NULL);
  g_assert_true (soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base_url = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  g_assert_true (g_str_has_suffix (fixture->base_url, "/"));
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->cloud.cloud != NULL)
    cloud_fixture_teardown (&fixture->cloud);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->base_url);
  g_ptr_array_unref (fixture->paths);
  g_hash_table_unref (fixture->scripts);
}

/* The first request for @path with its query, or NULL. */
static const char *
find_request (Fixture *fixture, const char *path)
{
  for (guint i = 0; i < fixture->paths->len; i++)
    {
      const char *got = g_ptr_array_index (fixture->paths, i);

      if (g_str_has_prefix (got, path) && (got[strlen (path)] == '?'
                                           || got[strlen (path)] == '\0'))
        return got;
    }
  return NULL;
}

typedef struct
{
  Fixture *fixture;
  const char *path;
} RequestWait;

static gboolean
request_seen (gpointer user_data)
{
  RequestWait *wait = user_data;

  return find_request (wait->fixture, wait->path) != NULL;
}

/* Waits for a request to @path; returns it with its query. */
static const char *
wait_request (Fixture *fixture, const char *path)
{
  RequestWait wait = { fixture, path };

  g_assert_true (rh_test_wait_until (request_seen, &wait, WAIT_S));
  return find_request (fixture, path);
}

/* A file outside the page's directory, with something in it. */
static char *
other_file_uri (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "neighbour.txt", NULL);

  g_assert_true (g_file_set_contents (path, "a file the page did not come with\n", -1, NULL));
  return g_filename_to_uri (path, NULL, NULL);
}

static char *
test_page_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "pages", name, NULL);
}

/* `check FILE`: the user named the page, which reads other files like a
 * template opened from disk; other origins' answers stay closed to it. */
static void
test_file_access_check (Fixture *fixture, gconstpointer data)
{
  g_autofree char *page = test_page_path ("file-access.html");
  g_autofree char *target_uri = other_file_uri ();
  g_autofree char *target = g_strconcat ("target=", target_uri, NULL);
  g_autofree char *report = g_strconcat ("report=", fixture->base_url, NULL);
  const char *const args[] = { "check", page, "--app-id", "app-1", "--room-uuid", "room-1",
                               "--room-type", "4", "--ready", "notify", "--param", target,
                               "--param", report, "--timeout", "60", "--quiet", NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  int status = rh_test_child_wait (child, WAIT_S);

  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpstr (find_request (fixture, "/outcome"), ==,
                   "/outcome?fetch=read&xhr=read&other_origin=refused&worker=ran");
}

static gboolean
recordings_closed (gpointer user_data)
{
  return rh_recorder_get_open_count () == 0;
}

#define ROOM "/edu/apps/app-1/v2/rooms/room-1"

/* A page the cloud's API asked for reads no file, even a file page. */
static void
test_file_access_cloud (Fixture *fixture, gconstpointer data)
{
  g_autofree char *page = test_page_path ("file-access.html");
  g_autofree char *page_uri = g_filename_to_uri (page, NULL, NULL);
  g_autofree char *target = other_file_uri ();
  g_autofree char *body = NULL;
  g_autoptr (JsonObject) started = NULL;
  g_autoptr (JsonObject) stopped = NULL;
  guint status = 0;

  cloud_fixture_setup (&fixture->cloud, NULL, 10);
  body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":"
                          "\"%s?target=%s&report=%s\",\"onHold\":true},\"retryTimeout\":60}",
                          page_uri, target, fixture->base_url);
  started = cloud_fixture_call (&fixture->cloud, "PUT", ROOM "/records/states/1", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (wait_request (fixture, "/outcome"), ==,
                   "/outcome?fetch=refused&xhr=refused&other_origin=refused&worker=refused");
  stopped = cloud_fixture_call (&fixture->cloud, "PUT", ROOM "/records/states/0", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (rh_test_wait_until (recordings_closed, NULL, WAIT_S));
}

/* An SDK bundle of the stand-in in one file, as a real one is, that says
 * in the console that it was loaded. */
static char *
standin_bundle (void)
{
  g_autofree char *core_path = rh_test_page_path ("sdk/standin-core.js");
  g_autofree char *shape_path = rh_test_page_path ("sdk/edu_sdk.window.js");
  g_autofree char *core = NULL;
  g_autofree char *shape = NULL;

  g_assert_true (g_file_get_contents (core_path, &core, NULL, NULL));
  g_assert_true (g_file_get_contents (shape_path, &shape, NULL, NULL));
  return g_strconcat (core, shape, "console.log ('bundle given was loaded');\n", NULL);
}

/* @bundle written to @dir/@name; returns its path. */
static char *
write_bundle (const char *dir, const char *name)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autofree char *parent = g_path_get_dirname (path);
  g_autofree char *bundle = standin_bundle ();

  g_assert_cmpint (g_mkdir_with_parents (parent, 0755), ==, 0);
  g_assert_true (g_file_set_contents (path, bundle, -1, NULL));
  return g_steal_pointer (&path);
}

/* A check of the bundled page at @page (NULL: page/), ready on event 1,
 * parameters @params ("KEY=VALUE", NULL-terminated); returns its report. */
static JsonObject *
check_page (const char *page, const char *const *params, gboolean *passed, GError **error)
{
  g_autoptr (RhPageOptions) options = NULL;
  g_autoptr (RhReadyEndpoint) endpoint = NULL;
  g_autoptr (RhCheck) check = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonNode) report = NULL;
  g_autofree char *bundled = rh_test_page_path ("record_page.html");

  options = rh_test_page_options_new (page != NULL ? page : bundled);
  options->file_access = TRUE; /* as the command line has it */
  options->timeout_s = 30;
  options->paint_grace_ms = 0;
  options->echo = g_test_verbose ();
  for (guint i = 0; params[i] != NULL; i++)
    g_assert_true (rh_room_add_param (options->room, params[i], NULL));
  check = rh_test_check_new (g_steal_pointer (&options), &endpoint, error);
  g_assert_nonnull (check);
  rh_check_run_async (check, NULL, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, WAIT_S));
  *passed = rh_check_run_finish (check, result, error);
  report = rh_check_to_json (check);
  return json_object_ref (json_node_get_object (report));
}

static gboolean
has_console (JsonObject *report, const char *text)
{
  JsonArray *events = json_object_get_array_member (report, "events");

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_str_equal (json_object_get_string_member (event, "type"), "console")
          && strstr (json_object_get_string_member (event, "text"), text) != NULL)
        return TRUE;
    }
  return FALSE;
}

typedef struct
{
  const char *name;
  const char *bundle; /* @BASE@: the loopback server's URL; @PROBE@: the probe file */
} RefusedRow;

/* What a page URL may not make the bundled page load: anything but a .js
 * file inside the page's directory. */
static const RefusedRow refused_rows[] = {
  { "http", "@BASE@sdk-probe.js" },
  { "file", "file://@PROBE@" },
  { "dot-dot", "../tests/pages/sdk-probe.js" },
  { "escaped-dot-dot", "%2e%2e/tests/pages/sdk-probe.js" },
  { "absolute", "@PROBE@" },
  { "no-scheme-host", "//127.0.0.1/sdk-probe.js" },
  { "backslash", "..\\tests\\pages\\sdk-probe.js" },
};

static void
test_sdk_bundle_refused (Fixture *fixture, gconstpointer data)
{
  const RefusedRow *row = data;
  g_autofree char *probe_path = test_page_path ("sdk-probe.js");
  g_autofree char *probe = g_canonicalize_filename (probe_path, NULL);
  g_autofree char *probe_script = NULL;
  g_autoptr (GString) bundle = g_string_new (row->bundle);
  g_autofree char *param = NULL;
  g_autofree char *report_param = g_strconcat ("report=", fixture->base_url, NULL);
  g_autoptr (JsonObject) report = NULL;
  g_autoptr (GError) error = NULL;
  gboolean passed;

  g_assert_true (g_file_get_contents (probe, &probe_script, NULL, NULL));
  g_hash_table_insert (fixture->scripts, g_strdup ("/sdk-probe.js"),
                       g_steal_pointer (&probe_script));
  g_string_replace (bundle, "@BASE@", fixture->base_url, 0);
  g_string_replace (bundle, "@PROBE@", probe, 0);
  param = g_strconcat ("sdkBundle=", bundle->str, NULL);
  report = check_page (NULL, (const char *const[]) { param, report_param, NULL }, &passed,
                       &error);
  g_assert_false (passed);
  g_assert_true (rh_test_report_has_problem (report, "js-error", NULL, "sdkBundle must be"));
  g_assert_null (find_request (fixture, "/sdk-probe.js"));
  g_assert_null (find_request (fixture, "/sdk-probe-ran"));
}

/* A bundle inside the page's directory, named in its URL, is loaded. */
static void
test_sdk_bundle_page_dir (Fixture *fixture, gconstpointer data)
{
  g_autofree char *page_dir = g_build_filename (rh_test_tmpdir (), "page", NULL);
  g_autofree char *bundled = rh_test_page_path ("record_page.html");
  g_autofree char *page = g_build_filename (page_dir, "record_page.html", NULL);
  g_autofree char *html = NULL;
  g_autofree char *bundle = write_bundle (page_dir, "vendor/1.1.5-rc.2/edu_sdk.bundle.js");
  g_autoptr (JsonObject) report = NULL;
  g_autoptr (GError) error = NULL;
  gboolean passed;

  g_assert_true (g_file_get_contents (bundled, &html, NULL, NULL));
  g_assert_true (g_file_set_contents (page, html, -1, NULL));
  report = check_page (page,
                       (const char *const[]) { "sdkBundle=vendor/1.1.5-rc.2/edu_sdk.bundle.js",
                                               NULL },
                       &passed, &error);
  g_assert_no_error (error);
  g_assert_true (passed);
  g_assert_true (has_console (report, "bundle given was loaded"));
}

typedef struct
{
  const char *name;
  gboolean http; /* the bundle from the loopback server, else a file outside page/ */
} GivenRow;

static const GivenRow given_rows[] = {
  { "file", FALSE },
  { "http", TRUE },
};

/* `check --sdk FILE|URL`: the command line names any bundle, and the page
 * loads it; `run` and `demo` take the same option. */
static void
test_sdk_bundle_command_line (Fixture *fixture, gconstpointer data)
{
  const GivenRow *row = data;
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *file = write_bundle (rh_test_tmpdir (), "edu_sdk.bundle.js");
  g_autofree char *url = g_strconcat (fixture->base_url, "edu_sdk.bundle.js", NULL);
  const char *const args[] = { "check", page, "--app-id", "app-1", "--room-uuid", "room-1",
                               "--room-type", "4", "--sdk", row->http ? url : file,
                               "--timeout", "60", "--json", "--quiet", NULL };
  g_autoptr (RhTestChild) child = NULL;
  g_autofree char *out = NULL;
  g_autoptr (JsonNode) report = NULL;
  int status;

  g_hash_table_insert (fixture->scripts, g_strdup ("/edu_sdk.bundle.js"), standin_bundle ());
  child = rh_test_child_spawn (args, NULL);
  status = rh_test_child_wait (child, WAIT_S);
  out = rh_test_child_get_stdout (child);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  report = rh_test_parse_json (out);
  g_assert_true (has_console (json_node_get_object (report), "bundle given was loaded"));
  if (row->http)
    g_assert_nonnull (find_request (fixture, "/edu_sdk.bundle.js"));
}

/* The cloud's API cannot name the bundle: a start whose page URL sets
 * sdkBundle, however its name is written, is refused. */
static void
test_sdk_bundle_cloud (Fixture *fixture, gconstpointer data)
{
  static const char *const names[] = { "sdkBundle", "sdk%42undle", "%73dkBundle" };
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *page_uri = g_filename_to_uri (page, NULL, NULL);

  cloud_fixture_setup (&fixture->cloud, NULL, 10);
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{"
                                               "\"rootUrl\":\"%s?sdkShape=umd&%s=sdk/x.js\"}}",
                                               page_uri, names[i]);
      g_autoptr (JsonObject) reply = NULL;
      guint status = 0;

      reply = cloud_fixture_call (&fixture->cloud, "PUT", ROOM "/records/states/1", body,
                                  &status);
      g_assert_cmpuint (status, ==, 400);
      g_assert_nonnull (strstr (json_object_get_string_member (reply, "msg"), "sdkBundle"));
      g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud.cloud), ==, 0);
    }
}

/* The report's request for @url, or NULL. */
static JsonObject *
find_report_request (JsonObject *report, const char *url)
{
  JsonArray *requests = json_object_get_array_member (report, "requests");

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_equal (json_object_get_string_member (request, "url"), url))
        return request;
    }
  return NULL;
}

static guint
count_events (JsonObject *report, const char *type)
{
  JsonArray *events = json_object_get_array_member (report, "events");
  guint count = 0;

  for (guint i = 0; i < json_array_get_length (events); i++)
    count += g_str_equal (json_object_get_string_member (json_array_get_object_element (events, i),
                                                         "type"),
                          type);
  return count;
}

typedef struct
{
  const char *path;   /* on the routed host and the loopback server */
  const char *api;
  const char *scope;
} FrameRequest;

static const FrameRequest frame_requests[] = {
  { "/iframe/fetch", "fetch", "frame" },
  { "/iframe/xhr", "xhr", "frame" },
  { "/worker/fetch", "fetch", "worker" },
  { "/worker/xhr", "xhr", "worker" },
  { "/module-worker/fetch", "fetch", "worker" },
  { "/module-worker/xhr", "xhr", "worker" },
  { "/blob-worker/fetch", "fetch", "worker" },
};

/* `check --route`: a same-origin iframe's requests and those of a classic
 * and a module worker go where the route says, are answered, and are in
 * --json's requests with where they came from; the iframe's bridge adds
 * nothing else to the report. */
static void
test_routes_frames_and_workers (Fixture *fixture, gconstpointer data)
{
  g_autofree char *page = test_page_path ("frame-requests.html");
  g_autofree char *target = g_strndup (fixture->base_url, strlen (fixture->base_url) - 1);
  g_autofree char *route = g_strconcat ("frames.invalid=", target, NULL);
  const char *const args[] = { "check", page, "--app-id", "app-1", "--room-uuid", "room-1",
                               "--room-type", "4", "--route", route, "--ready",
                               "console:requests-done", "--timeout", "60", "--json", "--quiet",
                               NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  int status = rh_test_child_wait (child, WAIT_S);
  g_autofree char *out = rh_test_child_get_stdout (child);
  g_autoptr (JsonNode) node = rh_test_parse_json (out);
  JsonObject *report = json_node_get_object (node);

  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  for (guint i = 0; i < G_N_ELEMENTS (frame_requests); i++)
    {
      const FrameRequest *expected = &frame_requests[i];
      g_autofree char *url = g_strconcat ("https://frames.invalid", expected->path, NULL);
      g_autofree char *routed = g_strconcat (target, expected->path, NULL);
      JsonObject *request = find_report_request (report, url);

      g_test_message ("%s", url);
      g_assert_nonnull (find_request (fixture, expected->path));
      g_assert_nonnull (request);
      g_assert_cmpstr (json_object_get_string_member (request, "api"), ==, expected->api);
      g_assert_cmpstr (json_object_get_string_member (request, "scope"), ==, expected->scope);
      g_assert_cmpstr (json_object_get_string_member (request, "routed_to"), ==, routed);
      g_assert_cmpint (json_object_get_int_member (request, "status"), ==, 200);
    }
  g_assert_true (has_console (report, "iframe: fetch 200, xhr 200"));
  g_assert_true (has_console (report, "worker: fetch 200, own script read, xhr 200"));
  g_assert_true (has_console (report, "module-worker: fetch 200, own script read, xhr 200"));
  g_assert_true (has_console (report, "blob-worker: fetch 200"));
  /* The top frame's document, console and launch watch only. */
  g_assert_cmpuint (count_events (report, "dom-loaded"), ==, 1);
  g_assert_false (has_console (report, "inner frame"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/page-reach/file-access/check", test_file_access_check);
  ADD ("/page-reach/file-access/cloud", test_file_access_cloud);
  ADD ("/page-reach/sdk-bundle/page-dir", test_sdk_bundle_page_dir);
  ADD ("/page-reach/sdk-bundle/cloud", test_sdk_bundle_cloud);
  ADD ("/page-reach/routes/frames-and-workers", test_routes_frames_and_workers);
#undef ADD
  for (guint i = 0; i < G_N_ELEMENTS (refused_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-reach/sdk-bundle/refused/%s",
                                               refused_rows[i].name);

      g_test_add (path, Fixture, &refused_rows[i], fixture_setup, test_sdk_bundle_refused,
                  fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (given_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-reach/sdk-bundle/command-line/%s",
                                               given_rows[i].name);

      g_test_add (path, Fixture, &given_rows[i], fixture_setup, test_sdk_bundle_command_line,
                  fixture_teardown);
    }
  return g_test_run ();
}
