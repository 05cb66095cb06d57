/* The built `recordhost` binary: usage errors, exit statuses, --json,
 * signals, and no WebKit process left behind. */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fake-cloud.h"
#include "test-utils.h"

/* Bound on any wait for the binary or its helpers. */
#define WAIT_TIMEOUT_S 120

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
  return rh_test_page_path ("record_page.html");
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
  { "help-unknown-command", { "help", "frobnicate", NULL }, "unknown command 'frobnicate'" },
  { "unknown-option", { "check", "--bogus", NULL }, "Unknown option --bogus" },
  { "no-page", { "check", "--app-id", "a", "--room-uuid", "r", "--room-type", "4", NULL },
    "missing the record page" },
  { "run-two-pages", { "run", "a.html", "b.html", NULL }, "more than one page" },
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
  { "bad-webrtc", { "demo", "--webrtc", "maybe", NULL }, "unknown --webrtc 'maybe'" },
  { "run-record-nowhere", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "r", "--room-type",
                            "4", "--record", "/nonexistent-dir/x.mp4", NULL },
    "cannot write --record /nonexistent-dir/x.mp4" },
  { "bad-route", { "demo", "--route", "api.agora.io", NULL },
    "--route 'api.agora.io' is not HOST=URL" },
  { "bad-route-target", { "demo", "--route", "api.agora.io=ftp://x", NULL },
    "--route target 'ftp://x'" },
  { "route-target-password", { "demo", "--route", "api.agora.io=http://u:p@127.0.0.1:1", NULL },
    "--route target for api.agora.io has a user name or password" },
  { "bad-sdk-api", { "demo", "--sdk-api", "remote", NULL }, "unknown --sdk-api 'remote'" },
  { "missing-sdk", { "demo", "--sdk", "/nonexistent/edu_sdk.bundle.js", NULL },
    "--sdk /nonexistent/edu_sdk.bundle.js: no such file" },
  { "har-unwritable", { "demo", "--har", "/nonexistent/x.har", NULL }, "cannot write --har" },
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
  { "run-record-refused", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "r",
                            "--room-type", "4", "--record", "/proc/x.mp4", NULL },
    "cannot write --record /proc/x.mp4" },
  { "run-dot-room", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "..", "--room-type", "4",
                      NULL },
    "'.' or '..'" },
  { "token-newline", { "check", "@PAGE@", "--app-id", "a", "--room-uuid", "r", "--room-type",
                       "4", "--rtm-token", "a\r\nX-Injected: 1", NULL },
    "cannot hold control characters" },
  { "cloud-max-rooms-zero", { "cloud", "--max-rooms", "0", NULL }, "--max-rooms must be 1..1000" },
  { "page-memory-small", { "check", "@PAGE@", "--app-id", "a", "--room-uuid", "r", "--room-type",
                           "4", "--page-memory", "127", NULL },
    "--page-memory '127': expected a number in 128..16384" },
  { "blank-threshold-low", { "check", "@PAGE@", "--app-id", "a", "--room-uuid", "r",
                           "--room-type", "4", "--blank-threshold", "49", NULL },
    "--blank-threshold '49': expected a number in 50..100" },
  { "blank-threshold-percent-sign", { "demo", "--blank-threshold", "98%", NULL },
    "--blank-threshold '98%': expected a number in 50..100" },
  { "run-blank-threshold-high", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "r",
                                  "--room-type", "4", "--blank-threshold", "101", NULL },
    "--blank-threshold '101': expected a number in 50..100" },
  { "cloud-page-memory-big", { "cloud", "--page-memory", "16385", NULL },
    "--page-memory must be 128..16384" },
  { "fail-on-unknown", { "check", "@PAGE@", "--app-id", "a", "--room-uuid", "r", "--room-type",
                         "4", "--fail-on", "js-error,white", NULL },
    "unknown --fail-on 'white' (expected warning or a problem code: page-load-failed, " },
  { "fail-on-empty", { "check", "@PAGE@", "--app-id", "a", "--room-uuid", "r", "--room-type",
                       "4", "--fail-on", "js-error,", NULL },
    "--fail-on 'js-error,' has an empty code" },
  { "run-fail-on-unknown", { "run", "@PAGE@", "--app-id", "a", "--room-uuid", "r",
                             "--room-type", "4", "--fail-on", "ready-before-pain", NULL },
    "unknown --fail-on 'ready-before-pain'" },
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
    "--timeout", "--json", "--quiet", "Exit status", "RECORDHOST_RTM_TOKEN", "--fail-on",
    "--junit-name", "--blank-threshold", NULL,
  };
  const char *args[] = { "check", "--help", NULL };
  g_auto (Run) run = { 0 };

  run_binary (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  for (guint i = 0; options[i] != NULL; i++)
    g_assert_nonnull (strstr (run.out, options[i]));
  g_assert_nonnull (strstr (run.out, "recordhost check [OPTION…] URL|FILE... - check"));
}

