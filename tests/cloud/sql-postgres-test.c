/* The cloud store's PostgreSQL connection against a real server of its
 * own (tests/postgres-server.c): statements in order with their rows and
 * parameters, errors by kind, a server killed, silent or sending
 * notifications, cancellation, and URLs refused or redacted. */
#include <libpq-fe.h>
#include <string.h>

#include "postgres-server.h"
#include "rh-sql-postgres.h"
#include "test-utils.h"

#define PASSWORD "SEK%40RET-pw"
#define PASSWORD_DECODED "SEK@RET-pw"

static PostgresServer *server;

typedef struct
{
  char *url;
  RhSqlConnection *conn;
} Fixture;

/* A new database, through the server's Unix socket (host= a directory). */
static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *tcp = postgres_server_create_database (server, &error);

  g_assert_no_error (error);
  fixture->url = g_strdup_printf ("postgresql:///%s?host=%s&port=%u&user=recordhost",
                                  strrchr (tcp, '/') + 1, postgres_server_get_socket_dir (server),
                                  postgres_server_get_port (server));
  fixture->conn = rh_sql_postgres_new (fixture->url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->conn);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->conn);
  g_free (fixture->url);
}

/* Runs @sql on the main loop; its result or NULL and @error. */
static RhSqlResult *
query (RhSqlConnection *conn, const char *sql, RhSqlParams *params, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_sql_connection_query_async (conn, sql, params, NULL, rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  return rh_sql_connection_query_finish (conn, result, error);
}

static RhSqlResult *
query_ok (RhSqlConnection *conn, const char *sql, RhSqlParams *params)
{
  g_autoptr (GError) error = NULL;
  RhSqlResult *result = query (conn, sql, params, &error);

  g_assert_no_error (error);
  g_assert_nonnull (result);
  return result;
}

static void
run_ok (RhSqlConnection *conn, const char *sql)
{
  g_autoptr (RhSqlResult) result = query_ok (conn, sql, NULL);
}

static gboolean
accepts (const char *url)
{
  return PQping (url) == PQPING_OK;
}

/* Each database is new and reachable; a killed server refuses until started again. */
static void
test_server (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *first = postgres_server_create_database (server, &error);
  g_autofree char *second = NULL;

  g_assert_no_error (error);
  second = postgres_server_create_database (server, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (first, !=, second);
  g_assert_true (accepts (first));
  postgres_server_kill (server);
  g_assert_false (accepts (first));
  g_assert_true (postgres_server_start_again (server, &error));
  g_assert_no_error (error);
  g_assert_true (accepts (second));
}

/* Queries asked all at once, before the connection is up. */
typedef struct
{
  GPtrArray *done;  /* of GAsyncResult, in the order they came back */
  GArray *order;    /* the index of each, in that order */
  guint index;
  gint64 at;        /* when it came back, monotonic µs */
} Pending;

typedef struct
{
  Pending *pending;
  guint index;
} Asked;

static void
pending_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree Asked *asked = user_data;

  g_ptr_array_add (asked->pending->done, g_object_ref (result));
  g_array_append_val (asked->pending->order, asked->index);
  asked->pending->at = g_get_monotonic_time ();
}

static void
ask (Pending *pending, RhSqlConnection *conn, const char *sql, RhSqlParams *params,
     GCancellable *cancellable)
{
  Asked *asked = g_new0 (Asked, 1);

  asked->pending = pending;
  asked->index = pending->index++;
  rh_sql_connection_query_async (conn, sql, params, cancellable, pending_cb, asked);
}

static void
pending_init (Pending *pending)
{
  pending->done = g_ptr_array_new_with_free_func (g_object_unref);
  pending->order = g_array_new (FALSE, FALSE, sizeof (guint));
  pending->index = 0;
}

static void
pending_clear (Pending *pending)
{
  g_ptr_array_unref (pending->done);
  g_array_unref (pending->order);
}

static gboolean
all_back (gpointer user_data)
{
  Pending *pending = user_data;

  return pending->done->len == pending->index;
}

static void
test_order (Fixture *fixture, gconstpointer data)
{
  Pending pending;
  const guint n = 40;

  pending_init (&pending);
  g_assert_false (rh_sql_postgres_is_up (RH_SQL_POSTGRES (fixture->conn)));
  ask (&pending, fixture->conn, "CREATE TABLE t (n integer PRIMARY KEY)", NULL, NULL);
  for (guint i = 0; i < n; i++)
    {
      g_autoptr (RhSqlParams) params = rh_sql_params_add_int (rh_sql_params_new (), i);

      ask (&pending, fixture->conn, "INSERT INTO t VALUES ($1)", params, NULL);
      ask (&pending, fixture->conn, "SELECT count(*), max(n) FROM t", NULL, NULL);
    }
  g_assert_true (rh_test_wait_until (all_back, &pending, 30));
  g_assert_true (rh_sql_postgres_is_up (RH_SQL_POSTGRES (fixture->conn)));
  for (guint i = 0; i < pending.index; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RhSqlResult) result = NULL;

      g_assert_cmpuint (g_array_index (pending.order, guint, i), ==, i);
      result = rh_sql_connection_query_finish (fixture->conn,
                                               g_ptr_array_index (pending.done, i), &error);
      g_assert_no_error (error);
      if (i == 0)
        continue;
      if (i % 2 == 1)
        {
          g_assert_cmpuint (rh_sql_result_get_changes (result), ==, 1);
          g_assert_cmpuint (rh_sql_result_get_n_columns (result), ==, 0);
          continue;
        }
      g_assert_cmpuint (rh_sql_result_get_n_rows (result), ==, 1);
      g_assert_cmpuint (rh_sql_result_get_n_columns (result), ==, 2);
      g_assert_cmpint (rh_sql_result_get_int (result, 0, 0), ==, i / 2);
      g_assert_cmpint (rh_sql_result_get_int (result, 0, 1), ==, i / 2 - 1);
    }
  pending_clear (&pending);
  g_assert_cmpint (rh_sql_connection_get_dialect (fixture->conn), ==, RH_SQL_DIALECT_POSTGRESQL);
}

