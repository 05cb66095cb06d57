#include "rh-problems-private.h"

#include <string.h>

#include "rh-engine-features.h"
#include "rh-error.h"
#include "rh-ready-call.h"

const char *const rh_problem_codes[] = {
  "page-load-failed", "http-error", "resource-failed", "js-error", "launch-not-called",
  "ready-timeout", "ready-call-failed", "missing-param", "engine-missing-feature",
  "launch-not-promise", "sdk-option-name", "sdk-option-missing", "sdk-option-value",
  "page-ready-call", "ready-before-paint", "slow-first-paint", NULL,
};

/* --fail-on's word for every warning, whatever its code. */
#define FAIL_ON_WARNING "warning"

static void
problem_free (RhProblem *problem)
{
  g_free (problem->message);
  g_free (problem->url);
  g_free (problem);
}

/* Takes @message. */
RhProblem *
_rh_problems_add_message (GPtrArray *problems, const char *code, RhSeverity severity,
                          char *message)
{
  RhProblem *problem = g_new0 (RhProblem, 1);

  g_assert (g_strv_contains (rh_problem_codes, code));
  problem->code = code;
  problem->severity = severity;
  problem->message = message;
  problem->count = 1;
  g_ptr_array_add (problems, problem);
  return problem;
}

static void
add (GPtrArray *problems, const char *code, RhSeverity severity, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

static void
add (GPtrArray *problems, const char *code, RhSeverity severity, const char *format, ...)
{
  va_list args;

  va_start (args, format);
  _rh_problems_add_message (problems, code, severity, g_strdup_vprintf (format, args));
  va_end (args);
}

/* What rh_problems_find () reads. */
typedef struct
{
  const RhPageOutcome *outcome;
  const GError *failure;
  const RhProblemRules *rules;
} Input;

void
rh_problem_rules_init (RhProblemRules *rules)
{
  rules->launch_expected = TRUE;
  rules->slow_paint_ms = RH_PAGE_OPTIONS_DEFAULT_SLOW_PAINT_MS;
  rules->timeout_s = 60;
}

const char *
rh_severity_name (RhSeverity severity)
{
  return severity == RH_SEVERITY_ERROR ? "error" : "warning";
}

static void
find_failure (GPtrArray *problems, const Input *input)
{
  const GError *failure = input->failure;

  if (failure == NULL || failure->domain != RH_ERROR)
    return;
  switch (failure->code)
    {
    case RH_ERROR_PAGE_FAILED:
      if (input->outcome->times.http_status >= 400)
        add (problems, "http-error", RH_SEVERITY_ERROR, "%s", failure->message);
      else if (input->outcome->js_errors == 0)
        add (problems, "page-load-failed", RH_SEVERITY_ERROR, "%s", failure->message);
      break; /* a JS error is reported below */
    case RH_ERROR_WEB_PROCESS:
      add (problems, "page-load-failed", RH_SEVERITY_ERROR, "%s", failure->message);
      break;
    case RH_ERROR_NOT_READY:
      if (input->rules->launch_expected && !input->outcome->launched)
        add (problems, "launch-not-called", RH_SEVERITY_ERROR,
             "AgoraEduSDK.launch was never called: %s", failure->message);
      else
        add (problems, "ready-timeout", RH_SEVERITY_ERROR, "%s", failure->message);
      break;
    case RH_ERROR_READY_CALL:
      add (problems, "ready-call-failed", RH_SEVERITY_ERROR, "%s", failure->message);
      break;
    default:
      break;
    }
}

/* What a missing feature means for the local run against the cloud recorder. */
static const char *
feature_meaning (const char *name)
{
  const RhEngineFeature *feature = rh_engine_feature_lookup (name);

  if (feature != NULL)
    return feature->meaning;
  return "this WebKit lacks it; the cloud recorder has it";
}

static gboolean
has_option (const RhPageLaunch *launch, const char *name)
{
  return g_ptr_array_find_with_equal_func (launch->options, name, g_str_equal, NULL);
}

/* What a template validator owes its user about the SDK it launches. */
static void
find_launch (GPtrArray *problems, const RhPageLaunch *launch)
{
  /* The bundle's own word first: SDK 1.1.x's object says 1.1.0. */
  const char *version = launch->bundle_version != NULL ? launch->bundle_version
                                                       : launch->sdk_version;
  static const char *const required_2x[] = { "userName", "userUuid", "roomName", "roomUuid",
                                             NULL };

  if (launch->then_threw)
    add (problems, "launch-not-promise", RH_SEVERITY_WARNING,
         "the page calls .then on what AgoraEduSDK.launch returned, a %s and no promise "
         "(SDK 2.x returns an unmount function): the template throws there, written for SDK "
         "2.0; the classroom goes on, but code in that .then never runs",
         launch->result_type != NULL ? launch->result_type : "value");
  if (version == NULL)
    return;
  if (g_str_has_prefix (version, "2.") && g_ascii_strtoull (version + 2, NULL, 10) >= 9
      && has_option (launch, "rtmToken") && !has_option (launch, "token"))
    add (problems, "sdk-option-name", RH_SEVERITY_WARNING,
         "SDK %s reads the launch option token, not rtmToken: its check-in, RTM login and "
         "setRecordReady go out as agora token=\"undefined\"", version);
  if (g_str_has_prefix (version, "2."))
    for (guint i = 0; required_2x[i] != NULL; i++)
      if (!has_option (launch, required_2x[i]))
        add (problems, "sdk-option-missing", RH_SEVERITY_WARNING,
             "SDK %s requires the launch option %s (\"AgoraEduSDK: %s is required\")", version,
             required_2x[i], required_2x[i]);
  if (g_str_has_prefix (version, "1.") && g_strcmp0 (launch->language, "zh") != 0
      && g_strcmp0 (launch->language, "en") != 0)
    add (problems, "sdk-option-value", RH_SEVERITY_WARNING,
         "SDK %s accepts only language zh or en, the page passed %s", version,
         launch->language != NULL ? launch->language : "none");
}

/* The page's own ready call (AgoraEduSDK.setRecordReady () or a fetch):
 * the SDK sends it once, never retries and never checks the answer. */
static void
find_page_ready_call (GPtrArray *problems, const GPtrArray *requests)
{
  for (guint i = 0; requests != NULL && i < requests->len; i++)
    {
      const RhRequest *request = g_ptr_array_index (requests, i);
      g_autoptr (GUri) uri = g_uri_parse (request->url, G_URI_FLAGS_NONE, NULL);

      if (uri == NULL || !g_str_has_suffix (g_uri_get_path (uri), "/records/ready"))
        continue;
      if (request->end_ms < 0)
        add (problems, "page-ready-call", RH_SEVERITY_WARNING,
             "the page sent its own ready call %s %s: no answer yet", request->method,
             rh_request_target (request));
      else if (request->error != NULL)
        add (problems, "page-ready-call", RH_SEVERITY_WARNING,
             "the page sent its own ready call %s %s: %s (the SDK never retries it)",
             request->method, rh_request_target (request), request->error);
      else
        add (problems, "page-ready-call", RH_SEVERITY_WARNING,
             "the page sent its own ready call %s %s: HTTP %u%s", request->method,
             rh_request_target (request), request->status,
             request->status >= 400 ? " (the SDK never retries it)" : "");
    }
}

static void
find_template (GPtrArray *problems, const Input *input)
{
  if (input->outcome->launched)
    find_launch (problems, &input->outcome->launch);
  find_page_ready_call (problems, input->outcome->requests);
}

/* @url's host in lower case, NULL when it has none (a file). */
char *
_rh_problems_host_of (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  return g_ascii_strdown (g_uri_get_host (uri), -1);
}

/* @url's path as sent, without its query. */
char *
_rh_problems_path_of (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  return g_strdup (uri != NULL ? g_uri_get_path (uri) : url);
}

static void
find_paint (GPtrArray *problems, const Input *input)
{
  gint64 paint = input->outcome->times.first_nonblank_ms;
  gint64 ready = input->outcome->times.ready_event_ms;
  gint64 since_load;

  if (ready != RH_PAGE_NO_TIME && (paint == RH_PAGE_NO_TIME || paint > ready))
    {
      if (paint == RH_PAGE_NO_TIME)
        add (problems, "ready-before-paint", RH_SEVERITY_WARNING,
             "ready came at %" G_GINT64_FORMAT " ms and the page never painted: a recording "
             "started at ready is white",
             ready);
      else
        add (problems, "ready-before-paint", RH_SEVERITY_WARNING,
             "ready at %" G_GINT64_FORMAT " ms, first paint at %" G_GINT64_FORMAT
             " ms: a recording started at ready begins with %" G_GINT64_FORMAT
             " ms of white (use onHold)",
             ready, paint, paint - ready);
    }
  /* Counted from the load's start: a run's later loads start late on its
   * timeline. */
  since_load = paint - MAX (input->outcome->times.load_ms, 0);
  if (paint != RH_PAGE_NO_TIME && since_load > input->rules->slow_paint_ms)
    add (problems, "slow-first-paint", RH_SEVERITY_WARNING,
         "first paint %" G_GINT64_FORMAT " ms after the load began, later than %" G_GINT64_FORMAT
         " ms", since_load, input->rules->slow_paint_ms);
  else if (paint == RH_PAGE_NO_TIME && input->outcome->times.committed_ms != RH_PAGE_NO_TIME
           && input->failure == NULL)
    add (problems, "slow-first-paint", RH_SEVERITY_WARNING, "the page never painted");
}

/* The problems of @outcome, judged by @rules; @failure is the command's
 * (NULL when the page got ready). */
GPtrArray *
rh_problems_find (const RhPageOutcome *outcome, const GError *failure,
                  const RhProblemRules *rules)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);
  const Input all = { outcome, failure, rules };
  const Input *input = &all;

  find_failure (problems, input);
  _rh_problems_find_resources (problems, outcome);
  if (outcome->js_errors > 0)
    add (problems, "js-error", failure != NULL ? RH_SEVERITY_ERROR : RH_SEVERITY_WARNING,
         "%u uncaught error%s, the first: %s", outcome->js_errors,
         outcome->js_errors == 1 ? "" : "s",
         outcome->first_js_error != NULL ? outcome->first_js_error : "unknown");
  for (guint i = 0; i < outcome->missing_params->len; i++)
    add (problems, "missing-param", RH_SEVERITY_WARNING,
         "the page read %s, which was not supplied (the cloud passes it; use --param)",
         (const char *) g_ptr_array_index (outcome->missing_params, i));
  /* Blamed only when an uncaught error named the feature: an SDK that
   * merely probed RTCPeerConnection and later failed on the network did not
   * fail for want of WebRTC. */
  for (guint i = 0; i < outcome->engine.missing_touched->len; i++)
    {
      const char *feature = g_ptr_array_index (outcome->engine.missing_touched, i);
      gboolean blamed = g_ptr_array_find_with_equal_func (outcome->engine.missing_blamed, feature,
                                                          g_str_equal, NULL);

      if (blamed)
        add (problems, "engine-missing-feature",
             failure != NULL ? RH_SEVERITY_ERROR : RH_SEVERITY_WARNING,
             "an uncaught error named %s%s: %s", feature,
             failure != NULL ? " and the page then failed" : ", the page still got ready",
             feature_meaning (feature));
      else
        add (problems, "engine-missing-feature", RH_SEVERITY_WARNING,
             "the page reached for %s (no error named it): %s", feature,
             feature_meaning (feature));
    }
  find_template (problems, input);
  find_paint (problems, input);
  return problems;
}

