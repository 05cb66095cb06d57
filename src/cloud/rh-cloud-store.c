#include "rh-cloud-store-private.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "rh-cloud-store-schema.h"
#include "rh-error.h"
#include "rh-json.h"
#include "rh-recording-file.h"
#include "rh-sql-postgres.h"
#include "rh-sql-sqlite.h"

G_DEFINE_FINAL_TYPE (RhCloudStore, rh_cloud_store, G_TYPE_OBJECT)

static void
rh_cloud_store_finalize (GObject *object)
{
  RhCloudStore *self = RH_CLOUD_STORE (object);

  g_clear_pointer (&self->pool, g_ptr_array_unref);
  g_clear_object (&self->sql);
  /* Last: the database is closed before another cloud may open it. */
  if (self->lock_fd >= 0)
    close (self->lock_fd);
  g_free (self->dir);
  G_OBJECT_CLASS (rh_cloud_store_parent_class)->finalize (object);
}

static void
rh_cloud_store_class_init (RhCloudStoreClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rh_cloud_store_finalize;
}

static void
rh_cloud_store_init (RhCloudStore *self)
{
  self->lock_fd = -1;
  self->pool = g_ptr_array_new_with_free_func (g_object_unref);
}

/* Connections of the API's pool, PostgreSQL's. */
#define POOL_SIZE 3

static void
schema_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!rh_cloud_store_schema_update_finish (result, &error))
    {
      RhCloudStore *store = g_task_get_task_data (task);

      /* A database that is there but cannot be reached is the caller's to
       * wait for; one that is no store (a file of junk) is bad input. */
      if (!g_error_matches (error, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE))
        {
          GError *input = g_error_new (RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot use %s: %s",
                                       store->sql != NULL && rh_sql_connection_get_dialect (
                                           store->sql) == RH_SQL_DIALECT_SQLITE
                                         ? "the data directory's database"
                                         : "the store",
                                       error->message);

          g_clear_error (&error);
          error = input;
        }
      else
        g_prefix_error (&error, "--store: ");
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (g_task_get_task_data (task)), g_object_unref);
}

void
rh_cloud_store_open_async (const char *dir, const char *url, GCancellable *cancellable,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  g_autoptr (RhCloudStore) store = g_object_new (RH_TYPE_CLOUD_STORE, NULL);
  g_autoptr (GError) error = NULL;

  g_task_set_source_tag (task, rh_cloud_store_open_async);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_task_return_new_error (task, RH_ERROR, RH_ERROR_INVALID_INPUT,
                               "cannot create --data-dir %s: %s", dir, g_strerror (saved));
      return;
    }
  store->dir = g_strdup (dir);
  if (url == NULL)
    {
      g_autofree char *path = g_build_filename (dir, "cloud.sqlite3", NULL);

      if (!rh_cloud_store_lock_dir (store, dir, &error))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
      store->sql = rh_sql_sqlite_new (path, &error);
    }
  else
    store->sql = rh_sql_postgres_new (url, &error);
  if (store->sql == NULL)
    {
      g_task_return_new_error (task, RH_ERROR, RH_ERROR_INVALID_INPUT, "%s%s",
                               url != NULL ? "--store: " : "", error->message);
      return;
    }
  if (url == NULL)
    g_ptr_array_add (store->pool, g_object_ref (store->sql));
  /* Each connects at its first statement. */
  for (guint i = 0; url != NULL && i < POOL_SIZE; i++)
    {
      RhSqlConnection *connection = rh_sql_postgres_new (url, &error);

      /* The same URL as the first's: refused only if it were not. */
      if (connection == NULL)
        {
          g_task_return_new_error (task, RH_ERROR, RH_ERROR_INVALID_INPUT, "--store: %s",
                                   error->message);
          return;
        }
      g_ptr_array_add (store->pool, connection);
    }
  g_task_set_task_data (task, g_object_ref (store), g_object_unref);
  rh_cloud_store_schema_update_async (store->sql, cancellable, schema_cb,
                                      g_steal_pointer (&task));
}

RhCloudStore *
rh_cloud_store_open_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
rh_cloud_store_get_dir (RhCloudStore *store)
{
  return store->dir;
}

RhSqlConnection *
rh_cloud_store_get_connection (RhCloudStore *store)
{
  return store->sql;
}

