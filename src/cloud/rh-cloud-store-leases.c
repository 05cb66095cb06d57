#include "rh-cloud-store-leases.h"

#include "rh-cloud-store-cluster.h"
#include "rh-cloud-store-private.h"
#include "rh-recording-policy.h"

/* Milliseconds by PostgreSQL's clock: every lease is timed by one clock,
 * whatever the workers' clocks say. */
#define NOW "CAST (EXTRACT (EPOCH FROM clock_timestamp ()) * 1000 AS BIGINT)"

/* One reaper at a time, cluster-wide. */
#define REAPER_LOCK "7261002"

void
rh_cloud_claim_free (RhCloudClaim *claim)
{
  if (claim == NULL)
    return;
  g_free (claim->app_id);
  g_free (claim->room_uuid);
  g_free (claim->room_name);
  g_free (claim->config);
  g_free (claim->region);
  g_free (claim->record_id);
  g_free (claim);
}

/* ---- a start ---- */

static void
requested_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "request room");

  if (rows != NULL)
    g_task_return_int (task, rh_sql_result_get_n_rows (rows) > 0);
}

void
rh_cloud_store_request_room_async (RhCloudStore *store, const char *app_id,
                                   const char *room_uuid, const char *region,
                                   const char *config, gboolean held, const char *record_id,
                                   GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_request_room_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, app_id);
  rh_sql_params_add_text (params, room_uuid);
  rh_sql_params_add_text (params, config);
  rh_sql_params_add_text (params, region);
  rh_sql_params_add_int (params, held ? 1 : 0);
  rh_sql_params_add_text (params, record_id);
  rh_cloud_store_query (
    task,
    "INSERT INTO rooms (app_id, room_uuid, room_name, room_type, created_ms, state, config, "
    "region, held, retries, record_id, pending_ms, stop_requested, epoch) "
    "VALUES ($1, $2, $2, 4, " NOW ", 'pending', $3, $4, $5, 0, $6, " NOW ", 0, 0) "
    "ON CONFLICT (app_id, room_uuid) DO UPDATE SET state = 'pending', config = excluded.config, "
    "region = excluded.region, held = excluded.held, retries = 0, "
    "record_id = excluded.record_id, pending_ms = excluded.pending_ms, stop_requested = 0, "
    "owner = NULL WHERE rooms.state IS NULL OR rooms.state = 'idle' RETURNING app_id",
    params, requested_cb);
}

gboolean
rh_cloud_store_request_room_finish (RhCloudStore *store, GAsyncResult *result,
                                    gboolean *requested, GError **error)
{
  GError *local_error = NULL;
  gssize done = rh_cloud_store_task_count (result, &local_error);

  if (local_error != NULL)
    {
      g_propagate_error (error, local_error);
      return FALSE;
    }
  *requested = done > 0;
  return TRUE;
}

/* ---- a claim ---- */

static void
claimed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "claim room");
  RhCloudClaim *claim;

  if (rows == NULL)
    return;
  if (rh_sql_result_get_n_rows (rows) == 0)
    {
      g_task_return_pointer (task, NULL, NULL);
      return;
    }
  claim = g_new0 (RhCloudClaim, 1);
  claim->app_id = g_strdup (rh_sql_result_get (rows, 0, 0));
  claim->room_uuid = g_strdup (rh_sql_result_get (rows, 0, 1));
  claim->room_name = g_strdup (rh_sql_result_get (rows, 0, 2));
  claim->room_type = (int) rh_sql_result_get_int (rows, 0, 3);
  claim->epoch = rh_sql_result_get_int (rows, 0, 4);
  claim->config = g_strdup (rh_sql_result_get (rows, 0, 5));
  claim->region = g_strdup (rh_sql_result_get (rows, 0, 6));
  claim->held = rh_sql_result_get_int (rows, 0, 7) != 0;
  claim->retries = (guint) MAX (rh_sql_result_get_int (rows, 0, 8), 0);
  claim->record_id = g_strdup (rh_sql_result_get (rows, 0, 9));
  g_task_return_pointer (task, claim, (GDestroyNotify) rh_cloud_claim_free);
}

