/* Problem codes from what a check saw, and the reports made of them. */
#include <string.h>

#include "rh-error.h"
#include "rh-problems.h"
#include "rh-report.h"
#include "test-utils.h"

#define NONE RH_PAGE_NO_TIME

/* What rh_problems_find () is given: a load's outcome, the command's
 * failure and the rules. */
typedef struct
{
  RhPageOutcome *outcome;
  const GError *failure;
  RhProblemRules rules;
} Input;

static void
input_init (Input *input)
{
  input->outcome = rh_page_outcome_new ("https://cdn.example/p.html");
  input->failure = NULL;
  rh_problem_rules_init (&input->rules);
}

static void
input_clear (Input *input)
{
  g_clear_pointer (&input->outcome, rh_page_outcome_unref);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Input, input_clear)

static GPtrArray *
find (const Input *input)
{
  return rh_problems_find (input->outcome, input->failure, &input->rules);
}

/* The outcome's @field becomes @array (the test's, whose items it does not free). */
#define SET_ARRAY(input, field, array)                                                      \
  G_STMT_START                                                                              \
  {                                                                                         \
    g_clear_pointer (&(input).outcome->field, g_ptr_array_unref);                           \
    (input).outcome->field = g_ptr_array_ref (array);                                       \
  }                                                                                         \
  G_STMT_END

typedef struct
{
  const char *name;
  int failure;       /* RhError, or -1 for a passed check */
  guint http_status;
  gboolean launched;
  guint js_errors;
  gint64 paint_ms;
  gint64 ready_ms;
  const char *expected; /* "code:severity" joined by spaces, in order */
} Row;

static const Row rows[] = {
  { "clean", -1, 200, TRUE, 0, 400, 900, "" },
  { "ready-before-paint", -1, 200, TRUE, 0, 1500, 900, "ready-before-paint:warning" },
  { "never-painted", -1, 200, TRUE, 0, NONE, 900,
    "ready-before-paint:warning slow-first-paint:warning" },
  { "slow-paint", -1, 200, TRUE, 0, 3500, 4000, "slow-first-paint:warning" },
  { "paint-at-threshold", -1, 200, TRUE, 0, 3000, 4000, "" },
  { "js-error-after-ready", -1, 200, TRUE, 1, 400, 900, "js-error:warning" },
  { "http-error", RH_ERROR_PAGE_FAILED, 404, FALSE, 0, NONE, NONE, "http-error:error" },
  { "load-failed", RH_ERROR_PAGE_FAILED, 0, FALSE, 0, NONE, NONE, "page-load-failed:error" },
  { "threw", RH_ERROR_PAGE_FAILED, 200, TRUE, 1, 400, NONE, "js-error:error" },
  { "launch-not-called", RH_ERROR_NOT_READY, 200, FALSE, 0, 400, NONE,
    "launch-not-called:error" },
  { "ready-timeout", RH_ERROR_NOT_READY, 200, TRUE, 0, 400, NONE, "ready-timeout:error" },
  { "ready-call-failed", RH_ERROR_READY_CALL, 200, TRUE, 0, 400, 900,
    "ready-call-failed:error" },
  { "crashed", RH_ERROR_WEB_PROCESS, 200, TRUE, 0, 400, NONE, "page-load-failed:error" },
};

static char *
codes (const GPtrArray *problems)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      const RhProblem *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (out, "%s%s:%s", i > 0 ? " " : "", problem->code,
                              rh_severity_name (problem->severity));
    }
  return g_string_free (out, FALSE);
}

static void
fill (Input *input, const Row *row, GError **failure)
{
  input_init (input);
  if (row->failure >= 0)
    *failure = g_error_new_literal (RH_ERROR, row->failure, "what happened");
  input->failure = *failure;
  input->outcome->times.committed_ms = row->failure == RH_ERROR_PAGE_FAILED && row->http_status == 0
                                ? NONE : 100;
  input->outcome->times.http_status = row->http_status;
  input->outcome->times.first_nonblank_ms = row->paint_ms;
  input->outcome->times.ready_event_ms = row->ready_ms;
  input->rules.launch_expected = TRUE;
  input->outcome->launched = row->launched;
  input->outcome->js_errors = row->js_errors;
  input->outcome->first_js_error = row->js_errors > 0 ? g_strdup ("ReferenceError: x is not defined")
                                                     : NULL;
}

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr (GError) failure = NULL;
  g_auto (Input) input = { 0 };
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *got = NULL;

  fill (&input, row, &failure);
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, row->expected);
  g_assert_cmpint (rh_problems_have_error (problems), ==, strstr (row->expected, ":error") != NULL);
}

static void
test_ready_before_paint_says_how_long (void)
{
  g_autoptr (GError) failure = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_auto (Input) input = { 0 };

  fill (&input, &rows[1], &failure);
  problems = find (&input);
  g_assert_nonnull (strstr (((RhProblem *) g_ptr_array_index (problems, 0))->message,
                            "600 ms of white"));
}

