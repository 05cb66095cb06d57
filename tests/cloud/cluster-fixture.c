#include "cluster-fixture.h"

#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "postgres-server.h"
#include "rh-fs.h"
#include "test-utils.h"

/* Bound on a worker's start, to its URL on stdout. */
#define WORKER_START_S 60
/* The rooms the tests' queries name are this app's. */
#define APP_ID "app-1"

static PostgresServer *server;

void
cluster_fixture_init (void)
{
  g_autoptr (GError) error = NULL;

  server = postgres_server_start (&error);
  g_assert_no_error (error);
}

void
cluster_fixture_shutdown (void)
{
  g_clear_pointer (&server, postgres_server_free);
}

/* Between fork and exec: the worker leads a process group of its own, so
 * that its WebKit processes go with it at teardown, and it gets SIGKILL
 * when the test program ends however it ends. */
static void
worker_child_setup (gpointer user_data)
{
  setpgid (0, 0);
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

static void
worker_exited_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  ((ClusterWorker *) user_data)->exited = TRUE;
}

static char *
read_or_empty (const char *path)
{
  char *contents = NULL;

  if (!g_file_get_contents (path, &contents, NULL, NULL))
    return g_strdup ("");
  return contents;
}

typedef struct
{
  ClusterWorker *worker;
  char *url;
} UrlWait;

static gboolean
url_printed (gpointer user_data)
{
  UrlWait *wait = user_data;
  g_autofree char *out = read_or_empty (wait->worker->out_path);
  char *end = strchr (out, '\n');

  if (end == NULL)
    return wait->worker->exited;
  *end = '\0';
  wait->url = g_strdup (out);
  return TRUE;
}

static gboolean
worker_exited (gpointer user_data)
{
  return ((ClusterWorker *) user_data)->exited;
}

static void
worker_free (ClusterWorker *worker)
{
  /* The whole group: the worker and the WebKit processes it started, also
   * those of a worker killed before. */
  if (worker->process != NULL)
    {
      kill (-worker->pid, SIGKILL);
      kill (worker->pid, SIGKILL);
      /* Its wait's callback has run: it holds the worker. */
      if (!rh_test_wait_until (worker_exited, worker, 60))
        g_error ("worker %s still running 60 s after SIGKILL", worker->id);
    }
  g_clear_object (&worker->process);
  g_free (worker->id);
  g_free (worker->data_dir);
  g_free (worker->base_url);
  g_free (worker->out_path);
  g_free (worker->err_path);
  g_free (worker);
}

