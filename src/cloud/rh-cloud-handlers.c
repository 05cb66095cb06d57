/* The local cloud's recording API that changes things: a room, its
 * recording's start, update and stop, the ready call; and the health
 * answer.  Each call that goes to the store is answered when it has. */
#include "rh-cloud-private.h"

#include <string.h>

#include "rh-cloud-recording.h"
#include "rh-error.h"
#include "rh-json.h"
#include "rh-page-host.h"
#include "rh-page-options.h"
#include "rh-record-request.h"
#include "rh-recording-file.h"
#include "rh-text.h"


/* What failed on this side goes to the log; the client learns no more than
 * that it failed: no SQL text, no paths. */
void
rh_cloud_reply_store_error (SoupServerMessage *msg, const GError *error)
{
  g_autofree char *path = rh_text_printable (g_uri_get_path (soup_server_message_get_uri (msg)));

  g_warning ("cloud: %s %s: %s", soup_server_message_get_method (msg), path, error->message);
  if (g_error_matches (error, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", RH_CLOUD_STORE_RETRY_AFTER);
      rh_api_reply_error (msg, RH_CLOUD_CODE_AT_CAPACITY,
                          "the store cannot be reached: try again later");
      return;
    }
  rh_api_reply_error (msg, RH_API_CODE_INTERNAL, "internal error: see the cloud's log");
}

RhCloudCall *
rh_cloud_call_new (RhCloud *cloud, SoupServerMessage *msg, GHashTable *query)
{
  RhCloudCall *call = g_new0 (RhCloudCall, 1);

  call->cloud = g_object_ref (cloud);
  call->msg = g_object_ref (msg);
  call->path = rh_api_path_parse (g_uri_get_path (soup_server_message_get_uri (msg)));
  call->query = query != NULL ? g_hash_table_ref (query) : NULL;
  soup_server_message_pause (msg);
  return call;
}

/* The answer is set: sends it. */
void
rh_cloud_call_done (RhCloudCall *call)
{
  soup_server_message_unpause (call->msg);
  if (call->data_free != NULL)
    call->data_free (call->data);
  g_clear_pointer (&call->query, g_hash_table_unref);
  rh_api_path_free (call->path);
  g_object_unref (call->msg);
  g_object_unref (call->cloud);
  g_free (call);
}

static char *
recording_key (const RhApiPath *path)
{
  return g_strconcat (path->app_id, "/", path->room_uuid, NULL);
}

static RhCloudRecording *
active_recording (RhCloud *self, const RhApiPath *path)
{
  g_autofree char *key = recording_key (path);

  return g_hash_table_lookup (self->recordings, key);
}

static JsonNode *
record_data (RhCloudRecording *recording, int state)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recordId");
  json_builder_add_string_value (builder, rh_cloud_recording_get_record_id (recording));
  json_builder_set_member_name (builder, "state");
  json_builder_add_int_value (builder, state);
  json_builder_set_member_name (builder, "onHold");
  json_builder_add_boolean_value (builder, rh_cloud_recording_is_held (recording));
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* The ready call heard: its envelope code, 0 when a recording waits for it. */
static gint64
ready_heard (RhCloud *self, const RhApiPath *path)
{
  self->ready_count++;
  g_signal_emit_by_name (self, "ready-received", path->app_id, path->room_uuid);
  return active_recording (self, path) != NULL ? 0 : RH_CLOUD_CODE_RECORD_NOT_STARTED;
}

void
rh_cloud_handle_ready (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  gint64 code = ready_heard (self, path);

  if (code != 0 && rh_cloud_is_clustered (self))
    {
      /* Another worker's room, perhaps: the store knows. */
      rh_cloud_handle_cluster_change (self, msg, RH_CLOUD_CHANGE_READY);
      return;
    }
  if (code != 0)
    {
      rh_api_reply_error (msg, RH_CLOUD_CODE_RECORD_NOT_STARTED, "record not started");
      return;
    }
  rh_api_reply_ok (msg, NULL);
}

/* The ready call of a room of this cloud, answered in this process as the
 * HTTP handler above answers it (RhReadyCallAnswer): a page that got ready
 * is not kept waiting on the main loop for a loopback round trip. */
GBytes *
rh_cloud_answer_ready (GObject *cloud, const char *uri, guint *status)
{
  RhCloud *self = RH_CLOUD (cloud);
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_ENCODED, NULL);
  g_autoptr (RhApiPath) path = parsed != NULL ? rh_api_path_parse (g_uri_get_path (parsed))
                                              : NULL;
  gint64 code;
  char *body;

  if (path == NULL || path->kind != RH_API_PATH_ROOM
      || !g_str_equal (path->rest, RH_API_PATH_READY))
    {
      *status = SOUP_STATUS_NOT_FOUND;
      body = rh_api_envelope_new (RH_API_CODE_NOT_FOUND, "not found", NULL);
      return g_bytes_new_take (body, strlen (body));
    }
  code = ready_heard (self, path);
  *status = code == 0 ? SOUP_STATUS_OK : rh_api_error_status (code);
  body = rh_api_envelope_new (code, code == 0 ? "Success" : "record not started", NULL);
  return g_bytes_new_take (body, strlen (body));
}

