#include "rh-cloud-store.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "rh-error.h"
#include "rh-json.h"
#include "rh-recording-file.h"

struct _RhCloudStore
{
  sqlite3 *db;
  char *dir;
  int lock_fd; /* holds the data directory's lock, -1 for none */
};

static const char schema[] =
  "PRAGMA journal_mode=WAL;"
  "PRAGMA synchronous=FULL;"
  "CREATE TABLE IF NOT EXISTS rooms ("
  "  app_id TEXT NOT NULL, room_uuid TEXT NOT NULL, room_name TEXT, room_type INTEGER,"
  "  created_ms INTEGER, PRIMARY KEY (app_id, room_uuid));"
  "CREATE TABLE IF NOT EXISTS records ("
  "  record_id TEXT PRIMARY KEY, app_id TEXT NOT NULL, room_uuid TEXT NOT NULL,"
  "  state INTEGER, reason INTEGER, on_hold INTEGER, unready INTEGER, start_ms INTEGER,"
  "  end_ms INTEGER, config TEXT, file TEXT, error TEXT, page TEXT);"
  /* sequence orders all events; room_sequence, a room's own, is the API's
   * (the cloud's sequences are a room's, without gaps). */
  "CREATE TABLE IF NOT EXISTS events ("
  "  sequence INTEGER PRIMARY KEY AUTOINCREMENT, app_id TEXT NOT NULL,"
  "  room_uuid TEXT NOT NULL, cmd INTEGER, version INTEGER, data TEXT, ts INTEGER,"
  "  room_sequence INTEGER);"
  "CREATE INDEX IF NOT EXISTS events_room ON events (app_id, room_uuid, sequence);";

static gboolean
check (RhCloudStore *store, int rc, const char *what, GError **error)
{
  if (rc == SQLITE_OK || rc == SQLITE_DONE || rc == SQLITE_ROW)
    return TRUE;
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "cloud store: %s: %s", what,
               sqlite3_errmsg (store->db));
  return FALSE;
}

/* One cloud per data directory: through SQLite's own locks two would share
 * the database, each stalling the other's answers and failing its writes.
 * The lock file names its holder, for the second one's message. */
static gboolean
lock_dir (RhCloudStore *store, const char *dir, GError **error)
{
  g_autofree char *path = g_build_filename (dir, "cloud.lock", NULL);
  g_autofree char *pid = NULL;
  int fd = g_open (path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);

  if (fd < 0)
    {
      int saved = errno;

      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot use --data-dir %s: %s", dir,
                   g_strerror (saved));
      return FALSE;
    }
  if (flock (fd, LOCK_EX | LOCK_NB) != 0)
    {
      int saved = errno;
      char holder[32] = "";
      gssize length = pread (fd, holder, sizeof holder - 1, 0);
      guint64 other = 0;

      close (fd);
      if (saved != EWOULDBLOCK)
        {
          g_set_error (error, G_IO_ERROR, g_io_error_from_errno (saved),
                       "cannot lock --data-dir %s: %s", dir, g_strerror (saved));
          return FALSE;
        }
      holder[MAX (length, 0)] = '\0';
      if (g_ascii_string_to_unsigned (g_strstrip (holder), 10, 1, G_MAXINT, &other, NULL))
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     "--data-dir %s is in use by another recordhost cloud (pid %" G_GUINT64_FORMAT
                     ")", dir, other);
      else
        g_set_error (error, G_IO_ERROR, G_IO_ERROR_BUSY,
                     "--data-dir %s is in use by another recordhost cloud", dir);
      return FALSE;
    }
  /* The pid only serves the message: failing to write it is no failure. */
  pid = g_strdup_printf ("%d\n", (int) getpid ());
  if (ftruncate (fd, 0) == 0 && pwrite (fd, pid, strlen (pid), 0) < 0)
    g_debug ("cloud store: cannot write %s", path);
  store->lock_fd = fd;
  return TRUE;
}

