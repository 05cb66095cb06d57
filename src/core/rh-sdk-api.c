#include "rh-sdk-api.h"

#include <string.h>

void
rh_sdk_api_request_free (RhSdkApiRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->app_id);
  g_free (request->room_uuid);
  g_free (request->user_uuid);
  g_free (request);
}

/* "/a/b%2Fc" -> {"a", "b/c"}: split as sent, each segment percent-decoded;
 * NULL for an empty segment, a bad escape or what is not UTF-8. */
static char **
segments (const char *path)
{
  g_auto (GStrv) parts = NULL;

  if (path == NULL || path[0] != '/')
    return NULL;
  parts = g_strsplit (path + 1, "/", 16);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *decoded = g_uri_unescape_string (parts[i], NULL);

      if (decoded == NULL || *decoded == '\0' || !g_utf8_validate (decoded, -1, NULL))
        {
          g_free (decoded);
          return NULL;
        }
      g_free (parts[i]);
      parts[i] = decoded;
    }
  return g_steal_pointer (&parts);
}

RhSdkApiRequest *
rh_sdk_api_request_parse (const char *path)
{
  g_auto (GStrv) parts = segments (path);
  g_autoptr (RhSdkApiRequest) request = NULL;
  guint n, i = 0;

  if (parts == NULL)
    return NULL;
  n = g_strv_length (parts);
  if (n > 0 && !g_str_equal (parts[0], "edu"))
    i = 1; /* the region */
  if (n < i + 4 || !g_str_equal (parts[i], "edu") || !g_str_equal (parts[i + 1], "apps"))
    return NULL;
  request = g_new0 (RhSdkApiRequest, 1);
  request->app_id = g_strdup (parts[i + 2]);
  i += 3;
  if (n == i + 2 && g_str_equal (parts[i], "v2") && g_str_equal (parts[i + 1], "configs"))
    request->call = RH_SDK_API_CONFIGS;
  else if (n == i + 5 && g_str_equal (parts[i], "v3") && g_str_equal (parts[i + 1], "rooms")
           && g_str_equal (parts[i + 3], "users"))
    {
      request->call = RH_SDK_API_CHECK_IN;
      request->room_uuid = g_strdup (parts[i + 2]);
      request->user_uuid = g_strdup (parts[i + 4]);
    }
  else
    return NULL;
  return g_steal_pointer (&request);
}

const char *
rh_sdk_api_request_method (const RhSdkApiRequest *request)
{
  return request->call == RH_SDK_API_CONFIGS ? "GET" : "PUT";
}

static void
set_string (JsonBuilder *builder, const char *name, const char *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value);
}

static void
set_int (JsonBuilder *builder, const char *name, gint64 value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_int_value (builder, value);
}

/* 1.1.x reads the whiteboard's app and a storage configuration whose bucket
 * must be a valid OSS bucket name; nothing is ever uploaded. */
static void
build_configs (JsonBuilder *builder)
{
  json_builder_set_member_name (builder, "netless");
  json_builder_begin_object (builder);
  set_string (builder, "appId", "recordhost-local-whiteboard");
  set_string (builder, "token", "");
  json_builder_set_member_name (builder, "oss");
  json_builder_begin_object (builder);
  set_string (builder, "region", "oss-cn-hangzhou");
  set_string (builder, "bucket", "recordhost-local");
  set_string (builder, "folder", "whiteboard");
  set_string (builder, "accessKey", "recordhost-local");
  set_string (builder, "secretKey", "recordhost-local");
  set_string (builder, "endpoint", "oss-cn-hangzhou.aliyuncs.com");
  json_builder_end_object (builder);
  json_builder_end_object (builder);
  set_int (builder, "vid", 1);
}

/* 2.x reads the class state and times, the regions of its RTM and RTC
 * services and the vid; with "code": 0 it goes on to its RTM login. */
static void
build_check_in (JsonBuilder *builder)
{
  gint64 now = g_get_real_time () / 1000;

  set_int (builder, "state", 1);
  set_int (builder, "startTime", now);
  set_int (builder, "duration", 3600);
  set_int (builder, "closeDelay", 600);
  set_int (builder, "vid", 0);
  set_string (builder, "rtcRegion", "AREA_GLOBAL");
  set_string (builder, "rtmRegion", "AREA_GLOBAL");
}

JsonNode *
rh_sdk_api_request_answer (const RhSdkApiRequest *request)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  if (request->call == RH_SDK_API_CONFIGS)
    build_configs (builder);
  else
    build_check_in (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
