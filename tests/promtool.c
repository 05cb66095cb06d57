#include "promtool.h"

#include <gio/gio.h>

gboolean
rh_test_promtool_check (const char *text, char **output)
{
  g_autofree char *promtool = g_find_program_in_path ("promtool");
  g_autoptr (GSubprocess) process = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *printed = NULL;

  *output = NULL;
  /* A skipped check is no check: CI installs it (.ci/setup). */
  if (promtool == NULL)
    {
      g_test_fail_printf ("no promtool: install Debian's prometheus package");
      return FALSE;
    }
  process = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE
                                | G_SUBPROCESS_FLAGS_STDERR_MERGE,
                              &error, promtool, "check", "metrics", NULL);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, text, NULL, &printed, NULL, &error));
  g_assert_no_error (error);
  *output = g_steal_pointer (&printed);
  return g_subprocess_get_if_exited (process) && g_subprocess_get_exit_status (process) == 0
         && **output == '\0';
}

void
rh_test_assert_metrics_valid (const char *text)
{
  g_autofree char *output = NULL;

  /* Without an output, promtool did not run, and the test says so. */
  if (!rh_test_promtool_check (text, &output) && output != NULL)
    g_test_fail_printf ("promtool check metrics: %s\n%s", output, text);
}
