#include "cloud-fixture.h"
#include "store-sync.h"

#include "rh-fs.h"
#include "test-utils.h"

/* A cloud on the fixture's data directory, in place of the one running:
 * what a restart sees.  It opens file pages (--allow-file-pages). */
void
cloud_fixture_start (CloudFixture *fixture, const char *require_token)
{
  g_autoptr (GError) error = NULL;
  RhCloudStore *store;

  g_clear_object (&fixture->cloud);
  /* The cloud before it lets go of the data directory once the ends of its
   * recordings are stored. */
  for (guint tries = 0; tries < 100; tries++)
    {
      g_clear_error (&error);
      store = store_sync_open (fixture->data_dir, NULL, &error);
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_BUSY))
        break;
      rh_test_keep_running (50);
    }
  g_assert_no_error (error);
  fixture->cloud = rh_cloud_new (store, require_token);
  /* The tests' pages are in the source tree. */
  rh_cloud_set_allow_file_pages (fixture->cloud, TRUE);
  rh_cloud_set_engine (fixture->cloud, rh_test_engine ());
  g_assert_true (rh_cloud_listen_local (fixture->cloud, 0, &error));
  g_assert_no_error (error);
}

/* The cloud requires @require_token (NULL: none), and the calls send it;
 * each call is given @timeout_s. */
void
cloud_fixture_setup (CloudFixture *fixture, const char *require_token, guint timeout_s)
{
  g_autoptr (GError) error = NULL;

  fixture->data_dir = g_dir_make_tmp ("recordhost-cloud-XXXXXX", &error);
  g_assert_no_error (error);
  cloud_fixture_start (fixture, require_token);
  fixture->session = soup_session_new_with_options ("timeout", timeout_s, NULL);
  fixture->token = g_strdup (require_token);
}

void
cloud_fixture_teardown (CloudFixture *fixture)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->cloud);
  rh_fs_remove_tree (fixture->data_dir);
  g_clear_pointer (&fixture->data_dir, g_free);
  g_clear_pointer (&fixture->token, g_free);
}

/* One API call; returns the envelope and sets *@status. */
JsonObject *
cloud_fixture_call (CloudFixture *fixture, const char *method, const char *path,
                    const char *body, guint *status)
{
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (fixture->cloud), path, NULL);

  return rh_test_call_json (fixture->session, method, uri, body, fixture->token, status);
}
