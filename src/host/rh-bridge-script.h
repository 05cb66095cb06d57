/* The JS bridge's source: the user script injected at document start,
 * assembled from its parts in the resource bundle and configured by a JSON
 * object. */
#pragma once

#include "rh-bridge.h"
#include "rh-route.h"

G_BEGIN_DECLS

/* @channel: how the script reaches the host, rh_page_host_get_message_channel ()'s
 * expression.  @routes: RhRoute, may be NULL.  @sdk_bundle: the URL of the SDK bundle the
 * command line named (--sdk), handed to the page, or NULL.  @file_access:
 * whether the view lets file pages read files, which decides whether a
 * file page may start a worker from a file. */
char *rh_bridge_script_build (const char *channel, RhWebrtcMode webrtc,
                              const GPtrArray *routes, const char *sdk_bundle,
                              gboolean file_access, gboolean probe, GError **error);

G_END_DECLS