/* The round trip of one statement on the socket, one after the other. */
static void
test_round_trip (Fixture *fixture, gconstpointer data)
{
  const guint n = 200;
  gint64 start;

  run_ok (fixture->conn, "SELECT 1");
  start = g_get_monotonic_time ();
  for (guint i = 0; i < n; i++)
    run_ok (fixture->conn, "SELECT 1");
  g_test_message ("round trip on the socket: %.0f us",
                  (g_get_monotonic_time () - start) / (double) n);
}

typedef struct
{
  const char *name;
  const char *text; /* NULL: SQL NULL; else as text, or an integer's value */
  gboolean is_int;
  gint64 value;
} Param;

static const Param params_table[] = {
  { "quotes", "it's \"quoted\" \\ back; --", FALSE, 0 },
  { "unicode", "caf\xc3\xa9 \xe6\x95\x99\xe5\xae\xa4 \xf0\x9f\x8e\x93", FALSE, 0 },
  { "binary-ish", "\x01\x02\x7f\t\r\n\xc2\x80$1 %s", FALSE, 0 },
  { "empty", "", FALSE, 0 },
  { "null", NULL, FALSE, 0 },
  { "int", "42", TRUE, 42 },
  { "negative", "-7", TRUE, -7 },
  { "int64-max", "9223372036854775807", TRUE, G_MAXINT64 },
  { "int64-min", "-9223372036854775808", TRUE, G_MININT64 },
};

/* Each value goes in through a parameter and comes back the same, in a
 * text column or, for integers, a bigint one that sums. */