static void
room_created_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  g_autoptr (GError) error = NULL;
  gboolean created = FALSE;

  if (!rh_cloud_store_put_room_finish (RH_CLOUD_STORE (source), result, &created, &error))
    rh_cloud_reply_store_error (call->msg, error);
  else if (!created)
    rh_api_reply_error (call->msg, RH_CLOUD_CODE_CONFLICT, "room already exists");
  else
    rh_api_reply_ok (call->msg, NULL);
  rh_cloud_call_done (call);
}

void
rh_cloud_handle_create_room (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (GBytes) body = rh_api_request_body (msg);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object = NULL;
  const char *room_name = path->room_uuid;
  gint64 room_type = 4;

  if (g_bytes_get_size (body) > 0)
    {
      if (!rh_json_parser_load (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                RH_API_MAX_BODY, RH_JSON_MAX_DEPTH, &error)
          || json_parser_get_root (parser) == NULL
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST, "the body is not a JSON object");
          return;
        }
      object = json_node_get_object (json_parser_get_root (parser));
    }
  if (object != NULL && json_object_has_member (object, "roomName"))
    {
      JsonNode *node = json_object_get_member (object, "roomName");

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST, "roomName must be a string");
          return;
        }
      room_name = json_node_get_string (node);
    }
  if (object != NULL && json_object_has_member (object, "roomType"))
    {
      JsonNode *node = json_object_get_member (object, "roomType");

      room_type = JSON_NODE_HOLDS_VALUE (node)
                      && json_node_get_value_type (node) == G_TYPE_INT64
                    ? json_node_get_int (node) : -1;
      if (room_type != 0 && room_type != 2 && room_type != 4)
        {
          rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST, "roomType must be 0, 2 or 4");
          return;
        }
    }
  rh_cloud_store_put_room_async (self->store, path->app_id, path->room_uuid, room_name,
                                 (int) room_type, room_created_cb,
                                 rh_cloud_call_new (self, msg, NULL));
}

static void
recording_finished_cb (RhCloudRecording *recording, gpointer user_data)
{
  RhCloud *self = user_data;
  GHashTableIter iter;
  gpointer value;

  g_hash_table_iter_init (&iter, self->recordings);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    if (value == recording)
      {
        g_autoptr (RhCloudRecording) finished = g_object_ref (recording);

        g_hash_table_iter_remove (&iter);
        if (rh_cloud_is_clustered (self))
          rh_cloud_cluster_recording_finished (self, finished);
        break;
      }
}

/* A room recording here got ready (its page, or again after a retry): a
 * worker handing it off may stop its own; the metrics count the wait and
 * the retries. */
static void
recording_state_cb (RhCloudRecording *recording, int reason, gpointer user_data)
{
  RhCloud *self = user_data;
  const char *app_id, *room_uuid;

  if (reason == 3 || reason == 4 || reason == 5)
    rh_cloud_metrics_retried (self->metrics, reason);
  if (reason != 1 && reason != 3)
    return;
  rh_cloud_metrics_ready_waited (self->metrics,
                                 (g_get_real_time () / 1000
                                  - rh_cloud_recording_get_start_ms (recording))
                                   / 1000.0);
  rh_cloud_recording_get_room (recording, &app_id, &room_uuid);
  if (rh_cloud_is_clustered (self))
    rh_cloud_cluster_notify_room (self, "recording", app_id, room_uuid);
}

/* A recording started: it is one of the cloud's until it finishes. */
void
rh_cloud_add_recording (RhCloud *self, const char *key, RhCloudRecording *recording)
{
  const char *app_id, *room_uuid;
  g_autofree char *room_text = NULL;

  rh_cloud_recording_get_room (recording, &app_id, &room_uuid);
  room_text = rh_text_printable (room_uuid);
  g_signal_connect (recording, "finished", G_CALLBACK (recording_finished_cb), self);
  g_signal_connect (recording, "state-changed", G_CALLBACK (recording_state_cb), self);
  g_hash_table_insert (self->recordings, g_strdup (key), g_object_ref (recording));
  g_message ("cloud: room %s, record %s: started", room_text,
             rh_cloud_recording_get_record_id (recording));
}

