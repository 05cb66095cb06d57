#include "rh-page-command.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>

#include "rh-check.h"
#include "rh-check-batch.h"
#include "rh-cli-end.h"
#include "rh-cli-log.h"
#include "rh-demo-flow.h"
#include "rh-engine-parity.h"
#include "rh-error.h"
#include "rh-json.h"
#include "rh-page-dir.h"
#include "rh-page-list.h"
#include "rh-ready-endpoint.h"
#include "rh-room.h"
#include "rh-signals.h"

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
run_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

/* Runs the main loop until the command's run_done_cb (); returns its result. */
static GAsyncResult *
wait_for_result (Wait *wait)
{
  if (wait->result == NULL)
    g_main_loop_run (wait->loop);
  return wait->result;
}

/* How check and run end: the summary (taken, may be NULL) on stderr, or
 * without one rh_cli_end ()'s line, so that the cause is said once; then
 * the report (taken, NULL without --json) on stdout. */
static int
finish (RhTimeline *timeline, const GError *error, char *summary, JsonNode *report)
{
  g_autofree char *owned_summary = summary;
  g_autoptr (JsonNode) owned_report = report;
  int status = summary != NULL ? rh_error_exit_status (error) : rh_cli_end (timeline, error);

  if (summary != NULL)
    g_printerr ("%s", summary);
  if (report != NULL)
    {
      g_autofree char *text = rh_json_to_string (report, TRUE);

      /* An output asked for like any other: one that stdout cannot take (a
       * file on a full disk) fails the command. */
      if (fputs (text, stdout) == EOF || fputc ('\n', stdout) == EOF || fflush (stdout) != 0)
        {
          g_printerr ("%s: cannot write the --json report to stdout: %s\n", g_get_prgname (),
                      g_strerror (errno));
          status = MAX (status, 1);
        }
    }
  return status;
}

static void
interrupt_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

static int
run_check (RhPageOptions *options, gboolean json)
{
  gboolean options_echo = options->echo;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhReadyEndpoint) endpoint
      = rh_ready_endpoint_open (options->room, options->api_base, options->sdk_api_local,
                                options->routes, &error);
  g_autoptr (RhCheck) check = NULL;
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  Wait wait = { 0 };

  if (endpoint != NULL)
    check = rh_check_new (options, endpoint->call, &error);
  else
    rh_page_options_free (options);
  if (check == NULL)
    return rh_cli_end (NULL, error);
  rh_ready_endpoint_tell (endpoint, rh_check_get_timeline (check));

  cancellable = g_cancellable_new ();
  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  /* Any of them ends a check like an interrupt: the report is kept. */
  rh_signals_watch (rh_stop_signals, interrupt_cb, cancellable);
  rh_check_run_async (check, cancellable, run_done_cb, &wait);
  result = wait_for_result (&wait);
  rh_signals_unwatch (rh_stop_signals);

  rh_check_run_finish (check, result, &error);
  return finish (rh_check_get_timeline (check), error,
                 options_echo ? rh_check_format_report (check) : NULL,
                 json ? rh_check_to_json (check) : NULL);
}

/* Each page's options as if it were checked alone, but for the outputs
 * that name one place: one JUnit file for all, pictures a directory a page
 * (named by its number, or its engine).  @engines: NULL, or an engine a
 * page for the one page of @pages. */
static GPtrArray *
batch_page_options (RhPageArgs *args, RhPageCommand command, char **pages,
                    const char *const *engines, GError **error)
{
  g_autoptr (GPtrArray) all
      = g_ptr_array_new_with_free_func ((GDestroyNotify) rh_page_options_free);
  guint count = engines != NULL ? g_strv_length ((char **) engines) : g_strv_length (pages);

  if (args->har != NULL)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "--har writes one page's requests: give one page and one engine");
      return NULL;
    }
  for (guint i = 0; i < count; i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", i + 1);
      RhPageOptions *options;

      if (engines != NULL)
        {
          g_free (args->engine);
          args->engine = g_strdup (engines[i]);
        }
      options = rh_page_args_to_page_options (args, command,
                                              engines != NULL ? pages[0] : pages[i], error);
      if (options == NULL)
        return NULL;
      g_ptr_array_add (all, options);
      g_clear_pointer (&options->junit, g_free);
      /* One page's two suites, told apart by their engine. */
      if (engines != NULL)
        {
          char *name = g_strdup_printf ("%s (%s)", options->junit_name, engines[i]);

          g_free (options->junit_name);
          options->junit_name = name;
        }
      if (options->snapshots_dir != NULL)
        {
          char *dir = g_build_filename (options->snapshots_dir,
                                        engines != NULL ? engines[i] : number, NULL);

          g_free (options->snapshots_dir);
          options->snapshots_dir = dir;
        }
    }
  return g_steal_pointer (&all);
}

