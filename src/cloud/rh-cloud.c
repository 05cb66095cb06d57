#include "rh-cloud.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "rh-cloud-recording.h"
#include "rh-sdk-api.h"
#include "rh-error.h"
#include "rh-json.h"
#include "rh-page-host.h"
#include "rh-text.h"

/* Codes of the cloud's envelope: HTTP statuses, and the SDK's known ones,
 * whose middle digits are the HTTP status (30409410: 409). */
#define CODE_BAD_REQUEST 400
#define CODE_UNAUTHORIZED 401
#define CODE_NOT_FOUND 404
#define CODE_METHOD_NOT_ALLOWED 405
#define CODE_CONFLICT 409
#define CODE_TOO_LARGE 413
#define CODE_INTERNAL 500
#define CODE_AT_CAPACITY 503
#define CODE_RECORD_NOT_STARTED 30409410
#define CODE_RECORD_RUNNING 30409411
#define MAX_BODY (64 * 1024)
#define MAX_EVENTS 100

struct _RhCloud
{
  GObject parent_instance;

  SoupServer *server;
  char *base_url;
  guint ready_count;
  RhCloudStore *store;     /* NULL: a ready-call stand-in only */
  char *token;             /* required x-agora-token, NULL for none */
  GHashTable *recordings;  /* "appId/roomUuid" -> RhCloudRecording, active ones */
  gboolean exposed;        /* listening beyond loopback */
  guint max_rooms;         /* recordings held at once; a start past it is refused */
};

G_DEFINE_FINAL_TYPE (RhCloud, rh_cloud, G_TYPE_OBJECT)

enum
{
  SIGNAL_READY_RECEIVED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

void
rh_cloud_route_free (RhCloudRoute *route)
{
  if (route == NULL)
    return;
  g_free (route->region);
  g_free (route->app_id);
  g_free (route->room_uuid);
  g_free (route->rest);
  g_free (route);
}

/* What can follow a room in the API, longest first. */
static const char *const room_endpoints[] = {
  "records/states/0", "records/states/1", "records/ready", "records", "sequences", NULL,
};

/* One part of a path, percent-decoded: NULL for a bad escape, a NUL, or
 * what is not UTF-8. */
static char *
decode_part (const char *start, const char *end)
{
  g_autofree char *part = g_uri_unescape_segment (start, end, NULL);

  if (part == NULL || !g_utf8_validate (part, -1, NULL))
    return NULL;
  return g_steal_pointer (&part);
}

/* @path is the path as sent, percent-encoded (the server keeps raw paths),
 * so that an encoded "/", "%" or ".." in a room uuid is the room's own.  A
 * room uuid may also hold a literal '/': the room is what lies between
 * "/v2/rooms/" and a known endpoint, decoded. */
RhCloudRoute *
rh_cloud_route_parse (const char *path)
{
  g_autoptr (RhCloudRoute) route = NULL;
  const char *rest = path;
  const char *app_end;
  const char *room;
  gsize room_length;

  if (path == NULL || path[0] != '/')
    return NULL;
  route = g_new0 (RhCloudRoute, 1);
  if (!g_str_has_prefix (rest, "/edu/"))
    {
      const char *slash = strchr (rest + 1, '/');

      if (slash == NULL || slash == rest + 1)
        return NULL;
      route->region = decode_part (rest + 1, slash);
      /* It becomes a path segment of the hosted page's ready call. */
      if (route->region == NULL || strchr (route->region, '/') != NULL)
        return NULL;
      rest = slash;
    }
  if (!g_str_has_prefix (rest, "/edu/apps/"))
    return NULL;
  rest += strlen ("/edu/apps/");
  app_end = strstr (rest, "/v2/rooms/");
  if (app_end == NULL || app_end == rest || memchr (rest, '/', app_end - rest) != NULL)
    return NULL;
  /* "appId/roomUuid" keys a room: an app id holds no '/'. */
  route->app_id = decode_part (rest, app_end);
  if (route->app_id == NULL || strchr (route->app_id, '/') != NULL)
    return NULL;

  room = app_end + strlen ("/v2/rooms/");
  room_length = strlen (room);
  route->rest = g_strdup ("");
  for (guint i = 0; room_endpoints[i] != NULL; i++)
    {
      gsize endpoint_length = strlen (room_endpoints[i]);

      if (room_length > endpoint_length + 1 && g_str_has_suffix (room, room_endpoints[i])
          && room[room_length - endpoint_length - 1] == '/')
        {
          g_free (route->rest);
          route->rest = g_strdup (room_endpoints[i]);
          room_length -= endpoint_length + 1;
          break;
        }
    }
  if (room_length == 0)
    return NULL;
  route->room_uuid = decode_part (room, room + room_length);
  if (route->room_uuid == NULL)
    return NULL;
  return g_steal_pointer (&route);
}

static void
reply_envelope (SoupServerMessage *msg, guint status, gint64 code, const char *text,
                JsonNode *data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *body = NULL;
  gsize length;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "msg");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "ts");
  json_builder_add_int_value (builder, g_get_real_time () / 1000);
  if (data != NULL)
    {
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder, json_node_copy (data));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  body = rh_json_to_string (root, FALSE);
  length = strlen (body);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), length);
}