/* A run's later load starts late on its timeline: its first paint is
 * slow or not from the load's start. */
static void
test_slow_paint_from_load (void)
{
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *got = NULL;
  g_auto (Input) input = { 0 };

  input_init (&input);
  input.outcome->times.load_ms = 10000;
  input.outcome->times.committed_ms = 10100;
  input.outcome->times.first_nonblank_ms = 10500;
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, "");
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_clear_pointer (&got, g_free);
  input.outcome->times.first_nonblank_ms = 13500;
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, "slow-first-paint:warning");
  g_assert_nonnull (strstr (((RhProblem *) g_ptr_array_index (problems, 0))->message,
                            "3500 ms after the load began"));
}

static void
test_resources (void)
{
  g_autoptr (GArray) resources = g_array_new (FALSE, TRUE, sizeof (RhResource));
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *got = NULL;
  g_auto (Input) input = { 0 };
  RhResource page = { (char *) "https://cdn.example/record_page.html", 404, 0, 10, TRUE,
                      (char *) "HTTP 404" };
  RhResource bundle = { (char *) "https://cdn.example/sdk/edu_sdk.bundle.js?v=2", 404, 20, 30,
                        TRUE, (char *) "HTTP 404 Not Found" };
  RhResource image = { (char *) "https://cdn.example/logo.png", 0, 20, 30, TRUE,
                       (char *) "refused" };
  RhResource fine = { (char *) "https://cdn.example/app.js", 200, 20, 30, FALSE, NULL };

  g_array_append_val (resources, page);
  g_array_append_val (resources, bundle);
  g_array_append_val (resources, image);
  g_array_append_val (resources, fine);
  input_init (&input);
  g_clear_pointer (&input.outcome->resources, g_array_unref);
  input.outcome->resources = g_array_ref (resources);
  input.outcome->times.first_nonblank_ms = 100;
  problems = find (&input);
  got = codes (problems);
  /* The page itself is left to http-error; a script fails the check, an image warns. */
  g_assert_cmpstr (got, ==, "resource-failed:error resource-failed:warning");
  g_array_set_size (resources, 0); /* the rows point at static strings */
}

/* A service worker's script (SDK 1.1.x registers ./serviceWorker.js, which
 * 1.1.2 does not ship) is not the page's: its 404 warns. */
static void
test_worker_script (void)
{
  g_autoptr (GArray) resources = g_array_new (FALSE, TRUE, sizeof (RhResource));
  g_autoptr (GPtrArray) workers = g_ptr_array_new ();
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *got = NULL;
  g_auto (Input) input = { 0 };
  RhResource page = { (char *) "https://cdn.example/record_page.html", 200, 0, 10, FALSE, NULL };
  RhResource worker = { (char *) "https://cdn.example/serviceWorker.js", 404, 20, 30, TRUE,
                        (char *) "HTTP 404 Not Found" };

  g_array_append_val (resources, page);
  g_array_append_val (resources, worker);
  g_ptr_array_add (workers, (gpointer) "https://cdn.example/serviceWorker.js");
  input_init (&input);
  g_clear_pointer (&input.outcome->resources, g_array_unref);
  input.outcome->resources = g_array_ref (resources);
  SET_ARRAY (input, workers, workers);
  input.outcome->times.first_nonblank_ms = 100;
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, "resource-failed:warning");
  g_array_set_size (resources, 0);
}

static void
test_engine_features (void)
{
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GError) failure = NULL;
  g_autofree char *got = NULL;
  g_auto (Input) input = { 0 };

  g_ptr_array_add (missing, (gpointer) "RTCPeerConnection");
  input_init (&input);
  SET_ARRAY (input, engine.missing_touched, missing);
  input.outcome->times.first_nonblank_ms = 100;
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, "engine-missing-feature:warning");
  g_assert_nonnull (strstr (((RhProblem *) g_ptr_array_index (problems, 0))->message,
                            "video tiles stay empty"));

  /* A page that only probed the feature and then failed for another
   * reason is not blamed on it. */
  failure = g_error_new_literal (RH_ERROR, RH_ERROR_NOT_READY, "not ready");
  input.failure = failure;
  input.outcome->launched = TRUE;
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_clear_pointer (&got, g_free);
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, "ready-timeout:error engine-missing-feature:warning");

  /* An uncaught error that named it: the failure is blamed on it. */
  SET_ARRAY (input, engine.missing_blamed, missing);
  g_clear_pointer (&problems, g_ptr_array_unref);
  g_clear_pointer (&got, g_free);
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, "ready-timeout:error engine-missing-feature:error");
}

/* Template checks: what the page passed to launch, for known SDK versions. */
typedef struct
{
  const char *name;
  const char *version;
  const char *options;  /* space-separated names */
  const char *language;
  gboolean then_on_result;
  gboolean then_threw;
  const char *expected;
} LaunchRow;

