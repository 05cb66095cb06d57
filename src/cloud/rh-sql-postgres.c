#include "rh-sql-postgres.h"

#include <glib-unix.h>
#include <libpq-fe.h>
#include <string.h>

#include "rh-sql-postgres-libpq.h"

typedef enum
{
  STATE_DOWN,
  STATE_CONNECTING,
  STATE_UP,
} State;

/* A statement asked for, waiting or sent.  No task: a LISTEN made again
 * after a reconnect, or a query whose caller cancelled it once sent. */
typedef struct
{
  GTask *task;
  char *sql;
  GPtrArray *values; /* of char *, NULL for SQL NULL */
  gboolean sent;
  GSource *deadline;
  GCancellable *cancellable;
  gulong cancelled_id;
  char *listen;   /* the channel of a LISTEN, as written */
  char *unlisten; /* of an UNLISTEN, * for all */
} Query;

struct _RhSqlPostgres
{
  RhSqlConnection parent_instance;

  RhSqlPostgresUrl *url;
  GMainContext *context;
  guint timeout_ms;
  State state;
  PGconn *conn;
  GSource *watch;
  GSource *connect_deadline;
  GQueue queries; /* of Query, the one sent first */
  GPtrArray *channels; /* LISTENed to, as written, made again after a reconnect */
  PGresult *result;   /* of the query sent, until libpq's NULL says it is whole */
  gboolean disposed;
};

G_DEFINE_TYPE (RhSqlPostgres, rh_sql_postgres, RH_TYPE_SQL_CONNECTION)

static void send_next (RhSqlPostgres *self);
static void drop (RhSqlPostgres *self, GError *error);

static void
query_free (Query *query)
{
  if (query->cancelled_id != 0)
    g_cancellable_disconnect (query->cancellable, query->cancelled_id);
  g_clear_object (&query->cancellable);
  if (query->deadline != NULL)
    g_source_destroy (query->deadline);
  g_clear_pointer (&query->deadline, g_source_unref);
  g_clear_object (&query->task);
  g_free (query->sql);
  g_clear_pointer (&query->values, g_ptr_array_unref);
  g_free (query->listen);
  g_free (query->unlisten);
  g_free (query);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Query, query_free)

/* The channel of LISTEN channel[;], NULL for other statements. */
static char *
listen_channel (const char *sql, const char *verb)
{
  g_autofree char *text = g_strstrip (g_strdup (sql));
  gsize length = strlen (verb);

  if (g_ascii_strncasecmp (text, verb, length) != 0 || !g_ascii_isspace (text[length]))
    return NULL;
  g_strdelimit (text, ";", ' ');
  return g_strdup (g_strstrip (text + length));
}

static GSource *
attach (RhSqlPostgres *self, GSource *source, GSourceFunc func)
{
  g_source_set_callback (source, func, self, NULL);
  g_source_attach (source, self->context);
  return source;
}

static void
clear_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

static gboolean socket_ready (int fd, GIOCondition condition, gpointer user_data);

/* Watches the socket for @condition (and its hang-up); libpq may change
 * it while connecting, so made anew each time. */
static void
watch (RhSqlPostgres *self, GIOCondition condition)
{
  clear_source (&self->watch);
  self->watch = attach (self, g_unix_fd_source_new (PQsocket (self->conn), condition),
                        (GSourceFunc) (void (*) (void)) socket_ready);
}

/* Takes @query out of the queue and completes its task, if any; the
 * caller may run from it, so the queue is right before. */
static void
complete (RhSqlPostgres *self, Query *query, RhSqlResult *result, GError *error)
{
  g_autoptr (Query) done = query;
  g_autoptr (RhSqlResult) owned = result;
  g_autoptr (GError) failure = error;

  g_queue_remove (&self->queries, query);
  if (done->task == NULL)
    return;
  if (failure != NULL)
    g_task_return_error (done->task, g_steal_pointer (&failure));
  else
    g_task_return_pointer (done->task, g_steal_pointer (&owned),
                           (GDestroyNotify) rh_sql_result_free);
}

