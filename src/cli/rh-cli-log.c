#include "rh-cli-log.h"

/* Every layer logs under a domain of its own, "recordhost-<layer>". */
#define DOMAIN_PREFIX "recordhost"

static gboolean verbose;

static gboolean
is_ours (const GLogField *fields, gsize n_fields)
{
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "GLIB_DOMAIN") && fields[i].length < 0)
      return g_str_has_prefix (fields[i].value, DOMAIN_PREFIX);
  return FALSE;
}

/* The library reports progress and echoes timelines as messages: on a
 * terminal they are lines of their own, not GLib's "domain-Message" form.
 * Warnings say whose they are.  With --verbose the debug messages of every
 * layer are printed, and only theirs: G_MESSAGES_DEBUG names domains one by
 * one. */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL;

  if ((level & G_LOG_LEVEL_DEBUG) && verbose && is_ours (fields, n_fields))
    return g_log_writer_standard_streams (level, fields, n_fields, user_data);
  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      message = fields[i].value;
  if (message == NULL || (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_WARNING)) == 0)
    return g_log_writer_default (level, fields, n_fields, user_data);
  if (level & G_LOG_LEVEL_WARNING)
    g_printerr ("%s: warning: %s\n", g_get_prgname (), message);
  else
    g_printerr ("%s\n", message);
  return G_LOG_WRITER_HANDLED;
}

void
rh_cli_log_init (void)
{
  /* stdout is for results (--json): debug messages too go to stderr. */
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (log_writer, NULL, NULL);
}

void
rh_cli_log_set_verbose (gboolean value)
{
  verbose = value;
}
