/* WebKit's own processes: the web and network processes it starts as
 * children of this one.  Nothing ends them when this process ends (WebKit
 * sets no parent-death signal on them): a web process stuck in a page's
 * script keeps spinning for seconds, owned by init.  Whoever ends the
 * process kills them first. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

guint rh_wpe_processes_kill (void);

G_END_DECLS