static GError *
unavailable (RhSqlPostgres *self, const char *what, const char *message)
{
  g_autofree char *shown = rh_sql_postgres_url_redact (self->url, message);

  return g_error_new (RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE, "PostgreSQL %s: %s", what, shown);
}

/* The connection is over: every query queued fails with @error (a copy
 * each), and the next one asked connects again. */
static void
drop (RhSqlPostgres *self, GError *error)
{
  g_autoptr (GError) owned = error;
  GQueue failed = self->queries;

  clear_source (&self->watch);
  clear_source (&self->connect_deadline);
  g_clear_pointer (&self->result, PQclear);
  g_clear_pointer (&self->conn, PQfinish);
  self->state = STATE_DOWN;
  g_queue_init (&self->queries);
  g_object_ref (self);
  while (!g_queue_is_empty (&failed))
    {
      Query *query = g_queue_pop_head (&failed);

      g_queue_push_head (&self->queries, query);
      complete (self, query, NULL, g_error_copy (owned));
    }
  /* Asked by a callback above: they start a new connection. */
  send_next (self);
  g_object_unref (self);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* What this session LISTENs to after @query, done. */
static void
keep_channels (RhSqlPostgres *self, Query *query)
{
  guint index = 0;

  if (query->unlisten != NULL && g_str_equal (query->unlisten, "*"))
    g_ptr_array_set_size (self->channels, 0);
  else if (query->unlisten != NULL
           && g_ptr_array_find_with_equal_func (self->channels, query->unlisten, g_str_equal,
                                                &index))
    g_ptr_array_remove_index (self->channels, index);
  else if (query->listen != NULL
           && !g_ptr_array_find_with_equal_func (self->channels, query->listen, g_str_equal, NULL))
    g_ptr_array_add (self->channels, g_strdup (query->listen));
}

/* The query sent has its whole answer in self->result. */
static void
answered (RhSqlPostgres *self)
{
  Query *query = g_queue_peek_head (&self->queries);
  g_autoptr (PGresult) result = g_steal_pointer (&self->result);
  ExecStatusType status = result != NULL ? PQresultStatus (result) : PGRES_FATAL_ERROR;

  if (status == PGRES_TUPLES_OK || status == PGRES_COMMAND_OK)
    {
      keep_channels (self, query);
      complete (self, query, rh_sql_postgres_result_rows (result), NULL);
    }
  else if (result == NULL)
    complete (self, query, NULL,
              unavailable (self, "gave no answer", PQerrorMessage (self->conn)));
  else if (status == PGRES_FATAL_ERROR)
    complete (self, query, NULL, rh_sql_postgres_result_error (self->url, result));
  else
    complete (self, query, NULL,
              g_error_new (RH_SQL_ERROR, RH_SQL_ERROR_FAILED, "unexpected answer: %s",
                           PQresStatus (status)));
}

static void
notify (RhSqlPostgres *self)
{
  PGnotify *notification;

  while (self->conn != NULL && (notification = PQnotifies (self->conn)) != NULL)
    {
      rh_sql_connection_emit_notification (RH_SQL_CONNECTION (self), notification->relname,
                                           notification->extra);
      PQfreemem (notification);
    }
}

/* Reads what came: answers, notifications, or the end of the connection. */
static void
read_input (RhSqlPostgres *self)
{
  if (!PQconsumeInput (self->conn))
    {
      drop (self, unavailable (self, "closed the connection", PQerrorMessage (self->conn)));
      return;
    }
  while (self->conn != NULL && !g_queue_is_empty (&self->queries)
         && ((Query *) g_queue_peek_head (&self->queries))->sent && !PQisBusy (self->conn))
    {
      PGresult *result = PQgetResult (self->conn);

      if (result != NULL)
        {
          /* The first error or the last rows is the answer. */
          if (self->result == NULL || PQresultStatus (self->result) != PGRES_FATAL_ERROR)
            {
              g_clear_pointer (&self->result, PQclear);
              self->result = result;
            }
          else
            PQclear (result);
          continue;
        }
      answered (self);
      if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD)
        {
          drop (self, unavailable (self, "closed the connection", PQerrorMessage (self->conn)));
          return;
        }
      send_next (self);
    }
  notify (self);
  if (self->conn != NULL && PQstatus (self->conn) == CONNECTION_BAD)
    drop (self, unavailable (self, "closed the connection", PQerrorMessage (self->conn)));
}

