/* The built `recordhost` and the engine processes it starts, bounded: in
 * time, a page whose web process is stuck in a script does not hold a
 * command past its bound, and no WebKit process outlives recordhost; in
 * memory, a page that allocates without end is stopped at --page-memory. */
#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "test-utils.h"

/* Bound on any wait for the binary. */
#define WAIT_TIMEOUT_S 120
/* The check's --timeout: short, and long enough for the page to start. */
#define TIMEOUT_S 3
/* What recordhost promises: a check ends within --timeout + 1 s, and
 * check and run within 1 s of a stop signal. */
#define PROMISED_MS 1000
/* What the test adds to the promise for what is not recordhost's to keep:
 * exec and dynamic linking before its clock starts (~70 ms here), the
 * test noticing the exit, and a loaded machine; a stuck check takes ~3.55 s
 * of its 4 s.  Sanitizer builds start slower and look for leaks at exit
 * (~3.65 s). */
#if defined(__SANITIZE_ADDRESS__)
#define OUTSIDE_SLACK_MS 1000
#else
#define OUTSIDE_SLACK_MS 500
#endif

/* The page's --page-memory in the memory tests, and what the whole tree
 * (recordhost, its web and network processes) may reach: the web process
 * overshoots its limit by what the page allocates between two of WebKit's
 * measurements, and the rest of the tree is ~100 MB (more in sanitizer
 * builds). */
#define PAGE_MEMORY_MB 256
#define TREE_BOUND_KB (3 * PAGE_MEMORY_MB * 1024)

/* Processes seen with the child as parent, and the tree's peak memory. */
typedef struct
{
  RhTestChild *child;
  GPid pid;
  GArray *engines; /* GPid */
  guint64 peak_rss_kb;
  guint64 max_rss_kb; /* past it the tree is killed, 0 for no bound */
} Watch;

static void
watch_clear (Watch *watch)
{
  g_clear_pointer (&watch->engines, g_array_unref);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Watch, watch_clear)

/* From /proc/@pid/stat: the state and parent, after the name in parentheses. */
static gboolean
read_stat (GPid pid, char *state, GPid *parent)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
  g_autofree char *text = NULL;
  const char *after_name;
  int ppid;

  if (!g_file_get_contents (path, &text, NULL, NULL))
    return FALSE;
  after_name = strrchr (text, ')');
  if (after_name == NULL || sscanf (after_name, ") %c %d", state, &ppid) != 2)
    return FALSE;
  *parent = (GPid) ppid;
  return TRUE;
}

/* A process that ended is gone, or a zombie until its new parent reaps it. */
static gboolean
is_running (GPid pid)
{
  GPid parent;
  char state;

  return read_stat (pid, &state, &parent) && state != 'Z' && state != 'X';
}

static guint64
rss_kb (GPid pid)
{
  g_autofree char *path = g_strdup_printf ("/proc/%d/statm", (int) pid);
  g_autofree char *text = NULL;
  unsigned long size, resident;

  if (!g_file_get_contents (path, &text, NULL, NULL)
      || sscanf (text, "%lu %lu", &size, &resident) != 2)
    return 0;
  return (guint64) resident * (guint64) sysconf (_SC_PAGESIZE) / 1024;
}

/* Called at least every 50 ms while the child runs: notes its children and
 * the memory of the whole tree. */
static gboolean
watch_sample (gpointer user_data)
{
  Watch *watch = user_data;
  g_autoptr (GDir) proc = g_dir_open ("/proc", 0, NULL);
  guint64 rss = rss_kb (watch->pid);
  const char *name;

  if (rh_test_child_has_exited (watch->child))
    return TRUE;
  while (proc != NULL && (name = g_dir_read_name (proc)) != NULL)
    {
      guint64 number;
      GPid pid, parent;
      char state;
      gboolean known = FALSE;

      if (!g_ascii_string_to_unsigned (name, 10, 1, G_MAXINT, &number, NULL))
        continue;
      pid = (GPid) number;
      if (!read_stat (pid, &state, &parent) || parent != watch->pid)
        continue;
      rss += rss_kb (pid);
      for (guint i = 0; i < watch->engines->len && !known; i++)
        known = g_array_index (watch->engines, GPid, i) == pid;
      if (!known)
        g_array_append_val (watch->engines, pid);
    }
  watch->peak_rss_kb = MAX (watch->peak_rss_kb, rss);
  /* The page would take the machine down: the test has failed already. */
  if (watch->max_rss_kb > 0 && rss > watch->max_rss_kb)
    {
      rh_test_child_send_signal (watch->child, SIGKILL);
      for (guint i = 0; i < watch->engines->len; i++)
        kill (g_array_index (watch->engines, GPid, i), SIGKILL);
      g_error ("the tree of recordhost reached %" G_GUINT64_FORMAT " kB: killed", rss);
    }
  return FALSE;
}

