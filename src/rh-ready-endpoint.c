#include "rh-ready-endpoint.h"

#define HTTP_TIMEOUT_S 15

static void
cloud_ready_received_cb (RhCloud *cloud, const char *app_id, const char *room_uuid,
                         gpointer user_data)
{
  rh_timeline_add (user_data, "cloud-ready", NULL, "local cloud: ready call for room %s",
                   room_uuid);
}

/* @ready_uri NULL: start a local cloud and send the ready call there.  With
 * --sdk-api local a local cloud answers the SDK's own API calls too. */
RhReadyEndpoint *
rh_ready_endpoint_open (const RhPageOptions *options, const char *ready_uri,
                        RhTimeline *timeline, GError **error)
{
  g_autoptr (RhReadyEndpoint) endpoint = g_new0 (RhReadyEndpoint, 1);
  g_autofree char *local_uri = NULL;

  if (ready_uri == NULL || options->sdk_api_local)
    {
      endpoint->cloud = rh_cloud_new (NULL, NULL);
      if (!rh_cloud_listen_local (endpoint->cloud, 0, error))
        return NULL;
      g_signal_connect (endpoint->cloud, "ready-received", G_CALLBACK (cloud_ready_received_cb),
                        timeline);
      if (options->sdk_api_local)
        rh_route_list_add_sdk_api (options->routes, rh_cloud_get_base_url (endpoint->cloud));
    }
  if (ready_uri == NULL)
    {
      local_uri = rh_ready_call_build_uri (rh_cloud_get_base_url (endpoint->cloud),
                                           options->room->region, options->room->app_id,
                                           options->room->room_uuid, error);
      if (local_uri == NULL)
        return NULL;
      ready_uri = local_uri;
    }
  endpoint->session = soup_session_new_with_options ("timeout", HTTP_TIMEOUT_S, "user-agent",
                                                     "recordhost/" PACKAGE_VERSION, NULL);
  endpoint->call = rh_ready_call_new (endpoint->session, ready_uri);
  if (options->room->rtm_token != NULL)
    rh_ready_call_set_token (endpoint->call, options->room->rtm_token,
                             options->room->user_uuid);
  return g_steal_pointer (&endpoint);
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
    g_signal_handlers_disconnect_matched (endpoint->cloud, G_SIGNAL_MATCH_FUNC, 0, 0, NULL,
                                          cloud_ready_received_cb, NULL);
  g_clear_object (&endpoint->cloud);
  g_free (endpoint);
}
