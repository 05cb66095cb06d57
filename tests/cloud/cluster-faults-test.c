/* `recordhost cloud` workers sharing PostgreSQL, under faults: the
 * database away for less and for more than a lease, one worker cut off from
 * it by a proxy that holds its bytes, and a rolling restart behind HAProxy
 * while clients keep calling. */
#include <fcntl.h>
#include <glib/gstdio.h>
#include <libpq-fe.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "media-probe.h"
#include "postgres-server.h"
#include "test-utils.h"

#define APP_ID "app-1"
#define ROOMS "/edu/apps/" APP_ID "/v2/rooms/"
#define RELEASE "{\"webRecordConfig\":{\"onHold\":false}}"
/* Bound on a worker's start, to its URL on stdout. */
#define WORKER_START_S 60
/* Bound on waiting for a room's events or owner. */
#define WAIT_S 120

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* The test program's server, on a Unix socket and TCP (for the proxy). */
static PostgresServer *server;

static char *
read_or_empty (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

/* ---- a proxy that can hold the bytes it forwards ---- */

/* A TCP proxy to 127.0.0.1:@target in a thread of its own (the test calls
 * the workers synchronously, and a worker's queries must not wait for
 * that).  Blocked, it forwards nothing and closes nothing: what it has read
 * it keeps, and it reads no more, as a network that drops every packet. */
typedef struct
{
  guint16 target;
  guint16 port;
  GThread *thread;
  GMainContext *context;
  GMainLoop *loop;
  GSocketService *service;
  GCancellable *cancellable;
  gint blocked;    /* atomic */
  GPtrArray *held; /* Pump waiting to be unblocked; the proxy's thread only */
  guint pumps;     /* pumps running */
  GMutex lock;
  GCond started;
} Proxy;

/* One direction of one connection. */
typedef struct
{
  Proxy *proxy;
  GIOStream *from;
  GIOStream *to;
  guint8 buffer[16384];
  gsize length;
} Pump;

static void pump_read (Pump *pump);

static void
pump_end (Pump *pump)
{
  /* The other direction fails in turn. */
  g_io_stream_close (pump->to, NULL, NULL);
  g_io_stream_close (pump->from, NULL, NULL);
  g_object_unref (pump->from);
  g_object_unref (pump->to);
  pump->proxy->pumps--;
  g_free (pump);
}

static void
pump_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pump *pump = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      pump_end (pump);
      return;
    }
  pump_read (pump);
}

static void
pump_write (Pump *pump)
{
  g_output_stream_write_all_async (g_io_stream_get_output_stream (pump->to), pump->buffer,
                                   pump->length, G_PRIORITY_DEFAULT, pump->proxy->cancellable,
                                   pump_written_cb, pump);
}

static void
pump_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Pump *pump = user_data;
  gssize length = g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL);

  if (length <= 0)
    {
      pump_end (pump);
      return;
    }
  pump->length = (gsize)length;
  if (g_atomic_int_get (&pump->proxy->blocked))
    {
      g_ptr_array_add (pump->proxy->held, pump);
      return;
    }
  pump_write (pump);
}

static void
pump_read (Pump *pump)
{
  g_input_stream_read_async (g_io_stream_get_input_stream (pump->from), pump->buffer,
                             sizeof pump->buffer, G_PRIORITY_DEFAULT, pump->proxy->cancellable,
                             pump_read_cb, pump);
}

static void
pump_start (Proxy *proxy, GIOStream *from, GIOStream *to)
{
  Pump *pump = g_new0 (Pump, 1);

  pump->proxy = proxy;
  pump->from = g_object_ref (from);
  pump->to = g_object_ref (to);
  proxy->pumps++;
  pump_read (pump);
}

static gboolean
proxy_incoming_cb (GSocketService *service, GSocketConnection *connection, GObject *source,
                   gpointer user_data)
{
  Proxy *proxy = user_data;
  g_autoptr (GSocketClient) client = g_socket_client_new ();
  g_autoptr (GSocketConnection) upstream = NULL;

  upstream = g_socket_client_connect_to_host (client, "127.0.0.1", proxy->target,
                                              proxy->cancellable, NULL);
  if (upstream == NULL)
    return TRUE;
  pump_start (proxy, G_IO_STREAM (connection), G_IO_STREAM (upstream));
  pump_start (proxy, G_IO_STREAM (upstream), G_IO_STREAM (connection));
  return TRUE;
}

static gpointer
proxy_thread (gpointer user_data)
{
  Proxy *proxy = user_data;
  g_autoptr (GError) error = NULL;

  g_main_context_push_thread_default (proxy->context);
  proxy->service = g_socket_service_new ();
  g_mutex_lock (&proxy->lock);
  proxy->port
      = g_socket_listener_add_any_inet_port (G_SOCKET_LISTENER (proxy->service), NULL, &error);
  g_assert_no_error (error);
  g_signal_connect (proxy->service, "incoming", G_CALLBACK (proxy_incoming_cb), proxy);
  g_socket_service_start (proxy->service);
  g_cond_signal (&proxy->started);
  g_mutex_unlock (&proxy->lock);

  g_main_loop_run (proxy->loop);

  g_socket_service_stop (proxy->service);
  g_socket_listener_close (G_SOCKET_LISTENER (proxy->service));
  g_clear_object (&proxy->service);
  /* Every pump ends on the cancellation, the held ones here. */
  g_cancellable_cancel (proxy->cancellable);
  while (proxy->held->len > 0)
    pump_end (g_ptr_array_steal_index (proxy->held, 0));
  while (proxy->pumps > 0)
    g_main_context_iteration (proxy->context, TRUE);
  g_main_context_pop_thread_default (proxy->context);
  return NULL;
}

static Proxy *
proxy_new (guint16 target)
{
  Proxy *proxy = g_new0 (Proxy, 1);

  proxy->target = target;
  proxy->context = g_main_context_new ();
  proxy->loop = g_main_loop_new (proxy->context, FALSE);
  proxy->cancellable = g_cancellable_new ();
  proxy->held = g_ptr_array_new ();
  g_mutex_init (&proxy->lock);
  g_cond_init (&proxy->started);
  g_mutex_lock (&proxy->lock);
  proxy->thread = g_thread_new ("proxy", proxy_thread, proxy);
  while (proxy->port == 0)
    g_cond_wait (&proxy->started, &proxy->lock);
  g_mutex_unlock (&proxy->lock);
  return proxy;
}

static gboolean
proxy_unblock_cb (gpointer user_data)
{
  Proxy *proxy = user_data;

  g_atomic_int_set (&proxy->blocked, FALSE);
  while (proxy->held->len > 0)
    pump_write (g_ptr_array_steal_index (proxy->held, 0));
  return G_SOURCE_REMOVE;
}

static void
proxy_set_blocked (Proxy *proxy, gboolean blocked)
{
  if (blocked)
    g_atomic_int_set (&proxy->blocked, TRUE);
  else
    g_main_context_invoke (proxy->context, proxy_unblock_cb, proxy);
}

