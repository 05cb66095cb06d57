/* `check --engine both`: one page's reports from WPE and from Chromium,
 * compared aspect by aspect (page load, launch, the SDK's API calls,
 * uncaught errors, listener events, ready, first paint), each difference
 * marked as the engine's doing or not. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* {"same": bool, "verdicts_differ": bool, "aspects": [{"aspect", "wpe",
 * "chromium", "same", "cause": null | "engine" | "not the engine"}]}. */
JsonObject *rh_engine_parity_compare (JsonObject *wpe, JsonObject *chromium);
char       *rh_engine_parity_format  (JsonObject *parity);

G_END_DECLS