void
rh_cloud_store_claim_room_async (RhCloudStore *store, const char *owner, gint64 ttl_ms,
                                 GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_claim_room_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();
  /* A retry's attempt is a record of its own: it gets a new id. */
  g_autofree char *record_id = rh_recording_record_id_new ();

  rh_sql_params_add_text (params, owner);
  rh_sql_params_add_int (params, ttl_ms);
  rh_sql_params_add_text (params, record_id);
  rh_cloud_store_query_on (task, store->sql,
    /* A room handed off by a worker that drains is taken as a pending one;
     * the attempt before, if any, ends (its record, its claim) as this
     * one begins. */
    "WITH picked AS (SELECT app_id, room_uuid FROM rooms WHERE state IN ('pending', 'handoff') "
    "  AND stop_requested = 0 ORDER BY pending_ms LIMIT 1 FOR UPDATE SKIP LOCKED), "
    "claimed AS (UPDATE rooms AS r SET state = 'active', owner = $1, epoch = r.epoch + 1, "
    "  lease_expires_ms = " NOW " + $2, "
    "  record_id = CASE WHEN r.epoch > 0 THEN $3 ELSE r.record_id END "
    "  FROM picked WHERE r.app_id = picked.app_id AND r.room_uuid = picked.room_uuid "
    "  RETURNING r.app_id, r.room_uuid, r.room_name, r.room_type, r.epoch, r.config, "
    "  r.region, r.held, r.retries, r.record_id), "
    "history AS (INSERT INTO room_claims (app_id, room_uuid, epoch, owner, claimed_ms) "
    "  SELECT app_id, room_uuid, epoch, $1, " NOW " FROM claimed), "
    "handed AS (UPDATE room_claims AS h SET ended_ms = " NOW ", how = 'handed-off' "
    "  FROM claimed AS c WHERE h.app_id = c.app_id AND h.room_uuid = c.room_uuid "
    "  AND h.epoch < c.epoch AND h.ended_ms IS NULL), "
    "before AS (UPDATE records AS b SET state = 2, end_ms = " NOW " FROM claimed AS c "
    "  WHERE b.app_id = c.app_id AND b.room_uuid = c.room_uuid AND b.epoch < c.epoch "
    "  AND b.state = 1) "
    "SELECT * FROM claimed",
    params, claimed_cb);
}

RhCloudClaim *
rh_cloud_store_claim_room_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- renewal ---- */

static void
renewed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "renew leases");
  GHashTable *held;

  if (rows == NULL)
    return;
  held = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  for (guint i = 0; i < rh_sql_result_get_n_rows (rows); i++)
    g_hash_table_insert (held,
                         g_strconcat (rh_sql_result_get (rows, i, 0), "/",
                                      rh_sql_result_get (rows, i, 1), NULL),
                         g_memdup2 (&(gint64) { rh_sql_result_get_int (rows, i, 2) },
                                    sizeof (gint64)));
  g_task_return_pointer (task, held, (GDestroyNotify) g_hash_table_unref);
}

void
rh_cloud_store_renew_leases_async (RhCloudStore *store, const char *owner,
                                   const char *const *rooms, gint64 ttl_ms,
                                   const char *base_url, guint capacity, guint active,
                                   gboolean draining, GAsyncReadyCallback callback,
                                   gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_renew_leases_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) keys = NULL;
  g_autofree char *keys_text = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; rooms != NULL && rooms[i] != NULL; i++)
    json_builder_add_string_value (builder, rooms[i]);
  json_builder_end_array (builder);
  keys = json_builder_get_root (builder);
  keys_text = json_to_string (keys, FALSE);
  rh_sql_params_add_text (params, owner);
  rh_sql_params_add_int (params, ttl_ms);
  rh_sql_params_add_text (params, base_url);
  rh_sql_params_add_int (params, capacity);
  rh_sql_params_add_int (params, active);
  rh_sql_params_add_int (params, draining ? 1 : 0);
  rh_sql_params_add_text (params, keys_text);
  rh_cloud_store_query_on (task, store->sql,
    "WITH renewed AS (UPDATE rooms SET lease_expires_ms = " NOW " + $2 "
    "  WHERE owner = $1 AND state IN ('active', 'handoff') "
    "  AND app_id || '/' || room_uuid IN (SELECT json_array_elements_text (CAST ($7 AS JSON))) "
    "  RETURNING app_id, room_uuid, epoch), "
    "beat AS (INSERT INTO workers (worker_id, base_url, capacity, active, draining, expires_ms) "
    "  VALUES ($1, $3, CAST ($4 AS INTEGER), CAST ($5 AS INTEGER), CAST ($6 AS INTEGER), "
    "  " NOW " + $2) ON CONFLICT (worker_id) DO UPDATE SET base_url = excluded.base_url, "
    "  capacity = excluded.capacity, active = excluded.active, draining = excluded.draining, "
    "  expires_ms = excluded.expires_ms) "
    "SELECT app_id, room_uuid, epoch FROM renewed",
    params, renewed_cb);
}

