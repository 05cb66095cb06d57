/* The store's schema, the same tables in SQLite and PostgreSQL, made or
 * brought up to date when the store opens: each step is skipped when its
 * probe finds it done, so a data directory of any earlier version opens. */
#include "rh-cloud-store-schema.h"


typedef struct
{
  const char *probe;         /* succeeds when the step is done; NULL: always run */
  const char *statements[16]; /* NULL-terminated; "{key}" is the dialect's event key */
} Step;

static const Step steps[] = {
  { NULL,
    { "CREATE TABLE IF NOT EXISTS rooms (app_id TEXT NOT NULL, room_uuid TEXT NOT NULL, "
      "room_name TEXT, room_type INTEGER, created_ms BIGINT, PRIMARY KEY (app_id, room_uuid))",
      "CREATE TABLE IF NOT EXISTS records (record_id TEXT PRIMARY KEY, app_id TEXT NOT NULL, "
      "room_uuid TEXT NOT NULL, state INTEGER, reason INTEGER, on_hold INTEGER, "
      "unready INTEGER, start_ms BIGINT, end_ms BIGINT, config TEXT, file TEXT, error TEXT, "
      "page TEXT)",
      /* sequence orders all events; room_sequence, a room's own, is the
       * API's (the cloud's sequences are a room's, without gaps). */
      "CREATE TABLE IF NOT EXISTS events (sequence {key}, app_id TEXT NOT NULL, "
      "room_uuid TEXT NOT NULL, cmd INTEGER, version INTEGER, data TEXT, ts BIGINT, "
      "room_sequence INTEGER)",
      "CREATE INDEX IF NOT EXISTS events_room ON events (app_id, room_uuid, sequence)" } },
  /* Data directories from before a recording's error, and its page. */
  { "SELECT error FROM records LIMIT 0", { "ALTER TABLE records ADD COLUMN error TEXT" } },
  { "SELECT page FROM records LIMIT 0", { "ALTER TABLE records ADD COLUMN page TEXT" } },
  /* From before events were numbered per room: numbered in each room in the
   * order they came. */
  { "SELECT room_sequence FROM events LIMIT 0",
    { "BEGIN", "ALTER TABLE events ADD COLUMN room_sequence INTEGER",
      "UPDATE events SET room_sequence = (SELECT COUNT (*) FROM events AS e "
      "WHERE e.app_id = events.app_id AND e.room_uuid = events.room_uuid "
      "AND e.sequence <= events.sequence)",
      "COMMIT" } },
  { NULL,
    { "CREATE UNIQUE INDEX IF NOT EXISTS events_room_sequence "
      "ON events (app_id, room_uuid, room_sequence)" } },
  /* Rooms as work shared by workers (PostgreSQL): a start makes one pending,
   * a worker claims it for a lease (owner, epoch, expiry); the start's
   * request is kept to run it again on another worker. */
  { "SELECT stop_requested FROM rooms LIMIT 0",
    { "BEGIN", "ALTER TABLE rooms ADD COLUMN state TEXT",
      "ALTER TABLE rooms ADD COLUMN owner TEXT",
      "ALTER TABLE rooms ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE rooms ADD COLUMN lease_expires_ms BIGINT",
      "ALTER TABLE rooms ADD COLUMN config TEXT", "ALTER TABLE rooms ADD COLUMN region TEXT",
      "ALTER TABLE rooms ADD COLUMN held INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE rooms ADD COLUMN retries INTEGER NOT NULL DEFAULT 0",
      "ALTER TABLE rooms ADD COLUMN record_id TEXT",
      "ALTER TABLE rooms ADD COLUMN pending_ms BIGINT",
      "ALTER TABLE rooms ADD COLUMN stop_requested INTEGER NOT NULL DEFAULT 0", "COMMIT" } },
  { "SELECT epoch FROM records LIMIT 0",
    { "BEGIN", "ALTER TABLE records ADD COLUMN worker TEXT",
      "ALTER TABLE records ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0", "COMMIT" } },
  { NULL,
    { "CREATE INDEX IF NOT EXISTS rooms_state ON rooms (state, pending_ms)",
      /* Each worker's heartbeat: what the cluster can hold. */
      "CREATE TABLE IF NOT EXISTS workers (worker_id TEXT PRIMARY KEY, base_url TEXT, "
      "capacity INTEGER, active INTEGER, draining INTEGER, expires_ms BIGINT)",
      /* Every claim of a room, ended or not: who held it when. */
      "CREATE TABLE IF NOT EXISTS room_claims (app_id TEXT NOT NULL, room_uuid TEXT NOT NULL, "
      "epoch INTEGER NOT NULL, owner TEXT NOT NULL, claimed_ms BIGINT, ended_ms BIGINT, "
      "how TEXT, PRIMARY KEY (app_id, room_uuid, epoch))" } },
};

