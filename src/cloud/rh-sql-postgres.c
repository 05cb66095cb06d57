#include "rh-sql-postgres.h"

/* Until the connection is built in, a PostgreSQL store is refused. */
RhSqlConnection *
rh_sql_postgres_new (const char *url, GError **error)
{
  g_set_error_literal (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED,
                       "--store: PostgreSQL is not built into this recordhost yet");
  return NULL;
}