static const char *const command_names[] = { "check", "run", "demo", "cloud" };

/* "help COMMAND" is "COMMAND --help". */
static void
test_help_command (gconstpointer data)
{
  const char *command = data;
  const char *help_args[] = { "help", command, NULL };
  const char *option_args[] = { command, "--help", NULL };
  g_auto (Run) help = { 0 };
  g_auto (Run) option = { 0 };

  run_binary (&help, help_args);
  run_binary (&option, option_args);
  g_assert_cmpint (help.status, ==, 0);
  g_assert_cmpint (option.status, ==, 0);
  g_assert_cmpstr (help.out, ==, option.out);
  g_assert_cmpstr (help.err, ==, "");
}

/* The demo fills in the room: none of its options is required. */
static void
test_demo_help (void)
{
  const char *args[] = { "demo", "--help", NULL };
  g_auto (Run) run = { 0 };

  run_binary (&run, args);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, "--room-uuid"));
  g_assert_null (strstr (run.out, "(required)"));
}

/* The lines on stderr of GLib's debug form for a layer's domain:
 * "(prgname:pid): recordhost-LAYER-DEBUG: ...". */
static guint
layer_debug_lines (const char *err)
{
  g_auto (GStrv) lines = g_strsplit (err, "\n", -1);
  guint found = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *domain = strstr (lines[i], "): recordhost-");

      found += domain != NULL && strstr (domain, "-DEBUG: ") != NULL;
    }
  return found;
}

static void
test_verbose (void)
{
  const char *plain_args[] = { "demo", NULL };
  const char *verbose_args[] = { "demo", "--verbose", NULL };
  g_auto (Run) plain = { 0 };
  g_auto (Run) verbose = { 0 };

  run_binary (&plain, plain_args);
  run_binary (&verbose, verbose_args);
  g_test_message ("stderr with --verbose: %s", verbose.err);
  g_assert_cmpint (plain.status, ==, 0);
  g_assert_cmpint (verbose.status, ==, 0);
  g_assert_cmpuint (layer_debug_lines (plain.err), ==, 0);
  g_assert_cmpuint (layer_debug_lines (verbose.err), >, 0);
  /* Each resource the page loaded, each request the local cloud answered,
   * the room's token in neither. */
  g_assert_nonnull (strstr (verbose.err, "recordhost-host-DEBUG: "));
  g_assert_true (g_regex_match_simple ("resource GET file://\\S+/edu_sdk\\.window\\.js: ",
                                       verbose.err, 0, 0));
  g_assert_true (g_regex_match_simple ("recordhost-core-DEBUG: .*PUT /cn/edu/apps/demo-app/v2/"
                                       "rooms/demo-room/records/ready: 200", verbose.err, 0, 0));
  g_assert_nonnull (strstr (verbose.err, "rtmToken=[REDACTED]"));
}

typedef struct
{
  const char *name;
  const char *args[12];
  int status;
  const char *line_start; /* of stderr's only line, or NULL for none */
} QuietRow;

/* With -q stderr holds the result lines the README lists, and nothing the
 * engine prints on a machine without a sound card or accessibility bus. */
static const QuietRow quiet_rows[] = {
  { "demo", { "demo", "-q", NULL }, 0, NULL },
  { "audio-page", { "check", "@AUDIO@", "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                    "-q", NULL },
    1, "recordhost check: not ready: " },
};

static void
test_quiet (gconstpointer data)
{
  const QuietRow *row = data;
  g_autofree char *audio_page = g_test_build_filename (G_TEST_DIST, "pages", "audio.html", NULL);
  const char *args[G_N_ELEMENTS (row->args)];
  g_auto (Run) run = { 0 };
  g_auto (GStrv) lines = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (row->args); i++)
    args[i] = g_strcmp0 (row->args[i], "@AUDIO@") == 0 ? audio_page : row->args[i];
  run_binary (&run, args);
  g_test_message ("stderr: %s", run.err);
  g_assert_cmpint (run.status, ==, row->status);
  g_assert_null (strstr (run.err, "accessibility bus"));
  g_assert_null (strstr (run.err, "ALSA"));
  if (row->line_start == NULL)
    {
      g_assert_cmpstr (run.err, ==, "");
      return;
    }
  lines = g_strsplit (run.err, "\n", -1);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_true (g_str_has_prefix (lines[0], row->line_start));
  g_assert_cmpstr (lines[1], ==, "");
}

