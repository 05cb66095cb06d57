/* The JS bridge's source: the user script injected at document start,
 * assembled from its parts in the resource bundle and configured by a JSON
 * object. */
#pragma once

#include "rh-bridge.h"
#include "rh-route.h"

G_BEGIN_DECLS

/* @routes: RhRoute, may be NULL.  @sdk_bundle: the URL of the SDK bundle the
 * command line named (--sdk), handed to the page, or NULL.  @file_access:
 * whether the view lets file pages read files, which decides whether a
 * file page may start a worker from a file. */
char *rh_bridge_script_build (RhWebrtcMode webrtc, const GPtrArray *routes,
                              const char *sdk_bundle, gboolean file_access, gboolean probe,
                              GError **error);

G_END_DECLS
