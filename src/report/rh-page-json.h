/* A page outcome's members of the --json reports of check and run, and of
 * the cloud's records. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-page-outcome.h"

G_BEGIN_DECLS

void rh_page_json_add_times     (const RhPageTimes *times, JsonBuilder *builder);
void rh_page_json_add_resources (const RhPageOutcome *outcome, JsonBuilder *builder);
void rh_page_json_add_requests  (const RhPageOutcome *outcome, JsonBuilder *builder);
void rh_page_json_add_engine    (const RhPageOutcome *outcome, JsonBuilder *builder);
void rh_page_json_add_frames    (const RhPageOutcome *outcome, JsonBuilder *builder);

G_END_DECLS
