#include "rh-sql.h"

G_DEFINE_QUARK (rh-sql-error-quark, rh_sql_error)

typedef struct
{
  char *text;   /* NULL for SQL NULL */
  gboolean is_int;
  gint64 value;
} Param;

struct _RhSqlParams
{
  GArray *values; /* of Param */
};

static void
param_clear (gpointer data)
{
  g_free (((Param *) data)->text);
}

RhSqlParams *
rh_sql_params_new (void)
{
  RhSqlParams *params = g_new0 (RhSqlParams, 1);

  params->values = g_array_new (FALSE, TRUE, sizeof (Param));
  g_array_set_clear_func (params->values, param_clear);
  return params;
}

void
rh_sql_params_free (RhSqlParams *params)
{
  if (params == NULL)
    return;
  g_array_unref (params->values);
  g_free (params);
}

RhSqlParams *
rh_sql_params_add_text (RhSqlParams *params, const char *value)
{
  Param param = { g_strdup (value), FALSE, 0 };

  g_array_append_val (params->values, param);
  return params;
}

RhSqlParams *
rh_sql_params_add_int (RhSqlParams *params, gint64 value)
{
  Param param = { g_strdup_printf ("%" G_GINT64_FORMAT, value), TRUE, value };

  g_array_append_val (params->values, param);
  return params;
}

guint
rh_sql_params_get_length (const RhSqlParams *params)
{
  return params != NULL ? params->values->len : 0;
}

const char *
rh_sql_params_get_text (const RhSqlParams *params, guint index)
{
  g_return_val_if_fail (index < rh_sql_params_get_length (params), NULL);
  return g_array_index (params->values, Param, index).text;
}

gboolean
rh_sql_params_is_int (const RhSqlParams *params, guint index)
{
  g_return_val_if_fail (index < rh_sql_params_get_length (params), FALSE);
  return g_array_index (params->values, Param, index).is_int;
}

gint64
rh_sql_params_get_int (const RhSqlParams *params, guint index)
{
  g_return_val_if_fail (index < rh_sql_params_get_length (params), 0);
  return g_array_index (params->values, Param, index).value;
}

struct _RhSqlResult
{
  guint n_columns;
  GPtrArray *values; /* row after row, n_columns each */
  guint64 changes;
};

RhSqlResult *
rh_sql_result_new (guint n_columns)
{
  RhSqlResult *result = g_new0 (RhSqlResult, 1);

  result->n_columns = n_columns;
  result->values = g_ptr_array_new_with_free_func (g_free);
  return result;
}

void
rh_sql_result_free (RhSqlResult *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->values);
  g_free (result);
}

void
rh_sql_result_add_row (RhSqlResult *result, const char *const *values)
{
  for (guint i = 0; i < result->n_columns; i++)
    g_ptr_array_add (result->values, g_strdup (values[i]));
}

void
rh_sql_result_set_changes (RhSqlResult *result, guint64 changes)
{
  result->changes = changes;
}

guint
rh_sql_result_get_n_rows (const RhSqlResult *result)
{
  return result->n_columns > 0 ? result->values->len / result->n_columns : 0;
}

guint
rh_sql_result_get_n_columns (const RhSqlResult *result)
{
  return result->n_columns;
}

guint64
rh_sql_result_get_changes (const RhSqlResult *result)
{
  return result->changes;
}

const char *
rh_sql_result_get (const RhSqlResult *result, guint row, guint column)
{
  g_return_val_if_fail (row < rh_sql_result_get_n_rows (result), NULL);
  g_return_val_if_fail (column < result->n_columns, NULL);
  return g_ptr_array_index (result->values, row * result->n_columns + column);
}

gint64
rh_sql_result_get_int (const RhSqlResult *result, guint row, guint column)
{
  const char *text = rh_sql_result_get (result, row, column);
  gint64 value = 0;

  /* PostgreSQL writes booleans as t and f. */
  if (text != NULL && g_str_equal (text, "t"))
    return 1;
  if (text == NULL || !g_ascii_string_to_signed (text, 10, G_MININT64, G_MAXINT64, &value, NULL))
    return 0;
  return value;
}

G_DEFINE_ABSTRACT_TYPE (RhSqlConnection, rh_sql_connection, G_TYPE_OBJECT)

enum
{
  SIGNAL_NOTIFICATION,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
rh_sql_connection_class_init (RhSqlConnectionClass *klass)
{
  /* LISTEN heard NOTIFY: (channel, payload). */
  signals[SIGNAL_NOTIFICATION] = g_signal_new ("notification", G_TYPE_FROM_CLASS (klass),
                                               G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                               G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
rh_sql_connection_init (RhSqlConnection *self)
{
}

void
rh_sql_connection_query_async (RhSqlConnection *connection, const char *sql,
                               const RhSqlParams *params, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  g_return_if_fail (RH_IS_SQL_CONNECTION (connection));
  RH_SQL_CONNECTION_GET_CLASS (connection)->query_async (connection, sql, params, cancellable,
                                                         callback, user_data);
}

RhSqlResult *
rh_sql_connection_query_finish (RhSqlConnection *connection, GAsyncResult *result,
                                GError **error)
{
  g_return_val_if_fail (RH_IS_SQL_CONNECTION (connection), NULL);
  return RH_SQL_CONNECTION_GET_CLASS (connection)->query_finish (connection, result, error);
}

RhSqlDialect
rh_sql_connection_get_dialect (RhSqlConnection *connection)
{
  return RH_SQL_CONNECTION_GET_CLASS (connection)->get_dialect (connection);
}

void
rh_sql_connection_emit_notification (RhSqlConnection *connection, const char *channel,
                                     const char *payload)
{
  g_signal_emit (connection, signals[SIGNAL_NOTIFICATION], 0, channel, payload);
}