GHashTable *
rh_cloud_store_renew_leases_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* ---- the reaper ---- */

typedef struct
{
  RhSqlResult *rooms; /* app_id, room_uuid, epoch, retries, stop_requested, held, record_id */
  guint next;
} Reap;

static void
reap_free (Reap *reap)
{
  rh_sql_result_free (reap->rooms);
  g_free (reap);
}

static void reap_next (GTask *task);


/* The reason an expired attempt ends with. */
static int
reap_reason (const RhSqlResult *rooms, guint i)
{
  if (rh_sql_result_get_int (rooms, i, 4) != 0)
    return 2;
  return rh_sql_result_get_int (rooms, i, 3) > 2 ? 5 : 4;
}

static void
reap_event_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Reap *reap = g_task_get_task_data (task);
  GError *error = NULL;

  if (rh_cloud_store_add_event_finish (RH_CLOUD_STORE (source), result, &error) == 0)
    {
      g_task_return_error (task, error);
      return;
    }
  reap->next++;
  reap_next (g_steal_pointer (&task));
}

static void
reap_next (GTask *task)
{
  RhCloudStore *store = g_task_get_source_object (task);
  Reap *reap = g_task_get_task_data (task);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) data = NULL;
  guint i = reap->next;
  int reason;

  if (i >= rh_sql_result_get_n_rows (reap->rooms))
    {
      if (i > 0)
        rh_cloud_store_notify (store, "{\"op\":\"pending\"}");
      g_task_return_int (task, i);
      g_object_unref (task);
      return;
    }
  reason = reap_reason (reap->rooms, i);
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recordId");
  json_builder_add_string_value (builder, rh_sql_result_get (reap->rooms, i, 6));
  json_builder_set_member_name (builder, "state");
  json_builder_add_int_value (builder, reason == 4 ? 1 : 2);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_int_value (builder, reason);
  json_builder_set_member_name (builder, "reasonText");
  json_builder_add_string_value (builder,
                                 reason == 4 ? "the worker recording it stopped answering: "
                                               "retrying on another"
                                 : reason == 5 ? "the worker recording it stopped answering, "
                                                 "after the last retry"
                                               : "stopped: the worker recording it had gone");
  json_builder_set_member_name (builder, "onHold");
  json_builder_add_boolean_value (builder, rh_sql_result_get_int (reap->rooms, i, 5) != 0);
  json_builder_set_member_name (builder, "ts");
  json_builder_add_int_value (builder, g_get_real_time () / 1000);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);
  rh_cloud_store_add_event_async (store, rh_sql_result_get (reap->rooms, i, 0),
                                  rh_sql_result_get (reap->rooms, i, 1), 1001, data,
                                  reap_event_cb, task);
}

static void
expired_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  Reap *reap = g_task_get_task_data (task);

  reap->rooms = rh_cloud_store_query_finish (task, result, "reap leases");
  if (reap->rooms != NULL)
    reap_next (g_steal_pointer (&task));
}

/* Leases are not reaped in the first TTL after PostgreSQL started: the
 * workers' renewals had no server to reach meanwhile. */
void
rh_cloud_store_reap_async (RhCloudStore *store, gint64 ttl_ms, GAsyncReadyCallback callback,
                           gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_reap_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  g_task_set_task_data (task, g_new0 (Reap, 1), (GDestroyNotify) reap_free);
  rh_sql_params_add_int (params, ttl_ms);
  rh_cloud_store_query_on (task, store->sql,
    "WITH lock AS (SELECT pg_try_advisory_xact_lock (" REAPER_LOCK ") AS got), "
    "expired AS (UPDATE rooms SET state = CASE WHEN stop_requested = 1 OR retries >= 2 "
    "  THEN 'idle' ELSE 'pending' END, owner = NULL, retries = retries + 1, "
    "  pending_ms = " NOW ", lease_expires_ms = NULL "
    "  WHERE state IN ('active', 'handoff') AND lease_expires_ms < " NOW " "
    "  AND (SELECT got FROM lock) "
    "  AND " NOW " - CAST (EXTRACT (EPOCH FROM pg_postmaster_start_time ()) * 1000 AS BIGINT) "
    "  > $1 "
    "  RETURNING app_id, room_uuid, epoch, retries, stop_requested, held, record_id), "
    "ended AS (UPDATE room_claims AS c SET ended_ms = " NOW ", how = 'expired' FROM expired AS e "
    "  WHERE c.app_id = e.app_id AND c.room_uuid = e.room_uuid AND c.epoch = e.epoch "
    "  AND c.ended_ms IS NULL), "
    /* The attempt's record ends with the reason its event gives (reap_reason). */
    "records_ended AS (UPDATE records AS r SET state = 2, end_ms = " NOW ", "
    "  reason = CASE WHEN e.stop_requested = 1 THEN 2 WHEN e.retries > 2 THEN 5 ELSE 4 END "
    "  FROM expired AS e WHERE r.app_id = e.app_id AND r.room_uuid = e.room_uuid "
    "  AND r.epoch = e.epoch AND r.state = 1) "
    "SELECT app_id, room_uuid, epoch, retries, stop_requested, held, record_id FROM expired",
    params, expired_cb);
}

