/* Outputs written whole or not at all, opened only as regular files, and
 * removing a directory tree we made: all of it, and nothing a link in it
 * points to. */
#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <unistd.h>

#include "rh-error.h"

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

/* ---- outputs ---- */

/* The names in @dir, sorted, one a line. */
static char *
dir_names (const char *dir)
{
  g_autoptr (GDir) handle = g_dir_open (dir, 0, NULL);
  g_autoptr (GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  const char *name;

  g_assert_nonnull (handle);
  while ((name = g_dir_read_name (handle)) != NULL)
    g_ptr_array_add (names, g_strdup (name));
  g_ptr_array_sort (names, (GCompareFunc) g_strcmp0);
  g_ptr_array_add (names, NULL);
  return g_strjoinv ("\n", (char **) names->pdata);
}

static char *
contents_of (const char *path)
{
  char *contents = NULL;

  g_assert_true (g_file_get_contents (path, &contents, NULL, NULL));
  return contents;
}

static void
test_write_atomic (void)
{
  g_autofree char *dir = make_dir (rh_test_tmpdir (), "out");
  g_autofree char *path = g_build_filename (dir, "report.har", NULL);
  g_autofree char *contents = NULL;
  g_autofree char *names = NULL;
  g_autoptr (GError) error = NULL;
  GStatBuf info;

  g_assert_true (rh_fs_write_atomic (path, "first", 5, &error));
  g_assert_no_error (error);
  g_assert_true (rh_fs_write_atomic (path, "second", 6, &error));
  contents = contents_of (path);
  g_assert_cmpstr (contents, ==, "second");
  /* No temporary file left beside it, and readable as any other file. */
  names = dir_names (dir);
  g_assert_cmpstr (names, ==, "report.har");
  g_assert_cmpint (g_stat (path, &info), ==, 0);
  g_assert_cmpint (info.st_mode & 0044, ==, 0044);
}

/* A link at the target is replaced, not written through. */
static void
test_write_atomic_link (void)
{
  g_autofree char *kept = make_file (rh_test_tmpdir (), "kept");
  g_autofree char *link = g_build_filename (rh_test_tmpdir (), "link", NULL);
  g_autofree char *kept_contents = NULL;
  g_autofree char *written = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (symlink (kept, link), ==, 0);
  g_assert_true (rh_fs_write_atomic (link, "new", 3, &error));
  g_assert_no_error (error);
  g_assert_false (g_file_test (link, G_FILE_TEST_IS_SYMLINK));
  written = contents_of (link);
  g_assert_cmpstr (written, ==, "new");
  kept_contents = contents_of (kept);
  g_assert_cmpstr (kept_contents, ==, "kept");
}

/* A full disk (a file size limit: EFBIG, in this process, SIGXFSZ ignored):
 * the old file stays as it was, nothing else is left, the error names the
 * path and the cause. */
static void
test_write_atomic_full (void)
{
  g_autofree char *dir = make_dir (rh_test_tmpdir (), "out");
  g_autofree char *path = make_file (dir, "junit.xml");
  g_autofree char *big = g_strnfill (64 * 1024, 'x');
  g_autofree char *contents = NULL;
  g_autofree char *names = NULL;
  g_autoptr (GError) error = NULL;
  struct rlimit saved_limit, limit;
  void (*saved_handler) (int) = signal (SIGXFSZ, SIG_IGN);
  gboolean written;

  g_assert_cmpint (getrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  limit = saved_limit;
  limit.rlim_cur = 4096;
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &limit), ==, 0);
  written = rh_fs_write_atomic (path, big, strlen (big), &error);
  g_assert_cmpint (setrlimit (RLIMIT_FSIZE, &saved_limit), ==, 0);
  signal (SIGXFSZ, saved_handler);

  g_assert_false (written);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, g_strerror (EFBIG)));
  contents = contents_of (path);
  g_assert_cmpstr (contents, ==, "junit.xml");
  names = dir_names (dir);
  g_assert_cmpstr (names, ==, "junit.xml");
}

/* A directory, or a name longer than a directory holds: an error, and no
 * temporary file left. */
