/* The SQLite connection of the cloud store (the default): statements run
 * at once, in the caller's turn of the main loop, their results delivered
 * from an idle as PostgreSQL's are. */
#pragma once

#include "rh-sql.h"

G_BEGIN_DECLS

#define RH_TYPE_SQL_SQLITE (rh_sql_sqlite_get_type ())
G_DECLARE_FINAL_TYPE (RhSqlSqlite, rh_sql_sqlite, RH, SQL_SQLITE, RhSqlConnection)

RhSqlConnection *rh_sql_sqlite_new (const char *path, GError **error);

G_END_DECLS
