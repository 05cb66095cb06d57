/* The local cloud's recording API: a room, its recording's start, update
 * and stop, its records and events, the ready call, and the health answer. */
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

#define MAX_EVENTS 100

/* What failed on this side goes to the log; the client learns no more than
 * that it failed: no SQLite text, no paths. */
static void
reply_internal (SoupServerMessage *msg, const GError *error)
{
  g_autofree char *path = rh_text_printable (g_uri_get_path (soup_server_message_get_uri (msg)));

  g_warning ("cloud: %s %s: %s", soup_server_message_get_method (msg), path, error->message);
  rh_api_reply_error (msg, RH_API_CODE_INTERNAL, "internal error: see the cloud's log");
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
  if (ready_heard (self, path) != 0)
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

void
rh_cloud_handle_create_room (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (GBytes) body = rh_api_request_body (msg);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object = NULL;
  const char *room_name = path->room_uuid;
  gint64 room_type = 4;
  gboolean created = FALSE;

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
  if (!rh_cloud_store_put_room (self->store, path->app_id, path->room_uuid, room_name,
                                (int) room_type, &created, &error))
    {
      reply_internal (msg, error);
      return;
    }
  if (!created)
    {
      rh_api_reply_error (msg, RH_CLOUD_CODE_CONFLICT, "room already exists");
      return;
    }
  rh_api_reply_ok (msg, NULL);
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
        g_hash_table_iter_remove (&iter);
        break;
      }
}

void
rh_cloud_handle_start (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (GBytes) body = rh_api_request_body (msg);
  g_autoptr (RhRecordRequest) request = NULL;
  g_autoptr (RhCloudRecording) recording = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = NULL;
  g_autofree char *room_name = NULL;
  g_autofree char *config = NULL;
  RhCloudRoom room = { 0 };
  int room_type = 4;

  if (active_recording (self, path) != NULL)
    {
      rh_api_reply_error (msg, RH_CLOUD_CODE_RECORD_RUNNING, "record running");
      return;
    }
  /* Past what the machine was said to hold, one more room would slow down
   * every room: refuse it, and say when to ask again. */
  if (g_hash_table_size (self->recordings) >= self->max_rooms)
    {
      g_autofree char *text = g_strdup_printf ("at capacity: %u of %u rooms recording",
                                               g_hash_table_size (self->recordings),
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
  /* A room not created before recording starts is a small classroom. */
  if (!rh_cloud_store_get_room (self->store, path->app_id, path->room_uuid, &room_name,
                                &room_type, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          reply_internal (msg, error);
          return;
        }
      g_clear_error (&error);
      if (!rh_cloud_store_put_room (self->store, path->app_id, path->room_uuid,
                                    path->room_uuid, 4, NULL, &error))
        {
          reply_internal (msg, error);
          return;
        }
    }
  config = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  room.cloud_url = self->base_url;
  room.region = path->region;
  room.app_id = path->app_id;
  room.room_uuid = path->room_uuid;
  room.room_name = room_name;
  room.room_type = room_type;
  room.token = self->token;
  /* The limit is a web process's, and the rooms sharing one share it. */
  room.page_memory_mb = MIN (self->page_memory_mb * rh_page_host_get_views_per_process (),
                            RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB);
  room.sdk_api_local = request->has_sdk_api ? request->sdk_api_local : self->sdk_api_local;
  room.ready_answerer = G_OBJECT (self);
  room.ready_answer = rh_cloud_answer_ready;
  recording = rh_cloud_recording_start (self->store, &room, request, config, &error);
  if (recording == NULL)
    {
      /* The request's own values (the region, the page's URL) are the
       * client's to fix; anything else is this side's. */
      if (g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT))
        rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST, error->message);
      else
        reply_internal (msg, error);
      return;
    }
  g_signal_connect (recording, "finished", G_CALLBACK (recording_finished_cb), self);
  g_hash_table_insert (self->recordings, recording_key (path), g_object_ref (recording));
  {
    g_autofree char *room_text = rh_text_printable (path->room_uuid);
    g_autofree char *url_text = rh_text_printable (request->url);

    g_message ("cloud: room %s, record %s: started, page %s", room_text,
               rh_cloud_recording_get_record_id (recording), url_text);
  }
  data = record_data (recording, 1);
  rh_api_reply_ok (msg, data);
}

