/* Prometheus' own check of the text format, for the tests of metrics. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Runs `promtool check metrics` on @text: whether it passed, which is exit
 * status 0 and nothing printed (a lint problem, such as a counter without
 * "_total", is printed with exit status 3; a format error with 1).  What it
 * printed, in *@output.  Fails the test when promtool is not installed. */
gboolean rh_test_promtool_check (const char *text, char **output);

/* Fails the test, with promtool's words, unless @text passes. */
void     rh_test_assert_metrics_valid (const char *text);

G_END_DECLS