static void
test_params (Fixture *fixture, gconstpointer data)
{
  const Param *param = data;
  g_autoptr (RhSqlResult) stored = NULL;
  g_autoptr (RhSqlResult) back = NULL;
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  run_ok (fixture->conn, "CREATE TABLE p (id serial PRIMARY KEY, t text, i bigint)");
  if (param->is_int)
    rh_sql_params_add_int (rh_sql_params_add_text (params, param->text), param->value);
  else
    rh_sql_params_add_text (rh_sql_params_add_text (params, param->text), NULL);
  stored = query_ok (fixture->conn, "INSERT INTO p (t, i) VALUES ($1, $2) RETURNING id", params);
  g_assert_cmpuint (rh_sql_result_get_changes (stored), ==, 1);
  back = query_ok (fixture->conn, "SELECT t, i FROM p", NULL);
  g_assert_cmpuint (rh_sql_result_get_n_rows (back), ==, 1);
  g_assert_cmpstr (rh_sql_result_get (back, 0, 0), ==, param->text);
  if (!param->is_int)
    {
      g_assert_null (rh_sql_result_get (back, 0, 1));
      return;
    }
  g_assert_cmpint (rh_sql_result_get_int (back, 0, 1), ==, param->value);
}

static void
test_returning (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhSqlResult) inserted = NULL;
  g_autoptr (RhSqlResult) updated = NULL;
  g_autoptr (RhSqlResult) none = NULL;

  run_ok (fixture->conn, "CREATE TABLE r (id serial PRIMARY KEY, name text, n int)");
  inserted = query_ok (fixture->conn,
                       "INSERT INTO r (name, n) VALUES ('a', 1), ('b', 2), ('c', 3) "
                       "RETURNING id, name",
                       NULL);
  g_assert_cmpuint (rh_sql_result_get_changes (inserted), ==, 3);
  g_assert_cmpuint (rh_sql_result_get_n_rows (inserted), ==, 3);
  g_assert_cmpint (rh_sql_result_get_int (inserted, 2, 0), ==, 3);
  g_assert_cmpstr (rh_sql_result_get (inserted, 2, 1), ==, "c");
  updated = query_ok (fixture->conn, "UPDATE r SET n = n + 10 WHERE n >= 2", NULL);
  g_assert_cmpuint (rh_sql_result_get_changes (updated), ==, 2);
  g_assert_cmpuint (rh_sql_result_get_n_rows (updated), ==, 0);
  none = query_ok (fixture->conn, "DELETE FROM r WHERE n > 100", NULL);
  g_assert_cmpuint (rh_sql_result_get_changes (none), ==, 0);
}

static void
test_conflict (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlResult) result = NULL;

  run_ok (fixture->conn, "CREATE TABLE u (name text PRIMARY KEY)");
  run_ok (fixture->conn, "INSERT INTO u VALUES ('x')");
  result = query (fixture->conn, "INSERT INTO u VALUES ('x')", NULL, &error);
  g_assert_null (result);
  g_assert_error (error, RH_SQL_ERROR, RH_SQL_ERROR_CONFLICT);
  g_assert_nonnull (strstr (error->message, "duplicate key"));
  /* The connection goes on. */
  run_ok (fixture->conn, "INSERT INTO u VALUES ('y')");
}

static void
test_bad_sql (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) missing = NULL;
  g_autoptr (RhSqlResult) result = query (fixture->conn, "SELEKT 1", NULL, &error);

  g_assert_null (result);
  g_assert_error (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED);
  g_assert_cmpstr (error->message, ==, "syntax error at or near \"SELEKT\"");
  result = query (fixture->conn, "SELECT * FROM nowhere", NULL, &missing);
  g_assert_error (missing, RH_SQL_ERROR, RH_SQL_ERROR_FAILED);
  g_assert_cmpstr (missing->message, ==, "relation \"nowhere\" does not exist");
  g_assert_true (rh_sql_postgres_is_up (RH_SQL_POSTGRES (fixture->conn)));
}

/* The server dies with a statement running and more queued: all fail at
 * once as unavailable, and the next query, once it is back, reconnects. */
