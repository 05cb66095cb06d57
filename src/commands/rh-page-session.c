#include "rh-page-session.h"

#include "rh-page-json.h"
#include "rh-problems.h"
#include "rh-chromium-page-host.h"
#include "rh-wpe-page-host.h"

/* How often a long wait says what it waits for (with --verbose echo on). */
#define PROGRESS_INTERVAL_S 10

struct _RhPageSession
{
  GObject parent_instance;

  RhPageOptions *options;
  char *page_url;
  RhTimeline *timeline;
  RhReadyCall *ready_call;
  RhPageWatch *watch;
  gboolean opened;         /* the watch was made, and may be released since */
  RhPageOutcome *outcome;  /* once concluded */
  GPtrArray *problems;     /* RhProblem, once concluded */
  RhProblemRules rules;    /* how the outcome was judged, once concluded */

  guint progress_id;
  RhPageSessionProgressFunc progress_func;
  gpointer progress_data;
};

G_DEFINE_FINAL_TYPE (RhPageSession, rh_page_session, G_TYPE_OBJECT)

static void
rh_page_session_dispose (GObject *object)
{
  RhPageSession *self = RH_PAGE_SESSION (object);

  rh_page_session_stop (self);
  g_clear_object (&self->watch);
  g_clear_object (&self->ready_call);
  G_OBJECT_CLASS (rh_page_session_parent_class)->dispose (object);
}

static void
rh_page_session_finalize (GObject *object)
{
  RhPageSession *self = RH_PAGE_SESSION (object);

  rh_page_options_free (self->options);
  g_free (self->page_url);
  g_clear_pointer (&self->outcome, rh_page_outcome_unref);
  g_clear_pointer (&self->problems, g_ptr_array_unref);
  rh_timeline_free (self->timeline);
  G_OBJECT_CLASS (rh_page_session_parent_class)->finalize (object);
}

static void
rh_page_session_class_init (RhPageSessionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_page_session_dispose;
  object_class->finalize = rh_page_session_finalize;
}

static void
rh_page_session_init (RhPageSession *self)
{
  self->timeline = rh_timeline_new ();
}

/* Takes @options.  Everything a user could get wrong about the page is
 * checked here, before any process starts. */
RhPageSession *
rh_page_session_new (RhPageOptions *options, RhReadyCall *ready_call, GError **error)
{
  g_autoptr (RhPageSession) self = g_object_new (RH_TYPE_PAGE_SESSION, NULL);

  g_return_val_if_fail (RH_IS_READY_CALL (ready_call), NULL);

  self->options = options;
  if (!rh_page_options_prepare (options, &self->page_url, error))
    return NULL;
  self->ready_call = g_object_ref (ready_call);
  rh_page_options_add_secrets (options, self->timeline);
  rh_timeline_set_echo (self->timeline, options->echo);
  return g_steal_pointer (&self);
}

/* The page's host and its watch; the page is loaded by the caller.  The
 * one place that chooses the engine. */
gboolean
rh_page_session_open (RhPageSession *session, GError **error)
{
  RhPageOptions *options = session->options;
  g_autoptr (RhPageHost) host = NULL;

  g_return_val_if_fail (session->watch == NULL, FALSE);

  rh_page_host_set_memory_limit_mb (options->page_memory_mb);
  if (options->engine == RH_BROWSER_ENGINE_CHROMIUM)
    host = rh_chromium_page_host_new (options->record.width, options->record.height,
                                      options->user_agent, options->file_access, error);
  else
    host = rh_wpe_page_host_new (options->record.width, options->record.height,
                                 options->user_agent, options->file_access, error);
  if (host == NULL)
    return FALSE;
  session->watch = rh_page_watch_new (host, session->page_url, options, session->ready_call,
                                      session->timeline, error);
  session->opened = session->watch != NULL;
  return session->opened;
}

/* Concluded: the page's view and its engine processes go now, not with the
 * session; the outcome and the report stay. */
