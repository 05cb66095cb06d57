#include "rh-chromium-browser.h"

#include <errno.h>
#include <glib-unix.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "rh-fs.h"

/* How long the browser's processes may take to be gone once killed: SIGKILL
 * takes a moment to land, Chromium's crash handlers notice their browser
 * gone within a few tens of ms. */
#define GONE_WAIT_MS 2000
#define GONE_POLL_MS 5

struct _RhChromiumBrowser
{
  GObject parent_instance;

  GSubprocess *process;
  GPid pid;          /* the browser, leader of its process group; 0 once killed */
  char *profile_dir; /* NULL once removed */
  RhCdpConnection *connection;
  char *version;
  gboolean file_access; /* its file pages read other files */
  GCancellable *wait_cancellable;
  GSource *start_timeout;
};

G_DEFINE_QUARK (recordhost-chromium-browser-error-quark, rh_chromium_browser_error)
G_DEFINE_FINAL_TYPE (RhChromiumBrowser, rh_chromium_browser, G_TYPE_OBJECT)

enum
{
  SIGNAL_TERMINATED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* Whether an argument of the NUL-separated @cmdline contains @dir. */
static gboolean
cmdline_names (const char *cmdline, gsize length, const char *dir)
{
  for (const char *arg = cmdline; arg < cmdline + length; arg += strlen (arg) + 1)
    if (strstr (arg, dir) != NULL)
      return TRUE;
  return FALSE;
}

/* Whether a process's command line names @dir; each one that does gets
 * SIGKILL when @kill_them.  A zombie has an empty command line. */
static gboolean
processes_naming (const char *dir, gboolean kill_them)
{
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  gboolean found = FALSE;
  const char *entry;

  while (proc != NULL && (entry = g_dir_read_name (proc)) != NULL)
    {
      g_autofree char *path = NULL;
      g_autofree char *cmdline = NULL;
      guint64 pid;
      gsize length;

      if (!g_ascii_string_to_unsigned (entry, 10, 1, G_MAXINT, &pid, NULL))
        continue;
      path = g_strdup_printf ("/proc/%s/cmdline", entry);
      if (!g_file_get_contents (path, &cmdline, &length, NULL)
          || !cmdline_names (cmdline, length, dir))
        continue;
      found = TRUE;
      if (kill_them)
        kill ((pid_t) pid, SIGKILL);
    }
  return found;
}

/* Kills the browser's process group and, once none of its processes is
 * left (some leave the group: the crash handlers), removes its directory. */
static void
shut_down (RhChromiumBrowser *self)
{
  gint64 deadline_us = g_get_monotonic_time () + GONE_WAIT_MS * 1000;
  gboolean left;

  if (self->pid > 0)
    {
      g_debug ("killing chromium's process group %d", (int) self->pid);
      kill (-self->pid, SIGKILL);
      self->pid = 0;
    }
  if (self->profile_dir == NULL)
    return;
  while ((left = processes_naming (self->profile_dir, TRUE))
         && g_get_monotonic_time () < deadline_us)
    g_usleep (GONE_POLL_MS * 1000);
  if (left)
    g_debug ("chromium processes still run %u ms after SIGKILL", GONE_WAIT_MS);
  rh_fs_remove_tree (self->profile_dir);
  g_clear_pointer (&self->profile_dir, g_free);
}

static void
stop_start_timeout (RhChromiumBrowser *self)
{
  if (self->start_timeout == NULL)
    return;
  g_source_destroy (self->start_timeout);
  g_clear_pointer (&self->start_timeout, g_source_unref);
}

static void
rh_chromium_browser_dispose (GObject *object)
{
  RhChromiumBrowser *self = RH_CHROMIUM_BROWSER (object);

  g_cancellable_cancel (self->wait_cancellable);
  stop_start_timeout (self);
  if (self->connection != NULL)
    {
      g_autoptr (GError) error = g_error_new (RH_CDP_ERROR, RH_CDP_ERROR_CLOSED,
                                              "the browser was closed");

      g_signal_handlers_disconnect_by_data (self->connection, self);
      rh_cdp_connection_close (self->connection, error);
      g_clear_object (&self->connection);
    }
  shut_down (self);
  g_clear_object (&self->process);
  G_OBJECT_CLASS (rh_chromium_browser_parent_class)->dispose (object);
}

static void
rh_chromium_browser_finalize (GObject *object)
{
  RhChromiumBrowser *self = RH_CHROMIUM_BROWSER (object);

  g_free (self->version);
  g_object_unref (self->wait_cancellable);
  G_OBJECT_CLASS (rh_chromium_browser_parent_class)->finalize (object);
}

static void
rh_chromium_browser_class_init (RhChromiumBrowserClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_chromium_browser_dispose;
  object_class->finalize = rh_chromium_browser_finalize;

  /* The browser process is gone, whatever ended it (its wait status); its
   * connection is closed by then. */
  signals[SIGNAL_TERMINATED] = g_signal_new ("terminated", G_TYPE_FROM_CLASS (klass),
                                             G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                             1, G_TYPE_INT);
}

static void
rh_chromium_browser_init (RhChromiumBrowser *self)
{
  self->wait_cancellable = g_cancellable_new ();
}

/* The browser itself, behind Debian's /usr/bin/chromium script. */
#define DEBIAN_CHROMIUM "/usr/lib/chromium/chromium"

char *
rh_chromium_browser_find_binary (GError **error)
{
  const char *named = g_getenv (RH_CHROMIUM_ENV);
  char *found;

  if (named != NULL && *named != '\0')
    {
      g_autofree char *shown = NULL;

      found = g_find_program_in_path (named);
      if (found != NULL)
        return found;
      shown = g_strescape (named, NULL);
      g_set_error (error, RH_CHROMIUM_BROWSER_ERROR, RH_CHROMIUM_BROWSER_ERROR_NOT_FOUND,
                   "%s (%s): not found; install Debian's chromium package", shown,
                   RH_CHROMIUM_ENV);
      return NULL;
    }
  found = g_find_program_in_path ("chromium");
  /* Debian's is a shell script that adds the switches of /etc/chromium.d
   * (one of which prints a shell error on large /dev/shm) and runs the
   * browser, which is started here directly, with the switch that matters
   * added by browser_argv (). */
  if (found != NULL && g_str_equal (found, "/usr/bin/chromium")
      && g_file_test (DEBIAN_CHROMIUM, G_FILE_TEST_IS_EXECUTABLE))
    {
      g_free (found);
      return g_strdup (DEBIAN_CHROMIUM);
    }
  if (found == NULL)
    g_set_error_literal (error, RH_CHROMIUM_BROWSER_ERROR, RH_CHROMIUM_BROWSER_ERROR_NOT_FOUND,
                         "chromium: not found; install Debian's chromium package");
  return found;
}

/* Between fork and exec: only system calls.  A process group of its own, so
 * that its processes are killed together, and SIGKILL when this process
 * ends, however it ends. */
static void
child_setup (gpointer user_data)
{
  pid_t parent = GPOINTER_TO_INT (user_data);

  setpgid (0, 0);
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid () != parent)
    _exit (127);
}