/* An error envelope whose HTTP status follows from the code. */
static void
reply_error (SoupServerMessage *msg, gint64 code, const char *text)
{
  guint status = code > 100000 ? (guint) ((code / 1000) % 1000) : (guint) code;

  reply_envelope (msg, status >= 400 && status < 600 ? status : 400, code, text, NULL);
}

/* What failed on this side goes to the log; the client learns no more than
 * that it failed: no SQLite text, no paths. */
static void
reply_internal (SoupServerMessage *msg, const GError *error)
{
  g_autofree char *path = rh_text_printable (g_uri_get_path (soup_server_message_get_uri (msg)));

  g_warning ("cloud: %s %s: %s", soup_server_message_get_method (msg), path, error->message);
  reply_error (msg, CODE_INTERNAL, "internal error: see the cloud's log");
}

static void
reply_ok (SoupServerMessage *msg, JsonNode *data)
{
  reply_envelope (msg, SOUP_STATUS_OK, 0, "Success", data);
}

static char *
recording_key (const RhCloudRoute *route)
{
  return g_strconcat (route->app_id, "/", route->room_uuid, NULL);
}

static RhCloudRecording *
active_recording (RhCloud *self, const RhCloudRoute *route)
{
  g_autofree char *key = recording_key (route);

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

static GBytes *
request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

/* ---- endpoints ---- */

static void
handle_ready (RhCloud *self, SoupServerMessage *msg, const RhCloudRoute *route)
{
  self->ready_count++;
  g_signal_emit (self, signals[SIGNAL_READY_RECEIVED], 0, route->app_id, route->room_uuid);
  /* The ready-call stand-in of `check` acknowledges any room: the page is
   * checked alone. */
  if (self->store != NULL && active_recording (self, route) == NULL)
    {
      reply_error (msg, CODE_RECORD_NOT_STARTED, "record not started");
      return;
    }
  reply_ok (msg, NULL);
}

static void
handle_create_room (RhCloud *self, SoupServerMessage *msg, const RhCloudRoute *route)
{
  g_autoptr (GBytes) body = request_body (msg);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  JsonObject *object = NULL;
  const char *room_name = route->room_uuid;
  gint64 room_type = 4;
  gboolean created = FALSE;

  if (g_bytes_get_size (body) > 0)
    {
      if (!rh_json_parser_load (parser, g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                MAX_BODY, RH_JSON_MAX_DEPTH, &error)
          || json_parser_get_root (parser) == NULL
          || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
        {
          reply_error (msg, CODE_BAD_REQUEST, "the body is not a JSON object");
          return;
        }
      object = json_node_get_object (json_parser_get_root (parser));
    }
  if (object != NULL && json_object_has_member (object, "roomName"))
    {
      JsonNode *node = json_object_get_member (object, "roomName");

      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
        {
          reply_error (msg, CODE_BAD_REQUEST, "roomName must be a string");
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
          reply_error (msg, CODE_BAD_REQUEST, "roomType must be 0, 2 or 4");
          return;
        }
    }
  if (!rh_cloud_store_put_room (self->store, route->app_id, route->room_uuid, room_name,
                                (int) room_type, &created, &error))
    {
      reply_internal (msg, error);
      return;
    }
  if (!created)
    {
      reply_error (msg, CODE_CONFLICT, "room already exists");
      return;
    }
  reply_ok (msg, NULL);
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

static void
handle_start (RhCloud *self, SoupServerMessage *msg, const RhCloudRoute *route)
{
  g_autoptr (GBytes) body = request_body (msg);
  g_autoptr (RhRecordRequest) request = NULL;
  g_autoptr (RhCloudRecording) recording = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = NULL;
  g_autofree char *room_name = NULL;
  g_autofree char *config = NULL;
  RhCloudRoom room = { 0 };
  int room_type = 4;

  if (active_recording (self, route) != NULL)
    {
      reply_error (msg, CODE_RECORD_RUNNING, "record running");
      return;
    }
  /* Past what the machine was said to hold, one more room would slow down
   * every room: refuse it, and say when to ask again. */
  if (g_hash_table_size (self->recordings) >= self->max_rooms)
    {
      g_autofree char *text = g_strdup_printf ("at capacity: %u of %u rooms recording",
                                               g_hash_table_size (self->recordings),
                                               self->max_rooms);

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", "10");
      reply_error (msg, CODE_AT_CAPACITY, text);
      return;
    }
  request = rh_record_request_parse (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                     &error);
  if (request == NULL)
    {
      reply_error (msg, error->code, error->message);
      return;
    }
  /* A room not created before recording starts is a small classroom. */
  if (!rh_cloud_store_get_room (self->store, route->app_id, route->room_uuid, &room_name,
                                &room_type, &error))
    {
      if (!g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
        {
          reply_internal (msg, error);
          return;
        }
      g_clear_error (&error);
      if (!rh_cloud_store_put_room (self->store, route->app_id, route->room_uuid,
                                    route->room_uuid, 4, NULL, &error))
        {
          reply_internal (msg, error);
          return;
        }
    }
  config = g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
  room.cloud_url = self->base_url;
  room.region = route->region;
  room.app_id = route->app_id;
  room.room_uuid = route->room_uuid;
  room.room_name = room_name;
  room.room_type = room_type;
  room.token = self->token;
  recording = rh_cloud_recording_start (self->store, &room, request, config, &error);
  if (recording == NULL)
    {
      /* The request's own values (the region, the page's URL) are the
       * client's to fix; anything else is this side's. */
      if (g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT))
        reply_error (msg, CODE_BAD_REQUEST, error->message);
      else
        reply_internal (msg, error);
      return;
    }
  g_signal_connect (recording, "finished", G_CALLBACK (recording_finished_cb), self);
  g_hash_table_insert (self->recordings, recording_key (route), g_object_ref (recording));
  {
    g_autofree char *room_text = rh_text_printable (route->room_uuid);
    g_autofree char *url_text = rh_text_printable (request->url);

    g_message ("cloud: room %s, record %s: started, page %s", room_text,
               rh_cloud_recording_get_record_id (recording), url_text);
  }
  data = record_data (recording, 1);
  reply_ok (msg, data);
}

static void
handle_stop (RhCloud *self, SoupServerMessage *msg, const RhCloudRoute *route)
{
  g_autoptr (RhCloudRecording) recording = NULL;
  g_autoptr (JsonNode) data = NULL;

  recording = active_recording (self, route);
  if (recording == NULL)
    {
      reply_error (msg, CODE_RECORD_NOT_STARTED, "record not started");
      return;
    }
  g_object_ref (recording);
  /* The stop event is stored before this returns. */
  rh_cloud_recording_stop (recording);
  data = record_data (recording, 2);
  reply_ok (msg, data);
}

static void
handle_update (RhCloud *self, SoupServerMessage *msg, const RhCloudRoute *route)
{
  g_autoptr (GBytes) body = request_body (msg);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) data = NULL;
  RhCloudRecording *recording = active_recording (self, route);
  gboolean on_hold = TRUE, has_on_hold = FALSE;

  if (recording == NULL)
    {
      reply_error (msg, CODE_RECORD_NOT_STARTED, "record not started");
      return;
    }
  if (!rh_record_request_update (g_bytes_get_data (body, NULL), g_bytes_get_size (body),
                                 &on_hold, &has_on_hold, &error))
    {
      reply_error (msg, error->code, error->message);
      return;
    }
  if (has_on_hold && on_hold && !rh_cloud_recording_is_held (recording))
    {
      reply_error (msg, CODE_BAD_REQUEST, "a running recording cannot be put on hold again");
      return;
    }
  if (has_on_hold && !on_hold && !rh_cloud_recording_release (recording, &error))
    {
      reply_internal (msg, error);
      return;
    }
  data = record_data (recording, 1);
  reply_ok (msg, data);
}

/* How full the cloud is: in the records list and the health answer. */
static JsonNode *
capacity_node (RhCloud *self)
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

static gboolean
is_health (RhCloud *self, SoupServerMessage *msg)
{
  return self->store != NULL
         && g_str_equal (g_uri_get_path (soup_server_message_get_uri (msg)), "/health");
}

/* GET /health: answered without the token (a load balancer has none); it
 * tells counts only. */
static void
handle_health (RhCloud *self, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) data = NULL;
  gboolean full = g_hash_table_size (self->recordings) >= self->max_rooms;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, full ? "full" : "ok");
  json_builder_set_member_name (builder, "capacity");
  json_builder_add_value (builder, capacity_node (self));
  json_builder_set_member_name (builder, "readyCalls");
  json_builder_add_int_value (builder, self->ready_count);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);
  reply_ok (msg, data);
}

