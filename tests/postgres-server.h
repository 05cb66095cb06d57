/* A private PostgreSQL server for one test program: its own cluster in a
 * temporary directory, a Unix socket there (and 127.0.0.1 on a free port
 * when asked), a fresh database for each test case.  The postmaster dies
 * with the test program, also when it aborts. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct _PostgresServer PostgresServer;

/* initdb and postgres of the newest /usr/lib/postgresql/N, listening on a
 * Unix socket only; returns once it accepts connections. */
PostgresServer *postgres_server_start     (GError **error);
/* The same, also listening on 127.0.0.1. */
PostgresServer *postgres_server_start_tcp (GError **error);

/* Where the Unix socket is (a libpq host=). */
const char     *postgres_server_get_socket_dir (PostgresServer *server);
/* The TCP port, 0 when it listens on its socket only. */
guint16         postgres_server_get_port       (PostgresServer *server);

/* A new empty database of a name no other has; its URL, through TCP when
 * the server listens there, else through the socket. */
char           *postgres_server_create_database (PostgresServer *server, GError **error);

/* SIGKILL to the postmaster, as a crash; waits for it. */
void            postgres_server_kill        (PostgresServer *server);
/* Starts the killed server again on its data, socket and port. */
gboolean        postgres_server_start_again (PostgresServer *server, GError **error);

/* Stops the server (fast shutdown) and removes its directory. */
void            postgres_server_free        (PostgresServer *server);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (PostgresServer, postgres_server_free)

G_END_DECLS
