#include "rh-cloud-metrics.h"

#define TIMER_KEY "rh-cloud-metrics-timer"

#define ROOMS "recordhost_rooms"
#define ROOMS_CAPACITY "recordhost_rooms_capacity"
#define CLAIMS "recordhost_room_claims_total"
#define LEASES_EXPIRED "recordhost_lease_expired_total"
#define RETRIES "recordhost_room_retries_total"
#define CAPACITY_REJECTIONS "recordhost_capacity_rejections_total"
#define READY_WAIT "recordhost_ready_wait_seconds"
#define REQUEST_DURATION "recordhost_http_request_duration_seconds"
#define STORE_UP "recordhost_store_up"
#define BUILD_INFO "recordhost_build_info"

/* The names a request's route may have: the router's (rh-cloud.c), and
 * "other" for a request it has none for. */
static const char *const routes[] = {
  "start", "stop",      "update",  "ready",     "records",     "sequences", "room",
  "health", "metrics", "recording", "record_file", "sdk_api", "other", NULL,
};

static const char *const claims[] = { "claimed", "lost", "conflict" };

/* Reasons of the events a room is retried with (the cloud's event codes). */
static const char *const retry_reasons[] = { "3", "4", "5" };

/* Bounds in seconds; +Inf is implied. */
static const double ready_wait_bounds[] = { 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120 };
static const double request_bounds[] = { 0.001, 0.005, 0.01, 0.025, 0.05, 0.1,
                                         0.25,  0.5,   1,    2.5,   5 };

RhMetrics *
rh_cloud_metrics_new (void)
{
  RhMetrics *metrics = rh_metrics_new ();

  rh_metrics_declare_gauge (metrics, ROOMS, "Rooms of this cloud, by state.",
                            (const char *[]){ "state", NULL });
  rh_metrics_declare_gauge (metrics, ROOMS_CAPACITY, "Rooms this cloud holds at once.", NULL);
  rh_metrics_declare_counter (metrics, CLAIMS, "Claims of a room, by how they ended.",
                              (const char *[]){ "result", NULL });
  rh_metrics_declare_counter (metrics, LEASES_EXPIRED, "Leases of rooms that expired.", NULL);
  rh_metrics_declare_counter (metrics, RETRIES, "Rooms' pages retried, by the event's reason.",
                              (const char *[]){ "reason", NULL });
  rh_metrics_declare_counter (metrics, CAPACITY_REJECTIONS,
                              "Starts refused because the cloud held all the rooms it may.", NULL);
  rh_metrics_declare_histogram (metrics, READY_WAIT,
                                "Seconds from a recording's start to its page's ready call.", NULL,
                                ready_wait_bounds, G_N_ELEMENTS (ready_wait_bounds));
  rh_metrics_declare_histogram (metrics, REQUEST_DURATION,
                                "Seconds the cloud took to answer a request, by route and status.",
                                (const char *[]){ "route", "code", NULL }, request_bounds,
                                G_N_ELEMENTS (request_bounds));
  rh_metrics_declare_gauge (metrics, STORE_UP, "Whether the cloud's store answers (1) or not (0).",
                            NULL);
  rh_metrics_declare_gauge (metrics, BUILD_INFO, "The recordhost version running, always 1.",
                            (const char *[]){ "version", NULL });
  rh_metrics_gauge_set (metrics, BUILD_INFO, (const char *[]){ PACKAGE_VERSION, NULL }, 1);
  /* Known label values are there from the start, at 0, so that a rate over
   * them has a beginning. */
  for (guint i = 0; i < G_N_ELEMENTS (claims); i++)
    rh_metrics_counter_add (metrics, CLAIMS, (const char *[]){ claims[i], NULL }, 0);
  for (guint i = 0; i < G_N_ELEMENTS (retry_reasons); i++)
    rh_metrics_counter_add (metrics, RETRIES, (const char *[]){ retry_reasons[i], NULL }, 0);
  rh_cloud_metrics_set_rooms (metrics, 0, 0, 0, 0, 0);
  return metrics;
}

gboolean
rh_cloud_metrics_is_route (const char *route)
{
  return route != NULL && g_strv_contains (routes, route);
}

void
rh_cloud_metrics_request_done (RhMetrics *metrics, const char *route, guint status,
                               double seconds)
{
  char code[16];

  g_return_if_fail (rh_cloud_metrics_is_route (route));
  g_return_if_fail (status >= 100 && status <= 999);
  g_snprintf (code, sizeof code, "%u", status);
  rh_metrics_histogram_observe (metrics, REQUEST_DURATION, (const char *[]){ route, code, NULL },
                                seconds);
}

/* What times a server's requests, and each request: the metrics it
 * reports to, and how it names a request's route; kept on the server and
 * on each request, so that it lives as long as what it is connected to. */
typedef struct
{
  RhMetrics *metrics;
  RhCloudMetricsRouteFunc route_of;
  gint64 started_us; /* a request's */
  gboolean observed; /* a request's */
} RequestTimer;

