/* One record page in a page host, watched through its loads: the bridge's
 * messages and the host's load events go to the timeline, the ready signal is
 * detected and the ready call sent.  It reports; callers decide what a
 * failure means (`check` stops, `run` waits for its retry timeout). */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rh-frame-log.h"
#include "rh-page-host.h"
#include "rh-page-options.h"
#include "rh-ready-call.h"
#include "rh-ready-protocol.h"
#include "rh-record-config.h"
#include "rh-request-log.h"
#include "rh-timeline.h"

G_BEGIN_DECLS

#define RH_PAGE_WATCH_NO_TIME (-1)

/* Milliseconds on the timeline, RH_PAGE_WATCH_NO_TIME until they happen;
 * reset at each load. */
typedef struct
{
  gint64 load_ms;
  gint64 committed_ms;
  gint64 dom_loaded_ms;
  gint64 load_finished_ms;
  gint64 first_frame_ms;
  gint64 first_nonblank_ms;
  gint64 launch_ms;
  gint64 ready_event_ms;
  gint64 ready_call_ms;
  gint64 ready_ack_ms;
  guint http_status;
} RhPageWatchTimes;

void rh_page_watch_times_init (RhPageWatchTimes *times);

/* One resource the page loaded, from the host's resource signals. */
typedef struct
{
  char *uri;
  guint status;    /* 0 when no response came */
  gint64 start_ms;
  gint64 end_ms;   /* RH_PAGE_WATCH_NO_TIME while loading */
  gboolean failed; /* a transport failure, or an HTTP status >= 400 */
  char *error;
} RhResource;

/* What the page passed to AgoraEduSDK.launch and what it got back. */
typedef struct
{
  char *sdk_version;         /* read from the SDK object, NULL if it has none */
  GPtrArray *options;        /* names of the launch options given, char * */
  char *language;            /* the language option, NULL if none */
  char *result_type;         /* typeof what launch returned, NULL before it returned */
  gboolean result_thenable;  /* launch returned a promise */
  gboolean then_on_result;   /* the page looked up .then on a result that is none */
  gboolean then_threw;       /* ... and then threw on it (an await does not) */
} RhPageWatchLaunch;

#define RH_TYPE_PAGE_WATCH (rh_page_watch_get_type ())
G_DECLARE_FINAL_TYPE (RhPageWatch, rh_page_watch, RH, PAGE_WATCH, GObject)

RhPageWatch *rh_page_watch_new   (RhPageHost *host, const char *page_url,
                                  const RhPageOptions *options, RhReadyCall *ready_call,
                                  RhTimeline *timeline, GError **error);
/* No host: the bridge's messages are handed in by rh_page_watch_record_message,
 * where there is no engine (tests/fuzz). */
RhPageWatch *rh_page_watch_new_detached   (RhTimeline *timeline);
void         rh_page_watch_record_message (RhPageWatch *watch, JsonObject *message);
void         rh_page_watch_keep_pictures (RhPageWatch *watch);
void         rh_page_watch_load  (RhPageWatch *watch, gint64 ready_deadline_us);
void         rh_page_watch_stop  (RhPageWatch *watch);
void         rh_page_watch_disconnect (RhPageWatch *watch, gpointer handler_data);
const RhPageWatchTimes *rh_page_watch_get_times (RhPageWatch *watch);
gboolean     rh_page_watch_is_ready (RhPageWatch *watch);
gboolean     rh_page_watch_is_launched (RhPageWatch *watch);
gboolean     rh_page_watch_is_unpatchable (RhPageWatch *watch);
guint        rh_page_watch_get_js_errors (RhPageWatch *watch, const char **first_message);
RhFrameLog  *rh_page_watch_get_frame_log (RhPageWatch *watch);
RhPageHost  *rh_page_watch_get_host (RhPageWatch *watch);
const GArray *rh_page_watch_get_resources (RhPageWatch *watch); /* RhResource */
const GPtrArray *rh_page_watch_get_missing_params (RhPageWatch *watch); /* char * */
void         rh_page_watch_add_resources_json (RhPageWatch *watch, JsonBuilder *builder);
GPtrArray   *rh_page_watch_get_missing_touched (RhPageWatch *watch); /* char *, owned */
const char  *rh_page_watch_get_user_agent (RhPageWatch *watch);
void         rh_page_watch_add_engine_json (RhPageWatch *watch, JsonBuilder *builder);
void         rh_page_watch_probe_engine_async (RhPageWatch *watch, gint64 deadline_us,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
gboolean     rh_page_watch_probe_engine_finish (RhPageWatch *watch, GAsyncResult *result,
                                                GError **error);
const char  *rh_page_watch_waiting_for (RhPageWatch *watch);
GPtrArray   *rh_page_watch_get_missing_blamed (RhPageWatch *watch); /* char *, owned */
RhRequestLog *rh_page_watch_get_requests (RhPageWatch *watch);
const GPtrArray *rh_page_watch_get_workers (RhPageWatch *watch);
const RhPageWatchLaunch *rh_page_watch_get_launch (RhPageWatch *watch);
void         rh_page_watch_add_requests_json (RhPageWatch *watch, JsonBuilder *builder);
char        *rh_page_watch_describe_blocking (RhPageWatch *watch);
void         rh_page_watch_add_times_json (RhPageWatch *watch, JsonBuilder *builder);

G_END_DECLS
