/* A real headless Chromium (Debian's chromium) over the DevTools pipe:
 * started, driven into a page, killed from outside, freed, and orphaned;
 * none of its processes or files outlives it. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rh-chromium-browser.h"
#include "rh-fs.h"
#include "test-utils.h"

/* Bounds on a loaded 2-core machine running four test programs. */
#define START_WAIT_S 90
#define COMMAND_WAIT_S 30
#define GONE_WAIT_S 10

/* Set in the environment of this program run as a browser's owner that a
 * test kills. */
#define ORPHAN_ENV "RH_TEST_CHROMIUM_ORPHAN"

/* How many running processes name @dir on their command line (a zombie's
 * is empty). */
static guint
processes_naming (const char *dir)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  const char *entry;
  guint count = 0;

  g_assert_nonnull (proc);
  while ((entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = g_strdup_printf ("/proc/%s/cmdline", entry);
      g_autofree char *cmdline = NULL;
      gsize length;

      if (!g_ascii_isdigit (entry[0]) || !g_file_get_contents (path, &cmdline, &length, NULL))
        continue;
      for (const char *arg = cmdline; arg < cmdline + length; arg += strlen (arg) + 1)
        if (strstr (arg, dir) != NULL)
          {
            count++;
            break;
          }
    }
  return count;
}

static gboolean
none_naming (gpointer user_data)
{
  return processes_naming (user_data) == 0;
}

static RhChromiumBrowser *
start_browser (GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_chromium_browser_new_async (FALSE, NULL, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, START_WAIT_S));
  return rh_chromium_browser_new_finish (result, error);
}

/* @method's result, or NULL and @error. */
static JsonObject *
send_command (RhChromiumBrowser *browser, const char *session_id, const char *method,
              JsonObject *params, GError **error)
{
  RhCdpConnection *connection = rh_chromium_browser_get_connection (browser);
  g_autoptr (GAsyncResult) result = NULL;

  rh_cdp_connection_send_async (connection, session_id, method, params, NULL, rh_test_async_cb,
                                &result);
  g_assert_true (rh_test_wait_result (&result, COMMAND_WAIT_S));
  return rh_cdp_connection_send_finish (connection, result, error);
}

/* A new about:blank target attached flat: its session's id (owned). */
static char *
attach_blank_target (RhChromiumBrowser *browser)
{
  g_autoptr (JsonObject) params = json_object_new ();
  g_autoptr (JsonObject) target = NULL;
  g_autoptr (JsonObject) attached = NULL;
  g_autoptr (GError) error = NULL;

  json_object_set_string_member (params, "url", "about:blank");
  target = send_command (browser, NULL, "Target.createTarget", params, &error);
  g_assert_no_error (error);
  g_clear_pointer (&params, json_object_unref);
  params = json_object_new ();
  json_object_set_string_member (params, "targetId",
                                 json_object_get_string_member (target, "targetId"));
  json_object_set_boolean_member (params, "flatten", TRUE);
  attached = send_command (browser, NULL, "Target.attachToTarget", params, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_object_get_string_member (attached, "sessionId"));
  return g_strdup (json_object_get_string_member (attached, "sessionId"));
}

/* Frees @browser and checks that it took its processes and directory. */
static void
free_browser (RhChromiumBrowser *browser)
{
  g_autofree char *dir = g_strdup (rh_chromium_browser_get_profile_dir (browser));

  g_assert_nonnull (dir);
  g_assert_true (g_str_has_prefix (dir, g_get_tmp_dir ()));
  g_object_unref (browser);
  g_assert_cmpuint (processes_naming (dir), ==, 0);
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
}

