/* What WebKit's processes print on stderr that says nothing to the user:
 * they share our stderr, and on a machine without a sound card or an
 * accessibility bus (a server) they complain about both on every run. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

void rh_wpe_noise_filter_start (void);
void rh_wpe_noise_filter_end   (void);

G_END_DECLS
