/* Where the bundled record page (page/ of the source, installed under the
 * data directory) is, found at run time so that an installed tree works
 * wherever it is copied. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char *rh_page_dir_find (GError **error);

G_END_DECLS
