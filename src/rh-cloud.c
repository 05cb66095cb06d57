#include "rh-cloud.h"

#include <json-glib/json-glib.h>
#include <string.h>

#include "rh-error.h"

/* Error codes of the cloud's envelope. */
#define CODE_NOT_FOUND 404
#define CODE_METHOD_NOT_ALLOWED 405

struct _RhCloud
{
  GObject parent_instance;

  SoupServer *server;
  char *base_url;
  guint ready_count;
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

/* @path is decoded already (libsoup's server decodes the request path), so
 * a room uuid may contain '/': the room is what lies between "/v2/rooms/"
 * and a known endpoint. */
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
      route->region = g_strndup (rest + 1, slash - rest - 1);
      rest = slash;
    }
  if (!g_str_has_prefix (rest, "/edu/apps/"))
    return NULL;
  rest += strlen ("/edu/apps/");
  app_end = strstr (rest, "/v2/rooms/");
  if (app_end == NULL || app_end == rest)
    return NULL;
  route->app_id = g_strndup (rest, app_end - rest);
  if (strchr (route->app_id, '/') != NULL)
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
  route->room_uuid = g_strndup (room, room_length);
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
  body = json_to_string (root, FALSE);
  length = strlen (body);

  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    g_steal_pointer (&body), length);
}

static void
handle_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer user_data)
{
  RhCloud *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr (RhCloudRoute) route = rh_cloud_route_parse (g_uri_get_path (soup_server_message_get_uri (msg)));

  if (route == NULL || !g_str_equal (route->rest, "records/ready"))
    {
      reply_envelope (msg, SOUP_STATUS_NOT_FOUND, CODE_NOT_FOUND, "no such API", NULL);
      return;
    }
  if (!g_str_equal (method, SOUP_METHOD_PUT))
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                    "PUT");
      reply_envelope (msg, SOUP_STATUS_METHOD_NOT_ALLOWED, CODE_METHOD_NOT_ALLOWED,
                      "method not allowed", NULL);
      return;
    }
  self->ready_count++;
  g_signal_emit (self, signals[SIGNAL_READY_RECEIVED], 0, route->app_id, route->room_uuid);
  reply_envelope (msg, SOUP_STATUS_OK, 0, "Success", NULL);
}

static void
rh_cloud_finalize (GObject *object)
{
  RhCloud *self = RH_CLOUD (object);

  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->base_url);
  G_OBJECT_CLASS (rh_cloud_parent_class)->finalize (object);
}

static void
rh_cloud_class_init (RhCloudClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rh_cloud_finalize;

  /* A ready call arrived: (app id, room uuid). */
  signals[SIGNAL_READY_RECEIVED] = g_signal_new ("ready-received", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
rh_cloud_init (RhCloud *self)
{
  self->server = soup_server_new ("server-header", "recordhost-cloud ", NULL);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
}

RhCloud *
rh_cloud_new (void)
{
  return g_object_new (RH_TYPE_CLOUD, NULL);
}

/* Loopback only: nothing leaves the machine. Port 0 picks a free one. */
gboolean
rh_cloud_listen_local (RhCloud *cloud, guint port, GError **error)
{
  g_autoslist (GUri) uris = NULL;

  if (!soup_server_listen_local (cloud->server, port, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    {
      g_prefix_error (error, "local cloud: ");
      return FALSE;
    }
  uris = soup_server_get_uris (cloud->server);
  g_free (cloud->base_url);
  cloud->base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  return TRUE;
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