static gboolean
proxy_quit_cb (gpointer user_data)
{
  g_main_loop_quit (((Proxy *)user_data)->loop);
  return G_SOURCE_REMOVE;
}

static void
proxy_free (Proxy *proxy)
{
  g_main_context_invoke (proxy->context, proxy_quit_cb, proxy);
  g_thread_join (proxy->thread);
  g_ptr_array_unref (proxy->held);
  g_object_unref (proxy->cancellable);
  g_main_loop_unref (proxy->loop);
  g_main_context_unref (proxy->context);
  g_mutex_clear (&proxy->lock);
  g_cond_clear (&proxy->started);
  g_free (proxy);
}

/* ---- the workers ---- */

typedef struct
{
  char *id;
  char *store_url;
  char *listen; /* --listen: kept over a restart, so that HAProxy finds it again */
  char *allowed_host;
  char *data_dir;
  char *out_path;
  char *err_path;
  char *base_url;
  guint lease_ttl_s;
  GSubprocess *process; /* the leader of its own process group */
  GPid pid;
} Worker;

typedef struct
{
  char *dir;
  char *store_url;
  PGconn *db;
  SoupSession *session;
  GPtrArray *workers; /* Worker */
  Proxy *proxy;
  GSubprocess *haproxy;
  GPid haproxy_pid;
  char *allowed_host; /* the workers' --allowed-host: HAProxy's address */
} Fixture;

/* The process groups started and not yet killed (workers, HAProxy): a
 * failed assertion aborts before any teardown, and must leave none. */
#define MAX_GROUPS 32
static volatile GPid groups[MAX_GROUPS];

static void
groups_add (GPid pid)
{
  for (guint i = 0; i < MAX_GROUPS; i++)
    if (groups[i] == 0)
      {
        groups[i] = pid;
        return;
      }
  g_error ("more than %d process groups", MAX_GROUPS);
}

static void
groups_kill (GPid pid)
{
  kill (-pid, SIGKILL);
  for (guint i = 0; i < MAX_GROUPS; i++)
    if (groups[i] == pid)
      groups[i] = 0;
}

/* SIGABRT's handler: async-signal-safe calls only. */
static void
groups_kill_all (int signal_number)
{
  for (guint i = 0; i < MAX_GROUPS; i++)
    if (groups[i] > 0)
      kill (-groups[i], SIGKILL);
  signal (signal_number, SIG_DFL);
  raise (signal_number);
}

/* Between fork and exec: the worker leads a process group of its own, so
 * that its WebKit processes go with it at teardown, and it gets SIGKILL
 * when the test program ends however it ends. */
static void
child_setup (gpointer user_data)
{
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

/* GSubprocess reaps its child in GLib's worker thread, and forgets its
 * identifier then. */
static gboolean
worker_exited (Worker *worker)
{
  return worker->process == NULL || g_subprocess_get_identifier (worker->process) == NULL;
}

static void
worker_kill (Worker *worker)
{
  if (worker->process == NULL)
    return;
  /* The whole group: the worker, its stderr filter and the WebKit
   * processes it started. */
  groups_kill (worker->pid);
  if (!worker_exited (worker))
    {
      kill (worker->pid, SIGKILL);
      g_subprocess_wait (worker->process, NULL, NULL);
    }
  g_clear_object (&worker->process);
}

static void
worker_free (Worker *worker)
{
  worker_kill (worker);
  g_free (worker->id);
  g_free (worker->store_url);
  g_free (worker->listen);
  g_free (worker->allowed_host);
  g_free (worker->data_dir);
  g_free (worker->out_path);
  g_free (worker->err_path);
  g_free (worker->base_url);
  g_free (worker);
}

static gboolean
url_printed (gpointer user_data)
{
  Worker *worker = user_data;
  g_autofree char *out = read_or_empty (worker->out_path);

  return strchr (out, '\n') != NULL || worker_exited (worker);
}

/* (Re)starts @worker's process; returns once it printed its URL.  Its
 * stdout and stderr files are appended to, so that a restart keeps what
 * the process before wrote. */
static void
worker_spawn (Worker *worker)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autofree char *ttl = g_strdup_printf ("%u", worker->lease_ttl_s);
  const char *argv[] = { RECORDHOST_BINARY,
                         "cloud",
                         "--store",
                         worker->store_url,
                         "--data-dir",
                         worker->data_dir,
                         "--listen",
                         worker->listen,
                         "--worker-id",
                         worker->id,
                         "--lease-ttl",
                         ttl,
                         "--drain-timeout",
                         "60",
                         "--allow-file-pages",
                         worker->allowed_host != NULL ? "--allowed-host" : NULL,
                         worker->allowed_host,
                         NULL };
  g_autoptr (GError) error = NULL;
  g_autofree char *out = NULL;
  int err_fd = g_open (worker->err_path, O_WRONLY | O_CREAT | O_APPEND, 0600);
  char *end;

  g_assert_cmpint (err_fd, >=, 0);
  g_remove (worker->out_path);
  g_subprocess_launcher_set_stdout_file_path (launcher, worker->out_path);
  g_subprocess_launcher_take_stderr_fd (launcher, err_fd);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  worker->process = g_subprocess_launcher_spawnv (launcher, argv, &error);
  g_assert_no_error (error);
  worker->pid = (GPid)g_ascii_strtoll (g_subprocess_get_identifier (worker->process), NULL, 10);
  groups_add (worker->pid);
  rh_test_wait_until (url_printed, worker, WORKER_START_S);
  out = read_or_empty (worker->out_path);
  end = strchr (out, '\n');
  if (end == NULL || !g_str_has_prefix (out, "http://"))
    {
      g_autofree char *err = read_or_empty (worker->err_path);

      g_test_message ("%s's stderr:\n%s", worker->id, err);
      g_error ("worker %s printed no URL within %d s (%s)", worker->id, WORKER_START_S,
               worker_exited (worker) ? "it exited" : "still running");
    }
  *end = '\0';
  g_free (worker->base_url);
  worker->base_url = g_strdup (out);
}

/* Worker "w<N+1>" on @store_url (NULL: the fixture's), listening on
 * @listen (NULL: a free port). */
static Worker *
add_worker (Fixture *fixture, const char *store_url, const char *listen, guint lease_ttl_s)
{
  Worker *worker = g_new0 (Worker, 1);

  worker->id = g_strdup_printf ("w%u", fixture->workers->len + 1);
  worker->store_url = g_strdup (store_url != NULL ? store_url : fixture->store_url);
  worker->listen = g_strdup (listen != NULL ? listen : "127.0.0.1:0");
  worker->lease_ttl_s = lease_ttl_s;
  worker->allowed_host = g_strdup (fixture->allowed_host);
  worker->data_dir = g_build_filename (fixture->dir, worker->id, NULL);
  worker->out_path = g_strdup_printf ("%s/%s.out", fixture->dir, worker->id);
  worker->err_path = g_strdup_printf ("%s/%s.err", fixture->dir, worker->id);
  g_ptr_array_add (fixture->workers, worker);
  worker_spawn (worker);
  return worker;
}

