/* src/rh-state-log.c: --state-log FILE, one JSON event a line, read by
 * other programs line by line.  recordhost has no reader of its own: what
 * is checked is that any event, whatever its strings, is written as one
 * line of valid JSON that reads back as written.  The input's first byte
 * chooses: even, the rest is JSON text (through the bounded loader); odd,
 * the rest is the event's strings, one a line, raw bytes as a page or an API
 * client could supply them. */
#define _GNU_SOURCE
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fuzz-common.h"
#include "rh-json.h"
#include "rh-state-log.h"

#define MAX_BYTES (64 * 1024)

static int log_fd = -1;
static RhStateLog *state_log;

/* A log in a regular file (the state log takes no other), in memory where
 * there is a tmpfs, removed at once and emptied before each input: no file
 * grows, nothing is left behind. */
static void
open_log (void)
{
  const char *dir = g_file_test ("/dev/shm", G_FILE_TEST_IS_DIR) ? "/dev/shm" : g_get_tmp_dir ();
  g_autofree char *path = g_build_filename (dir, "recordhost-fuzz-state-log-XXXXXX", NULL);

  log_fd = g_mkstemp (path);
  rh_fuzz_check (log_fd >= 0);
  state_log = rh_state_log_open (path, NULL);
  unlink (path);
  rh_fuzz_check (state_log != NULL);
}

static JsonNode *
event_of_strings (const uint8_t *data, size_t size)
{
  static const char *const names[] = { "room", "record", "message", "url" };
  g_auto (GStrv) fields = rh_fuzz_fields (data, size, G_N_ELEMENTS (names));
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "type");
  json_builder_add_string_value (builder, "recording-state");
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "state");
  json_builder_add_int_value (builder, 1);
  for (guint i = 0; fields[i] != NULL; i++)
    {
      json_builder_set_member_name (builder, names[i]);
      json_builder_add_string_value (builder, fields[i]);
    }
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static JsonNode *
event_of_json (const uint8_t *data, size_t size)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!rh_json_parser_load (parser, (const char *) data, size, MAX_BYTES, RH_JSON_MAX_DEPTH,
                            NULL)
      || json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (JsonNode) event = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *written = NULL;
  g_autofree char *again = NULL;
  struct stat st;
  char *newline;

  if (size < 1)
    return 0;
  event = data[0] % 2 == 0 ? event_of_json (data + 1, size - 1)
                           : event_of_strings (data + 1, size - 1);
  if (event == NULL)
    return 0;
  if (state_log == NULL)
    open_log ();
  rh_fuzz_check (ftruncate (log_fd, 0) == 0);
  rh_fuzz_check (rh_state_log_append (state_log, event, NULL));

  rh_fuzz_check (fstat (log_fd, &st) == 0 && st.st_size > 0);
  written = g_malloc0 (st.st_size + 1);
  rh_fuzz_check (pread (log_fd, written, st.st_size, 0) == st.st_size);
  /* One line: a newline at its end and nowhere else, no NUL before it. */
  newline = strchr (written, '\n');
  rh_fuzz_check (newline != NULL && newline == written + st.st_size - 1);
  *newline = '\0';
  rh_fuzz_check_written (written, FALSE);
  rh_fuzz_check (json_parser_load_from_data (parser, written, -1, NULL));
  again = rh_json_to_string (json_parser_get_root (parser), FALSE);
  rh_fuzz_check (g_str_equal (again, written));
  return 0;
}
