/* A headless WebKit view: WPE WebKit rendering into shared memory through
 * WPEBackend-fdo, no display server, with the JS bridge installed. */
#pragma once

#include <json-glib/json-glib.h>
#include <wpe/webkit.h>

#include "rh-bridge.h"
#include "rh-frame.h"

G_BEGIN_DECLS

#define RH_TYPE_PAGE_HOST (rh_page_host_get_type ())
G_DECLARE_FINAL_TYPE (RhPageHost, rh_page_host, RH, PAGE_HOST, GObject)

char             *rh_page_host_engine_version (void);
void              rh_page_host_set_views_per_process (guint count);
guint             rh_page_host_get_views_per_process (void);

RhPageHost    *rh_page_host_new             (guint width, guint height, RhWebrtcMode webrtc,
                                             const GPtrArray *routes,
                                             const char *user_agent,
                                             gboolean probe,
                                             GError **error);
WebKitWebView *rh_page_host_get_view        (RhPageHost *host);
void           rh_page_host_set_frame_interval (RhPageHost *host, guint interval_ms);
void           rh_page_host_load            (RhPageHost *host, const char *uri);

G_END_DECLS