/* A failed check says its cause once on stderr: in the summary, or in the
 * command's last line when there is none (-q), --json or not. */
typedef struct
{
  const char *name;
  const char *flags[3];
  gboolean summary;
} CauseOnceRow;

static const CauseOnceRow cause_once_rows[] = {
  { "summary", { NULL }, TRUE },
  { "json", { "--json", NULL }, TRUE },
  { "quiet", { "-q", NULL }, FALSE },
  { "quiet-json", { "-q", "--json", NULL }, FALSE },
};

static guint
count_text (const char *text, const char *part)
{
  guint count = 0;

  for (const char *p = strstr (text, part); p != NULL; p = strstr (p + 1, part))
    count++;
  return count;
}

static void
test_cause_once (gconstpointer data)
{
  const CauseOnceRow *row = data;
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "syntax-error.html", NULL);
  const char *args[16] = { "check", page, "--app-id", "a", "--room-uuid", "r", "--room-type",
                           "4", NULL };
  const char *cause = "AgoraEduSDK.launch never called: SyntaxError: Unexpected token ')' "
                      "(syntax-error.html:17)";
  g_autofree char *line = g_strconcat ("recordhost check: ", cause, "\n", NULL);
  g_autofree char *summary_line = g_strconcat ("  cause: ", cause, "\n", NULL);
  guint n = 8;
  g_auto (Run) run = { 0 };

  for (guint i = 0; row->flags[i] != NULL; i++)
    args[n++] = row->flags[i];
  args[n] = NULL;
  run_binary (&run, args);
  g_test_message ("stderr: %s", run.err);
  g_assert_cmpint (run.status, ==, 1);
  g_assert_cmpuint (count_text (run.err, cause), ==, 1);
  if (row->summary)
    g_assert_cmpuint (count_text (run.err, summary_line), ==, 1);
  else
    g_assert_cmpstr (run.err, ==, line);
}

/* How many processes carry our tag. */
static guint
tagged_processes (void)
{
  g_autofree char *needle = g_strdup_printf ("%s=%s", TAG_VARIABLE, process_tag ());

  return rh_test_count_tagged (needle);
}

static gboolean
no_tagged_process (gpointer user_data)
{
  return tagged_processes () == 0;
}

/* How many processes still carry our tag once WebKit's helpers, which
 * notice their parent's exit in their own time, have had ample time to go. */
static guint
tagged_processes_left (void)
{
  rh_test_wait_until (no_tagged_process, NULL, WAIT_TIMEOUT_S);
  return tagged_processes ();
}

static void
test_demo_json (void)
{
  const char *args[] = { "demo", "--json", "--rtm-token", "tok-SECRET-1", NULL };
  g_autoptr (JsonNode) root = NULL;
  g_auto (Run) run = { 0 };
  JsonObject *report;

  run_binary (&run, args);
  g_test_message ("stderr: %s", run.err);
  g_assert_cmpint (run.status, ==, 0);
  root = rh_test_parse_json (run.out);
  report = json_node_get_object (root);
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
  /* Long enough for any machine to launch the page: what it waits for then is ready. */
  const char *args[] = { "demo", "--param", "sdkReady=never", "--timeout", "10", "--quiet",
                         NULL };
  g_auto (Run) run = { 0 };

  run_binary (&run, args);
  g_assert_cmpint (run.status, ==, 1);
  /* WebKit may print its own line first ("Could not determine the
   * accessibility bus address"); ours is the last one. */
  g_assert_true (g_str_has_suffix (run.err,
                                   "recordhost demo: not ready within 10 s: still waiting for "
                                   "launch listener event 1\n"));
}

/* `recordhost @args`, tagged as spawn () tags it. */
static RhTestChild *
child_spawn (const char *const *args)
{
  g_autofree char *tag = g_strdup_printf ("%s=%s", TAG_VARIABLE, process_tag ());
  const char *const env[] = { tag, NULL };

  return rh_test_child_spawn (args, env);
}