static void
test_killed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlResult) after = NULL;
  Pending pending;
  gint64 killed;

  pending_init (&pending);
  run_ok (fixture->conn, "SELECT 1");
  ask (&pending, fixture->conn, "SELECT pg_sleep(20)", NULL, NULL);
  for (guint i = 0; i < 5; i++)
    ask (&pending, fixture->conn, "SELECT 1", NULL, NULL);
  rh_test_keep_running (100);
  g_assert_cmpuint (pending.done->len, ==, 0);
  killed = g_get_monotonic_time ();
  postgres_server_kill (server);
  g_assert_true (rh_test_wait_until (all_back, &pending, 10));
  g_test_message ("pending queries failed %.1f ms after the kill",
                  (pending.at - killed) / 1000.0);
  g_assert_cmpint (pending.at - killed, <, G_USEC_PER_SEC);
  for (guint i = 0; i < pending.index; i++)
    {
      g_autoptr (GError) failed = NULL;

      g_assert_null (rh_sql_connection_query_finish (fixture->conn,
                                                     g_ptr_array_index (pending.done, i),
                                                     &failed));
      g_assert_error (failed, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE);
    }
  g_assert_false (rh_sql_postgres_is_up (RH_SQL_POSTGRES (fixture->conn)));

  /* Down: refused at once, not waited for. */
  g_assert_null (query (fixture->conn, "SELECT 1", NULL, &error));
  g_assert_error (error, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE);
  g_clear_error (&error);

  g_assert_true (postgres_server_start_again (server, &error));
  g_assert_no_error (error);
  after = query_ok (fixture->conn, "SELECT 2", NULL);
  g_assert_cmpint (rh_sql_result_get_int (after, 0, 0), ==, 2);
  g_assert_true (rh_sql_postgres_is_up (RH_SQL_POSTGRES (fixture->conn)));
  pending_clear (&pending);
}

typedef struct
{
  GPtrArray *heard; /* "channel:payload" */
  gint64 at;
} Heard;

static void
notification_cb (RhSqlConnection *conn, const char *channel, const char *payload,
                 gpointer user_data)
{
  Heard *heard = user_data;

  g_ptr_array_add (heard->heard, g_strdup_printf ("%s:%s", channel, payload));
  heard->at = g_get_monotonic_time ();
}

static gboolean
both_down (gpointer user_data)
{
  RhSqlConnection **conns = user_data;

  return !rh_sql_postgres_is_up (RH_SQL_POSTGRES (conns[0]))
         && !rh_sql_postgres_is_up (RH_SQL_POSTGRES (conns[1]));
}

static gboolean
heard_one (gpointer user_data)
{
  return ((Heard *) user_data)->heard->len > 0;
}

/* NOTIFY from another connection comes as "notification" without any
 * query on the listening one, and to it in milliseconds. */
static void
notify_and_wait (Fixture *fixture, RhSqlConnection *other, Heard *heard, const char *payload)
{
  g_autoptr (RhSqlParams) params = rh_sql_params_add_text (rh_sql_params_new (), payload);
  g_autoptr (RhSqlResult) sent = NULL;
  g_autofree char *expected = g_strdup_printf ("room_events:%s", payload);
  gint64 start;

  run_ok (other, "SELECT 1");
  g_ptr_array_set_size (heard->heard, 0);
  start = g_get_monotonic_time ();
  sent = query_ok (other, "SELECT pg_notify('room_events', $1)", params);
  g_assert_true (rh_test_wait_until (heard_one, heard, 5));
  g_test_message ("notification %.1f ms after NOTIFY was sent", (heard->at - start) / 1000.0);
  g_assert_cmpint (heard->at - start, <, 100 * 1000);
  g_assert_cmpuint (heard->heard->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (heard->heard, 0), ==, expected);
}

static void
test_notify (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlConnection) other = rh_sql_postgres_new (fixture->url, &error);
  Heard heard = { g_ptr_array_new_with_free_func (g_free), 0 };

  g_assert_no_error (error);
  g_signal_connect (fixture->conn, "notification", G_CALLBACK (notification_cb), &heard);
  run_ok (fixture->conn, "LISTEN room_events");
  notify_and_wait (fixture, other, &heard, "first");

  /* Idle, both see the server go. */
  postgres_server_kill (server);
  g_assert_true (rh_test_wait_until (both_down, (RhSqlConnection *[]){ fixture->conn, other }, 5));
  g_assert_true (postgres_server_start_again (server, &error));
  g_assert_no_error (error);
  /* The next query connects again, and listens again before it. */
  run_ok (fixture->conn, "SELECT 1");
  notify_and_wait (fixture, other, &heard, "after a reconnect");

  run_ok (fixture->conn, "UNLISTEN room_events");
  g_ptr_array_set_size (heard.heard, 0);
  run_ok (other, "NOTIFY room_events, 'unheard'");
  rh_test_keep_running (200);
  g_assert_cmpuint (heard.heard->len, ==, 0);
  g_ptr_array_unref (heard.heard);
}