guint
rh_cloud_store_reap_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return (guint) rh_cloud_store_task_count (result, error);
}

/* ---- the end of a claim ---- */

static void
claim_ended_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "end claim");

  if (rows != NULL)
    g_task_return_boolean (task, TRUE);
}

void
rh_cloud_store_end_claim_async (RhCloudStore *store, const char *app_id, const char *room_uuid,
                                const char *owner, gint64 epoch, const char *how,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_end_claim_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, app_id);
  rh_sql_params_add_text (params, room_uuid);
  rh_sql_params_add_text (params, owner);
  rh_sql_params_add_int (params, epoch);
  rh_sql_params_add_text (params, how);
  rh_cloud_store_query_on (task, store->sql,
    "WITH ended AS (UPDATE rooms SET state = 'idle', owner = NULL, lease_expires_ms = NULL "
    "  WHERE app_id = $1 AND room_uuid = $2 AND owner = $3 AND epoch = $4 "
    "  RETURNING app_id, room_uuid, epoch) "
    "UPDATE room_claims AS c SET ended_ms = " NOW ", how = $5 FROM ended AS e "
    "WHERE c.app_id = e.app_id AND c.room_uuid = e.room_uuid AND c.epoch = e.epoch "
    "AND c.ended_ms IS NULL",
    params, claim_ended_cb);
}

gboolean
rh_cloud_store_end_claim_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* ---- draining ---- */

static void
handed_off_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "hand off rooms");

  if (rows == NULL)
    return;
  if (rh_sql_result_get_n_rows (rows) > 0)
    rh_cloud_store_notify (g_task_get_source_object (task), "{\"op\":\"pending\"}");
  g_task_return_int (task, rh_sql_result_get_n_rows (rows));
}

/* @owner's rooms offered to the other workers, which take them as pending
 * ones while @owner goes on recording them until told. */
void
rh_cloud_store_hand_off_async (RhCloudStore *store, const char *owner,
                               GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_hand_off_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, owner);
  rh_cloud_store_query_on (task, store->sql,
                        "UPDATE rooms SET state = 'handoff', pending_ms = " NOW " "
                        "WHERE owner = $1 AND state = 'active' RETURNING app_id, room_uuid",
                        params, handed_off_cb);
}

guint
rh_cloud_store_hand_off_finish (RhCloudStore *store, GAsyncResult *result, GError **error)
{
  return (guint) rh_cloud_store_task_count (result, error);
}

/* ---- leases of a worker that died ---- */

static void
expired_cb_leases (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  g_autoptr (RhSqlResult) rows = rh_cloud_store_query_finish (task, result, "expire leases");

  if (rows != NULL)
    g_task_return_int (task, (gssize) rh_sql_result_get_changes (rows));
}

/* Every lease @owner's name holds ends now (a worker started again under
 * the name of one that died: the rooms are not its), for the reaper to run
 * them again.  _finish gives how many. */
void
rh_cloud_store_expire_leases_async (RhCloudStore *store, const char *owner,
                                    GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = rh_cloud_store_task_new (store, rh_cloud_store_expire_leases_async, callback,
                                         user_data);
  g_autoptr (RhSqlParams) params = rh_sql_params_new ();

  rh_sql_params_add_text (params, owner);
  rh_cloud_store_query_on (task, store->sql,
                           "UPDATE rooms SET lease_expires_ms = 0 WHERE owner = $1 "
                           "AND state IN ('active', 'handoff')",
                           params, expired_cb_leases);
}

guint
rh_cloud_store_expire_leases_finish (RhCloudStore *store, GAsyncResult *result,
                                     GError **error)
{
  return (guint) rh_cloud_store_task_count (result, error);
}