static Worker *
worker_by_id (Fixture *fixture, const char *id)
{
  for (guint i = 0; i < fixture->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (fixture->workers, i);

      if (g_strcmp0 (worker->id, id) == 0)
        return worker;
    }
  return NULL;
}

static gboolean
worker_gone (gpointer user_data)
{
  return worker_exited (user_data);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_build_filename (rh_test_tmpdir (), "faults", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  fixture->store_url = postgres_server_create_database (server, &error);
  g_assert_no_error (error);
  fixture->db = PQconnectdb (fixture->store_url);
  if (PQstatus (fixture->db) != CONNECTION_OK)
    g_error ("%s: %s", fixture->store_url, PQerrorMessage (fixture->db));
  /* The test server commits without waiting for the disk, which a kill may
   * undo: here the database keeps what it acknowledged, as one in
   * production does. */
  {
    g_autofree char *sql
        = g_strdup_printf ("ALTER DATABASE \"%s\" SET synchronous_commit = on", PQdb (fixture->db));
    g_autoptr (PGresult) result = PQexec (fixture->db, sql);

    g_assert_cmpint (PQresultStatus (result), ==, PGRES_COMMAND_OK);
  }
  fixture->session = soup_session_new_with_options ("timeout", 30, NULL);
  fixture->workers = g_ptr_array_new_with_free_func ((GDestroyNotify)worker_free);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_pointer (&fixture->workers, g_ptr_array_unref);
  if (fixture->haproxy != NULL)
    {
      groups_kill (fixture->haproxy_pid);
      g_subprocess_wait (fixture->haproxy, NULL, NULL);
      g_clear_object (&fixture->haproxy);
    }
  g_clear_pointer (&fixture->proxy, proxy_free);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->db, PQfinish);
  g_clear_pointer (&fixture->store_url, g_free);
  g_clear_pointer (&fixture->allowed_host, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

/* ---- calls and the database ---- */

/* One call: its status (0 when nothing answered: the error in @error),
 * Retry-After (when @retry_after) and body. */
static char *
try_call (Fixture *fixture, const char *base_url, const char *method, const char *path,
          const char *body, guint *status, char **retry_after, GError **error)
{
  g_autofree char *uri = g_strconcat (base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GBytes) reply = NULL;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  *status = 0;
  reply = soup_session_send_and_read (fixture->session, msg, NULL, error);
  if (reply == NULL)
    return NULL;
  *status = soup_message_get_status (msg);
  if (retry_after != NULL)
    *retry_after = g_strdup (
        soup_message_headers_get_one (soup_message_get_response_headers (msg), "Retry-After"));
  return g_strndup (g_bytes_get_data (reply, NULL), g_bytes_get_size (reply));
}

/* The same, failing the test when nothing answers. */
static char *
call_raw (Fixture *fixture, const char *base_url, const char *method, const char *path,
          const char *body, guint *status, char **retry_after)
{
  g_autoptr (GError) error = NULL;
  char *text = try_call (fixture, base_url, method, path, body, status, retry_after, &error);

  if (text == NULL)
    g_error ("%s %s%s: %s", method, base_url, path, error->message);
  return text;
}

/* A call that must answer 200 with code 0; its data member. */
static JsonNode *
call_ok (Fixture *fixture, Worker *worker, const char *method, const char *path, const char *body)
{
  guint status = 0;
  g_autofree char *text = call_raw (fixture, worker->base_url, method, path, body, &status, NULL);
  g_autoptr (JsonNode) root = rh_test_parse_json (text);
  JsonObject *reply = json_node_get_object (root);

  if (status != 200 || json_object_get_int_member (reply, "code") != 0)
    g_error ("%s %s to %s: %u: %s", method, path, worker->id, status, text);
  return json_node_copy (json_object_get_member (reply, "data"));
}

static char *
start_body (const char *query, gboolean on_hold)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *uri = g_filename_to_uri (page, NULL, NULL);

  return g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"%s?%s\","
                          "\"onHold\":%s,\"videoWidth\":640,\"videoHeight\":480},"
                          "\"retryTimeout\":10}",
                          uri, query, on_hold ? "true" : "false");
}

static void
start_room (Fixture *fixture, Worker *worker, const char *room, const char *query, gboolean on_hold)
{
  g_autofree char *path = g_strconcat (ROOMS, room, "/records/states/1", NULL);
  g_autofree char *body = start_body (query, on_hold);
  g_autoptr (JsonNode) data = call_ok (fixture, worker, "PUT", path, body);
}

static PGresult *
query (Fixture *fixture, const char *sql, const char *param)
{
  const char *params[] = { param };
  PGresult *result
      = PQexecParams (fixture->db, sql, param != NULL ? 1 : 0, NULL, params, NULL, NULL, 0);

  if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (fixture->db));
  return result;
}

/* The first row's first column; NULL for none or a NULL. */
static char *
query_value (Fixture *fixture, const char *sql, const char *param)
{
  g_autoptr (PGresult) result = query (fixture, sql, param);

  if (PQntuples (result) == 0 || PQgetisnull (result, 0, 0))
    return NULL;
  return g_strdup (PQgetvalue (result, 0, 0));
}

/* The query's value is @expected (NULL: none). */
static void
assert_value (Fixture *fixture, const char *sql, const char *param, const char *expected)
{
  g_autofree char *value = query_value (fixture, sql, param);

  g_assert_cmpstr (value, ==, expected);
}

static gint64
query_int (Fixture *fixture, const char *sql, const char *param)
{
  g_autofree char *value = query_value (fixture, sql, param);

  return value != NULL ? g_ascii_strtoll (value, NULL, 10) : -1;
}

