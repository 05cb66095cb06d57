/* libpq's side of RhSqlPostgres: the URL, checked once, the secrets in it
 * kept out of every message, a connection to it started; an answer as the
 * seam's result or error. */
#pragma once

#include <glib.h>
#include <libpq-fe.h>

#include "rh-sql.h"

G_BEGIN_DECLS

typedef struct _RhSqlPostgresUrl RhSqlPostgresUrl;

/* Refuses (RH_SQL_ERROR_FAILED, one line) what is not a postgresql:// or
 * postgres:// URL that libpq reads. */
RhSqlPostgresUrl *rh_sql_postgres_url_new   (const char *url, GError **error);
void              rh_sql_postgres_url_free  (RhSqlPostgresUrl *url);
/* @message on one line, without the URL's password in any form. */
char             *rh_sql_postgres_url_redact (const RhSqlPostgresUrl *url, const char *message);
/* How long connecting may take: the URL's connect_timeout, else 5 s. */
guint             rh_sql_postgres_url_get_connect_timeout_ms (const RhSqlPostgresUrl *url);
/* PQconnectStartParams () to it; NULL only when libpq is out of memory. */
PGconn           *rh_sql_postgres_url_connect_start (const RhSqlPostgresUrl *url);

/* The rows of a PGRES_TUPLES_OK or PGRES_COMMAND_OK @result, its
 * PQcmdTuples as the changes. */
RhSqlResult      *rh_sql_postgres_result_rows  (const PGresult *result);
/* The error of a PGRES_FATAL_ERROR @result by its SQLSTATE: unique
 * violation a conflict; no connection, a shut-down server or none (libpq's
 * own) unavailable; else failed, with the server's primary message. */
GError           *rh_sql_postgres_result_error (const RhSqlPostgresUrl *url,
                                                const PGresult *result);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhSqlPostgresUrl, rh_sql_postgres_url_free)

G_END_DECLS