/* A TCP server that accepts connections and never says a word. */
typedef struct
{
  GSocketService *service;
  GPtrArray *held;
  guint16 port;
} Silent;

static gboolean
silent_incoming (GSocketService *service, GSocketConnection *connection, GObject *source,
                 gpointer user_data)
{
  g_ptr_array_add (((Silent *) user_data)->held, g_object_ref (connection));
  return TRUE;
}

static void
silent_start (Silent *silent)
{
  g_autoptr (GError) error = NULL;

  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any_port = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  silent->service = g_socket_service_new ();
  silent->held = g_ptr_array_new_with_free_func (g_object_unref);
  g_socket_listener_add_address (G_SOCKET_LISTENER (silent->service), any_port,
                                 G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL, &bound,
                                 &error);
  g_assert_no_error (error);
  silent->port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_signal_connect (silent->service, "incoming", G_CALLBACK (silent_incoming), silent);
  g_socket_service_start (silent->service);
}

static void
silent_stop (Silent *silent)
{
  g_socket_service_stop (silent->service);
  g_socket_listener_close (G_SOCKET_LISTENER (silent->service));
  g_clear_object (&silent->service);
  g_ptr_array_unref (silent->held);
}

static gboolean
tick (gpointer user_data)
{
  (*(guint *) user_data)++;
  return G_SOURCE_CONTINUE;
}

/* The query fails unavailable at its deadline, and the main loop ran all
 * along; the message has no password. */
static void
test_silent (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlConnection) conn = NULL;
  g_autoptr (RhSqlResult) result = NULL;
  g_autofree char *url = NULL;
  Silent silent;
  guint ticks = 0;
  guint ticker;
  gint64 start;
  gint64 took;

  silent_start (&silent);
  url = g_strdup_printf ("postgresql://recordhost:%s@127.0.0.1:%u/db", PASSWORD, silent.port);
  conn = rh_sql_postgres_new (url, &error);
  g_assert_no_error (error);
  rh_sql_postgres_set_timeout (RH_SQL_POSTGRES (conn), 300);
  ticker = g_timeout_add (10, tick, &ticks);
  start = g_get_monotonic_time ();
  result = query (conn, "SELECT 1", NULL, &error);
  took = g_get_monotonic_time () - start;
  g_source_remove (ticker);
  g_test_message ("the silent server's query failed after %.0f ms, %u ticks of 10 ms meanwhile",
                  took / 1000.0, ticks);
  g_assert_null (result);
  g_assert_error (error, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE);
  g_assert_cmpuint (silent.held->len, ==, 1);
  g_assert_cmpint (took, >=, 290 * 1000);
  g_assert_cmpint (took, <, 1000 * 1000);
  g_assert_cmpuint (ticks, >=, 10);
  g_assert_null (strstr (error->message, PASSWORD));
  g_assert_null (strstr (error->message, PASSWORD_DECODED));
  g_assert_false (rh_sql_postgres_is_up (RH_SQL_POSTGRES (conn)));
  silent_stop (&silent);
}

/* A statement that runs past its deadline: unavailable then, the
 * connection dropped, and the next query on a new one. */
static void
test_deadline (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlResult) result = NULL;
  gint64 start;
  gint64 took;

  run_ok (fixture->conn, "SELECT 1");
  rh_sql_postgres_set_timeout (RH_SQL_POSTGRES (fixture->conn), 300);
  start = g_get_monotonic_time ();
  result = query (fixture->conn, "SELECT pg_sleep(3)", NULL, &error);
  took = g_get_monotonic_time () - start;
  g_assert_null (result);
  g_assert_error (error, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE);
  g_assert_cmpint (took, >=, 290 * 1000);
  g_assert_cmpint (took, <, 1000 * 1000);
  g_assert_false (rh_sql_postgres_is_up (RH_SQL_POSTGRES (fixture->conn)));
  run_ok (fixture->conn, "SELECT 1");
  g_assert_true (rh_sql_postgres_is_up (RH_SQL_POSTGRES (fixture->conn)));
}