static void
on_connection_closed (RhCdpConnection *connection, const GError *error, gpointer user_data)
{
  RhChromiumBrowser *self = user_data;

  /* Without its protocol the browser is of no use, and it must not run on. */
  g_debug ("chromium's connection closed (%s): killing it", error->message);
  shut_down (self);
}

static void
on_exited (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) status_error = NULL;
  g_autoptr (GError) reason = NULL;
  RhChromiumBrowser *self;
  int status;

  if (!g_subprocess_wait_finish (G_SUBPROCESS (source), result, &error))
    return; /* cancelled: @user_data is gone */
  self = user_data;
  status = g_subprocess_get_status (G_SUBPROCESS (source));
  if (g_spawn_check_wait_status (status, &status_error))
    reason = g_error_new (RH_CHROMIUM_BROWSER_ERROR, RH_CHROMIUM_BROWSER_ERROR_EXITED,
                          "chromium exited");
  else
    reason = g_error_new (RH_CHROMIUM_BROWSER_ERROR, RH_CHROMIUM_BROWSER_ERROR_EXITED,
                          "chromium exited: %s", status_error->message);
  g_debug ("%s", reason->message);
  g_object_ref (self);
  /* Its renderers and helpers go with it. */
  shut_down (self);
  rh_cdp_connection_close (self->connection, reason);
  g_signal_emit (self, signals[SIGNAL_TERMINATED], 0, status);
  g_object_unref (self);
}

/* The browser's command line: headless, the protocol on fds 3 and 4, and
 * nothing that reaches the network, shows a prompt or plays a sound. */
