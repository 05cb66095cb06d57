#include "postgres-server.h"

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <libpq-fe.h>
#include <pwd.h>
#include <signal.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "rh-fs.h"

#define POSTGRES_SERVER_USER "recordhost"
#define POSTGRES_SERVER_READY_S 30

struct _PostgresServer
{
  char *bin_dir;
  char *dir;      /* the socket's directory, the data's parent */
  char *data_dir;
  char *log_path;
  guint16 port;   /* 0: the socket only */
  GPid pid;       /* the postmaster, 0 when not running */
  guint n_databases;
  /* PostgreSQL refuses to run as root: then its processes are the postgres user's. */
  gboolean drop;
  uid_t uid;
  gid_t gid;
  pid_t parent;
};

/* The newest /usr/lib/postgresql/N/bin that has a postgres. */
static char *
find_bin_dir (GError **error)
{
  const char *base = "/usr/lib/postgresql";
  g_autoptr (GDir) dir = g_dir_open (base, 0, error);
  const char *name;
  gint64 best = -1;
  g_autofree char *found = NULL;

  if (dir == NULL)
    return NULL;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *bin = g_build_filename (base, name, "bin", NULL);
      g_autofree char *postgres = g_build_filename (bin, "postgres", NULL);
      gint64 version = g_ascii_strtoll (name, NULL, 10);

      if (version > best && g_file_test (postgres, G_FILE_TEST_IS_EXECUTABLE))
        {
          best = version;
          g_free (found);
          found = g_strdup (bin);
        }
    }
  if (found == NULL)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "no PostgreSQL under %s", base);
  return g_steal_pointer (&found);
}

/* Between fork and exec: only system calls.  The postmaster gets SIGKILL
 * when the test program ends, however it ends; set after the change of
 * user, which would clear it. */
static void
child_setup (gpointer data)
{
  PostgresServer *server = data;

  if (server->drop
      && (setgroups (0, NULL) != 0 || setgid (server->gid) != 0 || setuid (server->uid) != 0))
    _exit (126);
  if (prctl (PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid () != server->parent)
    _exit (126);
}

static gboolean
init_cluster (PostgresServer *server, GError **error)
{
  g_autofree char *initdb = g_build_filename (server->bin_dir, "initdb", NULL);
  const char *argv[] = { initdb, "-D", server->data_dir, "-A", "trust", "-U",
                         POSTGRES_SERVER_USER, "--no-sync", "-E", "UTF8", "--locale", "C",
                         NULL };
  g_autofree char *output = NULL;
  g_autofree char *errors = NULL;
  int status = 0;

  if (!g_spawn_sync (server->dir, (char **) argv, NULL, G_SPAWN_DEFAULT, child_setup, server,
                     &output, &errors, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "initdb: %s: ", g_strstrip (errors));
      return FALSE;
    }
  return TRUE;
}

static guint16
free_port (GError **error)
{
  g_autoptr (GSocket) socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM,
                                             G_SOCKET_PROTOCOL_TCP, error);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) any = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;

  if (socket == NULL || !g_socket_bind (socket, any, FALSE, error))
    return 0;
  bound = g_socket_get_local_address (socket, error);
  if (bound == NULL)
    return 0;
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static char *
log_tail (PostgresServer *server)
{
  g_autofree char *log = NULL;
  gsize length = 0;

  if (!g_file_get_contents (server->log_path, &log, &length, NULL))
    return g_strdup ("(no log)");
  return g_strdup (length > 2000 ? log + length - 2000 : log);
}

static char *
conninfo (PostgresServer *server, const char *database)
{
  return g_strdup_printf ("host=%s port=%u user=%s dbname=%s connect_timeout=5", server->dir,
                          server->port != 0 ? server->port : 5432, POSTGRES_SERVER_USER,
                          database);
}

/* Whether the postmaster ended; reaps it. */
static gboolean
postmaster_exited (PostgresServer *server)
{
  int status = 0;

  if (server->pid == 0)
    return TRUE;
  if (waitpid (server->pid, &status, WNOHANG) != server->pid)
    return FALSE;
  server->pid = 0;
  return TRUE;
}

static gboolean
spawn_postmaster (PostgresServer *server, GError **error)
{
  g_autofree char *postgres = g_build_filename (server->bin_dir, "postgres", NULL);
  g_autofree char *port = g_strdup_printf ("%u", server->port != 0 ? server->port : 5432);
  const char *listen = server->port != 0 ? "listen_addresses=127.0.0.1" : "listen_addresses=";
  const char *argv[] = { postgres, "-D", server->data_dir, "-k", server->dir, "-p", port,
                         "-c", listen, "-c", "fsync=off", "-c", "full_page_writes=off",
                         "-c", "synchronous_commit=off", "-c", "max_connections=100", NULL };
  int log_fd = open (server->log_path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  gboolean spawned;

  if (log_fd < 0)
    {
      g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "%s: %s", server->log_path,
                   g_strerror (errno));
      return FALSE;
    }
  spawned = g_spawn_async_with_fds (server->dir, (char **) argv, NULL,
                                    G_SPAWN_DO_NOT_REAP_CHILD, child_setup, server,
                                    &server->pid, -1, log_fd, log_fd, error);
  close (log_fd);
  return spawned;
}

