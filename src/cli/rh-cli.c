#include "rh-cli.h"

#include <locale.h>

#include "rh-cli-end.h"
#include "rh-cli-log.h"
#include "rh-cloud-command.h"
#include "rh-error.h"
#include "rh-page-command.h"
#include "rh-wpe-noise.h"
#include "rh-wpe-processes.h"

static const char main_usage[] =
  "Usage: recordhost COMMAND [OPTIONS]\n"
  "\n"
  "A headless host for classroom record pages with a readiness notifier.\n"
  "\n"
  "Commands:\n"
  "  check URL|FILE   check that a record page gets ready and send the ready call\n"
  "  run URL|FILE     host a record page like the recording server: retries, state events\n"
  "  demo             run the bundled record page with the local cloud (offline)\n"
  "  cloud            the classroom cloud's recording API on this machine\n"
  "  help [COMMAND]   show this help, or COMMAND's options\n"
  "\n"
  "Run 'recordhost COMMAND --help' for a command's options.\n";

static const char *const page_command_names[] = {
  [RH_PAGE_COMMAND_CHECK] = "check",
  [RH_PAGE_COMMAND_DEMO] = "demo",
  [RH_PAGE_COMMAND_RUN] = "run",
};

static int
run_command (int argc, char **argv)
{
  const char *command;
  g_autofree char *unknown = NULL;

  if (argc < 2)
    {
      g_autoptr (GError) error = g_error_new_literal (RH_ERROR, RH_ERROR_INVALID_INPUT,
                                                      "no command");

      g_printerr ("%s", main_usage);
      return rh_error_exit_status (error);
    }
  command = argv[1];
  /* "help COMMAND" is "COMMAND --help". */
  if (g_str_equal (command, "help") && argc == 3 && !g_str_equal (argv[2], "help"))
    {
      char *help_argv[] = { argv[0], argv[2], (char *) "--help", NULL };

      return run_command (3, help_argv);
    }
  if (g_str_equal (command, "help") && argc > 3)
    return rh_cli_usage_error ("help takes one command");
  if (g_str_equal (command, "help") || g_str_equal (command, "--help")
      || g_str_equal (command, "-h"))
    {
      g_print ("%s", main_usage);
      return 0;
    }
  if (g_str_equal (command, "--version"))
    {
      g_print ("recordhost %s\n", PACKAGE_VERSION);
      return 0;
    }
  /* Usage lines and errors name the command: "recordhost check: ...". */
  if (g_str_equal (command, "cloud"))
    {
      g_set_prgname ("recordhost cloud");
      return rh_cloud_command_main (argc - 1, argv + 1);
    }
  for (guint i = 0; i < G_N_ELEMENTS (page_command_names); i++)
    if (g_str_equal (command, page_command_names[i]))
      {
        g_autofree char *prgname = g_strconcat ("recordhost ", command, NULL);

        g_set_prgname (prgname);
        return rh_page_command_main (argc - 1, argv + 1, (RhPageCommand) i);
      }
  unknown = g_strdup_printf ("unknown command '%s'", command);
  return rh_cli_usage_error (unknown);
}

int
rh_cli_main (int argc, char **argv)
{
  int status;

  setlocale (LC_ALL, "");
  g_set_prgname ("recordhost");
  rh_cli_log_init ();
  /* SIGUSR1 is ours (release an onHold run); JavaScriptCore would use it to
   * suspend threads for GC.  Give JSC SIGPWR before WebKit starts. */
  g_setenv ("JSC_SIGNAL_FOR_GC", "30", FALSE);
  rh_wpe_noise_filter_start ();
  status = run_command (argc, argv);
  /* However the command ended, no engine process it started outlives it. */
  rh_wpe_processes_kill ();
  rh_wpe_noise_filter_end ();
  return status;
}