static const LaunchRow launch_rows[] = {
  { "clean-2.9", "2.9.52", "token rtmToken userName userUuid roomName roomUuid", "en", FALSE,
    FALSE,
    "" },
  { "rtm-token-only-2.9", "2.9.52", "rtmToken userName userUuid roomName roomUuid", "en", FALSE,
    FALSE,
    "sdk-option-name:warning" },
  { "rtm-token-only-2.8", "2.8.21", "rtmToken userName userUuid roomName roomUuid", "en", FALSE,
    FALSE,
    "" },
  { "no-user-name-2.9", "2.9.52", "token userUuid roomName roomUuid", "en", FALSE, FALSE,
    "sdk-option-missing:warning" },
  { "language-1.1", "1.1.5-rc.2", "rtmToken userName", "fr", FALSE, FALSE,
    "sdk-option-value:warning" },
  { "language-ok-1.1", "1.1.2-rc.3", "rtmToken userName", "zh", FALSE, FALSE, "" },
  { "then-on-function", NULL, "", NULL, TRUE, TRUE, "launch-not-promise:warning" },
  /* An await looks .then up too, and does not throw. */
  { "await-on-function", NULL, "", NULL, TRUE, FALSE, "" },
};

static void
test_launch (gconstpointer data)
{
  const LaunchRow *row = data;
  g_auto (GStrv) names = g_strsplit (row->options, " ", -1);
  g_autoptr (GPtrArray) options = g_ptr_array_new ();
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *got = NULL;
  g_auto (Input) input = { 0 };
  RhPageLaunch *launch;

  for (guint i = 0; names[i] != NULL; i++)
    if (*names[i] != '\0')
      g_ptr_array_add (options, names[i]);
  input_init (&input);
  launch = &input.outcome->launch;
  launch->sdk_version = g_strdup (row->version);
  SET_ARRAY (input, launch.options, options);
  launch->language = g_strdup (row->language);
  launch->result_type = g_strdup ("function");
  launch->then_on_result = row->then_on_result;
  launch->then_threw = row->then_threw;
  input.outcome->launched = TRUE;
  input.outcome->times.first_nonblank_ms = 100;
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, row->expected);
}

/* The page's own ready call (setRecordReady) is named with its answer. */
static void
test_page_ready_call (void)
{
  g_autoptr (GPtrArray) requests = g_ptr_array_new ();
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *got = NULL;
  RhRequest other = { .api = (char *) "fetch", .method = (char *) "GET",
                      .url = (char *) "https://api.example/v2/configs", .status = 200,
                      .end_ms = 10 };
  RhRequest ready = { .api = (char *) "xhr", .method = (char *) "PUT",
                      .url = (char *) "https://api.example/cn/edu/apps/a/v2/rooms/r/records/ready",
                      .status = 401, .end_ms = 20 };
  g_auto (Input) input = { 0 };

  g_ptr_array_add (requests, &other);
  g_ptr_array_add (requests, &ready);
  input_init (&input);
  SET_ARRAY (input, requests, requests);
  input.outcome->times.first_nonblank_ms = 100;
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, "page-ready-call:warning");
  g_assert_nonnull (strstr (((RhProblem *) g_ptr_array_index (problems, 0))->message,
                            "HTTP 401"));
}

static void
test_missing_params (void)
{
  g_autoptr (GPtrArray) missing = g_ptr_array_new ();
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *got = NULL;
  g_auto (Input) input = { 0 };

  g_ptr_array_add (missing, (gpointer) "startTime");
  g_ptr_array_add (missing, (gpointer) "rtmToken");
  input_init (&input);
  SET_ARRAY (input, missing_params, missing);
  input.outcome->times.first_nonblank_ms = 100;
  problems = find (&input);
  got = codes (problems);
  g_assert_cmpstr (got, ==, "missing-param:warning missing-param:warning");
  g_assert_nonnull (strstr (((RhProblem *) g_ptr_array_index (problems, 1))->message,
                            "rtmToken"));
}

/* ---- --fail-on ---- */

typedef struct
{
  const char *name;
  const char *fail_on; /* comma-separated, NULL for none */
  const char *fails;   /* the codes that fail, space-separated */
} FailOnRow;

static const FailOnRow fail_on_rows[] = {
  { "none", NULL, "resource-failed" },
  { "one-code", "ready-before-paint", "resource-failed ready-before-paint" },
  { "codes", "slow-first-paint,ready-before-paint",
    "resource-failed ready-before-paint slow-first-paint" },
  { "warning", "warning", "resource-failed resource-failed ready-before-paint slow-first-paint" },
  { "code-of-both", "resource-failed", "resource-failed resource-failed" },
};

/* A script that failed (an error), an image (a warning), a white start and
 * a slow paint (warnings): which fail as --fail-on says. */
