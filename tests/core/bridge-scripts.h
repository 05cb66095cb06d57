/* The names the bridge's scripts (the .js files of data/bridge) spell out, for tests
 * that hold a C table against them. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* The distinct first groups of @pattern's matches in the scripts, in order
 * of appearance (char *); fails the test when there are no scripts. */
GPtrArray *bridge_scripts_find (const char *pattern);

G_END_DECLS