static RequestTimer *
request_timer_new (RhMetrics *metrics, RhCloudMetricsRouteFunc route_of)
{
  RequestTimer *timer = g_new0 (RequestTimer, 1);

  timer->metrics = rh_metrics_ref (metrics);
  timer->route_of = route_of;
  timer->started_us = g_get_monotonic_time ();
  return timer;
}

static void
request_timer_free (gpointer data)
{
  RequestTimer *timer = data;

  rh_metrics_unref (timer->metrics);
  g_free (timer);
}

/* Once a request, at its answer; not one left before it was answered. */
static void
request_answered_cb (SoupServerMessage *msg, gpointer user_data)
{
  RequestTimer *timer = user_data;
  guint status = soup_server_message_get_status (msg);

  if (timer->observed || status < 100)
    return;
  timer->observed = TRUE;
  rh_cloud_metrics_request_done (timer->metrics, timer->route_of (msg), status,
                                 (double) (g_get_monotonic_time () - timer->started_us)
                                   / G_USEC_PER_SEC);
}

/* A request whose first line libsoup could not read has no method, and
 * never says "finished": it is counted once its answer's headers are out. */
static void
request_wrote_headers_cb (SoupServerMessage *msg, gpointer user_data)
{
  if (soup_server_message_get_method (msg) == NULL)
    request_answered_cb (msg, user_data);
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  RequestTimer *server_timer = user_data;
  RequestTimer *timer = request_timer_new (server_timer->metrics, server_timer->route_of);

  /* A request refused at its headers may be answered off the server, which
   * then never says "finished" (rh-api-server.c takes the connection when a
   * body would follow): it is counted at its refusal. */
  g_object_set_data_full (G_OBJECT (msg), TIMER_KEY, timer, request_timer_free);
  g_signal_connect (msg, "got-headers", G_CALLBACK (request_answered_cb), timer);
  g_signal_connect (msg, "wrote-headers", G_CALLBACK (request_wrote_headers_cb), timer);
  g_signal_connect (msg, "finished", G_CALLBACK (request_answered_cb), timer);
}

/* Every request of @server, from its start to its answer, in the requests'
 * durations.  Called after rh_api_server_new (), so that its check of the
 * headers answers first. */
void
rh_cloud_metrics_time_requests (RhMetrics *metrics, SoupServer *server,
                                RhCloudMetricsRouteFunc route_of)
{
  RequestTimer *timer;

  g_return_if_fail (g_object_get_data (G_OBJECT (server), TIMER_KEY) == NULL);
  timer = request_timer_new (metrics, route_of);
  g_object_set_data_full (G_OBJECT (server), TIMER_KEY, timer, request_timer_free);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), timer);
}

void
rh_cloud_metrics_ready_waited (RhMetrics *metrics, double seconds)
{
  rh_metrics_histogram_observe (metrics, READY_WAIT, NULL, seconds);
}

void
rh_cloud_metrics_retried (RhMetrics *metrics, int reason)
{
  g_return_if_fail (reason >= 3 && reason <= 5);
  rh_metrics_counter_add (metrics, RETRIES, (const char *[]){ retry_reasons[reason - 3], NULL },
                          1);
}

void
rh_cloud_metrics_rejected_at_capacity (RhMetrics *metrics)
{
  rh_metrics_counter_add (metrics, CAPACITY_REJECTIONS, NULL, 1);
}

void
rh_cloud_metrics_room_claimed (RhMetrics *metrics, RhCloudMetricsClaim result)
{
  g_return_if_fail (result < G_N_ELEMENTS (claims));
  rh_metrics_counter_add (metrics, CLAIMS, (const char *[]){ claims[result], NULL }, 1);
}

void
rh_cloud_metrics_lease_expired (RhMetrics *metrics)
{
  rh_metrics_counter_add (metrics, LEASES_EXPIRED, NULL, 1);
}

/* Counts of rooms in each state, from the cloud when asked: a room is in
 * one state at a time. */
void
rh_cloud_metrics_set_rooms (RhMetrics *metrics, guint pending, guint active, guint held,
                            guint ending, guint capacity)
{
  rh_metrics_gauge_set (metrics, ROOMS, (const char *[]){ "pending", NULL }, pending);
  rh_metrics_gauge_set (metrics, ROOMS, (const char *[]){ "active", NULL }, active);
  rh_metrics_gauge_set (metrics, ROOMS, (const char *[]){ "held", NULL }, held);
  rh_metrics_gauge_set (metrics, ROOMS, (const char *[]){ "ending", NULL }, ending);
  rh_metrics_gauge_set (metrics, ROOMS_CAPACITY, NULL, capacity);
}

void
rh_cloud_metrics_set_store_up (RhMetrics *metrics, gboolean up)
{
  rh_metrics_gauge_set (metrics, STORE_UP, NULL, up ? 1 : 0);
}
