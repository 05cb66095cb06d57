/* Where the ready call goes: the cloud given by --api-base, or a local cloud
 * stand-in started on loopback for it; and the call itself. */
#pragma once

#include "rh-cloud.h"
#include "rh-page-options.h"
#include "rh-ready-call.h"
#include "rh-timeline.h"

G_BEGIN_DECLS

typedef struct
{
  RhCloud *cloud;       /* NULL with --api-base */
  SoupSession *session;
  RhReadyCall *call;
} RhReadyEndpoint;

RhReadyEndpoint *rh_ready_endpoint_open  (const RhPageOptions *options, const char *ready_uri,
                                          RhTimeline *timeline, GError **error);
void             rh_ready_endpoint_close (RhReadyEndpoint *endpoint);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhReadyEndpoint, rh_ready_endpoint_close)

G_END_DECLS
