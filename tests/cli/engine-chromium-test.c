/* `--engine chromium`: the same checks on Debian's headless Chromium, driven
 * over the DevTools protocol: the bundled page and its SDK stand-in, a page
 * that never launches, a page that needs what only Chromium has (WebGL 2,
 * real peer connections) against WPE, routes that reach a page's
 * subresources in Chromium only, a missing browser, and no browser process
 * left behind. */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-utils.h"

#define WAIT_TIMEOUT_S 120
#define TAG_VARIABLE "RECORDHOST_TEST_TAG"

typedef struct
{
  int status;
  char *err;
  JsonObject *report; /* --json's, NULL without */
} Result;

static void
result_clear (Result *result)
{
  g_free (result->err);
  g_clear_pointer (&result->report, json_object_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static const char *
process_tag (void)
{
  static char tag[64];

  if (tag[0] == '\0')
    g_snprintf (tag, sizeof tag, "%s=engine-chromium-test-%d", TAG_VARIABLE, (int)getpid ());
  return tag;
}

/* Processes still running with our tag in their environment: a browser, or
 * one of its helpers, that outlived the command. */
static guint
count_tagged (void)
{
  return rh_test_count_tagged (process_tag ());
}

/* `recordhost check ROOM... @args` with --json; @env: "NAME=VALUE"s or NULL. */
static void
run_check (Result *result, const char *const *args, const char *const *env)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GPtrArray) environment = g_ptr_array_new ();
  g_autoptr (RhTestChild) child = NULL;
  g_autofree char *out = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  int status;

  for (const char *const *arg
       = (const char *const[]){ "check", "--app-id", "app-1", "--room-uuid", "room-1",
                                "--room-type", "4", "--json", "-q", NULL };
       *arg != NULL; arg++)
    g_ptr_array_add (argv, (gpointer)*arg);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer)args[i]);
  g_ptr_array_add (argv, NULL);
  g_ptr_array_add (environment, (gpointer)process_tag ());
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    g_ptr_array_add (environment, (gpointer)env[i]);
  g_ptr_array_add (environment, NULL);
  child = rh_test_child_spawn ((const char *const *)argv->pdata,
                               (const char *const *)environment->pdata);
  status = rh_test_child_wait (child, WAIT_TIMEOUT_S);
  g_assert_true (WIFEXITED (status));
  result->status = WEXITSTATUS (status);
  result->err = rh_test_child_get_stderr (child);
  out = rh_test_child_get_stdout (child);
  if (*out != '\0' && json_parser_load_from_data (parser, out, -1, NULL)
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    result->report = json_object_ref (json_node_get_object (json_parser_get_root (parser)));
  /* Whatever happened, nothing of the browser is left. */
  g_assert_cmpuint (count_tagged (), ==, 0);
}

static gboolean
has_problem (JsonObject *report, const char *code)
{
  JsonArray *problems = json_object_get_array_member (report, "problems");

  for (guint i = 0; i < json_array_get_length (problems); i++)
    if (g_str_equal (
            json_object_get_string_member (json_array_get_object_element (problems, i), "code"),
            code))
      return TRUE;
  return FALSE;
}

/* The bundled page and its SDK stand-in get ready, painted, with the
 * engine's own WebRTC and WebGL 2 reported, and its requests (from the
 * Network domain) in a valid HAR file: the document and both scripts. */
