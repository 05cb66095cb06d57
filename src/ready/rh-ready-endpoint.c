#include "rh-ready-endpoint.h"

#include "rh-route.h"

static void
ready_received_cb (RhReadyAck *ack, const char *app_id, const char *room_uuid,
                   gpointer user_data)
{
  RhReadyEndpoint *endpoint = user_data;

  if (endpoint->timeline != NULL)
    rh_timeline_add (endpoint->timeline, "cloud-ready", NULL,
                     "local cloud: ready call for room %s", room_uuid);
}

/* The ready call of @room goes to @api_base or, without one, to a local
 * acknowledger on loopback; with @sdk_api_local that one answers the SDK's
 * own API calls too, and the page's routes to the SDK's hosts are added to
 * @routes (of RhRoute). */
RhReadyEndpoint *
rh_ready_endpoint_open (const RhRoom *room, const char *api_base, gboolean sdk_api_local,
                        GPtrArray *routes, GError **error)
{
  g_autoptr (RhReadyEndpoint) endpoint = g_new0 (RhReadyEndpoint, 1);

  g_return_val_if_fail (room != NULL, NULL);

  if (api_base == NULL || sdk_api_local)
    {
      endpoint->ack = rh_ready_ack_new (sdk_api_local, error);
      if (endpoint->ack == NULL)
        return NULL;
      g_signal_connect (endpoint->ack, "ready-received", G_CALLBACK (ready_received_cb),
                        endpoint);
      if (sdk_api_local)
        rh_route_list_add_sdk_api (routes, rh_ready_ack_get_base_url (endpoint->ack));
    }
  if (api_base == NULL)
    api_base = rh_ready_ack_get_base_url (endpoint->ack);
  endpoint->session = rh_ready_call_session_new ();
  endpoint->call = rh_ready_call_new_for_room (endpoint->session, api_base, room, error);
  if (endpoint->call == NULL)
    return NULL;
  return g_steal_pointer (&endpoint);
}

void
rh_ready_endpoint_tell (RhReadyEndpoint *endpoint, RhTimeline *timeline)
{
  endpoint->timeline = timeline;
}

void
rh_ready_endpoint_close (RhReadyEndpoint *endpoint)
{
  if (endpoint == NULL)
    return;
  g_clear_object (&endpoint->call);
  if (endpoint->session != NULL)
    soup_session_abort (endpoint->session);
  g_clear_object (&endpoint->session);
  if (endpoint->ack != NULL)
    g_signal_handlers_disconnect_by_data (endpoint->ack, endpoint);
  g_clear_object (&endpoint->ack);
  g_free (endpoint);
}
