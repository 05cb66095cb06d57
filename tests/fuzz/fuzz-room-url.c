/* src/rh-room.c, src/rh-page-options.c, src/rh-ready-call.c, src/rh-route.c:
 * the page URL and the ready call's URL built from what the caller gives
 * (options, or a start request's url and the room of its path).  The input
 * is one field a line: page, app id, room uuid, user uuid, room type, token,
 * language, region, api base, then --param KEY=VALUE each, each also tried
 * as --route HOST=URL. */
#include <string.h>

#include "fuzz-common.h"
#include "rh-page-options.h"
#include "rh-ready-call.h"
#include "rh-room.h"
#include "rh-route.h"

#define MAX_FIELDS 16

enum
{
  PAGE, APP_ID, ROOM_UUID, USER_UUID, ROOM_TYPE, TOKEN, LANGUAGE, REGION, API_BASE, PARAMS,
};

static char *
field (GStrv fields, guint index)
{
  return index < g_strv_length (fields) && *fields[index] != '\0' ? g_strdup (fields[index])
                                                                  : NULL;
}

/* @query holds KEY=VALUE as one of its '&'-separated items, percent-encoded. */
static gboolean
query_holds (const char *query, const char *key, const char *value)
{
  g_autofree char *escaped_key = g_uri_escape_string (key, NULL, FALSE);
  g_autofree char *escaped_value = g_uri_escape_string (value, NULL, FALSE);
  g_autofree char *item = g_strdup_printf ("%s=%s", escaped_key, escaped_value);
  g_auto (GStrv) items = g_strsplit (query, "&", -1);

  return g_strv_contains ((const char *const *) items, item);
}

static void
check_page_url (const RhRoom *room, const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *query;

  rh_fuzz_check (uri != NULL);
  query = g_uri_get_query (uri);
  rh_fuzz_check (query != NULL);
  rh_fuzz_check (query_holds (query, "appId", room->app_id));
  rh_fuzz_check (query_holds (query, "roomUuid", room->room_uuid));
  rh_fuzz_check (query_holds (query, "userUuid", room->user_uuid));
  if (room->rtm_token != NULL)
    rh_fuzz_check (query_holds (query, "rtmToken", room->rtm_token));
}

static void
check_ready_uri (const RhRoom *room, const char *ready)
{
  g_autoptr (GUri) uri = g_uri_parse (ready, G_URI_FLAGS_ENCODED, NULL);
  g_autofree char *app = g_uri_escape_string (room->app_id, NULL, FALSE);
  g_autofree char *room_uuid = g_uri_escape_string (room->room_uuid, NULL, FALSE);
  g_autofree char *tail = g_strdup_printf ("/edu/apps/%s/v2/rooms/%s/records/ready", app,
                                           room_uuid);

  rh_fuzz_check (uri != NULL);
  rh_fuzz_check (g_uri_get_query (uri) == NULL && g_uri_get_fragment (uri) == NULL);
  rh_fuzz_check (g_str_has_suffix (g_uri_get_path (uri), tail));
}

static void
check_route (const char *host_equals_url)
{
  g_autoptr (RhRoute) route = rh_route_parse (host_equals_url, NULL);
  g_autofree char *lower = NULL;

  if (route == NULL)
    return;
  lower = g_ascii_strdown (route->host, -1);
  rh_fuzz_check (*route->host != '\0' && g_str_equal (lower, route->host));
  rh_fuzz_check (g_ascii_strncasecmp (route->base, "http://", 7) == 0
                 || g_ascii_strncasecmp (route->base, "https://", 8) == 0);
  rh_fuzz_check (!g_str_has_suffix (route->base, "/"));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_auto (GStrv) fields = rh_fuzz_fields (data, size, MAX_FIELDS);
  g_autoptr (RhPageOptions) options = rh_page_options_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;
  g_autofree char *ready = NULL;
  g_autofree char *region = field (fields, REGION);
  g_autofree char *room_type = field (fields, ROOM_TYPE);
  RhRoom *room;
  gint64 type = -1;

  options->page = field (fields, PAGE);
  if (options->page == NULL)
    return 0;
  options->room = room = rh_room_new ();
  room->app_id = field (fields, APP_ID);
  room->room_uuid = field (fields, ROOM_UUID);
  room->user_uuid = field (fields, USER_UUID);
  if (room_type != NULL && g_ascii_string_to_signed (room_type, 10, -1, 99, &type, NULL))
    room->room_type = (int) type;
  room->rtm_token = field (fields, TOKEN);
  room->language = field (fields, LANGUAGE);
  /* A fixed start time: the same input builds the same URL. */
  room->start_time_ms = 1700000000000;
  if (region != NULL && !rh_room_set_region (room, region, NULL))
    return 0;
  options->api_base = field (fields, API_BASE);
  for (guint i = PARAMS; i < g_strv_length (fields); i++)
    {
      rh_room_add_param (room, fields[i], NULL);
      check_route (fields[i]);
    }

  if (!rh_page_options_prepare (options, &url, &error))
    {
      rh_fuzz_check (error != NULL && url == NULL);
      return 0;
    }
  rh_fuzz_check (url != NULL);
  check_page_url (room, url);
  if (options->api_base != NULL)
    {
      g_autoptr (GError) ready_error = NULL;

      ready = rh_ready_call_build_uri (options->api_base, room->region, room->app_id,
                                       room->room_uuid, &ready_error);
      rh_fuzz_check ((ready == NULL) == (ready_error != NULL));
      if (ready != NULL)
        check_ready_uri (room, ready);
    }
  return 0;
}
