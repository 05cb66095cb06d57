/* The published classroom SDK bundles (npm agora-classroom-sdk, fetched by
 * tests/real-sdk/fetch into RECORDHOST_REAL_SDK_DIR) on our own record page,
 * with the WebRTC stand-in and the local cloud answering the SDK's API
 * (--sdk-api local), and no network, in rh_test_engine () (Chromium: its
 * own WebRTC, no stand-in).  1.1.x reach event 1 and get their ready call
 * acknowledged; 2.x evaluate, launch, check in through the route and end
 * not ready, the RTM login named. */
#include <string.h>

#include "rh-check.h"
#include "rh-error.h"
#include "test-utils.h"

#define APP_ID "0123456789abcdef0123456789abcdef"

typedef struct
{
  const char *version;
  gboolean reaches_ready;
  const char *api_call; /* method and path suffix of the SDK's first API call */
  guint timeout_s;
  const char *sdk_version; /* as the SDK reports it at run time */
  const char *bundle_version; /* as its bundle's text names it */
  const char *offline;     /* the problem of a call the local cloud does not answer */
} Row;

static const Row rows[] = {
  /* 1.1.x call themselves 1.1.0 whatever their release; their bundles
   * name the release (1.1.2-rc.3's as "1.1.2-rc.2.2", its vendor's label). */
  { "1.1.2-rc.3", TRUE, "GET /cn/edu/apps/" APP_ID "/v2/configs", 120, "1.1.0", "1.1.2-rc.2.2",
    NULL },
  { "1.1.5-rc.2", TRUE, "GET /cn/edu/apps/" APP_ID "/v2/configs", 120, "1.1.0", "1.1.5-rc.2",
    "offline: the local cloud does not answer POST .../{user}/login" },
  { "2.8.21", FALSE, "PUT /cn/edu/apps/" APP_ID "/v3/rooms/real-room/users/rec-real", 40,
    "2.8.21", "2.8.21", NULL },
  { "2.9.52", FALSE, "PUT /cn/edu/apps/" APP_ID "/v3/rooms/real-room/users/rec-real", 40,
    "2.9.52", "2.9.52", NULL },
};

static char *
bundle_path (const char *version)
{
  const char *dir = g_getenv ("RECORDHOST_REAL_SDK_DIR");

  g_assert_nonnull (dir);
  return g_build_filename (dir, version, "edu_sdk.bundle.js", NULL);
}

static JsonArray *
member_array (JsonObject *report, const char *name)
{
  return json_object_get_array_member (report, name);
}

static gboolean
has_event (JsonObject *report, const char *type)
{
  JsonArray *events = member_array (report, "events");

  for (guint i = 0; i < json_array_get_length (events); i++)
    if (g_str_equal (json_object_get_string_member (json_array_get_object_element (events, i),
                                                    "type"),
                     type))
      return TRUE;
  return FALSE;
}

/* The page's request to the SDK API, routed to the local cloud and answered;
 * @call is "METHOD /path". */
static gboolean
api_call_answered (JsonObject *report, const char *call)
{
  JsonArray *requests = member_array (report, "requests");
  const char *path = strchr (call, ' ') + 1;
  g_autofree char *method = g_strndup (call, path - 1 - call);

  for (guint i = 0; i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      JsonNode *routed = json_object_get_member (request, "routed_to");

      if (JSON_NODE_HOLDS_NULL (routed)
          || !g_str_equal (json_object_get_string_member (request, "method"), method))
        continue;
      if (g_str_has_prefix (json_node_get_string (routed), "http://127.0.0.1:")
          && strstr (json_node_get_string (routed), path) != NULL
          && json_object_get_int_member (request, "status") == 200)
        return TRUE;
    }
  return FALSE;
}

/* The problem whose message starts with @start, NULL if none. */
static JsonObject *
find_problem (JsonObject *report, const char *start)
{
  JsonArray *problems = member_array (report, "problems");

  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *problem = json_array_get_object_element (problems, i);

      if (g_str_has_prefix (json_object_get_string_member (problem, "message"), start))
        return problem;
    }
  return NULL;
}