static void
watch_start (Watch *watch, RhTestChild *child)
{
  watch->child = child;
  watch->pid = rh_test_child_get_pid (child);
  watch->engines = g_array_new (FALSE, FALSE, sizeof (GPid));
}

/* Until the child exits; returns its exit status. */
static int
watch_until_exit (Watch *watch)
{
  int status;

  g_assert_true (rh_test_wait_until (watch_sample, watch, WAIT_TIMEOUT_S));
  status = rh_test_child_wait (watch->child, WAIT_TIMEOUT_S);
  g_assert_true (WIFEXITED (status));
  return WEXITSTATUS (status);
}

/* The child started its engine processes, and none runs after its exit. */
static void
assert_no_engine_left (Watch *watch)
{
  g_test_message ("%u child process(es) seen", watch->engines->len);
  /* A web process and a network process at least. */
  g_assert_cmpuint (watch->engines->len, >=, 2);
  for (guint i = 0; i < watch->engines->len; i++)
    {
      GPid pid = g_array_index (watch->engines, GPid, i);

      g_autofree char *path = g_strdup_printf ("/proc/%d/stat", (int) pid);
      g_autofree char *stat = NULL;

      if (is_running (pid) && g_file_get_contents (path, &stat, NULL, NULL))
        g_error ("process %d, started by recordhost, runs after its exit: %s", (int) pid, stat);
    }
}

static gint64
elapsed_ms (gint64 since_us)
{
  return (g_get_monotonic_time () - since_us) / 1000;
}

/* ---- time ---- */

typedef struct
{
  const char *name;
  const char *command; /* check or run */
  const char *loop;    /* tests/pages/busy-loop.html's loop= */
  int signal_number;   /* sent once the page committed, 0 for none */
  int exit_status;
} StuckRow;

static const StuckRow stuck_rows[] = {
  /* The document never loads: no probe of the page's own answers. */
  { "check/stuck-at-once", "check", "now", 0, 1 },
  { "check/stuck-after-load", "check", "late", 0, 1 },
  { "check/stuck-interrupted", "check", "now", SIGINT, 1 },
  { "run/stuck-stopped", "run", "late", SIGTERM, 0 },
};

static void
test_stuck (gconstpointer data)
{
  const StuckRow *row = data;
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "busy-loop.html", NULL);
  g_autofree char *loop = g_strconcat ("loop=", row->loop, NULL);
  const char *args[] = { row->command, page, "--app-id", "a", "--room-uuid", "r",
                         "--room-type", "4", "--param", loop,
                         g_str_equal (row->command, "run") ? "--retry-timeout" : "--timeout",
                         g_str_equal (row->command, "run") ? "60" : G_STRINGIFY (TIMEOUT_S),
                         NULL };
  g_autoptr (RhTestChild) child = NULL;
  g_auto (Watch) watch = { 0 };
  gint64 start_us = g_get_monotonic_time ();
  gint64 stop_us = 0;
  gint64 bound_ms = row->signal_number != 0 ? PROMISED_MS : TIMEOUT_S * 1000 + PROMISED_MS;
  gint64 took_ms;

  child = rh_test_child_spawn (args, NULL);
  watch_start (&watch, child);
  if (row->signal_number != 0)
    {
      rh_test_child_wait_stderr (child, "navigation committed", WAIT_TIMEOUT_S);
      /* The page is spinning by now. */
      g_assert_true (rh_test_wait_until (watch_sample, &watch, 1) == FALSE);
      stop_us = g_get_monotonic_time ();
      rh_test_child_send_signal (child, row->signal_number);
    }
  g_assert_cmpint (watch_until_exit (&watch), ==, row->exit_status);
  took_ms = elapsed_ms (bound_ms == PROMISED_MS ? stop_us : start_us);
  g_test_message ("ended %" G_GINT64_FORMAT " ms after its %s", took_ms,
                  bound_ms == PROMISED_MS ? "stop" : "start");
  g_assert_cmpint (took_ms, <=, bound_ms + OUTSIDE_SLACK_MS);
  assert_no_engine_left (&watch);
}