/* A data directory from before records had @column (a recording's error,
 * what its page did) gets it, as TEXT. */
static gboolean
add_records_column (RhCloudStore *store, const char *column, char **message)
{
  g_autofree char *probe = g_strdup_printf ("SELECT %s FROM records LIMIT 0", column);
  g_autofree char *alter = g_strdup_printf ("ALTER TABLE records ADD COLUMN %s TEXT", column);
  sqlite3_stmt *statement = NULL;
  gboolean present = FALSE;

  if (sqlite3_prepare_v2 (store->db, probe, -1, &statement, NULL) == SQLITE_OK)
    present = TRUE;
  sqlite3_finalize (statement);
  return present || sqlite3_exec (store->db, alter, NULL, NULL, message) == SQLITE_OK;
}

/* A data directory from before events were numbered per room: its events
 * are numbered in each room in the order they came. */
static gboolean
add_room_sequence (RhCloudStore *store, char **message)
{
  sqlite3_stmt *statement = NULL;
  gboolean present = FALSE;

  if (sqlite3_prepare_v2 (store->db, "SELECT room_sequence FROM events LIMIT 0", -1, &statement,
                          NULL)
      == SQLITE_OK)
    present = TRUE;
  sqlite3_finalize (statement);
  if (!present
      && sqlite3_exec (store->db,
                       "BEGIN;"
                       "ALTER TABLE events ADD COLUMN room_sequence INTEGER;"
                       "UPDATE events SET room_sequence = (SELECT COUNT (*) FROM events AS e "
                       "  WHERE e.app_id = events.app_id AND e.room_uuid = events.room_uuid "
                       "  AND e.sequence <= events.sequence);"
                       "COMMIT;",
                       NULL, NULL, message)
           != SQLITE_OK)
    {
      sqlite3_exec (store->db, "ROLLBACK", NULL, NULL, NULL);
      return FALSE;
    }
  return sqlite3_exec (store->db,
                       "CREATE UNIQUE INDEX IF NOT EXISTS events_room_sequence "
                       "ON events (app_id, room_uuid, room_sequence)",
                       NULL, NULL, message)
         == SQLITE_OK;
}

RhCloudStore *
rh_cloud_store_open (const char *dir, GError **error)
{
  g_autoptr (RhCloudStore) store = g_new0 (RhCloudStore, 1);
  g_autofree char *path = g_build_filename (dir, "cloud.sqlite3", NULL);
  char *message = NULL;

  store->lock_fd = -1;
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot create --data-dir %s: %s",
                   dir, g_strerror (saved));
      return NULL;
    }
  if (!lock_dir (store, dir, error))
    return NULL;
  if (sqlite3_open (path, &store->db) != SQLITE_OK)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot open %s: %s", path,
                   sqlite3_errmsg (store->db));
      return NULL;
    }
  sqlite3_busy_timeout (store->db, 5000);
  store->dir = g_strdup (dir);
  if (sqlite3_exec (store->db, schema, NULL, NULL, &message) != SQLITE_OK
      || !add_records_column (store, "error", &message)
      || !add_records_column (store, "page", &message) || !add_room_sequence (store, &message))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot use %s: %s", path, message);
      sqlite3_free (message);
      return NULL;
    }
  return g_steal_pointer (&store);
}

void
rh_cloud_store_close (RhCloudStore *store)
{
  if (store == NULL)
    return;
  sqlite3_close (store->db);
  /* Last: the database is closed before another cloud may open it. */
  if (store->lock_fd >= 0)
    close (store->lock_fd);
  g_free (store->dir);
  g_free (store);
}

