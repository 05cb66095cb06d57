/* `recordhost demo --flow`: the documented recording flow, walked over HTTP
 * against the local cloud, with the bundled page. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

gboolean rh_demo_flow_run (GError **error);

G_END_DECLS