/* A start between its checks and its record stored: the room is taken
 * meanwhile (a second start is refused as running). */
typedef struct
{
  RhRecordRequest *request;
  char *config;
  char *key;
} Start;

static void
start_free (gpointer data)
{
  Start *start = data;

  rh_record_request_free (start->request);
  g_free (start->config);
  g_free (start->key);
  g_free (start);
}

/* The room is no longer taken by a start that failed. */
static void
start_failed (RhCloudCall *call)
{
  Start *start = call->data;

  g_hash_table_remove (call->cloud->starting, start->key);
}

static void
started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  RhCloud *self = call->cloud;
  Start *start = call->data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhCloudRecording) recording = rh_cloud_recording_start_finish (result, &error);
  g_autoptr (JsonNode) data = NULL;
  g_autofree char *url_text = NULL;

  start_failed (call);
  if (recording == NULL)
    {
      /* The request's own values (the region, the page's URL) are the
       * client's to fix; anything else is this side's. */
      if (g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT))
        rh_api_reply_error (call->msg, RH_API_CODE_BAD_REQUEST, error->message);
      else
        rh_cloud_reply_store_error (call->msg, error);
      rh_cloud_call_done (call);
      return;
    }
  rh_cloud_add_recording (self, start->key, recording);
  url_text = rh_text_printable (start->request->url);
  g_message ("cloud: record %s: page %s", rh_cloud_recording_get_record_id (recording),
             url_text);
  data = record_data (recording, 1);
  rh_api_reply_ok (call->msg, data);
  rh_cloud_call_done (call);
}

void
rh_cloud_room_init (RhCloud *self, RhCloudRoom *room, const RhRecordRequest *request)
{
  room->cloud_url = self->base_url;
  room->token = self->token;
  /* The limit is a web process's, and the rooms sharing one share it. */
  room->page_memory_mb = MIN (self->page_memory_mb * rh_page_host_get_views_per_process (),
                             RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB);
  room->sdk_api_local = request->has_sdk_api ? request->sdk_api_local : self->sdk_api_local;
  room->engine = request->has_engine ? request->engine : self->engine;
  room->ready_answerer = G_OBJECT (self);
  room->ready_answer = rh_cloud_answer_ready;
}

static void
start_recording (RhCloudCall *call, const char *room_name, int room_type)
{
  RhCloud *self = call->cloud;
  Start *start = call->data;
  const RhApiPath *path = call->path;
  RhCloudRoom room = { 0 };

  rh_cloud_room_init (self, &room, start->request);
  room.region = path->region;
  room.app_id = path->app_id;
  room.room_uuid = path->room_uuid;
  room.room_name = room_name;
  room.room_type = room_type;
  rh_cloud_recording_start_async (self->store, &room, start->request, start->config,
                                  started_cb, call);
}

static void
start_room_added_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  g_autoptr (GError) error = NULL;

  if (!rh_cloud_store_put_room_finish (RH_CLOUD_STORE (source), result, NULL, &error))
    {
      start_failed (call);
      rh_cloud_reply_store_error (call->msg, error);
      rh_cloud_call_done (call);
      return;
    }
  start_recording (call, call->path->room_uuid, 4);
}

static void
start_room_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autofree char *room_name = NULL;
  int room_type = 4;

  if (rh_cloud_store_get_room_finish (RH_CLOUD_STORE (source), result, &room_name, &room_type,
                                      &error))
    {
      start_recording (call, room_name, room_type);
      return;
    }
  if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    {
      start_failed (call);
      rh_cloud_reply_store_error (call->msg, error);
      rh_cloud_call_done (call);
      return;
    }
  /* A room not created before recording starts is a small classroom. */
  rh_cloud_store_put_room_async (call->cloud->store, call->path->app_id, call->path->room_uuid,
                                 call->path->room_uuid, 4, start_room_added_cb, call);
}