static void
test_bundled_page (void)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *har = g_build_filename (rh_test_tmpdir (), "chromium.har", NULL);
  g_autofree char *har_text = NULL;
  g_auto (Result) result = { 0 };
  JsonObject *engine, *timeline, *capabilities;

  run_check (&result,
             (const char *const[]){ "--engine", "chromium", "--paint-grace-ms", "0", "--har", har,
                                    page, NULL },
             NULL);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_nonnull (result.report);
  g_assert_cmpstr (json_object_get_string_member (result.report, "verdict"), ==, "pass");
  engine = json_object_get_object_member (result.report, "engine");
  g_assert_cmpstr (json_object_get_string_member (engine, "name"), ==, "Chromium");
  g_assert_true (g_ascii_isdigit (*json_object_get_string_member (engine, "version")));
  g_assert_cmpstr (json_object_get_string_member (engine, "webrtc"), ==, "absent");
  capabilities = json_object_get_object_member (result.report, "capabilities");
  g_assert_true (json_object_get_boolean_member (capabilities, "RTCPeerConnection"));
  g_assert_true (json_object_get_boolean_member (capabilities, "WebGL2"));
  timeline = json_object_get_object_member (result.report, "timeline");
  g_assert_cmpint (json_object_get_int_member (timeline, "committed_ms"), >, 0);
  g_assert_cmpint (json_object_get_int_member (timeline, "launch_ms"), >, 0);
  g_assert_cmpint (json_object_get_int_member (timeline, "first_nonblank_ms"), >, 0);
  g_assert_cmpint (json_object_get_int_member (timeline, "ready_ack_ms"), >=,
                   json_object_get_int_member (timeline, "ready_event_ms"));
  g_assert_null (strstr (result.err, "ERROR:"));
  rh_test_assert_har_valid (har);
  g_assert_true (g_file_get_contents (har, &har_text, NULL, NULL));
  g_assert_nonnull (strstr (har_text, "/record_page.html?appId=app-1"));
  g_assert_nonnull (strstr (har_text, "/sdk/standin-core.js\""));
  g_assert_nonnull (strstr (har_text, "/sdk/edu_sdk.window.js\""));
}

/* A page that never calls AgoraEduSDK.launch fails as it does in WPE. */
static void
test_no_launch (void)
{
  g_autofree char *page = rh_test_page_path ("no_launch.html");
  g_auto (Result) result = { 0 };

  run_check (&result, (const char *const[]){ "--engine", "chromium", page, NULL }, NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_true (has_problem (result.report, "launch-not-called"));
}

/* WebGL 2 and two peer connections streaming a canvas to a video: ready in
 * Chromium; in WPE an uncaught error names the missing feature. */
static void
test_real_media (void)
{
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "real-media.html", NULL);
  g_auto (Result) chromium = { 0 };
  g_auto (Result) wpe = { 0 };

  run_check (&chromium,
             (const char *const[]){ "--engine", "chromium", "--ready", "console:REAL_MEDIA",
                                    "--timeout", "30", "--paint-grace-ms", "0", page, NULL },
             NULL);
  if (chromium.status != 0)
    g_printerr ("%s", chromium.err);
  g_assert_cmpint (chromium.status, ==, 0);
  run_check (&wpe,
             (const char *const[]){ "--engine", "wpe", "--ready", "console:REAL_MEDIA", "--timeout",
                                    "8", page, NULL },
             NULL);
  g_assert_cmpint (wpe.status, ==, 1);
  g_assert_true (has_problem (wpe.report, "engine-missing-feature"));
}

/* The mean difference, per channel (0..255), between frames @a and @b of
 * @path in the region of the page's <video> (right of the 320 px canvas),
 * as ffmpeg decodes them. */
static double
video_region_change (const char *path, guint a, guint b)
{
  g_autofree char *select
      = g_strdup_printf ("select=eq(n\\,%u)+eq(n\\,%u),crop=200:200:380:20", a, b);
  const char *argv[] = { "ffmpeg", "-v", "error",    "-i",       path,    "-vf", select, "-vsync",
                         "0",      "-f", "rawvideo", "-pix_fmt", "rgb24", "-",   NULL };
  g_autoptr (GBytes) out = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) ffmpeg = g_subprocess_newv (argv, G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error);
  const guint8 *data;
  gsize size, plane = 200 * 200 * 3;
  guint64 sum = 0;

  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate (ffmpeg, NULL, NULL, &out, NULL, &error));
  g_assert_no_error (error);
  data = g_bytes_get_data (out, &size);
  g_assert_cmpuint (size, ==, 2 * plane);
  for (gsize i = 0; i < plane; i++)
    sum += (guint)ABS ((int)data[i] - (int)data[plane + i]);
  return (double)sum / plane;
}