void
rh_cloud_store_query_on (GTask *task, RhSqlConnection *connection, const char *sql,
                         const RhSqlParams *params, GAsyncReadyCallback callback)
{
  rh_sql_connection_query_async (connection, sql, params, g_task_get_cancellable (task),
                                 callback, task);
}

void
rh_cloud_store_query (GTask *task, const char *sql, const RhSqlParams *params,
                      GAsyncReadyCallback callback)
{
  RhCloudStore *store = g_task_get_source_object (task);
  RhSqlConnection *connection = g_ptr_array_index (store->pool,
                                                   store->next++ % store->pool->len);

  rh_cloud_store_query_on (task, connection, sql, params, callback);
}

void
rh_cloud_store_query_for_room (GTask *task, const char *app_id, const char *room_uuid,
                               const char *sql, const RhSqlParams *params,
                               GAsyncReadyCallback callback)
{
  RhCloudStore *store = g_task_get_source_object (task);
  guint hash = g_str_hash (app_id) * 31 + g_str_hash (room_uuid);

  rh_cloud_store_query_on (task, g_ptr_array_index (store->pool, hash % store->pool->len), sql,
                           params, callback);
}

RhSqlResult *
rh_cloud_store_query_finish (GTask *task, GAsyncResult *result, const char *what)
{
  g_autoptr (GObject) connection = g_async_result_get_source_object (result);
  GError *error = NULL;
  RhSqlResult *rows = rh_sql_connection_query_finish (RH_SQL_CONNECTION (connection), result,
                                                      &error);

  if (rows == NULL)
    {
      g_prefix_error (&error, "cloud store: %s: ", what);
      g_task_return_error (task, error);
    }
  return rows;
}

JsonNode *
rh_cloud_store_parse_or_null (const char *text)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (text == NULL
      || !rh_json_parser_load (parser, text, -1, G_MAXSIZE, RH_JSON_MAX_DEPTH, NULL)
      || json_parser_get_root (parser) == NULL)
    return json_node_new (JSON_NODE_NULL);
  return json_node_copy (json_parser_get_root (parser));
}

GTask *
rh_cloud_store_task_new (RhCloudStore *store, gpointer source_tag,
                         GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (store, NULL, callback, user_data);

  g_task_set_source_tag (task, source_tag);
  return task;
}

gssize
rh_cloud_store_task_count (GAsyncResult *result, GError **error)
{
  GError *local_error = NULL;
  gssize count = g_task_propagate_int (G_TASK (result), &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return 0;
    }
  return count;
}

/* ---- rooms ---- */

static void
put_room_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "add room");

  if (rows != NULL)
    g_task_return_int (task, rh_sql_result_get_changes (rows) > 0);
}

void
rh_cloud_store_put_room_async (RhCloudStore *store, const char *app_id, const char *room_uuid,
                               const char *room_name, int room_type,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_put_room_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, app_id);
  rh_sql_params_add_text (params, room_uuid);
  rh_sql_params_add_text (params, room_name);
  rh_sql_params_add_int (params, room_type);
  rh_sql_params_add_int (params, g_get_real_time () / 1000);
  rh_cloud_store_query (task,
                        "INSERT INTO rooms (app_id, room_uuid, room_name, room_type, created_ms) "
                        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
                        params, put_room_cb);
}

gboolean
rh_cloud_store_put_room_finish (RhCloudStore *store, GAsyncResult *result, gboolean *created,
                                GError **error)
{
  GError *local_error = NULL;
  gssize changed = rh_cloud_store_task_count (result, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  if (created != NULL)
    *created = changed > 0;
  return TRUE;
}

typedef struct
{
  char *room_name;
  int room_type;
} Room;

static void
room_free (Room *room)
{
  g_free (room->room_name);
  g_free (room);
}

static void
get_room_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "find room");
  Room *room;

  if (rows == NULL)
    return;
  if (rh_sql_result_get_n_rows (rows) == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "room not found");
      return;
    }
  room = g_new0 (Room, 1);
  room->room_name = g_strdup (rh_sql_result_get (rows, 0, 0));
  room->room_type = (int) rh_sql_result_get_int (rows, 0, 1);
  g_task_return_pointer (task, room, (GDestroyNotify) room_free);
}

void
rh_cloud_store_get_room_async (RhCloudStore *store, const char *app_id, const char *room_uuid,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_get_room_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, app_id);
  rh_sql_params_add_text (params, room_uuid);
  rh_cloud_store_query (task,
                        "SELECT room_name, room_type FROM rooms "
                        "WHERE app_id = $1 AND room_uuid = $2",
                        params, get_room_cb);
}