/* Waits for the exit; returns the exit status, failing on a signal. */
static int
child_wait (RhTestChild *child)
{
  int status = rh_test_child_wait (child, WAIT_TIMEOUT_S);

  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* The reasons of a state log's events, "1,2". */
static char *
state_log_reasons (const char *log)
{
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  g_autoptr (GString) reasons = g_string_new (NULL);

  if (!g_file_get_contents (log, &contents, NULL, NULL))
    return g_strdup ("");
  lines = g_strsplit (contents, "\n", -1);
  /* Complete lines only: the last one may be half written. */
  for (guint i = 0; lines[i] != NULL && lines[i + 1] != NULL; i++)
    {
      g_autoptr (JsonNode) line = rh_test_parse_json (lines[i]);
      JsonObject *data = json_object_get_object_member (json_node_get_object (line), "data");

      g_string_append_printf (reasons, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                              json_object_get_int_member (data, "reason"));
    }
  return g_strdup (reasons->str);
}

typedef struct
{
  RhTestChild *child;
  const char *log;
  const char *reasons;
} StateLogWait;

static gboolean
state_log_has_reasons (gpointer user_data)
{
  StateLogWait *wait = user_data;
  g_autofree char *got = state_log_reasons (wait->log);

  return g_str_equal (got, wait->reasons) || rh_test_child_has_exited (wait->child);
}

/* A signal to send once stderr says @stderr_text, or once the state log's
 * reasons read @reasons. */
typedef struct
{
  const char *stderr_text;
  const char *reasons;
  int signal_number;
} SignalStep;

/* Runs `recordhost run` on the bundled page, sending signals as @steps say;
 * returns the exit status and the state log's reasons. */
static int
run_with_signals (const char *extra, const SignalStep *steps, guint n_steps, char **reasons_out,
                  char **err_out)
{
  g_autofree char *page = page_path ();
  g_autofree char *log = g_build_filename (rh_test_tmpdir (), "state.jsonl", NULL);
  const char *args[] = { "run", page, "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                         "--state-log", log, extra, NULL };
  g_autoptr (RhTestChild) child = child_spawn (args);
  int status;

  for (guint i = 0; i < n_steps; i++)
    {
      if (steps[i].stderr_text != NULL)
        rh_test_child_wait_stderr (child, steps[i].stderr_text, WAIT_TIMEOUT_S);
      if (steps[i].reasons != NULL)
        {
          StateLogWait wait = { child, log, steps[i].reasons };
          g_autofree char *got = NULL;

          rh_test_wait_until (state_log_has_reasons, &wait, WAIT_TIMEOUT_S);
          got = state_log_reasons (log);
          g_assert_cmpstr (got, ==, steps[i].reasons);
        }
      rh_test_child_send_signal (child, steps[i].signal_number);
    }
  status = child_wait (child);
  *reasons_out = state_log_reasons (log);
  *err_out = rh_test_child_get_stderr (child);
  return status;
}

/* Stopped once recording, by a signal that ends a run normally (a closed
 * terminal too): a normal end, not a lost recording. */
typedef struct
{
  const char *name;
  int signal_number;
} StopRow;

static const StopRow stop_rows[] = {
  { "sigterm", SIGTERM },
  { "sighup", SIGHUP },
};

static void
test_run_stop_signal (gconstpointer data)
{
  const StopRow *row = data;
  const SignalStep steps[] = { { NULL, "1", row->signal_number } };
  g_autofree char *reasons = NULL;
  g_autofree char *err = NULL;
  int status = run_with_signals ("--quiet", steps, G_N_ELEMENTS (steps), &reasons, &err);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (reasons, ==, "1,2");
  g_assert_cmpuint (tagged_processes_left (), ==, 0);
}

static void
test_run_sigusr1_release (void)
{
  /* Released once on hold, stopped once released. */
  const SignalStep steps[] = {
    { NULL, "1", SIGUSR1 },
    { "released: recording resumes", NULL, SIGTERM },
  };
  g_autofree char *reasons = NULL;
  g_autofree char *err = NULL;
  int status = run_with_signals ("--on-hold", steps, G_N_ELEMENTS (steps), &reasons, &err);

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (reasons, ==, "1,2");
  g_assert_nonnull (strstr (err, "(on hold)"));
  /* SIGUSR1 is ours, not JavaScriptCore's. */
  g_assert_null (strstr (err, "Overriding existing handler"));
}

static void
test_sigterm (void)
{
  const char *args[] = { "demo", "--param", "sdkReady=never", "--timeout", "120", "--json",
                         NULL };
  g_autoptr (RhTestChild) child = child_spawn (args);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  gint64 signalled_us;

  /* Interrupted while the launched page waits for ready. */
  rh_test_child_wait_stderr (child, "AgoraEduSDK.launch called", WAIT_TIMEOUT_S);
  rh_test_child_send_signal (child, SIGTERM);
  signalled_us = g_get_monotonic_time ();
  g_assert_cmpint (child_wait (child), ==, 1);
  /* At once, not at the timeout. */
  g_assert_cmpint (g_get_monotonic_time () - signalled_us, <, 30 * G_USEC_PER_SEC);
  err = rh_test_child_get_stderr (child);
  out = rh_test_child_get_stdout (child);
  g_assert_nonnull (strstr (err, "interrupted"));
  /* The report is still written. */
  g_assert_nonnull (strstr (out, "\"verdict\" : \"fail\""));
  g_assert_cmpuint (tagged_processes_left (), ==, 0);
}

/* ---- text from outside on a terminal ---- */

/* Where the check's outside text comes from: the room uuid, the page's
 * console and uncaught errors, and, with a server that refuses the ready
 * call, the server's message on the error line. */
typedef struct
{
  const char *name;
  gboolean refused; /* the ready call goes to a server answering 401 */
} OutsideTextRow;

static const OutsideTextRow outside_text_rows[] = {
  { "local-cloud", FALSE },
  { "ready-call-refused", TRUE },
};

/* What a terminal would act on: C0 controls but newline, DEL, C1 controls,
 * bidi overrides, invalid UTF-8. */
static void
assert_printable (const char *text)
{
  const char *end = NULL;

  g_assert_true (g_utf8_validate (text, -1, &end));
  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if ((c < 0x20 && c != '\n') || (c >= 0x7f && c <= 0x9f) || c == 0x202e)
        g_error ("U+%04X at \"%.40s\"", c, p);
    }
}

static void
test_outside_text (gconstpointer data)
{
  const OutsideTextRow *row = data;
  g_autoptr (FakeCloud) cloud = fake_cloud_new ();
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "outside-text.html", NULL);
  const char *args[] = { "check", page, "--app-id", "a", "--room-uuid", "r\x1b[2J\x07\r\x1fx",
                         "--room-type", "4", "--ready", "console:outside-done",
                         "--paint-grace-ms", "0", "--slow-paint-ms", "60000",
                         row->refused ? "--api-base" : NULL, cloud->base_url, NULL };
  g_autoptr (RhTestChild) child = NULL;
  g_autofree char *err = NULL;
  int status;

  fake_cloud_reply (cloud, 401, "{\"msg\":\"expired \\u001b[2J\\u0007\\r\",\"code\":401}");
  child = child_spawn (args);
  status = child_wait (child);
  err = rh_test_child_get_stderr (child);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, row->refused ? 1 : 0);
  /* The text is there, escaped: timeline and summary, whose cause is the
   * error line. */
  g_assert_nonnull (strstr (err, "console.log: esc \\x1b[2J\\x1b]0;title\\x07 bel \\x07 "
                                 "cr \\r us \\x1f csi \\u009b31m bidi \\u202e"));
  g_assert_nonnull (strstr (err, "\\n[ 1 ms] forged"));
  g_assert_nonnull (strstr (err, "js-error"));
  if (row->refused)
    g_assert_nonnull (strstr (err, "  cause: ready call failed: HTTP 401"));
  else
    g_assert_nonnull (strstr (err, "ready call for room r\\x1b[2J\\x07\\r\\x1fx"));
  assert_printable (err);
  g_assert_cmpuint (tagged_processes_left (), ==, 0);
}