static void
test_fail_on (gconstpointer data)
{
  const FailOnRow *row = data;
  g_auto (GStrv) fail_on = row->fail_on != NULL ? g_strsplit (row->fail_on, ",", -1) : NULL;
  g_autoptr (GArray) resources = g_array_new (FALSE, TRUE, sizeof (RhResource));
  RhResource resource = { 0 };
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (GString) fails = g_string_new (NULL);
  g_autoptr (GError) error = NULL;
  g_auto (Input) input = { 0 };

  g_array_append_val (resources, resource);
  resource.failed = TRUE;
  resource.uri = (char *) "https://cdn.example/sdk.js";
  g_array_append_val (resources, resource);
  resource.uri = (char *) "https://cdn.example/logo.png";
  g_array_append_val (resources, resource);
  input_init (&input);
  g_clear_pointer (&input.outcome->resources, g_array_unref);
  input.outcome->resources = g_array_ref (resources);
  input.outcome->times.committed_ms = 10;
  input.outcome->times.ready_event_ms = 100;
  input.outcome->times.first_nonblank_ms = 5000;
  input.rules.slow_paint_ms = 3000;
  g_assert_true (rh_problems_check_fail_on ((const char *const *) fail_on, &error));
  g_assert_no_error (error);
  problems = find (&input);
  rh_problems_apply_fail_on (problems, (const char *const *) fail_on);
  for (guint i = 0; i < problems->len; i++)
    {
      const RhProblem *problem = g_ptr_array_index (problems, i);

      if (rh_problem_fails (problem))
        g_string_append_printf (fails, "%s%s", fails->len > 0 ? " " : "", problem->code);
      /* --fail-on changes what fails, never a severity. */
      if (problem->failed_on)
        g_assert_cmpint (problem->severity, ==, RH_SEVERITY_WARNING);
    }
  g_assert_cmpstr (fails->str, ==, row->fails);
}

/* An unknown code is refused with the list of those known: that list is
 * the one the problems are made from (rh_problems_find asserts it). */
static void
test_fail_on_unknown (void)
{
  const char *const fail_on[] = { "js-error", "ready-before-pain", NULL };
  g_autoptr (GError) error = NULL;

  g_assert_false (rh_problems_check_fail_on (fail_on, &error));
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_true (g_str_has_prefix (error->message, "unknown --fail-on 'ready-before-pain' "
                                                   "(expected warning or a problem code: "));
  for (guint i = 0; rh_problem_codes[i] != NULL; i++)
    g_assert_nonnull (strstr (error->message, rh_problem_codes[i]));
  g_assert_null (strchr (error->message, '\n'));
}

/* ---- reports ---- */

/* ---- failed resources grouped ---- */

#define LOST(host) "Error resolving \xe2\x80\x9c" host "\xe2\x80\x9d: Name or service not known"

typedef struct
{
  const char *name;
  const char *failed[7][2]; /* URL and error, NULL-terminated */
  const char *expected;     /* "severity:xCOUNT" per problem, in order */
  const char *message;      /* the first problem's */
} GroupRow;

static const GroupRow group_rows[] = {
  { "one-host-one-error",
    { { "https://webcollector-rtm.agora.io/events/proto-raw?id=1", LOST ("webcollector-rtm.agora.io") },
      { "https://webcollector-rtm.agora.io/events/proto-raw?id=2", LOST ("webcollector-rtm.agora.io") },
      { "https://webcollector-rtm.agora.io/events/proto-raw?id=3", LOST ("webcollector-rtm.agora.io") },
      { "https://webcollector-rtm.agora.io/upload", LOST ("webcollector-rtm.agora.io") } },
    "warning:x4",
    "webcollector-rtm.agora.io: name not resolved (x4, first /events/proto-raw)" },
  { "two-hosts",
    { { "https://ap-web-1.agora.io/api/v1", LOST ("ap-web-1.agora.io") },
      { "https://ap-web-3.agora.io/api/v1", LOST ("ap-web-3.agora.io") },
      { "https://ap-web-1.agora.io/api/v1", LOST ("ap-web-1.agora.io") } },
    "warning:x2 warning:x1", "ap-web-1.agora.io: name not resolved (x2, first /api/v1)" },
  { "one-host-two-errors",
    { { "https://cdn.example/a.png", "Could not connect: Connection refused" },
      { "https://cdn.example/b.png", LOST ("cdn.example") } },
    "warning:x1 warning:x1", "https://cdn.example/a.png: Could not connect: Connection refused" },
  /* A preload and the load proper: one failure, said by the status. */
  { "element-error-of-a-load",
    { { "https://cdn.example/sdk.js", "HTTP 404 Not Found" },
      { "https://cdn.example/sdk.js", "<script> error event" } },
    "error:x1", "https://cdn.example/sdk.js: HTTP 404 Not Found" },
  { "scripts-apart",
    { { "https://cdn.example/a.js", "HTTP 404 Not Found" },
      { "https://cdn.example/b.png", "HTTP 404 Not Found" },
      { "https://cdn.example/c.png", "HTTP 404 Not Found" } },
    "error:x1 warning:x2", "https://cdn.example/a.js: HTTP 404 Not Found" },
};