/* An unknown room is G_IO_ERROR_NOT_FOUND. */
gboolean
rh_cloud_store_get_room_finish (RhCloudStore *store, GAsyncResult *result, char **room_name,
                                int *room_type, GError **error)
{
  Room *room = g_task_propagate_pointer (G_TASK (result), error);

  if (room == NULL)
    return FALSE;
  if (room_name != NULL)
    *room_name = g_steal_pointer (&room->room_name);
  if (room_type != NULL)
    *room_type = room->room_type;
  room_free (room);
  return TRUE;
}

/* ---- records ---- */

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "save record");

  if (rows == NULL)
    return;
  if (rh_sql_result_get_changes (rows) == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, RH_CLOUD_STORE_LEASE_LOST,
                               "cloud store: save record: the room is another worker's now");
      return;
    }
  g_task_return_boolean (task, TRUE);
}

/* The guard of a room owner's write ($14 the owner, $15 its epoch), true
 * for a write of nobody's in particular. */
#define OWNER_GUARD(app, room)                                                                \
  "(CAST ($14 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM rooms WHERE rooms.app_id = " app       \
  " AND rooms.room_uuid = " room " AND rooms.owner = $14 AND rooms.epoch = $15))"

void
rh_cloud_store_put_record_async (RhCloudStore *store, const RhCloudRecord *record,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_put_record_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, record->record_id);
  rh_sql_params_add_text (params, record->app_id);
  rh_sql_params_add_text (params, record->room_uuid);
  rh_sql_params_add_int (params, record->state);
  rh_sql_params_add_int (params, record->reason);
  rh_sql_params_add_int (params, record->on_hold ? 1 : 0);
  rh_sql_params_add_int (params, record->unready ? 1 : 0);
  rh_sql_params_add_int (params, record->start_ms);
  rh_sql_params_add_int (params, record->end_ms);
  rh_sql_params_add_text (params, record->config);
  rh_sql_params_add_text (params, record->file);
  rh_sql_params_add_text (params, record->error);
  rh_sql_params_add_text (params, record->page);
  rh_sql_params_add_text (params, record->owner);
  rh_sql_params_add_int (params, record->epoch);
  /* A SELECT, not VALUES, for the guard; its values cast for PostgreSQL,
   * which types a SELECT's parameters as text. */
  rh_cloud_store_query_for_room (
    task, record->app_id, record->room_uuid,
    "INSERT INTO records (record_id, app_id, room_uuid, state, reason, on_hold, unready, "
    "start_ms, end_ms, config, file, error, page, worker, epoch) "
    "SELECT CAST ($1 AS TEXT), CAST ($2 AS TEXT), CAST ($3 AS TEXT), CAST ($4 AS INTEGER), "
    "CAST ($5 AS INTEGER), CAST ($6 AS INTEGER), CAST ($7 AS INTEGER), CAST ($8 AS BIGINT), "
    "CAST ($9 AS BIGINT), CAST ($10 AS TEXT), CAST ($11 AS TEXT), CAST ($12 AS TEXT), "
    "CAST ($13 AS TEXT), CAST ($14 AS TEXT), CAST ($15 AS INTEGER) "
    "WHERE " OWNER_GUARD ("$2", "$3") " "
    "ON CONFLICT (record_id) DO UPDATE SET app_id = excluded.app_id, "
    "room_uuid = excluded.room_uuid, state = excluded.state, reason = excluded.reason, "
    "on_hold = excluded.on_hold, unready = excluded.unready, start_ms = excluded.start_ms, "
    "end_ms = excluded.end_ms, config = excluded.config, file = excluded.file, "
    "error = excluded.error, page = excluded.page, worker = excluded.worker, "
    "epoch = excluded.epoch",
    params, done_cb);
}

gboolean
rh_cloud_store_put_record_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

typedef struct
{
  char *room_uuid;
  gboolean full_paths;
} ListRecords;

static void
list_records_free (ListRecords *list)
{
  g_free (list->room_uuid);
  g_free (list);
}

