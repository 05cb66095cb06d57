/* prlimit () */
#define _GNU_SOURCE

#include "test-utils.h"

#include <errno.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>

#include "rh-fs.h"

#define POLL_INTERVAL_MS 50

static char *test_home;

static void
remove_test_home (void)
{
  rh_fs_remove_tree (test_home);
  g_clear_pointer (&test_home, g_free);
}

void
rh_test_init (int *argc, char ***argv)
{
  static const char *const homes[][2] = {
    { "HOME", "home" },
    { "XDG_CACHE_HOME", "cache" },
    { "XDG_CONFIG_HOME", "config" },
    { "XDG_DATA_HOME", "data" },
    { "XDG_STATE_HOME", "state" },
  };
  g_autofree char *program = g_path_get_basename ((*argv)[0]);
  g_autofree char *template = g_strdup_printf ("recordhost-%s-XXXXXX", program);
  g_autoptr (GError) error = NULL;

  /* Before anything asks GLib for these directories: it keeps the first answer. */
  test_home = g_dir_make_tmp (template, &error);
  if (test_home == NULL)
    g_error ("cannot make the tests' home: %s", error->message);
  atexit (remove_test_home);
  for (guint i = 0; i < G_N_ELEMENTS (homes); i++)
    {
      g_autofree char *path = g_build_filename (test_home, homes[i][1], NULL);

      if (g_mkdir_with_parents (path, 0700) != 0)
        g_error ("cannot make %s", path);
      g_setenv (homes[i][0], path, TRUE);
    }
  /* As tests/meson.build sets them, for a test program run by hand. */
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  g_test_init (argc, argv, NULL);
}

const char *
rh_test_get_home (void)
{
  return test_home;
}

static char *test_tmpdir;

static void
remove_test_tmpdir (gpointer user_data)
{
  rh_fs_remove_tree (test_tmpdir);
  g_clear_pointer (&test_tmpdir, g_free);
}

const char *
rh_test_tmpdir (void)
{
  const char *path = g_test_get_path ();
  g_autofree char *name = NULL;

  g_assert_true (path[0] == '/');
  if (test_tmpdir != NULL)
    return test_tmpdir;
  /* /area/case as area-case-XXXXXX, to tell whose it is. */
  name = g_strdup_printf ("%s-XXXXXX", path + 1);
  g_strdelimit (name, "/", '-');
  test_tmpdir = g_build_filename (test_home, name, NULL);
  if (g_mkdtemp (test_tmpdir) == NULL)
    g_error ("cannot make %s: %s", test_tmpdir, g_strerror (errno));
  g_test_queue_destroy (remove_test_tmpdir, NULL);
  return test_tmpdir;
}