/* Polls until the server accepts connections; a postmaster that exits
 * first is started again, as one whose killed predecessor's backends
 * still hold its shared memory does. */
static gboolean
wait_ready (PostgresServer *server, GError **error)
{
  g_autofree char *info = conninfo (server, "postgres");
  gint64 deadline = g_get_monotonic_time () + POSTGRES_SERVER_READY_S * G_USEC_PER_SEC;
  g_autofree char *tail = NULL;

  while (g_get_monotonic_time () < deadline)
    {
      if (postmaster_exited (server))
        {
          g_usleep (100 * 1000);
          if (!spawn_postmaster (server, error))
            return FALSE;
          continue;
        }
      if (PQping (info) == PQPING_OK)
        return TRUE;
      g_usleep (20 * 1000);
    }
  tail = log_tail (server);
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_TIMED_OUT,
               "PostgreSQL did not accept connections within %d s; its log ends:\n%s",
               POSTGRES_SERVER_READY_S, tail);
  return FALSE;
}

static PostgresServer *
start (gboolean tcp, GError **error)
{
  g_autoptr (PostgresServer) server = g_new0 (PostgresServer, 1);

  server->parent = getpid ();
  server->bin_dir = find_bin_dir (error);
  if (server->bin_dir == NULL)
    return NULL;
  server->dir = g_dir_make_tmp ("recordhost-pg-XXXXXX", error);
  if (server->dir == NULL)
    return NULL;
  server->data_dir = g_build_filename (server->dir, "data", NULL);
  server->log_path = g_build_filename (server->dir, "postgres.log", NULL);
  if (geteuid () == 0)
    {
      struct passwd *user = getpwnam ("postgres");

      if (user == NULL)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND,
                       "running as root and there is no postgres user to run PostgreSQL as");
          return NULL;
        }
      server->drop = TRUE;
      server->uid = user->pw_uid;
      server->gid = user->pw_gid;
      /* Root reaches the socket in it whoever owns it. */
      if (chown (server->dir, server->uid, server->gid) != 0)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (errno), "chown %s: %s",
                       server->dir, g_strerror (errno));
          return NULL;
        }
    }
  if (tcp && (server->port = free_port (error)) == 0)
    return NULL;
  if (!init_cluster (server, error) || !spawn_postmaster (server, error)
      || !wait_ready (server, error))
    return NULL;
  return g_steal_pointer (&server);
}

PostgresServer *
postgres_server_start (GError **error)
{
  return start (FALSE, error);
}

PostgresServer *
postgres_server_start_tcp (GError **error)
{
  return start (TRUE, error);
}

const char *
postgres_server_get_socket_dir (PostgresServer *server)
{
  return server->dir;
}

guint16
postgres_server_get_port (PostgresServer *server)
{
  return server->port;
}

char *
postgres_server_create_database (PostgresServer *server, GError **error)
{
  g_autofree char *info = conninfo (server, "postgres");
  g_autofree char *name = g_strdup_printf ("test_%d_%u", (int) getpid (), ++server->n_databases);
  g_autofree char *sql = g_strdup_printf ("CREATE DATABASE %s TEMPLATE template0", name);
  PGconn *conn = PQconnectdb (info);
  PGresult *result;
  gboolean created;

  if (PQstatus (conn) != CONNECTION_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "PostgreSQL: %s",
                   PQerrorMessage (conn));
      PQfinish (conn);
      return NULL;
    }
  result = PQexec (conn, sql);
  created = PQresultStatus (result) == PGRES_COMMAND_OK;
  if (!created)
    g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s: %s", sql, PQerrorMessage (conn));
  PQclear (result);
  PQfinish (conn);
  if (!created)
    return NULL;
  if (server->port != 0)
    return g_strdup_printf ("postgresql://%s@127.0.0.1:%u/%s", POSTGRES_SERVER_USER, server->port,
                            name);
  return g_strdup_printf ("postgresql:///%s?host=%s&user=%s", name, server->dir,
                          POSTGRES_SERVER_USER);
}

void
postgres_server_kill (PostgresServer *server)
{
  if (server->pid == 0)
    return;
  kill (server->pid, SIGKILL);
  waitpid (server->pid, NULL, 0);
  server->pid = 0;
}

gboolean
postgres_server_start_again (PostgresServer *server, GError **error)
{
  g_return_val_if_fail (server->pid == 0, FALSE);
  return spawn_postmaster (server, error) && wait_ready (server, error);
}

/* Fast shutdown: SIGINT, then SIGKILL if it takes more than 10 s. */
static void
stop (PostgresServer *server)
{
  gint64 deadline = g_get_monotonic_time () + 10 * G_USEC_PER_SEC;

  if (server->pid == 0)
    return;
  kill (server->pid, SIGINT);
  while (!postmaster_exited (server))
    {
      if (g_get_monotonic_time () > deadline)
        {
          postgres_server_kill (server);
          return;
        }
      g_usleep (10 * 1000);
    }
}

void
postgres_server_free (PostgresServer *server)
{
  if (server == NULL)
    return;
  stop (server);
  if (server->dir != NULL)
    rh_fs_remove_tree (server->dir);
  g_free (server->bin_dir);
  g_free (server->dir);
  g_free (server->data_dir);
  g_free (server->log_path);
  g_free (server);
}
