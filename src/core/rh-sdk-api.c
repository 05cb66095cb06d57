#include "rh-sdk-api.h"

/* Whether @path is one of the SDK's calls. */
gboolean
rh_sdk_api_handles (const RhApiPath *path)
{
  return path->kind == RH_API_PATH_CONFIGS || path->kind == RH_API_PATH_CHECK_IN
         || path->kind == RH_API_PATH_ENTRY || path->kind == RH_API_PATH_RTM_LOGIN;
}

const char *
rh_sdk_api_method (const RhApiPath *path)
{
  switch (path->kind)
    {
    case RH_API_PATH_CONFIGS:
      return "GET";
    case RH_API_PATH_RTM_LOGIN:
      return "POST";
    default:
      return "PUT";
    }
}

/* The calls that are refused, with why: 1.1.x show the reason in their
 * error dialog, in the recording, instead of "Load failed". */
const char *
rh_sdk_api_refusal (const RhApiPath *path)
{
  if (path->kind != RH_API_PATH_RTM_LOGIN)
    return NULL;
  return "recordhost: the classroom's RTM login cannot be answered offline (RTM speaks the "
         "vendor's own protocol on the vendor's hosts)";
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

/* 1.1.x, after event 1, enters the room: it reads the class state, its
 * schedule (start, duration, close delay), whether chat is muted and the
 * class recorded, and the whiteboard room to join; with "code": 0 it goes
 * on to the whiteboard and its RTM login, neither of which is here. */
static void
build_entry (JsonBuilder *builder)
{
  set_int (builder, "state", 1);
  set_int (builder, "startTime", g_get_real_time () / 1000);
  set_int (builder, "duration", 3600);
  set_int (builder, "closeDelay", 600);
  set_int (builder, "muteChat", 0);
  set_int (builder, "isRecording", 1);
  json_builder_set_member_name (builder, "board");
  json_builder_begin_object (builder);
  set_string (builder, "boardId", "recordhost-local-board");
  set_string (builder, "boardToken", "");
  set_string (builder, "boardRegion", "cn-hz");
  json_builder_end_object (builder);
}

JsonNode *
rh_sdk_api_answer (const RhApiPath *path)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  switch (path->kind)
    {
    case RH_API_PATH_CONFIGS:
      build_configs (builder);
      break;
    case RH_API_PATH_ENTRY:
      build_entry (builder);
      break;
    case RH_API_PATH_RTM_LOGIN:
      break; /* refused */
    default:
      build_check_in (builder);
      break;
    }
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}