/* Messages of a connection refused, of a URL libpq cannot read, and of
 * failed SQL: never the password, as written or decoded. */
static void
test_password (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GError) refused = NULL;
  g_autoptr (GError) failed = NULL;
  g_autoptr (RhSqlConnection) conn = NULL;
  g_autoptr (RhSqlConnection) tcp = NULL;
  g_autofree char *closed = NULL;
  g_autofree char *local = NULL;
  g_autofree char *database = NULL;
  const char *unreadable[] = {
    "postgresql://recordhost:" PASSWORD "@[::1/db",
    "postgres://recordhost:" PASSWORD "@localhost/db?password=" PASSWORD "&nosuch=1",
  };
  Silent silent;

  for (guint i = 0; i < G_N_ELEMENTS (unreadable); i++)
    {
      g_autoptr (GError) refused_url = NULL;

      g_assert_null (rh_sql_postgres_new (unreadable[i], &refused_url));
      g_assert_error (refused_url, RH_SQL_ERROR, RH_SQL_ERROR_FAILED);
      g_test_message ("%s", refused_url->message);
      g_assert_null (strchr (refused_url->message, '\n'));
      g_assert_null (strstr (refused_url->message, PASSWORD));
      g_assert_null (strstr (refused_url->message, PASSWORD_DECODED));
    }

  /* A port nothing listens on: the one of a server just stopped. */
  silent_start (&silent);
  closed = g_strdup_printf ("postgresql://recordhost:%s@127.0.0.1:%u/db?password=%s", PASSWORD,
                            silent.port, PASSWORD);
  silent_stop (&silent);
  conn = rh_sql_postgres_new (closed, &error);
  g_assert_no_error (error);
  g_assert_null (query (conn, "SELECT 1", NULL, &refused));
  g_assert_error (refused, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE);
  g_test_message ("%s", refused->message);
  g_assert_null (strstr (refused->message, PASSWORD));
  g_assert_null (strstr (refused->message, PASSWORD_DECODED));

  /* Trust takes any password; the statement echoes it back. */
  database = postgres_server_create_database (server, &error);
  g_assert_no_error (error);
  local = g_strdup_printf ("%s?password=%s", database, PASSWORD);
  tcp = rh_sql_postgres_new (local, &error);
  g_assert_no_error (error);
  g_assert_null (query (tcp, "SELECT * FROM \"" PASSWORD_DECODED "\"", NULL, &failed));
  g_assert_error (failed, RH_SQL_ERROR, RH_SQL_ERROR_FAILED);
  g_test_message ("%s", failed->message);
  g_assert_null (strstr (failed->message, PASSWORD_DECODED));
}

static const char *const bad_urls[] = {
  "",
  "mysql://recordhost@127.0.0.1/db",
  "http://127.0.0.1:5432/db",
  "host=/tmp dbname=db",
  "postgresql://127.0.0.1/db?nosuchoption=1",
  "postgresql://[::1/db",
};

static void
test_bad_url (gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlConnection) conn = rh_sql_postgres_new (data, &error);

  g_assert_null (conn);
  g_assert_error (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED);
  g_assert_null (strchr (error->message, '\n'));
  g_assert_true (g_str_has_prefix (error->message, "not a PostgreSQL URL"));
}

static gboolean
two_back (gpointer user_data)
{
  return ((Pending *) user_data)->done->len >= 2;
}

/* Cancelled while queued: out of the queue, CANCELLED; cancelled once
 * sent: CANCELLED at once, its answer dropped; the rest run in order. */
