#include "rh-ready-endpoint.h"

#include "rh-route.h"

static void
cloud_ready_received_cb (RhCloud *cloud, const char *app_id, const char *room_uuid,
                         gpointer user_data)
{
  RhReadyEndpoint *endpoint = user_data;

  if (endpoint->timeline != NULL)
    rh_timeline_add (endpoint->timeline, "cloud-ready", NULL,
                     "local cloud: ready call for room %s", room_uuid);
}

/* Without --api-base a local cloud on loopback answers the ready call; with
 * --sdk-api local it answers the SDK's own API calls too, so the page's
 * routes to the SDK's hosts are added to @options. */
RhReadyEndpoint *
rh_ready_endpoint_open (RhPageOptions *options, GError **error)
{
  g_autoptr (RhReadyEndpoint) endpoint = g_new0 (RhReadyEndpoint, 1);
  const char *api_base = options->api_base;

  g_return_val_if_fail (options->room != NULL, NULL);

  if (api_base == NULL || options->sdk_api_local)
    {
      endpoint->cloud = rh_cloud_new (NULL, NULL);
      if (!rh_cloud_listen_local (endpoint->cloud, 0, error))
        return NULL;
      g_signal_connect (endpoint->cloud, "ready-received", G_CALLBACK (cloud_ready_received_cb),
                        endpoint);
      if (options->sdk_api_local)
        rh_route_list_add_sdk_api (options->routes, rh_cloud_get_base_url (endpoint->cloud));
    }
  if (api_base == NULL)
    api_base = rh_cloud_get_base_url (endpoint->cloud);
  endpoint->session = rh_ready_call_session_new ();
  endpoint->call = rh_ready_call_new_for_room (endpoint->session, api_base, options->room, error);
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
  if (endpoint->cloud != NULL)
    g_signal_handlers_disconnect_by_data (endpoint->cloud, endpoint);
  g_clear_object (&endpoint->cloud);
  g_free (endpoint);
}
