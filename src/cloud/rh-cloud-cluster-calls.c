/* The API and the rooms of a worker of several sharing a PostgreSQL store:
 * a start stores the room pending for whichever worker claims it; a
 * release or stop of a room another worker records is kept in the store
 * for it and told it by NOTIFY; a claimed room is run here; a room's end
 * gives its claim back. */
#include "rh-cloud-private.h"

#include <string.h>

#include "rh-error.h"
#include "rh-recording-policy.h"
#include "rh-text.h"

/* Seconds a start refused for the cluster being full waits. */
#define FULL_RETRY_AFTER "10"

static JsonNode *
room_data (const char *record_id, int state, gboolean held)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recordId");
  json_builder_add_string_value (builder, record_id != NULL ? record_id : "");
  json_builder_set_member_name (builder, "state");
  json_builder_add_int_value (builder, state);
  json_builder_set_member_name (builder, "onHold");
  json_builder_add_boolean_value (builder, held);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* What other workers are told: JSON, so that any room uuid passes. */
void
rh_cloud_cluster_notify_room (RhCloud *self, const char *op, const char *app_id,
                              const char *room_uuid)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) node = NULL;
  g_autofree char *payload = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, op);
  json_builder_set_member_name (builder, "appId");
  json_builder_add_string_value (builder, app_id);
  json_builder_set_member_name (builder, "roomUuid");
  json_builder_add_string_value (builder, room_uuid);
  json_builder_end_object (builder);
  node = json_builder_get_root (builder);
  payload = json_to_string (node, FALSE);
  rh_cloud_store_notify (self->store, payload);
}

/* ---- a start ---- */

typedef struct
{
  RhRecordRequest *request;
  char *config; /* the start's body */
  char *record_id;
} ClusterStart;

static void
cluster_start_free (gpointer data)
{
  ClusterStart *start = data;

  rh_record_request_free (start->request);
  g_free (start->config);
  g_free (start->record_id);
  g_free (start);
}

static void
requested_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  ClusterStart *start = call->data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = NULL;
  gboolean requested = FALSE;

  if (!rh_cloud_store_request_room_finish (RH_CLOUD_STORE (source), result, &requested,
                                           &error))
    rh_cloud_reply_store_error (call->msg, error);
  else if (!requested)
    rh_api_reply_error (call->msg, RH_CLOUD_CODE_RECORD_RUNNING, "record running");
  else
    {
      g_autofree char *room_text = rh_text_printable (call->path->room_uuid);

      g_message ("cloud: room %s, record %s: pending", room_text, start->record_id);
      rh_cloud_store_notify (call->cloud->store, "{\"op\":\"pending\"}");
      data = room_data (start->record_id, 1, start->request->on_hold);
      rh_api_reply_ok (call->msg, data);
    }
  rh_cloud_call_done (call);
}

static void
counted_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  RhCloud *self = call->cloud;
  ClusterStart *start = call->data;
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;

  if (!rh_cloud_store_count_cluster_finish (self->store, result, &self->cluster, &error))
    {
      rh_cloud_reply_store_error (call->msg, error);
      rh_cloud_call_done (call);
      return;
    }
  /* Refused only when no live worker has room. */
  if (self->cluster.active + self->cluster.pending >= self->cluster.capacity)
    {
      text = g_strdup_printf ("at capacity: %u of %u rooms of %u worker(s) taken",
                              self->cluster.active + self->cluster.pending,
                              self->cluster.capacity, self->cluster.workers);
      soup_message_headers_replace (soup_server_message_get_response_headers (call->msg),
                                    "Retry-After", FULL_RETRY_AFTER);
      rh_cloud_metrics_rejected_at_capacity (self->metrics);
      rh_api_reply_error (call->msg, RH_CLOUD_CODE_AT_CAPACITY, text);
      rh_cloud_call_done (call);
      return;
    }
  rh_cloud_store_request_room_async (self->store, call->path->app_id, call->path->room_uuid,
                                     call->path->region, start->config, start->request->on_hold,
                                     start->record_id, requested_cb, call);
}

/* Takes @request, checked, and @config, its body. */
void
rh_cloud_handle_cluster_start (RhCloudCall *call, RhRecordRequest *request, char *config)
{
  ClusterStart *start = g_new0 (ClusterStart, 1);

  start->request = request;
  start->config = config;
  start->record_id = rh_recording_record_id_new ();
  call->data = start;
  call->data_free = cluster_start_free;
  rh_cloud_store_count_cluster_async (call->cloud->store, counted_cb, call);
}

/* ---- a change through a worker other than the owner ---- */

