/* What workers sharing the store tell each other through it: a change to a
 * room asked through any worker, kept for its owner; the cluster's counts;
 * notifications. */
#include "rh-cloud-store-cluster.h"

#include "rh-cloud-store-private.h"

#define NOW "CAST (EXTRACT (EPOCH FROM clock_timestamp ()) * 1000 AS BIGINT)"

/* ---- a change asked through any worker ---- */

typedef struct
{
  char *state;
  char *record_id;
  gboolean held;
} Change;

static void
change_free (Change *change)
{
  g_free (change->state);
  g_free (change->record_id);
  g_free (change);
}

static void
pending_stopped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (rh_cloud_store_add_event_finish (RH_CLOUD_STORE (source), result, &error) == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  g_task_return_boolean (task, TRUE);
}

static void
changed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "change room");
  RhCloudStore *store = g_task_get_source_object (task);
  Change *change = g_task_get_task_data (task);
  g_autoptr (JsonBuilder) builder = NULL;
  g_autoptr (JsonNode) data = NULL;

  if (rows == NULL)
    return;
  if (rh_sql_result_get_n_rows (rows) == 0)
    {
      change->state = g_strdup ("idle");
      g_task_return_boolean (task, TRUE);
      return;
    }
  change->record_id = g_strdup (rh_sql_result_get (rows, 0, 2));
  change->held = rh_sql_result_get_int (rows, 0, 3) != 0;
  /* Stopped while pending: no worker had it, the stop is its end. */
  if (g_strcmp0 (rh_sql_result_get (rows, 0, 4), "pending") == 0
      && g_strcmp0 (rh_sql_result_get (rows, 0, 5), "idle") == 0)
    {
      change->state = g_strdup ("pending");
      builder = json_builder_new ();
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "recordId");
      json_builder_add_string_value (builder, change->record_id);
      json_builder_set_member_name (builder, "state");
      json_builder_add_int_value (builder, 2);
      json_builder_set_member_name (builder, "reason");
      json_builder_add_int_value (builder, 2);
      json_builder_set_member_name (builder, "reasonText");
      json_builder_add_string_value (builder, "stopped before a worker took it");
      json_builder_set_member_name (builder, "onHold");
      json_builder_add_boolean_value (builder, change->held);
      json_builder_end_object (builder);
      data = json_builder_get_root (builder);
      rh_cloud_store_add_event_async (store, rh_sql_result_get (rows, 0, 0),
                                      rh_sql_result_get (rows, 0, 1), 1001, data,
                                      pending_stopped_cb, g_steal_pointer (&task));
      return;
    }
  change->state = g_strdup (rh_sql_result_get (rows, 0, 4));
  g_task_return_boolean (task, TRUE);
}

void
rh_cloud_store_change_room_async (RhCloudStore *store, const char *app_id,
                                  const char *room_uuid, RhCloudChange change,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_change_room_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  g_task_set_task_data (task, g_new0 (Change, 1), (GDestroyNotify) change_free);
  rh_sql_params_add_text (params, app_id);
  rh_sql_params_add_text (params, room_uuid);
  /* The old state is read in the same statement as the change: a FROM of
   * the row itself, locked. */
  /* $3: 2 a release, 3 a stop (RhCloudChange). */
  rh_sql_params_add_int (params, change);
  rh_cloud_store_query (
    task,
    "UPDATE rooms AS r SET "
    "  state = CASE WHEN $3 = 3 AND o.state = 'pending' "
    "    THEN 'idle' ELSE o.state END, "
    "  stop_requested = CASE WHEN $3 = 3 THEN 1 "
    "    ELSE r.stop_requested END, "
    "  held = CASE WHEN $3 = 2 THEN 0 ELSE r.held END "
    "FROM (SELECT app_id, room_uuid, state FROM rooms WHERE app_id = $1 "
    "  AND room_uuid = $2 AND state IN ('pending', 'active', 'handoff') FOR UPDATE) AS o "
    "WHERE r.app_id = o.app_id AND r.room_uuid = o.room_uuid "
    "RETURNING r.app_id, r.room_uuid, r.record_id, r.held, o.state, r.state",
    params, changed_cb);
}

gboolean
rh_cloud_store_change_room_finish (RhCloudStore *store, GAsyncResult *result, char **state,
                                   char **record_id, gboolean *held, GError **error)
{
  Change *change = g_task_get_task_data (G_TASK (result));

  if (!g_task_propagate_boolean (G_TASK (result), error))
    return FALSE;
  *state = g_strdup (change->state);
  *record_id = g_strdup (change->record_id);
  *held = change->held;
  return TRUE;
}

/* ---- the cluster ---- */

static void
counted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "count cluster");
  RhCloudClusterCounts *counts;

  if (rows == NULL)
    return;
  counts = g_new0 (RhCloudClusterCounts, 1);
  counts->workers = (guint) rh_sql_result_get_int (rows, 0, 0);
  counts->capacity = (guint) rh_sql_result_get_int (rows, 0, 1);
  counts->active = (guint) rh_sql_result_get_int (rows, 0, 2);
  counts->pending = (guint) rh_sql_result_get_int (rows, 0, 3);
  g_task_return_pointer (task, counts, g_free);
}

/* Live workers are those whose heartbeat has not expired; one draining
 * takes no more rooms. */
void
rh_cloud_store_count_cluster_async (RhCloudStore *store, GAsyncReadyCallback callback,
                                    gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_count_cluster_async, callback,
                                         user_data);

  rh_cloud_store_query (
    task,
    "SELECT (SELECT COUNT (*) FROM workers WHERE expires_ms > " NOW "), "
    "(SELECT COALESCE (SUM (capacity), 0) FROM workers WHERE expires_ms > " NOW " "
    "  AND draining = 0), "
    "(SELECT COUNT (*) FROM rooms WHERE state IN ('active', 'handoff')), "
    "(SELECT COUNT (*) FROM rooms WHERE state = 'pending')",
    NULL, counted_cb);
}

gboolean
rh_cloud_store_count_cluster_finish (RhCloudStore *store, GAsyncResult *result,
                                     RhCloudClusterCounts *counts, GError **error)
{
  g_autofree RhCloudClusterCounts *got = g_task_propagate_pointer (G_TASK (result), error);

  if (got == NULL)
    return FALSE;
  *counts = *got;
  return TRUE;
}

static void
notified_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlResult) rows = rh_sql_connection_query_finish (RH_SQL_CONNECTION (source),
                                                                 result, &error);

  if (rows == NULL)
    g_debug ("cloud store: notify: %s", error->message);
}

void
rh_cloud_store_notify (RhCloudStore *store, const char *payload)
{
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, payload);
  rh_sql_connection_query_async (store->sql,
                                 "SELECT pg_notify ('" RH_CLOUD_STORE_CHANNEL "', $1)", params,
                                 NULL, notified_cb, NULL);
}