/* `run --engine chromium --record`: the file plays (ffprobe counts its
 * frames) and the <video> fed by the peer connection moves in it. */
static void
test_record_real_media (void)
{
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "real-media.html", NULL);
  g_autofree char *file = g_build_filename (rh_test_tmpdir (), "real-media.mp4", NULL);
  const char *const args[]
      = { "run",         "-q",     "--engine",    "chromium", "--app-id", "app-1",
          "--room-uuid", "room-1", "--room-type", "4",        "--ready",  "console:REAL_MEDIA",
          "--record",    file,     "--duration",  "4",        page,       NULL };
  const char *probe[] = { "ffprobe",
                          "-v",
                          "error",
                          "-count_frames",
                          "-select_streams",
                          "v:0",
                          "-show_entries",
                          "stream=nb_read_frames",
                          "-of",
                          "csv=p=0",
                          file,
                          NULL };
  g_autoptr (RhTestChild) child
      = rh_test_child_spawn (args, (const char *const[]){ process_tag (), NULL });
  g_autofree char *frames = NULL;
  g_autoptr (GError) error = NULL;
  int status = rh_test_child_wait (child, WAIT_TIMEOUT_S);

  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpuint (count_tagged (), ==, 0);
  g_assert_true (g_spawn_sync (NULL, (char **)probe, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &frames,
                               NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  /* 4 s at 15 fps. */
  g_assert_cmpint (g_ascii_strtoll (frames, NULL, 10), >=, 50);
  g_assert_cmpfloat (video_region_change (file, 10, 40), >, 10.0);
}

/* The server the routes of routed-subresources.html lead to: its SDK at
 * /sdk.js, its picture at /cdn/picture.png; also the pages of tests/pages at
 * /pages/NAME, and 200 at /frame-call. */
typedef struct
{
  SoupServer *server;
  char *base;       /* http://127.0.0.1:PORT */
  GPtrArray *paths; /* asked for, in order */
} RoutedFixture;

static void
routed_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
           gpointer user_data)
{
  RoutedFixture *fixture = user_data;
  g_autofree char *sdk_path = NULL;
  g_autofree char *sdk = NULL;
  gsize length;

  g_ptr_array_add (fixture->paths, g_strdup (path));
  if (g_str_equal (path, "/frame-call"))
    {
      soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "ok", 2);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_message_headers_append (soup_server_message_get_response_headers (msg),
                                   "Access-Control-Allow-Origin", "*");
      return;
    }
  if (g_str_has_prefix (path, "/pages/") && strchr (path + strlen ("/pages/"), '/') == NULL)
    {
      g_autofree char *file
          = g_test_build_filename (G_TEST_DIST, "pages", path + strlen ("/pages/"), NULL);
      char *html = NULL;

      if (!g_file_get_contents (file, &html, &length, NULL))
        {
          soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
          return;
        }
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_TAKE, html, length);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      return;
    }
  if (g_str_equal (path, "/cdn/picture.png"))
    {
      soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_STATIC,
                                        (const char *)rh_test_picture_png, rh_test_picture_png_size);
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      return;
    }
  sdk_path = g_test_build_filename (G_TEST_DIST, "pages", "routed-sdk.js", NULL);
  if (!g_str_equal (path, "/sdk.js") || !g_file_get_contents (sdk_path, &sdk, &length, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }
  soup_server_message_set_response (msg, "text/javascript", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&sdk), length);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
routed_setup (RoutedFixture *fixture, gconstpointer data)
{
  fixture->paths = g_ptr_array_new_with_free_func (g_free);
  fixture->server = rh_test_server_new (routed_cb, fixture, &fixture->base);
}

static void
routed_teardown (RoutedFixture *fixture, gconstpointer data)
{
  soup_server_disconnect (fixture->server);
  g_object_unref (fixture->server);
  g_free (fixture->base);
  g_ptr_array_unref (fixture->paths);
}

/* `check --engine @engine` of routed-subresources.html, its two hosts
 * routed to the fixture's server. */
