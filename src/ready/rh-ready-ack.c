#include "rh-ready-ack.h"

#include "rh-api-server.h"

struct _RhReadyAck
{
  GObject parent_instance;

  SoupServer *server;
  char *base_url;
  gboolean answer_sdk_api;
  guint ready_count;
};

G_DEFINE_FINAL_TYPE (RhReadyAck, rh_ready_ack, G_TYPE_OBJECT)

enum
{
  SIGNAL_READY_RECEIVED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
handle_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer user_data)
{
  RhReadyAck *self = user_data;
  g_autoptr (RhApiPath) api_path = rh_api_path_parse (path);

  /* The body's framing and size, Host and Origin were checked on the headers. */
  if (rh_api_handle_cors (msg, api_path))
    return;
  if (self->answer_sdk_api && rh_api_handle_sdk_api (msg, api_path))
    return;
  if (api_path == NULL || api_path->kind != RH_API_PATH_ROOM
      || !g_str_equal (api_path->rest, RH_API_PATH_READY))
    {
      rh_api_reply_error (msg, RH_API_CODE_NOT_FOUND, "no such API");
      return;
    }
  if (!g_str_equal (soup_server_message_get_method (msg), "PUT"))
    {
      rh_api_reply_not_allowed (msg, "PUT");
      return;
    }
  self->ready_count++;
  g_signal_emit (self, signals[SIGNAL_READY_RECEIVED], 0, api_path->app_id,
                 api_path->room_uuid);
  rh_api_reply_ok (msg, NULL);
}

static void
rh_ready_ack_finalize (GObject *object)
{
  RhReadyAck *self = RH_READY_ACK (object);

  soup_server_disconnect (self->server);
  g_clear_object (&self->server);
  g_free (self->base_url);
  G_OBJECT_CLASS (rh_ready_ack_parent_class)->finalize (object);
}

static void
rh_ready_ack_class_init (RhReadyAckClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = rh_ready_ack_finalize;

  /* A ready call arrived: (app id, room uuid). */
  signals[SIGNAL_READY_RECEIVED] = g_signal_new ("ready-received", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 2, G_TYPE_STRING, G_TYPE_STRING);
}

static void
rh_ready_ack_init (RhReadyAck *self)
{
  self->server = rh_api_server_new ("recordhost-ready-ack ", NULL, NULL);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
}

/* Listening on 127.0.0.1, on a free port: nothing leaves the machine. */
RhReadyAck *
rh_ready_ack_new (gboolean answer_sdk_api, GError **error)
{
  g_autoptr (RhReadyAck) self = g_object_new (RH_TYPE_READY_ACK, NULL);

  self->answer_sdk_api = answer_sdk_api;
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    {
      g_prefix_error (error, "ready acknowledger: ");
      return NULL;
    }
  self->base_url = rh_api_server_get_base_url (self->server, error);
  if (self->base_url == NULL)
    return NULL;
  return g_steal_pointer (&self);
}

const char *
rh_ready_ack_get_base_url (RhReadyAck *ack)
{
  return ack->base_url;
}

guint
rh_ready_ack_get_ready_count (RhReadyAck *ack)
{
  return ack->ready_count;
}