/* The rows as text, one a line. */
static char *
query_text (Fixture *fixture, const char *sql, const char *param)
{
  g_autoptr (PGresult) result = query (fixture, sql, param);
  GString *out = g_string_new (NULL);

  for (int row = 0; row < PQntuples (result); row++)
    {
      for (int column = 0; column < PQnfields (result); column++)
        g_string_append_printf (
            out, "%s%s=%s", column > 0 ? " " : "", PQfname (result, column),
            PQgetisnull (result, row, column) ? "NULL" : PQgetvalue (result, row, column));
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static gint64
now_ms (void)
{
  return g_get_real_time () / 1000;
}

/* The reasons of @room's cmd 1001 events through @worker, "1,4,3"; their
 * sequences are 1..n, with no gap. */
static char *
reasons (Fixture *fixture, Worker *worker, const char *room)
{
  g_autofree char *path = g_strconcat (ROOMS, room, "/sequences?nextId=0", NULL);
  g_autoptr (JsonNode) data = call_ok (fixture, worker, "GET", path, NULL);
  JsonArray *list = json_object_get_array_member (json_node_get_object (data), "list");
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *event = json_array_get_object_element (list, i);

      g_assert_cmpint (json_object_get_int_member (event, "sequence"), ==, i + 1);
      if (json_object_get_int_member (event, "cmd") != 1001)
        continue;
      g_string_append_printf (
          out, "%s%" G_GINT64_FORMAT, out->len > 0 ? "," : "",
          json_object_get_int_member (json_object_get_object_member (event, "data"), "reason"));
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  Fixture *fixture;
  Worker *worker;
  const char *room;
  const char *expected;
} ReasonsWait;

static gboolean
reasons_read (gpointer user_data)
{
  ReasonsWait *wait = user_data;
  g_autofree char *got = reasons (wait->fixture, wait->worker, wait->room);

  return g_str_equal (got, wait->expected);
}

/* What a failed wait shows: the tables and each worker's last words. */
static void
describe (Fixture *fixture)
{
  const char *const tables[] = { "rooms", "room_claims", "records", "workers" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s", tables[i]);
      g_autofree char *rows = query_text (fixture, sql, NULL);

      g_test_message ("%s:\n%s", tables[i], rows);
    }
  for (guint i = 0; i < fixture->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (fixture->workers, i);
      g_autofree char *err = read_or_empty (worker->err_path);
      gsize length = strlen (err);

      g_test_message ("%s (pid %d%s), stderr ends:\n%s", worker->id, (int)worker->pid,
                      worker_exited (worker) ? ", exited" : "",
                      length > 3000 ? err + length - 3000 : err);
    }
  if (fixture->haproxy != NULL)
    {
      g_autofree char *path = g_build_filename (fixture->dir, "haproxy.log", NULL);
      g_autofree char *log = read_or_empty (path);
      gsize length = strlen (log);

      g_test_message ("haproxy's log ends:\n%s", length > 3000 ? log + length - 3000 : log);
      if (g_subprocess_get_identifier (fixture->haproxy) == NULL)
        g_test_message ("haproxy exited, wait status %d",
                        g_subprocess_get_status (fixture->haproxy));
    }
}

static void
wait_or_fail (Fixture *fixture, RhTestDoneFunc done, gpointer user_data, guint timeout_s,
              const char *what)
{
  if (rh_test_wait_until (done, user_data, timeout_s))
    return;
  describe (fixture);
  g_error ("waited %u s in vain for %s", timeout_s, what);
}

static void
wait_reasons (Fixture *fixture, Worker *worker, const char *room, const char *expected)
{
  ReasonsWait wait = { fixture, worker, room, expected };
  g_autofree char *what = g_strdup_printf ("reasons %s of room %s", expected, room);

  wait_or_fail (fixture, reasons_read, &wait, WAIT_S, what);
}

typedef struct
{
  Fixture *fixture;
  const char *sql;
  const char *param;
} QueryWait;

/* The query has a row. */
static gboolean
query_has_row (gpointer user_data)
{
  QueryWait *wait = user_data;
  g_autoptr (PGresult) result = query (wait->fixture, wait->sql, wait->param);

  return PQntuples (result) > 0;
}

static void
wait_row (Fixture *fixture, const char *sql, const char *param, const char *what)
{
  QueryWait wait = { fixture, sql, param };

  wait_or_fail (fixture, query_has_row, &wait, WAIT_S, what);
}

typedef struct
{
  Fixture *fixture;
  Worker *worker;
  const char *text;
} LogWait;

static gboolean
log_has (gpointer user_data)
{
  LogWait *wait = user_data;
  g_autofree char *err = read_or_empty (wait->worker->err_path);

  return strstr (err, wait->text) != NULL;
}

typedef struct
{
  Fixture *fixture;
  Worker *worker;
  const char *path;
  guint status;
} StatusWait;

static gboolean
status_is (gpointer user_data)
{
  StatusWait *wait = user_data;
  guint status = 0;
  g_autofree char *body = try_call (wait->fixture, wait->worker->base_url, "GET", wait->path, NULL,
                                    &status, NULL, NULL);

  return status == wait->status;
}

static void
wait_status (Fixture *fixture, Worker *worker, const char *path, guint status, guint timeout_s)
{
  StatusWait wait = { fixture, worker, path, status };
  g_autofree char *what = g_strdup_printf ("%s of %s answering %u", path, worker->id, status);

  wait_or_fail (fixture, status_is, &wait, timeout_s, what);
}

/* The room's recording file, as its records list through @worker names it:
 * listed, so on disk and not empty.  The store has its whole path (the
 * list, relative to the data directory of the worker asked). */
static char *
record_file (Fixture *fixture, Worker *worker, const char *room)
{
  g_autofree char *path = g_strconcat (ROOMS, room, "/records", NULL);
  g_autoptr (JsonNode) data = call_ok (fixture, worker, "GET", path, NULL);
  JsonArray *list = json_object_get_array_member (json_node_get_object (data), "list");
  JsonObject *record;
  JsonArray *files;

  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  record = json_array_get_object_element (list, 0);
  files = json_object_get_array_member (record, "files");
  g_assert_nonnull (files);
  g_assert_cmpuint (json_array_get_length (files), ==, 1);
  return query_value (fixture, "SELECT file FROM records WHERE room_uuid = $1", room);
}

typedef struct
{
  Fixture *fixture;
  const char *worker_id;
  gint64 expires_ms;
} HeartbeatWait;

/* The worker's heartbeat is not the one it was: it renewed. */
static gboolean
heartbeat_renewed (gpointer user_data)
{
  HeartbeatWait *wait = user_data;

  return query_int (wait->fixture, "SELECT expires_ms FROM workers WHERE worker_id = $1",
                    wait->worker_id)
         != wait->expires_ms;
}

/* ---- the database away for less than a lease ---- */

static void
test_store_blip (Fixture *fixture, gconstpointer data)
{
  Worker *w1 = add_worker (fixture, NULL, NULL, 6);
  Worker *w2 = add_worker (fixture, NULL, NULL, 6);
  g_autoptr (GError) error = NULL;
  g_autofree char *owner_id = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *body = NULL;
  g_autofree char *file = NULL;
  g_autofree char *claims = NULL;
  g_autofree char *one_claim = NULL;
  MediaProbeFrames frames = { 0 };
  StatusWait ready_wait = { fixture, w2, "/health/ready", 503 };
  HeartbeatWait beat = { fixture, NULL, 0 };
  LogWait page_loading = { fixture, NULL, ": started" };
  LogWait ready_log = { fixture, NULL, "state 1, reason 1" };
  Worker *owner;
  gint64 killed_us, unready_us, back_us, ready_again_us;
  gint64 released_ms, killed_ms, back_ms, ready_ms, stopped_ms, duration_ms;
  guint status = 0;

  /* On hold, ready 2.5 s after its page loads: the ready event comes while
   * the database is away, and the release is asked just before. */
  start_room (fixture, w1, "blip", "sdkReadyMs=2500", TRUE);
  wait_row (fixture, "SELECT 1 FROM room_claims WHERE room_uuid = $1", "blip", "the claim");
  owner_id = query_value (fixture, "SELECT owner FROM rooms WHERE room_uuid = $1", "blip");
  owner = worker_by_id (fixture, owner_id);
  g_assert_nonnull (owner);
  page_loading.worker = owner;
  wait_or_fail (fixture, log_has, &page_loading, WAIT_S, "the room's page loading");
  {
    g_autoptr (JsonNode) released
        = call_ok (fixture, w1, "PATCH", ROOMS "blip/records/states/1", RELEASE);
  }
  released_ms = now_ms ();

  /* Right after the owner's renewal: it stops its rooms 0.8 TTL after its
   * last one (4.8 s), and with renewals every TTL/3 an outage that began
   * late in a period would leave it under 3 s. */
  beat.worker_id = owner_id;
  beat.expires_ms
      = query_int (fixture, "SELECT expires_ms FROM workers WHERE worker_id = $1", owner_id);
  wait_or_fail (fixture, heartbeat_renewed, &beat, 10, "the owner's renewal");
  postgres_server_kill (server);
  killed_us = g_get_monotonic_time ();
  killed_ms = now_ms ();
  /* Each worker notices at its next renewal, within TTL/3. */
  wait_or_fail (fixture, status_is, &ready_wait, 10, "/health/ready 503 on w2");
  ready_wait.worker = w1;
  wait_or_fail (fixture, status_is, &ready_wait, 10, "/health/ready 503 on w1");
  unready_us = g_get_monotonic_time ();
  g_test_message ("both workers unready %.2f s after the kill", (unready_us - killed_us) / 1e6);
  body = call_raw (fixture, w2->base_url, "GET", ROOMS "blip/sequences?nextId=0", NULL, &status,
                   &retry_after);
  g_assert_cmpuint (status, ==, 503);
  g_assert_cmpstr (retry_after, ==, "5");
  g_clear_pointer (&body, g_free);
  body = call_raw (fixture, w1->base_url, "GET", "/health", NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  {
    g_autoptr (JsonNode) root = rh_test_parse_json (body);
    JsonObject *health = json_object_get_object_member (json_node_get_object (root), "data");

    g_assert_nonnull (health);
    g_assert_false (json_object_get_boolean_member (json_object_get_object_member (health, "store"),
                                                    "reachable"));
  }

  /* Back after 3 s, the page ready meanwhile. */
  rh_test_keep_running (MAX (0, 3000 - (g_get_monotonic_time () - killed_us) / 1000));
  ready_log.worker = owner;
  if (!log_has (&ready_log))
    {
      describe (fixture);
      g_error ("the page was not ready within the 3 s the database was away");
    }
  g_assert_true (postgres_server_start_again (server, &error));
  g_assert_no_error (error);
  back_us = g_get_monotonic_time ();
  back_ms = now_ms ();
  PQreset (fixture->db);
  g_assert_cmpint (PQstatus (fixture->db), ==, CONNECTION_OK);
  wait_status (fixture, w1, "/health/ready", 200, 20);
  wait_status (fixture, w2, "/health/ready", 200, 20);
  ready_again_us = g_get_monotonic_time ();
  g_test_message ("database away %.2f s; /health/ready 503 for %.2f s, 200 again %.2f s after "
                  "it was back",
                  (back_us - killed_us) / 1e6, (ready_again_us - unready_us) / 1e6,
                  (ready_again_us - back_us) / 1e6);

  /* The ready event of the outage is stored, in its place, and the room
   * was not run again: one claim, still open, no reason 4. */
  wait_reasons (fixture, w2, "blip", "1");
  /* Its time is when it happened, not when it could be stored. */
  ready_ms = query_int (fixture, "SELECT ts FROM events WHERE room_uuid = $1", "blip");
  g_test_message ("ready %" G_GINT64_FORMAT " ms after the kill, database back %" G_GINT64_FORMAT
                  " ms after it",
                  ready_ms - killed_ms, back_ms - killed_ms);
  g_assert_cmpint (ready_ms, >=, killed_ms);
  g_assert_cmpint (ready_ms, <, back_ms);
  claims = query_text (fixture,
                       "SELECT epoch, owner, ended_ms FROM room_claims "
                       "WHERE room_uuid = $1",
                       "blip");
  one_claim = g_strdup_printf ("epoch=1 owner=%s ended_ms=NULL\n", owner_id);
  g_assert_cmpstr (claims, ==, one_claim);
  g_assert_cmpint (query_int (fixture, "SELECT on_hold FROM records WHERE room_uuid = $1", "blip"),
                   ==, 0);
  /* Some recording after the outage, then a stop through the other worker. */
  rh_test_keep_running (2000);
  {
    g_autoptr (JsonNode) stopped
        = call_ok (fixture, w2, "PUT", ROOMS "blip/records/states/0", NULL);
  }
  stopped_ms = now_ms ();
  wait_reasons (fixture, w2, "blip", "1,2");
  g_assert_cmpint (
      query_int (fixture, "SELECT COUNT(*) FROM room_claims WHERE room_uuid = $1", "blip"), ==, 1);

  /* The file plays from the ready to the stop without a hole. */
  file = record_file (fixture, w2, "blip");
  duration_ms = media_probe_duration_ms (file);
  media_probe_decode (file, &frames);
  {
    gint64 wall_ms = stopped_ms - MAX (ready_ms, released_ms);

    g_test_message ("file %" G_GINT64_FORMAT " ms, %u frames, longest step %" G_GUINT64_FORMAT
                    " ms; wall time ready to stop %" G_GINT64_FORMAT " ms",
                    duration_ms, frames.frames, frames.longest_step / GST_MSECOND, wall_ms);
    g_assert_cmpint (duration_ms, >, 0);
    g_assert_cmpint (duration_ms, >=, wall_ms - 1500);
    g_assert_cmpint (duration_ms, <=, wall_ms + 1500);
    g_assert_cmpuint (frames.longest_step, <, 500 * GST_MSECOND);
  }
}

/* ---- the database away for longer than a lease ---- */

static void
test_store_long (Fixture *fixture, gconstpointer data)
{
  Worker *w1 = add_worker (fixture, NULL, NULL, 3);
  Worker *w2 = add_worker (fixture, NULL, NULL, 3);
  g_autoptr (GError) error = NULL;
  g_autofree char *owner_id = NULL;
  g_autofree char *new_owner = NULL;
  Worker *owner;
  LogWait stopped = { fixture, NULL, "stopping this worker's 1 room(s) before their leases" };
  gint64 killed_us, stopped_us, back_us, taken_us;

  start_room (fixture, w1, "long", "sdkReadyMs=300", FALSE);
  wait_reasons (fixture, w2, "long", "1");
  owner_id = query_value (fixture, "SELECT owner FROM rooms WHERE room_uuid = $1", "long");
  owner = worker_by_id (fixture, owner_id);
  g_assert_nonnull (owner);

  postgres_server_kill (server);
  killed_us = g_get_monotonic_time ();
  stopped.worker = owner;
  wait_or_fail (fixture, log_has, &stopped, 10, "the owner stopping its room");
  stopped_us = g_get_monotonic_time ();
  g_test_message ("owner %s stopped its room %.2f s after the kill (TTL 3 s)", owner_id,
                  (stopped_us - killed_us) / 1e6);
  g_assert_cmpint (stopped_us - killed_us, <, 3 * G_USEC_PER_SEC);
  rh_test_keep_running (MAX (0, 6000 - (g_get_monotonic_time () - killed_us) / 1000));
  g_assert_true (postgres_server_start_again (server, &error));
  g_assert_no_error (error);
  back_us = g_get_monotonic_time ();
  PQreset (fixture->db);
  g_assert_cmpint (PQstatus (fixture->db), ==, CONNECTION_OK);

  /* Reaped (not within a TTL of the restart), then recording again. */
  wait_reasons (fixture, w1, "long", "1,4,3");
  taken_us = g_get_monotonic_time ();
  g_test_message ("database away %.2f s; reasons 1,4,3 %.2f s after it was back",
                  (back_us - killed_us) / 1e6, (taken_us - back_us) / 1e6);
  g_assert_cmpint (taken_us - back_us, >=, 3 * G_USEC_PER_SEC - 500000);
  new_owner = query_value (fixture,
                           "SELECT owner FROM rooms WHERE room_uuid = $1 "
                           "AND state = 'active'",
                           "long");
  g_assert_nonnull (worker_by_id (fixture, new_owner));
  g_assert_cmpint (query_int (fixture,
                              "SELECT COUNT(*) FROM room_claims WHERE room_uuid = $1 "
                              "AND ended_ms IS NULL",
                              "long"),
                   ==, 1);
  assert_value (fixture,
                "SELECT how FROM room_claims WHERE room_uuid = $1 "
                "AND epoch = 1",
                "long", "expired");
}

/* ---- one worker cut off from the database ---- */

static void
test_cut_off (Fixture *fixture, gconstpointer data)
{
  g_autofree char *prefix = g_strdup_printf ("127.0.0.1:%u/", postgres_server_get_port (server));
  g_autofree char *proxied = NULL;
  g_auto (GStrv) parts = NULL;
  Worker *w1, *w2;
  LogWait stopped = { fixture, NULL, "the room is another worker's now" };
  g_autofree char *epoch1_before = NULL;
  g_autofree char *epoch1_after = NULL;
  g_autofree char *how = NULL;
  gint64 blocked_us, blocked_ms, expires_ms, stopped_ms, ended_ms, taken_ms, events;
  const char *epoch1_sql = "SELECT record_id, state, reason, on_hold, start_ms, end_ms, file, "
                           "error FROM records WHERE room_uuid = $1 AND epoch = 1";

  fixture->proxy = proxy_new (postgres_server_get_port (server));
  parts = g_strsplit (fixture->store_url, prefix, 2);
  g_assert_cmpuint (g_strv_length (parts), ==, 2);
  proxied = g_strdup_printf ("%s127.0.0.1:%u/%s", parts[0], fixture->proxy->port, parts[1]);

  /* w1, through the proxy, alone when the room starts: it owns it. */
  w1 = add_worker (fixture, proxied, NULL, 3);
  start_room (fixture, w1, "cut", "sdkReadyMs=300", FALSE);
  wait_reasons (fixture, w1, "cut", "1");
  w2 = add_worker (fixture, NULL, NULL, 3);
  assert_value (fixture, "SELECT owner FROM rooms WHERE room_uuid = $1", "cut", "w1");

  proxy_set_blocked (fixture->proxy, TRUE);
  blocked_us = g_get_monotonic_time ();
  blocked_ms = now_ms ();
  /* A renewal already through is in by now. */
  rh_test_keep_running (300);
  expires_ms
      = query_int (fixture, "SELECT lease_expires_ms FROM rooms WHERE room_uuid = $1", "cut");
  stopped.worker = w1;
  wait_or_fail (fixture, log_has, &stopped, 9, "w1 stopping its room");
  stopped_ms = now_ms ();
  g_test_message ("w1 stopped its room %" G_GINT64_FORMAT " ms after the cut, %" G_GINT64_FORMAT
                  " ms before its lease ran out",
                  stopped_ms - blocked_ms, expires_ms - stopped_ms);
  g_assert_cmpint (stopped_ms, <, expires_ms);

  /* w2 takes it over. */
  wait_reasons (fixture, w2, "cut", "1,4,3");
  taken_ms = now_ms ();
  assert_value (fixture,
                "SELECT owner FROM rooms WHERE room_uuid = $1 "
                "AND state = 'active'",
                "cut", "w2");
  ended_ms = query_int (fixture,
                        "SELECT ended_ms FROM room_claims WHERE room_uuid = $1 "
                        "AND epoch = 1",
                        "cut");
  how = query_value (fixture, "SELECT how FROM room_claims WHERE room_uuid = $1 AND epoch = 1",
                     "cut");
  g_assert_cmpstr (how, ==, "expired");
  g_test_message ("lease ran out %" G_GINT64_FORMAT " ms after the cut, reaped %" G_GINT64_FORMAT
                  " ms after, recording on w2 %" G_GINT64_FORMAT " ms after the cut",
                  expires_ms - blocked_ms, ended_ms - expires_ms, taken_ms - blocked_ms);
  g_assert_cmpint (ended_ms, >=, expires_ms);
  /* w1's record ended by the others (reaper or new claim), not by w1; what
   * the room holds now, to compare with once w1 reaches the store again. */
  epoch1_before = query_text (fixture, epoch1_sql, "cut");
  g_assert_nonnull (strstr (epoch1_before, " state=2 "));
  events = query_int (fixture, "SELECT COUNT(*) FROM events WHERE room_uuid = $1", "cut");

  /* Three TTLs cut off, then the proxy forwards again: w1 writes nothing
   * more for the room. */
  rh_test_keep_running (MAX (0, 9000 - (g_get_monotonic_time () - blocked_us) / 1000));
  proxy_set_blocked (fixture->proxy, FALSE);
  wait_status (fixture, w1, "/health/ready", 200, 30);
  g_test_message ("w1 ready again %" G_GINT64_FORMAT " ms after the proxy forwarded again",
                  (g_get_monotonic_time () - blocked_us) / 1000 - 9000);
  rh_test_keep_running (3000);
  epoch1_after = query_text (fixture, epoch1_sql, "cut");
  g_assert_cmpstr (epoch1_after, ==, epoch1_before);
  g_assert_cmpint (query_int (fixture, "SELECT COUNT(*) FROM events WHERE room_uuid = $1", "cut"),
                   ==, events);
  g_assert_cmpint (query_int (fixture,
                              "SELECT COUNT(*) FROM records WHERE room_uuid = $1 "
                              "AND worker = 'w1' AND epoch > 1",
                              "cut"),
                   ==, 0);
  {
    g_autofree char *got = reasons (fixture, w2, "cut");

    g_assert_cmpstr (got, ==, "1,4,3");
  }
  assert_value (fixture,
                "SELECT owner FROM rooms WHERE room_uuid = $1 "
                "AND state = 'active'",
                "cut", "w2");
}

/* ---- a rolling restart behind HAProxy ---- */

static guint16
free_port (void)
{
  g_autoptr (GSocketListener) listener = g_socket_listener_new ();
  g_autoptr (GError) error = NULL;
  guint16 port = g_socket_listener_add_any_inet_port (listener, NULL, &error);

  g_assert_no_error (error);
  g_socket_listener_close (listener);
  return port;
}

/* The client loop: calls through HAProxy from the main loop, counted by
 * status. */
typedef struct
{
  Fixture *fixture;
  char *base_url;
  GHashTable *statuses; /* status -> count */
  GPtrArray *rooms;     /* started: their start answered 200 */
  GPtrArray *bad;       /* "METHOD path: status body" of every 5xx */
  guint started;        /* starts asked */
  guint max_rooms;
  guint in_flight;
  guint requests;
  guint tick;
  gboolean stopping;
  guint source;
} Client;

/* A worker's room to drain: which worker claims a start is the cluster's
 * choice, so one may have none once every start was made and claimed. */
typedef struct
{
  QueryWait owns;
  Client *client;
} DrainWait;

static gboolean
owns_room_or_all_claimed (gpointer user_data)
{
  DrainWait *wait = user_data;
  g_autoptr (PGresult) pending = NULL;

  if (query_has_row (&wait->owns))
    return TRUE;
  if (wait->client->started < wait->client->max_rooms || wait->client->in_flight > 0)
    return FALSE;
  pending = query (wait->owns.fixture, "SELECT 1 FROM rooms WHERE state = 'pending'", NULL);
  return PQntuples (pending) == 0;
}

typedef struct
{
  Client *client;
  SoupMessage *msg;
  char *what;
  char *room; /* a start's */
} ClientCall;

static void
client_call_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ClientCall *call = user_data;
  Client *client = call->client;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) reply
      = soup_session_send_and_read_finish (SOUP_SESSION (source), result, &error);
  guint status = reply != NULL ? soup_message_get_status (call->msg) : 0;
  guint count
      = GPOINTER_TO_UINT (g_hash_table_lookup (client->statuses, GUINT_TO_POINTER (status)));

  g_hash_table_insert (client->statuses, GUINT_TO_POINTER (status), GUINT_TO_POINTER (count + 1));
  if (reply == NULL)
    g_ptr_array_add (client->bad, g_strdup_printf ("%s: %s", call->what, error->message));
  else if (status >= 500)
    g_ptr_array_add (client->bad, g_strdup_printf ("%s: %u %.*s", call->what, status,
                                                   (int)MIN (g_bytes_get_size (reply), 300),
                                                   (const char *)g_bytes_get_data (reply, NULL)));
  else if (call->room != NULL && status == 200)
    g_ptr_array_add (client->rooms, g_steal_pointer (&call->room));
  client->in_flight--;
  g_object_unref (call->msg);
  g_free (call->what);
  g_free (call->room);
  g_free (call);
}

static void
client_send (Client *client, const char *method, const char *path, const char *body,
             const char *room)
{
  g_autofree char *uri = g_strconcat (client->base_url, path, NULL);
  ClientCall *call = g_new0 (ClientCall, 1);

  call->client = client;
  call->msg = soup_message_new (method, uri);
  call->what = g_strdup_printf ("%s %s", method, path);
  call->room = g_strdup (room);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (call->msg, "application/json", bytes);
    }
  client->in_flight++;
  client->requests++;
  soup_session_send_and_read_async (client->fixture->session, call->msg, G_PRIORITY_DEFAULT, NULL,
                                    client_call_cb, call);
}