/* Otherwise answers that the room is unknown, or that the store failed. */
static gboolean
room_known (RhCloud *self, SoupServerMessage *msg, const RhCloudRoute *route)
{
  g_autoptr (GError) error = NULL;

  if (rh_cloud_store_get_room (self->store, route->app_id, route->room_uuid, NULL, NULL,
                               &error))
    return TRUE;
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND))
    reply_error (msg, CODE_NOT_FOUND, "room not found");
  else
    reply_internal (msg, error);
  return FALSE;
}

static void
handle_records (RhCloud *self, SoupServerMessage *msg, const RhCloudRoute *route)
{
  g_autoptr (JsonNode) data = NULL;
  g_autoptr (GError) error = NULL;

  if (!room_known (self, msg, route))
    return;
  data = rh_cloud_store_list_records (self->store, route->app_id, route->room_uuid, &error);
  if (data == NULL)
    {
      reply_internal (msg, error);
      return;
    }
  json_object_set_member (json_node_get_object (data), "capacity", capacity_node (self));
  reply_ok (msg, data);
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
handle_sequences (RhCloud *self, SoupServerMessage *msg, const RhCloudRoute *route,
                  GHashTable *query)
{
  g_autoptr (JsonNode) data = NULL;
  g_autoptr (GError) error = NULL;
  gint64 next_id = 0, cmd = 0;

  if (!query_int (query, "nextId", &next_id) || !query_int (query, "cmd", &cmd)
      || cmd > G_MAXINT)
    {
      reply_error (msg, CODE_BAD_REQUEST, "nextId and cmd must be whole numbers");
      return;
    }
  if (!room_known (self, msg, route))
    return;
  data = rh_cloud_store_list_events (self->store, route->app_id, route->room_uuid, next_id,
                                     (int) cmd, MAX_EVENTS, &error);
  if (data == NULL)
    {
      reply_internal (msg, error);
      return;
    }
  reply_ok (msg, data);
}

/* ---- dispatch ---- */

static gboolean
token_ok (RhCloud *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *token = soup_message_headers_get_one (headers, "x-agora-token");
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");
  g_autofree char *expected = NULL;

  if (self->token == NULL)
    return TRUE;
  if (g_strcmp0 (token, self->token) == 0)
    return TRUE;
  expected = g_strconcat ("agora token=", self->token, NULL);
  return g_strcmp0 (authorization, expected) == 0;
}

typedef enum
{
  ROUTE_ROOM,
  ROUTE_READY,
  ROUTE_START,
  ROUTE_STOP,
  ROUTE_RECORDS,
  ROUTE_SEQUENCES,
} RouteKind;

static const struct
{
  const char *rest;
  RouteKind kind;
  const char *methods; /* for Allow */
} routes[] = {
  { "", ROUTE_ROOM, "POST" },
  { "records/ready", ROUTE_READY, "PUT" },
  { "records/states/1", ROUTE_START, "PUT, PATCH" },
  { "records/states/0", ROUTE_STOP, "PUT" },
  { "records", ROUTE_RECORDS, "GET" },
  { "sequences", ROUTE_SEQUENCES, "GET" },
};

/* Pages call this API from their own origin (a CDN, a file): let the
 * browser's CORS checks pass, the preflight included. */
static gboolean
handle_cors (SoupServerMessage *msg, const char *method)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *asked = soup_message_headers_get_one (request, "Access-Control-Request-Headers");

  soup_message_headers_replace (response, "Access-Control-Allow-Origin", "*");
  if (!g_str_equal (method, "OPTIONS"))
    return FALSE;
  soup_message_headers_replace (response, "Access-Control-Allow-Methods",
                                "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  soup_message_headers_replace (response, "Access-Control-Allow-Headers",
                                asked != NULL ? asked
                                              : "Content-Type, Authorization, x-agora-token, "
                                                "x-agora-uid");
  soup_message_headers_replace (response, "Access-Control-Max-Age", "600");
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  return TRUE;
}

