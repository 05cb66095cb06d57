/* What the cloud tells of itself: how full it is, its health (liveness)
 * and readiness, its place in a cluster. */
#include "rh-cloud-private.h"

#include <string.h>

#include "rh-page-host.h"

/* How full the cloud is: in the records list and the health answer. */
JsonNode *
rh_cloud_capacity_node (RhCloud *self)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "activeRooms");
  json_builder_add_int_value (builder, g_hash_table_size (self->recordings));
  json_builder_set_member_name (builder, "maxRooms");
  json_builder_add_int_value (builder, self->max_rooms);
  json_builder_set_member_name (builder, "roomsPerWebProcess");
  json_builder_add_int_value (builder, rh_page_host_get_views_per_process ());
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

static void
add_count (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* GET /health: answered without the token (a load balancer has none); it
 * tells counts only, and is 200 whatever the store does (liveness: a
 * database away must not restart every recorder).  GET /health/ready is
 * 503 while the store cannot be reached or the worker drains
 * (readiness). */
void
rh_cloud_handle_health (RhCloud *self, SoupServerMessage *msg)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) data = NULL;
  gboolean full = rh_cloud_taken_count (self) >= self->max_rooms;
  /* A renewal that hangs (a network dropping every packet) fails only at
   * its deadline: no renewal for half a lease is unreachable enough. */
  gboolean renewing = !rh_cloud_is_clustered (self)
                      || g_get_monotonic_time () - self->renewed_us
                           < self->lease_ttl_ms * 1000 / 2;
  gboolean reachable = !rh_cloud_is_clustered (self) || (self->store_reachable && renewing);
  gboolean ready = reachable && !self->draining;
  const char *status = self->draining ? "draining" : !reachable ? "store-unreachable"
                       : full         ? "full"
                                      : "ok";

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, status);
  json_builder_set_member_name (builder, "ready");
  json_builder_add_boolean_value (builder, ready);
  json_builder_set_member_name (builder, "capacity");
  json_builder_add_value (builder, rh_cloud_capacity_node (self));
  add_count (builder, "readyCalls", self->ready_count);
  json_builder_set_member_name (builder, "local");
  json_builder_begin_object (builder);
  add_count (builder, "activeRooms", rh_cloud_taken_count (self));
  add_count (builder, "maxRooms", self->max_rooms);
  json_builder_end_object (builder);
  if (rh_cloud_is_clustered (self))
    {
      json_builder_set_member_name (builder, "workerId");
      json_builder_add_string_value (builder, self->worker_id);
      /* As of the last renewal. */
      json_builder_set_member_name (builder, "cluster");
      json_builder_begin_object (builder);
      add_count (builder, "workers", self->cluster.workers);
      add_count (builder, "capacity", self->cluster.capacity);
      add_count (builder, "activeRooms", self->cluster.active);
      add_count (builder, "pendingRooms", self->cluster.pending);
      json_builder_end_object (builder);
    }
  json_builder_set_member_name (builder, "store");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "reachable");
  json_builder_add_boolean_value (builder, reachable);
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  data = json_builder_get_root (builder);
  if (!ready && g_str_equal (g_uri_get_path (soup_server_message_get_uri (msg)),
                             "/health/ready"))
    {
      char *body = NULL;

      soup_message_headers_replace (soup_server_message_get_response_headers (msg),
                                    "Retry-After", RH_CLOUD_STORE_RETRY_AFTER);
      body = rh_api_envelope_new (RH_CLOUD_CODE_AT_CAPACITY, status, data);
      soup_server_message_set_status (msg, SOUP_STATUS_SERVICE_UNAVAILABLE, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE, body,
                                        strlen (body));
      return;
    }
  rh_api_reply_ok (msg, data);
}