JsonNode *
rh_test_parse_json (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  json_parser_load_from_data (parser, text, -1, &error);
  g_assert_no_error (error);
  g_assert_nonnull (json_parser_get_root (parser));
  return json_node_ref (json_parser_get_root (parser));
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

static gboolean
timed_out_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

void
rh_test_keep_running (guint ms)
{
  gboolean timed_out = FALSE;

  g_timeout_add (ms, timed_out_cb, &timed_out);
  while (!timed_out)
    g_main_context_iteration (NULL, TRUE);
}

gboolean
rh_test_wait_until (RhTestDoneFunc done, gpointer user_data, guint timeout_s)
{
  gboolean timed_out = FALSE;
  guint wake_id = g_timeout_add (POLL_INTERVAL_MS, wake_cb, NULL);
  guint timeout_id = g_timeout_add_seconds (timeout_s, timed_out_cb, &timed_out);
  gboolean ok;

  while (!(ok = done (user_data)) && !timed_out)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
  if (!timed_out)
    g_source_remove (timeout_id);
  return ok;
}

void
rh_test_async_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
result_arrived (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

gboolean
rh_test_wait_result (GAsyncResult **result, guint timeout_s)
{
  return rh_test_wait_until (result_arrived, result, timeout_s);
}

gboolean
rh_test_report_has_problem (JsonObject *report, const char *code, const char *severity,
                            const char *text)
{
  JsonArray *problems = json_object_get_array_member (report, "problems");

  for (guint i = 0; i < json_array_get_length (problems); i++)
    {
      JsonObject *problem = json_array_get_object_element (problems, i);

      if (g_str_equal (json_object_get_string_member (problem, "code"), code)
          && (severity == NULL
              || g_str_equal (json_object_get_string_member (problem, "severity"), severity))
          && (text == NULL
              || strstr (json_object_get_string_member (problem, "message"), text) != NULL))
        return TRUE;
    }
  return FALSE;
}

/* The JUnit schema as CI tools read it: where each element may be, the
 * attributes it must have and those it may have. */
static const struct
{
  const char *element;
  const char *parents; /* space-separated; "" for the root */
  const char *required[7];
  const char *optional[8];
  gboolean text;       /* character data allowed */
} junit_schema[] = {
  { "testsuites", "", { NULL },
    { "name", "tests", "failures", "errors", "skipped", "disabled", "time", NULL }, FALSE },
  { "testsuite", " testsuites", { "name", "tests", "failures", "errors", "skipped", "time", NULL },
    { "timestamp", "hostname", "id", "package", "disabled", "file", NULL }, FALSE },
  { "properties", "testsuite", { NULL }, { NULL }, FALSE },
  { "property", "properties", { "name", "value", NULL }, { NULL }, FALSE },
  { "testcase", "testsuite", { "name", "classname", "time", NULL },
    { "assertions", "status", "file", "line", NULL }, FALSE },
  { "failure", "testcase", { "message", NULL }, { "type", NULL }, TRUE },
  { "error", "testcase", { "message", NULL }, { "type", NULL }, TRUE },
  { "skipped", "testcase", { "message", NULL }, { NULL }, TRUE },
  { "system-out", "testcase testsuite", { NULL }, { NULL }, TRUE },
  { "system-err", "testcase testsuite", { NULL }, { NULL }, TRUE },
};

static gboolean
is_count (const char *value)
{
  return *value != '\0' && strspn (value, "0123456789") == strlen (value);
}

static gboolean
is_seconds (const char *value)
{
  return g_regex_match_simple ("^[0-9]+(\\.[0-9]+)?$", value, 0, 0);
}

static void
junit_check_element (RhTestJunit *junit, const char *element, const char **names,
                     const char **values)
{
  const char *parent = junit->open->len > 0
                         ? g_ptr_array_index (junit->open, junit->open->len - 1) : "";
  g_autofree char *padded_parents = NULL;
  g_autofree char *padded_parent = NULL;
  guint e;

  for (e = 0; e < G_N_ELEMENTS (junit_schema); e++)
    if (g_str_equal (junit_schema[e].element, element))
      break;
  if (e == G_N_ELEMENTS (junit_schema))
    g_error ("JUnit: unknown element <%s>", element);
  /* " a b " holds " a " and " b "; "  " (the root) only when it is listed. */
  padded_parents = g_strdup_printf (" %s ", junit_schema[e].parents);
  padded_parent = g_strdup_printf (" %s ", parent);
  if (strstr (padded_parents, padded_parent) == NULL)
    g_error ("JUnit: <%s> inside <%s>", element, *parent != '\0' ? parent : "nothing");
  for (guint r = 0; junit_schema[e].required[r] != NULL; r++)
    if (!g_strv_contains (names, junit_schema[e].required[r]))
      g_error ("JUnit: <%s> without %s=", element, junit_schema[e].required[r]);
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (!g_strv_contains (junit_schema[e].required, names[i])
          && !g_strv_contains (junit_schema[e].optional, names[i]))
        g_error ("JUnit: <%s %s=> is not in the schema", element, names[i]);
      if (g_strv_contains ((const char *const[]) { "tests", "failures", "errors", "skipped",
                                                   "disabled", NULL },
                           names[i])
          && !is_count (values[i]))
        g_error ("JUnit: <%s %s=\"%s\"> is not a count", element, names[i], values[i]);
      if (g_str_equal (names[i], "time") && !is_seconds (values[i]))
        g_error ("JUnit: <%s time=\"%s\"> is not seconds", element, values[i]);
    }
  if (g_str_equal (element, "properties") && junit->testcases > 0)
    g_error ("JUnit: <properties> after a <testcase>");
  if (g_str_equal (element, "testcase"))
    junit->outcomes = 0;
  if (g_str_equal (element, "failure") || g_str_equal (element, "error")
      || g_str_equal (element, "skipped"))
    if (++junit->outcomes > 1)
      g_error ("JUnit: test case %s has more than one failure, error or skipped",
               junit->testcase);
}

static void
junit_start (GMarkupParseContext *context, const char *element, const char **names,
             const char **values, gpointer user_data, GError **error)
{
  RhTestJunit *junit = user_data;
  const char *property = NULL;

  junit_check_element (junit, element, names, values);
  g_ptr_array_add (junit->open, g_strdup (element));
  for (guint i = 0; names[i] != NULL; i++)
    {
      if (g_str_equal (element, "testsuite") && g_str_equal (names[i], "name"))
        junit->name = g_strdup (values[i]);
      else if (g_str_equal (element, "testsuite") && g_str_equal (names[i], "tests"))
        junit->tests = atoi (values[i]);
      else if (g_str_equal (element, "testsuite") && g_str_equal (names[i], "failures"))
        junit->failures = atoi (values[i]);
      else if (g_str_equal (element, "testsuite") && g_str_equal (names[i], "errors"))
        junit->errors = atoi (values[i]);
      else if (g_str_equal (element, "testsuite") && g_str_equal (names[i], "skipped"))
        junit->skipped = atoi (values[i]);
      else if (g_str_equal (element, "testsuite") && g_str_equal (names[i], "time"))
        junit->time = g_strdup (values[i]);
      else if (g_str_equal (element, "property") && g_str_equal (names[i], "name"))
        property = values[i];
      else if (g_str_equal (element, "testcase") && g_str_equal (names[i], "name"))
        {
          g_free (junit->testcase);
          junit->testcase = g_strdup (values[i]);
        }
      else if ((g_str_equal (element, "failure") || g_str_equal (element, "skipped"))
               && g_str_equal (names[i], "message"))
        g_string_append (junit->text, values[i]);
    }
  for (guint i = 0; property != NULL && names[i] != NULL; i++)
    if (g_str_equal (names[i], "value") && g_str_equal (property, "page"))
      junit->page = g_strdup (values[i]);
    else if (g_str_equal (names[i], "value") && g_str_equal (property, "warnings"))
      junit->warnings = g_strdup (values[i]);
  if (g_str_equal (element, "testcase"))
    junit->testcases++;
  if (g_str_equal (element, "failure"))
    {
      junit->failure_elements++;
      g_string_append_printf (junit->failed, "%s\n", junit->testcase);
    }
  if (g_str_equal (element, "error"))
    junit->error_elements++;
  if (g_str_equal (element, "skipped"))
    {
      junit->skipped_elements++;
      g_string_append_printf (junit->skipped_cases, "%s\n", junit->testcase);
    }
}

static void
junit_end (GMarkupParseContext *context, const char *element, gpointer user_data,
           GError **error)
{
  RhTestJunit *junit = user_data;

  g_ptr_array_remove_index (junit->open, junit->open->len - 1);
}

static void
junit_text (GMarkupParseContext *context, const char *text, gsize length, gpointer user_data,
            GError **error)
{
  RhTestJunit *junit = user_data;
  const char *element = junit->open->len > 0
                          ? g_ptr_array_index (junit->open, junit->open->len - 1) : "";

  for (guint e = 0; e < G_N_ELEMENTS (junit_schema); e++)
    if (g_str_equal (junit_schema[e].element, element) && !junit_schema[e].text)
      {
        for (gsize i = 0; i < length; i++)
          if (!g_ascii_isspace (text[i]))
            g_error ("JUnit: text inside <%s>", element);
        return;
      }
  g_string_append_len (junit->text, text, length);
}

void
rh_test_junit_parse (RhTestJunit *junit, const char *xml)
{
  static const GMarkupParser parser = { junit_start, junit_end, junit_text, NULL, NULL };
  g_autoptr (GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, junit,
                                                                        NULL);
  g_autoptr (GError) error = NULL;

  junit->text = g_string_new (NULL);
  junit->failed = g_string_new (NULL);
  junit->skipped_cases = g_string_new (NULL);
  junit->open = g_ptr_array_new_with_free_func (g_free);
  g_assert_true (g_str_has_prefix (xml, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"));
  g_markup_parse_context_parse (context, xml, -1, &error);
  g_assert_no_error (error);
  g_markup_parse_context_end_parse (context, &error);
  g_assert_no_error (error);
  /* What a dashboard counts must be what the cases say. */
  g_assert_nonnull (junit->name);
  g_assert_cmpuint (junit->tests, ==, junit->testcases);
  g_assert_cmpuint (junit->failures, ==, junit->failure_elements);
  g_assert_cmpuint (junit->errors, ==, junit->error_elements);
  g_assert_cmpuint (junit->skipped, ==, junit->skipped_elements);
}

void
rh_test_junit_clear (RhTestJunit *junit)
{
  g_free (junit->name);
  g_free (junit->time);
  g_free (junit->page);
  g_free (junit->warnings);
  if (junit->text != NULL)
    g_string_free (junit->text, TRUE);
  if (junit->failed != NULL)
    g_string_free (junit->failed, TRUE);
  if (junit->skipped_cases != NULL)
    g_string_free (junit->skipped_cases, TRUE);
  if (junit->open != NULL)
    g_ptr_array_unref (junit->open);
  g_free (junit->testcase);
}

JsonObject *
rh_test_call_json (SoupSession *session, const char *method, const char *uri, const char *body,
                   const char *token, guint *status)
{
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  if (token != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "x-agora-token", token);
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, rh_test_async_cb,
                                    &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  reply = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  if (status != NULL)
    *status = soup_message_get_status (msg);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                             g_bytes_get_size (reply), &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

const RhTestTokenForm rh_test_token_forms[] = {
  { "raw", TRUE },
  { "percent", TRUE },
  { "percent-lower", TRUE },
  { "form", TRUE },
  { "json", TRUE },
  { "json-ascii", TRUE },
  { "json-percent", TRUE },
  { "base64", TRUE },
  { "base64-unpadded", TRUE },
  { "base64url", TRUE },
  { "base64url-padded", TRUE },
  { "base64-percent", TRUE },
  { "base64-after-1", FALSE },
  { "base64-after-2", FALSE },
  { "base64-before", FALSE },
  { "mixed", TRUE },
  { NULL, FALSE },
};

/* encodeURIComponent (), with lower-case hex digits if @lower. */
static char *
percent (const char *text, gboolean lower)
{
  char *escaped = g_uri_escape_string (text, "!*'()", FALSE);

  for (char *p = escaped; lower && *p != '\0'; p++)
    if (*p == '%')
      {
        p[1] = g_ascii_tolower (p[1]);
        p[2] = g_ascii_tolower (p[2]);
      }
  return escaped;
}

/* URLSearchParams: application/x-www-form-urlencoded. */
static char *
form_encode (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (g_ascii_isalnum (*p) || strchr ("*-._", *p) != NULL)
        g_string_append_c (out, (char) *p);
      else if (*p == ' ')
        g_string_append_c (out, '+');
      else
        g_string_append_printf (out, "%%%02X", *p);
    }
  return g_string_free (out, FALSE);
}

/* Inside a JSON string: JSON.stringify ()'s escapes, or, with @ascii, also
 * \uXXXX for what is not ASCII and \/ for a slash (as PHP writes). */
static char *
json_escape (const char *text, gboolean ascii)
{
  GString *out = g_string_new (NULL);

  for (const char *p = text; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == '"' || c == '\\')
        g_string_append_printf (out, "\\%c", (char) c);
      else if (c == '/' && ascii)
        g_string_append (out, "\\/");
      else if (c < 0x20 || (ascii && c >= 0x80 && c < 0x10000))
        g_string_append_printf (out, "\\u%04x", c);
      else if (ascii && c >= 0x10000)
        g_string_append_printf (out, "\\u%04x\\u%04x", 0xd800 + ((c - 0x10000) >> 10),
                                0xdc00 + ((c - 0x10000) & 0x3ff));
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }
  return g_string_free (out, FALSE);
}

/* btoa () of the UTF-8 of @text, as base64url without padding if @url. */
static char *
base64 (const char *text, gboolean url, gboolean padded)
{
  char *encoded = g_base64_encode ((const guchar *) text, strlen (text));

  for (char *p = encoded; url && *p != '\0'; p++)
    *p = *p == '+' ? '-' : *p == '/' ? '_' : *p;
  if (!padded && strchr (encoded, '=') != NULL)
    *strchr (encoded, '=') = '\0';
  return encoded;
}

char *
rh_test_token_form (const char *token, const char *form)
{
  if (g_str_equal (form, "raw"))
    return g_strdup (token);
  if (g_str_equal (form, "percent") || g_str_equal (form, "percent-lower"))
    return percent (token, g_str_equal (form, "percent-lower"));
  if (g_str_equal (form, "form"))
    return form_encode (token);
  if (g_str_equal (form, "json") || g_str_equal (form, "json-ascii"))
    return json_escape (token, g_str_equal (form, "json-ascii"));
  if (g_str_equal (form, "json-percent"))
    {
      g_autofree char *json = json_escape (token, FALSE);

      return percent (json, FALSE);
    }
  if (g_str_equal (form, "base64") || g_str_equal (form, "base64-unpadded"))
    return base64 (token, FALSE, g_str_equal (form, "base64"));
  if (g_str_equal (form, "base64url") || g_str_equal (form, "base64url-padded"))
    return base64 (token, TRUE, g_str_equal (form, "base64url-padded"));
  if (g_str_equal (form, "base64-percent"))
    {
      g_autofree char *encoded = base64 (token, FALSE, TRUE);

      return percent (encoded, FALSE);
    }
  if (g_str_has_prefix (form, "base64-after-") || g_str_equal (form, "base64-before"))
    {
      g_autofree char *data = g_str_equal (form, "base64-after-1") ? g_strconcat ("x", token, NULL)
                              : g_str_equal (form, "base64-after-2")
                                ? g_strconcat ("xy", token, NULL)
                                : g_strconcat (token, ":more", NULL);

      return base64 (data, FALSE, TRUE);
    }
  if (g_str_equal (form, "mixed"))
    {
      g_autofree char *head = g_strndup (token, 8);
      g_autofree char *tail = percent (token + 8, TRUE);

      return g_strconcat (head, tail, NULL);
    }
  g_error ("no token form %s", form);
}

RhBrowserEngine
rh_test_engine (void)
{
  const char *name = g_getenv ("RECORDHOST_TEST_ENGINE");
  RhBrowserEngine engine = RH_BROWSER_ENGINE_WPE;
  g_autoptr (GError) error = NULL;

  if (name != NULL && !rh_browser_engine_parse (name, &engine, &error))
    g_error ("RECORDHOST_TEST_ENGINE: %s", error->message);
  return engine;
}

const char *
rh_test_engine_name (void)
{
  return rh_browser_engine_name (rh_test_engine ());
}

gboolean
rh_test_engine_is (RhBrowserEngine engine, const char *why)
{
  g_autofree char *message = NULL;

  if (rh_test_engine () == engine)
    return TRUE;
  message = g_strdup_printf ("%s only: %s", rh_browser_engine_name (engine), why);
  g_test_skip (message);
  return FALSE;
}

RhPageOptions *
rh_test_page_options_new (const char *page)
{
  RhPageOptions *options = rh_page_options_new ();

  rh_page_options_set_engine (options, rh_test_engine ());

  options->room = rh_room_new ();
  options->room->app_id = g_strdup ("app-1");
  options->room->room_uuid = g_strdup ("room-1");
  options->room->room_type = 4;
  options->room->user_uuid = g_strdup ("rec-1");
  options->room->start_time_ms = 1700000000000;
  options->page = g_strdup (page);
  options->echo = g_test_verbose ();
  return options;
}

RhCheck *
rh_test_check_new (RhPageOptions *options, RhReadyEndpoint **endpoint, GError **error)
{
  RhCheck *check;

  *endpoint = rh_ready_endpoint_open (options->room, options->api_base, options->sdk_api_local,
                                      options->routes, error);
  if (*endpoint == NULL)
    {
      rh_page_options_free (options);
      return NULL;
    }
  check = rh_check_new (options, (*endpoint)->call, error);
  if (check != NULL)
    rh_ready_endpoint_tell (*endpoint, rh_check_get_timeline (check));
  return check;
}

gboolean
rh_test_check_run (RhCheck *check, JsonObject **report, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonNode) node = NULL;
  gboolean passed;

  rh_check_run_async (check, NULL, rh_test_async_cb, &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  passed = rh_check_run_finish (check, result, error);
  node = rh_check_to_json (check);
  *report = json_object_ref (json_node_get_object (node));
  return passed;
}

RhRun *
rh_test_run_new (RhRunOptions *options, RhReadyEndpoint **endpoint, GError **error)
{
  RhRun *run;

  *endpoint = rh_ready_endpoint_open (options->page->room, options->page->api_base,
                                      options->page->sdk_api_local, options->page->routes, error);
  if (*endpoint == NULL)
    {
      rh_run_options_free (options);
      return NULL;
    }
  run = rh_run_new (options, (*endpoint)->call, error);
  if (run != NULL)
    rh_ready_endpoint_tell (*endpoint, rh_run_get_timeline (run));
  return run;
}

struct _RhTestChild
{
  GSubprocess *process;
  char *out_path;
  char *err_path;
  gboolean exited;
};

/* In the child before exec: a test that aborts takes its recordhost with it,
 * instead of leaving a cloud listening or a page spinning. */
static void
die_with_test (gpointer user_data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
child_exited_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((RhTestChild *) user_data)->exited = TRUE;
}

/* A file size limit (rh_test_child_limit_file_size ()) fails the write with
 * EFBIG, as a full disk fails it with ENOSPC, instead of killing. */
static void
child_setup (gpointer user_data)
{
  die_with_test (user_data);
  signal (SIGXFSZ, SIG_IGN);
}

RhTestChild *
rh_test_child_spawn (const char *const *args, const char *const *env)
{
  static const char *const engine_commands[] = { "check", "run", "demo", "cloud", NULL };
  static guint spawned;
  RhTestChild *child = g_new0 (RhTestChild, 1);
  g_autoptr (GPtrArray) argv = g_ptr_array_new ();
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GError) error = NULL;

  spawned++;
  child->out_path = g_strdup_printf ("%s/child-%u.out", rh_test_tmpdir (), spawned);
  child->err_path = g_strdup_printf ("%s/child-%u.err", rh_test_tmpdir (), spawned);
  g_ptr_array_add (argv, (gpointer) RECORDHOST_BINARY);
  for (guint i = 0; args[i] != NULL; i++)
    {
      g_ptr_array_add (argv, (gpointer) args[i]);
      if (i == 0 && rh_test_engine () != RH_BROWSER_ENGINE_WPE
          && g_strv_contains (engine_commands, args[0]))
        {
          g_ptr_array_add (argv, (gpointer) "--engine");
          g_ptr_array_add (argv, (gpointer) rh_test_engine_name ());
        }
    }
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, child->out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, child->err_path);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto (GStrv) name_value = g_strsplit (env[i], "=", 2);

      g_assert_nonnull (name_value[1]);
      g_subprocess_launcher_setenv (launcher, name_value[0], name_value[1], TRUE);
    }
  child->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                                 &error);
  g_assert_no_error (error);
  g_subprocess_wait_async (child->process, NULL, child_exited_cb, child);
  return child;
}