/* The SDKs' own first calls (--sdk-api local routes them here). */
static gboolean
handle_sdk_api (SoupServerMessage *msg, const char *path, const char *method)
{
  g_autoptr (RhSdkApiRequest) request = rh_sdk_api_request_parse (path);
  g_autoptr (JsonNode) data = NULL;

  if (request == NULL)
    return FALSE;
  if (!g_str_equal (method, rh_sdk_api_request_method (request)))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    rh_sdk_api_request_method (request));
      reply_error (msg, CODE_METHOD_NOT_ALLOWED, "method not allowed");
      return TRUE;
    }
  data = rh_sdk_api_request_answer (request);
  reply_ok (msg, data);
  return TRUE;
}

static void
handle_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer user_data)
{
  RhCloud *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr (RhCloudRoute) route = rh_cloud_route_parse (path);
  gboolean get = g_str_equal (method, "GET"), put = g_str_equal (method, "PUT");
  gboolean post = g_str_equal (method, "POST"), patch = g_str_equal (method, "PATCH");
  gint found = -1;

  /* The token and the body's size were checked on the headers. */
  if (handle_cors (msg, method))
    return;
  if (is_health (self, msg))
    {
      if (get)
        handle_health (self, msg);
      else
        reply_error (msg, CODE_METHOD_NOT_ALLOWED, "method not allowed");
      return;
    }
  for (guint i = 0; route != NULL && i < G_N_ELEMENTS (routes); i++)
    if (g_str_equal (route->rest, routes[i].rest))
      found = (gint) i;
  if (route == NULL && handle_sdk_api (msg, path, method))
    return;
  if (found < 0 || (self->store == NULL && routes[found].kind != ROUTE_READY))
    {
      reply_error (msg, CODE_NOT_FOUND, "no such API");
      return;
    }
  switch (routes[found].kind)
    {
    case ROUTE_ROOM:
      if (post)
        {
          handle_create_room (self, msg, route);
          return;
        }
      break;
    case ROUTE_READY:
      if (put)
        {
          handle_ready (self, msg, route);
          return;
        }
      break;
    case ROUTE_START:
      if (put || patch)
        {
          if (put)
            handle_start (self, msg, route);
          else
            handle_update (self, msg, route);
          return;
        }
      break;
    case ROUTE_STOP:
      if (put)
        {
          handle_stop (self, msg, route);
          return;
        }
      break;
    case ROUTE_RECORDS:
      if (get)
        {
          handle_records (self, msg, route);
          return;
        }
      break;
    case ROUTE_SEQUENCES:
      if (get)
        {
          handle_sequences (self, msg, route, query);
          return;
        }
      break;
    default:
      break;
    }
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                routes[found].methods);
  reply_error (msg, CODE_METHOD_NOT_ALLOWED, "method not allowed");
}

