/* --state-log FILE: each event one line of JSON, on disk when append
 * returns, read back as written; a place it cannot write is refused. */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "rh-error.h"
#include "rh-state-log.h"
#include "test-utils.h"

static JsonNode *
event_new (gint64 reason, const char *room)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "recording-state");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_int_value (builder, reason);
  json_builder_set_member_name (builder, "room");
  json_builder_add_string_value (builder, room);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
append (RhStateLog *log, JsonNode *event)
{
  g_autoptr (GError) error = NULL;

  g_assert_true (rh_state_log_append (log, event, &error));
  g_assert_no_error (error);
}

/* The file's lines; it must end with a newline. */
static GStrv
read_lines (const char *path)
{
  g_autofree char *contents = NULL;
  GStrv lines;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  g_assert_true (g_str_has_suffix (contents, "\n"));
  contents[strlen (contents) - 1] = '\0';
  lines = g_strsplit (contents, "\n", -1);
  return lines;
}

static const char *
line_room (JsonNode *line)
{
  return json_object_get_string_member (
    json_object_get_object_member (json_node_get_object (line), "data"), "room");
}

/* Each append is in the file before the next, in order, the log still open. */
static void
test_append_read_back (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "state.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhStateLog) log = rh_state_log_open (path, &error);
  g_autoptr (JsonNode) first = event_new (1, "r1");
  g_autoptr (JsonNode) second = event_new (2, "r1");
  g_auto (GStrv) lines = NULL;

  g_assert_no_error (error);
  g_assert_nonnull (log);
  append (log, first);
  lines = read_lines (path);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
  append (log, second);
  g_clear_pointer (&lines, g_strfreev);
  lines = read_lines (path);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      g_autoptr (JsonNode) line = rh_test_parse_json (lines[i]);
      JsonObject *data = json_object_get_object_member (json_node_get_object (line), "data");

      g_assert_cmpstr (json_object_get_string_member (json_node_get_object (line), "type"), ==,
                       "recording-state");
      g_assert_cmpint (json_object_get_int_member (data, "reason"), ==, i + 1);
    }
}

/* Strings from outside stay on their line and read back as JSON: a newline,
 * a terminal's escape, a quote, invalid UTF-8 (made U+FFFD). */
static void
test_outside_text (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "state.jsonl", NULL);
  g_autoptr (RhStateLog) log = rh_state_log_open (path, NULL);
  g_autoptr (JsonNode) escapes = event_new (1, "a\nb\r\x1b[2J\"\\");
  g_autoptr (JsonNode) invalid = event_new (2, "x\xff\xc3y");
  g_autoptr (JsonNode) first = NULL;
  g_autoptr (JsonNode) second = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_nonnull (log);
  append (log, escapes);
  append (log, invalid);
  lines = read_lines (path);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_null (strchr (lines[0], '\x1b'));
  first = rh_test_parse_json (lines[0]);
  second = rh_test_parse_json (lines[1]);
  g_assert_cmpstr (line_room (first), ==, "a\nb\r\x1b[2J\"\\");
  g_assert_true (g_utf8_validate (lines[1], -1, NULL));
  g_assert_cmpstr (line_room (second), ==, "x\xef\xbf\xbd\xef\xbf\xbdy");
}

/* A number JSON cannot write is null, as JSON.stringify () has it. */
static void
test_number_not_finite (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "state.jsonl", NULL);
  g_autoptr (RhStateLog) log = rh_state_log_open (path, NULL);
  g_autoptr (JsonNode) event = event_new (1, "r");
  g_autoptr (JsonNode) line = NULL;
  g_auto (GStrv) lines = NULL;
  JsonObject *data = json_object_get_object_member (json_node_get_object (event), "data");

  json_object_set_double_member (data, "elapsed", INFINITY);
  json_object_set_double_member (data, "big", 1e21);
  append (log, event);
  lines = read_lines (path);
  line = rh_test_parse_json (lines[0]);
  data = json_object_get_object_member (json_node_get_object (line), "data");
  g_assert_true (json_object_get_null_member (data, "elapsed"));
  g_assert_cmpfloat (json_object_get_double_member (data, "big"), ==, 1e21);
}