static GArray *
failed_resources (const char *const failed[][2], guint n)
{
  GArray *resources = g_array_new (FALSE, TRUE, sizeof (RhResource));
  RhResource page = { (char *) "https://cdn.example/p.html", 200, 0, 10, FALSE, NULL };

  g_array_append_val (resources, page);
  for (guint i = 0; i < n && failed[i][0] != NULL; i++)
    {
      RhResource resource = { (char *) failed[i][0], 0, 20, 30, TRUE, (char *) failed[i][1] };

      g_array_append_val (resources, resource);
    }
  return resources;
}

static char *
counts (const GPtrArray *problems)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < problems->len; i++)
    {
      const RhProblem *problem = g_ptr_array_index (problems, i);

      g_string_append_printf (out, "%s%s:x%u", i > 0 ? " " : "",
                              rh_severity_name (problem->severity), problem->count);
    }
  return g_string_free (out, FALSE);
}

static void
test_grouped (gconstpointer data)
{
  const GroupRow *row = data;
  g_autoptr (GArray) resources = failed_resources (row->failed, G_N_ELEMENTS (row->failed));
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *got = NULL;
  g_auto (Input) input = { 0 };
  JsonObject *first;
  const RhProblem *problem;

  input_init (&input);
  g_clear_pointer (&input.outcome->resources, g_array_unref);
  input.outcome->resources = g_array_ref (resources);
  input.outcome->times.first_nonblank_ms = 100;
  problems = find (&input);
  got = counts (problems);
  g_assert_cmpstr (got, ==, row->expected);
  problem = g_ptr_array_index (problems, 0);
  g_assert_cmpstr (problem->message, ==, row->message);
  /* JSON keeps the count and the first URL. */
  json_builder_begin_object (builder);
  rh_problems_add_json (problems, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  first = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "problems"), 0);
  g_assert_cmpint (json_object_get_int_member (first, "count"), ==, problem->count);
  g_assert_cmpstr (json_object_get_string_member (first, "url"), ==, row->failed[0][0]);
  g_assert_false (json_object_get_boolean_member (first, "offline"));
  g_array_set_size (resources, 0); /* the rows point at static strings */
}

/* ---- calls our own stand-in did not answer ---- */

typedef struct
{
  const char *name;
  const char *url;       /* as the page asked */
  const char *routed_to;
  const char *method;
  const char *error;     /* the resource's */
  const char *offline;
  const char *message;
} OfflineRow;

static const OfflineRow offline_rows[] = {
  { "local-cloud", "https://api.agora.io/cn/edu/apps/a1/v2/rooms/r1/users/u1",
    "http://127.0.0.1:9/cn/edu/apps/a1/v2/rooms/r1/users/u1", "PUT",
    "Preflight response is not successful. Status code: 403", "local cloud",
    "offline: the local cloud does not answer PUT .../users/{user}" },
  { "route", "https://api.example.com/v1/rooms/r1/state", "http://127.0.0.1:9/v1/rooms/r1/state",
    "GET", "HTTP 404 Not Found", "--route",
    "offline: the --route target 127.0.0.1 does not answer GET .../{room}/state" },
  { "local-cloud-script", "https://api.sd-rtn.com/cn/edu/apps/a1/v2/sdk.js",
    "http://127.0.0.1:9/cn/edu/apps/a1/v2/sdk.js", "GET", "HTTP 404 Not Found", "local cloud",
    "offline: the local cloud does not answer GET .../v2/sdk.js" },
};

