/* The built `recordhost` binary: usage errors, exit statuses, --json,
 * signals, and no WebKit process left behind. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <unistd.h>
#include <string.h>

#include "test-utils.h"

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_free (run->out);
  g_free (run->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

static char *
page_path (void)
{
  return g_build_filename (RH_PAGE_DIR, "record_page.html", NULL);
}

/* Every process started from here, WebKit's helpers included, inherits this
 * tag in its environment: that tells our processes from anyone else's. */
#define TAG_VARIABLE "RECORDHOST_TEST_TAG"

static const char *
process_tag (void)
{
  static char tag[32];

  if (tag[0] == '\0')
    g_snprintf (tag, sizeof tag, "cli-test-%d", (int) getpid ());
  return tag;
}

static GSubprocess *
spawn (const char *const *args, GError **error)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = NULL;

  g_ptr_array_add (argv, (gpointer) RECORDHOST_BINARY);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                        | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_setenv (launcher, TAG_VARIABLE, process_tag (), TRUE);
  return g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata, error);
}

static void
run_binary (Run *run, const char *const *args)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = spawn (args, &error);

  g_assert_no_error (error);
  g_subprocess_communicate_utf8 (process, NULL, NULL, &run->out, &run->err, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  run->status = g_subprocess_get_exit_status (process);
}

typedef struct
{
  const char *name;
  const char *args[12];
  const char *message_part;
} UsageRow;

/* Every row: exit status 2, one line naming the cause, no WebKit started. */
static const UsageRow usage_rows[] = {
  { "no-command", { NULL }, "Usage: recordhost COMMAND" },
  { "unknown-command", { "frobnicate", NULL }, "unknown command 'frobnicate'" },
  { "unknown-option", { "check", "--bogus", NULL }, "Unknown option --bogus" },
  { "no-page", { "check", "--app-id", "a", "--room-uuid", "r", "--room-type", "4", NULL },
    "missing the record page" },
  { "two-pages", { "check", "a.html", "b.html", NULL }, "more than one page" },
  { "no-app-id", { "check", "@PAGE@", "--room-uuid", "r", "--room-type", "4", NULL },
    "--app-id is required" },
  { "no-room-uuid", { "check", "@PAGE@", "--app-id", "a", "--room-type", "4", NULL },
    "--room-uuid is required" },
  { "no-room-type", { "check", "@PAGE@", "--app-id", "a", "--room-uuid", "r", NULL },
    "--room-type is required" },
  { "bad-room-type", { "check", "@PAGE@", "--app-id", "a", "--room-uuid", "r", "--room-type",
                       "3", NULL },
    "--room-type must be" },
  { "room-type-not-number", { "check", "@PAGE@", "--app-id", "a", "--room-uuid", "r",
                              "--room-type", "four", NULL },
    "--room-type 'four'" },
  { "width-too-small", { "demo", "--width", "320", NULL }, "width 320 is outside 480..1920" },
  { "width-not-number", { "demo", "--width", "12px", NULL }, "--width '12px'" },
  { "area-too-large", { "demo", "--width", "1920", "--height", "1920", NULL },
    "more pixels than 1920x1080" },
  { "bad-region", { "demo", "--region", "mars", NULL }, "unknown region 'mars'" },
  { "bad-ready", { "demo", "--ready", "event7", NULL }, "unknown --ready 'event7'" },
  { "bad-timeout", { "demo", "--timeout", "0", NULL }, "--timeout '0'" },
  { "negative-timeout", { "demo", "--timeout", "-5", NULL }, "--timeout '-5'" },
  { "bad-param", { "demo", "--param", "noequals", NULL }, "not KEY=VALUE" },
  { "reserved-param", { "demo", "--param", "appId=x", NULL }, "cannot set 'appId'" },
  { "bad-scheme", { "check", "ftp://x/p.html", "--app-id", "a", "--room-uuid", "r",
                    "--room-type", "4", NULL },
    "unsupported URL scheme 'ftp'" },
  { "missing-file", { "check", "/nonexistent/page.html", "--app-id", "a", "--room-uuid", "r",
                      "--room-type", "4", NULL },
    "no such page file" },
  { "bad-api-base", { "demo", "--api-base", "not a url", NULL }, "bad --api-base" },
  { "demo-with-page", { "demo", "x.html", NULL }, "demo takes no page" },
  { "run-retry-timeout-zero", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "r",
                                "--room-type", "4", "--retry-timeout", "0", NULL },
    "--retry-timeout '0'" },
  { "run-bad-duration", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "r", "--room-type",
                          "4", "--duration", "1h", NULL },
    "--duration '1h'" },
  { "run-no-timeout-option", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "r",
                               "--room-type", "4", "--timeout", "5", NULL },
    "Unknown option --timeout" },
  { "run-state-log-unwritable", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "r",
                                  "--room-type", "4", "--state-log", "/nonexistent/x.jsonl",
                                  NULL },
    "cannot open --state-log" },
};