/* ---- refusing before the body ---- */

/* A refused client may still be sending: it is given this long to read the
 * answer before the connection is dropped. */
#define LINGER_MS 2000

typedef struct
{
  GIOStream *stream;
  GSocket *socket;
  GBytes *answer;
  GCancellable *cancellable;
  guint timeout_id;
  guint8 buffer[8192];
} Lingering;

static void
lingering_free (Lingering *lingering)
{
  g_clear_handle_id (&lingering->timeout_id, g_source_remove);
  g_io_stream_close (lingering->stream, NULL, NULL);
  g_object_unref (lingering->stream);
  g_clear_object (&lingering->socket);
  g_bytes_unref (lingering->answer);
  g_object_unref (lingering->cancellable);
  g_free (lingering);
}

static gboolean
lingering_timeout_cb (gpointer user_data)
{
  Lingering *lingering = user_data;

  lingering->timeout_id = 0;
  g_cancellable_cancel (lingering->cancellable);
  return G_SOURCE_REMOVE;
}

/* What the client still sends is read and dropped, a buffer at a time,
 * until it closes or the time is up. */
static void
lingering_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lingering *lingering = user_data;

  if (g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL) <= 0)
    {
      lingering_free (lingering);
      return;
    }
  g_input_stream_read_async (G_INPUT_STREAM (source), lingering->buffer,
                             sizeof lingering->buffer, G_PRIORITY_LOW, lingering->cancellable,
                             lingering_read_cb, lingering);
}