/* ---- engine capabilities ---- */

/* Pages that fail before they could probe the engine. */
typedef struct
{
  const char *name;
  gboolean refused; /* nothing listens; else the server answers 404 */
} CapabilitiesRow;

static const CapabilitiesRow capabilities_rows[] = {
  { "refused", TRUE },
  { "http-404", FALSE },
};

static void
test_capabilities_of_failed_page (gconstpointer data)
{
  const CapabilitiesRow *row = data;
  g_autoptr (FakeCloud) cloud = fake_cloud_new ();
  g_autofree char *refused = fake_cloud_refused_url ();
  g_autofree char *url = row->refused ? g_strconcat (refused, "/record_page.html", NULL)
                                      : fake_cloud_page_url (cloud, "no_such_page.html");
  const char *args[] = { "check", url, "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                         "--json", "--quiet", NULL };
  g_autoptr (RhTestChild) child = child_spawn (args);
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *report, *capabilities;

  g_assert_cmpint (child_wait (child), ==, 1);
  err = rh_test_child_get_stderr (child);
  out = rh_test_child_get_stdout (child);
  g_test_message ("stderr: %s", err);
  root = rh_test_parse_json (out);
  report = json_node_get_object (root);
  g_assert_true (rh_test_report_has_problem (report, row->refused ? "page-load-failed"
                                                                  : "http-error",
                                             "error", NULL));
  g_assert_false (json_object_get_null_member (report, "capabilities"));
  capabilities = json_object_get_object_member (report, "capabilities");
  /* Debian 12's WPE 2.38, as /check/engine/report has it from a page. */
  g_assert_true (json_object_get_boolean_member (capabilities, "WebGL"));
  g_assert_false (json_object_get_boolean_member (capabilities, "WebGL2"));
  g_assert_true (json_object_get_boolean_member (capabilities, "WebAssembly"));
  g_assert_true (json_object_get_boolean_member (capabilities, "Worker"));
  g_assert_false (json_object_get_boolean_member (capabilities, "RTCPeerConnection"));
  g_assert_cmpuint (tagged_processes_left (), ==, 0);
}

/* ---- output places that cannot be a file of ours ---- */

typedef struct
{
  const char *name;
  const char *option;  /* run's --record or --state-log, demo's others */
  const char *file;    /* the output's name, in the test's directory */
  const char *kind;    /* what is there: "fifo", "link", "dir"; "long" for a name too long */
  const char *message; /* the cause, after "OPTION PATH: " */
} OutputPlaceRow;

static const OutputPlaceRow output_place_rows[] = {
  { "record-fifo", "--record", "class.mp4", "fifo", "not a regular file" },
  { "record-link", "--record", "class.mp4", "link", "a symbolic link (not followed)" },
  { "record-dir", "--record", "class.mp4", "dir", "a directory" },
  { "state-log-fifo", "--state-log", "state.jsonl", "fifo", "not a regular file" },
  { "state-log-link", "--state-log", "state.jsonl", "link", "a symbolic link (not followed)" },
  { "har-dir", "--har", "requests.har", "dir", "a directory" },
  { "har-long", "--har", NULL, "long", NULL },
  { "junit-dir", "--junit", "junit.xml", "dir", "a directory" },
  { "junit-fifo", "--junit", "junit.xml", "fifo", "not a regular file" },
  { "snapshots-link", "--snapshots", "pictures", "link", "a symbolic link (not followed)" },
};

/* Refused before any page is loaded, exit status 2, one line: a FIFO does
 * not hang the command (the test's wait would end it), a link is not
 * followed (what it points to is not made), a directory or a name too long
 * is not found out at the end. */
static void
test_output_place (gconstpointer data)
{
  const OutputPlaceRow *row = data;
  const char *tmp = rh_test_tmpdir ();
  g_autofree char *long_name = g_strnfill (300, 'x');
  g_autofree char *path = g_build_filename (tmp, row->file != NULL ? row->file : long_name,
                                            NULL);
  g_autofree char *elsewhere = g_build_filename (tmp, "elsewhere", NULL);
  g_autofree char *page = page_path ();
  gboolean run = g_str_equal (row->option, "--record") || g_str_equal (row->option, "--state-log");
  const char *run_args[] = { "run", page, "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                             row->option, path, NULL };
  const char *demo_args[] = { "demo", row->option, path, NULL };
  g_autoptr (RhTestChild) child = NULL;
  g_autofree char *err = NULL;
  g_autofree char *expected = NULL;
  int status;

  if (g_str_equal (row->kind, "fifo"))
    g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  else if (g_str_equal (row->kind, "link"))
    g_assert_cmpint (symlink (elsewhere, path), ==, 0);
  else if (g_str_equal (row->kind, "dir"))
    g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  child = child_spawn (run ? run_args : demo_args);
  status = child_wait (child);
  err = rh_test_child_get_stderr (child);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 2);
  expected = g_strdup_printf ("recordhost %s: cannot %s %s %s: %s\n", run ? "run" : "demo",
                              g_str_equal (row->option, "--state-log") ? "open" : "write",
                              row->option, path,
                              row->message != NULL ? row->message : g_strerror (ENAMETOOLONG));
  g_assert_cmpstr (err, ==, expected);
  g_assert_false (g_file_test (elsewhere, G_FILE_TEST_EXISTS));
}

static gboolean
has_string (JsonArray *array, const char *text)
{
  for (guint i = 0; i < json_array_get_length (array); i++)
    if (g_str_equal (json_array_get_string_element (array, i), text))
      return TRUE;
  return FALSE;
}

/* A white start measured right, which is only a warning, fails a check
 * told --fail-on ready-before-paint: exit 1, the code in --json's failed_on
 * and in the JUnit report, whose suite is named after the page and room. */
static void
test_fail_on_check (void)
{
  g_autofree char *page = page_path ();
  g_autofree char *junit = g_build_filename (rh_test_tmpdir (), "fail-on.xml", NULL);
  const char *args[] = { "check", page, "--app-id", "a", "--room-uuid", "r1", "--room-type", "4",
                         "--param", "sdkPaintMs=1500", "--param", "sdkReadyMs=300",
                         "--slow-paint-ms", "60000", "--fail-on", "js-error",
                         "--fail-on", "ready-before-paint,slow-first-paint", "--junit", junit,
                         "--json", "-q", NULL };
  g_autoptr (JsonNode) root = NULL;
  g_auto (Run) run = { 0 };
  g_auto (RhTestJunit) report = { 0 };
  g_autofree char *xml = NULL;
  JsonArray *failed_on;

  run_binary (&run, args);
  g_test_message ("stderr: %s", run.err);
  g_assert_cmpint (run.status, ==, 1);
  root = rh_test_parse_json (run.out);
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "verdict"), ==,
                   "fail");
  failed_on = json_object_get_array_member (json_node_get_object (root), "failed_on");
  g_assert_cmpuint (json_array_get_length (failed_on), ==, 1);
  g_assert_cmpstr (json_array_get_string_element (failed_on, 0), ==, "ready-before-paint");
  g_assert_nonnull (strstr (run.err, "recordhost check: ready-before-paint: "));
  g_assert_true (g_file_get_contents (junit, &xml, NULL, NULL));
  rh_test_junit_parse (&report, xml);
  g_assert_cmpstr (report.name, ==, "recordhost check record_page.html room r1");
  g_assert_cmpstr (report.failed->str, ==, "painted before ready\n");
}

