/* `recordhost cloud` workers sharing one PostgreSQL database, for a test:
 * a private server for the test program, a fresh database a test case,
 * the workers as processes of the built binary, calls to any of them, and
 * the database read directly. */
#pragma once

#include <json-glib/json-glib.h>
#include <libpq-fe.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* The lease of the tests' workers (--lease-ttl), in seconds. */
#define CLUSTER_LEASE_TTL_S 3

typedef struct
{
  char *id;       /* --worker-id: "w1", "w2", ... */
  char *data_dir; /* its own --data-dir */
  char *base_url;
  GSubprocess *process; /* the leader of its own process group */
  GPid pid;
  char *out_path;
  char *err_path;
  guint max_rooms; /* --max-rooms, 0: the default */
  guint runs;      /* processes started under its name */
  gboolean exited;
} ClusterWorker;

typedef struct
{
  char *dir;       /* the workers' data directories are in it */
  char *store_url; /* --store */
  PGconn *db;
  SoupSession *session;
  GPtrArray *workers; /* ClusterWorker, in the order started */
} ClusterFixture;

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PGresult, PQclear)

/* The server for the whole test program; freed by cluster_fixture_shutdown (). */
void cluster_fixture_init     (void);
void cluster_fixture_shutdown (void);

/* A fresh database and @n_workers workers on it, each with --max-rooms
 * @max_rooms (0: the default); returns once each printed its URL. */
void cluster_fixture_setup    (ClusterFixture *fixture, guint n_workers, guint max_rooms);
/* Every worker's process group gets SIGKILL, also one stopped. */
void cluster_fixture_teardown (ClusterFixture *fixture);

/* One more worker, "w<N+1>"; its index. */
guint          cluster_fixture_add_worker (ClusterFixture *fixture, guint max_rooms);
/* A worker that exited (killed) started again: its name, data directory
 * and options, a new process and URL. */
void           cluster_fixture_restart_worker (ClusterFixture *fixture, guint index);
ClusterWorker *cluster_fixture_worker     (ClusterFixture *fixture, guint index);
/* @signal_number to the worker's own process (not its WebKit processes). */
void           cluster_fixture_signal     (ClusterFixture *fixture, guint index,
                                           int signal_number);
/* What the worker wrote on stderr so far. */
char          *cluster_fixture_worker_stderr (ClusterFixture *fixture, guint index);
/* Waits until a worker (sent SIGKILL or SIGTERM) is gone; its wait status. */
int            cluster_fixture_wait_exit  (ClusterFixture *fixture, guint index, guint timeout_s);

/* One API call to worker @index: the answer's JSON object, its status in
 * *@status and, when @retry_after is not NULL, its Retry-After (NULL: none). */
JsonObject *cluster_fixture_call      (ClusterFixture *fixture, guint index, const char *method,
                                       const char *path, const char *body, guint *status,
                                       char **retry_after);
/* A call that must answer 200 with code 0; its data member (NULL: none). */
JsonNode   *cluster_fixture_call_ok   (ClusterFixture *fixture, guint index, const char *method,
                                       const char *path, const char *body);

/* A query with text parameters (a NULL-terminated list) that must succeed. */
PGresult *cluster_fixture_query       (ClusterFixture *fixture, const char *sql, ...)
  G_GNUC_NULL_TERMINATED;
/* The first row's first column of such a query; NULL for no row or a NULL. */
char     *cluster_fixture_query_value (ClusterFixture *fixture, const char *sql, ...)
  G_GNUC_NULL_TERMINATED;

/* The reasons of @room's cmd 1001 events through worker @index, "1,4,3";
 * fails when their sequences are not 1..n. */
char *cluster_fixture_reasons (ClusterFixture *fixture, guint index, const char *room_path);

typedef gboolean (*ClusterDoneFunc) (ClusterFixture *fixture, gpointer user_data);

/* Waits up to @timeout_s for @done; fails naming @what, with the rooms,
 * the claims and the end of each worker's stderr. */
void cluster_fixture_wait       (ClusterFixture *fixture, const char *what, ClusterDoneFunc done,
                                 gpointer user_data, guint timeout_s);
void cluster_fixture_wait_reasons (ClusterFixture *fixture, guint index, const char *room_path,
                                   const char *expected, guint timeout_s);
/* The rooms these name are of the app "app-1".  The index of the worker
 * that holds @room_uuid (rooms: state active), -1: none. */
gint  cluster_fixture_owner       (ClusterFixture *fixture, const char *room_uuid);
/* Waits until a worker other than @not_index (-1: any) holds @room_uuid; its index. */
guint cluster_fixture_wait_owner  (ClusterFixture *fixture, const char *room_uuid,
                                   gint not_index, guint timeout_s);
/* Fails unless @room_uuid's claims, in the order claimed, never overlap
 * and their epochs increase; returns how many there are. */
guint cluster_fixture_assert_one_owner (ClusterFixture *fixture, const char *room_uuid);

G_END_DECLS
