/* Where the ready call of `check` and `run` goes: the cloud given by
 * --api-base, or a local stand-in started on loopback for it. */
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
  RhTimeline *timeline; /* borrowed: where the stand-in's acknowledgements go, or NULL */
} RhReadyEndpoint;

RhReadyEndpoint *rh_ready_endpoint_open  (RhPageOptions *options, GError **error);
void             rh_ready_endpoint_tell  (RhReadyEndpoint *endpoint, RhTimeline *timeline);
void             rh_ready_endpoint_close (RhReadyEndpoint *endpoint);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhReadyEndpoint, rh_ready_endpoint_close)

G_END_DECLS
