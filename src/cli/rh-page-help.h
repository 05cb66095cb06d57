/* What `recordhost check|run|demo --help` says below the options. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

extern const char rh_page_help_check[];
extern const char rh_page_help_run[];
extern const char rh_page_help_demo[];

G_END_DECLS