static void
test_usage (gconstpointer data)
{
  const UsageRow *row = data;
  g_autofree char *page = page_path ();
  const char *args[G_N_ELEMENTS (row->args)];
  g_auto (Run) run = { 0 };
  g_auto (GStrv) lines = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (row->args); i++)
    args[i] = g_strcmp0 (row->args[i], "@PAGE@") == 0 ? page : row->args[i];
  run_binary (&run, args);
  g_test_message ("stderr: %s", run.err);
  g_assert_cmpint (run.status, ==, 2);
  g_assert_nonnull (strstr (run.err, row->message_part));
  g_assert_cmpstr (run.out, ==, "");
  /* The cause on the first line; at most a hint follows. */
  lines = g_strsplit (g_strstrip (run.err), "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), <=, row->args[0] == NULL ? 20 : 2);
}

static void
test_help (void)
{
  static const char *const options[] = {
    "--app-id", "--room-uuid", "--room-type", "--user-uuid", "--role-type", "--rtm-token",
    "--language", "--region", "--param", "--width", "--height", "--ready", "--api-base",
    "--timeout", "--json", "--quiet", "Exit status", "RECORDHOST_RTM_TOKEN", NULL,
  };
  const char *args[] = { "check", "--help", NULL };
  g_auto (Run) run = { 0 };

  run_binary (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  for (guint i = 0; options[i] != NULL; i++)
    g_assert_nonnull (strstr (run.out, options[i]));
  g_assert_nonnull (strstr (run.out, "recordhost check [OPTION…] URL|FILE - check"));
}

/* How many processes still carry our tag: WebKit's helpers notice their
 * parent's exit within moments, so give them a little time. */
static guint
tagged_processes_left (void)
{
  g_autofree char *needle = g_strdup_printf ("%s=%s", TAG_VARIABLE, process_tag ());
  guint left = 0;

  for (int attempt = 0; attempt < 60; attempt++)
    {
      g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
      const char *name;

      left = 0;
      while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
        {
          g_autofree char *path = g_build_filename ("/proc", name, "environ", NULL);
          g_autofree char *environ_data = NULL;
          gsize length = 0;

          if (!g_ascii_isdigit (name[0])
              || !g_file_get_contents (path, &environ_data, &length, NULL))
            continue;
          for (gsize at = 0; at < length; at += strlen (environ_data + at) + 1)
            if (g_str_equal (environ_data + at, needle))
              {
                left++;
                break;
              }
        }
      if (left == 0)
        break;
      g_usleep (50 * 1000);
    }
  return left;
}

static void
test_demo_json (void)
{
  const char *args[] = { "demo", "--json", "--rtm-token", "tok-SECRET-1", NULL };
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_auto (Run) run = { 0 };
  JsonObject *report;

  run_binary (&run, args);
  g_test_message ("stderr: %s", run.err);
  g_assert_cmpint (run.status, ==, 0);
  json_parser_load_from_data (parser, run.out, -1, &error);
  g_assert_no_error (error);
  report = json_node_get_object (json_parser_get_root (parser));
  g_assert_cmpstr (json_object_get_string_member (report, "verdict"), ==, "pass");
  g_assert_cmpint (json_object_get_int_member (report, "exit_status"), ==, 0);
  g_assert_true (json_object_get_boolean_member (
    json_object_get_object_member (report, "ready_call"), "acknowledged"));
  /* The timeline is on stderr; the token in neither stream. */
  g_assert_nonnull (strstr (run.err, "ready call acknowledged"));
  g_assert_null (strstr (run.out, "SECRET"));
  g_assert_null (strstr (run.err, "SECRET"));
  g_assert_cmpuint (tagged_processes_left (), ==, 0);
}

static void
test_demo_flow (void)
{
  const char *args[] = { "demo", "--flow", NULL };
  g_auto (Run) run = { 0 };

  run_binary (&run, args);
  g_test_message ("stdout: %s\nstderr: %s", run.out, run.err);
  g_assert_cmpint (run.status, ==, 0);
  /* The documented steps, in order, each answered with code 0. */
  g_assert_nonnull (strstr (run.out, "$ POST "));
  g_assert_nonnull (strstr (strstr (run.out, "$ PUT "), "\"onHold\":true"));
  g_assert_nonnull (strstr (run.out, "$ PATCH "));
  g_assert_nonnull (strstr (run.out, "/records/states/0"));
  g_assert_nonnull (strstr (run.out, "\"reason\":1,"));
  g_assert_nonnull (strstr (run.out, "\"reason\":2,"));
  g_assert_nonnull (strstr (run.out, "\"unready\":false"));
  g_assert_null (strstr (run.out, "\"code\":3"));
  g_assert_cmpuint (tagged_processes_left (), ==, 0);
}

static void
test_never_ready_exit_1 (void)
{
  const char *args[] = { "demo", "--param", "sdkReady=never", "--timeout", "2", "--quiet", NULL };
  g_auto (Run) run = { 0 };

  run_binary (&run, args);
  g_assert_cmpint (run.status, ==, 1);
  /* WebKit may print its own line first ("Could not determine the
   * accessibility bus address"); ours is the last one. */
  g_assert_true (g_str_has_suffix (run.err,
                                   "recordhost demo: not ready within 2 s: still waiting for "
                                   "launch listener event 1\n"));
}

static gboolean
terminate_cb (gpointer user_data)
{
  g_subprocess_send_signal (G_SUBPROCESS (user_data), SIGTERM);
  return G_SOURCE_REMOVE;
}

static void
communicated_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

typedef struct
{
  GSubprocess *process;
  int signal_number;
} Signal;

static gboolean
signal_cb (gpointer user_data)
{
  Signal *signal = user_data;

  g_subprocess_send_signal (signal->process, signal->signal_number);
  g_free (signal);
  return G_SOURCE_REMOVE;
}

static void
signal_later (GSubprocess *process, guint ms, int signal_number)
{
  Signal *signal = g_new0 (Signal, 1);

  signal->process = process;
  signal->signal_number = signal_number;
  g_timeout_add (ms, signal_cb, signal);
}

/* Runs `recordhost run` on the bundled page, sending signals on a schedule;
 * returns the exit status and the state log's reasons. */
static int
run_with_signals (const char *extra, const guint *at_ms, const int *signals, guint n_signals,
                  char **reasons_out, char **err_out)
{
  g_autofree char *page = page_path ();
  g_autofree char *log = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GString) reasons = g_string_new (NULL);
  g_autofree char *out = NULL;
  int fd = g_file_open_tmp ("recordhost-cli-XXXXXX.jsonl", &log, NULL);
  const char *args[] = { "run", page, "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                         "--state-log", log, extra, NULL };

  close (fd);
  process = spawn (args, &error);
  g_assert_no_error (error);
  for (guint i = 0; i < n_signals; i++)
    signal_later (process, at_ms[i], signals[i]);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_subprocess_communicate_utf8_finish (process, result, &out, err_out, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, NULL);
  g_assert_true (g_subprocess_get_if_exited (process));

  g_assert_true (g_file_get_contents (log, &contents, NULL, NULL));
  g_unlink (log);
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL && *lines[i] != '\0'; i++)
    {
      g_autoptr (JsonParser) parser = json_parser_new ();
      JsonObject *data;

      g_assert_true (json_parser_load_from_data (parser, lines[i], -1, NULL));
      data = json_object_get_object_member (json_node_get_object (json_parser_get_root (parser)),
                                            "data");
      g_string_append_printf (reasons, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                              json_object_get_int_member (data, "reason"));
    }
  *reasons_out = g_strdup (reasons->str);
  return g_subprocess_get_exit_status (process);
}

