/* The cloud store's connection to a PostgreSQL server, through libpq
 * without blocking: the socket is watched on the main context the
 * connection was made on, statements run one at a time in the order asked,
 * and every one has a deadline, so that a server that stalls or goes away
 * fails the queries (RH_SQL_ERROR_UNAVAILABLE) instead of holding them.  A
 * broken connection is made again by the next query, with the channels it
 * LISTENed to listened to again first. */
#pragma once

#include "rh-sql.h"

G_BEGIN_DECLS

#define RH_TYPE_SQL_POSTGRES (rh_sql_postgres_get_type ())
G_DECLARE_FINAL_TYPE (RhSqlPostgres, rh_sql_postgres, RH, SQL_POSTGRES, RhSqlConnection)

/* The default deadline of a query, from when it is asked. */
#define RH_SQL_POSTGRES_TIMEOUT_MS 10000

/* @url: postgresql:// or postgres://, libpq's URI syntax (host=/a/dir in
 * its query for a Unix socket's directory).  It is checked, not connected
 * to: the first query connects.  Messages never hold its password. */
RhSqlConnection *rh_sql_postgres_new         (const char *url, GError **error);
/* The deadline of the queries asked from now on. */
void             rh_sql_postgres_set_timeout (RhSqlPostgres *self, guint ms);
/* Whether the connection is up now (made, and not seen broken). */
gboolean         rh_sql_postgres_is_up       (RhSqlPostgres *self);

G_END_DECLS
