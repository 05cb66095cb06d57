#include "test-utils.h"

#include <stdlib.h>
#include <string.h>

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
