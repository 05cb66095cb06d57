/* Where a record page is hosted, whatever the engine: it loads pages, runs
 * the bridge script in them and tells, in GLib types only, what the engine
 * saw (loads, failures, resources, the bridge's messages, frames).  One
 * subclass a browser engine (src/host/wpe); tests have a fake one. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rh-frame.h"

G_BEGIN_DECLS

/* How far the main document got. */
typedef enum
{
  RH_PAGE_LOAD_STARTED,
  RH_PAGE_LOAD_REDIRECTED,
  RH_PAGE_LOAD_COMMITTED, /* the main resource's response came: its HTTP status is known */
  RH_PAGE_LOAD_FINISHED,
} RhPageLoadEvent;

GType rh_page_load_event_get_type (void) G_GNUC_CONST;
#define RH_TYPE_PAGE_LOAD_EVENT (rh_page_load_event_get_type ())

/* An abstract class, not an interface: the signals and what they carry are
 * the same for every engine and live here once, the emitters below keep
 * their types in one place, and no engine needs another parent class. */
#define RH_TYPE_PAGE_HOST (rh_page_host_get_type ())
G_DECLARE_DERIVABLE_TYPE (RhPageHost, rh_page_host, RH, PAGE_HOST, GObject)

struct _RhPageHostClass
{
  GObjectClass parent_class;

  void        (*add_user_script)    (RhPageHost *host, const char *source);
  void        (*load)               (RhPageHost *host, const char *uri);
  void        (*load_html)          (RhPageHost *host, const char *html, const char *base_uri);
  void        (*stop_loading)       (RhPageHost *host);
  const char *(*get_user_agent)     (RhPageHost *host);
  void        (*set_frame_interval) (RhPageHost *host, guint interval_ms);
  const char *(*get_engine_name)    (RhPageHost *host);
  char       *(*get_engine_version) (RhPageHost *host);
  gboolean    (*read_frame)         (RhPageHost *host, RhFrameFunc func, gpointer user_data);
  const char *(*get_message_channel) (RhPageHost *host);
  void        (*set_routes)         (RhPageHost *host, const GPtrArray *routes);

  gpointer padding[5];
};

void        rh_page_host_add_user_script    (RhPageHost *host, const char *source);
void        rh_page_host_load               (RhPageHost *host, const char *uri);
void        rh_page_host_load_html          (RhPageHost *host, const char *html,
                                             const char *base_uri);
void        rh_page_host_stop_loading       (RhPageHost *host);
const char *rh_page_host_get_user_agent     (RhPageHost *host);
void        rh_page_host_set_frame_interval (RhPageHost *host, guint interval_ms);
gboolean    rh_page_host_read_frame         (RhPageHost *host, RhFrameFunc func,
                                             gpointer user_data);
const char *rh_page_host_get_engine_name    (RhPageHost *host);
char       *rh_page_host_get_engine_version (RhPageHost *host);
/* A JavaScript expression, evaluated at document start in each frame, whose
 * value is a function that takes one string (a JSON message) to the host,
 * or a falsy value where the frame cannot reach it. */
const char *rh_page_host_get_message_channel (RhPageHost *host);
/* @routes: RhRoute (--route, --sdk-api local), may be NULL or empty.  The
 * engine routes every load of the page, subresources included, where it
 * can; an engine that cannot leaves it to the bridge script (fetch,
 * XMLHttpRequest, WebSocket, EventSource, sendBeacon only). */
void        rh_page_host_set_routes          (RhPageHost *host, const GPtrArray *routes);

/* Process-wide: how many pages may share an engine process. */
void        rh_page_host_set_views_per_process (guint count);
guint       rh_page_host_get_views_per_process (void);
/* Process-wide: the memory an engine process may use, for hosts made next. */
void        rh_page_host_set_memory_limit_mb (guint limit_mb);
guint       rh_page_host_get_memory_limit_mb (void);
/* Process-wide: whether hosts made next keep their website data apart. */
void        rh_page_host_set_own_website_data (gboolean own);
gboolean    rh_page_host_get_own_website_data (void);

/* For engines: what their view saw, as the signals carry it. */
void rh_page_host_emit_bridge_message         (RhPageHost *host, JsonObject *message);
void rh_page_host_emit_frame                  (RhPageHost *host, const RhFrame *frame);
void rh_page_host_emit_load_event             (RhPageHost *host, RhPageLoadEvent event,
                                               const char *uri, guint status);
void rh_page_host_emit_load_failed            (RhPageHost *host, const char *uri,
                                               const GError *error, gboolean tls);
void rh_page_host_emit_web_process_terminated (RhPageHost *host, gboolean crashed,
                                               const char *reason);
void rh_page_host_emit_resource_started       (RhPageHost *host, guint64 id, const char *uri);
void rh_page_host_emit_resource_sent          (RhPageHost *host, guint64 id, const char *method,
                                               const char *const *headers);
void rh_page_host_emit_resource_response      (RhPageHost *host, guint64 id,
                                               const char *mime_type, gint64 content_length,
                                               const char *const *headers);
void rh_page_host_emit_resource_finished      (RhPageHost *host, guint64 id, guint status);
void rh_page_host_emit_resource_failed        (RhPageHost *host, guint64 id, const GError *error);

G_END_DECLS