/* Sends what is buffered; watches for room to write while some is left. */
static void
flush (RhSqlPostgres *self)
{
  int left = PQflush (self->conn);

  if (left < 0)
    {
      drop (self, unavailable (self, "closed the connection", PQerrorMessage (self->conn)));
      return;
    }
  watch (self, left > 0 ? G_IO_IN | G_IO_OUT : G_IO_IN);
}

static void
connected (RhSqlPostgres *self)
{
  clear_source (&self->connect_deadline);
  if (PQsetnonblocking (self->conn, 1) != 0)
    {
      drop (self, unavailable (self, "connection", PQerrorMessage (self->conn)));
      return;
    }
  self->state = STATE_UP;
  /* LISTEN is a session's: a new session listens again, first. */
  for (guint i = self->channels->len; i > 0; i--)
    {
      Query *query = g_new0 (Query, 1);

      query->listen = g_strdup (g_ptr_array_index (self->channels, i - 1));
      query->sql = g_strdup_printf ("LISTEN %s", query->listen);
      query->values = g_ptr_array_new ();
      g_queue_push_head (&self->queries, query);
    }
  watch (self, G_IO_IN);
  send_next (self);
}

/* Connecting: waits for the socket libpq is on now, if any is left. */
static void
connect_wait (RhSqlPostgres *self, GIOCondition condition)
{
  if (PQsocket (self->conn) < 0)
    drop (self, unavailable (self, "connection failed", PQerrorMessage (self->conn)));
  else
    watch (self, condition);
}

static void
poll_connect (RhSqlPostgres *self)
{
  switch (PQconnectPoll (self->conn))
    {
    case PGRES_POLLING_OK:
      connected (self);
      break;
    case PGRES_POLLING_READING:
      connect_wait (self, G_IO_IN);
      break;
    case PGRES_POLLING_WRITING:
      connect_wait (self, G_IO_OUT);
      break;
    default:
      drop (self, unavailable (self, "connection failed", PQerrorMessage (self->conn)));
      break;
    }
}