/* Fails when the database is locked, damaged or changed from outside. */
static sqlite3_stmt *
prepare (RhCloudStore *store, const char *sql, const char *what, GError **error)
{
  sqlite3_stmt *statement = NULL;

  if (!check (store, sqlite3_prepare_v2 (store->db, sql, -1, &statement, NULL), what, error))
    {
      sqlite3_finalize (statement);
      return NULL;
    }
  return statement;
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (sqlite3_stmt, sqlite3_finalize)

gboolean
rh_cloud_store_put_room (RhCloudStore *store, const char *app_id, const char *room_uuid,
                         const char *room_name, int room_type, gboolean *created,
                         GError **error)
{
  g_autoptr (sqlite3_stmt) statement = prepare (
    store, "INSERT OR IGNORE INTO rooms (app_id, room_uuid, room_name, room_type, created_ms) "
           "VALUES (?, ?, ?, ?, ?)", "add room", error);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, app_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, room_uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, room_name, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (statement, 4, room_type);
  sqlite3_bind_int64 (statement, 5, g_get_real_time () / 1000);
  if (!check (store, sqlite3_step (statement), "add room", error))
    return FALSE;
  if (created != NULL)
    *created = sqlite3_changes (store->db) > 0;
  return TRUE;
}

/* An unknown room is G_IO_ERROR_NOT_FOUND. */
gboolean
rh_cloud_store_get_room (RhCloudStore *store, const char *app_id, const char *room_uuid,
                         char **room_name, int *room_type, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = prepare (
    store, "SELECT room_name, room_type FROM rooms WHERE app_id = ? AND room_uuid = ?",
    "find room", error);
  int rc;

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, app_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, room_uuid, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (statement);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "room not found");
      return FALSE;
    }
  if (!check (store, rc, "find room", error))
    return FALSE;
  if (room_name != NULL)
    *room_name = g_strdup ((const char *) sqlite3_column_text (statement, 0));
  if (room_type != NULL)
    *room_type = sqlite3_column_int (statement, 1);
  return TRUE;
}

gboolean
rh_cloud_store_put_record (RhCloudStore *store, const RhCloudRecord *record, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = prepare (
    store, "INSERT OR REPLACE INTO records (record_id, app_id, room_uuid, state, reason, "
           "on_hold, unready, start_ms, end_ms, config, file, error, page) "
           "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", "save record", error);

  if (statement == NULL)
    return FALSE;
  sqlite3_bind_text (statement, 1, record->record_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, record->app_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, record->room_uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (statement, 4, record->state);
  sqlite3_bind_int (statement, 5, record->reason);
  sqlite3_bind_int (statement, 6, record->on_hold);
  sqlite3_bind_int (statement, 7, record->unready);
  sqlite3_bind_int64 (statement, 8, record->start_ms);
  sqlite3_bind_int64 (statement, 9, record->end_ms);
  sqlite3_bind_text (statement, 10, record->config, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 11, record->file, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 12, record->error, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 13, record->page, -1, SQLITE_TRANSIENT);
  return check (store, sqlite3_step (statement), "save record", error);
}

static JsonNode *
parse_or_null (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (text == NULL
      || !rh_json_parser_load (parser, text, -1, G_MAXSIZE, RH_JSON_MAX_DEPTH, NULL)
      || json_parser_get_root (parser) == NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_copy (json_parser_get_root (parser));
}

/* @full_paths: the files' absolute paths, else their names in the data
 * directory. */
JsonNode *
rh_cloud_store_list_records (RhCloudStore *store, const char *app_id, const char *room_uuid,
                             gboolean full_paths, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = prepare (
    store, "SELECT record_id, state, reason, on_hold, unready, start_ms, end_ms, config, file, "
           "error, page FROM records WHERE app_id = ? AND room_uuid = ? "
           "ORDER BY start_ms, rowid",
    "list records", error);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  guint total = 0;
  int rc;

  if (statement == NULL)
    return NULL;
  sqlite3_bind_text (statement, 1, app_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, room_uuid, -1, SQLITE_TRANSIENT);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "list");
  json_builder_begin_array (builder);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      total++;
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "recordId");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (statement, 0));
      json_builder_set_member_name (builder, "roomUuid");
      json_builder_add_string_value (builder, room_uuid);
      json_builder_set_member_name (builder, "state");
      json_builder_add_int_value (builder, sqlite3_column_int (statement, 1));
      json_builder_set_member_name (builder, "reason");
      json_builder_add_int_value (builder, sqlite3_column_int (statement, 2));
      json_builder_set_member_name (builder, "onHold");
      json_builder_add_boolean_value (builder, sqlite3_column_int (statement, 3));
      json_builder_set_member_name (builder, "unready");
      json_builder_add_boolean_value (builder, sqlite3_column_int (statement, 4));
      json_builder_set_member_name (builder, "startTime");
      json_builder_add_int_value (builder, sqlite3_column_int64 (statement, 5));
      json_builder_set_member_name (builder, "endTime");
      if (sqlite3_column_int64 (statement, 6) > 0)
        json_builder_add_int_value (builder, sqlite3_column_int64 (statement, 6));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "config");
      json_builder_add_value (builder,
                              parse_or_null ((const char *) sqlite3_column_text (statement, 7)));
      rh_recording_file_add_json (builder, sqlite3_column_int (statement, 1),
                                  (const char *) sqlite3_column_text (statement, 8),
                                  (const char *) sqlite3_column_text (statement, 9), store->dir,
                                  full_paths);
      json_builder_set_member_name (builder, "page");
      json_builder_add_value (builder,
                              parse_or_null ((const char *) sqlite3_column_text (statement, 10)));
      json_builder_end_object (builder);
    }
  if (!check (store, rc, "list records", error))
    return NULL;
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, total);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* What a record's page did (its "page" in the list), null before a load
 * ended; an unknown record is G_IO_ERROR_NOT_FOUND. */