/* Runs @worker's process, a new one each time, and waits for its URL. */
static void
spawn (ClusterFixture *fixture, ClusterWorker *worker)
{
  g_autoptr (GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GError) error = NULL;
  UrlWait wait = { worker, NULL };

  /* Each run's output files of its own, so that a restart keeps what the
   * one before said. */
  worker->runs++;
  g_free (worker->out_path);
  g_free (worker->err_path);
  worker->out_path = g_strdup_printf ("%s/%s-%u.out", fixture->dir, worker->id, worker->runs);
  worker->err_path = g_strdup_printf ("%s/%s-%u.err", fixture->dir, worker->id, worker->runs);
  g_ptr_array_add (argv, g_strdup (RECORDHOST_BINARY));
  g_ptr_array_add (argv, g_strdup ("cloud"));
  g_ptr_array_add (argv, g_strdup ("--store"));
  g_ptr_array_add (argv, g_strdup (fixture->store_url));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, g_strdup (worker->data_dir));
  g_ptr_array_add (argv, g_strdup ("--listen"));
  g_ptr_array_add (argv, g_strdup ("127.0.0.1:0"));
  g_ptr_array_add (argv, g_strdup ("--worker-id"));
  g_ptr_array_add (argv, g_strdup (worker->id));
  g_ptr_array_add (argv, g_strdup ("--lease-ttl"));
  g_ptr_array_add (argv, g_strdup_printf ("%d", CLUSTER_LEASE_TTL_S));
  g_ptr_array_add (argv, g_strdup ("--allow-file-pages"));
  if (worker->max_rooms > 0)
    {
      g_ptr_array_add (argv, g_strdup ("--max-rooms"));
      g_ptr_array_add (argv, g_strdup_printf ("%u", worker->max_rooms));
    }
  g_ptr_array_add (argv, NULL);
  g_subprocess_launcher_set_stdout_file_path (launcher, worker->out_path);
  g_subprocess_launcher_set_stderr_file_path (launcher, worker->err_path);
  g_subprocess_launcher_set_child_setup (launcher, worker_child_setup, NULL, NULL);
  worker->exited = FALSE;
  worker->process = g_subprocess_launcher_spawnv (launcher, (const char *const *) argv->pdata,
                                                  &error);
  g_assert_no_error (error);
  worker->pid = (GPid) g_ascii_strtoll (g_subprocess_get_identifier (worker->process), NULL, 10);
  g_subprocess_wait_async (worker->process, NULL, worker_exited_cb, worker);

  rh_test_wait_until (url_printed, &wait, WORKER_START_S);
  if (wait.url == NULL || !g_str_has_prefix (wait.url, "http://"))
    {
      g_autofree char *err = read_or_empty (worker->err_path);

      /* Its lines as TAP comments, before the one line that fails. */
      g_test_message ("%s's stderr:\n%s", worker->id, err);
      g_error ("worker %s printed no URL within %d s (%s)", worker->id, WORKER_START_S,
               worker->exited ? "it exited" : "still running");
    }
  g_free (worker->base_url);
  worker->base_url = wait.url;
}

guint
cluster_fixture_add_worker (ClusterFixture *fixture, guint max_rooms)
{
  ClusterWorker *worker = g_new0 (ClusterWorker, 1);

  worker->id = g_strdup_printf ("w%u", fixture->workers->len + 1);
  worker->data_dir = g_build_filename (fixture->dir, worker->id, NULL);
  worker->max_rooms = max_rooms;
  g_ptr_array_add (fixture->workers, worker);
  spawn (fixture, worker);
  return fixture->workers->len - 1;
}

void
cluster_fixture_restart_worker (ClusterFixture *fixture, guint index)
{
  ClusterWorker *worker = cluster_fixture_worker (fixture, index);

  g_assert_true (worker->exited);
  /* What is left of its group, as teardown would. */
  kill (-worker->pid, SIGKILL);
  g_clear_object (&worker->process);
  spawn (fixture, worker);
}

void
cluster_fixture_setup (ClusterFixture *fixture, guint n_workers, guint max_rooms)
{
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (server);
  fixture->dir = g_build_filename (rh_test_tmpdir (), "cluster", NULL);
  g_assert_cmpint (g_mkdir_with_parents (fixture->dir, 0700), ==, 0);
  fixture->store_url = postgres_server_create_database (server, &error);
  g_assert_no_error (error);
  fixture->db = PQconnectdb (fixture->store_url);
  if (PQstatus (fixture->db) != CONNECTION_OK)
    g_error ("%s: %s", fixture->store_url, PQerrorMessage (fixture->db));
  fixture->session = soup_session_new_with_options ("timeout", 30, NULL);
  fixture->workers = g_ptr_array_new_with_free_func ((GDestroyNotify) worker_free);
  for (guint i = 0; i < n_workers; i++)
    cluster_fixture_add_worker (fixture, max_rooms);
}

void
cluster_fixture_teardown (ClusterFixture *fixture)
{
  g_clear_pointer (&fixture->workers, g_ptr_array_unref);
  g_clear_object (&fixture->session);
  g_clear_pointer (&fixture->db, PQfinish);
  g_clear_pointer (&fixture->store_url, g_free);
  g_clear_pointer (&fixture->dir, g_free);
}