static void
lingering_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lingering *lingering = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      lingering_free (lingering);
      return;
    }
  /* The answer is complete: tell the client so, then drain. */
  if (lingering->socket != NULL)
    g_socket_shutdown (lingering->socket, FALSE, TRUE, NULL);
  g_input_stream_read_async (g_io_stream_get_input_stream (lingering->stream),
                             lingering->buffer, sizeof lingering->buffer, G_PRIORITY_LOW,
                             lingering->cancellable, lingering_read_cb, lingering);
}

/* libsoup's server reads a request's whole body whatever status was set on
 * its headers (unless the client asked "Expect: 100-continue"), so a refused
 * request whose body is still coming is answered here: the connection is
 * taken from the server, the answer already set on @msg is written, and the
 * rest of the body is never read into memory. */
static void
answer_and_close (SoupServerMessage *msg)
{
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  guint status = soup_server_message_get_status (msg);
  GString *answer = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  Lingering *lingering;
  GIOStream *stream;

  g_string_append_printf (answer, "HTTP/1.1 %u %s\r\n", status, soup_status_get_phrase (status));
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strcasecmp (name, "Content-Length") != 0)
      g_string_append_printf (answer, "%s: %s\r\n", name, value);
  g_string_append_printf (answer, "Content-Length: %zu\r\n\r\n", g_bytes_get_size (body));
  g_string_append_len (answer, g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  lingering = g_new0 (Lingering, 1);
  lingering->answer = g_string_free_to_bytes (answer);
  lingering->cancellable = g_cancellable_new ();
  if (soup_server_message_get_socket (msg) != NULL)
    lingering->socket = g_object_ref (soup_server_message_get_socket (msg));
  /* @msg may be gone after this. */
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      g_clear_object (&lingering->socket);
      g_bytes_unref (lingering->answer);
      g_object_unref (lingering->cancellable);
      g_free (lingering);
      return;
    }
  lingering->stream = stream;
  lingering->timeout_id = g_timeout_add (LINGER_MS, lingering_timeout_cb, lingering);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (lingering->answer, NULL),
                                   g_bytes_get_size (lingering->answer), G_PRIORITY_DEFAULT,
                                   lingering->cancellable, lingering_written_cb, lingering);
}

/* Whether the request's body is still to be read. */
static gboolean
body_follows (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      /* libsoup reads -1 as a body without end. */
      return soup_message_headers_get_content_length (headers) != 0;
    case SOUP_ENCODING_NONE:
      return FALSE;
    default:
      return TRUE;
    }
}