/* A page in a target of its own, attached flat, evaluates 1+1. */
static void
test_evaluate (void)
{
  g_autoptr (GError) error = NULL;
  RhChromiumBrowser *browser = start_browser (&error);
  g_autoptr (JsonObject) params = json_object_new ();
  g_autoptr (JsonObject) evaluated = NULL;
  g_autofree char *session_id = NULL;
  const char *version;
  JsonObject *value;

  g_assert_no_error (error);
  version = rh_chromium_browser_get_version (browser);
  g_test_message ("version %s", version);
  g_assert_true (g_str_has_prefix (version, "HeadlessChrome/")
                 || g_str_has_prefix (version, "Chrome/"));
  g_assert_cmpuint (processes_naming (rh_chromium_browser_get_profile_dir (browser)), >, 0);

  session_id = attach_blank_target (browser);
  json_object_set_string_member (params, "expression", "1+1");
  evaluated = send_command (browser, session_id, "Runtime.evaluate", params, &error);
  g_assert_no_error (error);
  value = json_object_get_object_member (evaluated, "result");
  g_assert_cmpstr (json_object_get_string_member (value, "type"), ==, "number");
  g_assert_cmpint (json_object_get_int_member (value, "value"), ==, 2);

  /* An unknown method is the protocol's error, and the browser goes on. */
  g_clear_pointer (&evaluated, json_object_unref);
  evaluated = send_command (browser, NULL, "Nope.nope", NULL, &error);
  g_assert_null (evaluated);
  g_assert_error (error, RH_CDP_PROTOCOL_ERROR, -32601);
  g_clear_error (&error);
  free_browser (browser);
}

/* A browser starts with no page of its own: each page is a target its host
 * creates, and a start-up tab would cost a renderer that nothing uses. */
static void
test_no_startup_page (void)
{
  g_autoptr (GError) error = NULL;
  RhChromiumBrowser *browser = start_browser (&error);
  g_autoptr (JsonObject) targets = NULL;
  JsonArray *infos;

  g_assert_no_error (error);
  targets = send_command (browser, NULL, "Target.getTargets", NULL, &error);
  g_assert_no_error (error);
  infos = json_object_get_array_member (targets, "targetInfos");
  for (guint i = 0; i < json_array_get_length (infos); i++)
    {
      JsonObject *info = json_array_get_object_element (infos, i);

      g_test_message ("target %s %s", json_object_get_string_member (info, "type"),
                      json_object_get_string_member (info, "url"));
      g_assert_cmpstr (json_object_get_string_member (info, "type"), !=, "page");
    }
  free_browser (browser);
}

static void
test_missing (void)
{
  g_autoptr (GError) error = NULL;
  RhChromiumBrowser *browser;

  g_setenv (RH_CHROMIUM_ENV, "/nonexistent", TRUE);
  browser = start_browser (&error);
  g_unsetenv (RH_CHROMIUM_ENV);
  g_assert_null (browser);
  g_assert_error (error, RH_CHROMIUM_BROWSER_ERROR, RH_CHROMIUM_BROWSER_ERROR_NOT_FOUND);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_nonnull (strstr (error->message, "/nonexistent"));
  g_assert_nonnull (strstr (error->message, "not found; install Debian's chromium package"));
}

typedef struct
{
  gboolean terminated;
  int status;
  GError *closed;
} Ends;

static void
on_terminated (RhChromiumBrowser *browser, int status, gpointer user_data)
{
  Ends *ends = user_data;

  ends->terminated = TRUE;
  ends->status = status;
}

static void
on_closed (RhCdpConnection *connection, const GError *error, gpointer user_data)
{
  Ends *ends = user_data;

  ends->closed = g_error_copy (error);
}

static gboolean
ended (gpointer user_data)
{
  Ends *ends = user_data;

  return ends->terminated && ends->closed != NULL;
}

/* The browser killed from outside: "terminated" and "closed", the pending
 * command and every later one fail at once, nothing is left. */