/* Every 250 ms: /health and a room's sequences; every fourth, a new room
 * while fewer than max_rooms were started. */
static gboolean
client_tick_cb (gpointer user_data)
{
  Client *client = user_data;

  client->tick++;
  client_send (client, "GET", "/health", NULL, NULL);
  if (client->rooms->len > 0)
    {
      const char *room = g_ptr_array_index (client->rooms, client->tick % client->rooms->len);
      g_autofree char *path = g_strconcat (ROOMS, room, "/sequences?nextId=0", NULL);

      client_send (client, "GET", path, NULL, NULL);
    }
  if (client->tick % 4 == 0 && client->started < client->max_rooms)
    {
      g_autofree char *room = g_strdup_printf ("roll-%u", ++client->started);
      g_autofree char *path = g_strconcat (ROOMS, room, "/records/states/1", NULL);
      g_autofree char *body = start_body ("sdkReadyMs=300", FALSE);

      client_send (client, "PUT", path, body, room);
    }
  return G_SOURCE_CONTINUE;
}

static gboolean
client_idle (gpointer user_data)
{
  return ((Client *)user_data)->in_flight == 0;
}

static gboolean
all_recording (gpointer user_data)
{
  Client *client = user_data;

  for (guint i = 0; i < client->rooms->len; i++)
    {
      const char *room = g_ptr_array_index (client->rooms, i);
      g_autofree char *owner = query_value (client->fixture,
                                            "SELECT owner FROM rooms "
                                            "WHERE room_uuid = $1 AND state = 'active'",
                                            room);
      g_autofree char *reason
          = query_value (client->fixture,
                         "SELECT data::json->>'reason' FROM events WHERE room_uuid = $1 "
                         "AND cmd = 1001 ORDER BY room_sequence DESC LIMIT 1",
                         room);

      if (owner == NULL || worker_by_id (client->fixture, owner) == NULL
          || (g_strcmp0 (reason, "1") != 0 && g_strcmp0 (reason, "3") != 0))
        return FALSE;
    }
  return TRUE;
}