static char *
read_or_empty (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

char *
rh_test_child_get_stdout (RhTestChild *child)
{
  return read_or_empty (child->out_path);
}

char *
rh_test_child_get_stderr (RhTestChild *child)
{
  return read_or_empty (child->err_path);
}

gboolean
rh_test_child_has_exited (RhTestChild *child)
{
  return child->exited;
}

GPid
rh_test_child_get_pid (RhTestChild *child)
{
  const char *identifier = g_subprocess_get_identifier (child->process);

  g_assert_nonnull (identifier);
  return (GPid) g_ascii_strtoll (identifier, NULL, 10);
}

static gboolean
child_exited (gpointer user_data)
{
  return ((RhTestChild *) user_data)->exited;
}

void
rh_test_child_free (RhTestChild *child)
{
  /* By its PID: the process itself, not a group the test shares. */
  if (!child->exited)
    g_subprocess_force_exit (child->process);
  if (!rh_test_wait_until (child_exited, child, 60))
    g_error ("recordhost still running 60 s after SIGKILL");
  g_object_unref (child->process);
  g_unlink (child->out_path);
  g_unlink (child->err_path);
  g_free (child->out_path);
  g_free (child->err_path);
  g_free (child);
}

typedef struct
{
  RhTestChild *child;
  const char *text;
} StderrWait;

static gboolean
stderr_has_text (gpointer user_data)
{
  StderrWait *wait = user_data;
  g_autofree char *err = rh_test_child_get_stderr (wait->child);

  return strstr (err, wait->text) != NULL || wait->child->exited;
}

void
rh_test_child_wait_stderr (RhTestChild *child, const char *text, guint timeout_s)
{
  StderrWait wait = { child, text };
  g_autofree char *err = NULL;

  rh_test_wait_until (stderr_has_text, &wait, timeout_s);
  err = rh_test_child_get_stderr (child);
  if (strstr (err, text) == NULL)
    g_error ("waited in vain for \"%s\" on stderr; it says:\n%s", text, err);
}

static pid_t
child_pid (RhTestChild *child)
{
  const char *id = g_subprocess_get_identifier (child->process);

  g_assert_nonnull (id);
  return (pid_t) g_ascii_strtoll (id, NULL, 10);
}

void
rh_test_child_limit_file_size (RhTestChild *child, guint64 bytes)
{
  pid_t pid = child_pid (child);
  struct rlimit limit;

  if (prlimit (pid, RLIMIT_FSIZE, NULL, &limit) != 0)
    g_error ("prlimit: %s", g_strerror (errno));
  limit.rlim_cur = bytes;
  if (prlimit (pid, RLIMIT_FSIZE, &limit, NULL) != 0)
    g_error ("prlimit: %s", g_strerror (errno));
}

void
rh_test_child_send_signal (RhTestChild *child, int signal_number)
{
  g_subprocess_send_signal (child->process, signal_number);
}

int
rh_test_child_wait (RhTestChild *child, guint timeout_s)
{
  if (!rh_test_wait_until (child_exited, child, timeout_s))
    {
      g_autofree char *err = rh_test_child_get_stderr (child);

      g_error ("recordhost still running after %u s; its stderr:\n%s", timeout_s, err);
    }
  return g_subprocess_get_status (child->process);
}

char *
rh_test_page_path (const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "..", "page", name, NULL);

  return g_canonicalize_filename (path, NULL);
}