void
rh_cloud_handle_start (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (GBytes) body = rh_api_request_body (msg);
  g_autoptr (RhRecordRequest) request = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *key = recording_key (path);
  guint taken = rh_cloud_taken_count (self);
  RhCloudCall *call;
  Start *start;

  if (rh_cloud_is_clustered (self))
    {
      /* The store knows whether the room records anywhere, and whether the
       * cluster has room. */
      request = rh_record_request_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                         &error);
      if (request == NULL
          || !rh_record_request_check_page (request, self->allow_file_pages, self->file_page,
                                            &error))
        {
          rh_api_reply_error (msg, error->code, error->message);
          return;
        }
      rh_cloud_handle_cluster_start (rh_cloud_call_new (self, msg, NULL),
                                     g_steal_pointer (&request),
                                     g_strndup (g_bytes_get_data (body, NULL),
                                                g_bytes_get_size (body)));
      return;
    }
  if (active_recording (self, path) != NULL || g_hash_table_contains (self->starting, key))
    {
      rh_api_reply_error (msg, RH_CLOUD_CODE_RECORD_RUNNING, "record running");
      return;
    }
  /* Past what the machine was said to hold, one more room would slow down
   * every room: refuse it, and say when to ask again. */
  if (taken >= self->max_rooms)
    {
      g_autofree char *text = g_strdup_printf ("at capacity: %u of %u rooms recording", taken,
                                               self->max_rooms);

      rh_cloud_metrics_rejected_at_capacity (self->metrics);
      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "10");
      rh_api_reply_error (msg, RH_CLOUD_CODE_AT_CAPACITY, text);
      return;
    }
  request = rh_record_request_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                     &error);
  if (request == NULL
      || !rh_record_request_check_page (request, self->allow_file_pages, self->file_page, &error))
    {
      rh_api_reply_error (msg, error->code, error->message);
      return;
    }
  start = g_new0 (Start, 1);
  start->request = g_steal_pointer (&request);
  start->config = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  start->key = g_strdup (key);
  call = rh_cloud_call_new (self, msg, NULL);
  call->data = start;
  call->data_free = start_free;
  g_hash_table_add (self->starting, g_steal_pointer (&key));
  rh_cloud_store_get_room_async (self->store, path->app_id, path->room_uuid, start_room_cb,
                                 call);
}

static void
stopped_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  RhCloudRecording *recording = RH_CLOUD_RECORDING (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = NULL;

  /* The stop event is stored before the answer; one the store could not
   * take is no success, and stopping again tries again. */
  if (!rh_cloud_recording_stop_finish (recording, result, &error))
    rh_cloud_reply_store_error (call->msg, error);
  else
    {
      data = record_data (recording, 2);
      rh_api_reply_ok (call->msg, data);
    }
  rh_cloud_call_done (call);
}

void
rh_cloud_handle_stop (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  RhCloudRecording *recording = active_recording (self, path);

  if (recording == NULL && rh_cloud_is_clustered (self))
    {
      rh_cloud_handle_cluster_change (self, msg, RH_CLOUD_CHANGE_STOP);
      return;
    }
  if (recording == NULL)
    {
      rh_api_reply_error (msg, RH_CLOUD_CODE_RECORD_NOT_STARTED, "record not started");
      return;
    }
  rh_cloud_recording_stop_async (recording, stopped_cb, rh_cloud_call_new (self, msg, NULL));
}

static void
released_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  RhCloudRecording *recording = RH_CLOUD_RECORDING (source);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = NULL;

  if (!rh_cloud_recording_release_finish (recording, result, &error))
    rh_cloud_reply_store_error (call->msg, error);
  else
    {
      data = record_data (recording, 1);
      rh_api_reply_ok (call->msg, data);
    }
  rh_cloud_call_done (call);
}

void
rh_cloud_handle_update (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (GBytes) body = rh_api_request_body (msg);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = NULL;
  RhCloudRecording *recording = active_recording (self, path);
  gboolean on_hold = TRUE, has_on_hold = FALSE;

  if (recording == NULL && !rh_cloud_is_clustered (self))
    {
      rh_api_reply_error (msg, RH_CLOUD_CODE_RECORD_NOT_STARTED, "record not started");
      return;
    }
  if (!rh_record_request_update (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                 &on_hold, &has_on_hold, &error))
    {
      rh_api_reply_error (msg, error->code, error->message);
      return;
    }
  /* Another worker's room: a release is kept for it; anything else is
   * answered from the room as stored. */
  if (recording == NULL)
    {
      rh_cloud_handle_cluster_change (self, msg,
                                      has_on_hold && !on_hold ? RH_CLOUD_CHANGE_RELEASE
                                      : has_on_hold           ? RH_CLOUD_CHANGE_HOLD
                                                              : RH_CLOUD_CHANGE_NONE);
      return;
    }
  if (has_on_hold && on_hold && !rh_cloud_recording_is_held (recording))
    {
      rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST,
                          "a running recording cannot be put on hold again");
      return;
    }
  if (has_on_hold && !on_hold)
    {
      rh_cloud_recording_release_async (recording, released_cb,
                                        rh_cloud_call_new (self, msg, NULL));
      return;
    }
  data = record_data (recording, 1);
  rh_api_reply_ok (msg, data);
}


