/* Text from outside (pages, servers, room uuids) made fit for terminals and
 * logs: what a terminal would act on is spelt out instead. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* @text with invalid UTF-8 replaced by U+FFFD, newline, CR and tab as \n,
 * \r and \t, other C0 controls and DEL as \xHH, C1 controls, line and
 * paragraph separators and bidi controls as \uHHHH.  NULL for NULL. */
char *rh_text_printable (const char *text);

G_END_DECLS
