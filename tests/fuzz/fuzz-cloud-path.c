/* src/core/rh-api-path.c: where the local cloud and the ready acknowledger
 * route a request path (as sent, percent-encoded: each part is decoded, so a
 * room uuid may hold an encoded '/' or anything else), and src/core/rh-sdk-api.c,
 * what they answer to the SDK's calls.  The input is the path, a C string. */
#include <string.h>

#include "fuzz-common.h"
#include "rh-api-path.h"
#include "rh-sdk-api.h"
#include "rh-json.h"

/* A route is the path cut in pieces and decoded: encoded and put together
 * again, they make a path with the same route. */
static void
check_route (const RhApiPath *route)
{
  g_autoptr (GString) joined = g_string_new (NULL);
  g_autoptr (RhApiPath) again = NULL;
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
  rh_fuzz_check ((route->record_id != NULL)
                 == (g_str_equal (route->rest, RH_API_PATH_RECORD_HAR)
                     || g_str_equal (route->rest, RH_API_PATH_RECORD_SNAPSHOTS)));
  if (route->record_id != NULL)
    {
      g_autofree char *record = g_uri_escape_string (route->record_id, NULL, FALSE);

      rh_fuzz_check (*route->record_id != '\0');
      g_string_append_printf (joined, "/records/%s/%s", record,
                              g_str_equal (route->rest, RH_API_PATH_RECORD_HAR) ? "har"
                                                                              : "snapshots");
    }
  else if (*route->rest != '\0')
    g_string_append_printf (joined, "/%s", route->rest);
  again = rh_api_path_parse (joined->str);
  rh_fuzz_check (again != NULL && again->kind == RH_API_PATH_ROOM);
  rh_fuzz_check (g_strcmp0 (again->region, route->region) == 0);
  rh_fuzz_check (g_str_equal (again->app_id, route->app_id));
  rh_fuzz_check (g_str_equal (again->room_uuid, route->room_uuid));
  rh_fuzz_check (g_str_equal (again->rest, route->rest));
  rh_fuzz_check (g_strcmp0 (again->record_id, route->record_id) == 0);
}

static void
check_sdk_api (const RhApiPath *request)
{
  g_autoptr (JsonNode) answer = NULL;
  g_autofree char *text = NULL;

  rh_fuzz_check (rh_sdk_api_handles (request));
  rh_fuzz_check (request->app_id != NULL && *request->app_id != '\0');
  rh_fuzz_check ((request->kind == RH_API_PATH_CHECK_IN || request->kind == RH_API_PATH_ENTRY)
                 == (request->room_uuid != NULL && request->user_uuid != NULL));
  rh_sdk_api_method (request);
  answer = rh_sdk_api_answer (request);
  text = rh_json_to_string (answer, FALSE);
  rh_fuzz_check_written (text, FALSE);
}

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autofree char *text = g_strndup ((const char *) data, size);
  g_autoptr (RhApiPath) path = rh_api_path_parse (text);

  if (path != NULL && path->kind == RH_API_PATH_ROOM)
    check_route (path);
  else if (path != NULL)
    check_sdk_api (path);
  return 0;
}
