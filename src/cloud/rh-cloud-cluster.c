/* A cloud as one worker of several sharing a PostgreSQL store: it renews
 * its leases and heartbeat every TTL/3, reaps expired leases, claims
 * pending rooms while it has room, and acts on what other workers tell its
 * rooms (a release, a stop) through NOTIFY.  A worker that cannot renew
 * stops its rooms before their leases run out. */
#include "rh-cloud-private.h"

#include <string.h>

#include "rh-error.h"
#include "rh-json.h"
#include "rh-text.h"

/* While the store cannot be reached, renewals are tried this often. */
#define RETRY_MS 1000
/* Rooms are stopped when no renewal was taken for this share of the TTL:
 * before another worker may take them. */
#define GIVE_UP_SHARE 0.8

gboolean
rh_cloud_is_clustered (RhCloud *self)
{
  return self->worker_id != NULL;
}

/* Rooms recording here or being started. */
guint
rh_cloud_taken_count (RhCloud *self)
{
  return g_hash_table_size (self->recordings) + g_hash_table_size (self->starting);
}

static void schedule_renewal (RhCloud *self, guint delay_ms);

/* Each room is stopped without a word more to the store. */
static void
lose_all (RhCloud *self, const char *why)
{
  g_autoptr (GList) recordings = g_hash_table_get_values (self->recordings);

  if (recordings != NULL)
    g_warning ("cloud: %s: stopping this worker's %u room(s) before their leases run out", why,
               g_list_length (recordings));
  for (GList *l = recordings; l != NULL; l = l->next)
    rh_cloud_recording_lose (l->data);
}

static gboolean
give_up_cb (gpointer user_data)
{
  RhCloud *self = user_data;

  self->give_up_source = 0;
  lose_all (self, "no lease renewed");
  return G_SOURCE_REMOVE;
}

/* By the clock, not by a renewal's failure: one that hangs (a network
 * dropping every packet) fails only at its query's deadline, past the
 * lease. */
static void
arm_give_up (RhCloud *self)
{
  gint64 since_ms = (g_get_monotonic_time () - self->renewed_us) / 1000;

  g_clear_handle_id (&self->give_up_source, g_source_remove);
  self->give_up_source = g_timeout_add (
    (guint) MAX (GIVE_UP_SHARE * self->lease_ttl_ms - since_ms, 0), give_up_cb, self);
}

static void
claimed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCloud) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhCloudClaim) claim = rh_cloud_store_claim_room_finish (RH_CLOUD_STORE (source),
                                                                      result, &error);

  self->claiming = FALSE;
  if (self->worker_id == NULL)
    return;
  if (claim == NULL)
    {
      if (error != NULL)
        g_debug ("cloud: claim: %s", error->message);
      return;
    }
  rh_cloud_metrics_room_claimed (self->metrics, RH_CLOUD_METRICS_CLAIMED);
  rh_cloud_cluster_run_claim (self, g_steal_pointer (&claim));
  /* Another may be waiting. */
  rh_cloud_cluster_claim (self);
}

/* Claims the oldest pending room if this worker has room for it. */
void
rh_cloud_cluster_claim (RhCloud *self)
{
  if (self->worker_id == NULL || self->claiming || self->draining || !self->store_reachable
      || rh_cloud_taken_count (self) >= self->max_rooms)
    return;
  self->claiming = TRUE;
  rh_cloud_store_claim_room_async (self->store, self->worker_id, self->lease_ttl_ms, claimed_cb,
                                   g_object_ref (self));
}

static void
counted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCloud) self = user_data;

  rh_cloud_store_count_cluster_finish (RH_CLOUD_STORE (source), result, &self->cluster, NULL);
}

static void
reaped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCloud) self = user_data;
  g_autoptr (GError) error = NULL;
  guint reaped = rh_cloud_store_reap_finish (RH_CLOUD_STORE (source), result, &error);

  if (error != NULL)
    g_debug ("cloud: reaping leases: %s", error->message);
  else if (reaped > 0)
    {
      g_message ("cloud: %u room(s) of a worker that stopped answering are pending again",
                 reaped);
      for (guint i = 0; i < reaped; i++)
        rh_cloud_metrics_lease_expired (self->metrics);
    }
}

static void
expired_lease_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  guint expired = rh_cloud_store_expire_leases_finish (RH_CLOUD_STORE (source), result, &error);

  if (error != NULL)
    g_debug ("cloud: %s", error->message);
  else if (expired > 0)
    g_message ("cloud: %u room(s) this worker's name held, of a worker that died, go back to "
               "the cluster", expired);
}

