/* The cloud store's one way to its database, whichever it is: a statement
 * with numbered parameters ($1, $2, ... in both SQLite and PostgreSQL), run
 * in the order asked on one connection, its rows as text.  The connection
 * is asynchronous: a PostgreSQL server that stalls never stalls the main
 * loop (the pages' frames, the API's other answers). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RH_SQL_ERROR (rh_sql_error_quark ())

typedef enum
{
  RH_SQL_ERROR_UNAVAILABLE, /* no connection to the database now: try again later */
  RH_SQL_ERROR_CONFLICT,    /* a unique constraint refused the row */
  RH_SQL_ERROR_FAILED,      /* the statement failed (bad SQL, bad data, full disk) */
} RhSqlError;

GQuark rh_sql_error_quark (void);

typedef enum
{
  RH_SQL_DIALECT_SQLITE,
  RH_SQL_DIALECT_POSTGRESQL,
} RhSqlDialect;

/* A statement's parameters, $1 first: text (NULL is SQL NULL) or integers. */
typedef struct _RhSqlParams RhSqlParams;

RhSqlParams *rh_sql_params_new      (void);
void         rh_sql_params_free     (RhSqlParams *params);
RhSqlParams *rh_sql_params_add_text (RhSqlParams *params, const char *value);
RhSqlParams *rh_sql_params_add_int  (RhSqlParams *params, gint64 value);
guint        rh_sql_params_get_length (const RhSqlParams *params);
/* The @index-th (0-based) as text (integers in decimal), NULL for SQL NULL. */
const char  *rh_sql_params_get_text (const RhSqlParams *params, guint index);
/* Whether the @index-th was added as an integer. */
gboolean     rh_sql_params_is_int   (const RhSqlParams *params, guint index);
gint64       rh_sql_params_get_int  (const RhSqlParams *params, guint index);

/* What a statement gave back: its rows (RETURNING's or a SELECT's), each
 * column as text or NULL, and how many rows it changed. */
typedef struct _RhSqlResult RhSqlResult;

RhSqlResult *rh_sql_result_new      (guint n_columns);
void         rh_sql_result_free     (RhSqlResult *result);
/* Appends a row of n_columns values (copied; NULL for SQL NULL). */
void         rh_sql_result_add_row  (RhSqlResult *result, const char *const *values);
void         rh_sql_result_set_changes (RhSqlResult *result, guint64 changes);
guint        rh_sql_result_get_n_rows    (const RhSqlResult *result);
guint        rh_sql_result_get_n_columns (const RhSqlResult *result);
guint64      rh_sql_result_get_changes   (const RhSqlResult *result);
const char  *rh_sql_result_get      (const RhSqlResult *result, guint row, guint column);
/* The value as an integer, 0 for NULL or text that is none. */
gint64       rh_sql_result_get_int  (const RhSqlResult *result, guint row, guint column);

#define RH_TYPE_SQL_CONNECTION (rh_sql_connection_get_type ())
G_DECLARE_DERIVABLE_TYPE (RhSqlConnection, rh_sql_connection, RH, SQL_CONNECTION, GObject)

struct _RhSqlConnectionClass
{
  GObjectClass parent_class;

  /* Runs @sql with @params after every statement asked for before it;
   * the result (or the error) comes to @callback on the thread-default
   * main context of the call. */
  void         (*query_async)  (RhSqlConnection *self, const char *sql,
                                const RhSqlParams *params, GCancellable *cancellable,
                                GAsyncReadyCallback callback, gpointer user_data);
  RhSqlResult *(*query_finish) (RhSqlConnection *self, GAsyncResult *result, GError **error);
  RhSqlDialect (*get_dialect)  (RhSqlConnection *self);
};

/* @params may be NULL for none; it is used before this returns. */
void          rh_sql_connection_query_async  (RhSqlConnection *connection, const char *sql,
                                              const RhSqlParams *params,
                                              GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
RhSqlResult  *rh_sql_connection_query_finish (RhSqlConnection *connection, GAsyncResult *result,
                                              GError **error);
RhSqlDialect  rh_sql_connection_get_dialect  (RhSqlConnection *connection);
/* Emits "notification" (channel, payload): what LISTEN heard, PostgreSQL's. */
void          rh_sql_connection_emit_notification (RhSqlConnection *connection,
                                                   const char *channel, const char *payload);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhSqlParams, rh_sql_params_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhSqlResult, rh_sql_result_free)

G_END_DECLS