ClusterWorker *
cluster_fixture_worker (ClusterFixture *fixture, guint index)
{
  g_assert_cmpuint (index, <, fixture->workers->len);
  return g_ptr_array_index (fixture->workers, index);
}

void
cluster_fixture_signal (ClusterFixture *fixture, guint index, int signal_number)
{
  ClusterWorker *worker = cluster_fixture_worker (fixture, index);

  g_assert_false (worker->exited);
  g_assert_cmpint (kill (worker->pid, signal_number), ==, 0);
}

int
cluster_fixture_wait_exit (ClusterFixture *fixture, guint index, guint timeout_s)
{
  ClusterWorker *worker = cluster_fixture_worker (fixture, index);

  if (!rh_test_wait_until (worker_exited, worker, timeout_s))
    g_error ("worker %s still running after %u s", worker->id, timeout_s);
  return g_subprocess_get_status (worker->process);
}

JsonObject *
cluster_fixture_call (ClusterFixture *fixture, guint index, const char *method, const char *path,
                      const char *body, guint *status, char **retry_after)
{
  ClusterWorker *worker = cluster_fixture_worker (fixture, index);
  g_autofree char *uri = g_strconcat (worker->base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_nonnull (msg);
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  /* The workers are other processes: nothing here needs the main loop. */
  reply = soup_session_send_and_read (fixture->session, msg, NULL, &error);
  if (reply == NULL)
    g_error ("%s %s to %s: %s", method, path, worker->id, error->message);
  if (status != NULL)
    *status = soup_message_get_status (msg);
  if (retry_after != NULL)
    *retry_after = g_strdup (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                           "Retry-After"));
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                   g_bytes_get_size (reply), &error)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    g_error ("%s %s to %s: not a JSON object: %.*s", method, path, worker->id,
             (int) g_bytes_get_size (reply), (const char *) g_bytes_get_data (reply, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

JsonNode *
cluster_fixture_call_ok (ClusterFixture *fixture, guint index, const char *method,
                         const char *path, const char *body)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = cluster_fixture_call (fixture, index, method, path, body,
                                                       &status, NULL);

  if (status != 200 || json_object_get_int_member (reply, "code") != 0)
    g_error ("%s %s to %s: %u, code %" G_GINT64_FORMAT ": %s", method, path,
             cluster_fixture_worker (fixture, index)->id, status,
             json_object_get_int_member (reply, "code"),
             json_object_get_string_member_with_default (reply, "msg", ""));
  if (!json_object_has_member (reply, "data"))
    return NULL;
  return json_node_copy (json_object_get_member (reply, "data"));
}

static PGresult *
query_va (ClusterFixture *fixture, const char *sql, va_list args)
{
  g_autoptr (GPtrArray) params = g_ptr_array_new ();
  const char *param;
  PGresult *result;

  while ((param = va_arg (args, const char *)) != NULL)
    g_ptr_array_add (params, (gpointer) param);
  result = PQexecParams (fixture->db, sql, (int) params->len, NULL,
                         (const char *const *) params->pdata, NULL, NULL, 0);
  if (PQresultStatus (result) != PGRES_TUPLES_OK && PQresultStatus (result) != PGRES_COMMAND_OK)
    g_error ("%s: %s", sql, PQerrorMessage (fixture->db));
  return result;
}

PGresult *
cluster_fixture_query (ClusterFixture *fixture, const char *sql, ...)
{
  va_list args;
  PGresult *result;

  va_start (args, sql);
  result = query_va (fixture, sql, args);
  va_end (args);
  return result;
}

char *
cluster_fixture_query_value (ClusterFixture *fixture, const char *sql, ...)
{
  va_list args;
  g_autoptr (PGresult) result = NULL;

  va_start (args, sql);
  result = query_va (fixture, sql, args);
  va_end (args);
  if (PQntuples (result) == 0 || PQgetisnull (result, 0, 0))
    return NULL;
  return g_strdup (PQgetvalue (result, 0, 0));
}

char *
cluster_fixture_reasons (ClusterFixture *fixture, guint index, const char *room_path)
{
  g_autofree char *path = g_strconcat (room_path, "/sequences?nextId=0&cmd=1001", NULL);
  g_autoptr (JsonNode) data = cluster_fixture_call_ok (fixture, index, "GET", path, NULL);
  JsonArray *list = json_object_get_array_member (json_node_get_object (data), "list");
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *event = json_array_get_object_element (list, i);

      g_assert_cmpint (json_object_get_int_member (event, "sequence"), ==, i + 1);
      g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                              json_object_get_int_member (json_object_get_object_member (event,
                                                                                         "data"),
                                                          "reason"));
    }
  return g_string_free (out, FALSE);
}

