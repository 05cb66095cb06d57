/* The local cloud: where it listens, how it routes the API to its handlers
 * (rh-cloud-handlers.c), how many rooms it holds at once, and its metrics. */
#include "rh-cloud-private.h"

#include <string.h>

#include "rh-cloud-recording.h"
#include "rh-error.h"
#include "rh-page-host.h"
#include "rh-page-options.h"
#include "rh-recording-file.h"
#include "rh-sdk-api.h"

G_DEFINE_FINAL_TYPE (RhCloud, rh_cloud, G_TYPE_OBJECT)

enum
{
  SIGNAL_READY_RECEIVED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* ---- dispatch ---- */

static gboolean
is_health (SoupServerMessage *msg)
{
  const char *path = g_uri_get_path (soup_server_message_get_uri (msg));

  /* /health/ready: whether to send this worker new calls (readiness). */
  return g_str_equal (path, "/health") || g_str_equal (path, "/health/ready");
}

static gboolean
is_metrics (SoupServerMessage *msg)
{
  return g_str_equal (g_uri_get_path (soup_server_message_get_uri (msg)), "/metrics");
}

#define AUTHORIZATION_PREFIX "agora token="
#define BEARER_PREFIX "Bearer "

/* Whether @msg carries the token: x-agora-token, or Authorization: agora
 * token=TOKEN.  FALSE when none is required. */
gboolean
rh_cloud_is_authenticated (RhCloud *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *token = soup_message_headers_get_one (headers, "x-agora-token");
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  if (self->token == NULL)
    return FALSE;
  if (token != NULL && rh_api_secret_equal (token, self->token))
    return TRUE;
  return authorization != NULL
         && g_ascii_strncasecmp (authorization, AUTHORIZATION_PREFIX,
                                 strlen (AUTHORIZATION_PREFIX)) == 0
         && rh_api_secret_equal (authorization + strlen (AUTHORIZATION_PREFIX), self->token);
}

/* Authorization: Bearer TOKEN, as Prometheus sends a scrape's credentials. */
static gboolean
is_bearer (RhCloud *self, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *authorization = soup_message_headers_get_one (headers, "Authorization");

  return authorization != NULL
         && g_ascii_strncasecmp (authorization, BEARER_PREFIX, strlen (BEARER_PREFIX)) == 0
         && rh_api_secret_equal (authorization + strlen (BEARER_PREFIX), self->token);
}

/* On the headers: GET /health is answered without the token (a load
 * balancer has none); /metrics takes it as a bearer token too. */
static gboolean
token_ok (SoupServerMessage *msg, gpointer user_data)
{
  RhCloud *self = user_data;

  return self->token == NULL || is_health (msg) || rh_cloud_is_authenticated (self, msg)
         || (is_metrics (msg) && is_bearer (self, msg));
}

typedef enum
{
  ROUTE_ROOM,
  ROUTE_READY,
  ROUTE_START,
  ROUTE_STOP,
  ROUTE_RECORDS,
  ROUTE_RECORD_FILE,
  ROUTE_SEQUENCES,
} RouteKind;

static const struct
{
  const char *rest;
  RouteKind kind;
  const char *methods; /* for Allow */
  const char *name;    /* in the metrics (rh_cloud_metrics_is_route ()) */
} routes[] = {
  { "", ROUTE_ROOM, "POST", "room" },
  { RH_API_PATH_READY, ROUTE_READY, "PUT", "ready" },
  { RH_API_PATH_START, ROUTE_START, "PUT, PATCH", "start" },
  { RH_API_PATH_STOP, ROUTE_STOP, "PUT", "stop" },
  { RH_API_PATH_RECORDS, ROUTE_RECORDS, "GET", "records" },
  { RH_API_PATH_RECORD_HAR, ROUTE_RECORD_FILE, "GET", "record_file" },
  { RH_API_PATH_RECORD_SNAPSHOTS, ROUTE_RECORD_FILE, "GET", "record_file" },
  { RH_API_PATH_SEQUENCES, ROUTE_SEQUENCES, "GET", "sequences" },
};

/* The row of routes @api_path takes, or -1. */
static gint
find_route (const RhApiPath *api_path)
{
  for (guint i = 0; api_path != NULL && i < G_N_ELEMENTS (routes); i++)
    if (g_str_equal (api_path->rest, routes[i].rest))
      return (gint) i;
  return -1;
}

/* What the metrics call the route of @msg, as handle_request () routes it:
 * a name from a fixed list, never anything of the path. */
static const char *
route_name (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  const char *path = uri != NULL ? g_uri_get_path (uri) : NULL;
  g_autoptr (RhApiPath) api_path = NULL;
  gint found;

  /* A request line libsoup could not read has none. */
  if (path == NULL)
    return "other";
  if (is_health (msg))
    return "health";
  if (is_metrics (msg))
    return "metrics";
  api_path = rh_api_path_parse (path);
  if (api_path != NULL && rh_sdk_api_handles (api_path))
    return "sdk_api";
  if (rh_recording_file_name (path) != NULL)
    return "recording";
  found = find_route (api_path);
  if (found < 0)
    return "other";
  /* The start's path takes the update's PATCH too. */
  if (routes[found].kind == ROUTE_START
      && g_str_equal (soup_server_message_get_method (msg), "PATCH"))
    return "update";
  return routes[found].name;
}

#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* GET /metrics: the Prometheus text, with the rooms as they are now. */
static void
handle_metrics (RhCloud *self, SoupServerMessage *msg)
{
  GHashTableIter iter;
  gpointer recording;
  guint held = 0;
  char *text;

  g_hash_table_iter_init (&iter, self->recordings);
  while (g_hash_table_iter_next (&iter, NULL, &recording))
    held += rh_cloud_recording_is_held (recording) ? 1 : 0;
  /* Pending rooms are the cluster's (as of the last renewal), the rest this
   * worker's; a worker that drains has no room to give. */
  rh_cloud_metrics_set_rooms (self->metrics, rh_cloud_is_clustered (self) ? self->cluster.pending
                                                                          : 0,
                              g_hash_table_size (self->recordings) - held, held, 0,
                              self->draining ? 0 : self->max_rooms);
  text = rh_metrics_render (self->metrics);
  soup_server_message_set_response (msg, METRICS_CONTENT_TYPE, SOUP_MEMORY_TAKE, text,
                                    strlen (text));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
handle_request (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
                gpointer user_data)
{
  RhCloud *self = user_data;
  const char *method = soup_server_message_get_method (msg);
  g_autoptr (RhApiPath) api_path = rh_api_path_parse (path);
  gboolean get = g_str_equal (method, "GET"), put = g_str_equal (method, "PUT");
  gboolean post = g_str_equal (method, "POST"), patch = g_str_equal (method, "PATCH");
  gint found = find_route (api_path);

  /* The token, Host, Origin, the body's size and type were checked on the
   * headers. */
  if (rh_api_handle_cors (msg, api_path))
    return;
  if (is_health (msg))
    {
      if (get)
        rh_cloud_handle_health (self, msg);
      else
        rh_api_reply_not_allowed (msg, NULL);
      return;
    }
  if (is_metrics (msg))
    {
      if (get)
        handle_metrics (self, msg);
      else
        rh_api_reply_not_allowed (msg, "GET");
      return;
    }
  if (rh_api_handle_sdk_api (msg, api_path))
    return;
  if (rh_recording_file_name (path) != NULL)
    {
      if (get)
        rh_cloud_handle_recording (self, msg, rh_recording_file_name (path));
      else
        rh_api_reply_not_allowed (msg, "GET");
      return;
    }
  if (found < 0)
    {
      rh_api_reply_error (msg, RH_API_CODE_NOT_FOUND, "no such API");
      return;
    }
  switch (routes[found].kind)
    {
    case ROUTE_ROOM:
      if (post)
        {
          rh_cloud_handle_create_room (self, msg, api_path);
          return;
        }
      break;
    case ROUTE_READY:
      if (put)
        {
          rh_cloud_handle_ready (self, msg, api_path);
          return;
        }
      break;
    case ROUTE_START:
      if (put || patch)
        {
          if (put)
            rh_cloud_handle_start (self, msg, api_path);
          else
            rh_cloud_handle_update (self, msg, api_path);
          return;
        }
      break;
    case ROUTE_STOP:
      if (put)
        {
          rh_cloud_handle_stop (self, msg, api_path);
          return;
        }
      break;
    case ROUTE_RECORDS:
      if (get)
        {
          rh_cloud_handle_records (self, msg, api_path);
          return;
        }
      break;
    case ROUTE_RECORD_FILE:
      if (get)
        {
          rh_cloud_handle_record_file (self, msg, api_path, query);
          return;
        }
      break;
    case ROUTE_SEQUENCES:
      if (get)
        {
          rh_cloud_handle_sequences (self, msg, api_path, query);
          return;
        }
      break;
    default:
      break;
    }
  rh_api_reply_not_allowed (msg, routes[found].methods);
}

static void
rh_cloud_dispose (GObject *object)
{
  RhCloud *self = RH_CLOUD (object);

  if (self->recordings != NULL)
    {
      GHashTableIter iter;
      gpointer recording;

      rh_cloud_cluster_stop (self);
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
  g_free (self->file_page);
  g_clear_pointer (&self->starting, g_hash_table_unref);
  g_clear_pointer (&self->handing_off, g_hash_table_unref);
  g_clear_object (&self->store);
  rh_metrics_unref (self->metrics);
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
  self->metrics = rh_cloud_metrics_new ();
  self->server = rh_api_server_new ("recordhost-cloud ", token_ok, self);
  soup_server_add_handler (self->server, NULL, handle_request, self, NULL);
  rh_cloud_metrics_time_requests (self->metrics, self->server, route_name);
  self->recordings = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
  self->starting = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->handing_off = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  self->max_rooms = rh_cloud_default_max_rooms ();
  self->page_memory_mb = RH_PAGE_OPTIONS_DEFAULT_PAGE_MEMORY_MB;
  self->sdk_api_local = TRUE;
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

/* The memory each web process may use, in MB, for the rooms started after
 * the call: per process, so rooms that share one share it. */
void
rh_cloud_set_page_memory (RhCloud *cloud, guint page_memory_mb)
{
  cloud->page_memory_mb = page_memory_mb;
}

/* Whether the pages of the recordings started after the call reach this
 * cloud for the classroom SDKs' API hosts (--sdk-api local, the default),
 * unless a start's sdkApi says otherwise. */
void
rh_cloud_set_sdk_api_local (RhCloud *cloud, gboolean local)
{
  cloud->sdk_api_local = local;
}

/* The engine of the pages of the recordings started after the call, unless
 * a start's engine says otherwise. */
void
rh_cloud_set_engine (RhCloud *cloud, RhBrowserEngine engine)
{
  cloud->engine = engine;
}

/* Takes @store. */
RhCloud *
rh_cloud_new (RhCloudStore *store, const char *require_token)
{
  RhCloud *self;

  g_return_val_if_fail (store != NULL, NULL);
  self = g_object_new (RH_TYPE_CLOUD, NULL);

  self->store = store;
  /* Opened: its failures are the store's to report. */
  rh_cloud_metrics_set_store_up (self->metrics, TRUE);
  self->token = g_strdup (require_token);
  return self;
}

static gboolean
set_base_url (RhCloud *cloud, GError **error)
{
  char *base_url = rh_api_server_get_base_url (cloud->server, error);

  if (base_url == NULL)
    return FALSE;
  g_free (cloud->base_url);
  cloud->base_url = base_url;
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
  /* Anyone who can reach it could start recordings, of any page. */
  if (cloud->exposed && cloud->token == NULL && !cloud->insecure_no_token)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "--listen %s is beyond loopback: give a token (--require-token, "
                   "--token-file or RECORDHOST_CLOUD_TOKEN), or --insecure-no-token",
                   address);
      return FALSE;
    }
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

/* Nothing under way: no recording, no start, no claim being given back. */
gboolean
rh_cloud_is_settled (RhCloud *cloud)
{
  return rh_cloud_taken_count (cloud) == 0 && cloud->giving_back == 0;
}

/* Stops every recording normally (reason 2): for a clean exit, with the
 * main loop run until rh_cloud_get_active_count () is 0, when every end is
 * stored. */
void
rh_cloud_stop_all (RhCloud *cloud)
{
  g_autoptr (GList) recordings = g_hash_table_get_values (cloud->recordings);

  /* A worker that stops claims no room more. */
  cloud->draining = TRUE;
  for (GList *l = recordings; l != NULL; l = l->next)
    {
      g_autoptr (RhCloudRecording) recording = g_object_ref (l->data);

      /* One the store could not take is logged; the next start ends it. */
      rh_cloud_recording_stop_async (recording, NULL, NULL);
    }
}

/* Whether the cloud may listen beyond loopback without a token
 * (--insecure-no-token); otherwise rh_cloud_listen () refuses. */
void
rh_cloud_set_insecure_no_token (RhCloud *cloud, gboolean insecure)
{
  cloud->insecure_no_token = insecure;
}

/* One more name the cloud answers to (--allowed-host NAME[:PORT]). */
gboolean
rh_cloud_allow_host (RhCloud *cloud, const char *host, GError **error)
{
  if (!rh_api_server_allow_host (cloud->server, host, error))
    {
      g_prefix_error (error, "--allowed-host: ");
      return FALSE;
    }
  return TRUE;
}

/* Whether a start may open any page of this machine's files (a file: URL,
 * a path): --allow-file-pages. */
void
rh_cloud_set_allow_file_pages (RhCloud *cloud, gboolean allow)
{
  cloud->allow_file_pages = allow;
}

/* The one file page a start may open without --allow-file-pages, given as
 * its file: URL (demo --flow's bundled page). */
void
rh_cloud_allow_file_page (RhCloud *cloud, const char *uri)
{
  g_free (cloud->file_page);
  cloud->file_page = g_strdup (uri);
}

/* Listening on an address other machines can reach. */
gboolean
rh_cloud_is_exposed (RhCloud *cloud)
{
  return cloud->exposed;
}