static void
test_offline (gconstpointer data)
{
  const OfflineRow *row = data;
  const char *failed[][2] = { { row->routed_to, row->error }, { row->routed_to, row->error } };
  g_autoptr (GArray) resources = failed_resources (failed, G_N_ELEMENTS (failed));
  g_autoptr (GPtrArray) requests = g_ptr_array_new ();
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (GError) failure = NULL;
  const char *fail_on_code[] = { "resource-failed", NULL };
  const char *fail_on_warning[] = { "warning", NULL };
  RhRequest request = { .api = (char *) "fetch", .method = (char *) row->method,
                        .url = (char *) row->url, .routed_to = (char *) row->routed_to,
                        .error = (char *) "Load failed", .end_ms = 30 };
  g_auto (Input) input = { 0 };
  const RhProblem *problem;
  RhReport report = { 0 };
  g_autofree char *text = NULL;
  JsonObject *json;

  g_ptr_array_add (requests, &request);
  input_init (&input);
  g_clear_pointer (&input.outcome->resources, g_array_unref);
  input.outcome->resources = g_array_ref (resources);
  SET_ARRAY (input, requests, requests);
  input.outcome->times.first_nonblank_ms = 100;
  problems = find (&input);
  g_assert_cmpuint (problems->len, ==, 1);
  problem = g_ptr_array_index (problems, 0);
  /* No fault of the template: never an error, whatever the URL. */
  g_assert_cmpint (problem->severity, ==, RH_SEVERITY_WARNING);
  g_assert_cmpstr (problem->offline, ==, row->offline);
  g_assert_cmpuint (problem->count, ==, 2);
  g_test_message ("%s", problem->message);
  g_assert_true (g_str_has_prefix (problem->message, row->message));
  g_assert_false (rh_problems_have_error (problems));

  json_builder_begin_object (builder);
  rh_problems_add_json (problems, builder);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  json = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (root), "problems"), 0);
  g_assert_true (json_object_get_boolean_member (json, "offline"));

  report.passed = TRUE;
  report.problems = problems;
  report.outcome = input.outcome;
  text = rh_report_format_text (&report);
  g_assert_nonnull (strstr (text, row->offline));

  /* --fail-on of its code leaves it alone; only "warning" takes it. */
  rh_problems_apply_fail_on (problems, fail_on_code);
  g_assert_false (rh_problems_have_error (problems));
  rh_problems_apply_fail_on (problems, fail_on_warning);
  failure = rh_problems_get_failure (problems);
  g_assert_nonnull (failure);
  g_array_set_size (resources, 0);
}

/* ---- the one-line cause ---- */

#define LONG_QUERY "?appId=0123456789abcdef0123456789abcdef&roomUuid=room-with-a-long-name" \
                   "&roomType=4&userUuid=recorder-0123456789&roleType=0&pretest=false"     \
                   "&rtmToken=[REDACTED]&region=CN&userName=recorder&roomName=room-with-a" \
                   "-long-name&language=en&startTime=1796625467650&duration=3600"

typedef struct
{
  const char *name;
  int failure; /* RhError */
  const char *message;
  gboolean launched;
  const char *threw[2];       /* launch's error: message, source */
  guint threw_line;
  const char *first_error[2]; /* the first uncaught one */
  guint first_error_line;
  gboolean offline_rtm;       /* the SDK's RTM login and event reports failed, not resolved */
  const char *expected;       /* the whole cause, or its start when it ends in "…" */
} CauseRow;

static const CauseRow cause_rows[] = {
  { "launch-threw", RH_ERROR_NOT_READY,
    "not ready within 30 s: still waiting for launch listener event 1", TRUE,
    { "TypeError: sdk.mount is not a function", "file:///srv/templates/sdk/throwing-sdk.js" }, 12,
    { "TypeError: sdk.mount is not a function", "file:///srv/templates/record.html" LONG_QUERY },
    40, FALSE, "AgoraEduSDK.launch threw TypeError: sdk.mount is not a function (throwing-sdk.js:12)" },
  { "syntax-error", RH_ERROR_NOT_READY,
    "not ready: the page loaded and, 5000 ms later, had still not called AgoraEduSDK.launch; "
    "the page could not reach cdn.example (HTTP 404)", FALSE, { NULL, NULL }, 0,
    { "SyntaxError: Unexpected token '}'", "file:///srv/templates/record.html" LONG_QUERY }, 14,
    FALSE, "AgoraEduSDK.launch never called: SyntaxError: Unexpected token '}' (record.html:14)" },
  { "offline-sdk", RH_ERROR_NOT_READY,
    "not ready within 30 s: still waiting for launch listener event 1; the SDK could not reach "
    "ap-web-1.agora.io (name not resolved), its RTM login, ap-web-3.agora.io (name not resolved), "
    "its RTM login, webcollector-rtm.agora.io (name not resolved), its event reporting; the "
    "SDK's RTM and RTC services speak the vendor's own protocols on the vendor's hosts and "
    "cannot be answered locally, so an SDK that waits for them (2.x) cannot get ready offline",
    TRUE, { NULL, NULL }, 0, { NULL, NULL }, 0, TRUE,
    "not ready within 30 s: still waiting for the RTM login: ap-web-1.agora.io not resolved "
    "(offline?)" },
  { "script-404", RH_ERROR_NOT_READY,
    "not ready: the page loaded and, 5000 ms later, had still not called AgoraEduSDK.launch",
    FALSE, { NULL, NULL }, 0, { "TypeError: undefined is not an object", "https://cdn.example/p.html" },
    30, FALSE, "AgoraEduSDK.launch never called: cdn.example/.../edu_sdk.js did not load (HTTP 404)" },
  { "waiting", RH_ERROR_NOT_READY, "not ready within 30 s: still waiting for launch listener "
    "event 1", TRUE, { NULL, NULL }, 0, { "Error: join rejected", "https://cdn.example/a/sdk.js" },
    7, FALSE, "not ready within 30 s: still waiting for launch listener event 1; uncaught "
    "Error: join rejected (cdn.example/.../sdk.js:7)" },
  { "launch-grace", RH_ERROR_NOT_READY, "not ready: the page loaded and, 5000 ms later, had "
    "still not called AgoraEduSDK.launch; the page could not reach cdn.example (HTTP 404)", FALSE,
    { NULL, NULL }, 0, { NULL, NULL }, 0, FALSE,
    "not ready: the page loaded and, 5000 ms later, had still not called AgoraEduSDK.launch" },
  { "page-url", RH_ERROR_PAGE_FAILED, "file:///srv/templates/missing.html" LONG_QUERY ": Error "
    "opening file /srv/templates/missing.html: No such file or directory", FALSE, { NULL, NULL },
    0, { NULL, NULL }, 0, FALSE,
    "missing.html: Error opening file /srv/templates/missing.html: No such file or directory" },
  { "problem", RH_ERROR_PAGE_FAILED, "resource-failed: https://cdn.example/sdk/v2/edu_sdk.js"
    LONG_QUERY ": HTTP 404 Not Found", TRUE, { NULL, NULL }, 0, { NULL, NULL }, 0, FALSE,
    "resource-failed: cdn.example/.../edu_sdk.js: HTTP 404 Not Found" },
  { "fail-on", RH_ERROR_PAGE_FAILED, "ready-before-paint: ready came at 402 ms, but the page "
    "stayed blank until 1634 ms: a recording started at ready begins with 1232 ms of white (use "
    "onHold) (--fail-on)", TRUE, { NULL, NULL }, 0, { NULL, NULL }, 0, FALSE,
    "ready-before-paint: ready came at 402 ms, but the page stayed blank until 1634 ms: a "
    "recording started at ready begins with 1232 ms of white (use o… (--fail-on)" },
  { "cut-short", RH_ERROR_NOT_READY, "not ready within 30 s", TRUE,
    { "Error: " "a message a very long way from its end, a message a very long way from its "
      "end, a message a very long way from its end, a message a very long way", NULL }, 0,
    { NULL, NULL }, 0, FALSE, "AgoraEduSDK.launch threw Error: a message a very long way…" },
};