static void
run_routed (RoutedFixture *fixture, Result *result, const char *engine)
{
  g_autofree char *page
      = g_test_build_filename (G_TEST_DIST, "pages", "routed-subresources.html", NULL);
  g_autofree char *sdk = g_strdup_printf ("sdk.routed.test=%s", fixture->base);
  g_autofree char *cdn = g_strdup_printf ("cdn.routed.test=%s/cdn", fixture->base);

  run_check (result,
             (const char *const[]){ "--engine", engine, "--paint-grace-ms", "0", "--timeout", "15",
                                    "--route", sdk, "--route", cdn, page, NULL },
             NULL);
  g_assert_nonnull (result->report);
}

/* The report's resource of @url. */
static JsonObject *
resource_of (JsonObject *report, const char *url)
{
  JsonArray *resources = json_object_get_array_member (report, "resources");

  for (guint i = 0; i < json_array_get_length (resources); i++)
    {
      JsonObject *resource = json_array_get_object_element (resources, i);

      if (g_str_equal (json_object_get_string_member (resource, "url"), url))
        return resource;
    }
  return NULL;
}

/* On Chromium routes apply to every load: the SDK's <script src> and the
 * <img> come from the routed server, the page launches the SDK and it gets
 * ready; the resources name what the page asked for. */
static void
test_routed_chromium (RoutedFixture *fixture, gconstpointer data)
{
  g_auto (Result) result = { 0 };
  JsonObject *resource;

  run_routed (fixture, &result, "chromium");
  if (result.status != 0)
    g_printerr ("%s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_cmpstr (json_object_get_string_member (result.report, "verdict"), ==, "pass");
  for (const char *const *url = (const char *const[]){ "http://sdk.routed.test/sdk.js",
                                                       "http://cdn.routed.test/picture.png", NULL };
       *url != NULL; url++)
    {
      resource = resource_of (result.report, *url);
      g_assert_nonnull (resource);
      g_assert_cmpint (json_object_get_int_member (resource, "status"), ==, 200);
      g_assert_false (json_object_get_boolean_member (resource, "failed"));
    }
  g_assert_true (g_ptr_array_find_with_equal_func (fixture->paths, "/sdk.js", g_str_equal, NULL));
  g_assert_true (
      g_ptr_array_find_with_equal_func (fixture->paths, "/cdn/picture.png", g_str_equal, NULL));
  /* Only what the page asked for. */
  g_assert_null (resource_of (result.report, "http://sdk.routed.test/sdk.js"
                                             "#recordhost-sdk-bundle"));
}

/* On WPE routes apply to what scripts ask for only: the SDK's script does
 * not load, nothing reaches the routed server, and the SDK is never
 * launched. */
static void
test_routed_wpe (RoutedFixture *fixture, gconstpointer data)
{
  g_auto (Result) result = { 0 };
  JsonObject *resource;

  run_routed (fixture, &result, "wpe");
  g_assert_cmpint (result.status, ==, 1);
  g_assert_true (has_problem (result.report, "launch-not-called"));
  g_assert_true (has_problem (result.report, "resource-failed"));
  resource = resource_of (result.report, "http://sdk.routed.test/sdk.js");
  g_assert_nonnull (resource);
  g_assert_true (json_object_get_boolean_member (resource, "failed"));
  g_assert_cmpuint (fixture->paths->len, ==, 0);
}

/* A frame of another site runs in a renderer of its own in Chromium: it
 * gets the bridge all the same, its call to a routed host is routed, and
 * the report has it, as WPE's has a frame's. */
static void
test_cross_site_frame (RoutedFixture *fixture, gconstpointer data)
{
  const char *engine = data;
  g_auto (Result) result = { 0 };
  g_autofree char *page = g_strconcat (fixture->base, "/pages/cross-site-frame.html", NULL);
  g_autofree char *route = g_strdup_printf ("frames.routed.test=%s", fixture->base);
  /* 127.0.0.1 and localhost: two sites. */
  g_autofree char *inner = g_strdup_printf ("inner=http://localhost:%s/pages/"
                                            "cross-site-frame-inner.html",
                                            strrchr (fixture->base, ':') + 1);
  JsonArray *requests;
  gboolean seen = FALSE;

  run_check (&result,
             (const char *const[]){ "--engine", engine, "--paint-grace-ms", "0", "--timeout", "30",
                                    "--ready", "console:frame-done", "--route", route, "--param",
                                    inner, page, NULL },
             NULL);
  g_assert_nonnull (result.report);
  g_assert_cmpint (result.status, ==, 0);
  g_assert_true (
      g_ptr_array_find_with_equal_func (fixture->paths, "/frame-call", g_str_equal, NULL));
  requests = json_object_get_array_member (result.report, "requests");
  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);

      if (g_str_equal (json_object_get_string_member (request, "url"),
                       "https://frames.routed.test/frame-call"))
        {
          seen = TRUE;
          g_assert_cmpint (json_object_get_int_member (request, "status"), ==, 200);
        }
    }
  g_assert_true (seen);
}