/* Workers starting together take turns at the schema. */
#define SCHEMA_LOCK "SELECT pg_advisory_lock (7261001)"
#define SCHEMA_UNLOCK "SELECT pg_advisory_unlock (7261001)"

typedef struct
{
  RhSqlConnection *sql;
  guint step;
  gint statement; /* -1: the probe */
  gboolean locked;
  gboolean in_transaction;
} Migration;

static void
migration_free (Migration *migration)
{
  g_clear_object (&migration->sql);
  g_free (migration);
}

static void next (GTask *task);

static void
unlocked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = NULL;
  g_autoptr (GError) error = NULL;

  rows = rh_sql_connection_query_finish (RH_SQL_CONNECTION (source), result, &error);
  if (rows == NULL)
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* A failed step leaves no transaction open, nor the lock held. */
static void
fail (GTask *task, GError *error)
{
  Migration *migration = g_task_get_task_data (task);

  if (migration->in_transaction)
    rh_sql_connection_query_async (migration->sql, "ROLLBACK", NULL, NULL, NULL, NULL);
  if (migration->locked)
    rh_sql_connection_query_async (migration->sql, SCHEMA_UNLOCK, NULL, NULL, NULL, NULL);
  if (!g_error_matches (error, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE))
    g_prefix_error (&error, "schema: ");
  g_task_return_error (task, error);
}

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Migration *migration = g_task_get_task_data (task);
  g_autoptr (RhSqlResult) rows = NULL;
  GError *error = NULL;
  const Step *step = &steps[migration->step];

  rows = rh_sql_connection_query_finish (migration->sql, result, &error);
  if (migration->statement < 0)
    {
      /* The probe: done when it ran. */
      g_clear_error (&error);
      migration->statement = rows != NULL ? (gint) G_N_ELEMENTS (step->statements) : 0;
    }
  else if (rows == NULL)
    {
      fail (task, error);
      return;
    }
  else
    {
      const char *sql = step->statements[migration->statement];

      if (g_str_equal (sql, "BEGIN"))
        migration->in_transaction = TRUE;
      else if (g_str_equal (sql, "COMMIT"))
        migration->in_transaction = FALSE;
      migration->statement++;
    }
  if (migration->statement >= (gint) G_N_ELEMENTS (step->statements)
      || step->statements[migration->statement] == NULL)
    {
      migration->step++;
      migration->statement = -1;
    }
  next (g_steal_pointer (&task));
}

static void
locked_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Migration *migration = g_task_get_task_data (task);
  g_autoptr (RhSqlResult) rows = NULL;
  GError *error = NULL;

  rows = rh_sql_connection_query_finish (migration->sql, result, &error);
  if (rows == NULL)
    {
      fail (task, error);
      return;
    }
  migration->locked = TRUE;
  next (g_steal_pointer (&task));
}

static void
next (GTask *task)
{
  Migration *migration = g_task_get_task_data (task);
  gboolean postgresql = rh_sql_connection_get_dialect (migration->sql)
                        == RH_SQL_DIALECT_POSTGRESQL;
  const Step *step;
  g_autoptr (GString) sql = NULL;

  if (postgresql && !migration->locked)
    {
      rh_sql_connection_query_async (migration->sql, SCHEMA_LOCK, NULL, NULL, locked_cb, task);
      return;
    }
  if (migration->step >= G_N_ELEMENTS (steps))
    {
      if (postgresql)
        rh_sql_connection_query_async (migration->sql, SCHEMA_UNLOCK, NULL, NULL, unlocked_cb,
                                       task);
      else
        {
          g_task_return_boolean (task, TRUE);
          g_object_unref (task);
        }
      return;
    }
  step = &steps[migration->step];
  if (migration->statement < 0 && step->probe == NULL)
    migration->statement = 0;
  if (migration->statement < 0)
    {
      rh_sql_connection_query_async (migration->sql, step->probe, NULL, NULL, done_cb, task);
      return;
    }
  sql = g_string_new (step->statements[migration->statement]);
  g_string_replace (sql, "{key}",
                    postgresql ? "BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY"
                               : "INTEGER PRIMARY KEY AUTOINCREMENT",
                    1);
  rh_sql_connection_query_async (migration->sql, sql->str, NULL, NULL, done_cb, task);
}

void
rh_cloud_store_schema_update_async (RhSqlConnection *sql, GCancellable *cancellable,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (sql, cancellable, callback, user_data);
  Migration *migration = g_new0 (Migration, 1);

  migration->sql = g_object_ref (sql);
  migration->statement = -1;
  g_task_set_task_data (task, migration, (GDestroyNotify) migration_free);
  next (task);
}

gboolean
rh_cloud_store_schema_update_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
