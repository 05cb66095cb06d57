/* What a command is told before it opens a page: defaults, validation
 * before anything starts, and the secrets the output must not show. */
#include <string.h>

#include "rh-error.h"
#include "rh-page-options.h"
#include "test-utils.h"

#define PAGE "https://cdn.example/record_page.html"

static RhPageOptions *
options_new (void)
{
  return rh_test_page_options_new (PAGE);
}

static void
test_defaults (void)
{
  g_autoptr (RhPageOptions) options = rh_page_options_new ();

  g_assert_null (options->room);
  g_assert_null (options->page);
  g_assert_cmpuint (options->record.width, ==, RH_RECORD_CONFIG_DEFAULT_WIDTH);
  g_assert_cmpuint (options->record.height, ==, RH_RECORD_CONFIG_DEFAULT_HEIGHT);
  g_assert_null (options->ready);
  g_assert_null (options->api_base);
  g_assert_cmpuint (options->timeout_s, ==, RH_PAGE_OPTIONS_DEFAULT_TIMEOUT_S);
  g_assert_true (options->echo);
  g_assert_null (options->snapshots_dir);
  g_assert_null (options->junit);
  g_assert_null (options->har);
  g_assert_cmpuint (options->slow_paint_ms, ==, RH_PAGE_OPTIONS_DEFAULT_SLOW_PAINT_MS);
  g_assert_cmpuint (options->paint_grace_ms, ==, RH_PAGE_OPTIONS_DEFAULT_PAINT_GRACE_MS);
  g_assert_cmpint (options->webrtc, ==, RH_WEBRTC_STANDIN);
  g_assert_nonnull (options->routes);
  g_assert_cmpuint (options->routes->len, ==, 0);
  g_assert_false (options->sdk_api_local);
  g_assert_null (options->user_agent);
  g_assert_cmpuint (options->page_memory_mb, ==, RH_PAGE_OPTIONS_DEFAULT_PAGE_MEMORY_MB);
  g_assert_false (options->file_access);
}

/* Valid options: the room's page URL, ready on event 1 unless told. */
static void
test_prepare (void)
{
  g_autoptr (RhPageOptions) options = options_new ();
  g_autofree char *page_url = NULL;
  g_autofree char *expected = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_true (rh_page_options_prepare (options, &page_url, &error));
  g_assert_no_error (error);
  expected = rh_room_build_page_url (options->room, PAGE, NULL);
  g_assert_cmpstr (page_url, ==, expected);
  g_assert_true (g_str_has_prefix (page_url, PAGE "?appId=app-1&roomUuid=room-1&roomType=4&"));
  g_assert_nonnull (options->ready);
  g_assert_cmpstr (rh_ready_protocol_describe (options->ready), ==, "launch listener event 1");
}

static void
test_prepare_keeps_ready (void)
{
  g_autoptr (RhPageOptions) options = options_new ();
  g_autofree char *page_url = NULL;

  options->ready = rh_ready_protocol_parse ("notify", NULL);
  g_assert_true (rh_page_options_prepare (options, &page_url, NULL));
  g_assert_cmpstr (rh_ready_protocol_describe (options->ready), ==, "navigator.notifyReady()");
}