/* --junit-name names the suite. */
static void
test_junit_name (void)
{
  g_autofree char *page = page_path ();
  g_autofree char *junit = g_build_filename (rh_test_tmpdir (), "named.xml", NULL);
  const char *args[] = { "check", page, "--app-id", "a", "--room-uuid", "r1", "--room-type", "4",
                         "--junit", junit, "--junit-name", "templates: classroom", "-q", NULL };
  g_auto (Run) run = { 0 };
  g_auto (RhTestJunit) report = { 0 };
  g_autofree char *xml = NULL;

  run_binary (&run, args);
  g_test_message ("stderr: %s", run.err);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_true (g_file_get_contents (junit, &xml, NULL, NULL));
  rh_test_junit_parse (&report, xml);
  g_assert_cmpstr (report.name, ==, "templates: classroom");
  g_assert_cmpuint (report.failures, ==, 0);
  g_assert_cmpuint (report.skipped, ==, 0);
}

/* A run told --fail-on warning records to its end, then exits 1 for the
 * warning of its last load. */
static void
test_fail_on_run (void)
{
  g_autofree char *page = page_path ();
  const char *args[] = { "run", page, "--app-id", "a", "--room-uuid", "r1", "--room-type", "4",
                         "--param", "sdkPaintMs=1500", "--param", "sdkReadyMs=300",
                         "--duration", "3", "--fail-on", "warning", "--json", "-q", NULL };
  g_autoptr (JsonNode) root = NULL;
  g_auto (Run) run = { 0 };
  JsonObject *report;
  JsonArray *events;
  JsonObject *last;

  run_binary (&run, args);
  g_test_message ("stdout: %s\nstderr: %s", run.out, run.err);
  g_assert_cmpint (run.status, ==, 1);
  root = rh_test_parse_json (run.out);
  report = json_node_get_object (root);
  g_assert_cmpstr (json_object_get_string_member (report, "result"), ==, "failed");
  g_assert_true (rh_test_report_has_problem (report, "ready-before-paint", "warning", NULL));
  g_assert_true (has_string (json_object_get_array_member (report, "failed_on"),
                             "ready-before-paint"));
  /* The recording ended normally all the same: stopped, reason 2. */
  events = json_object_get_array_member (report, "state_events");
  last = json_object_get_object_member (
    json_array_get_object_element (events, json_array_get_length (events) - 1), "data");
  g_assert_cmpint (json_object_get_int_member (last, "reason"), ==, 2);
}

