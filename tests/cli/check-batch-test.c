/* `recordhost check PAGE PAGE...` and --pages: a report a page, one JUnit
 * file, pictures a directory a page, pages kept apart, an interrupt that
 * keeps what was checked, and usage errors before any page loads. */
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "test-utils.h"

#define WAIT_TIMEOUT_S 120

typedef struct
{
  int status; /* exit status */
  char *out;
  char *err;
} Result;

static void
result_clear (Result *result)
{
  g_free (result->out);
  g_free (result->err);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Result, result_clear)

static void
run_check (Result *result, const char *const *args)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (RhTestChild) child = NULL;
  int status;

  g_ptr_array_add (argv, (gpointer) "check");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  child = rh_test_child_spawn ((const char *const *) argv->pdata, NULL);
  status = rh_test_child_wait (child, WAIT_TIMEOUT_S);
  g_assert_true (WIFEXITED (status));
  result->status = WEXITSTATUS (status);
  result->out = rh_test_child_get_stdout (child);
  result->err = rh_test_child_get_stderr (child);
}

static JsonObject *
parse_report (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static const char *
check_verdict (JsonObject *report, guint index)
{
  JsonArray *checks = json_object_get_array_member (report, "checks");

  return json_object_get_string_member (json_array_get_object_element (checks, index),
                                        "verdict");
}

/* Reads each test suite of @xml as a JUnit file of its own (the schema CI
 * tools read, see rh_test_junit_parse ()); returns their pages' names. */
static GPtrArray *
parse_junit_suites (const char *xml)
{
  GPtrArray *pages = g_ptr_array_new_with_free_func (g_free);
  const char *at = xml;

  g_assert_true (
      g_str_has_prefix (xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites "));
  g_assert_true (g_str_has_suffix (xml, "</testsuites>\n"));
  while ((at = strstr (at, "<testsuite ")) != NULL)
    {
      const char *end = strstr (at, "</testsuite>\n");
      g_autofree char *suite = NULL;
      g_autofree char *one = NULL;
      g_auto (RhTestJunit) parsed = { 0 };

      g_assert_nonnull (end);
      end += strlen ("</testsuite>\n");
      suite = g_strndup (at, end - at);
      one = g_strdup_printf ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites>\n%s"
                             "</testsuites>\n", suite);
      rh_test_junit_parse (&parsed, one);
      g_ptr_array_add (pages, g_strdup (parsed.page));
      at = end;
    }
  return pages;
}

/* Two pages that get ready and one that never launches, the last from
 * --pages: each judged as alone, in the order given, every output whole. */
static void
test_reports (void)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *no_launch = rh_test_page_path ("no_launch.html");
  g_autofree char *list = g_build_filename (rh_test_tmpdir (), "pages.txt", NULL);
  g_autofree char *listed = g_strdup_printf ("# the list\n\n  %s  \n", no_launch);
  g_autofree char *junit = g_build_filename (rh_test_tmpdir (), "batch.xml", NULL);
  g_autofree char *pictures = g_build_filename (rh_test_tmpdir (), "batch-pictures", NULL);
  g_autofree char *xml = NULL;
  g_autoptr (JsonObject) report = NULL;
  g_autoptr (GPtrArray) suites = NULL;
  g_auto (Result) result = { 0 };

  g_assert_true (g_file_set_contents (list, listed, -1, NULL));
  /* The default paint grace: a page ready before its first frame (on a busy
   * machine) still has its pictures. */
  run_check (&result, (const char *const[]){ "--app-id", "app-1", "--room-uuid", "room-1",
                                             "--room-type", "4",
                                             "--json", "--junit", junit, "--snapshots",
                                             pictures, "--pages", list, page, page, NULL });
  g_assert_cmpint (result.status, ==, 1);
  report = parse_report (result.out);
  g_assert_cmpint (json_object_get_int_member (report, "pages"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (report, "passed"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (report, "failed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (report, "not_checked"), ==, 0);
  g_assert_cmpstr (check_verdict (report, 0), ==, "pass");
  g_assert_cmpstr (check_verdict (report, 1), ==, "pass");
  g_assert_cmpstr (check_verdict (report, 2), ==, "fail");
  /* Each page's lines say whose they are, and the end says how many failed. */
  g_assert_nonnull (strstr (result.err, "] [1/3] loading "));
  g_assert_nonnull (strstr (result.err, "] [3/3] loading "));
  g_assert_nonnull (strstr (result.err, "recordhost check: 1 of 3 pages failed\n"));

  g_assert_true (g_file_get_contents (junit, &xml, NULL, NULL));
  suites = parse_junit_suites (xml);
  g_assert_cmpuint (suites->len, ==, 3);
  g_assert_true (g_str_has_prefix (g_ptr_array_index (suites, 0), "file://"));
  g_assert_nonnull (strstr (g_ptr_array_index (suites, 0), "/record_page.html?"));
  g_assert_nonnull (strstr (g_ptr_array_index (suites, 2), "/no_launch.html?"));
  for (guint i = 1; i <= 3; i++)
    {
      g_autofree char *number = g_strdup_printf ("%u", i);
      g_autofree char *first = g_build_filename (pictures, number, "first.png", NULL);

      g_assert_true (g_file_test (first, G_FILE_TEST_IS_REGULAR));
    }
}

/* Two copies of a page that is ready only when its local storage holds
 * nothing but its own key: side by side, neither sees the other's, in
 * either engine (WPE: a context each; Chromium: a browser context each). */
static void
test_website_data_apart (gconstpointer data)
{
  const char *engine = data;
  g_autofree char *page = g_test_build_filename (G_TEST_DIST, "pages", "storage-alone.html",
                                                 NULL);
  g_autoptr (JsonObject) report = NULL;
  g_auto (Result) result = { 0 };

  run_check (&result, (const char *const[]){ "--app-id", "app-1", "--room-uuid", "room-1",
                                             "--room-type", "4", "--engine", engine, "--ready",
                                             "console:ALONE", "--timeout", "15",
                                             "--paint-grace-ms", "0", "--json", "-q", page, page,
                                             NULL });
  report = parse_report (result.out);
  g_assert_cmpint (json_object_get_int_member (report, "passed"), ==, 2);
  if (result.status != 0)
    g_printerr ("%s", result.err);
  g_assert_cmpint (result.status, ==, 0);
}

/* SIGINT in the first of three pages checked one at a time, once its long
 * wait was told with its label: its report kept (interrupted), the two
 * others not checked, the JUnit file written. */
static void
test_interrupt (void)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *junit = g_build_filename (rh_test_tmpdir (), "interrupted.xml", NULL);
  const char *const args[] = { "check", "--app-id", "app-1", "--room-uuid", "room-1",
                               "--room-type", "4", "--param", "sdkReadyMs=60000",
                               "--parallel", "1", "--json", "--junit", junit,
                               page, page, page, NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  g_autoptr (JsonObject) report = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *xml = NULL;
  g_autoptr (GPtrArray) suites = NULL;
  int status;

  rh_test_child_wait_stderr (child, "[1/3] AgoraEduSDK.launch", WAIT_TIMEOUT_S);
  rh_test_child_wait_stderr (child, "recordhost: [1/3] waiting for launch listener event 1 (",
                             WAIT_TIMEOUT_S);
  rh_test_child_send_signal (child, SIGINT);
  status = rh_test_child_wait (child, WAIT_TIMEOUT_S);
  out = rh_test_child_get_stdout (child);
  err = rh_test_child_get_stderr (child);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 1);
  report = parse_report (out);
  g_assert_cmpint (json_object_get_int_member (report, "failed"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (report, "not_checked"), ==, 2);
  g_assert_cmpstr (check_verdict (report, 0), ==, "fail");
  g_assert_cmpstr (check_verdict (report, 1), ==, "not-checked");
  g_assert_nonnull (strstr (err, "[2/3] "));
  g_assert_nonnull (strstr (err, "not checked (interrupted)"));
  g_assert_true (g_file_get_contents (junit, &xml, NULL, NULL));
  suites = parse_junit_suites (xml);
  g_assert_cmpuint (suites->len, ==, 1);
}

/* Five pages one at a time: a page's engine goes when its check ends, not
 * with the command (a hundred pages would keep a hundred engines). */
static void
test_engines_released (void)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  const char *const args[] = { "check", "--app-id", "app-1", "--room-uuid", "room-1",
                               "--room-type", "4", "--paint-grace-ms", "0", "--parallel", "1",
                               "-q", page, page, page, page, page, NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  GPid pid = rh_test_child_get_pid (child);
  gint64 deadline = g_get_monotonic_time () + WAIT_TIMEOUT_S * G_USEC_PER_SEC;
  guint most = 0;
  int status;

  while (!rh_test_child_has_exited (child) && g_get_monotonic_time () < deadline)
    {
      g_autoptr (GArray) web_processes = rh_test_web_processes (pid);

      most = MAX (most, web_processes->len);
      g_usleep (20 * 1000);
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  status = rh_test_child_wait (child, WAIT_TIMEOUT_S);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  /* The next page's process may start before the last one's is gone. */
  g_assert_cmpuint (most, >=, 1);
  g_assert_cmpuint (most, <=, 2);
}

typedef struct
{
  const char *name;
  const char *args[6]; /* after the room's options; PAGE: the bundled page */
  const char *list;    /* --pages' contents, or NULL */
  const char *message_part;
} UsageRow;

static const UsageRow usage_rows[] = {
  { "har", { "--har", "x.har", "PAGE", "PAGE" }, NULL, "--har writes one page's requests" },
  { "parallel-zero", { "--parallel", "0", "PAGE", "PAGE" }, NULL, "--parallel '0'" },
  { "parallel-big", { "--parallel", "17", "PAGE", "PAGE" }, NULL, "--parallel '17'" },
  { "pages-missing", { "--pages", "/nonexistent/list" }, NULL, "--pages /nonexistent/list" },
  { "pages-directory", { "--pages", "/" }, NULL, "not a file" },
  { "pages-empty", { "--pages", "LIST" }, "# nothing\n\n", "no page given" },
  { "pages-binary", { "--pages", "LIST" }, "a\0b", "not a text file" },
  { "too-many", { "--pages", "LIST" }, "MANY", "more than 100 pages" },
  { "bad-page", { "PAGE", "ftp://example.com/x" }, NULL, "[2/2] ftp://example.com/x: " },
};

/* Exit status 2 and one line naming the cause, before any page loads. */
static void
test_usage (gconstpointer data)
{
  const UsageRow *row = data;
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *list = g_build_filename (rh_test_tmpdir (), "usage-list.txt", NULL);
  g_autoptr (GPtrArray) args = g_ptr_array_new ();
  g_auto (Result) result = { 0 };

  if (row->list != NULL && g_str_equal (row->list, "MANY"))
    {
      g_autoptr (GString) many = g_string_new (NULL);

      for (guint i = 0; i < 101; i++)
        g_string_append_printf (many, "%s\n", page);
      g_assert_true (g_file_set_contents (list, many->str, -1, NULL));
    }
  else if (row->list != NULL)
    g_assert_true (g_file_set_contents (list, row->list,
                                        g_str_equal (row->name, "pages-binary") ? 3 : -1,
                                        NULL));
  for (const char *const *arg = (const char *const[]){ "--app-id", "app-1", "--room-uuid",
                                                       "room-1", "--room-type", "4", NULL };
       *arg != NULL; arg++)
    g_ptr_array_add (args, (gpointer) *arg);
  for (guint i = 0; i < G_N_ELEMENTS (row->args) && row->args[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) (g_str_equal (row->args[i], "PAGE")   ? page
                                       : g_str_equal (row->args[i], "LIST") ? list
                                                                            : row->args[i]));
  g_ptr_array_add (args, NULL);
  run_check (&result, (const char *const *) args->pdata);
  g_assert_cmpint (result.status, ==, 2);
  g_assert_nonnull (strstr (result.err, row->message_part));
  g_assert_null (strstr (result.err, "loading "));
  g_assert_cmpstr (result.out, ==, "");
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);

  g_test_add_func ("/check-batch/reports", test_reports);
  g_test_add_data_func ("/check-batch/website-data-apart/wpe", "wpe", test_website_data_apart);
  g_test_add_data_func ("/check-batch/website-data-apart/chromium", "chromium",
                        test_website_data_apart);
  g_test_add_func ("/check-batch/interrupt", test_interrupt);
  g_test_add_func ("/check-batch/engines-released", test_engines_released);
  for (guint i = 0; i < G_N_ELEMENTS (usage_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/check-batch/usage/%s", usage_rows[i].name);

      g_test_add_data_func (path, &usage_rows[i], test_usage);
    }
  return g_test_run ();
}
