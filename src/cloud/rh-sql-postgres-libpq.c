#include "rh-sql-postgres-libpq.h"

#include <string.h>

#include "rh-libpq.h"
#include "rh-sql.h"

#define CONNECT_TIMEOUT_S 5

struct _RhSqlPostgresUrl
{
  char *url;
  GPtrArray *secrets; /* the password as written and decoded, longest first */
  guint connect_timeout_ms;
};

static void
add_secret (RhSqlPostgresUrl *self, const char *raw, gsize length)
{
  g_autofree char *written = g_strndup (raw, length);
  g_autofree char *decoded = g_uri_unescape_string (written, NULL);

  if (*written == '\0')
    return;
  if (decoded != NULL && !g_str_equal (decoded, written) && *decoded != '\0')
    g_ptr_array_add (self->secrets, g_steal_pointer (&decoded));
  g_ptr_array_add (self->secrets, g_steal_pointer (&written));
}

static gint
longest_first (gconstpointer a, gconstpointer b)
{
  return (gint) strlen (*(const char **) b) - (gint) strlen (*(const char **) a);
}

/* The password of scheme://user:password@host/ and of ?password=, found
 * by hand: a URL libpq cannot read must not show it either. */
static void
find_secrets (RhSqlPostgresUrl *self)
{
  const char *authority = strstr (self->url, "://");
  const char *query = strchr (self->url, '?');
  const char *end;
  const char *at = NULL;

  if (authority != NULL)
    {
      authority += 3;
      end = authority + strcspn (authority, "/?#");
      for (const char *p = authority; p < end; p++)
        if (*p == '@')
          at = p;
      if (at != NULL)
        {
          const char *colon = memchr (authority, ':', at - authority);

          if (colon != NULL)
            add_secret (self, colon + 1, at - colon - 1);
        }
    }
  for (const char *p = query; p != NULL; p = strchr (p + 1, '&'))
    if (g_str_has_prefix (p + 1, "password="))
      add_secret (self, p + 10, strcspn (p + 10, "&#"));
  g_ptr_array_sort (self->secrets, longest_first);
}

static gboolean
read_connect_timeout (RhSqlPostgresUrl *self, GError **error)
{
  char *message = NULL;
  PQconninfoOption *options = PQconninfoParse (self->url, &message);

  if (options == NULL)
    {
      g_autofree char *shown = rh_sql_postgres_url_redact (self, message);

      g_set_error (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED, "not a PostgreSQL URL: %s",
                   shown);
      PQfreemem (message);
      return FALSE;
    }
  self->connect_timeout_ms = CONNECT_TIMEOUT_S * 1000;
  for (PQconninfoOption *option = options; option->keyword != NULL; option++)
    {
      guint64 seconds = 0;

      /* libpq takes under 2 s as 2 s. */
      if (g_str_equal (option->keyword, "connect_timeout") && option->val != NULL
          && g_ascii_string_to_unsigned (option->val, 10, 1, 3600, &seconds, NULL))
        self->connect_timeout_ms = MAX (seconds, 2) * 1000;
    }
  PQconninfoFree (options);
  return TRUE;
}

RhSqlPostgresUrl *
rh_sql_postgres_url_new (const char *url, GError **error)
{
  g_autoptr (RhSqlPostgresUrl) self = g_new0 (RhSqlPostgresUrl, 1);

  self->url = g_strdup (url);
  self->secrets = g_ptr_array_new_with_free_func (g_free);
  find_secrets (self);
  if (!g_str_has_prefix (url, "postgresql://") && !g_str_has_prefix (url, "postgres://"))
    {
      g_set_error (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED,
                   "not a PostgreSQL URL: it starts with neither postgresql:// nor postgres://");
      return NULL;
    }
  if (!rh_libpq_load (error))
    return NULL;
  if (!read_connect_timeout (self, error))
    return NULL;
  return g_steal_pointer (&self);
}

void
rh_sql_postgres_url_free (RhSqlPostgresUrl *self)
{
  if (self == NULL)
    return;
  g_free (self->url);
  g_ptr_array_unref (self->secrets);
  g_free (self);
}

char *
rh_sql_postgres_url_redact (const RhSqlPostgresUrl *self, const char *message)
{
  g_autoptr (GString) text = g_string_new (message != NULL ? message : "");

  for (guint i = 0; i < self->secrets->len; i++)
    g_string_replace (text, g_ptr_array_index (self->secrets, i), "***", 0);
  g_strstrip (text->str);
  text->len = strlen (text->str);
  g_strdelimit (text->str, "\r\n\t", ' ');
  /* libpq's lines, now one: one space between them. */
  while (g_string_replace (text, "  ", " ", 0) > 0)
    ;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

guint
rh_sql_postgres_url_get_connect_timeout_ms (const RhSqlPostgresUrl *self)
{
  return self->connect_timeout_ms;
}

/* libpq's own stderr lines (a NOTICE, the FATAL of a server going away)
 * are the log's; errors reach the queries anyway. */
static void
log_notice (void *user_data, const char *message)
{
  g_debug ("PostgreSQL: %.*s", (int) strcspn (message, "\n"), message);
}

PGconn *
rh_sql_postgres_url_connect_start (const RhSqlPostgresUrl *self)
{
  /* Later keywords win: the URL's own connect_timeout over this one. */
  g_autofree char *timeout = g_strdup_printf ("%d", CONNECT_TIMEOUT_S);
  const char *keywords[] = { "connect_timeout", "fallback_application_name", "dbname", NULL };
  const char *values[] = { timeout, "recordhost", self->url, NULL };
  PGconn *conn = PQconnectStartParams (keywords, values, 1);

  if (conn != NULL)
    PQsetNoticeProcessor (conn, log_notice, NULL);
  return conn;
}

GError *
rh_sql_postgres_result_error (const RhSqlPostgresUrl *self, const PGresult *result)
{
  const char *state = PQresultErrorField (result, PG_DIAG_SQLSTATE);
  const char *primary = PQresultErrorField (result, PG_DIAG_MESSAGE_PRIMARY);
  g_autofree char *message = rh_sql_postgres_url_redact (
      self, primary != NULL ? primary : PQresultErrorMessage (result));

  if (state == NULL || g_str_has_prefix (state, "08") || g_str_equal (state, "57P01")
      || g_str_equal (state, "57P02") || g_str_equal (state, "57P03"))
    return g_error_new (RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE, "PostgreSQL: %s", message);
  if (g_str_equal (state, "23505"))
    return g_error_new (RH_SQL_ERROR, RH_SQL_ERROR_CONFLICT, "%s", message);
  return g_error_new (RH_SQL_ERROR, RH_SQL_ERROR_FAILED, "%s", message);
}

RhSqlResult *
rh_sql_postgres_result_rows (const PGresult *result)
{
  RhSqlResult *rows = rh_sql_result_new (PQnfields (result));
  g_autofree const char **values = g_new0 (const char *, PQnfields (result) + 1);
  guint64 changes = 0;

  for (int row = 0; row < PQntuples (result); row++)
    {
      for (int column = 0; column < PQnfields (result); column++)
        values[column] = PQgetisnull (result, row, column)
                             ? NULL
                             : PQgetvalue (result, row, column);
      rh_sql_result_add_row (rows, values);
    }
  g_ascii_string_to_unsigned (PQcmdTuples ((PGresult *) result), 10, 0, G_MAXUINT64, &changes,
                              NULL);
  rh_sql_result_set_changes (rows, changes);
  return rows;
}