struct _RhTestBeacon
{
  SoupServer *server;
  char *url;
  guint requests;
};

static void
beacon_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
           gpointer user_data)
{
  RhTestBeacon *beacon = user_data;

  beacon->requests++;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                "Access-Control-Allow-Origin", "*");
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
}

RhTestBeacon *
rh_test_beacon_new (void)
{
  RhTestBeacon *beacon = g_new0 (RhTestBeacon, 1);
  g_autoptr (GError) error = NULL;
  g_autoslist (GUri) uris = NULL;

  beacon->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (beacon->server, NULL, beacon_cb, beacon, NULL);
  soup_server_listen_local (beacon->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (beacon->server);
  g_assert_nonnull (uris);
  beacon->url = g_strdup_printf ("http://127.0.0.1:%d/loaded", g_uri_get_port (uris->data));
  return beacon;
}

void
rh_test_beacon_free (RhTestBeacon *beacon)
{
  soup_server_disconnect (beacon->server);
  g_object_unref (beacon->server);
  g_free (beacon->url);
  g_free (beacon);
}

const char *
rh_test_beacon_get_url (RhTestBeacon *beacon)
{
  return beacon->url;
}

static gboolean
beacon_heard (gpointer user_data)
{
  return ((RhTestBeacon *) user_data)->requests > 0;
}

void
rh_test_beacon_wait (RhTestBeacon *beacon, guint timeout_s)
{
  if (!rh_test_wait_until (beacon_heard, beacon, timeout_s))
    g_error ("no request to %s within %u s", beacon->url, timeout_s);
}

char *
rh_test_last_line_with_prefix (const char *text, const char *prefix)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  const char *found = NULL;

  for (guint i = 0; lines[i] != NULL; i++)
    if (g_str_has_prefix (lines[i], prefix))
      found = lines[i];
  return g_strdup (found);
}