void
rh_cloud_handle_stop (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (RhCloudRecording) recording = NULL;
  g_autoptr (JsonNode) data = NULL;
  g_autoptr (GError) error = NULL;

  recording = active_recording (self, path);
  if (recording == NULL)
    {
      rh_api_reply_error (msg, RH_CLOUD_CODE_RECORD_NOT_STARTED, "record not started");
      return;
    }
  g_object_ref (recording);
  /* The stop event is stored before this returns; one the store could not
   * take is no success, and stopping again tries again. */
  if (!rh_cloud_recording_stop (recording, &error))
    {
      reply_internal (msg, error);
      return;
    }
  data = record_data (recording, 2);
  rh_api_reply_ok (msg, data);
}

void
rh_cloud_handle_update (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (GBytes) body = rh_api_request_body (msg);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = NULL;
  RhCloudRecording *recording = active_recording (self, path);
  gboolean on_hold = TRUE, has_on_hold = FALSE;

  if (recording == NULL)
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
  if (has_on_hold && on_hold && !rh_cloud_recording_is_held (recording))
    {
      rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST,
                          "a running recording cannot be put on hold again");
      return;
    }
  if (has_on_hold && !on_hold && !rh_cloud_recording_release (recording, &error))
    {
      reply_internal (msg, error);
      return;
    }
  data = record_data (recording, 1);
  rh_api_reply_ok (msg, data);
}

/* How full the cloud is: in the records list and the health answer. */
JsonNode *
rh_cloud_capacity_node (RhCloud *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "activeRooms");
  json_builder_add_int_value (builder, g_hash_table_size (self->recordings));
  json_builder_set_member_name (builder, "maxRooms");
  json_builder_add_int_value (builder, self->max_rooms);
  json_builder_set_member_name (builder, "roomsPerWebProcess");
  json_builder_add_int_value (builder, rh_page_host_get_views_per_process ());
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* GET /health: answered without the token (a load balancer has none); it
 * tells counts only. */
void
rh_cloud_handle_health (RhCloud *self, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) data = NULL;
  gboolean full = g_hash_table_size (self->recordings) >= self->max_rooms;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, full ? "full" : "ok");
  json_builder_set_member_name (builder, "capacity");
  json_builder_add_value (builder, rh_cloud_capacity_node (self));
  json_builder_set_member_name (builder, "readyCalls");
  json_builder_add_int_value (builder, self->ready_count);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);
  rh_api_reply_ok (msg, data);
}

/* Otherwise answers that the room is unknown, or that the store failed. */
static gboolean
room_known (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (GError) error = NULL;

  if (rh_cloud_store_get_room (self->store, path->app_id, path->room_uuid, NULL, NULL,
                               &error))
    return TRUE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    rh_api_reply_error (msg, RH_API_CODE_NOT_FOUND, "room not found");
  else
    reply_internal (msg, error);
  return FALSE;
}

void
rh_cloud_handle_records (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (JsonNode) data = NULL;
  g_autoptr (GError) error = NULL;

  if (!room_known (self, msg, path))
    return;
  /* Where the files are on disk is told only to who holds the token. */
  data = rh_cloud_store_list_records (self->store, path->app_id, path->room_uuid,
                                      rh_cloud_is_authenticated (self, msg), &error);
  if (data == NULL)
    {
      reply_internal (msg, error);
      return;
    }
  json_object_set_member (json_node_get_object (data), "capacity", rh_cloud_capacity_node (self));
  rh_api_reply_ok (msg, data);
}

static gboolean
query_int (GHashTable *query, const char *name, gint64 *value)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  if (text == NULL || *text == '\0')
    return TRUE;
  return g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, value, NULL);
}

void
rh_cloud_handle_sequences (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path,
                  GHashTable *query)
{
  g_autoptr (JsonNode) data = NULL;
  g_autoptr (GError) error = NULL;
  gint64 next_id = 0, cmd = 0;

  if (!query_int (query, "nextId", &next_id) || !query_int (query, "cmd", &cmd)
      || cmd > G_MAXINT)
    {
      rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST, "nextId and cmd must be whole numbers");
      return;
    }
  if (!room_known (self, msg, path))
    return;
  data = rh_cloud_store_list_events (self->store, path->app_id, path->room_uuid, next_id,
                                     (int) cmd, MAX_EVENTS, &error);
  if (data == NULL)
    {
      reply_internal (msg, error);
      return;
    }
  rh_api_reply_ok (msg, data);
}

/* The number of the record's attempt @wanted (0: the last) that its page
 * lists, 0 for none. */
