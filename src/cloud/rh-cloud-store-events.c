/* A room's events in the store: numbered in the room without gaps, listed
 * from a sequence on; and the end of recordings a stopped cloud left. */
#include "rh-cloud-store-private.h"

/* Two writers of one room's events (a worker and the one that takes its
 * room over) may pick the same number: the second one tries again. */
#define ADD_EVENT_TRIES 8

typedef struct
{
  RhSqlParams *params;
  guint tries;
} AddEvent;

static void
add_event_free (AddEvent *add)
{
  rh_sql_params_free (add->params);
  g_free (add);
}

/* $6 and $7, the owner and its epoch, refuse a write of a worker that lost
 * the room (no row); NULL for a write of nobody's in particular. */
static const char add_event_sql[]
  = "INSERT INTO events (app_id, room_uuid, room_sequence, cmd, version, data, ts) "
    "SELECT CAST ($1 AS TEXT), CAST ($2 AS TEXT), n.next, CAST ($3 AS INTEGER), 1, "
    "CAST ($4 AS TEXT), CAST ($5 AS BIGINT) "
    "FROM (SELECT COALESCE (MAX (room_sequence), 0) + 1 AS next FROM events "
    "  WHERE app_id = $1 AND room_uuid = $2) AS n "
    "WHERE CAST ($6 AS TEXT) IS NULL OR EXISTS (SELECT 1 FROM rooms WHERE rooms.app_id = $1 "
    "  AND rooms.room_uuid = $2 AND rooms.owner = $6 AND rooms.epoch = $7) "
    "RETURNING room_sequence";

static void
add_event_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (GObject) connection = g_async_result_get_source_object (result);
  AddEvent *add = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlResult) rows = rh_sql_connection_query_finish (RH_SQL_CONNECTION (connection),
                                                                 result, &error);

  if (rows == NULL && g_error_matches (error, RH_SQL_ERROR, RH_SQL_ERROR_CONFLICT)
      && ++add->tries < ADD_EVENT_TRIES)
    {
      rh_cloud_store_query_on (g_steal_pointer (&task), RH_SQL_CONNECTION (connection),
                               add_event_sql, add->params, add_event_cb);
      return;
    }
  if (rows == NULL)
    {
      g_prefix_error (&error, "cloud store: add event: ");
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }
  if (rh_sql_result_get_n_rows (rows) == 0)
    {
      g_task_return_new_error (task, G_IO_ERROR, RH_CLOUD_STORE_LEASE_LOST,
                               "cloud store: add event: the room is another worker's now");
      return;
    }
  if (rh_sql_result_get_n_rows (rows) != 1 || rh_sql_result_get_int (rows, 0, 0) <= 0)
    {
      g_task_return_new_error (task, RH_SQL_ERROR, RH_SQL_ERROR_FAILED,
                               "cloud store: add event: no sequence number");
      return;
    }
  g_task_return_int (task, rh_sql_result_get_int (rows, 0, 0));
}

/* The event's sequence number in its room comes to _finish (0 on error). */
void
rh_cloud_store_add_event_async (RhCloudStore *store, const char *app_id, const char *room_uuid,
                                int cmd, JsonNode *data, GAsyncReadyCallback callback,
                                gpointer user_data)
{
  rh_cloud_store_add_owned_event_async (store, app_id, room_uuid, NULL, 0, cmd, data,
                                        g_get_real_time () / 1000, callback, user_data);
}

void
rh_cloud_store_add_owned_event_async (RhCloudStore *store, const char *app_id,
                                      const char *room_uuid, const char *owner, gint64 epoch,
                                      int cmd, JsonNode *data, gint64 ts_ms,
                                      GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_add_event_async, callback,
                                         user_data);
  AddEvent *add = g_new0 (AddEvent, 1);
  g_autofree char *text = json_to_string (data, FALSE);

  add->params = rh_sql_params_new ();
  rh_sql_params_add_text (add->params, app_id);
  rh_sql_params_add_text (add->params, room_uuid);
  rh_sql_params_add_int (add->params, cmd);
  rh_sql_params_add_text (add->params, text);
  rh_sql_params_add_int (add->params, ts_ms);
  rh_sql_params_add_text (add->params, owner);
  rh_sql_params_add_int (add->params, epoch);
  g_task_set_task_data (task, add, (GDestroyNotify) add_event_free);
  rh_cloud_store_query_for_room (task, app_id, room_uuid, add_event_sql, add->params,
                                 add_event_cb);
}

gint64
rh_cloud_store_add_event_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return rh_cloud_store_task_count (result, error);
}

typedef struct
{
  char *room_uuid;
  gint64 next_id;
} ListEvents;

static void
list_events_free (ListEvents *list)
{
  g_free (list->room_uuid);
  g_free (list);
}

static void
list_events_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "list events");
  ListEvents *list = g_task_get_task_data (task);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  gint64 next = list->next_id;

  if (rows == NULL)
    return;
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "list");
  json_builder_begin_array (builder);
  for (guint i = 0; i < rh_sql_result_get_n_rows (rows); i++)
    {
      gint64 sequence = rh_sql_result_get_int (rows, i, 0);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "roomUuid");
      json_builder_add_string_value (builder, list->room_uuid);
      json_builder_set_member_name (builder, "cmd");
      json_builder_add_int_value (builder, rh_sql_result_get_int (rows, i, 1));
      json_builder_set_member_name (builder, "sequence");
      json_builder_add_int_value (builder, sequence);
      json_builder_set_member_name (builder, "version");
      json_builder_add_int_value (builder, rh_sql_result_get_int (rows, i, 2));
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder,
                              rh_cloud_store_parse_or_null (rh_sql_result_get (rows, i, 3)));
      json_builder_end_object (builder);
      next = sequence + 1;
    }
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "nextId");
  json_builder_add_int_value (builder, next);
  json_builder_end_object (builder);
  g_task_return_pointer (task, json_builder_get_root (builder), (GDestroyNotify) json_node_unref);
}

