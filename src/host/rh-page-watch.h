/* One record page in a page host, watched through its loads: the bridge's
 * messages and the host's load events go to the timeline, the ready signal is
 * detected and the ready call sent.  It reports; callers decide what a
 * failure means (`check` stops, `run` waits for its retry timeout). */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rh-frame-log.h"
#include "rh-page-host.h"
#include "rh-page-outcome.h"
#include "rh-page-options.h"
#include "rh-ready-call.h"
#include "rh-ready-protocol.h"
#include "rh-record-config.h"
#include "rh-request-log.h"
#include "rh-timeline.h"

G_BEGIN_DECLS

#define RH_TYPE_PAGE_WATCH (rh_page_watch_get_type ())
G_DECLARE_FINAL_TYPE (RhPageWatch, rh_page_watch, RH, PAGE_WATCH, GObject)

RhPageWatch *rh_page_watch_new   (RhPageHost *host, const char *page_url,
                                  const RhPageOptions *options, RhReadyCall *ready_call,
                                  RhTimeline *timeline, GError **error);
/* No host: the bridge's messages are handed in by rh_page_watch_record_message,
 * where there is no engine (tests/fuzz). */
RhPageWatch *rh_page_watch_new_detached   (const char *page_url, RhTimeline *timeline);
void         rh_page_watch_record_message (RhPageWatch *watch, JsonObject *message);
void         rh_page_watch_keep_pictures (RhPageWatch *watch);
void         rh_page_watch_load  (RhPageWatch *watch, gint64 ready_deadline_us);
void         rh_page_watch_stop  (RhPageWatch *watch);
void         rh_page_watch_disconnect (RhPageWatch *watch, gpointer handler_data);
const RhPageTimes *rh_page_watch_get_times (RhPageWatch *watch);
void         rh_page_watch_mark_hold_released (RhPageWatch *watch);
gboolean     rh_page_watch_is_ready (RhPageWatch *watch);
gboolean     rh_page_watch_is_launched (RhPageWatch *watch);
gboolean     rh_page_watch_is_unpatchable (RhPageWatch *watch);
gboolean     rh_page_watch_is_reading_sdk_bundle (RhPageWatch *watch);
RhPageHost  *rh_page_watch_get_host (RhPageWatch *watch);
void         rh_page_watch_probe_engine_async (RhPageWatch *watch, gint64 deadline_us,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
gboolean     rh_page_watch_probe_engine_finish (RhPageWatch *watch, GAsyncResult *result,
                                                GError **error);
const char  *rh_page_watch_waiting_for (RhPageWatch *watch);
char        *rh_page_watch_describe_blocking (RhPageWatch *watch);
/* When the page's scripts last arrived (timeline ms): G_MAXINT64 while one
 * is still on its way, -1 when there was none. */
gint64       rh_page_watch_scripts_done_ms (RhPageWatch *watch);
char        *rh_page_watch_describe_not_ready (RhPageWatch *watch, guint timeout_s);
RhPageOutcome *rh_page_watch_end_load (RhPageWatch *watch);

G_END_DECLS