/* An error, or a warning --fail-on named. */
gboolean
rh_problem_fails (const RhProblem *problem)
{
  return problem->severity == RH_SEVERITY_ERROR || problem->failed_on;
}

gboolean
rh_problems_have_error (const GPtrArray *problems)
{
  for (guint i = 0; i < problems->len; i++)
    if (rh_problem_fails (g_ptr_array_index (problems, i)))
      return TRUE;
  return FALSE;
}

/* Each of @fail_on is a problem code or "warning"; anything else is a
 * usage error that lists what is known. */
gboolean
rh_problems_check_fail_on (const char *const *fail_on, GError **error)
{
  for (guint i = 0; fail_on != NULL && fail_on[i] != NULL; i++)
    {
      g_autofree char *known = NULL;

      if (g_str_equal (fail_on[i], FAIL_ON_WARNING)
          || g_strv_contains (rh_problem_codes, fail_on[i]))
        continue;
      known = g_strjoinv (", ", (char **) rh_problem_codes);
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "unknown --fail-on '%s' (expected warning or a problem code: %s)",
                   fail_on[i], known);
      return FALSE;
    }
  return TRUE;
}

/* Marks the warnings @fail_on names as failing; errors fail anyway. */
void
rh_problems_apply_fail_on (GPtrArray *problems, const char *const *fail_on)
{
  gboolean any_warning = fail_on != NULL && g_strv_contains (fail_on, FAIL_ON_WARNING);

  for (guint i = 0; fail_on != NULL && i < problems->len; i++)
    {
      RhProblem *problem = g_ptr_array_index (problems, i);

      /* What our own stand-in did not answer is no fault of the page's. */
      problem->failed_on = problem->severity == RH_SEVERITY_WARNING
                           && (any_warning
                               || (problem->offline == NULL
                                   && g_strv_contains (fail_on, problem->code)));
    }
}