/* The HAR 1.2 schema (the har-validator module) accepts the file at @path;
 * skips when node or the module is missing on this machine. */
void
rh_test_assert_har_valid (const char *path)
{
  g_autofree char *node = g_find_program_in_path ("node");
  const char *script = "const fs = require ('fs');"
                       "require ('har-validator').har (JSON.parse (fs.readFileSync ("
                       "process.argv[1]))).then (() => process.exit (0), (e) => {"
                       " console.error (JSON.stringify (e.errors || e.message));"
                       " process.exit (1); });";
  g_auto (GStrv) env = g_get_environ ();
  const char *node_path = g_environ_getenv (env, "NODE_PATH");
  const char *probe_args[] = { node, "-e", "require.resolve ('har-validator')", NULL };
  const char *args[] = { node, "-e", script, path, NULL };
  g_autofree char *modules = NULL;
  g_autofree char *err = NULL;
  int status = -1;

  if (node == NULL)
    {
      g_test_skip ("no node to run har-validator");
      return;
    }
  /* Debian's node modules, where a node of another origin does not look. */
  modules = node_path != NULL ? g_strconcat (node_path, ":/usr/share/nodejs", NULL)
                              : g_strdup ("/usr/share/nodejs");
  env = g_environ_setenv (env, "NODE_PATH", modules, TRUE);
  g_assert_true (g_spawn_sync (NULL, (char **) probe_args, env,
                               G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, NULL, NULL, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_test_skip ("no har-validator module for node");
      return;
    }
  g_assert_true (g_spawn_sync (NULL, (char **) args, env, G_SPAWN_STDOUT_TO_DEV_NULL, NULL,
                               NULL, NULL, &err, &status, NULL));
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("the HAR file is not valid HAR 1.2: %s", err);
}

/* Whether /proc/@pid's command line has @text, its arguments joined by
 * spaces (Chromium's processes rewrite theirs so). */
static gboolean
cmdline_has (const char *pid, const char *text)
{
  g_autofree char *path = g_build_filename ("/proc", pid, "cmdline", NULL);
  g_autofree char *cmdline = NULL;
  gsize length = 0;

  if (!g_file_get_contents (path, &cmdline, &length, NULL))
    return FALSE;
  for (gsize i = 0; i < length; i++)
    if (cmdline[i] == '\0')
      cmdline[i] = ' ';
  return strstr (cmdline, text) != NULL;
}

GArray *
rh_test_web_processes (GPid parent)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  g_autoptr (GHashTable) parents = g_hash_table_new (g_direct_hash, g_direct_equal);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  gboolean chromium = rh_test_engine () == RH_BROWSER_ENGINE_CHROMIUM;
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  const char *name;

  g_assert_nonnull (dir);
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *after_name;
      int pid = 0;
      int ppid = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      /* "PID (COMM) STATE PPID ...": COMM may hold spaces and parentheses. */
      after_name = strrchr (stat, ')');
      if (after_name == NULL || sscanf (stat, "%d", &pid) != 1
          || sscanf (after_name, ") %*c %d", &ppid) != 1)
        continue;
      g_hash_table_insert (parents, GINT_TO_POINTER (pid), GINT_TO_POINTER (ppid));
      /* WPE's are its children; Chromium's renderers are the zygote's. */
      if (chromium ? cmdline_has (name, "--type=renderer")
                   : ppid == parent && strstr (stat, " (WPEWebProcess) ") != NULL)
        g_ptr_array_add (names, g_strdup (name));
    }
  for (guint i = 0; i < names->len; i++)
    {
      GPid pid = atoi (g_ptr_array_index (names, i));

      for (GPid up = pid; up > 1; up = GPOINTER_TO_INT (g_hash_table_lookup (parents,
                                                                              GINT_TO_POINTER (up))))
        if (up == parent)
          {
            g_array_append_val (pids, pid);
            break;
          }
    }
  return pids;
}

/* A 1x1 PNG. */
const guint8 rh_test_picture_png[]
    = { 0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48,
        0x44, 0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00,
        0x00, 0x90, 0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x78,
        0x9c, 0x63, 0xf8, 0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0xc9, 0xfe, 0x92,
        0xef, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82 };
const gsize rh_test_picture_png_size = sizeof rh_test_picture_png;

guint
rh_test_count_tagged (const char *variable)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;
  guint found = 0;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "environ", NULL);
      g_autofree char *environ_data = NULL;
      gsize length = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &environ_data, &length, NULL))
        continue;
      for (gsize at = 0; at < length; at += strlen (environ_data + at) + 1)
        if (g_str_equal (environ_data + at, variable))
          {
            found++;
            break;
          }
    }
  return found;
}

SoupServer *
rh_test_server_new (SoupServerCallback callback, gpointer user_data, char **base_url)
{
  SoupServer *server = soup_server_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  GSList *uris;

  soup_server_add_handler (server, NULL, callback, user_data, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (server);
  *base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  g_slist_free_full (uris, (GDestroyNotify) g_uri_unref);
  return server;
}