static void
changed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  RhCloudChange change = GPOINTER_TO_INT (call->data);
  g_autoptr (GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *record_id = NULL;
  g_autoptr (JsonNode) data = NULL;
  gboolean held = FALSE;

  if (!rh_cloud_store_change_room_finish (RH_CLOUD_STORE (source), result, &state, &record_id,
                                          &held, &error))
    rh_cloud_reply_store_error (call->msg, error);
  else if (g_str_equal (state, "idle"))
    rh_api_reply_error (call->msg, RH_CLOUD_CODE_RECORD_NOT_STARTED, "record not started");
  else if (change == RH_CLOUD_CHANGE_READY)
    {
      /* Answered as the owner answers it; the owner hears of it. */
      if (!g_str_equal (state, "pending"))
        rh_cloud_cluster_notify_room (call->cloud, "ready", call->path->app_id,
                                      call->path->room_uuid);
      rh_api_reply_ok (call->msg, NULL);
    }
  else if (change == RH_CLOUD_CHANGE_HOLD && !held)
    rh_api_reply_error (call->msg, RH_API_CODE_BAD_REQUEST,
                        "a running recording cannot be put on hold again");
  else
    {
      /* The owner acts on it at once; one that died meanwhile leaves it
       * to the next claim, which reads it from the room. */
      gboolean owned = !g_str_equal (state, "pending");

      if (owned && change == RH_CLOUD_CHANGE_STOP)
        rh_cloud_cluster_notify_room (call->cloud, "stop", call->path->app_id,
                                      call->path->room_uuid);
      else if (owned && change == RH_CLOUD_CHANGE_RELEASE)
        rh_cloud_cluster_notify_room (call->cloud, "release", call->path->app_id,
                                      call->path->room_uuid);
      data = room_data (record_id, change == RH_CLOUD_CHANGE_STOP ? 2 : 1, held);
      rh_api_reply_ok (call->msg, data);
    }
  rh_cloud_call_done (call);
}

void
rh_cloud_handle_cluster_change (RhCloud *self, SoupServerMessage *msg, RhCloudChange change)
{
  RhCloudCall *call = rh_cloud_call_new (self, msg, NULL);

  call->data = GINT_TO_POINTER (change);
  rh_cloud_store_change_room_async (self->store, call->path->app_id, call->path->room_uuid,
                                    change, changed_cb, call);
}

/* ---- a claimed room, run here ---- */

typedef struct
{
  RhCloud *cloud;
  RhCloudClaim *claim;
  char *key;
} Run;

static void
run_free (Run *run)
{
  g_object_unref (run->cloud);
  rh_cloud_claim_free (run->claim);
  g_free (run->key);
  g_free (run);
}

static void
claim_given_back_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCloud) self = user_data;
  g_autoptr (GError) error = NULL;

  self->giving_back--;
  if (!rh_cloud_store_end_claim_finish (RH_CLOUD_STORE (source), result, &error))
    g_warning ("cloud: %s", error->message);
  /* Room for one more. */
  rh_cloud_cluster_claim (self);
}

static void
claim_started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Run *run = user_data;
  RhCloud *self = run->cloud;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhCloudRecording) recording = rh_cloud_recording_start_finish (result, &error);

  g_hash_table_remove (self->starting, run->key);
  if (recording == NULL)
    {
      g_autofree char *room_text = rh_text_printable (run->claim->room_uuid);

      g_warning ("cloud: room %s: cannot run it here: %s", room_text, error->message);
      self->giving_back++;
      rh_cloud_store_end_claim_async (self->store, run->claim->app_id, run->claim->room_uuid,
                                      self->worker_id, run->claim->epoch, "failed",
                                      claim_given_back_cb, g_object_ref (self));
    }
  else
    rh_cloud_add_recording (self, run->key, recording);
  run_free (run);
}

/* Takes @claim: its room recorded here, its attempts going on from those
 * made on workers that died, its record the start's (a retry's its own). */
void
rh_cloud_cluster_run_claim (RhCloud *self, RhCloudClaim *claim)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhRecordRequest) request = rh_record_request_parse (claim->config,
                                                                 strlen (claim->config),
                                                                 &error);
  RhCloudRoom room = { 0 };
  Run *run;

  if (request == NULL)
    {
      g_warning ("cloud: a claimed room's start cannot be read: %s", error->message);
      self->giving_back++;
      rh_cloud_store_end_claim_async (self->store, claim->app_id, claim->room_uuid,
                                      self->worker_id, claim->epoch, "failed",
                                      claim_given_back_cb, g_object_ref (self));
      rh_cloud_claim_free (claim);
      return;
    }
  /* A release asked before this claim is in the room. */
  request->on_hold = claim->held;
  rh_cloud_room_init (self, &room, request);
  room.region = claim->region;
  room.app_id = claim->app_id;
  room.room_uuid = claim->room_uuid;
  room.room_name = claim->room_name;
  room.room_type = claim->room_type;
  room.owner = self->worker_id;
  room.epoch = claim->epoch;
  room.first_attempt = claim->retries + 1;
  room.record_id = claim->record_id;
  run = g_new0 (Run, 1);
  run->cloud = g_object_ref (self);
  run->claim = claim;
  run->key = g_strconcat (claim->app_id, "/", claim->room_uuid, NULL);
  g_hash_table_add (self->starting, g_strdup (run->key));
  rh_cloud_recording_start_async (self->store, &room, request, claim->config, claim_started_cb,
                                  run);
}

/* A room of this worker's ended: stopped, given up, or lost to another
 * worker (whose claim it is now: nothing to give back). */
void
rh_cloud_cluster_recording_finished (RhCloud *self, RhCloudRecording *recording)
{
  const char *app_id, *room_uuid;
  g_autofree char *key = NULL;

  rh_cloud_recording_get_room (recording, &app_id, &room_uuid);
  key = g_strconcat (app_id, "/", room_uuid, NULL);
  g_hash_table_remove (self->handing_off, key);
  if (rh_cloud_recording_is_lost (recording))
    {
      rh_cloud_cluster_claim (self);
      return;
    }
  self->giving_back++;
  rh_cloud_store_end_claim_async (self->store, app_id, room_uuid, self->worker_id,
                                  rh_cloud_recording_get_epoch (recording),
                                  rh_cloud_recording_get_reason (recording) == 2 ? "stopped"
                                                                                 : "finished",
                                  claim_given_back_cb, g_object_ref (self));
}