void
rh_page_session_release (RhPageSession *session)
{
  g_return_if_fail (session->outcome != NULL);

  rh_page_session_stop (session);
  g_clear_object (&session->watch);
  rh_frame_log_drop_pictures (session->outcome->frames);
}

void
rh_page_session_stop (RhPageSession *session)
{
  g_clear_handle_id (&session->progress_id, g_source_remove);
  if (session->watch != NULL)
    rh_page_watch_stop (session->watch);
}

/* Before a command that connected to the watch goes away. */
void
rh_page_session_disconnect (RhPageSession *session, gpointer handler_data)
{
  if (session->watch != NULL)
    rh_page_watch_disconnect (session->watch, handler_data);
}

static gboolean
progress_cb (gpointer user_data)
{
  RhPageSession *self = user_data;
  g_autofree char *line = self->progress_func (self->progress_data);
  const char *label = rh_timeline_get_label (self->timeline);

  /* Pages checked side by side each say which they are. */
  if (line != NULL)
    g_message ("recordhost: %s%s%s", label != NULL ? label : "", label != NULL ? " " : "", line);
  return G_SOURCE_CONTINUE;
}

/* A long wait is told on stderr, only where the timeline is echoed. */
void
rh_page_session_start_progress (RhPageSession *session, RhPageSessionProgressFunc func,
                                gpointer user_data)
{
  g_clear_handle_id (&session->progress_id, g_source_remove);
  if (!session->options->echo)
    return;
  session->progress_func = func;
  session->progress_data = user_data;
  session->progress_id = g_timeout_add_seconds (PROGRESS_INTERVAL_S, progress_cb, session);
}

RhPageOptions *
rh_page_session_get_options (RhPageSession *session)
{
  return session->options;
}

const char *
rh_page_session_get_page_url (RhPageSession *session)
{
  return session->page_url;
}

RhTimeline *
rh_page_session_get_timeline (RhPageSession *session)
{
  return session->timeline;
}

RhReadyCall *
rh_page_session_get_ready_call (RhPageSession *session)
{
  return session->ready_call;
}

/* NULL before rh_page_session_open () succeeded. */
RhPageWatch *
rh_page_session_get_watch (RhPageSession *session)
{
  return session->watch;
}

char *
rh_page_session_redact (RhPageSession *session, const char *text)
{
  return rh_timeline_redact (session->timeline, text);
}

/* @outcome's problems, @failure the command's (NULL when it got ready): the
 * messages redacted and those --fail-on names marked. */
static GPtrArray *
find_problems (RhPageSession *self, const RhPageOutcome *outcome, const GError *failure)
{
  RhProblemRules *rules = &self->rules;
  g_autofree char *clean_failure = NULL;
  g_autoptr (GError) redacted = NULL;
  GPtrArray *problems;

  rh_problem_rules_init (rules);
  rules->slow_paint_ms = self->options->slow_paint_ms;
  rules->timeout_s = self->options->timeout_s;
  rules->launch_expected = self->options->ready->kind == RH_READY_PROTOCOL_EVENT1
                           || self->options->ready->kind == RH_READY_PROTOCOL_WHITEBOARD;
  /* Problems quote the failure, which may quote a URL with the token. */
  if (failure != NULL)
    {
      clean_failure = rh_page_session_redact (self, failure->message);
      redacted = g_error_new_literal (failure->domain, failure->code, clean_failure);
    }
  problems = rh_problems_find (outcome, redacted, rules);
  rh_problems_apply_fail_on (problems, (const char *const *) self->options->fail_on);
  return problems;
}

/* A load that is not the last ended (the page is to be loaded again), for
 * @failure: its outcome, and its problems in @problems, as the last load's
 * are concluded.  The session keeps neither. */
RhPageOutcome *
rh_page_session_end_load (RhPageSession *session, const GError *failure, GPtrArray **problems)
{
  RhPageOutcome *outcome;

  g_return_val_if_fail (session->watch != NULL, NULL);

  outcome = rh_page_watch_end_load (session->watch);
  *problems = find_problems (session, outcome, failure);
  return outcome;
}

