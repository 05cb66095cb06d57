/* A WebKit view's resource loads reported through RhPageHost's resource
 * signals, and WebKit's words for a load's outcome in the host's. */
#pragma once

#include <wpe/webkit.h>

#include "rh-page-host.h"

G_BEGIN_DECLS

/* WebKit's cancellation as G_IO_ERROR_CANCELLED: a load given up by a
 * reload or a stop is no failure. */
GError *rh_wpe_error_translate (const GError *error);
/* The HTTP status of @resource's response, 0 without one (or @resource). */
guint   rh_wpe_resource_status (WebKitWebResource *resource);
void    rh_wpe_resource_started_cb (WebKitWebView *view, WebKitWebResource *resource,
                                    WebKitURIRequest *request, gpointer user_data);

G_END_DECLS
