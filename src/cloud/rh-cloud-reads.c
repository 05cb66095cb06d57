/* The local cloud's API that reads what is stored: a room's records and
 * events, an attempt's HAR and pictures, and the recordings' files. */
#include "rh-cloud-private.h"

#include "rh-recording-file.h"

#define MAX_EVENTS 100

static void
room_found_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RhCloudCall *call = g_task_get_task_data (task);
  g_autoptr (GError) error = NULL;

  if (rh_cloud_store_get_room_finish (RH_CLOUD_STORE (source), result, NULL, NULL, &error))
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    rh_api_reply_error (call->msg, RH_API_CODE_NOT_FOUND, "room not found");
  else
    rh_cloud_reply_store_error (call->msg, error);
  g_task_return_boolean (task, FALSE);
}

/* Whether the call's room is known; otherwise answers that it is not, or
 * that the store failed. */
void
rh_cloud_room_known_async (RhCloudCall *call, GAsyncReadyCallback callback)
{
  GTask *task = g_task_new (NULL, NULL, callback, call);

  g_task_set_task_data (task, call, NULL);
  rh_cloud_store_get_room_async (call->cloud->store, call->path->app_id, call->path->room_uuid,
                                 room_found_cb, task);
}

gboolean
rh_cloud_room_known_finish (RhCloudCall *call, GAsyncResult *result)
{
  return g_task_propagate_boolean (G_TASK (result), NULL);
}

static void
records_listed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = rh_cloud_store_list_records_finish (RH_CLOUD_STORE (source),
                                                                  result, &error);

  if (data == NULL)
    rh_cloud_reply_store_error (call->msg, error);
  else
    {
      json_object_set_member (json_node_get_object (data), "capacity",
                              rh_cloud_capacity_node (call->cloud));
      rh_api_reply_ok (call->msg, data);
    }
  rh_cloud_call_done (call);
}

static void
records_room_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;

  if (!rh_cloud_room_known_finish (call, result))
    {
      rh_cloud_call_done (call);
      return;
    }
  /* Where the files are on disk is told only to who holds the token. */
  rh_cloud_store_list_records_async (call->cloud->store, call->path->app_id,
                                     call->path->room_uuid,
                                     rh_cloud_is_authenticated (call->cloud, call->msg),
                                     records_listed_cb, call);
}

void
rh_cloud_handle_records (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path)
{
  rh_cloud_room_known_async (rh_cloud_call_new (self, msg, NULL), records_room_cb);
}

static gboolean
query_int (GHashTable *query, const char *name, gint64 *value)
{
  const char *text = query != NULL ? g_hash_table_lookup (query, name) : NULL;

  if (text == NULL || *text == '\0')
    return TRUE;
  return g_ascii_string_to_signed (text, 10, 0, G_MAXINT64, value, NULL);
}

static void
events_listed_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = rh_cloud_store_list_events_finish (RH_CLOUD_STORE (source), result,
                                                                 &error);

  if (data == NULL)
    rh_cloud_reply_store_error (call->msg, error);
  else
    rh_api_reply_ok (call->msg, data);
  rh_cloud_call_done (call);
}

static void
sequences_room_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  gint64 next_id = 0, cmd = 0;

  if (!rh_cloud_room_known_finish (call, result))
    {
      rh_cloud_call_done (call);
      return;
    }
  query_int (call->query, "nextId", &next_id);
  query_int (call->query, "cmd", &cmd);
  rh_cloud_store_list_events_async (call->cloud->store, call->path->app_id,
                                    call->path->room_uuid, next_id, (int) cmd, MAX_EVENTS,
                                    events_listed_cb, call);
}

void
rh_cloud_handle_sequences (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path,
                           GHashTable *query)
{
  gint64 next_id = 0, cmd = 0;

  if (!query_int (query, "nextId", &next_id) || !query_int (query, "cmd", &cmd)
      || cmd > G_MAXINT)
    {
      rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST, "nextId and cmd must be whole numbers");
      return;
    }
  rh_cloud_room_known_async (rh_cloud_call_new (self, msg, query), sequences_room_cb);
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

static void
send_record_file (RhCloudCall *call, JsonNode *page)
{
  SoupServerMessage *msg = call->msg;
  const RhApiPath *path = call->path;
  gboolean har = g_str_equal (path->rest, RH_API_PATH_RECORD_HAR);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  g_autoptr (GError) error = NULL;
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *disposition = NULL;
  gsize length = 0;
  gint64 wanted = 0;
  guint attempt;

  query_int (call->query, "attempt", &wanted);
  attempt = find_attempt (page, wanted);
  if (attempt > 0)
    file = rh_recording_file_attempt_path (rh_cloud_store_get_dir (call->cloud->store),
                                           har ? RH_RECORDING_FILE_HAR_DIR
                                               : RH_RECORDING_FILE_SNAPSHOTS_DIR,
                                           path->record_id, attempt,
                                           har ? ".har" : "/filmstrip.png");
  if (file == NULL || !g_file_get_contents (file, &contents, &length, &error))
    {
      if (error != NULL && !g_error_matches (error, G_FILE_ERROR, G_FILE_ERROR_NOENT))
        rh_cloud_reply_store_error (msg, error);
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
record_page_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) page = rh_cloud_store_get_record_page_finish (RH_CLOUD_STORE (source),
                                                                     result, &error);

  if (page == NULL && g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    rh_api_reply_error (call->msg, RH_API_CODE_NOT_FOUND, "record not found");
  else if (page == NULL)
    rh_cloud_reply_store_error (call->msg, error);
  else
    send_record_file (call, page);
  rh_cloud_call_done (call);
}

static void
record_file_room_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RhCloudCall *call = user_data;

  if (!rh_cloud_room_known_finish (call, result))
    {
      rh_cloud_call_done (call);
      return;
    }
  rh_cloud_store_get_record_page_async (call->cloud->store, call->path->app_id,
                                        call->path->room_uuid, call->path->record_id,
                                        record_page_cb, call);
}

/* GET .../records/{recordId}/har or .../snapshots [?attempt=N]: the HAR of
 * an attempt of the record's page, or its filmstrip (the start asked for
 * snapshots), the last attempt's unless asked.  The file is named from the
 * stored record and the attempt's number, never from the request's path. */
void
rh_cloud_handle_record_file (RhCloud *self, SoupServerMessage *msg, const RhApiPath *path,
                             GHashTable *query)
{
  gint64 wanted = 0;

  if (!query_int (query, "attempt", &wanted))
    {
      rh_api_reply_error (msg, RH_API_CODE_BAD_REQUEST, "attempt must be a whole number");
      return;
    }
  rh_cloud_room_known_async (rh_cloud_call_new (self, msg, query), record_file_room_cb);
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
        rh_cloud_reply_store_error (msg, error);
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