/* A log opened again goes on after what is there. */
static void
test_appends_to_existing (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "state.jsonl", NULL);
  g_autoptr (JsonNode) event = event_new (2, "r");
  g_autoptr (RhStateLog) log = NULL;
  g_auto (GStrv) lines = NULL;

  g_assert_true (g_file_set_contents (path, "{\"earlier\":1}\n", -1, NULL));
  log = rh_state_log_open (path, NULL);
  g_assert_nonnull (log);
  append (log, event);
  lines = read_lines (path);
  g_assert_cmpuint (g_strv_length (lines), ==, 2);
  g_assert_cmpstr (lines[0], ==, "{\"earlier\":1}");
}

typedef struct
{
  const char *name;
  const char *path; /* under the test's directory; @TMP@ for the directory itself */
} UnwritableRow;

static const UnwritableRow unwritable_rows[] = {
  { "no-directory", "no-such-dir/state.jsonl" },
  { "a-directory", "@TMP@" },
  { "a-fifo", "@FIFO@" },
  { "a-link", "@LINK@" },
  { "a-device", "/dev/null" },
};

/* Where @row says, made as it says. */
static char *
unwritable_path (const UnwritableRow *row)
{
  const char *tmp = rh_test_tmpdir ();
  char *path;

  if (g_str_equal (row->path, "@TMP@"))
    return g_strdup (tmp);
  if (g_str_has_prefix (row->path, "/"))
    return g_strdup (row->path);
  if (g_str_equal (row->path, "@FIFO@"))
    {
      path = g_build_filename (tmp, "fifo.jsonl", NULL);
      g_assert_cmpint (mkfifo (path, 0600), ==, 0);
      return path;
    }
  if (g_str_equal (row->path, "@LINK@"))
    {
      g_autofree char *target = g_build_filename (tmp, "elsewhere.jsonl", NULL);

      path = g_build_filename (tmp, "link.jsonl", NULL);
      g_assert_cmpint (symlink (target, path), ==, 0);
      return path;
    }
  return g_build_filename (tmp, row->path, NULL);
}

/* Refused at open, as a usage error that names the option and the path;
 * a FIFO without a reader does not hold the open, a link is not followed. */
static void
test_unwritable (gconstpointer data)
{
  const UnwritableRow *row = data;
  g_autofree char *path = unwritable_path (row);
  g_autofree char *elsewhere = g_build_filename (rh_test_tmpdir (), "elsewhere.jsonl", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhStateLog) log = rh_state_log_open (path, &error);

  g_assert_null (log);
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_true (g_str_has_prefix (error->message, "cannot open --state-log "));
  g_assert_nonnull (strstr (error->message, path));
  g_assert_false (g_file_test (elsewhere, G_FILE_TEST_EXISTS));
}

/* A full disk (here a file size limit, EFBIG, SIGXFSZ ignored): the append
 * fails, saying so, instead of losing the event, and leaves no part of its
 * line: the lines before are all the file holds. */
static void
test_disk_full (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "state.jsonl", NULL);
  g_autoptr (JsonNode) first = event_new (1, "r");
  g_autoptr (JsonNode) second = event_new (2, "a room whose name is long enough to be cut");
  g_autoptr (GError) error = NULL;
  g_autoptr (RhStateLog) log = rh_state_log_open (path, &error);
  g_auto (GStrv) lines = NULL;
  struct rlimit saved_limit, limit;
  void (*saved_handler) (int) = signal (SIGXFSZ, SIG_IGN);
  GStatBuf info;
  gboolean appended;

  g_assert_no_error (error);
  append (log, first);
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  limit = saved_limit;
  limit.rlim_cur = info.st_size + 10;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  appended = rh_state_log_append (log, second, &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_false (appended);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FAILED);
  g_assert_true (g_str_has_prefix (error->message, "cannot write --state-log "));
  g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
  lines = read_lines (path);
  g_assert_cmpuint (g_strv_length (lines), ==, 1);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/state-log/append-read-back", test_append_read_back);
  g_test_add_func ("/state-log/outside-text", test_outside_text);
  g_test_add_func ("/state-log/number-not-finite", test_number_not_finite);
  g_test_add_func ("/state-log/appends-to-existing", test_appends_to_existing);
  for (guint i = 0; i < G_N_ELEMENTS (unwritable_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/state-log/unwritable/%s",
                                               unwritable_rows[i].name);

      g_test_add_data_func (path, &unwritable_rows[i], test_unwritable);
    }
  g_test_add_func ("/state-log/disk-full", test_disk_full);
  return g_test_run ();
}