/* The page's last load ended for the command, @failure the command's (NULL
 * when it got ready): its outcome and problems are made and kept.  Only the
 * first call counts. */
void
rh_page_session_conclude (RhPageSession *session, const GError *failure)
{
  RhPageSession *self = session;

  if (self->outcome != NULL)
    return;
  if (self->watch != NULL)
    self->outcome = rh_page_watch_end_load (self->watch);
  else
    {
      g_autofree char *page_url = rh_page_session_redact (self, self->page_url);

      self->outcome = rh_page_outcome_new (page_url);
    }
  self->problems = find_problems (self, self->outcome, failure);
}

/* @failure of the load that came to @outcome, in one line that names its
 * decisive fact (see rh_problems_cause ()), redacted; NULL for none. */
char *
rh_page_session_cause_of (RhPageSession *session, const RhPageOutcome *outcome,
                          const GError *failure)
{
  g_autofree char *clean = NULL;
  g_autoptr (GError) redacted = NULL;

  if (failure == NULL)
    return NULL;
  /* Before it is cut short: a secret cut in two is redacted no more. */
  clean = rh_page_session_redact (session, failure->message);
  redacted = g_error_new_literal (failure->domain, failure->code, clean);
  return rh_problems_cause (outcome, redacted, &session->rules);
}

/* The last load's cause (rh_page_session_cause_of ()), after
 * rh_page_session_conclude (). */
char *
rh_page_session_cause (RhPageSession *session, const GError *failure)
{
  g_return_val_if_fail (session->outcome != NULL, NULL);
  return rh_page_session_cause_of (session, session->outcome, failure);
}

/* NULL before rh_page_session_conclude (). */
const RhPageOutcome *
rh_page_session_get_outcome (RhPageSession *session)
{
  return session->outcome;
}

/* RhProblem; NULL before rh_page_session_conclude (). */
GPtrArray *
rh_page_session_get_problems (RhPageSession *session)
{
  return session->problems;
}

/* What every report starts with: the outcome, the exit status it gives,
 * the error and the page. */
void
rh_page_session_add_outcome_json (RhPageSession *session, JsonBuilder *builder,
                                  const char *outcome_name, const char *outcome, int exit_status,
                                  const GError *error)
{
  g_autofree char *page_url = rh_page_session_redact (session, session->page_url);

  json_builder_set_member_name (builder, outcome_name);
  json_builder_add_string_value (builder, outcome);
  json_builder_set_member_name (builder, "exit_status");
  json_builder_add_int_value (builder, exit_status);
  json_builder_set_member_name (builder, "error");
  if (error != NULL)
    {
      g_autofree char *message = rh_page_session_redact (session, error->message);

      json_builder_add_string_value (builder, message);
    }
  else
    json_builder_add_null_value (builder);
  json_builder_set_member_name (builder, "page_url");
  json_builder_add_string_value (builder, page_url);
}

/* What the page loaded, what the engine offered it and what it showed (the
 * frames), once concluded; nothing is claimed of a page never opened. */
void
rh_page_session_add_page_json (RhPageSession *session, JsonBuilder *builder,
                               gboolean with_requests)
{
  g_return_if_fail (session->outcome != NULL);

  if (!session->opened)
    return;

  rh_page_json_add_resources (session->outcome, builder);
  if (with_requests)
    rh_page_json_add_requests (session->outcome, builder);
  rh_page_json_add_engine (session->outcome, builder);
  rh_page_json_add_frames (session->outcome, builder);
}

/* Ends the report's object with the timeline's events; the whole report is
 * redacted: the page writes into it (SDK version, feature names, errors). */
JsonNode *
rh_page_session_end_json (RhPageSession *session, JsonBuilder *builder)
{
  g_autoptr (JsonNode) root = NULL;

  json_builder_set_member_name (builder, "events");
  json_builder_add_value (builder, rh_timeline_to_json (session->timeline));
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return rh_timeline_redact_json (session->timeline, root);
}