/* A stdout on a full disk (a file size limit, once the page has loaded)
 * cannot take the --json report: the command fails, saying so. */
static void
test_json_stdout_full (void)
{
  g_autoptr (RhTestBeacon) beacon = rh_test_beacon_new ();
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "loaded-then-ready.html",
                                                 NULL);
  g_autofree char *loaded = g_strconcat ("loadedBeacon=", rh_test_beacon_get_url (beacon), NULL);
  const char *args[] = { "check", page, "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                         "--ready", "console:READY", "--param", loaded, "-q", "--json", NULL };
  g_autoptr (RhTestChild) child = child_spawn (args);
  g_autofree char *err = NULL;
  g_autofree char *line = NULL;
  g_autofree char *expected = NULL;
  int status;

  rh_test_beacon_wait (beacon, WAIT_TIMEOUT_S);
  rh_test_child_limit_file_size (child, 1024);
  status = child_wait (child);
  err = rh_test_child_get_stderr (child);
  g_test_message ("stderr: %s", err);
  g_assert_cmpint (status, ==, 1);
  line = rh_test_last_line_with_prefix (err, "recordhost check: ");
  expected = g_strdup_printf ("recordhost check: cannot write the --json report to stdout: %s",
                              g_strerror (EFBIG));
  g_assert_cmpstr (line, ==, expected);
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
  for (guint i = 0; i < G_N_ELEMENTS (outside_text_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/outside-text/%s",
                                               outside_text_rows[i].name);

      g_test_add_data_func (path, &outside_text_rows[i], test_outside_text);
    }
  for (guint i = 0; i < G_N_ELEMENTS (capabilities_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/capabilities/%s",
                                               capabilities_rows[i].name);

      g_test_add_data_func (path, &capabilities_rows[i], test_capabilities_of_failed_page);
    }
  for (guint i = 0; i < G_N_ELEMENTS (output_place_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/output-place/%s",
                                               output_place_rows[i].name);

      g_test_add_data_func (path, &output_place_rows[i], test_output_place);
    }
  g_test_add_func ("/cli/json-stdout-full", test_json_stdout_full);
  g_test_add_func ("/cli/fail-on/check", test_fail_on_check);
  g_test_add_func ("/cli/fail-on/run", test_fail_on_run);
  g_test_add_func ("/cli/junit-name", test_junit_name);
  g_test_add_func ("/cli/help", test_help);
  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    {
      g_autofree char *path = g_strconcat ("/cli/help-command/", command_names[i], NULL);

      g_test_add_data_func (path, command_names[i], test_help_command);
    }
  g_test_add_func ("/cli/demo-help", test_demo_help);
  g_test_add_func ("/cli/verbose", test_verbose);
  for (guint i = 0; i < G_N_ELEMENTS (quiet_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cli/quiet/", quiet_rows[i].name, NULL);

      g_test_add_data_func (path, &quiet_rows[i], test_quiet);
    }
  for (guint i = 0; i < G_N_ELEMENTS (cause_once_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cli/cause-once/", cause_once_rows[i].name, NULL);

      g_test_add_data_func (path, &cause_once_rows[i], test_cause_once);
    }
  g_test_add_func ("/cli/demo-json", test_demo_json);
  g_test_add_func ("/cli/never-ready-exit-1", test_never_ready_exit_1);
  g_test_add_func ("/cli/demo-flow", test_demo_flow);
  g_test_add_func ("/cli/sigterm", test_sigterm);
  for (guint i = 0; i < G_N_ELEMENTS (stop_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cli/run/", stop_rows[i].name, NULL);

      g_test_add_data_func (path, &stop_rows[i], test_run_stop_signal);
    }
  g_test_add_func ("/cli/run/sigusr1-release", test_run_sigusr1_release);
  return g_test_run ();
}