/* Events of a room with sequence >= @next_id (and of @cmd unless 0), at
 * most @limit: {"list": [...], "nextId": the sequence to ask for next}. */
void
rh_cloud_store_list_events_async (RhCloudStore *store, const char *app_id,
                                  const char *room_uuid, gint64 next_id, int cmd, guint limit,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_list_events_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();
  ListEvents *list = g_new0 (ListEvents, 1);

  list->room_uuid = g_strdup (room_uuid);
  list->next_id = next_id;
  g_task_set_task_data (task, list, (GDestroyNotify) list_events_free);
  rh_sql_params_add_text (params, app_id);
  rh_sql_params_add_text (params, room_uuid);
  rh_sql_params_add_int (params, next_id);
  rh_sql_params_add_int (params, cmd);
  rh_sql_params_add_int (params, limit);
  rh_cloud_store_query (task,
                        "SELECT room_sequence, cmd, version, data FROM events "
                        "WHERE app_id = $1 AND room_uuid = $2 AND room_sequence >= $3 "
                        "AND ($4 = 0 OR cmd = $4) ORDER BY room_sequence LIMIT $5",
                        params, list_events_cb);
}

JsonNode *
rh_cloud_store_list_events_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- recordings a stopped cloud left recording ---- */

typedef struct
{
  RhSqlResult *records; /* record_id, app_id, room_uuid, on_hold */
  guint next;
  gint64 now;
} EndInterrupted;

static void
end_interrupted_free (EndInterrupted *end)
{
  rh_sql_result_free (end->records);
  g_free (end);
}

static void end_next (GTask *task);

static void
ended_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result,
                                                              "end interrupted recordings");

  if (rows != NULL)
    end_next (g_steal_pointer (&task));
}

static void
event_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  EndInterrupted *end = g_task_get_task_data (task);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();
  GError *error = NULL;

  if (rh_cloud_store_add_event_finish (RH_CLOUD_STORE (source), result, &error) == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  /* Ended once its event is stored: a failure between the two leaves it
   * recording, to be ended (with an event again) next time. */
  rh_sql_params_add_int (params, end->now);
  rh_sql_params_add_text (params, rh_sql_result_get (end->records, end->next, 0));
  end->next++;
  rh_cloud_store_query (g_steal_pointer (&task),
                        "UPDATE records SET state = 2, reason = 2, end_ms = $1 "
                        "WHERE record_id = $2 AND state = 1",
                        params, ended_cb);
}

static void
end_next (GTask *task)
{
  RhCloudStore *store = g_task_get_source_object (task);
  EndInterrupted *end = g_task_get_task_data (task);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) data = NULL;
  guint i = end->next;

  if (i >= rh_sql_result_get_n_rows (end->records))
    {
      g_task_return_int (task, i);
      g_object_unref (task);
      return;
    }
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recordId");
  json_builder_add_string_value (builder, rh_sql_result_get (end->records, i, 0));
  json_builder_set_member_name (builder, "state");
  json_builder_add_int_value (builder, 2);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_int_value (builder, 2);
  json_builder_set_member_name (builder, "reasonText");
  json_builder_add_string_value (builder, "stopped: the cloud restarted");
  json_builder_set_member_name (builder, "onHold");
  json_builder_add_boolean_value (builder, rh_sql_result_get_int (end->records, i, 3) != 0);
  json_builder_set_member_name (builder, "ts");
  json_builder_add_int_value (builder, end->now);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);
  rh_cloud_store_add_event_async (store, rh_sql_result_get (end->records, i, 1),
                                  rh_sql_result_get (end->records, i, 2), 1001, data,
                                  event_added_cb, task);
}

static void
interrupted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  EndInterrupted *end = g_task_get_task_data (task);

  end->records = rh_cloud_store_query_finish (task, result, "find interrupted recordings");
  if (end->records != NULL)
    end_next (g_steal_pointer (&task));
}

/* Recordings still marked recording when the cloud stopped last time ended
 * with it: each gets its stop event (reason 2, "cloud restarted") and is
 * marked ended.  _finish gives how many. */
void
rh_cloud_store_end_interrupted_async (RhCloudStore *store, GAsyncReadyCallback callback,
                                      gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_end_interrupted_async, callback,
                                         user_data);
  EndInterrupted *end = g_new0 (EndInterrupted, 1);

  end->now = g_get_real_time () / 1000;
  g_task_set_task_data (task, end, (GDestroyNotify) end_interrupted_free);
  rh_cloud_store_query (task,
                        "SELECT record_id, app_id, room_uuid, on_hold FROM records "
                        "WHERE state = 1 ORDER BY start_ms, record_id",
                        NULL, interrupted_cb);
}

guint
rh_cloud_store_end_interrupted_finish (RhCloudStore *store, GAsyncResult *result,
                                       GError **error)
{
  return (guint) rh_cloud_store_task_count (result, error);
}