JsonNode *
rh_cloud_store_get_record_page (RhCloudStore *store, const char *app_id,
                                const char *room_uuid, const char *record_id, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = prepare (
    store, "SELECT page FROM records WHERE app_id = ? AND room_uuid = ? AND record_id = ?",
    "find record", error);
  int rc;

  if (statement == NULL)
    return NULL;
  sqlite3_bind_text (statement, 1, app_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, room_uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 3, record_id, -1, SQLITE_TRANSIENT);
  rc = sqlite3_step (statement);
  if (rc == SQLITE_DONE)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "record not found");
      return NULL;
    }
  if (!check (store, rc, "find record", error))
    return NULL;
  return parse_or_null ((const char *) sqlite3_column_text (statement, 0));
}

/* Returns the event's sequence number in its room, or 0 on error.  One
 * statement numbers and stores it: one cloud writes the store. */
gint64
rh_cloud_store_add_event (RhCloudStore *store, const char *app_id, const char *room_uuid,
                          int cmd, JsonNode *data, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = prepare (
    store, "INSERT INTO events (app_id, room_uuid, room_sequence, cmd, version, data, ts) "
           "SELECT ?1, ?2, COALESCE (MAX (room_sequence), 0) + 1, ?3, 1, ?4, ?5 FROM events "
           "WHERE app_id = ?1 AND room_uuid = ?2 RETURNING room_sequence", "add event", error);
  g_autofree char *text = json_to_string (data, FALSE);
  gint64 sequence;

  if (statement == NULL)
    return 0;
  sqlite3_bind_text (statement, 1, app_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, room_uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int (statement, 3, cmd);
  sqlite3_bind_text (statement, 4, text, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 5, g_get_real_time () / 1000);
  /* The row comes first (an aggregate always gives one); the change is
   * committed at the step that ends. */
  if (!check (store, sqlite3_step (statement), "add event", error))
    return 0;
  sequence = sqlite3_column_int64 (statement, 0);
  g_return_val_if_fail (sequence > 0, 0);
  if (!check (store, sqlite3_step (statement), "add event", error))
    return 0;
  return sequence;
}

/* Events of a room with sequence >= @next_id (and of @cmd unless 0), at
 * most @limit: {"list": [...], "nextId": the sequence to ask for next}. */
JsonNode *
rh_cloud_store_list_events (RhCloudStore *store, const char *app_id, const char *room_uuid,
                            gint64 next_id, int cmd, guint limit, GError **error)
{
  g_autoptr (sqlite3_stmt) statement = prepare (
    store, "SELECT room_sequence, cmd, version, data FROM events WHERE app_id = ? "
           "AND room_uuid = ? AND room_sequence >= ? AND (? = 0 OR cmd = ?) "
           "ORDER BY room_sequence LIMIT ?",
    "list events", error);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gint64 next = next_id;
  int rc;

  if (statement == NULL)
    return NULL;
  sqlite3_bind_text (statement, 1, app_id, -1, SQLITE_TRANSIENT);
  sqlite3_bind_text (statement, 2, room_uuid, -1, SQLITE_TRANSIENT);
  sqlite3_bind_int64 (statement, 3, next_id);
  sqlite3_bind_int (statement, 4, cmd);
  sqlite3_bind_int (statement, 5, cmd);
  sqlite3_bind_int (statement, 6, limit);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "list");
  json_builder_begin_array (builder);
  while ((rc = sqlite3_step (statement)) == SQLITE_ROW)
    {
      gint64 sequence = sqlite3_column_int64 (statement, 0);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "roomUuid");
      json_builder_add_string_value (builder, room_uuid);
      json_builder_set_member_name (builder, "cmd");
      json_builder_add_int_value (builder, sqlite3_column_int (statement, 1));
      json_builder_set_member_name (builder, "sequence");
      json_builder_add_int_value (builder, sequence);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, sqlite3_column_int (statement, 2));
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder,
                              parse_or_null ((const char *) sqlite3_column_text (statement, 3)));
      json_builder_end_object (builder);
      next = sequence + 1;
    }
  if (!check (store, rc, "list events", error))
    return NULL;
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "nextId");
  json_builder_add_int_value (builder, next);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Recordings still marked recording when the cloud stopped last time ended
 * with it: each gets its stop event (reason 2, "cloud restarted") and is
 * marked ended.  Returns how many. */
