/* The WebRTC and media stand-in (data/bridge/webrtc-standin.js) on its own: a test
 * page exercises it as the SDKs and webrtc-adapter do, in the real WebKit
 * view, and reports each check on the console. */
#include <string.h>

#include "rh-check.h"
#include "rh-error.h"
#include "test-utils.h"

static const char *const checks[] = {
  "globals-writable-configurable", "no-webkit-prefix", "adapter-probes", "media-stream-track",
  "offer-answer-connects", "data-channel-opens", "recorder-devices",
};

/* The console of one run of the page, per WebRTC mode. */
static GPtrArray *console_lines[2];

static GPtrArray *
run_page (RhWebrtcMode mode)
{
  g_autoptr (RhPageOptions) options = rh_page_options_new ();
  g_autoptr (RhReadyEndpoint) endpoint = NULL;
  g_autoptr (RhCheck) check = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) report = NULL;
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  JsonArray *events;

  options->room = rh_room_new ();
  options->room->app_id = g_strdup ("app");
  options->room->room_uuid = g_strdup ("room");
  options->room->room_type = 4;
  options->room->user_uuid = g_strdup ("rec");
  options->page = g_test_build_filename (G_TEST_DIST, "pages", "webrtc-standin.html", NULL);
  options->ready = rh_ready_protocol_parse ("console:standin-done", NULL);
  options->webrtc = mode;
  options->timeout_s = 30;
  options->paint_grace_ms = 0;
  options->echo = g_test_verbose ();
  check = rh_test_check_new (g_steal_pointer (&options), &endpoint, &error);
  g_assert_no_error (error);
  rh_check_run_async (check, NULL, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 90));
  rh_check_run_finish (check, result, &error);
  report = rh_check_to_json (check);
  events = json_object_get_array_member (json_node_get_object (report), "events");
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_str_equal (json_object_get_string_member (event, "type"), "console"))
        g_ptr_array_add (lines, g_strdup (json_object_get_string_member (event, "text")));
    }
  /* The page got to its end: every check reported. */
  g_assert_no_error (error);
  return lines;
}

static const char *
outcome (RhWebrtcMode mode, const char *name)
{
  GPtrArray **lines = &console_lines[mode == RH_WEBRTC_STANDIN ? 0 : 1];

  if (*lines == NULL)
    *lines = run_page (mode);
  for (guint i = 0; i < (*lines)->len; i++)
    {
      const char *text = g_ptr_array_index (*lines, i);
      const char *rest = strchr (text, ' ');

      /* "console.log: PASS name" */
      if (rest != NULL
          && (g_str_has_prefix (rest + 1, "PASS ") || g_str_has_prefix (rest + 1, "FAIL "))
          && g_str_has_prefix (rest + 6, name)
          && (rest[6 + strlen (name)] == '\0' || rest[6 + strlen (name)] == ':'))
        return rest + 1;
    }
  return NULL;
}

static void
test_check (gconstpointer data)
{
  const char *line = outcome (RH_WEBRTC_STANDIN, data);
  g_autofree char *passed = g_strconcat ("PASS ", (const char *) data, NULL);

  g_assert_nonnull (line);
  g_assert_cmpstr (line, ==, passed);
}

/* --webrtc=absent leaves the engine as it is: the same checks fail. */
static void
test_absent (void)
{
  const char *line = outcome (RH_WEBRTC_ABSENT, "globals-writable-configurable");

  g_assert_nonnull (line);
  g_assert_true (g_str_has_prefix (line, "FAIL "));
  line = outcome (RH_WEBRTC_ABSENT, "recorder-devices");
  g_assert_true (g_str_has_prefix (line, "FAIL "));
}

int
main (int argc, char **argv)
{
  int status;

  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (checks); i++)
    {
      g_autofree char *path = g_strdup_printf ("/webrtc-standin/%s", checks[i]);

      g_test_add_data_func (path, checks[i], test_check);
    }
  g_test_add_func ("/webrtc-standin/absent", test_absent);
  status = g_test_run ();
  for (guint i = 0; i < G_N_ELEMENTS (console_lines); i++)
    g_clear_pointer (&console_lines[i], g_ptr_array_unref);
  return status;
}