/* The rows of a query as text, one a line, for a failure's message. */
static void
append_rows (GString *out, PGresult *result)
{
  for (int row = 0; row < PQntuples (result); row++)
    {
      g_string_append (out, "  ");
      for (int column = 0; column < PQnfields (result); column++)
        g_string_append_printf (out, "%s%s=%s", column > 0 ? " " : "", PQfname (result, column),
                                PQgetisnull (result, row, column)
                                  ? "NULL"
                                  : PQgetvalue (result, row, column));
      g_string_append_c (out, '\n');
    }
}

/* What a failed wait shows: the tables a cluster is run by, and what each
 * worker last said. */
static char *
describe (ClusterFixture *fixture)
{
  GString *out = g_string_new (NULL);
  const char *const tables[] = { "rooms", "room_claims", "workers" };

  for (guint i = 0; i < G_N_ELEMENTS (tables); i++)
    {
      g_autofree char *sql = g_strdup_printf ("SELECT * FROM %s", tables[i]);
      g_autoptr (PGresult) result = PQexec (fixture->db, sql);

      g_string_append_printf (out, "%s:\n", tables[i]);
      if (PQresultStatus (result) == PGRES_TUPLES_OK)
        append_rows (out, result);
      else
        g_string_append_printf (out, "  %s", PQerrorMessage (fixture->db));
    }
  for (guint i = 0; i < fixture->workers->len; i++)
    {
      ClusterWorker *worker = g_ptr_array_index (fixture->workers, i);
      g_autofree char *err = read_or_empty (worker->err_path);
      gsize length = strlen (err);

      g_string_append_printf (out, "%s (pid %d%s), stderr ends:\n%s\n", worker->id,
                              (int) worker->pid, worker->exited ? ", exited" : "",
                              length > 3000 ? err + length - 3000 : err);
    }
  return g_string_free (out, FALSE);
}

typedef struct
{
  ClusterFixture *fixture;
  ClusterDoneFunc done;
  gpointer user_data;
} Wait;

static gboolean
wait_done (gpointer user_data)
{
  Wait *wait = user_data;

  return wait->done (wait->fixture, wait->user_data);
}

char *
cluster_fixture_worker_stderr (ClusterFixture *fixture, guint index)
{
  return read_or_empty (cluster_fixture_worker (fixture, index)->err_path);
}

static void
fail (ClusterFixture *fixture, guint timeout_s, const char *what)
{
  g_autofree char *state = describe (fixture);

  g_test_message ("%s", state);
  g_error ("waited %u s in vain for %s", timeout_s, what);
}

void
cluster_fixture_wait (ClusterFixture *fixture, const char *what, ClusterDoneFunc done,
                      gpointer user_data, guint timeout_s)
{
  Wait wait = { fixture, done, user_data };

  if (!rh_test_wait_until (wait_done, &wait, timeout_s))
    fail (fixture, timeout_s, what);
}

typedef struct
{
  guint index;
  const char *room_path;
  const char *expected;
} ReasonsWait;

static gboolean
reasons_read (ClusterFixture *fixture, gpointer user_data)
{
  ReasonsWait *wait = user_data;
  g_autofree char *got = cluster_fixture_reasons (fixture, wait->index, wait->room_path);

  return g_str_equal (got, wait->expected);
}