static void
set_js_error (RhJsError *error, const char *const parts[2], guint line)
{
  error->message = g_strdup (parts[0]);
  error->source = g_strdup (parts[1]);
  error->line = line;
}

static void
test_cause (gconstpointer data)
{
  const CauseRow *row = data;
  const char *failed[][2] = {
    { "https://webcollector-rtm.agora.io/events/proto-raw?id=1", LOST ("webcollector-rtm.agora.io") },
    { "https://ap-web-1.agora.io/api/v1", LOST ("ap-web-1.agora.io") },
    { "https://ap-web-3.agora.io/api/v1", LOST ("ap-web-3.agora.io") },
  };
  g_autoptr (GArray) resources = failed_resources (failed, G_N_ELEMENTS (failed));
  g_autoptr (GPtrArray) requests = g_ptr_array_new ();
  g_autoptr (GError) failure = g_error_new_literal (RH_ERROR, row->failure, row->message);
  g_autofree char *cause = NULL;
  RhRequest sent[G_N_ELEMENTS (failed)];
  g_auto (Input) input = { 0 };

  input_init (&input);
  input.rules.timeout_s = 30;
  input.outcome->launched = row->launched;
  g_free (input.outcome->waiting_for);
  input.outcome->waiting_for = g_strdup ("launch listener event 1");
  if (row->threw[0] != NULL)
    set_js_error (&input.outcome->launch.threw, row->threw, row->threw_line);
  if (row->first_error[0] != NULL)
    set_js_error (&input.outcome->first_error, row->first_error, row->first_error_line);
  if (g_str_has_suffix (row->name, "-404"))
    {
      const char *missing[][2] = { { "https://cdn.example/sdk/edu_sdk.js", "<script> error event" } };

      g_clear_pointer (&input.outcome->resources, g_array_unref);
      input.outcome->resources = failed_resources (missing, G_N_ELEMENTS (missing));
      g_array_index (input.outcome->resources, RhResource, 1).status = 404;
    }
  if (row->offline_rtm)
    {
      for (guint i = 0; i < G_N_ELEMENTS (failed); i++)
        {
          sent[i] = (RhRequest) { .api = (char *) "xhr", .method = (char *) "POST",
                                  .url = (char *) failed[i][0],
                                  .error = (char *) "network error", .end_ms = 30 };
          g_ptr_array_add (requests, &sent[i]);
        }
      g_clear_pointer (&input.outcome->resources, g_array_unref);
      input.outcome->resources = g_array_ref (resources);
      SET_ARRAY (input, requests, requests);
    }

  cause = rh_problems_cause (input.outcome, failure, &input.rules);
  g_test_message ("cause: %s", cause);
  g_assert_cmpuint (g_utf8_strlen (cause, -1), <=, RH_PROBLEMS_CAUSE_MAX);
  if (g_str_has_suffix (row->expected, "…"))
    {
      g_autofree char *start = g_strndup (row->expected,
                                          strlen (row->expected) - strlen ("…"));

      g_assert_true (g_str_has_prefix (cause, start));
      g_assert_true (g_str_has_suffix (cause, "…"));
      g_assert_cmpuint (g_utf8_strlen (cause, -1), ==, RH_PROBLEMS_CAUSE_MAX);
    }
  else
    g_assert_cmpstr (cause, ==, row->expected);
  g_array_set_size (resources, 0);
}

