#include "rh-sql-sqlite.h"

#include <sqlite3.h>
#include <string.h>

struct _RhSqlSqlite
{
  RhSqlConnection parent_instance;

  sqlite3 *db;
};

G_DEFINE_FINAL_TYPE (RhSqlSqlite, rh_sql_sqlite, RH_TYPE_SQL_CONNECTION)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

/* $N becomes ?N, SQLite's own numbered parameter: the store's statements
 * are written once, in PostgreSQL's spelling.  Quoted text is left alone. */
static char *
numbered_params (const char *sql)
{
  GString *out = g_string_sized_new (strlen (sql));
  char quote = '\0';

  for (const char *c = sql; *c != '\0'; c++)
    {
      if (quote != '\0')
        {
          if (*c == quote)
            quote = '\0';
        }
      else if (*c == '\'' || *c == '"')
        quote = *c;
      else if (*c == '$' && g_ascii_isdigit (c[1]))
        {
          g_string_append_c (out, '?');
          continue;
        }
      g_string_append_c (out, *c);
    }
  return g_string_free (out, FALSE);
}

static void
set_error (RhSqlSqlite *self, int rc, GError **error)
{
  int primary = rc & 0xff;
  RhSqlError code = RH_SQL_ERROR_FAILED;

  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_PRIMARYKEY)
    code = RH_SQL_ERROR_CONFLICT;
  else if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED)
    code = RH_SQL_ERROR_UNAVAILABLE;
  g_set_error (error, RH_SQL_ERROR, code, "%s", sqlite3_errmsg (self->db));
}

static RhSqlResult *
run (RhSqlSqlite *self, const char *sql, const RhSqlParams *params, GError **error)
{
  g_autofree char *text = numbered_params (sql);
  g_autoptr (sqlite3_stmt) statement = NULL;
  g_autoptr (RhSqlResult) result = NULL;
  g_autofree const char **row = NULL;
  int rc, columns;

  rc = sqlite3_prepare_v2 (self->db, text, -1, &statement, NULL);
  if (rc != SQLITE_OK)
    {
      set_error (self, sqlite3_extended_errcode (self->db), error);
      return NULL;
    }
  for (guint i = 0; i < rh_sql_params_get_length (params); i++)
    {
      if (rh_sql_params_is_int (params, i))
        rc = sqlite3_bind_int64 (statement, (int) i + 1, rh_sql_params_get_int (params, i));
      else if (rh_sql_params_get_text (params, i) != NULL)
        rc = sqlite3_bind_text (statement, (int) i + 1, rh_sql_params_get_text (params, i), -1,
                                SQLITE_TRANSIENT);
      else
        rc = sqlite3_bind_null (statement, (int) i + 1);
      if (rc != SQLITE_OK)
        {
          set_error (self, rc, error);
          return NULL;
        }
    }
  columns = sqlite3_column_count (statement);
  result = rh_sql_result_new ((guint) columns);
  row = g_new0 (const char *, MAX (columns, 1));
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      for (int i = 0; i < columns; i++)
        row[i] = (const char *) sqlite3_column_text (statement, i);
      rh_sql_result_add_row (result, row);
    }
  if (rc != SQLITE_DONE)
    {
      set_error (self, sqlite3_extended_errcode (self->db), error);
      return NULL;
    }
  rh_sql_result_set_changes (result, (guint64) sqlite3_changes64 (self->db));
  return g_steal_pointer (&result);
}

static void
rh_sql_sqlite_query_async (RhSqlConnection *connection, const char *sql,
                           const RhSqlParams *params, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  RhSqlSqlite *self = RH_SQL_SQLITE (connection);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  GError *error = NULL;
  RhSqlResult *result;

  g_task_set_source_tag (task, rh_sql_sqlite_query_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  result = run (self, sql, params, &error);
  if (result == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, result, (GDestroyNotify) rh_sql_result_free);
}

static RhSqlResult *
rh_sql_sqlite_query_finish (RhSqlConnection *connection, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static RhSqlDialect
rh_sql_sqlite_get_dialect (RhSqlConnection *connection)
{
  return RH_SQL_DIALECT_SQLITE;
}

static void
rh_sql_sqlite_finalize (GObject *object)
{
  RhSqlSqlite *self = RH_SQL_SQLITE (object);

  sqlite3_close (self->db);
  G_OBJECT_CLASS (rh_sql_sqlite_parent_class)->finalize (object);
}

static void
rh_sql_sqlite_class_init (RhSqlSqliteClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  RhSqlConnectionClass *connection_class = RH_SQL_CONNECTION_CLASS (klass);

  object_class->finalize = rh_sql_sqlite_finalize;
  connection_class->query_async = rh_sql_sqlite_query_async;
  connection_class->query_finish = rh_sql_sqlite_query_finish;
  connection_class->get_dialect = rh_sql_sqlite_get_dialect;
}

static void
rh_sql_sqlite_init (RhSqlSqlite *self)
{
}

/* WAL and synchronous=FULL: every change is on disk before the API answers. */
RhSqlConnection *
rh_sql_sqlite_new (const char *path, GError **error)
{
  g_autoptr (RhSqlSqlite) self = g_object_new (RH_TYPE_SQL_SQLITE, NULL);
  char *message = NULL;

  if (sqlite3_open (path, &self->db) != SQLITE_OK)
    {
      g_set_error (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED, "cannot open %s: %s", path,
                   sqlite3_errmsg (self->db));
      return NULL;
    }
  sqlite3_busy_timeout (self->db, 5000);
  if (sqlite3_exec (self->db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;", NULL, NULL,
                    &message)
      != SQLITE_OK)
    {
      g_set_error (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED, "cannot use %s: %s", path, message);
      sqlite3_free (message);
      return NULL;
    }
  return RH_SQL_CONNECTION (g_steal_pointer (&self));
}