/* The web process's memory bound, at its ends and just past them. */
static void
test_prepare_page_memory (void)
{
  const struct
  {
    guint mb;
    gboolean valid;
  } rows[] = {
    { RH_PAGE_OPTIONS_MIN_PAGE_MEMORY_MB - 1, FALSE },
    { RH_PAGE_OPTIONS_MIN_PAGE_MEMORY_MB, TRUE },
    { RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB, TRUE },
    { RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB + 1, FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (RhPageOptions) options = options_new ();
      g_autofree char *page_url = NULL;
      g_autoptr (GError) error = NULL;

      options->page_memory_mb = rows[i].mb;
      g_assert_cmpint (rh_page_options_prepare (options, &page_url, &error), ==, rows[i].valid);
      if (rows[i].valid)
        g_assert_no_error (error);
      else
        g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
    }
}

/* The directory for pictures is made, parents and all, before the page opens. */
static void
test_prepare_makes_snapshots_dir (void)
{
  g_autoptr (RhPageOptions) options = options_new ();
  g_autofree char *dir = g_build_filename (rh_test_tmpdir (), "a", "b", "pictures", NULL);
  g_autofree char *page_url = NULL;
  g_autoptr (GError) error = NULL;

  options->snapshots_dir = g_strdup (dir);
  options->junit = g_build_filename (rh_test_tmpdir (), "report.xml", NULL);
  options->har = g_build_filename (rh_test_tmpdir (), "requests.har", NULL);
  g_assert_true (rh_page_options_prepare (options, &page_url, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (dir, G_FILE_TEST_IS_DIR));
  /* Only checked: nothing written yet. */
  g_assert_false (g_file_test (options->junit, G_FILE_TEST_EXISTS));
}

typedef void (*SpoilFunc) (RhPageOptions *options);

static void
spoil_width (RhPageOptions *options)
{
  options->record.width = 320;
}

static void
spoil_area (RhPageOptions *options)
{
  options->record.width = 1920;
  options->record.height = 1920;
}

static void
spoil_timeout (RhPageOptions *options)
{
  options->timeout_s = 0;
}

static void
spoil_app_id (RhPageOptions *options)
{
  g_clear_pointer (&options->room->app_id, g_free);
}

static void
spoil_room_type (RhPageOptions *options)
{
  options->room->room_type = 3;
}

static void
spoil_scheme (RhPageOptions *options)
{
  g_free (options->page);
  options->page = g_strdup ("ftp://cdn.example/p.html");
}

static void
spoil_page_file (RhPageOptions *options)
{
  g_free (options->page);
  options->page = g_build_filename (rh_test_tmpdir (), "no-such-page.html", NULL);
}

/* A file where the directory should be. */
static void
spoil_snapshots (RhPageOptions *options)
{
  g_autofree char *file = g_build_filename (rh_test_tmpdir (), "file", NULL);

  g_assert_true (g_file_set_contents (file, "", -1, NULL));
  options->snapshots_dir = g_build_filename (file, "pictures", NULL);
}

static void
spoil_junit (RhPageOptions *options)
{
  options->junit = g_build_filename (rh_test_tmpdir (), "none", "report.xml", NULL);
}

static void
spoil_har (RhPageOptions *options)
{
  options->har = g_build_filename (rh_test_tmpdir (), "none", "requests.har", NULL);
}

typedef struct
{
  const char *name;
  SpoilFunc spoil;
  const char *message_part;
} InvalidRow;

static const InvalidRow invalid_rows[] = {
  { "width", spoil_width, "width 320 is outside 480..1920" },
  { "area", spoil_area, "more pixels than 1920x1080" },
  { "timeout-zero", spoil_timeout, "--timeout must be at least 1 second" },
  { "no-app-id", spoil_app_id, "--app-id" },
  { "room-type", spoil_room_type, "--room-type must be" },
  { "scheme", spoil_scheme, "unsupported URL scheme 'ftp'" },
  { "no-page-file", spoil_page_file, "no such page file" },
  { "snapshots-under-file", spoil_snapshots, "cannot create --snapshots " },
  { "junit-no-directory", spoil_junit, "cannot write --junit " },
  { "har-no-directory", spoil_har, "cannot write --har " },
};

/* Each a usage error, with no page URL given back. */
static void
test_invalid (gconstpointer data)
{
  const InvalidRow *row = data;
  g_autoptr (RhPageOptions) options = options_new ();
  g_autofree char *page_url = NULL;
  g_autoptr (GError) error = NULL;

  row->spoil (options);
  g_assert_false (rh_page_options_prepare (options, &page_url, &error));
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, row->message_part));
  g_assert_null (page_url);
}

/* The token, and the password of every URL given, are redacted; user names
 * and hosts are not. */
static void
test_secrets (void)
{
  g_autoptr (RhPageOptions) options = options_new ();
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autofree char *redacted = NULL;

  options->room->rtm_token = g_strdup ("tok-1");
  options->api_base = g_strdup ("https://api-user:api-pass@api.example/");
  g_free (options->page);
  options->page = g_strdup ("https://page-user:page-pass@cdn.example/p.html");
  rh_page_options_add_secrets (options, timeline);
  redacted = rh_timeline_redact (timeline, "tok-1 api-pass page-pass api-user page-user");
  g_assert_cmpstr (redacted, ==, "[REDACTED] [REDACTED] [REDACTED] api-user page-user");
}

/* No token and no passwords: nothing to hide. */
static void
test_no_secrets (void)
{
  g_autoptr (RhPageOptions) options = options_new ();
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autofree char *redacted = NULL;

  options->api_base = g_strdup ("https://api.example/");
  rh_page_options_add_secrets (options, timeline);
  redacted = rh_timeline_redact (timeline, PAGE " https://api.example/ rec-1 app-1");
  g_assert_cmpstr (redacted, ==, PAGE " https://api.example/ rec-1 app-1");
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/page-options/defaults", test_defaults);
  g_test_add_func ("/page-options/prepare", test_prepare);
  g_test_add_func ("/page-options/prepare-keeps-ready", test_prepare_keeps_ready);
  g_test_add_func ("/page-options/prepare-page-memory", test_prepare_page_memory);
  g_test_add_func ("/page-options/prepare-makes-snapshots-dir", test_prepare_makes_snapshots_dir);
  for (guint i = 0; i < G_N_ELEMENTS (invalid_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-options/invalid/%s", invalid_rows[i].name);

      g_test_add_data_func (path, &invalid_rows[i], test_invalid);
    }
  g_test_add_func ("/page-options/secrets", test_secrets);
  g_test_add_func ("/page-options/no-secrets", test_no_secrets);
  return g_test_run ();
}
