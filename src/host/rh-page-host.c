#include "rh-page-host.h"

G_DEFINE_ENUM_TYPE (RhPageLoadEvent, rh_page_load_event,
                    G_DEFINE_ENUM_VALUE (RH_PAGE_LOAD_STARTED, "started"),
                    G_DEFINE_ENUM_VALUE (RH_PAGE_LOAD_REDIRECTED, "redirected"),
                    G_DEFINE_ENUM_VALUE (RH_PAGE_LOAD_COMMITTED, "committed"),
                    G_DEFINE_ENUM_VALUE (RH_PAGE_LOAD_FINISHED, "finished"))

G_DEFINE_ABSTRACT_TYPE (RhPageHost, rh_page_host, G_TYPE_OBJECT)

enum
{
  SIGNAL_BRIDGE_MESSAGE,
  SIGNAL_FRAME,
  SIGNAL_LOAD_EVENT,
  SIGNAL_LOAD_FAILED,
  SIGNAL_WEB_PROCESS_TERMINATED,
  SIGNAL_RESOURCE_STARTED,
  SIGNAL_RESOURCE_SENT,
  SIGNAL_RESOURCE_RESPONSE,
  SIGNAL_RESOURCE_FINISHED,
  SIGNAL_RESOURCE_FAILED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static guint views_per_process = 1;
static guint memory_limit_mb; /* 0: the engine's own */
static gboolean own_website_data;

static void
rh_page_host_class_init (RhPageHostClass *klass)
{
  GType type = G_TYPE_FROM_CLASS (klass);

  /* A message from the bridge: a JsonObject with at least "kind". */
  signals[SIGNAL_BRIDGE_MESSAGE] = g_signal_new ("bridge-message", type, G_SIGNAL_RUN_LAST, 0,
                                                 NULL, NULL, NULL, G_TYPE_NONE, 1,
                                                 JSON_TYPE_OBJECT);
  /* A rendered frame: an RhFrame valid during emission only. */
  signals[SIGNAL_FRAME] = g_signal_new ("frame", type, G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                        G_TYPE_NONE, 1, G_TYPE_POINTER);
  /* (RhPageLoadEvent event, const char *uri, guint status): the main
   * document's progress; status is its HTTP status once committed, 0 before
   * or when the scheme has none. */
  signals[SIGNAL_LOAD_EVENT] = g_signal_new ("load-event", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                             NULL, NULL, G_TYPE_NONE, 3, RH_TYPE_PAGE_LOAD_EVENT,
                                             G_TYPE_STRING, G_TYPE_UINT);
  /* (const char *uri, GError *error, gboolean tls): the main document did
   * not load; tls when its certificate was not trusted.  A load the host
   * itself cancelled (a reload, a stop) fails with G_IO_ERROR_CANCELLED. */
  signals[SIGNAL_LOAD_FAILED] = g_signal_new ("load-failed", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                              NULL, NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
                                              G_TYPE_ERROR, G_TYPE_BOOLEAN);
  /* (gboolean crashed, const char *reason): the process that ran the page
   * is gone; reason in words ("crashed", "exceeded its memory limit"). */
  signals[SIGNAL_WEB_PROCESS_TERMINATED] = g_signal_new ("web-process-terminated", type,
                                                         G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                         G_TYPE_NONE, 2, G_TYPE_BOOLEAN,
                                                         G_TYPE_STRING);
  /* (guint64 id, const char *uri): the page asked for a resource; the id
   * names it in the two signals below, one of which follows. */
  signals[SIGNAL_RESOURCE_STARTED] = g_signal_new ("resource-started", type, G_SIGNAL_RUN_LAST, 0,
                                                   NULL, NULL, NULL, G_TYPE_NONE, 2,
                                                   G_TYPE_UINT64, G_TYPE_STRING);
  /* (guint64 id, const char *method, GStrv headers): its request went out
   * (again, after a redirect) with these headers; headers are name, value,
   * name, value... */
  signals[SIGNAL_RESOURCE_SENT] = g_signal_new ("resource-sent", type, G_SIGNAL_RUN_LAST, 0, NULL,
                                                NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT64,
                                                G_TYPE_STRING, G_TYPE_STRV);
  /* (guint64 id, const char *mime_type, gint64 content_length, GStrv
   * headers): its response, before it finishes or fails; content_length
   * -1 when unknown, headers as above. */
  signals[SIGNAL_RESOURCE_RESPONSE] = g_signal_new ("resource-response", type, G_SIGNAL_RUN_LAST,
                                                    0, NULL, NULL, NULL, G_TYPE_NONE, 4,
                                                    G_TYPE_UINT64, G_TYPE_STRING, G_TYPE_INT64,
                                                    G_TYPE_STRV);
  /* (guint64 id, guint status): its response came, HTTP status or 0. */
  signals[SIGNAL_RESOURCE_FINISHED] = g_signal_new ("resource-finished", type, G_SIGNAL_RUN_LAST,
                                                    0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                                    G_TYPE_UINT64, G_TYPE_UINT);
  /* (guint64 id, GError *error): it did not load; G_IO_ERROR_CANCELLED
   * when the page or a reload gave it up. */
  signals[SIGNAL_RESOURCE_FAILED] = g_signal_new ("resource-failed", type, G_SIGNAL_RUN_LAST, 0,
                                                  NULL, NULL, NULL, G_TYPE_NONE, 2,
                                                  G_TYPE_UINT64, G_TYPE_ERROR);
}

static void
rh_page_host_init (RhPageHost *self)
{
}

/* @source runs at document start in the top frame of every later load. */
void
rh_page_host_add_user_script (RhPageHost *host, const char *source)
{
  g_return_if_fail (RH_IS_PAGE_HOST (host));
  RH_PAGE_HOST_GET_CLASS (host)->add_user_script (host, source);
}

void
rh_page_host_load (RhPageHost *host, const char *uri)
{
  g_return_if_fail (RH_IS_PAGE_HOST (host));
  RH_PAGE_HOST_GET_CLASS (host)->load (host, uri);
}

/* Loads @html as a document of @base_uri. */
void
rh_page_host_load_html (RhPageHost *host, const char *html, const char *base_uri)
{
  g_return_if_fail (RH_IS_PAGE_HOST (host));
  RH_PAGE_HOST_GET_CLASS (host)->load_html (host, html, base_uri);
}

void
rh_page_host_stop_loading (RhPageHost *host)
{
  g_return_if_fail (RH_IS_PAGE_HOST (host));
  RH_PAGE_HOST_GET_CLASS (host)->stop_loading (host);
}

/* The User-Agent the page sees. */
const char *
rh_page_host_get_user_agent (RhPageHost *host)
{
  g_return_val_if_fail (RH_IS_PAGE_HOST (host), NULL);
  return RH_PAGE_HOST_GET_CLASS (host)->get_user_agent (host);
}

/* Frames come at most every @interval_ms. */
void
rh_page_host_set_frame_interval (RhPageHost *host, guint interval_ms)
{
  g_return_if_fail (RH_IS_PAGE_HOST (host));
  RH_PAGE_HOST_GET_CLASS (host)->set_frame_interval (host, MAX (interval_ms, 1));
}

/* Calls @func with the frame on screen, the last one the "frame" signal
 * carried (no new frame is emitted).  FALSE, and no call, when there is none
 * yet or the engine cannot read it again. */
gboolean
rh_page_host_read_frame (RhPageHost *host, RhFrameFunc func, gpointer user_data)
{
  RhPageHostClass *klass;

  g_return_val_if_fail (RH_IS_PAGE_HOST (host), FALSE);
  klass = RH_PAGE_HOST_GET_CLASS (host);
  return klass->read_frame != NULL && klass->read_frame (host, func, user_data);
}

/* "WPE WebKit" */
const char *
rh_page_host_get_engine_name (RhPageHost *host)
{
  g_return_val_if_fail (RH_IS_PAGE_HOST (host), NULL);
  return RH_PAGE_HOST_GET_CLASS (host)->get_engine_name (host);
}

/* "2.38.6": the engine this process runs. */
char *
rh_page_host_get_engine_version (RhPageHost *host)
{
  g_return_val_if_fail (RH_IS_PAGE_HOST (host), NULL);
  return RH_PAGE_HOST_GET_CLASS (host)->get_engine_version (host);
}

const char *
rh_page_host_get_message_channel (RhPageHost *host)
{
  g_return_val_if_fail (RH_IS_PAGE_HOST (host), NULL);
  return RH_PAGE_HOST_GET_CLASS (host)->get_message_channel (host);
}

/* A default that does nothing: WPE's UI process cannot rewrite a request. */
void
rh_page_host_set_routes (RhPageHost *host, const GPtrArray *routes)
{
  RhPageHostClass *klass;

  g_return_if_fail (RH_IS_PAGE_HOST (host));
  klass = RH_PAGE_HOST_GET_CLASS (host);
  if (klass->set_routes != NULL)
    klass->set_routes (host, routes);
}

/* How many pages may share one engine process, for engines that run pages
 * in processes of their own: 1 gives each page its own.  A crash of a shared
 * process takes all of its pages with it, so this trades memory for
 * isolation.  Hosts made earlier keep their process. */
void
rh_page_host_set_views_per_process (guint count)
{
  views_per_process = MAX (count, 1);
}

guint
rh_page_host_get_views_per_process (void)
{
  return views_per_process;
}

/* The memory, in MB, that an engine process made for the hosts made after
 * the call may use, 0 for the engine's own bound; one that uses more is
 * ended and its pages get "web-process-terminated" with reason "exceeded its
 * memory limit".  The bound is per process: pages that share one (see
 * above) share it. */
void
rh_page_host_set_memory_limit_mb (guint limit_mb)
{
  memory_limit_mb = limit_mb;
}

guint
rh_page_host_get_memory_limit_mb (void)
{
  return memory_limit_mb;
}

/* Whether each host made after the call gets website data (cookies, local
 * storage, caches) of its own, as a page alone in a browser, instead of
 * sharing one store with the others of the process: pages checked side by
 * side, each as it would be alone.  A host with its own data never shares a
 * web process. */
void
rh_page_host_set_own_website_data (gboolean own)
{
  own_website_data = own;
}

gboolean
rh_page_host_get_own_website_data (void)
{
  return own_website_data;
}

void
rh_page_host_emit_bridge_message (RhPageHost *host, JsonObject *message)
{
  g_signal_emit (host, signals[SIGNAL_BRIDGE_MESSAGE], 0, message);
}

void
rh_page_host_emit_frame (RhPageHost *host, const RhFrame *frame)
{
  g_signal_emit (host, signals[SIGNAL_FRAME], 0, frame);
}

void
rh_page_host_emit_load_event (RhPageHost *host, RhPageLoadEvent event, const char *uri,
                              guint status)
{
  g_signal_emit (host, signals[SIGNAL_LOAD_EVENT], 0, event, uri, status);
}

void
rh_page_host_emit_load_failed (RhPageHost *host, const char *uri, const GError *error,
                               gboolean tls)
{
  g_signal_emit (host, signals[SIGNAL_LOAD_FAILED], 0, uri, error, tls);
}

void
rh_page_host_emit_web_process_terminated (RhPageHost *host, gboolean crashed, const char *reason)
{
  g_signal_emit (host, signals[SIGNAL_WEB_PROCESS_TERMINATED], 0, crashed, reason);
}

void
rh_page_host_emit_resource_started (RhPageHost *host, guint64 id, const char *uri)
{
  g_signal_emit (host, signals[SIGNAL_RESOURCE_STARTED], 0, id, uri);
}

void
rh_page_host_emit_resource_sent (RhPageHost *host, guint64 id, const char *method,
                                 const char *const *headers)
{
  g_signal_emit (host, signals[SIGNAL_RESOURCE_SENT], 0, id, method, headers);
}

void
rh_page_host_emit_resource_response (RhPageHost *host, guint64 id, const char *mime_type,
                                     gint64 content_length, const char *const *headers)
{
  g_signal_emit (host, signals[SIGNAL_RESOURCE_RESPONSE], 0, id, mime_type, content_length,
                 headers);
}

void
rh_page_host_emit_resource_finished (RhPageHost *host, guint64 id, guint status)
{
  g_signal_emit (host, signals[SIGNAL_RESOURCE_FINISHED], 0, id, status);
}

void
rh_page_host_emit_resource_failed (RhPageHost *host, guint64 id, const GError *error)
{
  g_signal_emit (host, signals[SIGNAL_RESOURCE_FAILED], 0, id, error);
}