/* A web process of @watch's child that runs. */
static gboolean
has_web_process (Watch *watch)
{
  for (guint i = 0; i < watch->engines->len; i++)
    {
      GPid pid = g_array_index (watch->engines, GPid, i);
      g_autofree char *path = g_strdup_printf ("/proc/%d/comm", (int) pid);
      g_autofree char *name = NULL;

      if (is_running (pid) && g_file_get_contents (path, &name, NULL, NULL)
          && g_str_has_prefix (name, "WPEWebProcess"))
        return TRUE;
    }
  return FALSE;
}

static gboolean
web_process_started (gpointer user_data)
{
  watch_sample (user_data);
  return has_web_process (user_data);
}

static gboolean
web_process_gone (gpointer user_data)
{
  watch_sample (user_data);
  return !has_web_process (user_data);
}

static gboolean
has_stdout_line (gpointer user_data)
{
  g_autofree char *out = rh_test_child_get_stdout (user_data);

  return strchr (out, '\n') != NULL;
}

/* The cloud's room whose page is stuck in a script: once the room stops,
 * its web process goes at once, while the cloud goes on. */
static void
test_cloud_stuck_room (void)
{
  g_autofree char *data_dir = g_build_filename (rh_test_tmpdir (), "cloud", NULL);
  /* The test's page is a file of the source tree. */
  const char *args[] = { "cloud", "--listen", "127.0.0.1:0", "--data-dir", data_dir,
                         "--allow-file-pages", NULL };
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "busy-loop.html", NULL);
  g_autofree char *page_uri = g_filename_to_uri (page, NULL, NULL);
  g_autofree char *body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"url\":"
                                           "\"%s?loop=late\"},\"retryTimeout\":60}",
                                           page_uri);
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  g_auto (Watch) watch = { 0 };
  g_autofree char *out = NULL;
  g_autofree char *start = NULL;
  g_autofree char *stop = NULL;
  g_autoptr (JsonObject) answer = NULL;
  gint64 stop_us;
  gint64 took_ms;
  guint status;

  watch_start (&watch, child);
  g_assert_true (rh_test_wait_until (has_stdout_line, child, WAIT_TIMEOUT_S));
  out = rh_test_child_get_stdout (child);
  *strchr (out, '\n') = '\0';
  start = g_strconcat (out, "/edu/apps/a/v2/rooms/r/records/states/1", NULL);
  stop = g_strconcat (out, "/edu/apps/a/v2/rooms/r/records/states/0", NULL);
  answer = rh_test_call_json (session, "PUT", start, body, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_clear_pointer (&answer, json_object_unref);
  g_assert_true (rh_test_wait_until (web_process_started, &watch, WAIT_TIMEOUT_S));
  /* The page is spinning by now. */
  g_assert_false (rh_test_wait_until (watch_sample, &watch, 1));

  stop_us = g_get_monotonic_time ();
  answer = rh_test_call_json (session, "PUT", stop, NULL, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (rh_test_wait_until (web_process_gone, &watch, WAIT_TIMEOUT_S));
  took_ms = elapsed_ms (stop_us);
  g_test_message ("web process gone %" G_GINT64_FORMAT " ms after the stop", took_ms);
  g_assert_cmpint (took_ms, <=, PROMISED_MS + OUTSIDE_SLACK_MS);

  rh_test_child_send_signal (child, SIGTERM);
  g_assert_cmpint (watch_until_exit (&watch), ==, 0);
  assert_no_engine_left (&watch);
}

/* The check's own account: it failed within its promise, measured from its
 * start by itself, whatever the machine's load did to the test's clock. */
static void
test_stuck_report (void)
{
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "busy-loop.html", NULL);
  const char *args[] = { "check", page, "--app-id", "a", "--room-uuid", "r", "--room-type", "4",
                         "--timeout", G_STRINGIFY (TIMEOUT_S), "--json", "--quiet", NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  g_auto (Watch) watch = { 0 };
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *out = NULL;
  JsonArray *events;
  JsonObject *last;

  watch_start (&watch, child);
  g_assert_cmpint (watch_until_exit (&watch), ==, 1);
  out = rh_test_child_get_stdout (child);
  root = rh_test_parse_json (out);
  g_assert_nonnull (strstr (json_object_get_string_member (json_node_get_object (root), "error"),
                            "not ready within " G_STRINGIFY (TIMEOUT_S) " s"));
  events = json_object_get_array_member (json_node_get_object (root), "events");
  last = json_array_get_object_element (events, json_array_get_length (events) - 1);
  g_assert_cmpstr (json_object_get_string_member (last, "type"), ==, "failed");
  g_assert_cmpint (json_object_get_int_member (last, "ms"), <=, TIMEOUT_S * 1000 + PROMISED_MS);
  assert_no_engine_left (&watch);
}

/* ---- memory ---- */

typedef struct
{
  const char *name;
  const char *command; /* check or run */
} MemoryRow;

static const MemoryRow memory_rows[] = {
  { "check/page-memory", "check" },
  /* Each load is killed in turn and reloaded, until the retries run out. */
  { "run/page-memory", "run" },
};

static void
test_page_memory (gconstpointer data)
{
  const MemoryRow *row = data;
  gboolean run = g_str_equal (row->command, "run");
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "memory-hog.html", NULL);
  const char *args[] = { row->command, page, "--app-id", "a", "--room-uuid", "r",
                         "--room-type", "4", "--page-memory", G_STRINGIFY (PAGE_MEMORY_MB),
                         run ? "--retry-timeout" : "--timeout", run ? "2" : "30",
                         "--json", "--quiet", NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  g_auto (Watch) watch = { 0 };
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonObject *report;

  watch_start (&watch, child);
  watch.max_rss_kb = TREE_BOUND_KB;
  g_assert_cmpint (watch_until_exit (&watch), ==, 1);
  g_test_message ("peak of the tree: %" G_GUINT64_FORMAT " kB", watch.peak_rss_kb);
  g_assert_cmpuint (watch.peak_rss_kb, <, TREE_BOUND_KB);
  err = rh_test_child_get_stderr (child);
  out = rh_test_child_get_stdout (child);
  root = rh_test_parse_json (out);
  report = json_node_get_object (root);
  if (run)
    {
      g_assert_cmpstr (json_object_get_string_member (report, "result"), ==, "abandoned");
      g_assert_cmpint (json_object_get_int_member (report, "crashes"), >=, 1);
      g_assert_nonnull (strstr (out, "exceeded its memory limit of "
                                     G_STRINGIFY (PAGE_MEMORY_MB) " MB"));
    }
  else
    {
      g_assert_nonnull (strstr (err, "web process exceeded its memory limit of "
                                     G_STRINGIFY (PAGE_MEMORY_MB) " MB\n"));
      g_assert_true (rh_test_report_has_problem (report, "page-load-failed", "error",
                                                 "exceeded its memory limit"));
    }
  assert_no_engine_left (&watch);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (stuck_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/engine-bounds/", stuck_rows[i].name, NULL);

      g_test_add_data_func (path, &stuck_rows[i], test_stuck);
    }
  g_test_add_func ("/engine-bounds/check/stuck-report", test_stuck_report);
  g_test_add_func ("/engine-bounds/cloud/stuck-room-stopped", test_cloud_stuck_room);
  for (guint i = 0; i < G_N_ELEMENTS (memory_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/engine-bounds/", memory_rows[i].name, NULL);

      g_test_add_data_func (path, &memory_rows[i], test_page_memory);
    }
  return g_test_run ();
}