/* Runs @batch to its end, stop signals ending it as an interrupt. */
static gboolean
run_batch (RhCheckBatch *batch, GError **error)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr (GAsyncResult) result = NULL;
  Wait wait = { loop, NULL };

  rh_signals_watch (rh_stop_signals, interrupt_cb, cancellable);
  rh_check_batch_run_async (batch, cancellable, run_done_cb, &wait);
  result = wait_for_result (&wait);
  rh_signals_unwatch (rh_stop_signals);
  return rh_check_batch_run_finish (batch, result, error);
}

static int
run_check_batch (RhPageArgs *args)
{
  g_autoptr (GError) error = NULL;
  g_auto (GStrv) pages = rh_page_list_read (args->rest, args->pages, &error);
  g_autoptr (GPtrArray) options = NULL;
  g_autoptr (RhCheckBatch) batch = NULL;
  g_autofree char *report = NULL;
  guint parallel;

  if (pages == NULL || !rh_page_args_get_parallel (args, &parallel, &error))
    return rh_cli_usage_error (error->message);
  options = batch_page_options (args, RH_PAGE_COMMAND_CHECK, pages, NULL, &error);
  if (options == NULL)
    return rh_cli_usage_error (error->message);
  batch = rh_check_batch_new (options, parallel, args->junit, &error);
  if (batch == NULL)
    return rh_cli_end (NULL, error);

  run_batch (batch, &error);
  report = rh_check_batch_format_report (batch, !args->quiet);
  g_printerr ("%s", report);
  return finish (NULL, error, NULL, args->json ? rh_check_batch_to_json (batch) : NULL);
}

/* --engine both: the page in WPE and in Chromium side by side, then what
 * differs; exit status 1 when it passes in one and fails in the other. */
static int
run_check_engines (RhPageArgs *args, RhPageCommand command, char *page)
{
  static const char *const engines[] = { "wpe", "chromium", NULL };
  char *pages[] = { page, NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GPtrArray) options = NULL;
  g_autoptr (RhCheckBatch) batch = NULL;
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (JsonObject) parity = NULL;
  g_autofree char *report = NULL;
  g_autofree char *compared = NULL;
  JsonArray *checks;

  /* One recorder for both: the pages' URLs differ in nothing but startTime. */
  if (args->user_uuid == NULL)
    args->user_uuid = rh_user_uuid_generate ();
  options = batch_page_options (args, command, pages, engines, &error);
  if (options == NULL)
    return rh_cli_usage_error (error->message);
  batch = rh_check_batch_new (options, 2, args->junit, &error);
  if (batch == NULL)
    return rh_cli_end (NULL, error);
  rh_check_batch_set_label (batch, 0, "[wpe]");
  rh_check_batch_set_label (batch, 1, "[chromium]");

  run_batch (batch, &error);
  report = rh_check_batch_format_report (batch, !args->quiet);
  g_printerr ("%s", report);
  json = rh_check_batch_to_json (batch);
  checks = json_object_get_array_member (json_node_get_object (json), "checks");
  parity = rh_engine_parity_compare (json_array_get_object_element (checks, 0),
                                     json_array_get_object_element (checks, 1));
  compared = rh_engine_parity_format (parity);
  g_printerr ("%s", compared);
  if (json_object_get_boolean_member (parity, "verdicts_differ"))
    {
      g_clear_error (&error);
      g_set_error (&error, RH_ERROR, RH_ERROR_PAGE_FAILED, "passes in %s, fails in %s",
                   rh_check_batch_passed (batch, 0) ? "WPE WebKit" : "Chromium",
                   rh_check_batch_passed (batch, 0) ? "Chromium" : "WPE WebKit");
    }
  json_object_set_object_member (json_node_get_object (json), "parity",
                                 g_steal_pointer (&parity));
  return finish (NULL, error, NULL, args->json ? g_steal_pointer (&json) : NULL);
}

static void
stop_run_cb (gpointer user_data)
{
  rh_run_stop (RH_RUN (user_data));
}