void
cluster_fixture_wait_reasons (ClusterFixture *fixture, guint index, const char *room_path,
                              const char *expected, guint timeout_s)
{
  ReasonsWait reasons = { index, room_path, expected };
  Wait wait = { fixture, reasons_read, &reasons };
  g_autofree char *got = NULL;
  g_autofree char *what = NULL;

  if (rh_test_wait_until (wait_done, &wait, timeout_s))
    return;
  got = cluster_fixture_reasons (fixture, index, room_path);
  what = g_strdup_printf ("reasons %s of %s through %s (they read %s)", expected, room_path,
                          cluster_fixture_worker (fixture, index)->id, got);
  fail (fixture, timeout_s, what);
}

gint
cluster_fixture_owner (ClusterFixture *fixture, const char *room_uuid)
{
  g_autofree char *owner = cluster_fixture_query_value (
    fixture,
    "SELECT owner FROM rooms WHERE app_id = $1 AND room_uuid = $2 AND state = 'active'",
    APP_ID, room_uuid, NULL);

  if (owner == NULL)
    return -1;
  for (guint i = 0; i < fixture->workers->len; i++)
    if (g_str_equal (cluster_fixture_worker (fixture, i)->id, owner))
      return (gint) i;
  g_error ("room %s is held by %s, no worker of this test", room_uuid, owner);
}

typedef struct
{
  const char *room_uuid;
  gint not_index;
  gint found;
} OwnerWait;

static gboolean
owner_found (ClusterFixture *fixture, gpointer user_data)
{
  OwnerWait *wait = user_data;

  wait->found = cluster_fixture_owner (fixture, wait->room_uuid);
  return wait->found >= 0 && wait->found != wait->not_index;
}

guint
cluster_fixture_wait_owner (ClusterFixture *fixture, const char *room_uuid, gint not_index,
                            guint timeout_s)
{
  OwnerWait wait = { room_uuid, not_index, -1 };
  g_autofree char *what = NULL;

  if (not_index >= 0)
    what = g_strdup_printf ("room %s active on a worker other than %s", room_uuid,
                            cluster_fixture_worker (fixture, not_index)->id);
  else
    what = g_strdup_printf ("room %s active on a worker", room_uuid);
  cluster_fixture_wait (fixture, what, owner_found, &wait, timeout_s);
  return (guint) wait.found;
}

guint
cluster_fixture_assert_one_owner (ClusterFixture *fixture, const char *room_uuid)
{
  g_autoptr (PGresult) claims = cluster_fixture_query (
    fixture,
    "SELECT epoch, owner, claimed_ms, ended_ms, how FROM room_claims "
    "WHERE app_id = $1 AND room_uuid = $2 ORDER BY claimed_ms, epoch",
    APP_ID, room_uuid, NULL);
  int n = PQntuples (claims);

  for (int i = 0; i < n; i++)
    {
      gint64 epoch = g_ascii_strtoll (PQgetvalue (claims, i, 0), NULL, 10);
      gint64 claimed = g_ascii_strtoll (PQgetvalue (claims, i, 2), NULL, 10);
      gint64 ended = g_ascii_strtoll (PQgetvalue (claims, i, 3), NULL, 10);

      if (!PQgetisnull (claims, i, 3))
        g_assert_cmpint (ended, >=, claimed);
      if (i + 1 == n)
        break;
      /* Only the last claim may still run, and the next begins once it ended. */
      g_assert_false (PQgetisnull (claims, i, 3));
      g_assert_cmpint (g_ascii_strtoll (PQgetvalue (claims, i + 1, 0), NULL, 10), >, epoch);
      g_assert_cmpint (g_ascii_strtoll (PQgetvalue (claims, i + 1, 2), NULL, 10), >=, ended);
    }
  return (guint) n;
}