static void
list_records_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "list records");
  RhCloudStore *store = g_task_get_source_object (task);
  ListRecords *list = g_task_get_task_data (task);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  guint n_rows;

  if (rows == NULL)
    return;
  n_rows = rh_sql_result_get_n_rows (rows);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "list");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_rows; i++)
    {
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "recordId");
      json_builder_add_string_value (builder, rh_sql_result_get (rows, i, 0));
      json_builder_set_member_name (builder, "roomUuid");
      json_builder_add_string_value (builder, list->room_uuid);
      json_builder_set_member_name (builder, "state");
      json_builder_add_int_value (builder, rh_sql_result_get_int (rows, i, 1));
      json_builder_set_member_name (builder, "reason");
      json_builder_add_int_value (builder, rh_sql_result_get_int (rows, i, 2));
      json_builder_set_member_name (builder, "onHold");
      json_builder_add_boolean_value (builder, rh_sql_result_get_int (rows, i, 3) != 0);
      json_builder_set_member_name (builder, "unready");
      json_builder_add_boolean_value (builder, rh_sql_result_get_int (rows, i, 4) != 0);
      json_builder_set_member_name (builder, "startTime");
      json_builder_add_int_value (builder, rh_sql_result_get_int (rows, i, 5));
      json_builder_set_member_name (builder, "endTime");
      if (rh_sql_result_get_int (rows, i, 6) > 0)
        json_builder_add_int_value (builder, rh_sql_result_get_int (rows, i, 6));
      else
        json_builder_add_null_value (builder);
      json_builder_set_member_name (builder, "config");
      json_builder_add_value (builder, rh_cloud_store_parse_or_null (rh_sql_result_get (rows, i,
                                                                                        7)));
      rh_recording_file_add_json (builder, (int) rh_sql_result_get_int (rows, i, 1),
                                  rh_sql_result_get (rows, i, 8), rh_sql_result_get (rows, i, 9),
                                  store->dir, list->full_paths);
      json_builder_set_member_name (builder, "page");
      json_builder_add_value (builder, rh_cloud_store_parse_or_null (rh_sql_result_get (rows, i,
                                                                                        10)));
      /* The worker that ran it, null for a cloud alone. */
      json_builder_set_member_name (builder, "worker");
      if (rh_sql_result_get (rows, i, 11) != NULL)
        json_builder_add_string_value (builder, rh_sql_result_get (rows, i, 11));
      else
        json_builder_add_null_value (builder);
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, n_rows);
  json_builder_end_object (builder);
  g_task_return_pointer (task, json_builder_get_root (builder), (GDestroyNotify) json_node_unref);
}

/* @full_paths: the files' absolute paths, else their names in the data
 * directory. */
void
rh_cloud_store_list_records_async (RhCloudStore *store, const char *app_id,
                                   const char *room_uuid, gboolean full_paths,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_list_records_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();
  ListRecords *list = g_new0 (ListRecords, 1);

  list->room_uuid = g_strdup (room_uuid);
  list->full_paths = full_paths;
  g_task_set_task_data (task, list, (GDestroyNotify) list_records_free);
  rh_sql_params_add_text (params, app_id);
  rh_sql_params_add_text (params, room_uuid);
  rh_cloud_store_query (task,
                        "SELECT record_id, state, reason, on_hold, unready, start_ms, end_ms, "
                        "config, file, error, page, worker FROM records "
                        "WHERE app_id = $1 AND room_uuid = $2 ORDER BY start_ms, record_id",
                        params, list_records_cb);
}

JsonNode *
rh_cloud_store_list_records_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
get_record_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "find record");

  if (rows == NULL)
    return;
  if (rh_sql_result_get_n_rows (rows) == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_FOUND, "record not found");
      return;
    }
  g_task_return_pointer (task, rh_cloud_store_parse_or_null (rh_sql_result_get (rows, 0, 0)),
                         (GDestroyNotify) json_node_unref);
}

/* What a record's page did (its "page" in the list), null before a load
 * ended; an unknown record is G_IO_ERROR_NOT_FOUND. */
void
rh_cloud_store_get_record_page_async (RhCloudStore *store, const char *app_id,
                                      const char *room_uuid, const char *record_id,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_get_record_page_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, app_id);
  rh_sql_params_add_text (params, room_uuid);
  rh_sql_params_add_text (params, record_id);
  rh_cloud_store_query (task,
                        "SELECT page FROM records "
                        "WHERE app_id = $1 AND room_uuid = $2 AND record_id = $3",
                        params, get_record_page_cb);
}

JsonNode *
rh_cloud_store_get_record_page_finish (RhCloudStore *store, GAsyncResult *result,
                                       GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}