static void
test_cancel (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GCancellable) queued = g_cancellable_new ();
  g_autoptr (GCancellable) sent = g_cancellable_new ();
  Pending pending;
  const GIOErrorEnum expected[] = { 0, G_IO_ERROR_CANCELLED, G_IO_ERROR_CANCELLED, 0 };
  const guint came[] = { 1, 0, 2, 3 };

  pending_init (&pending);
  run_ok (fixture->conn, "CREATE TABLE c (n int)");
  ask (&pending, fixture->conn, "SELECT pg_sleep(0.3)", NULL, NULL);
  ask (&pending, fixture->conn, "INSERT INTO c VALUES (1)", NULL, queued);
  ask (&pending, fixture->conn, "SELECT pg_sleep(1)", NULL, sent);
  ask (&pending, fixture->conn, "SELECT count(*) FROM c", NULL, NULL);
  rh_test_keep_running (50);
  g_cancellable_cancel (queued);
  /* Once the first is back, the third is sent. */
  g_assert_true (rh_test_wait_until (two_back, &pending, 10));
  g_cancellable_cancel (sent);
  g_assert_true (rh_test_wait_until (all_back, &pending, 10));
  for (guint i = 0; i < pending.index; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RhSqlResult) result = rh_sql_connection_query_finish (
          fixture->conn, g_ptr_array_index (pending.done, i), &error);
      guint index = g_array_index (pending.order, guint, i);

      g_assert_cmpuint (index, ==, came[i]);
      if (expected[index] != 0)
        g_assert_error (error, G_IO_ERROR, expected[index]);
      else
        g_assert_no_error (error);
      if (index == 3)
        g_assert_cmpint (rh_sql_result_get_int (result, 0, 0), ==, 0);
    }
  pending_clear (&pending);
}

/* Closing fails what is queued as cancelled, and what comes after. */
static void
test_dispose (Fixture *fixture, gconstpointer data)
{
  Pending pending;

  pending_init (&pending);
  run_ok (fixture->conn, "SELECT 1");
  ask (&pending, fixture->conn, "SELECT pg_sleep(5)", NULL, NULL);
  ask (&pending, fixture->conn, "SELECT 1", NULL, NULL);
  g_object_run_dispose (G_OBJECT (fixture->conn));
  ask (&pending, fixture->conn, "SELECT 1", NULL, NULL);
  g_assert_true (rh_test_wait_until (all_back, &pending, 2));
  for (guint i = 0; i < pending.index; i++)
    {
      g_autoptr (GError) error = NULL;

      g_assert_null (rh_sql_connection_query_finish (fixture->conn,
                                                     g_ptr_array_index (pending.done, i),
                                                     &error));
      g_assert_nonnull (error);
      g_assert_true (error->domain == G_IO_ERROR);
    }
  g_assert_false (rh_sql_postgres_is_up (RH_SQL_POSTGRES (fixture->conn)));
  pending_clear (&pending);
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  rh_test_init (&argc, &argv);
  server = postgres_server_start_tcp (&error);
  g_assert_no_error (error);

  g_test_add_func ("/sql-postgres/server", test_server);
  ADD ("/sql-postgres/order", test_order);
  ADD ("/sql-postgres/round-trip", test_round_trip);
  for (guint i = 0; i < G_N_ELEMENTS (params_table); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sql-postgres/params/%s", params_table[i].name);

      g_test_add (path, Fixture, &params_table[i], fixture_setup, test_params, fixture_teardown);
    }
  ADD ("/sql-postgres/returning", test_returning);
  ADD ("/sql-postgres/conflict", test_conflict);
  ADD ("/sql-postgres/bad-sql", test_bad_sql);
  ADD ("/sql-postgres/killed", test_killed);
  ADD ("/sql-postgres/notify", test_notify);
  g_test_add_func ("/sql-postgres/silent", test_silent);
  ADD ("/sql-postgres/deadline", test_deadline);
  g_test_add_func ("/sql-postgres/password", test_password);
  for (guint i = 0; i < G_N_ELEMENTS (bad_urls); i++)
    {
      g_autofree char *path = g_strdup_printf ("/sql-postgres/bad-url/%u", i);

      g_test_add_data_func (path, bad_urls[i], test_bad_url);
    }
  ADD ("/sql-postgres/cancel", test_cancel);
  ADD ("/sql-postgres/dispose", test_dispose);

  status = g_test_run ();
  g_clear_pointer (&server, postgres_server_free);
  return status;
}
