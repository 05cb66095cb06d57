#include "fuzz-common.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Messages, infos and warnings are what bad input is expected to cause:
 * dropped, so that a long run stays quiet.  A critical is a precondition
 * some input broke, a bug: written and fatal. */
static GLogWriterOutput
quiet_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  if ((level & (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR)) == 0)
    return G_LOG_WRITER_HANDLED;
  g_log_writer_standard_streams (level, fields, n_fields, user_data);
  abort ();
}

int
LLVMFuzzerInitialize (int *argc, char ***argv)
{
  g_log_set_writer_func (quiet_writer, NULL, NULL);
  /* Nothing here needs GIO's modules, proxies or settings. */
  g_setenv ("GIO_USE_VFS", "local", TRUE);
  g_setenv ("GSETTINGS_BACKEND", "memory", TRUE);
  g_setenv ("GIO_USE_PROXY_RESOLVER", "dummy", TRUE);
  return 0;
}

void
rh_fuzz_fail (const char *file, int line, const char *expr)
{
  fprintf (stderr, "%s:%d: check failed: %s\n", file, line, expr);
  abort ();
}

GStrv
rh_fuzz_fields (const uint8_t *data, size_t size, guint max)
{
  GPtrArray *fields = g_ptr_array_new ();
  const char *p = (const char *) data;
  const char *end = p + size;

  for (guint n = 1; n <= max; n++)
    {
      const char *newline = n < max ? memchr (p, '\n', end - p) : NULL;
      const char *field_end = newline != NULL ? newline : end;
      const char *nul = memchr (p, '\0', field_end - p);

      g_ptr_array_add (fields, g_strndup (p, (nul != NULL ? nul : field_end) - p));
      if (newline == NULL)
        break;
      p = newline + 1;
    }
  g_ptr_array_add (fields, NULL);
  return (GStrv) g_ptr_array_free (fields, FALSE);
}

guint
rh_fuzz_node_depth (JsonNode *node)
{
  guint deepest = 0;

  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);

      for (guint i = 0; i < json_array_get_length (array); i++)
        deepest = MAX (deepest, rh_fuzz_node_depth (json_array_get_element (array, i)));
      return deepest + 1;
    }
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      JsonObjectIter iter;
      JsonNode *member;

      json_object_iter_init (&iter, json_node_get_object (node));
      while (json_object_iter_next (&iter, NULL, &member))
        deepest = MAX (deepest, rh_fuzz_node_depth (member));
      return deepest + 1;
    }
  return 0;
}

void
rh_fuzz_check_written (const char *text, gboolean pretty)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  rh_fuzz_check (text != NULL);
  rh_fuzz_check (g_utf8_validate (text, -1, NULL));
  for (const char *p = text; *p != '\0'; p++)
    rh_fuzz_check ((guchar) *p >= 0x20 || (pretty && *p == '\n'));
  rh_fuzz_check (json_parser_load_from_data (parser, text, -1, NULL));
}