static GPtrArray *
browser_argv (const char *binary, const char *profile_dir, gboolean file_access)
{
  GPtrArray *argv = g_ptr_array_new_with_free_func (g_free);

  g_ptr_array_add (argv, g_strdup (binary));
  g_ptr_array_add (argv, g_strdup ("--headless=new"));
  g_ptr_array_add (argv, g_strdup ("--remote-debugging-pipe"));
  /* No start-up tab: each page is a target its host creates, and the tab's
   * renderer would cost a page's memory and start-up for nothing. */
  g_ptr_array_add (argv, g_strdup ("--no-startup-window"));
  g_ptr_array_add (argv, g_strdup_printf ("--user-data-dir=%s/user-data", profile_dir));
  g_ptr_array_add (argv, g_strdup ("--no-first-run"));
  g_ptr_array_add (argv, g_strdup ("--no-default-browser-check"));
  g_ptr_array_add (argv, g_strdup ("--disable-background-networking"));
  g_ptr_array_add (argv, g_strdup ("--disable-component-update"));
  g_ptr_array_add (argv, g_strdup ("--disable-sync"));
  /* The crash reporter's switch on Linux (Breakpad's name stayed). */
  g_ptr_array_add (argv, g_strdup ("--disable-breakpad"));
  g_ptr_array_add (argv, g_strdup ("--metrics-recording-only"));
  g_ptr_array_add (argv, g_strdup ("--mute-audio"));
  g_ptr_array_add (argv, g_strdup ("--password-store=basic"));
  /* macOS's keychain: ignored on Linux, kept so the set is the same everywhere. */
  g_ptr_array_add (argv, g_strdup ("--use-mock-keychain"));
  /* WebGL without a GPU, as the cloud's recorder has it: software, which
   * Chromium otherwise offers only with a warning that it will stop. */
  g_ptr_array_add (argv, g_strdup ("--enable-unsafe-swiftshader"));
  /* Its own log on stderr (the pipe's end at exit, GPU notes): fatal only. */
  g_ptr_array_add (argv, g_strdup ("--log-level=3"));
  /* Shared memory in /tmp: a container's /dev/shm is often 64 MB. */
  g_ptr_array_add (argv, g_strdup ("--disable-dev-shm-usage"));
  /* Pages of the command line: a template opened from disk reads its
   * neighbours (the bridge reads the SDK bundle's text), as WPE's views of
   * command-line pages allow.  The switch is the whole browser's: a page
   * the cloud's API asked for never runs in such a browser. */
  if (file_access)
    g_ptr_array_add (argv, g_strdup ("--allow-file-access-from-files"));
  /* Routes send a page's loads to loopback (the local cloud, a --route
   * target): Local Network Access would block them from any page not on
   * loopback itself (a site's, a data: document), with no prompt to ask. */
  g_ptr_array_add (argv, g_strdup ("--disable-features=LocalNetworkAccessChecks"));
  /* Chromium refuses to run as root with its sandbox. */
  if (geteuid () == 0)
    g_ptr_array_add (argv, g_strdup ("--no-sandbox"));
  g_ptr_array_add (argv, NULL);
  return argv;
}

static gboolean
spawn (RhChromiumBrowser *self, GError **error)
{
  g_autofree char *binary = rh_chromium_browser_find_binary (error);
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GPtrArray) argv = NULL;
  g_autofree char *tmp_dir = NULL;
  g_autofree char *config_dir = NULL;
  int to_browser[2];
  int from_browser[2];
  int stdout_fd;

  if (binary == NULL)
    return FALSE;
  self->profile_dir = g_dir_make_tmp ("recordhost-chromium-XXXXXX", error);
  if (self->profile_dir == NULL)
    return FALSE;
  /* Its temporary files (the singleton socket's directory among them) and
   * its crash database in the profile directory too: nothing is left
   * behind in /tmp or HOME. */
  tmp_dir = g_build_filename (self->profile_dir, "tmp", NULL);
  config_dir = g_build_filename (self->profile_dir, "config", NULL);
  if (g_mkdir (tmp_dir, 0700) != 0)
    {
      int errsv = errno;

      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errsv), "%s: %s", tmp_dir,
                   g_strerror (errsv));
      return FALSE;
    }
  if (!g_unix_open_pipe (to_browser, FD_CLOEXEC, error))
    return FALSE;
  if (!g_unix_open_pipe (from_browser, FD_CLOEXEC, error))
    {
      close (to_browser[0]);
      close (to_browser[1]);
      return FALSE;
    }
  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_take_fd (launcher, to_browser[0], 3);
  g_subprocess_launcher_take_fd (launcher, from_browser[1], 4);
  /* Our stdout may be a --json report: what it writes goes to stderr. */
  stdout_fd = dup (STDERR_FILENO);
  if (stdout_fd >= 0)
    g_subprocess_launcher_take_stdout_fd (launcher, stdout_fd);
  g_subprocess_launcher_setenv (launcher, "TMPDIR", tmp_dir, TRUE);
  g_subprocess_launcher_setenv (launcher, "CHROME_CONFIG_HOME", config_dir, TRUE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, GINT_TO_POINTER (getpid ()),
                                         NULL);
  argv = browser_argv (binary, self->profile_dir, self->file_access);
  self->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                                error);
  /* The browser's ends, closed here: its exit is our end of file. */
  g_clear_object (&launcher);
  self->connection = rh_cdp_connection_new (to_browser[1], from_browser[0]);
  if (self->process == NULL)
    return FALSE;
  self->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (self->process), NULL, 10);
  g_debug ("chromium started: %s, pid %d, profile %s", binary, (int) self->pid,
           self->profile_dir);
  g_signal_connect (self->connection, "closed", G_CALLBACK (on_connection_closed), self);
  g_subprocess_wait_async (self->process, self->wait_cancellable, on_exited, self);
  return TRUE;
}

