/* Where the program finds the bundled page: RECORDHOST_PAGE_DIR first, then
 * beside the program as it is installed (the build tree links it there). */
#include <string.h>

#include "rh-error.h"
#include "rh-page-dir.h"
#include "test-utils.h"

static void
test_environment (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;

  g_setenv ("RECORDHOST_PAGE_DIR", rh_test_tmpdir (), TRUE);
  dir = rh_page_dir_find (&error);
  g_unsetenv ("RECORDHOST_PAGE_DIR");
  g_assert_no_error (error);
  g_assert_cmpstr (dir, ==, rh_test_tmpdir ());
}

/* Set but wrong: said, not silently replaced by another page. */
static void
test_environment_missing (void)
{
  g_autofree char *missing = g_build_filename (rh_test_tmpdir (), "nowhere", NULL);
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;

  g_setenv ("RECORDHOST_PAGE_DIR", missing, TRUE);
  dir = rh_page_dir_find (&error);
  g_unsetenv ("RECORDHOST_PAGE_DIR");
  g_assert_null (dir);
  g_assert_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED);
  g_assert_nonnull (strstr (error->message, missing));
}

/* This test program sits in the build tree as an installed one would sit
 * in bindir: the page is found beside it, and it is the source's page. */
static void
test_beside_program (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *page = NULL;
  g_autofree char *found = NULL;
  g_autofree char *expected = NULL;

  g_unsetenv ("RECORDHOST_PAGE_DIR");
  dir = rh_page_dir_find (&error);
  g_assert_no_error (error);
  page = g_build_filename (dir, "record_page.html", NULL);
  g_assert_true (g_file_test (page, G_FILE_TEST_IS_REGULAR));
  found = realpath (page, NULL);
  expected = rh_test_page_path ("record_page.html");
  g_assert_cmpstr (found, ==, expected);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/page-dir/environment", test_environment);
  g_test_add_func ("/page-dir/environment-missing", test_environment_missing);
  g_test_add_func ("/page-dir/beside-program", test_beside_program);
  return g_test_run ();
}
