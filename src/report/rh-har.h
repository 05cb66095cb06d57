/* The page's requests as a HAR 1.2 file, the format every browser's
 * developer tools open: the document and its subresources as WebKit loaded
 * them, and each fetch, XMLHttpRequest, WebSocket and EventSource of the
 * page's scripts with its method, route and answer. */
#pragma once

#include "rh-page-watch.h"

G_BEGIN_DECLS

JsonNode *rh_har_build (RhPageWatch *watch, RhTimeline *timeline, const char *page_url);
gboolean  rh_har_write (const char *path, RhPageWatch *watch, RhTimeline *timeline,
                        const char *page_url, GError **error);

G_END_DECLS
