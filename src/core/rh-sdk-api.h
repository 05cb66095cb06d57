/* The classroom SDKs' own first calls, answered by a local server so that a
 * published SDK bundle can run with no network (--sdk-api local): the
 * configuration (GET, SDK 1.1.x), the room entry (PUT, 1.1.x) and the
 * check-in (PUT, 2.x) of rh-api-path.h; the RTM login (POST, 1.1.x) is
 * refused, saying why.
 * Answers carry what the SDKs read and nothing real: no whiteboard, no
 * storage, no RTM or RTC service.  The request bodies are not read. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-api-path.h"

G_BEGIN_DECLS

gboolean    rh_sdk_api_handles (const RhApiPath *path);
const char *rh_sdk_api_method  (const RhApiPath *path);
/* The error message @path is refused with, NULL when it is answered. */
const char *rh_sdk_api_refusal (const RhApiPath *path);
/* The "data" of the answer's envelope. */
JsonNode   *rh_sdk_api_answer  (const RhApiPath *path);

G_END_DECLS