static void
test_junit (void)
{
  const Row *row = &rows[9]; /* launch-not-called */
  g_autoptr (GError) failure = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *xml = NULL;
  g_auto (RhTestJunit) junit = { 0 };
  g_auto (Input) input = { 0 };
  RhReport report = { 0 };

  fill (&input, row, &failure);
  problems = find (&input);
  g_free (input.outcome->page_url);
  input.outcome->page_url = g_strdup ("https://cdn.example/p.html?a=1&b=<2>");
  report.failure = "not ready";
  report.problems = problems;
  report.outcome = input.outcome;
  report.duration_ms = 1234;
  xml = rh_report_format_junit (&report);

  rh_test_junit_parse (&junit, xml);
  g_assert_cmpuint (junit.testcases, ==, 10);
  g_assert_cmpuint (junit.failure_elements, ==, 1);
  g_assert_cmpuint (junit.failures, ==, 1);
  g_assert_cmpstr (junit.failed->str, ==, "AgoraEduSDK.launch is called\n");
  /* Never launched, never ready: the steps after the failed one never came. */
  g_assert_cmpstr (junit.skipped_cases->str, ==,
                   "page gets ready\nready call acknowledged\npainted before ready\n");
  g_assert_nonnull (strstr (xml, "a=1&amp;b=&lt;2&gt;"));
}

static void
test_text (void)
{
  const Row *row = &rows[1]; /* ready before paint */
  g_autoptr (GError) failure = NULL;
  g_autoptr (GPtrArray) problems = NULL;
  g_autofree char *text = NULL;
  g_auto (GStrv) lines = NULL;
  g_auto (Input) input = { 0 };
  RhReport report = { 0 };

  fill (&input, row, &failure);
  problems = find (&input);
  report.passed = TRUE;
  g_free (input.outcome->page_url);
  input.outcome->page_url = g_strdup ("file:///p.html");
  report.problems = problems;
  report.outcome = input.outcome;
  text = rh_report_format_text (&report);
  g_assert_nonnull (strstr (text, "recordhost check: PASS"));
  g_assert_nonnull (strstr (text, "warning ready-before-paint"));
  g_assert_nonnull (strstr (text, "blank for 1500 ms, longer than it took to get ready"));
  /* One screen. */
  lines = g_strsplit (text, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), <, 25);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/problems/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  g_test_add_func ("/problems/ready-before-paint-says-how-long",
                   test_ready_before_paint_says_how_long);
  g_test_add_func ("/problems/resources", test_resources);
  g_test_add_func ("/problems/slow-paint-from-load", test_slow_paint_from_load);
  g_test_add_func ("/problems/worker-script", test_worker_script);
  g_test_add_func ("/problems/missing-params", test_missing_params);
  g_test_add_func ("/problems/engine-features", test_engine_features);
  for (guint i = 0; i < G_N_ELEMENTS (launch_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/problems/launch/%s", launch_rows[i].name);

      g_test_add_data_func (path, &launch_rows[i], test_launch);
    }
  g_test_add_func ("/problems/page-ready-call", test_page_ready_call);
  for (guint i = 0; i < G_N_ELEMENTS (fail_on_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/problems/fail-on/%s", fail_on_rows[i].name);

      g_test_add_data_func (path, &fail_on_rows[i], test_fail_on);
    }
  g_test_add_func ("/problems/fail-on/unknown", test_fail_on_unknown);
  for (guint i = 0; i < G_N_ELEMENTS (group_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/problems/grouped/%s", group_rows[i].name);

      g_test_add_data_func (path, &group_rows[i], test_grouped);
    }
  for (guint i = 0; i < G_N_ELEMENTS (offline_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/problems/offline/%s", offline_rows[i].name);

      g_test_add_data_func (path, &offline_rows[i], test_offline);
    }
  for (guint i = 0; i < G_N_ELEMENTS (cause_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/problems/cause/%s", cause_rows[i].name);

      g_test_add_data_func (path, &cause_rows[i], test_cause);
    }
  g_test_add_func ("/report/junit", test_junit);
  g_test_add_func ("/report/text", test_text);
  return g_test_run ();
}