/* No browser: one line naming the package, before any page loads. */
static void
test_missing_browser (void)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_auto (Result) result = { 0 };

  run_check (&result, (const char *const[]){ "--engine", "chromium", page, NULL },
             (const char *const[]){ "RECORDHOST_CHROMIUM=/nonexistent/chromium", NULL });
  g_assert_cmpint (result.status, ==, 1);
  g_assert_nonnull (strstr (result.err, "install Debian's chromium package\n"));
  g_assert_cmpstr (json_object_get_string_member (result.report, "error"), ==,
                   "/nonexistent/chromium (RECORDHOST_CHROMIUM): not found; install Debian's "
                   "chromium package");
}

static JsonObject *
parity_aspect (JsonObject *report, const char *name)
{
  JsonArray *aspects
      = json_object_get_array_member (json_object_get_object_member (report, "parity"), "aspects");

  for (guint i = 0; i < json_array_get_length (aspects); i++)
    if (g_str_equal (
            json_object_get_string_member (json_array_get_object_element (aspects, i), "aspect"),
            name))
      return json_array_get_object_element (aspects, i);
  g_assert_not_reached ();
}

/* --engine both on the bundled page: a report and a JUnit suite from each
 * engine, the same verdict, and the same behaviour. */
static const char *const same_aspects[] = { "page loads", "AgoraEduSDK.launch called",
                                            "SDK API calls", "listener events", "ready" };

static void
test_both_same (void)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *junit = g_build_filename (rh_test_tmpdir (), "both.xml", NULL);
  g_autofree char *xml = NULL;
  g_auto (Result) result = { 0 };
  JsonArray *checks;

  run_check (&result, (const char *const[]){ "--engine", "both", "--junit", junit, page, NULL },
             NULL);
  if (result.status != 0)
    g_test_message ("%s", result.err);
  g_assert_cmpint (result.status, ==, 0);
  /* A suite an engine, told apart by name. */
  g_assert_true (g_file_get_contents (junit, &xml, NULL, NULL));
  g_assert_nonnull (strstr (xml, "name=\"recordhost check record_page.html room room-1 (wpe)\""));
  g_assert_nonnull (
      strstr (xml, "name=\"recordhost check record_page.html room room-1 (chromium)\""));
  checks = json_object_get_array_member (result.report, "checks");
  g_assert_cmpuint (json_array_get_length (checks), ==, 2);
  g_assert_cmpstr (
      json_object_get_string_member (
          json_object_get_object_member (json_array_get_object_element (checks, 0), "engine"),
          "name"),
      ==, "WPE WebKit");
  g_assert_cmpstr (
      json_object_get_string_member (
          json_object_get_object_member (json_array_get_object_element (checks, 1), "engine"),
          "name"),
      ==, "Chromium");
  /* What the page does is the same; its timing (a first paint on a loaded
   * machine) may not be. */
  g_test_message ("%s", result.err);
  g_assert_false (json_object_get_boolean_member (
      json_object_get_object_member (result.report, "parity"), "verdicts_differ"));
  for (guint i = 0; i < G_N_ELEMENTS (same_aspects); i++)
    g_assert_true (
        json_object_get_boolean_member (parity_aspect (result.report, same_aspects[i]), "same"));
  g_assert_nonnull (
      strstr (result.err, "  ready                       same: ready, acknowledged\n"));
}

