/* The classroom SDKs' own first calls, answered by the local cloud so that a
 * published SDK bundle can run with no network (--sdk-api local):
 *   GET [/{region}]/edu/apps/{appId}/v2/configs              (SDK 1.1.x)
 *   PUT [/{region}]/edu/apps/{appId}/v3/rooms/{room}/users/{user}  (2.x check-in)
 * Answers carry what the SDKs read and nothing real: no whiteboard, no
 * storage, no RTM or RTC service.  The request bodies are not read. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  RH_SDK_API_NONE,
  RH_SDK_API_CONFIGS,
  RH_SDK_API_CHECK_IN,
} RhSdkApiCall;

typedef struct
{
  RhSdkApiCall call;
  char *app_id;
  char *room_uuid; /* check-in only */
  char *user_uuid; /* check-in only */
} RhSdkApiRequest;

/* NULL unless @path (as sent, percent-encoded) is one of the calls above. */
RhSdkApiRequest *rh_sdk_api_request_parse (const char *path);
void             rh_sdk_api_request_free  (RhSdkApiRequest *request);
const char      *rh_sdk_api_request_method (const RhSdkApiRequest *request);
/* The "data" of the answer's envelope. */
JsonNode        *rh_sdk_api_request_answer (const RhSdkApiRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhSdkApiRequest, rh_sdk_api_request_free)

G_END_DECLS
