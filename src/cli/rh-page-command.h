/* `recordhost check`, `demo` and `run`: a record page, hosted until it is
 * ready (check, demo) or for the length of a class (run). */
#pragma once

#include "rh-page-args.h"

G_BEGIN_DECLS

int rh_page_command_main (int argc, char **argv, RhPageCommand command);

G_END_DECLS