static guint
find_attempt (JsonNode *page, gint64 wanted)
{
  JsonObject *object = JSON_NODE_HOLDS_OBJECT (page) ? json_node_get_object (page) : NULL;
  JsonNode *attempts = object != NULL ? json_object_get_member (object, "attempts") : NULL;
  guint found = 0;

  if (attempts == NULL || !JSON_NODE_HOLDS_ARRAY (attempts))
    return 0;
  for (guint i = 0; i < json_array_get_length (json_node_get_array (attempts)); i++)
    {
      JsonObject *attempt = json_array_get_object_element (json_node_get_array (attempts), i);
      gint64 number = attempt != NULL
                        ? json_object_get_int_member_with_default (attempt, "attempt", 0)
                        : 0;

      if (number > 0 && number <= G_MAXUINT && (wanted == 0 || number == wanted))
        found = (guint) number;
    }
  return found;
}

/* GET .../records/{recordId}/har or .../snapshots [?attempt=N]: the HAR of
 * an attempt of the record's page, or its filmstrip (the start asked for
 * snapshots), the last attempt's unless asked.  The file is named from the
 * stored record and the attempt's number, never from the request's path. */
void
rh_cloud_handle_record_file (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path,
                             GHashTable *query)
{
  gboolean har = g_str_equal (path->rest, RH_API_PATH_RECORD_HAR);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr (JsonNode) page = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *disposition = NULL;
  gsize length = 0;
  gint64 wanted = 0;
  guint attempt;

  if (!query_int (query, "attempt", &wanted))
    {
      rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST, "attempt must be a whole number");
      return;
    }
  if (!room_known (self, msg, path))
    return;
  page = rh_cloud_store_get_record_page (self->store, path->app_id, path->room_uuid,
                                         path->record_id, &error);
  if (page == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        rh_api_reply_error (msg, RH_API_CODE_NOT_FOUND, "record not found");
      else
        reply_internal (msg, error);
      return;
    }
  attempt = find_attempt (page, wanted);
  if (attempt > 0)
    file = rh_recording_file_attempt_path (rh_cloud_store_get_dir (self->store),
                                           har ? RH_RECORDING_FILE_HAR_DIR
                                               : RH_RECORDING_FILE_SNAPSHOTS_DIR,
                                           path->record_id, attempt,
                                           har ? ".har" : "/filmstrip.png");
  if (file == NULL || !g_file_get_contents (file, &contents, &length, &error))
    {
      if (error != NULL && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        reply_internal (msg, error);
      else
        rh_api_reply_error (msg, RH_API_CODE_NOT_FOUND,
                            har ? "no HAR for this attempt" : "no pictures of this attempt");
      return;
    }
  disposition = g_strdup_printf ("attachment; filename=\"%s-%u%s\"", path->record_id, attempt,
                                 har ? ".har" : "-filmstrip.png");
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  soup_message_headers_replace (headers, "Cross-Origin-Resource-Policy", "same-origin");
  soup_message_headers_set_content_type (headers, har ? "application/json" : "image/png", NULL);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_take (soup_server_message_get_response_body (msg),
                                 (guchar *) g_steal_pointer (&contents), length);
}

static void
unmap (gpointer data)
{
  g_mapped_file_unref (data);
}

/* GET /recordings/NAME: a recording's file, as the records list names it;
 * the token, Host and Origin were checked as for the rest of the API. */
void
rh_cloud_handle_recording (RhCloud *self, SoupServerMessage *msg, const char *name)
{
  g_autoptr (GError) error = NULL;
  const char *dir = rh_cloud_store_get_dir (self->store);
  g_autoptr (GMappedFile) mapped = rh_recording_file_open (dir, name, &error);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autofree char *disposition = NULL;
  GBytes *contents;

  if (mapped == NULL)
    {
      if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        rh_api_reply_error (msg, RH_API_CODE_NOT_FOUND, "no such recording");
      else
        reply_internal (msg, error);
      return;
    }
  contents = g_bytes_new_with_free_func (g_mapped_file_get_contents (mapped),
                                         g_mapped_file_get_length (mapped), unmap,
                                         g_mapped_file_ref (mapped));
  disposition = g_strdup_printf ("attachment; filename=\"%s\"", name);
  soup_message_headers_replace (headers, "Content-Disposition", disposition);
  soup_message_headers_replace (headers, "X-Content-Type-Options", "nosniff");
  /* A page of another origin sends no Origin for a <video>'s request: the
   * browser is told not to hand it the file. */
  soup_message_headers_replace (headers, "Cross-Origin-Resource-Policy", "same-origin");
  soup_message_headers_set_content_type (headers, "video/mp4", NULL);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_message_body_append_bytes (soup_server_message_get_response_body (msg), contents);
  g_bytes_unref (contents);
}