static gboolean
socket_ready (int fd, GIOCondition condition, gpointer user_data)
{
  g_autoptr (RhSqlPostgres) self = g_object_ref (user_data);

  if (self->state == STATE_CONNECTING)
    poll_connect (self);
  else if (self->state == STATE_UP)
    {
      if (condition & G_IO_OUT)
        flush (self);
      if (self->conn != NULL && (condition & (G_IO_IN | G_IO_HUP | G_IO_ERR)))
        read_input (self);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
connect_timed_out (gpointer user_data)
{
  RhSqlPostgres *self = user_data;

  drop (self, g_error_new (RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE,
                           "PostgreSQL did not answer within %u ms of connecting",
                           rh_sql_postgres_url_get_connect_timeout_ms (self->url)));
  return G_SOURCE_REMOVE;
}

static void
start_connecting (RhSqlPostgres *self)
{
  self->conn = rh_sql_postgres_url_connect_start (self->url);
  if (self->conn == NULL || PQstatus (self->conn) == CONNECTION_BAD)
    {
      drop (self, unavailable (self, "connection failed",
                               self->conn != NULL ? PQerrorMessage (self->conn) : "no memory"));
      return;
    }
  self->state = STATE_CONNECTING;
  self->connect_deadline = attach (
      self, g_timeout_source_new (rh_sql_postgres_url_get_connect_timeout_ms (self->url)),
      connect_timed_out);
  /* The first poll waits for the socket to be writable. */
  connect_wait (self, G_IO_OUT);
}

/* Sends the first query queued unless one is sent already; connects first
 * when down. */
static void
send_next (RhSqlPostgres *self)
{
  Query *query = g_queue_peek_head (&self->queries);

  if (query == NULL || query->sent || self->state == STATE_CONNECTING || self->disposed)
    return;
  if (self->state == STATE_DOWN)
    {
      start_connecting (self);
      return;
    }
  if (!PQsendQueryParams (self->conn, query->sql, query->values->len, NULL,
                          (const char *const *) query->values->pdata, NULL, NULL, 0))
    {
      if (PQstatus (self->conn) == CONNECTION_BAD)
        drop (self, unavailable (self, "closed the connection", PQerrorMessage (self->conn)));
      else
        {
          complete (self, query, NULL,
                    g_error_new (RH_SQL_ERROR, RH_SQL_ERROR_FAILED, "%s",
                                 PQerrorMessage (self->conn)));
          send_next (self);
        }
      return;
    }
  query->sent = TRUE;
  flush (self);
}

static gboolean
query_timed_out (gpointer user_data)
{
  RhSqlPostgres *self = user_data;

  /* Whichever query holds the line, the server is not answering. */
  drop (self, g_error_new (RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE,
                           "PostgreSQL did not answer within %u ms", self->timeout_ms));
  return G_SOURCE_REMOVE;
}

typedef struct
{
  GWeakRef self;
  GTask *task;
} Cancel;

static void
cancel_free (Cancel *cancel)
{
  g_weak_ref_clear (&cancel->self);
  g_object_unref (cancel->task);
  g_free (cancel);
}

/* On the connection's context: a query not sent yet leaves the queue; one
 * sent returns now, its answer read and dropped when it comes. */
static gboolean
cancel_query (gpointer user_data)
{
  Cancel *cancel = user_data;
  g_autoptr (RhSqlPostgres) self = g_weak_ref_get (&cancel->self);
  g_autoptr (GError) error = NULL;
  Query *query = NULL;

  for (GList *l = self != NULL ? self->queries.head : NULL; l != NULL; l = l->next)
    if (((Query *) l->data)->task == cancel->task)
      query = l->data;
  if (query == NULL)
    return G_SOURCE_REMOVE;
  g_cancellable_set_error_if_cancelled (query->cancellable, &error);
  if (!query->sent)
    {
      complete (self, query, NULL, g_steal_pointer (&error));
      return G_SOURCE_REMOVE;
    }
  g_task_return_error (query->task, g_steal_pointer (&error));
  g_clear_object (&query->task);
  return G_SOURCE_REMOVE;
}

/* Maybe on another thread, and always where the handler cannot be
 * disconnected: the work is done from an idle of the connection's context. */
static void
cancelled (GCancellable *cancellable, gpointer user_data)
{
  Query *query = user_data;
  Cancel *cancel = g_new0 (Cancel, 1);
  RhSqlPostgres *self = g_task_get_source_object (query->task);
  g_autoptr (GSource) idle = g_idle_source_new ();

  g_weak_ref_init (&cancel->self, self);
  cancel->task = g_object_ref (query->task);
  g_source_set_callback (idle, cancel_query, cancel, (GDestroyNotify) cancel_free);
  g_source_attach (idle, self->context);
}

static void
rh_sql_postgres_query_async (RhSqlConnection *connection, const char *sql,
                             const RhSqlParams *params, GCancellable *cancellable,
                             GAsyncReadyCallback callback, gpointer user_data)
{
  RhSqlPostgres *self = RH_SQL_POSTGRES (connection);
  g_autoptr (GTask) task = g_task_new (self, cancellable, callback, user_data);
  Query *query;

  g_task_set_source_tag (task, rh_sql_postgres_query_async);
  if (g_task_return_error_if_cancelled (task))
    return;
  if (self->disposed)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_CLOSED, "the connection is closed");
      return;
    }
  query = g_new0 (Query, 1);
  query->task = g_steal_pointer (&task);
  query->sql = g_strdup (sql);
  query->listen = listen_channel (sql, "LISTEN");
  query->unlisten = listen_channel (sql, "UNLISTEN");
  query->values = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < rh_sql_params_get_length (params); i++)
    g_ptr_array_add (query->values, g_strdup (rh_sql_params_get_text (params, i)));
  query->deadline = attach (self, g_timeout_source_new (self->timeout_ms), query_timed_out);
  g_queue_push_tail (&self->queries, query);
  if (cancellable != NULL)
    {
      query->cancellable = g_object_ref (cancellable);
      query->cancelled_id = g_cancellable_connect (cancellable, G_CALLBACK (cancelled), query,
                                                   NULL);
    }
  send_next (self);
}

