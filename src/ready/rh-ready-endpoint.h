/* Where the ready call of `check` and `run` goes: the cloud given by
 * --api-base, or a local acknowledger (RhReadyAck) started on loopback. */
#pragma once

#include "rh-ready-ack.h"
#include "rh-ready-call.h"
#include "rh-room.h"
#include "rh-timeline.h"

G_BEGIN_DECLS

typedef struct
{
  RhReadyAck *ack;      /* NULL with --api-base alone */
  SoupSession *session;
  RhReadyCall *call;
  RhTimeline *timeline; /* borrowed: where the acknowledgements go, or NULL */
} RhReadyEndpoint;

RhReadyEndpoint *rh_ready_endpoint_open  (const RhRoom *room, const char *api_base,
                                          gboolean sdk_api_local, GPtrArray *routes,
                                          GError **error);
void             rh_ready_endpoint_tell  (RhReadyEndpoint *endpoint, RhTimeline *timeline);
void             rh_ready_endpoint_close (RhReadyEndpoint *endpoint);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhReadyEndpoint, rh_ready_endpoint_close)

G_END_DECLS