guint
rh_cloud_store_end_interrupted (RhCloudStore *store, GError **error)
{
  g_autoptr (sqlite3_stmt) select = prepare (
    store, "SELECT record_id, app_id, room_uuid, on_hold FROM records WHERE state = 1",
    "find interrupted recordings", error);
  g_autoptr (sqlite3_stmt) update = NULL;
  gint64 now = g_get_real_time () / 1000;
  guint ended = 0;

  if (select == NULL)
    return 0;
  update = prepare (store, "UPDATE records SET state = 2, reason = 2, end_ms = ? WHERE state = 1",
                    "end interrupted recordings", error);
  if (update == NULL)
    return 0;
  while (sqlite3_step (select) == SQLITE_ROW)
    {
      g_autoptr (JsonBuilder) builder = json_builder_new ();
      g_autoptr (JsonNode) data = NULL;

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "recordId");
      json_builder_add_string_value (builder, (const char *) sqlite3_column_text (select, 0));
      json_builder_set_member_name (builder, "state");
      json_builder_add_int_value (builder, 2);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_int_value (builder, 2);
      json_builder_set_member_name (builder, "reasonText");
      json_builder_add_string_value (builder, "stopped: the cloud restarted");
      json_builder_set_member_name (builder, "onHold");
      json_builder_add_boolean_value (builder, sqlite3_column_int (select, 3));
      json_builder_set_member_name (builder, "ts");
      json_builder_add_int_value (builder, now);
      json_builder_end_object (builder);
      data = json_builder_get_root (builder);
      if (rh_cloud_store_add_event (store, (const char *) sqlite3_column_text (select, 1),
                                    (const char *) sqlite3_column_text (select, 2), 1001, data,
                                    error) == 0)
        return ended;
      ended++;
    }
  sqlite3_bind_int64 (update, 1, now);
  if (!check (store, sqlite3_step (update), "end interrupted recordings", error))
    return 0;
  return ended;
}

const char *
rh_cloud_store_get_dir (RhCloudStore *store)
{
  return store->dir;
}