static void
test_killed (void)
{
  g_autoptr (GError) error = NULL;
  RhChromiumBrowser *browser = start_browser (&error);
  g_autoptr (JsonObject) params = json_object_new ();
  g_autoptr (JsonObject) after = NULL;
  g_autofree char *session_id = NULL;
  g_autoptr (GAsyncResult) pending = NULL;
  g_autofree char *dir = NULL;
  RhCdpConnection *connection;
  Ends ends = { 0 };

  g_assert_no_error (error);
  connection = rh_chromium_browser_get_connection (browser);
  dir = g_strdup (rh_chromium_browser_get_profile_dir (browser));
  g_signal_connect (browser, "terminated", G_CALLBACK (on_terminated), &ends);
  g_signal_connect (connection, "closed", G_CALLBACK (on_closed), &ends);
  session_id = attach_blank_target (browser);

  /* A promise that never settles: its command stays pending. */
  json_object_set_string_member (params, "expression", "new Promise (() => {})");
  json_object_set_boolean_member (params, "awaitPromise", TRUE);
  rh_cdp_connection_send_async (connection, session_id, "Runtime.evaluate", params, NULL,
                                rh_test_async_cb, &pending);
  rh_test_keep_running (200);
  g_assert_null (pending);

  g_assert_no_errno (kill (rh_chromium_browser_get_pid (browser), SIGKILL));
  g_assert_true (rh_test_wait_until (ended, &ends, COMMAND_WAIT_S));
  g_assert_true (WIFSIGNALED (ends.status));
  g_assert_cmpint (WTERMSIG (ends.status), ==, SIGKILL);
  g_assert_true (ends.closed->domain == RH_CDP_ERROR
                 || ends.closed->domain == RH_CHROMIUM_BROWSER_ERROR);
  g_assert_true (rh_test_wait_result (&pending, 1));
  g_assert_null (rh_cdp_connection_send_finish (connection, pending, &error));
  g_assert_true (g_error_matches (error, ends.closed->domain, ends.closed->code));
  g_clear_error (&error);
  after = send_command (browser, NULL, "Browser.getVersion", NULL, &error);
  g_assert_null (after);
  g_assert_true (g_error_matches (error, ends.closed->domain, ends.closed->code));

  /* Its renderers and helpers went with it, and so did its directory. */
  g_assert_true (rh_test_wait_until (none_naming, dir, GONE_WAIT_S));
  g_assert_false (g_file_test (dir, G_FILE_TEST_EXISTS));
  g_object_unref (browser);
  g_clear_error (&ends.closed);
}

/* This program as a browser's owner killed with SIGKILL: the browser and
 * all its processes go too, though a process the owner forked still holds
 * the browser's pipe open (its directory stays: nobody is left to remove
 * it). */
static void
test_orphaned (void)
{
  g_autoptr (GSubprocessLauncher) launcher
    = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autoptr (GSubprocess) owner = NULL;
  g_autoptr (GDataInputStream) lines = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *self = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *dir = NULL;
  g_autofree char *holder = NULL;
  guint64 holder_pid;

  g_subprocess_launcher_setenv (launcher, ORPHAN_ENV, "1", TRUE);
  owner = g_subprocess_launcher_spawn (launcher, &error, self, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (owner));
  /* Blocking: the owner writes its lines once its browser answered, or exits. */
  dir = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (dir);
  holder = g_data_input_stream_read_line (lines, NULL, NULL, &error);
  g_assert_no_error (error);
  g_assert_true (g_ascii_string_to_unsigned (holder, 10, 2, G_MAXINT, &holder_pid, NULL));
  g_assert_true (g_str_has_prefix (dir, g_get_tmp_dir ()));
  g_assert_cmpuint (processes_naming (dir), >, 0);
  g_subprocess_send_signal (owner, SIGKILL);
  g_assert_true (rh_test_wait_until (none_naming, dir, GONE_WAIT_S));
  kill ((pid_t) holder_pid, SIGKILL);
  rh_fs_remove_tree (dir);
}

/* The owner of test_orphaned, in the test's environment: starts a browser,
 * forks a process that holds its descriptors (the browser's pipe among
 * them) for a minute, says where the browser's directory is and the
 * holder's pid, and waits to be killed. */
static int
run_orphan (void)
{
  g_autoptr (GError) error = NULL;
  RhChromiumBrowser *browser = start_browser (&error);
  pid_t holder;

  if (browser == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  holder = fork ();
  if (holder == 0)
    {
      alarm (60);
      for (;;)
        pause ();
    }
  g_print ("%s\n%d\n", rh_chromium_browser_get_profile_dir (browser), (int) holder);
  fflush (stdout);
  for (;;)
    pause ();
}

int
main (int argc, char **argv)
{
  if (g_getenv (ORPHAN_ENV) != NULL)
    {
      g_unsetenv (ORPHAN_ENV);
      return run_orphan ();
    }
  rh_test_init (&argc, &argv);
  /* First: it sets the environment, before a browser's threads run. */
  g_test_add_func ("/chromium-browser/missing", test_missing);
  g_test_add_func ("/chromium-browser/evaluate", test_evaluate);
  g_test_add_func ("/chromium-browser/no-startup-page", test_no_startup_page);
  g_test_add_func ("/chromium-browser/killed", test_killed);
  g_test_add_func ("/chromium-browser/orphaned", test_orphaned);
  return g_test_run ();
}