static gint
compare_uint (gconstpointer a, gconstpointer b)
{
  return (gint)GPOINTER_TO_UINT (a) - (gint)GPOINTER_TO_UINT (b);
}

static char *
haproxy_config (Fixture *fixture, guint16 port)
{
  GString *config = g_string_new (NULL);

  g_string_append_printf (config,
                          "global\n"
                          "  maxconn 256\n"
                          "defaults\n"
                          "  mode http\n"
                          "  timeout connect 2s\n"
                          "  timeout client 30s\n"
                          "  timeout server 30s\n"
                          "  timeout check 1s\n"
                          "  retries 3\n"
                          "  option redispatch\n"
                          "  retry-on all-retryable-errors\n"
                          "frontend api\n"
                          "  bind 127.0.0.1:%u\n"
                          "  default_backend workers\n"
                          "backend workers\n"
                          "  balance roundrobin\n"
                          "  option httpchk GET /health/ready\n"
                          "  http-check expect status 200\n"
                          "  default-server inter 300ms fall 1 rise 1\n",
                          port);
  for (guint i = 0; i < fixture->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (fixture->workers, i);

      g_string_append_printf (config, "  server %s %s check\n", worker->id, worker->listen);
    }
  return g_string_free (config, FALSE);
}

static void
test_rolling_haproxy (Fixture *fixture, gconstpointer data)
{
  g_autofree char *config_path = g_build_filename (fixture->dir, "haproxy.cfg", NULL);
  g_autofree char *config = NULL;
  g_autofree char *check_out = NULL;
  g_autofree char *check_err = NULL;
  g_autoptr (GSubprocess) check = NULL;
  g_autoptr (GSubprocessLauncher) launcher = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GString) summary = g_string_new (NULL);
  g_autoptr (GList) statuses = NULL;
  guint16 port = free_port ();
  Client client = { 0 };
  gint64 began_us, ended_us;
  StatusWait up = { fixture, NULL, "/health", 200 };

  if (!g_file_test ("/usr/sbin/haproxy", G_FILE_TEST_IS_EXECUTABLE))
    g_error ("/usr/sbin/haproxy is missing: install Debian's haproxy package");
  /* Clients call HAProxy by its address, which the workers must answer. */
  fixture->allowed_host = g_strdup_printf ("127.0.0.1:%u", port);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *listen = g_strdup_printf ("127.0.0.1:%u", free_port ());

      add_worker (fixture, NULL, listen, 3);
    }
  config = haproxy_config (fixture, port);
  g_assert_true (g_file_set_contents (config_path, config, -1, &error));
  check = g_subprocess_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, &error,
                            "/usr/sbin/haproxy", "-c", "-f", config_path, NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (check, NULL, NULL, &check_out, &check_err, &error));
  if (!g_subprocess_get_if_exited (check) || g_subprocess_get_exit_status (check) != 0)
    g_error ("haproxy -c: %s%s\n%s", check_out, check_err, config);

  launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_subprocess_launcher_set_child_setup (launcher, child_setup, NULL, NULL);
  {
    g_autofree char *log = g_build_filename (fixture->dir, "haproxy.log", NULL);

    g_subprocess_launcher_set_stderr_file_path (launcher, log);
    g_subprocess_launcher_set_stdout_file_path (launcher, log);
  }
  fixture->haproxy = g_subprocess_launcher_spawn (launcher, &error, "/usr/sbin/haproxy", "-db",
                                                  "-f", config_path, NULL);
  g_assert_no_error (error);
  fixture->haproxy_pid
      = (GPid)g_ascii_strtoll (g_subprocess_get_identifier (fixture->haproxy), NULL, 10);
  groups_add (fixture->haproxy_pid);

  client.fixture = fixture;
  client.base_url = g_strdup_printf ("http://127.0.0.1:%u", port);
  client.statuses = g_hash_table_new (NULL, NULL);
  client.rooms = g_ptr_array_new_with_free_func (g_free);
  client.bad = g_ptr_array_new_with_free_func (g_free);
  client.max_rooms = 12;
  /* HAProxy up, with every worker seen healthy. */
  {
    Worker front = { 0 };

    front.id = (char *)"haproxy";
    front.base_url = client.base_url;
    up.worker = &front;
    wait_or_fail (fixture, status_is, &up, 20, "HAProxy answering /health");
  }
  rh_test_keep_running (1000);

  began_us = g_get_monotonic_time ();
  client.source = g_timeout_add (250, client_tick_cb, &client);
  rh_test_keep_running (3000);
  for (guint i = 0; i < fixture->workers->len; i++)
    {
      Worker *worker = g_ptr_array_index (fixture->workers, i);
      DrainWait owns
          = { { fixture, "SELECT 1 FROM rooms WHERE state = 'active' AND owner = $1", worker->id },
              &client };
      g_autofree char *what = g_strdup_printf ("%s recording a room, or every room started and "
                                               "claimed",
                                               worker->id);
      gint64 rooms, term_us, exited_us;

      /* A drain with a room to hand off, when the claims gave it one. */
      wait_or_fail (fixture, owns_room_or_all_claimed, &owns, WAIT_S, what);
      rooms = query_int (fixture,
                         "SELECT COUNT(*) FROM rooms WHERE state = 'active' "
                         "AND owner = $1",
                         worker->id);
      term_us = g_get_monotonic_time ();
      g_assert_cmpint (kill (worker->pid, SIGTERM), ==, 0);
      wait_or_fail (fixture, worker_gone, worker, 90, "a drained worker's exit");
      exited_us = g_get_monotonic_time ();
      g_assert_true (g_subprocess_get_if_exited (worker->process));
      g_assert_cmpint (g_subprocess_get_exit_status (worker->process), ==, 0);
      worker_kill (worker);
      worker_spawn (worker);
      wait_status (fixture, worker, "/health/ready", 200, 30);
      g_test_message ("%s drained %" G_GINT64_FORMAT " room(s) and exited in %.2f s, ready "
                      "again %.2f s later",
                      worker->id, rooms, (exited_us - term_us) / 1e6,
                      (g_get_monotonic_time () - exited_us) / 1e6);
      /* HAProxy sees it up before the next goes. */
      rh_test_keep_running (1500);
    }
  ended_us = g_get_monotonic_time ();
  g_clear_handle_id (&client.source, g_source_remove);
  wait_or_fail (fixture, client_idle, &client, 60, "the client's calls answered");
  wait_or_fail (fixture, all_recording, &client, WAIT_S, "every started room recording");

  statuses = g_hash_table_get_keys (client.statuses);
  statuses = g_list_sort (statuses, compare_uint);
  for (GList *l = statuses; l != NULL; l = l->next)
    g_string_append_printf (summary, " %u: %u", GPOINTER_TO_UINT (l->data),
                            GPOINTER_TO_UINT (g_hash_table_lookup (client.statuses, l->data)));
  g_test_message ("rolling restart of 3 workers in %.2f s; %u requests through HAProxy (status:"
                  " count)%s; %u rooms started, all recording",
                  (ended_us - began_us) / 1e6, client.requests, summary->str, client.rooms->len);
  for (guint i = 0; i < client.bad->len; i++)
    g_test_message ("%s", (const char *)g_ptr_array_index (client.bad, i));
  g_assert_cmpuint (client.bad->len, ==, 0);
  g_assert_cmpuint (client.rooms->len, ==, client.started);
  g_assert_cmpint (query_int (fixture, "SELECT COUNT(*) FROM rooms WHERE state = 'active'", NULL),
                   ==, client.rooms->len);

  g_hash_table_unref (client.statuses);
  g_ptr_array_unref (client.rooms);
  g_ptr_array_unref (client.bad);
  g_free (client.base_url);
}

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  rh_test_init (&argc, &argv);
  gst_init (&argc, &argv);
  signal (SIGABRT, groups_kill_all);
  server = postgres_server_start_tcp (&error);
  g_assert_no_error (error);

  g_test_add ("/cluster-faults/store-blip", Fixture, NULL, fixture_setup, test_store_blip,
              fixture_teardown);
  g_test_add ("/cluster-faults/store-long", Fixture, NULL, fixture_setup, test_store_long,
              fixture_teardown);
  g_test_add ("/cluster-faults/cut-off", Fixture, NULL, fixture_setup, test_cut_off,
              fixture_teardown);
  g_test_add ("/cluster-faults/rolling-haproxy", Fixture, NULL, fixture_setup, test_rolling_haproxy,
              fixture_teardown);
  status = g_test_run ();
  g_clear_pointer (&server, postgres_server_free);
  return status;
}
