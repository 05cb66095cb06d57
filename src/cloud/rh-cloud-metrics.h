/* The local cloud's metrics, as GET /metrics exposes them: every family is
 * declared in rh_cloud_metrics_new (), and the cloud reports to it only
 * through these helpers.  No label holds a room, a record or a path: only
 * names from fixed lists. */
#pragma once

#include <libsoup/soup.h>

#include "rh-metrics.h"

G_BEGIN_DECLS

/* The name of @msg's route (rh_cloud_metrics_is_route ()). */
typedef const char *(*RhCloudMetricsRouteFunc) (SoupServerMessage *msg);

/* How a claim of a room ended. */
typedef enum
{
  RH_CLOUD_METRICS_CLAIMED,
  RH_CLOUD_METRICS_CLAIM_LOST,
  RH_CLOUD_METRICS_CLAIM_CONFLICT,
} RhCloudMetricsClaim;

RhMetrics *rh_cloud_metrics_new          (void);
gboolean   rh_cloud_metrics_is_route     (const char *route);
/* @route: a route's name (rh_cloud_metrics_is_route ()), never a path. */
void       rh_cloud_metrics_request_done (RhMetrics *metrics, const char *route, guint status,
                                          double seconds);
void       rh_cloud_metrics_time_requests (RhMetrics *metrics, SoupServer *server,
                                           RhCloudMetricsRouteFunc route_of);
void       rh_cloud_metrics_ready_waited (RhMetrics *metrics, double seconds);
/* @reason: the retry's event reason, 3, 4 or 5. */
void       rh_cloud_metrics_retried      (RhMetrics *metrics, int reason);
void       rh_cloud_metrics_rejected_at_capacity (RhMetrics *metrics);
void       rh_cloud_metrics_room_claimed (RhMetrics *metrics, RhCloudMetricsClaim result);
void       rh_cloud_metrics_lease_expired (RhMetrics *metrics);
void       rh_cloud_metrics_set_rooms    (RhMetrics *metrics, guint pending, guint active,
                                          guint held, guint ending, guint capacity);
void       rh_cloud_metrics_set_store_up (RhMetrics *metrics, gboolean up);

G_END_DECLS