static void
test_version (gconstpointer data)
{
  const Row *row = data;
  g_autofree char *bundle = bundle_path (row->version);
  g_autoptr (GFile) file = g_file_new_for_path (bundle);
  g_autoptr (RhPageOptions) options = rh_page_options_new ();
  g_autoptr (RhReadyEndpoint) endpoint = NULL;
  gboolean chromium = rh_test_engine () == RH_BROWSER_ENGINE_CHROMIUM;
  g_autoptr (RhCheck) check = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = NULL;
  JsonObject *report, *engine, *timeline;
  gboolean passed;

  if (!g_file_test (bundle, G_FILE_TEST_IS_REGULAR))
    {
      /* The set-up step fetches them: their absence is a failure, not a skip. */
      g_test_message ("no %s: run tests/real-sdk/fetch", bundle);
      g_test_fail ();
      return;
    }
  rh_page_options_set_engine (options, rh_test_engine ());
  options->room = rh_room_new ();
  options->room->app_id = g_strdup (APP_ID);
  options->room->room_uuid = g_strdup ("real-room");
  options->room->room_type = 4;
  options->room->user_uuid = g_strdup ("rec-real");
  options->room->rtm_token = g_strdup ("real-token");
  g_assert_true (rh_room_set_region (options->room, "CN", NULL));
  /* The public template, written for SDK 2.0, calls .then on launch. */
  g_assert_true (rh_room_add_param (options->room, "pageLaunchThen=1", NULL));
  options->page = rh_test_page_path ("record_page.html");
  options->file_access = TRUE; /* as check FILE has it */
  options->sdk_bundle = g_file_get_uri (file);
  options->sdk_api_local = TRUE;
  options->timeout_s = row->timeout_s;
  /* 1.1.5 enters the room right after its ready, on a page still blank: the
   * default watch for its first paint sees that call end. */
  options->paint_grace_ms = row->offline != NULL ? RH_PAGE_OPTIONS_DEFAULT_PAINT_GRACE_MS : 0;
  options->echo = g_test_verbose ();

  check = rh_test_check_new (g_steal_pointer (&options), &endpoint, &error);
  g_assert_no_error (error);
  rh_check_run_async (check, NULL, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, row->timeout_s + 60));
  passed = rh_check_run_finish (check, result, &error);
  node = rh_check_to_json (check);
  report = json_node_get_object (node);
  engine = json_object_get_object_member (report, "engine");
  timeline = json_object_get_object_member (report, "timeline");
  g_test_message ("SDK %s: launch %" G_GINT64_FORMAT " ms, first paint %" G_GINT64_FORMAT
                  " ms, event 1 %" G_GINT64_FORMAT " ms; %s", row->version,
                  json_object_get_int_member_with_default (timeline, "launch_ms", -1),
                  json_object_get_int_member_with_default (timeline, "first_nonblank_ms", -1),
                  json_object_get_int_member_with_default (timeline, "ready_event_ms", -1),
                  error != NULL ? error->message : "passed");

  /* The bundle evaluated and the page launched it, with the stand-in in
   * WPE, Chromium's own WebRTC there. */
  g_assert_true (has_event (report, "sdk"));
  g_assert_true (has_event (report, "launch"));
  g_assert_cmpstr (json_object_get_string_member (engine, "name"), ==,
                   chromium ? "Chromium" : "WPE WebKit");
  g_assert_cmpstr (json_object_get_string_member (engine, "webrtc"), ==,
                   chromium ? "absent" : "standin");
  /* Its first API call went through the route to the local cloud. */
  g_assert_true (api_call_answered (report, row->api_call));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "sdk"),
                                                  "version"),
                   ==, row->sdk_version);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "sdk"),
                                                  "bundle_version"),
                   ==, row->bundle_version);
  /* Nothing is blamed on the engine. */
  g_assert_false (rh_test_report_has_problem (report, "engine-missing-feature", "error", NULL));

  if (row->offline != NULL)
    {
      /* A call our stand-in does not answer is said as such, and no error. */
      JsonObject *offline = find_problem (report, row->offline);

      g_assert_nonnull (offline);
      g_assert_true (json_object_get_boolean_member (offline, "offline"));
      g_assert_cmpstr (json_object_get_string_member (offline, "severity"), ==, "warning");
    }
  if (row->reaches_ready)
    {
      g_assert_no_error (error);
      g_assert_true (passed);
      g_assert_true (json_object_get_boolean_member (
        json_object_get_object_member (report, "ready_call"), "acknowledged"));
      return;
    }
  g_assert_false (passed);
  g_assert_error (error, RH_ERROR, RH_ERROR_NOT_READY);
  /* The step it was blocked on and the host, in one short line; why it
   * cannot work offline in its problem. */
  g_assert_cmpuint (g_utf8_strlen (error->message, -1), <=, 160);
  g_assert_nonnull (strstr (error->message, "the RTM login: ap-web-"));
  g_assert_nonnull (strstr (error->message, "not resolved (offline?)"));
  g_assert_true (rh_test_report_has_problem (report, "ready-timeout", "error",
                                             "cannot get ready offline"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "sdk"),
                                                  "launch_returned"),
                   ==, "function");
  /* The template's .then on it is named, and did not end the check. */
  g_assert_true (rh_test_report_has_problem (report, "launch-not-promise", "warning", NULL));
}

/* RECORDHOST_BINARY, then @args (a command first, NULL-terminated) with
 * the suite's engine. */