/* Answers @msg with an error, without reading the rest of its body. */
static void
refuse (SoupServerMessage *msg, gint64 code, const char *text)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

  reply_error (msg, code, text);
  soup_message_headers_replace (response, "Access-Control-Allow-Origin", "*");
  /* Whatever the client sends next is the refused body, not a request. */
  soup_message_headers_replace (response, "Connection", "close");
  /* Without a body, or with "Expect: 100-continue", libsoup answers at once
   * and reads no body. */
  if (!body_follows (msg)
      || (soup_message_headers_get_expectations (request) & SOUP_EXPECTATION_CONTINUE))
    return;
  answer_and_close (msg);
}

/* A body has one length, in digits, or chunks: anything else (-1, "5, 7",
 * both) would have libsoup wait for a body that never ends, or smuggle one. */
static gboolean
framing_ok (SoupMessageHeaders *headers)
{
  const char *length = soup_message_headers_get_list (headers, "Content-Length");

  if (length == NULL)
    return soup_message_headers_get_encoding (headers) != SOUP_ENCODING_UNRECOGNIZED;
  if (soup_message_headers_get_one (headers, "Transfer-Encoding") != NULL)
    return FALSE;
  return *length != '\0' && strspn (length, "0123456789") == strlen (length);
}

/* Decided on the headers alone, before any of the body is read. */
static void
got_headers_cb (SoupServerMessage *msg, gpointer user_data)
{
  RhCloud *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  guint status = soup_server_message_get_status (msg);

  if (status != 0)
    refuse (msg, status, "bad request");
  else if (!framing_ok (headers))
    refuse (msg, CODE_BAD_REQUEST, "request body without one valid length");
  else if (!g_str_equal (soup_server_message_get_method (msg), "OPTIONS")
           && !is_health (self, msg) && !token_ok (self, msg))
    refuse (msg, CODE_UNAUTHORIZED, "x-agora-token missing or wrong");
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
           && soup_message_headers_get_content_length (headers) > MAX_BODY)
    refuse (msg, CODE_TOO_LARGE, "request body too large");
}

/* A chunked body announces no length: it is refused as it passes the bound. */
static void
got_chunk_cb (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  if (soup_server_message_get_request_body (msg)->length > MAX_BODY)
    refuse (msg, CODE_TOO_LARGE, "request body too large");
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (got_headers_cb), user_data, 0);
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), user_data, 0);
}

static void
rh_cloud_dispose (GObject *object)
{
  RhCloud *self = RH_CLOUD (object);

  if (self->recordings != NULL)
    {
      GHashTableIter iter;
      gpointer recording;

      rh_cloud_stop_all (self);
      g_hash_table_iter_init (&iter, self->recordings);
      while (g_hash_table_iter_next (&iter, NULL, &recording))
        g_signal_handlers_disconnect_by_data (recording, self);
      g_clear_pointer (&self->recordings, g_hash_table_unref);
    }
  G_OBJECT_CLASS (rh_cloud_parent_class)->dispose (object);
}

static void
rh_cloud_finalize (GObject *object)
{
  RhCloud *self = RH_CLOUD (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->base_url);
  g_free (self->token);
  rh_cloud_store_close (self->store);
  G_OBJECT_CLASS (rh_cloud_parent_class)->finalize (object);
}