/* The failure the first failing problem gives a command that went well
 * otherwise, NULL when none fails. */
GError *
rh_problems_get_failure (const GPtrArray *problems)
{
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const RhProblem *problem = g_ptr_array_index (problems, i);

      if (rh_problem_fails (problem))
        return g_error_new (RH_ERROR, RH_ERROR_PAGE_FAILED, "%s: %s%s", problem->code,
                            problem->message, problem->failed_on ? RH_PROBLEMS_FAIL_ON_MARK : "");
    }
  return NULL;
}


/* The codes --fail-on made fail, each once, as a JSON array. */
static void
add_failed_on_json (const GPtrArray *problems, JsonBuilder *builder)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const RhProblem *problem = g_ptr_array_index (problems, i);

      if (!problem->failed_on
          || g_ptr_array_find_with_equal_func (seen, problem->code, g_str_equal, NULL))
        continue;
      g_ptr_array_add (seen, (gpointer) problem->code);
      json_builder_add_string_value (builder, problem->code);
    }
  json_builder_end_array (builder);
}

/* "problems" and "failed_on" of a report; @problems NULL for none yet. */
void
rh_problems_add_json (const GPtrArray *problems, JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "failed_on");
  add_failed_on_json (problems, builder);
  json_builder_set_member_name (builder, "problems");
  json_builder_begin_array (builder);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      const RhProblem *problem = g_ptr_array_index (problems, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "code");
      json_builder_add_string_value (builder, problem->code);
      json_builder_set_member_name (builder, "severity");
      json_builder_add_string_value (builder, rh_severity_name (problem->severity));
      json_builder_set_member_name (builder, "message");
      json_builder_add_string_value (builder, problem->message);
      json_builder_set_member_name (builder, "failed_on");
      json_builder_add_boolean_value (builder, problem->failed_on);
      json_builder_set_member_name (builder, "count");
      json_builder_add_int_value (builder, problem->count);
      if (problem->url != NULL)
        {
          json_builder_set_member_name (builder, "url");
          json_builder_add_string_value (builder, problem->url);
        }
      json_builder_set_member_name (builder, "offline");
      json_builder_add_boolean_value (builder, problem->offline != NULL);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
}
