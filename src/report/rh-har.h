/* The page's requests as a HAR 1.2 file, the format every browser's
 * developer tools open: the document and its subresources as WebKit loaded
 * them, and each fetch, XMLHttpRequest, WebSocket and EventSource of the
 * page's scripts with its method, route and answer. */
#pragma once

#include "rh-page-outcome.h"

G_BEGIN_DECLS

JsonNode *rh_har_build (const RhPageOutcome *outcome);
gboolean  rh_har_write (const char *path, const RhPageOutcome *outcome, GError **error);

G_END_DECLS