static void
renewed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCloud) self = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GHashTable) held = rh_cloud_store_renew_leases_finish (RH_CLOUD_STORE (source),
                                                                    result, &error);
  g_autoptr (GList) keys = NULL;

  if (self->worker_id == NULL)
    return;
  /* The rooms stop by the give-up timer (arm_give_up), failed or hung. */
  if (held == NULL)
    {
      if (self->store_reachable)
        g_warning ("cloud: the store cannot be reached: %s", error->message);
      self->store_reachable = FALSE;
      rh_cloud_metrics_set_store_up (self->metrics, FALSE);
      schedule_renewal (self, RETRY_MS);
      return;
    }
  if (!self->store_reachable)
    g_message ("cloud: the store is reachable again");
  self->store_reachable = TRUE;
  rh_cloud_metrics_set_store_up (self->metrics, TRUE);
  /* The lease runs from when the renewal was asked, not answered. */
  self->renewed_us = self->renewal_asked_us;
  arm_give_up (self);
  /* A room of this worker's the store no longer gives it was taken over. */
  keys = g_hash_table_get_keys (self->recordings);
  for (GList *l = keys; l != NULL; l = l->next)
    {
      RhCloudRecording *recording = g_hash_table_lookup (self->recordings, l->data);
      gint64 *epoch = g_hash_table_lookup (held, l->data);

      /* One handed off goes on until its new owner records. */
      if (g_hash_table_contains (self->handing_off, l->data))
        continue;
      if (epoch == NULL || *epoch != rh_cloud_recording_get_epoch (recording))
        {
          rh_cloud_metrics_room_claimed (self->metrics, RH_CLOUD_METRICS_CLAIM_LOST);
          rh_cloud_recording_lose (recording);
        }
    }
  rh_cloud_store_reap_async (self->store, self->lease_ttl_ms, reaped_cb, g_object_ref (self));
  rh_cloud_store_count_cluster_async (self->store, counted_cb, g_object_ref (self));
  rh_cloud_cluster_claim (self);
  schedule_renewal (self, self->lease_ttl_ms / 3);
}

static gboolean
renew_cb (gpointer user_data)
{
  RhCloud *self = user_data;
  g_autoptr (GPtrArray) rooms = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  self->lease_source = 0;
  /* Only the rooms run here: one stopped while the store was away is
   * left to expire, and to be run again elsewhere. */
  g_hash_table_iter_init (&iter, self->recordings);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (rooms, key);
  g_hash_table_iter_init (&iter, self->starting);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (rooms, key);
  g_ptr_array_add (rooms, NULL);
  self->renewal_asked_us = g_get_monotonic_time ();
  rh_cloud_store_renew_leases_async (self->store, self->worker_id,
                                     (const char *const *) rooms->pdata, self->lease_ttl_ms,
                                     self->base_url, self->max_rooms,
                                     g_hash_table_size (self->recordings), self->draining,
                                     renewed_cb, g_object_ref (self));
  return G_SOURCE_REMOVE;
}

static void
schedule_renewal (RhCloud *self, guint delay_ms)
{
  g_clear_handle_id (&self->lease_source, g_source_remove);
  self->lease_source = g_timeout_add (delay_ms, renew_cb, self);
}

/* {"op": "pending" | "release" | "stop", "appId": ..., "roomUuid": ...} */
static void
notification_cb (RhSqlConnection *connection, const char *channel, const char *payload,
                 gpointer user_data)
{
  RhCloud *self = user_data;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *key = NULL;
  JsonObject *object;
  const char *op;
  RhCloudRecording *recording;

  if (g_strcmp0 (channel, RH_CLOUD_STORE_CHANNEL) != 0
      || !rh_json_parser_load (parser, payload, -1, 8192, 4, NULL)
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    return;
  object = json_node_get_object (json_parser_get_root (parser));
  op = json_object_get_string_member_with_default (object, "op", "");
  if (g_str_equal (op, "pending"))
    {
      rh_cloud_cluster_claim (self);
      return;
    }
  key = g_strconcat (json_object_get_string_member_with_default (object, "appId", ""), "/",
                     json_object_get_string_member_with_default (object, "roomUuid", ""),
                     NULL);
  recording = g_hash_table_lookup (self->recordings, key);
  if (recording == NULL)
    return;
  /* Made before broken: the new owner records, this one stops. */
  if (g_str_equal (op, "recording") && g_hash_table_remove (self->handing_off, key))
    {
      g_message ("cloud: a room handed off records on another worker: stopping it here");
      rh_cloud_recording_lose (recording);
    }
  else if (g_str_equal (op, "ready"))
    {
      /* A ready call of this worker's room answered by another. */
      const char *app_id, *room_uuid;

      rh_cloud_recording_get_room (recording, &app_id, &room_uuid);
      self->ready_count++;
      g_signal_emit_by_name (self, "ready-received", app_id, room_uuid);
    }
  else if (g_str_equal (op, "release"))
    rh_cloud_recording_release_async (recording, NULL, NULL);
  else if (g_str_equal (op, "stop"))
    rh_cloud_recording_stop_async (recording, NULL, NULL);
}

static void
listened_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhSqlResult) rows = rh_sql_connection_query_finish (RH_SQL_CONNECTION (source),
                                                                 result, &error);

  if (rows == NULL)
    g_warning ("cloud: LISTEN: %s", error->message);
}

