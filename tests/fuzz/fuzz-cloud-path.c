/* src/rh-cloud.c and src/rh-cloud-sdk-api.c: where the local cloud routes a
 * request path (as sent, percent-encoded: the cloud decodes each part, so a
 * room uuid may hold an encoded '/' or anything else).  The input is the
 * path, a C string. */
#include <string.h>

#include "fuzz-common.h"
#include "rh-cloud.h"
#include "rh-sdk-api.h"
#include "rh-json.h"

/* A route is the path cut in pieces and decoded: encoded and put together
 * again, they make a path with the same route. */
static void
check_route (const RhCloudRoute *route)
{
  g_autoptr (GString) joined = g_string_new (NULL);
  g_autoptr (RhCloudRoute) again = NULL;
  g_autofree char *app = NULL;
  g_autofree char *room = NULL;

  rh_fuzz_check (route->app_id != NULL && *route->app_id != '\0');
  rh_fuzz_check (strchr (route->app_id, '/') == NULL);
  rh_fuzz_check (route->room_uuid != NULL && *route->room_uuid != '\0');
  rh_fuzz_check (route->rest != NULL);
  rh_fuzz_check (route->region == NULL
                 || (*route->region != '\0' && strchr (route->region, '/') == NULL));
  rh_fuzz_check (g_utf8_validate (route->room_uuid, -1, NULL));
  if (route->region != NULL)
    {
      g_autofree char *region = g_uri_escape_string (route->region, NULL, FALSE);

      g_string_append_printf (joined, "/%s", region);
    }
  app = g_uri_escape_string (route->app_id, NULL, FALSE);
  room = g_uri_escape_string (route->room_uuid, NULL, FALSE);
  g_string_append_printf (joined, "/edu/apps/%s/v2/rooms/%s", app, room);
  if (*route->rest != '\0')
    g_string_append_printf (joined, "/%s", route->rest);
  again = rh_cloud_route_parse (joined->str);
  rh_fuzz_check (again != NULL);
  rh_fuzz_check (g_strcmp0 (again->region, route->region) == 0);
  rh_fuzz_check (g_str_equal (again->app_id, route->app_id));
  rh_fuzz_check (g_str_equal (again->room_uuid, route->room_uuid));
  rh_fuzz_check (g_str_equal (again->rest, route->rest));
}

static void
check_sdk_api (const RhSdkApiRequest *request)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *text = NULL;

  rh_fuzz_check (request->call == RH_SDK_API_CONFIGS || request->call == RH_SDK_API_CHECK_IN);
  rh_fuzz_check (request->app_id != NULL && *request->app_id != '\0');
  rh_fuzz_check ((request->call == RH_SDK_API_CHECK_IN)
                 == (request->room_uuid != NULL && request->user_uuid != NULL));
  rh_sdk_api_request_method (request);
  answer = rh_sdk_api_request_answer (request);
  text = rh_json_to_string (answer, FALSE);
  rh_fuzz_check_written (text, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *path = g_strndup ((const char *) data, size);
  g_autoptr (RhCloudRoute) route = rh_cloud_route_parse (path);
  g_autoptr (RhSdkApiRequest) request = rh_sdk_api_request_parse (path);

  if (route != NULL)
    check_route (route);
  if (request != NULL)
    check_sdk_api (request);
  return 0;
}