static void
test_run_sigterm (void)
{
  const guint at_ms[] = { 2500 };
  const int signals[] = { SIGTERM };
  g_autofree char *reasons = NULL;
  g_autofree char *err = NULL;
  int status = run_with_signals ("--quiet", at_ms, signals, 1, &reasons, &err);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (reasons, ==, "1,2");
  g_assert_cmpuint (tagged_processes_left (), ==, 0);
}

static void
test_run_sigusr1_release (void)
{
  const guint at_ms[] = { 2500, 3000 };
  const int signals[] = { SIGUSR1, SIGTERM };
  g_autofree char *reasons = NULL;
  g_autofree char *err = NULL;
  int status = run_with_signals ("--on-hold", at_ms, signals, 2, &reasons, &err);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (reasons, ==, "1,2");
  g_assert_nonnull (strstr (err, "(on hold)"));
  g_assert_nonnull (strstr (err, "released: recording resumes"));
  /* SIGUSR1 is ours, not JavaScriptCore's. */
  g_assert_null (strstr (err, "Overriding existing handler"));
}

static void
test_sigterm (void)
{
  const char *args[] = { "demo", "--param", "sdkReady=never", "--timeout", "60", "--json",
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autoptr (GSubprocess) process = spawn (args, &error);
  g_autoptr (GAsyncResult) result = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 start = g_get_monotonic_time ();

  g_assert_no_error (error);
  g_timeout_add (2000, terminate_cb, process);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, communicated_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  g_subprocess_communicate_utf8_finish (process, result, &out, &err, &error);
  g_assert_no_error (error);
  g_subprocess_wait (process, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  g_assert_cmpint (g_subprocess_get_exit_status (process), ==, 1);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
  g_assert_nonnull (strstr (err, "interrupted"));
  /* The report is still written. */
  g_assert_nonnull (strstr (out, "\"verdict\" : \"fail\""));
  g_assert_cmpuint (tagged_processes_left (), ==, 0);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (usage_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/usage/%s", usage_rows[i].name);

      g_test_add_data_func (path, &usage_rows[i], test_usage);
    }
  g_test_add_func ("/cli/help", test_help);
  g_test_add_func ("/cli/demo-json", test_demo_json);
  g_test_add_func ("/cli/never-ready-exit-1", test_never_ready_exit_1);
  g_test_add_func ("/cli/demo-flow", test_demo_flow);
  g_test_add_func ("/cli/sigterm", test_sigterm);
  g_test_add_func ("/cli/run/sigterm", test_run_sigterm);
  g_test_add_func ("/cli/run/sigusr1-release", test_run_sigusr1_release);
  return g_test_run ();
}
