/* Removing a directory tree we made: all of it, and nothing a link in it
 * points to. */
#include <glib/gstdio.h>
#include <unistd.h>

#include "rh-fs.h"
#include "test-utils.h"

static char *
make_file (const char *dir, const char *name)
{
  char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, name, -1, NULL));
  return path;
}

static char *
make_dir (const char *parent, const char *name)
{
  char *path = g_build_filename (parent, name, NULL);

  g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  return path;
}

static void
test_tree (void)
{
  g_autofree char *top = make_dir (rh_test_tmpdir (), "top");
  g_autofree char *deep = make_dir (top, "a");
  g_autofree char *deeper = make_dir (deep, "b");
  g_autofree char *empty = make_dir (top, "empty");
  g_autofree char *file1 = make_file (top, "f1");
  g_autofree char *file2 = make_file (deeper, ".hidden");

  rh_fs_remove_tree (top);
  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
  /* The directory it was in stays. */
  g_assert_true (g_file_test (rh_test_tmpdir (), G_FILE_TEST_IS_DIR));
}

/* A link in the tree, to a directory or a file outside it: the link goes,
 * what it points to stays. */
static void
test_links_not_followed (void)
{
  g_autofree char *outside = make_dir (rh_test_tmpdir (), "outside");
  g_autofree char *kept = make_file (outside, "kept");
  g_autofree char *top = make_dir (rh_test_tmpdir (), "top");
  g_autofree char *dir_link = g_build_filename (top, "to-dir", NULL);
  g_autofree char *file_link = g_build_filename (top, "to-file", NULL);

  g_assert_cmpint (symlink (outside, dir_link), ==, 0);
  g_assert_cmpint (symlink (kept, file_link), ==, 0);
  rh_fs_remove_tree (top);
  g_assert_false (g_file_test (top, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
}

/* Given a link to a directory, it removes the link only. */
static void
test_top_link (void)
{
  g_autofree char *outside = make_dir (rh_test_tmpdir (), "outside");
  g_autofree char *kept = make_file (outside, "kept");
  g_autofree char *link = g_build_filename (rh_test_tmpdir (), "link", NULL);

  g_assert_cmpint (symlink (outside, link), ==, 0);
  rh_fs_remove_tree (link);
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  g_assert_true (g_file_test (kept, G_FILE_TEST_IS_REGULAR));
}

static void
test_file (void)
{
  g_autofree char *file = make_file (rh_test_tmpdir (), "plain");

  rh_fs_remove_tree (file);
  g_assert_false (g_file_test (file, G_FILE_TEST_EXISTS));
}

static void
test_missing (void)
{
  g_autofree char *missing = g_build_filename (rh_test_tmpdir (), "no", "such", NULL);

  rh_fs_remove_tree (missing);
  g_assert_false (g_file_test (missing, G_FILE_TEST_EXISTS));
  g_assert_true (g_file_test (rh_test_tmpdir (), G_FILE_TEST_IS_DIR));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/fs/remove-tree/tree", test_tree);
  g_test_add_func ("/fs/remove-tree/links-not-followed", test_links_not_followed);
  g_test_add_func ("/fs/remove-tree/top-link", test_top_link);
  g_test_add_func ("/fs/remove-tree/file", test_file);
  g_test_add_func ("/fs/remove-tree/missing", test_missing);
  return g_test_run ();
}