static void
test_write_atomic_refused (void)
{
  g_autofree char *dir = make_dir (rh_test_tmpdir (), "out");
  g_autofree char *inner = make_dir (dir, "inner");
  g_autofree char *long_name = g_strnfill (300, 'n');
  g_autofree char *long_path = g_build_filename (dir, long_name, NULL);
  g_autofree char *names = NULL;
  g_autoptr (GError) error = NULL;

  g_assert_false (rh_fs_write_atomic (inner, "x", 1, &error));
  g_assert_true (g_str_has_prefix (error->message, inner));
  g_clear_error (&error);
  g_assert_false (rh_fs_write_atomic (long_path, "x", 1, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_FILENAME_TOO_LONG);
  names = dir_names (dir);
  g_assert_cmpstr (names, ==, "inner");
}

typedef struct
{
  const char *name;
  const char *kind;   /* what is at the path: "fifo", "link", "dir", "long", "file", "none" */
  const char *refused; /* what rh_fs_check_output () says, NULL when it accepts */
} OutputRow;

static const OutputRow output_rows[] = {
  { "fifo", "fifo", "not a regular file" },
  { "link", "link", "a symbolic link" },
  { "dangling-link", "dangling-link", "a symbolic link" },
  { "dir", "dir", "a directory" },
  { "long", "long", NULL /* set at run time: the system's words */ },
  { "device", "device", "not a regular file" },
  { "file", "file", NULL },
  { "none", "none", NULL },
};

static char *
make_output_target (const char *kind)
{
  const char *tmp = rh_test_tmpdir ();
  g_autofree char *long_name = g_strnfill (300, 'n');
  g_autofree char *outside = g_build_filename (tmp, "outside", NULL);
  char *path = g_build_filename (tmp, g_str_equal (kind, "long") ? long_name : "target", NULL);

  if (g_str_equal (kind, "fifo"))
    g_assert_cmpint (mkfifo (path, 0600), ==, 0);
  else if (g_str_equal (kind, "link"))
    {
      g_assert_true (g_file_set_contents (outside, "outside", -1, NULL));
      g_assert_cmpint (symlink (outside, path), ==, 0);
    }
  else if (g_str_equal (kind, "dangling-link"))
    g_assert_cmpint (symlink (outside, path), ==, 0);
  else if (g_str_equal (kind, "dir"))
    g_assert_cmpint (g_mkdir (path, 0700), ==, 0);
  else if (g_str_equal (kind, "device"))
    {
      g_free (path);
      path = g_strdup ("/dev/null");
    }
  else if (g_str_equal (kind, "file"))
    g_assert_true (g_file_set_contents (path, "old", -1, NULL));
  return path;
}

/* Refused before any work, as a usage error naming the path. */
static void
test_check_output (gconstpointer data)
{
  const OutputRow *row = data;
  g_autofree char *path = make_output_target (row->kind);
  g_autoptr (GError) error = NULL;
  gboolean accepted = rh_fs_check_output (path, &error);

  if (row->refused == NULL && !g_str_equal (row->kind, "long"))
    {
      g_assert_no_error (error);
      g_assert_true (accepted);
      return;
    }
  g_assert_false (accepted);
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_true (g_str_has_prefix (error->message, path));
  g_assert_nonnull (strstr (error->message, row->refused != NULL ? row->refused
                                                                 : g_strerror (ENAMETOOLONG)));
}

/* Probed before any work: what rh_fs_check_output () refuses, and a place
 * it can make; nothing made is left, nothing there is changed. */
static void
test_probe_output (gconstpointer data)
{
  const OutputRow *row = data;
  g_autofree char *path = make_output_target (row->kind);
  g_autoptr (GError) error = NULL;
  gboolean accepted = rh_fs_probe_output (path, &error);

  if (g_str_equal (row->kind, "file") || g_str_equal (row->kind, "none"))
    {
      g_assert_no_error (error);
      g_assert_true (accepted);
      g_assert_true (g_file_test (path, G_FILE_TEST_EXISTS) == g_str_equal (row->kind, "file"));
      if (g_str_equal (row->kind, "file"))
        {
          g_autofree char *kept = contents_of (path);

          g_assert_cmpstr (kept, ==, "old");
        }
      return;
    }
  g_assert_false (accepted);
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_true (g_str_has_prefix (error->message, path));
}

/* A directory that is not there: said so. */
static void
test_probe_output_no_dir (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "no", "out.mp4", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (rh_fs_probe_output (path, &error));
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_true (g_str_has_suffix (error->message, "/no is not a writable directory"));
}

/* Opened only as a regular file: no wait for a FIFO's reader, no link
 * followed (the file it points to stays as it was), no device. */
static void
test_open_output (gconstpointer data)
{
  const OutputRow *row = data;
  g_autofree char *path = make_output_target (row->kind);
  g_autofree char *outside = g_build_filename (rh_test_tmpdir (), "outside", NULL);
  g_autoptr (GError) error = NULL;
  int fd = rh_fs_open_output (path, O_TRUNC, &error);

  if (g_str_equal (row->kind, "file") || g_str_equal (row->kind, "none"))
    {
      struct stat info;

      g_assert_no_error (error);
      g_assert_cmpint (fd, >=, 0);
      g_assert_cmpint (fstat (fd, &info), ==, 0);
      g_assert_cmpint (info.st_size, ==, 0);
      /* Blocking as usual once open. */
      g_assert_cmpint (fcntl (fd, F_GETFL) & O_NONBLOCK, ==, 0);
      close (fd);
      return;
    }
  g_assert_cmpint (fd, ==, -1);
  g_assert_nonnull (error);
  g_assert_true (g_str_has_prefix (error->message, path));
  if (g_str_equal (row->kind, "link"))
    {
      g_autofree char *kept = contents_of (outside);

      g_assert_cmpstr (kept, ==, "outside");
    }
  if (g_str_equal (row->kind, "dangling-link"))
    g_assert_false (g_file_test (outside, G_FILE_TEST_EXISTS));
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
  g_test_add_func ("/fs/write-atomic/replaces", test_write_atomic);
  g_test_add_func ("/fs/write-atomic/link-replaced", test_write_atomic_link);
  g_test_add_func ("/fs/write-atomic/disk-full", test_write_atomic_full);
  g_test_add_func ("/fs/write-atomic/refused", test_write_atomic_refused);
  g_test_add_func ("/fs/probe-output/no-directory", test_probe_output_no_dir);
  for (guint i = 0; i < G_N_ELEMENTS (output_rows); i++)
    {
      g_autofree char *check = g_strdup_printf ("/fs/check-output/%s", output_rows[i].name);
      g_autofree char *open = g_strdup_printf ("/fs/open-output/%s", output_rows[i].name);
      g_autofree char *probe = g_strdup_printf ("/fs/probe-output/%s", output_rows[i].name);

      g_test_add_data_func (check, &output_rows[i], test_check_output);
      g_test_add_data_func (probe, &output_rows[i], test_probe_output);
      if (!g_str_equal (output_rows[i].kind, "long"))
        g_test_add_data_func (open, &output_rows[i], test_open_output);
    }
  return g_test_run ();
}
