#include "rh-page-dir.h"

#include "rh-error.h"

/* RH_PAGE_DIR_FROM_BINDIR (e.g. ../share/recordhost/page) and
 * RH_INSTALLED_PAGE_DIR (e.g. /usr/local/share/recordhost/page) come from
 * the configured bindir, datadir and prefix (top meson.build). */

/* The directory of the running program, not of a link to it. */
static char *
program_dir (void)
{
  g_autofree char *program = g_file_read_link ("/proc/self/exe", NULL);

  return program != NULL ? g_path_get_dirname (program) : NULL;
}

/* In order: RECORDHOST_PAGE_DIR, to run another page directory (such as
 * the source's); where the program's own installation put it, as the
 * configured bindir and datadir are placed one to the other (a tree
 * installed with DESTDIR, or copied elsewhere; the build tree has a link
 * there); the configured data directory. */
char *
rh_page_dir_find (GError **error)
{
  const char *from_env = g_getenv ("RECORDHOST_PAGE_DIR");
  g_autofree char *dir = program_dir ();
  g_autofree char *beside = NULL;

  if (from_env != NULL && *from_env != '\0')
    {
      if (g_file_test (from_env, G_FILE_TEST_IS_DIR))
        return g_strdup (from_env);
      g_set_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED,
                   "RECORDHOST_PAGE_DIR %s: no such directory", from_env);
      return NULL;
    }
  if (dir != NULL)
    {
      g_autofree char *joined = g_build_filename (dir, RH_PAGE_DIR_FROM_BINDIR, NULL);

      beside = g_canonicalize_filename (joined, NULL);
      if (g_file_test (beside, G_FILE_TEST_IS_DIR))
        return g_steal_pointer (&beside);
    }
  if (g_file_test (RH_INSTALLED_PAGE_DIR, G_FILE_TEST_IS_DIR))
    return g_strdup (RH_INSTALLED_PAGE_DIR);
  g_set_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED,
               "the bundled record page is in neither %s nor %s: install recordhost, or set "
               "RECORDHOST_PAGE_DIR to its page directory",
               beside != NULL ? beside : RH_PAGE_DIR_FROM_BINDIR, RH_INSTALLED_PAGE_DIR);
  return NULL;
}