/* Takes part in the cluster of the cloud's PostgreSQL store as
 * @worker_id, holding leases for @lease_ttl_s; after rh_cloud_listen ()
 * (its base URL goes into the heartbeat). */
gboolean
rh_cloud_join_cluster (RhCloud *cloud, const char *worker_id, guint lease_ttl_s,
                       GError **error)
{
  RhSqlConnection *sql = rh_cloud_store_get_connection (cloud->store);

  if (rh_sql_connection_get_dialect (sql) != RH_SQL_DIALECT_POSTGRESQL)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "workers share a PostgreSQL store only (--store postgresql://...)");
      return FALSE;
    }
  g_return_val_if_fail (cloud->worker_id == NULL, FALSE);
  cloud->worker_id = g_strdup (worker_id);
  cloud->lease_ttl_ms = (gint64) lease_ttl_s * 1000;
  cloud->store_reachable = TRUE;
  cloud->renewed_us = g_get_monotonic_time ();
  arm_give_up (cloud);
  /* Rooms left under this name by a worker that died and is started again
   * as this one are not this one's: their leases end now, for the reaper. */
  rh_cloud_store_expire_leases_async (cloud->store, worker_id, expired_lease_cb, NULL);
  cloud->notification_handler = g_signal_connect (sql, "notification",
                                                  G_CALLBACK (notification_cb), cloud);
  rh_sql_connection_query_async (sql, "LISTEN " RH_CLOUD_STORE_CHANNEL, NULL, NULL, listened_cb,
                                 NULL);
  renew_cb (cloud);
  return TRUE;
}

const char *
rh_cloud_get_worker_id (RhCloud *cloud)
{
  return cloud->worker_id;
}

static void
handed_off_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCloud) self = user_data;
  g_autoptr (GError) error = NULL;
  guint handed = rh_cloud_store_hand_off_finish (RH_CLOUD_STORE (source), result, &error);

  if (error != NULL)
    g_warning ("cloud: draining: %s", error->message);
  else
    g_message ("cloud: draining: %u room(s) offered to the other workers", handed);
}

/* Claims no more rooms, and offers this worker's to the others, each
 * recorded here until its new owner records it (make before break).  The
 * caller waits for rh_cloud_is_settled () or its own deadline, then calls
 * rh_cloud_leave (). */
void
rh_cloud_drain (RhCloud *cloud)
{
  g_autoptr (GList) keys = NULL;

  if (cloud->worker_id == NULL || cloud->draining)
    return;
  cloud->draining = TRUE;
  keys = g_hash_table_get_keys (cloud->recordings);
  for (GList *l = keys; l != NULL; l = l->next)
    g_hash_table_add (cloud->handing_off, g_strdup (l->data));
  /* The heartbeat says so at once: the cluster's capacity leaves with it. */
  renew_cb (cloud);
  rh_cloud_store_hand_off_async (cloud->store, cloud->worker_id, handed_off_cb,
                                 g_object_ref (cloud));
}

/* The rooms still here are left to the cluster as they are: the others
 * take those handed off, and the reaper those whose lease runs out. */
void
rh_cloud_leave (RhCloud *cloud)
{
  lose_all (cloud, "leaving");
}

/* Leaves the cluster: no more renewals or claims (dispose). */
void
rh_cloud_cluster_stop (RhCloud *self)
{
  g_clear_handle_id (&self->lease_source, g_source_remove);
  g_clear_handle_id (&self->give_up_source, g_source_remove);
  if (self->notification_handler != 0)
    g_clear_signal_handler (&self->notification_handler,
                            rh_cloud_store_get_connection (self->store));
  g_clear_pointer (&self->worker_id, g_free);
}