/* --engine both on a page that needs WebGL 2: it passes in Chromium and
 * fails in WPE, and the differences are the engine's. */
static void
test_both_differ (void)
{
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "real-media.html", NULL);
  g_auto (Result) result = { 0 };
  JsonObject *ready;

  run_check (&result,
             (const char *const[]){ "--engine", "both", "--ready", "console:REAL_MEDIA",
                                    "--timeout", "15", "--paint-grace-ms", "0", page, NULL },
             NULL);
  g_assert_cmpint (result.status, ==, 1);
  g_assert_true (json_object_get_boolean_member (
      json_object_get_object_member (result.report, "parity"), "verdicts_differ"));
  ready = parity_aspect (result.report, "ready");
  g_assert_false (json_object_get_boolean_member (ready, "same"));
  g_assert_cmpstr (json_object_get_string_member (ready, "cause"), ==, "engine");
  g_assert_cmpstr (json_object_get_string_member (ready, "chromium"), ==, "ready, acknowledged");
  g_assert_true (
      json_object_get_boolean_member (parity_aspect (result.report, "page loads"), "same"));
  g_assert_nonnull (
      strstr (result.err, "recordhost check: passes in Chromium, fails in WPE WebKit\n"));
}

typedef struct
{
  const char *name;
  const char *args[3];
  const char *message;
} UsageRow;

/* What the engine does not do is refused before anything starts. */
static const UsageRow usage_rows[] = {
  { "unknown-engine",
    { "--engine", "gecko" },
    "unknown --engine 'gecko' (expected wpe or chromium)" },
  { "both-two-pages", { "--engine", "both", "PAGE" }, "--engine both takes one page" },
  { "page-memory",
    { "--page-memory", "512" },
    "--page-memory is not supported with --engine chromium" },
};

static void
test_usage (gconstpointer data)
{
  const UsageRow *row = data;
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_auto (Result) result = { 0 };

  run_check (&result,
             (const char *const[]){ "--engine", "chromium", row->args[0], row->args[1], page,
                                    g_strcmp0 (row->args[2], "PAGE") == 0 ? page : NULL,
                                    NULL },
             NULL);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, row->message));
  g_assert_null (result.report);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);

  g_test_add_func ("/engine-chromium/bundled-page", test_bundled_page);
  g_test_add_func ("/engine-chromium/no-launch", test_no_launch);
  g_test_add_func ("/engine-chromium/real-media", test_real_media);
  g_test_add_func ("/engine-chromium/record-real-media", test_record_real_media);
  g_test_add_func ("/engine-chromium/missing-browser", test_missing_browser);
  g_test_add ("/engine-chromium/routed/chromium", RoutedFixture, NULL, routed_setup,
              test_routed_chromium, routed_teardown);
  g_test_add ("/engine-chromium/routed/wpe", RoutedFixture, NULL, routed_setup, test_routed_wpe,
              routed_teardown);
  g_test_add ("/engine-chromium/cross-site-frame/chromium", RoutedFixture, "chromium",
              routed_setup, test_cross_site_frame, routed_teardown);
  g_test_add ("/engine-chromium/cross-site-frame/wpe", RoutedFixture, "wpe", routed_setup,
              test_cross_site_frame, routed_teardown);
  g_test_add_func ("/engine-chromium/both/same", test_both_same);
  g_test_add_func ("/engine-chromium/both/differ", test_both_differ);
  for (guint i = 0; i < G_N_ELEMENTS (usage_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine-chromium/usage/%s", usage_rows[i].name);

      g_test_add_data_func (path, &usage_rows[i], test_usage);
    }
  return g_test_run ();
}