static RhSqlResult *
rh_sql_postgres_query_finish (RhSqlConnection *connection, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

static RhSqlDialect
rh_sql_postgres_get_dialect (RhSqlConnection *connection)
{
  return RH_SQL_DIALECT_POSTGRESQL;
}

static void
rh_sql_postgres_dispose (GObject *object)
{
  RhSqlPostgres *self = RH_SQL_POSTGRES (object);

  if (!self->disposed)
    {
      self->disposed = TRUE;
      drop (self, g_error_new (G_IO_ERROR, G_IO_ERROR_CANCELLED, "the connection was closed"));
    }
  G_OBJECT_CLASS (rh_sql_postgres_parent_class)->dispose (object);
}

static void
rh_sql_postgres_finalize (GObject *object)
{
  RhSqlPostgres *self = RH_SQL_POSTGRES (object);

  g_clear_pointer (&self->url, rh_sql_postgres_url_free);
  g_clear_pointer (&self->context, g_main_context_unref);
  g_ptr_array_unref (self->channels);
  G_OBJECT_CLASS (rh_sql_postgres_parent_class)->finalize (object);
}

static void
rh_sql_postgres_class_init (RhSqlPostgresClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  RhSqlConnectionClass *connection_class = RH_SQL_CONNECTION_CLASS (klass);

  object_class->dispose = rh_sql_postgres_dispose;
  object_class->finalize = rh_sql_postgres_finalize;
  connection_class->query_async = rh_sql_postgres_query_async;
  connection_class->query_finish = rh_sql_postgres_query_finish;
  connection_class->get_dialect = rh_sql_postgres_get_dialect;
}

static void
rh_sql_postgres_init (RhSqlPostgres *self)
{
  self->timeout_ms = RH_SQL_POSTGRES_TIMEOUT_MS;
  self->channels = g_ptr_array_new_with_free_func (g_free);
  g_queue_init (&self->queries);
}

RhSqlConnection *
rh_sql_postgres_new (const char *url, GError **error)
{
  g_autoptr (RhSqlPostgresUrl) checked = rh_sql_postgres_url_new (url, error);
  RhSqlPostgres *self;

  if (checked == NULL)
    return NULL;
  self = g_object_new (RH_TYPE_SQL_POSTGRES, NULL);
  self->url = g_steal_pointer (&checked);
  self->context = g_main_context_ref_thread_default ();
  return RH_SQL_CONNECTION (self);
}

void
rh_sql_postgres_set_timeout (RhSqlPostgres *self, guint ms)
{
  g_return_if_fail (RH_IS_SQL_POSTGRES (self));
  self->timeout_ms = ms;
}

gboolean
rh_sql_postgres_is_up (RhSqlPostgres *self)
{
  g_return_val_if_fail (RH_IS_SQL_POSTGRES (self), FALSE);
  return self->state == STATE_UP;
}
