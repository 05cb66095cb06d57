/* --pages FILE: the pages a check is given, from its command line and from
 * a list of them. */
#include "rh-page-list.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-check-batch.h"
#include "rh-error.h"

/* Refused before it is read: a list of pages is a few KiB. */
#define PAGES_FILE_MAX_BYTES (1024 * 1024)

static gboolean
add_listed_pages (GStrvBuilder *builder, guint *count, const char *path, GError **error)
{
  g_autoptr (GFile) file = g_file_new_for_commandline_arg (path);
  g_autoptr (GFileInfo) info = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *contents = NULL;
  g_auto (GStrv) lines = NULL;
  gsize length = 0;

  info = g_file_query_info (file, G_FILE_ATTRIBUTE_STANDARD_SIZE "," G_FILE_ATTRIBUTE_STANDARD_TYPE,
                            G_FILE_QUERY_INFO_NONE, NULL, &local_error);
  if (info != NULL && g_file_info_get_file_type (info) != G_FILE_TYPE_REGULAR)
    g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_NOT_REGULAR_FILE, "not a file");
  else if (info != NULL && g_file_info_get_size (info) > PAGES_FILE_MAX_BYTES)
    g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_FAILED, "larger than %u bytes",
                 PAGES_FILE_MAX_BYTES);
  else if (info != NULL)
    g_file_load_contents (file, NULL, &contents, &length, NULL, &local_error);
  if (local_error == NULL && (length > PAGES_FILE_MAX_BYTES || memchr (contents, '\0', length)))
    g_set_error (&local_error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "not a text file");
  if (local_error != NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--pages %s: %s", path,
                   local_error->message);
      return FALSE;
    }
  lines = g_strsplit (contents, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      char *line = g_strstrip (lines[i]);

      if (*line == '\0' || *line == '#')
        continue;
      if (++*count > RH_CHECK_BATCH_MAX_PAGES)
        break;
      g_strv_builder_add (builder, line);
    }
  return TRUE;
}

/* The pages @given, then those of the file @list (--pages, may be NULL); at
 * least one, at most RH_CHECK_BATCH_MAX_PAGES. */
char **
rh_page_list_read (char **given, const char *list, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  guint count = given != NULL ? g_strv_length (given) : 0;

  if (given != NULL)
    g_strv_builder_addv (builder, (const char **) given);
  if (list != NULL && !add_listed_pages (builder, &count, list, error))
    return NULL;
  if (count == 0)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "no page given: --pages lists none");
      return NULL;
    }
  if (count > RH_CHECK_BATCH_MAX_PAGES)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "more than %u pages given: split the list", RH_CHECK_BATCH_MAX_PAGES);
      return NULL;
    }
  return g_strv_builder_end (builder);
}
