/* The cloud store's PostgreSQL connection against a real server of its
 * own (tests/postgres-server.c). */
#include <libpq-fe.h>
#include <string.h>

#include "postgres-server.h"
#include "test-utils.h"

static PostgresServer *server;

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

int
main (int argc, char **argv)
{
  g_autoptr (GError) error = NULL;
  int status;

  rh_test_init (&argc, &argv);
  server = postgres_server_start (&error);
  g_assert_no_error (error);

  g_test_add_func ("/sql-postgres/server", test_server);

  status = g_test_run ();
  g_clear_pointer (&server, postgres_server_free);
  return status;
}