static void
rh_cloud_class_init (RhCloudClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_cloud_dispose;
  object_class->finalize = rh_cloud_finalize;

  /* A ready call arrived: (app id, room uuid). */
  signals[SIGNAL_READY_RECEIVED] = g_signal_new ("ready-received", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
rh_cloud_init (RhCloud *self)
{
  /* Raw paths: room uuids are decoded part by part (rh_cloud_route_parse). */
  self->server = soup_server_new ("server-header", "recordhost-cloud ", "raw-paths", TRUE, NULL);
  g_signal_connect_object (self->server, "request-started", G_CALLBACK (request_started_cb),
                           self, 0);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
  self->recordings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->max_rooms = rh_cloud_default_max_rooms ();
}

/* Eight rooms a core by default: what this machine held recording still
 * classroom pages; see README, "Rooms at scale". */
guint
rh_cloud_default_max_rooms (void)
{
  return 8 * g_get_num_processors ();
}

void
rh_cloud_set_max_rooms (RhCloud *cloud, guint max_rooms)
{
  cloud->max_rooms = MAX (max_rooms, 1);
}

/* Pages of this process share web processes this many at a time (rooms
 * started after the call). */
void
rh_cloud_set_rooms_per_web_process (RhCloud *cloud, guint count)
{
  rh_page_host_set_views_per_process (count);
}

/* @store NULL: only the ready call is answered, for any room (the stand-in
 * `check` starts).  Takes @store. */
RhCloud *
rh_cloud_new (RhCloudStore *store, const char *require_token)
{
  RhCloud *self = g_object_new (RH_TYPE_CLOUD, NULL);

  self->store = store;
  self->token = g_strdup (require_token);
  return self;
}

static gboolean
set_base_url (RhCloud *cloud, GError **error)
{
  g_autoslist (GUri) uris = soup_server_get_uris (cloud->server);
  g_autofree char *host = NULL;

  if (uris == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "not listening");
      return FALSE;
    }
  host = g_strdup (g_uri_get_host (uris->data));
  g_free (cloud->base_url);
  if (strchr (host, ':') != NULL)
    cloud->base_url = g_strdup_printf ("http://[%s]:%d", host, g_uri_get_port (uris->data));
  else
    cloud->base_url = g_strdup_printf ("http://%s:%d", host, g_uri_get_port (uris->data));
  return TRUE;
}

/* Loopback only: nothing leaves the machine. Port 0 picks a free one. */
gboolean
rh_cloud_listen_local (RhCloud *cloud, guint port, GError **error)
{
  if (!soup_server_listen_local (cloud->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    {
      g_prefix_error (error, "local cloud: ");
      return FALSE;
    }
  return set_base_url (cloud, error);
}

/* ADDR:PORT, e.g. 127.0.0.1:8440; ":PORT" means 127.0.0.1. */
gboolean
rh_cloud_listen (RhCloud *cloud, const char *address, GError **error)
{
  g_autoptr (GSocketAddress) socket_address = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autofree char *full = NULL;
  g_autoptr (GSocketConnectable) connectable = NULL;
  g_autoptr (GSocketAddressEnumerator) enumerator = NULL;

  full = g_str_has_prefix (address, ":") ? g_strconcat ("127.0.0.1", address, NULL)
                                         : g_strdup (address);
  connectable = g_network_address_parse (full, 0, &local_error);
  if (connectable == NULL || strrchr (full, ':') == NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "bad --listen '%s': expected ADDRESS:PORT", address);
      return FALSE;
    }
  enumerator = g_socket_connectable_enumerate (connectable);
  socket_address = g_socket_address_enumerator_next (enumerator, NULL, &local_error);
  if (socket_address == NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "bad --listen '%s': %s", address,
                   local_error != NULL ? local_error->message : "no address");
      return FALSE;
    }
  cloud->exposed = G_IS_INET_SOCKET_ADDRESS (socket_address)
                   && !g_inet_address_get_is_loopback (g_inet_socket_address_get_address (
                        G_INET_SOCKET_ADDRESS (socket_address)));
  if (!soup_server_listen (cloud->server, socket_address, 0, &local_error))
    {
      g_set_error (error, G_IO_ERROR, local_error->code, "cannot listen on %s: %s", full,
                   local_error->message);
      return FALSE;
    }
  return set_base_url (cloud, error);
}

const char *
rh_cloud_get_base_url (RhCloud *cloud)
{
  return cloud->base_url;
}

guint
rh_cloud_get_ready_count (RhCloud *cloud)
{
  return cloud->ready_count;
}

guint
rh_cloud_get_active_count (RhCloud *cloud)
{
  return g_hash_table_size (cloud->recordings);
}

/* Stops every recording normally (reason 2, stored): for a clean exit. */
void
rh_cloud_stop_all (RhCloud *cloud)
{
  g_autoptr (GList) recordings = g_hash_table_get_values (cloud->recordings);

  for (GList *l = recordings; l != NULL; l = l->next)
    {
      g_autoptr (RhCloudRecording) recording = g_object_ref (l->data);

      rh_cloud_recording_stop (recording);
    }
}

/* Listening on an address other machines can reach. */
gboolean
rh_cloud_is_exposed (RhCloud *cloud)
{
  return cloud->exposed;
}
