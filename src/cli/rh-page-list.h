/* --pages FILE: the pages a check is given, from its command line and from
 * a list of them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

char **rh_page_list_read (char **given, const char *list, GError **error);

G_END_DECLS