static GPtrArray *
command_argv (const char *const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) RECORDHOST_BINARY);
  g_ptr_array_add (argv, (gpointer) args[0]);
  g_ptr_array_add (argv, (gpointer) "--engine");
  g_ptr_array_add (argv, (gpointer) rh_test_engine_name ());
  for (guint i = 1; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/* What a user reads of 2.9 offline: the cause once on stderr, and the
 * failures of one host and error as one problem with their count. */
static void
test_offline_cause_once (void)
{
  g_autofree char *bundle = bundle_path ("2.9.52");
  g_autofree char *page = rh_test_page_path ("record_page.html");
  const char *args[] = { "check", page, "--sdk", bundle, "--sdk-api", "local", "--app-id",
                         APP_ID, "--room-uuid", "real-room", "--room-type", "4", "--user-uuid",
                         "rec-real", "--rtm-token", "real-token", "--region", "CN", "--timeout",
                         "30", "--json", NULL };
  g_autoptr (GPtrArray) argv = command_argv (args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GHashTable) seen = g_hash_table_new (g_str_hash, g_str_equal);
  g_auto (GStrv) lines = NULL;
  JsonObject *report;
  JsonArray *problems;
  const char *cause;
  guint times = 0;
  guint grouped = 0;

  if (!g_file_test (bundle, G_FILE_TEST_IS_REGULAR))
    {
      g_test_message ("no %s: run tests/real-sdk/fetch", bundle);
      g_test_fail ();
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, NULL, &error));
  g_assert_no_error (error);
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  report = json_node_get_object (json_parser_get_root (parser));
  cause = json_object_get_string_member (report, "error");
  lines = g_strsplit (err, "\n", -1);
  g_test_message ("cause: %s; %u lines on stderr", cause, g_strv_length (lines) - 1);
  g_assert_cmpuint (g_utf8_strlen (cause, -1), <=, 160);
  g_assert_nonnull (strstr (cause, "the RTM login: ap-web-"));
  for (const char *p = strstr (err, cause); p != NULL; p = strstr (p + 1, cause))
    times++;
  g_assert_cmpuint (times, ==, 1);

  problems = member_array (report, "problems");
  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *problem = json_array_get_object_element (problems, i);
      const char *message = json_object_get_string_member (problem, "message");

      /* Never one host's same failure twice. */
      g_assert_true (g_hash_table_add (seen, (gpointer) message));
      if (json_object_get_int_member (problem, "count") > 1)
        grouped++;
    }
  g_assert_cmpuint (grouped, >, 0);
}

/* What a user runs: `recordhost demo --sdk BUNDLE`, offline, acknowledged. */
/* Runs the binary with @args (ending in NULL) in the suite's engine to a
 * zero exit status; returns its --json report. */
static JsonObject *
run_json_report (const char *const *args)
{
  g_autoptr (GPtrArray) argv = command_argv (args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  int status;

  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                               &out, &err, &status, &error));
  g_assert_no_error (error);
  g_test_message ("stderr: %s", err);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_assert_true (json_parser_load_from_data (parser, out, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
test_demo_sdk (void)
{
  g_autofree char *bundle = bundle_path ("1.1.5-rc.2");
  const char *args[] = { "demo", "--sdk", bundle, "--timeout", "120", "--json", "--quiet",
                         NULL };
  g_autoptr (JsonObject) report = run_json_report (args);

  g_assert_cmpstr (json_object_get_string_member (report, "verdict"), ==, "pass");
  g_assert_true (api_call_answered (report, "GET /cn/edu/apps/" APP_ID "/v2/configs"));
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (report, "sdk"),
                                                  "launch_returned"),
                   ==, "promise");
}

/* Three copies of the bundled page with SDK 1.1.5-rc.2, checked side by
 * side in one process: each gets ready on its own local cloud, as alone. */
static void
test_side_by_side (void)
{
  g_autofree char *bundle = bundle_path ("1.1.5-rc.2");
  g_autofree char *page = rh_test_page_path ("record_page.html");
  const char *args[] = { "check", "--app-id", APP_ID, "--room-uuid", "room-1", "--room-type",
                         "4", "--region", "CN", "--sdk", bundle, "--sdk-api", "local", "--timeout",
                         "120", "--paint-grace-ms", "0", "--json", "--quiet", page, page, page,
                         NULL };
  g_autoptr (JsonObject) report = run_json_report (args);
  JsonArray *checks = json_object_get_array_member (report, "checks");

  g_assert_cmpint (json_object_get_int_member (report, "passed"), ==, 3);
  g_assert_cmpuint (json_array_get_length (checks), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      JsonObject *check = json_array_get_object_element (checks, i);

      g_assert_cmpstr (json_object_get_string_member (check, "verdict"), ==, "pass");
      g_assert_true (api_call_answered (check, "GET /cn/edu/apps/" APP_ID "/v2/configs"));
    }
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/real-sdk/demo-sdk", test_demo_sdk);
  g_test_add_func ("/real-sdk/1.1.5-rc.2/side-by-side", test_side_by_side);
  g_test_add_func ("/real-sdk/2.9.52/cause-once", test_offline_cause_once);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/real-sdk/%s", rows[i].version);

      g_test_add_data_func (path, &rows[i], test_version);
    }
  return g_test_run ();
}
