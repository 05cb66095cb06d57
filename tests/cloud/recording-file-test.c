/* A recording's file in a data directory that several workers may share
 * (a volume): two made for the same room at the same millisecond get two
 * names, each a name GET /recordings/NAME serves; a room uuid of any shape
 * gives a plain name in recordings/. */
#include <glib/gstdio.h>
#include <string.h>

#include "rh-fs.h"
#include "rh-recording-file.h"
#include "test-utils.h"

static const char *
base_name (const char *path)
{
  const char *slash = strrchr (path, '/');

  return slash != NULL ? slash + 1 : path;
}

/* Same app, room and start time, as two workers on one volume could ask. */
static void
test_same_start (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("recordhost-files-XXXXXX", &error);
  g_autofree char *first = NULL;
  g_autofree char *second = NULL;
  g_autofree char *first_path = NULL;
  g_autofree char *second_path = NULL;

  g_assert_no_error (error);
  first = rh_recording_file_create (dir, "app", "room-1", 1700000000000, &error);
  g_assert_no_error (error);
  second = rh_recording_file_create (dir, "app", "room-1", 1700000000000, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, !=, second);
  g_assert_true (g_file_test (first, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_file_test (second, G_FILE_TEST_IS_REGULAR));
  g_assert_true (g_str_has_suffix (second, "-2.mp4"));
  first_path = g_strconcat ("/" RH_RECORDING_FILE_DIR "/", base_name (first), NULL);
  second_path = g_strconcat ("/" RH_RECORDING_FILE_DIR "/", base_name (second), NULL);
  g_assert_cmpstr (rh_recording_file_name (first_path), ==, base_name (first));
  g_assert_cmpstr (rh_recording_file_name (second_path), ==, base_name (second));
  rh_fs_remove_tree (dir);
}

/* A room uuid holding '/', "..", spaces and another script. */
static void
test_odd_room (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("recordhost-files-XXXXXX", &error);
  g_autofree char *recordings = NULL;
  g_autofree char *file = NULL;
  g_autofree char *parent = NULL;
  g_autofree char *path = NULL;

  g_assert_no_error (error);
  file = rh_recording_file_create (dir, "app", "../../etc/教室 1", 1, &error);
  g_assert_no_error (error);
  recordings = g_build_filename (dir, RH_RECORDING_FILE_DIR, NULL);
  parent = g_path_get_dirname (file);
  g_assert_cmpstr (parent, ==, recordings);
  path = g_strconcat ("/" RH_RECORDING_FILE_DIR "/", base_name (file), NULL);
  g_assert_cmpstr (rh_recording_file_name (path), ==, base_name (file));
  rh_fs_remove_tree (dir);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/recording-file/same-start", test_same_start);
  g_test_add_func ("/recording-file/odd-room", test_odd_room);
  return g_test_run ();
}