static gboolean
on_start_timeout (gpointer user_data)
{
  RhChromiumBrowser *self = user_data;
  g_autoptr (GError) error = g_error_new (RH_CHROMIUM_BROWSER_ERROR,
                                          RH_CHROMIUM_BROWSER_ERROR_START,
                                          "no answer in %d s", RH_CHROMIUM_START_TIMEOUT_S);

  g_clear_pointer (&self->start_timeout, g_source_unref);
  rh_cdp_connection_close (self->connection, error);
  return G_SOURCE_REMOVE;
}

static void
on_version (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RhChromiumBrowser *self = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) version = rh_cdp_connection_send_finish (RH_CDP_CONNECTION (source),
                                                                  result, &error);
  JsonNode *product = version != NULL ? json_object_get_member (version, "product") : NULL;

  stop_start_timeout (self);
  if (version == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (version == NULL)
    {
      g_task_return_new_error (task, RH_CHROMIUM_BROWSER_ERROR, RH_CHROMIUM_BROWSER_ERROR_START,
                               "chromium did not start: %s", error->message);
      return;
    }
  if (product == NULL || !JSON_NODE_HOLDS_VALUE (product)
      || json_node_get_value_type (product) != G_TYPE_STRING)
    {
      g_task_return_new_error (task, RH_CHROMIUM_BROWSER_ERROR, RH_CHROMIUM_BROWSER_ERROR_START,
                               "chromium did not start: Browser.getVersion named no product");
      return;
    }
  self->version = g_strdup (json_node_get_string (product));
  g_debug ("chromium answered: %s", self->version);
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

/* Starts a browser whose file pages read other files when @file_access;
 * done once it answered Browser.getVersion, or failed within
 * RH_CHROMIUM_START_TIMEOUT_S. */
void
rh_chromium_browser_new_async (gboolean file_access, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (RhChromiumBrowser) self = g_object_new (RH_TYPE_CHROMIUM_BROWSER, NULL);
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (GError) error = NULL;

  g_task_set_source_tag (task, rh_chromium_browser_new_async);
  self->file_access = file_access;
  if (!spawn (self, &error))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  self->start_timeout = g_timeout_source_new_seconds (RH_CHROMIUM_START_TIMEOUT_S);
  g_source_set_callback (self->start_timeout, on_start_timeout, self, NULL);
  g_source_attach (self->start_timeout, g_main_context_get_thread_default ());
  rh_cdp_connection_send_async (self->connection, NULL, "Browser.getVersion", NULL, cancellable,
                                on_version, g_object_ref (task));
  /* A browser that fails to start goes with the task. */
  g_task_set_task_data (task, g_steal_pointer (&self), g_object_unref);
}

RhChromiumBrowser *
rh_chromium_browser_new_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

RhCdpConnection *
rh_chromium_browser_get_connection (RhChromiumBrowser *browser)
{
  return browser->connection;
}

const char *
rh_chromium_browser_get_version (RhChromiumBrowser *browser)
{
  return browser->version;
}

const char *
rh_chromium_browser_get_profile_dir (RhChromiumBrowser *browser)
{
  return browser->profile_dir;
}

GPid
rh_chromium_browser_get_pid (RhChromiumBrowser *browser)
{
  return browser->pid;
}