static void
release_run_cb (gpointer user_data)
{
  rh_run_release (RH_RUN (user_data));
}

static int
run_run (RhRunOptions *options, gboolean json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhReadyEndpoint) endpoint
      = rh_ready_endpoint_open (options->page->room, options->page->api_base,
                                options->page->sdk_api_local, options->page->routes, &error);
  g_autoptr (RhRun) run = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  Wait wait = { 0 };
  const int release_signals[] = { SIGUSR1, 0 };

  if (endpoint != NULL)
    run = rh_run_new (options, endpoint->call, &error);
  else
    rh_run_options_free (options);
  if (run == NULL)
    return rh_cli_end (NULL, error);
  rh_ready_endpoint_tell (endpoint, rh_run_get_timeline (run));

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  /* Any of them stops a run normally, its recording finished. */
  rh_signals_watch (rh_stop_signals, stop_run_cb, run);
  rh_signals_watch (release_signals, release_run_cb, run);
  rh_run_start_async (run, run_done_cb, &wait);
  result = wait_for_result (&wait);
  rh_signals_unwatch (rh_stop_signals);
  rh_signals_unwatch (release_signals);

  rh_run_start_finish (run, result, &error);
  return finish (rh_run_get_timeline (run), error, NULL, json ? rh_run_to_json (run) : NULL);
}

/* The page the command hosts: the one given, or demo's bundled page. */
static char *
command_page (RhPageArgs *args, RhPageCommand command, GError **error)
{
  guint n_rest = args->rest != NULL ? g_strv_length (args->rest) : 0;
  g_autofree char *page_dir = NULL;

  if (command == RH_PAGE_COMMAND_DEMO)
    {
      if (n_rest > 0)
        {
          g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                               "demo takes no page: it runs the bundled one");
          return NULL;
        }
      page_dir = rh_page_dir_find (error);
      return page_dir != NULL ? g_build_filename (page_dir, "record_page.html", NULL) : NULL;
    }
  if (n_rest == 0)
    g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                         "missing the record page URL or file");
  else if (n_rest > 1)
    g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "more than one page given");
  return n_rest == 1 ? g_strdup (args->rest[0]) : NULL;
}

int
rh_page_command_main (int argc, char **argv, RhPageCommand command)
{
  g_auto (RhPageArgs) args = { 0 };
  g_autoptr (GOptionContext) context = rh_page_args_context_new (&args, command);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageOptions) options = NULL;
  g_autoptr (RhRunOptions) run_options = NULL;
  g_autofree char *page = NULL;

  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rh_cli_usage_error (error->message);
  rh_cli_log_set_verbose (args.verbose);
  if (command == RH_PAGE_COMMAND_DEMO && args.flow)
    {
      if (!rh_demo_flow_run (&error))
        return rh_cli_end (NULL, error);
      return 0;
    }

  if (g_strcmp0 (args.engine, "both") == 0)
    {
      if (command == RH_PAGE_COMMAND_RUN)
        return rh_cli_usage_error ("--engine both is for check and demo: run takes one engine");
      if (args.pages != NULL || (args.rest != NULL && g_strv_length (args.rest) > 1))
        return rh_cli_usage_error ("--engine both takes one page");
      page = command_page (&args, command, &error);
      if (page == NULL)
        return g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT)
                 ? rh_cli_usage_error (error->message)
                 : rh_cli_end (NULL, error);
      return run_check_engines (&args, command, page);
    }
  /* Several pages, or a list of them: a report a page. */
  if (command == RH_PAGE_COMMAND_CHECK
      && (args.pages != NULL || (args.rest != NULL && g_strv_length (args.rest) > 1)))
    return run_check_batch (&args);
  page = command_page (&args, command, &error);
  if (page == NULL)
    return g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT)
             ? rh_cli_usage_error (error->message)
             : rh_cli_end (NULL, error);
  options = rh_page_args_to_page_options (&args, command, page, &error);
  if (options == NULL)
    return rh_cli_usage_error (error->message);
  if (command != RH_PAGE_COMMAND_RUN)
    return run_check (g_steal_pointer (&options), args.json);

  run_options = rh_page_args_to_run_options (&args, g_steal_pointer (&options), &error);
  if (run_options == NULL)
    return rh_cli_usage_error (error->message);
  return run_run (g_steal_pointer (&run_options), args.json);
}
