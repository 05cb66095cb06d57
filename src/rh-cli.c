#include "rh-cli.h"

#include <glib-unix.h>
#include <locale.h>
#include <stdio.h>

#include "rh-check.h"
#include "rh-error.h"

#define EXIT_USAGE 2

/* Raw option values: everything is parsed and range-checked by us, so that
 * every mistake gets the same kind of one-line message and exit status 2. */
typedef struct
{
  char *app_id;
  char *room_uuid;
  char *room_type;
  char *user_uuid;
  char *role_type;
  char *rtm_token;
  char *language;
  char *region;
  char **params;
  char *width;
  char *height;
  char *ready;
  char *api_base;
  char *timeout;
  gboolean json;
  gboolean quiet;
  gboolean verbose;
  char **rest;
} CheckArgs;

static void
check_args_clear (CheckArgs *args)
{
  g_free (args->app_id);
  g_free (args->room_uuid);
  g_free (args->room_type);
  g_free (args->user_uuid);
  g_free (args->role_type);
  g_free (args->rtm_token);
  g_free (args->language);
  g_free (args->region);
  g_strfreev (args->params);
  g_free (args->width);
  g_free (args->height);
  g_free (args->ready);
  g_free (args->api_base);
  g_free (args->timeout);
  g_strfreev (args->rest);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (CheckArgs, check_args_clear)

static const char check_description[] =
  "Loads a record page in a headless WebKit view the way the recording server\n"
  "opens it, waits for the page's ready signal, sends the ready call\n"
  "  PUT {api-base}[/{region}]/edu/apps/{appId}/v2/rooms/{roomUuid}/records/ready\n"
  "and reports what happened, with times in ms since navigation start.\n"
  "\n"
  "The page URL gets appId, roomUuid, roomType, userUuid, roleType, pretest=false\n"
  "and, when given, rtmToken, language, region and every --param appended.\n"
  "Without --api-base the ready call goes to a local cloud stand-in on\n"
  "127.0.0.1: nothing leaves the machine.\n"
  "\n"
  "Ready protocols (--ready):\n"
  "  event1         launch listener event 1 (default)\n"
  "  whiteboard     event 1 whose args.type is \"whiteboard\" (SDKs before 1.1.5)\n"
  "  notify         the page calls navigator.notifyReady()\n"
  "  console:TEXT   a console message equal to TEXT, e.g. console:START_RECORDING\n"
  "\n"
  "Environment: RECORDHOST_RTM_TOKEN is used when --rtm-token is not given.\n"
  "Tokens are never printed: they appear as [REDACTED].\n"
  "\n"
  "Exit status: 0 ready acknowledged; 1 the page or the ready flow failed\n"
  "(load error, HTTP error page, JS error before ready, not ready in time,\n"
  "ready call refused, interrupted); 2 usage error or invalid input.";

static const char demo_description[] =
  "Runs `check` on the bundled record page and SDK stand-in, with the ready\n"
  "call answered by the local cloud stand-in: no network needed.\n"
  "Takes the same options as check; the room defaults to app \"demo-app\",\n"
  "room \"demo-room\", room type 4.";

static GOptionEntry *
check_entries (CheckArgs *args)
{
  GOptionEntry entries[] = {
    { "app-id", 0, 0, G_OPTION_ARG_STRING, &args->app_id, "Application ID (required)", "ID" },
    { "room-uuid", 0, 0, G_OPTION_ARG_STRING, &args->room_uuid, "Room UUID (required)", "UUID" },
    { "room-type", 0, 0, G_OPTION_ARG_STRING, &args->room_type,
      "Room type: 0 one-to-one, 2 lecture hall, 4 small classroom (required)", "N" },
    { "user-uuid", 0, 0, G_OPTION_ARG_STRING, &args->user_uuid,
      "Recorder's user UUID (default: a generated recorder-XXXXXXXX)", "UUID" },
    { "role-type", 0, 0, G_OPTION_ARG_STRING, &args->role_type,
      "Role type of the recorder (default 0, the invisible recorder)", "N" },
    { "rtm-token", 0, 0, G_OPTION_ARG_STRING, &args->rtm_token,
      "RTM token: passed to the page and sent as x-agora-token with x-agora-uid", "TOKEN" },
    { "language", 0, 0, G_OPTION_ARG_STRING, &args->language, "Page language, e.g. en or zh",
      "LANG" },
    { "region", 0, 0, G_OPTION_ARG_STRING, &args->region,
      "CN, AP (or AS), EU or NA: adds the ready call's region segment and the page's region",
      "REGION" },
    { "param", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->params,
      "Extra page query parameter (repeatable)", "KEY=VALUE" },
    { "width", 0, 0, G_OPTION_ARG_STRING, &args->width, "Viewport width, 480..1920 (default 1280)",
      "PX" },
    { "height", 0, 0, G_OPTION_ARG_STRING, &args->height,
      "Viewport height, 480..1920, width*height <= 1920*1080 (default 720)", "PX" },
    { "ready", 0, 0, G_OPTION_ARG_STRING, &args->ready,
      "Ready protocol: event1, whiteboard, notify or console:TEXT (default event1)", "PROTOCOL" },
    { "api-base", 0, 0, G_OPTION_ARG_STRING, &args->api_base,
      "Cloud API base for the ready call, e.g. https://api.sd-rtn.com (default: local cloud)",
      "URL" },
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &args->timeout,
      "Seconds the whole check may take, 1..86400 (default 60)", "SECONDS" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &args->json, "Print a JSON report on stdout", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &args->quiet, "No timeline on stderr", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &args->verbose, "Debug messages on stderr", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->rest, NULL, "URL|FILE" },
    { NULL },
  };

  return g_memdup2 (entries, sizeof entries);
}

static gboolean
parse_uint (const char *option, const char *text, guint min, guint max, guint *out,
            GError **error)
{
  guint64 value;
  g_autoptr (GError) local_error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, &local_error))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--%s '%s': expected a number in %u..%u",
                   option, text, min, max);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

static RhPageOptions *
check_options_from_args (CheckArgs *args, const char *page, gboolean demo, GError **error)
{
  g_autoptr (RhPageOptions) options = rh_page_options_new ();
  RhRoom *room;
  guint value;

  options->room = room = rh_room_new ();
  room->app_id = g_strdup (args->app_id != NULL ? args->app_id : demo ? "demo-app" : NULL);
  room->room_uuid = g_strdup (args->room_uuid != NULL ? args->room_uuid
                                                      : demo ? "demo-room" : NULL);
  if (args->room_type != NULL)
    {
      if (!parse_uint ("room-type", args->room_type, 0, 4, &value, error))
        return NULL;
      room->room_type = value;
    }
  else if (demo)
    room->room_type = 4;
  room->user_uuid = args->user_uuid != NULL ? g_strdup (args->user_uuid)
                                            : rh_user_uuid_generate ();
  if (args->role_type != NULL)
    {
      if (!parse_uint ("role-type", args->role_type, 0, 100, &value, error))
        return NULL;
      room->role_type = value;
    }
  room->rtm_token = g_strdup (args->rtm_token != NULL ? args->rtm_token
                                                      : g_getenv ("RECORDHOST_RTM_TOKEN"));
  if (room->rtm_token != NULL && *room->rtm_token == '\0')
    g_clear_pointer (&room->rtm_token, g_free);
  room->language = g_strdup (args->language);
  if (args->region != NULL && !rh_room_set_region (room, args->region, error))
    return NULL;
  for (guint i = 0; args->params != NULL && args->params[i] != NULL; i++)
    if (!rh_room_add_param (room, args->params[i], error))
      return NULL;
  if (!rh_room_validate (room, error))
    return NULL;

  if (args->width != NULL
      && !parse_uint ("width", args->width, 1, G_MAXINT, &options->record.width, error))
    return NULL;
  if (args->height != NULL
      && !parse_uint ("height", args->height, 1, G_MAXINT, &options->record.height, error))
    return NULL;
  if (!rh_record_config_validate (&options->record, error))
    return NULL;
  if (args->ready != NULL)
    {
      options->ready = rh_ready_protocol_parse (args->ready, error);
      if (options->ready == NULL)
        return NULL;
    }
  if (args->timeout != NULL
      && !parse_uint ("timeout", args->timeout, 1, 86400, &options->timeout_s, error))
    return NULL;
  options->api_base = g_strdup (args->api_base);
  options->page = g_strdup (page);
  options->echo = !args->quiet;
  return g_steal_pointer (&options);
}

typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
run_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static gboolean
interrupt_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
  return G_SOURCE_CONTINUE;
}

static int
run_check (RhPageOptions *options, gboolean json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhCheck) check = rh_check_new (options, &error);
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  Wait wait = { 0 };
  guint sigint_id, sigterm_id;
  int status;

  if (check == NULL)
    {
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return rh_check_exit_status (error);
    }

  cancellable = g_cancellable_new ();
  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  sigint_id = g_unix_signal_add (SIGINT, interrupt_cb, cancellable);
  sigterm_id = g_unix_signal_add (SIGTERM, interrupt_cb, cancellable);
  rh_check_run_async (check, cancellable, run_done_cb, &wait);
  if (wait.result == NULL)
    g_main_loop_run (loop);
  g_source_remove (sigint_id);
  g_source_remove (sigterm_id);

  rh_check_run_finish (check, wait.result, &error);
  g_clear_object (&wait.result);
  status = rh_check_exit_status (error);
  if (error != NULL)
    {
      g_autofree char *message = rh_timeline_redact (rh_check_get_timeline (check),
                                                     error->message);

      g_printerr ("%s: %s\n", g_get_prgname (), message);
    }
  if (json)
    {
      g_autoptr (JsonNode) report = rh_check_to_json (check);
      g_autofree char *text = json_to_string (report, TRUE);

      g_print ("%s\n", text);
    }
  return status;
}

static int
usage_error (GOptionContext *context, const char *message)
{
  g_printerr ("%s: %s\n", g_get_prgname (), message);
  g_printerr ("Try '%s --help' for more information.\n", g_get_prgname ());
  return EXIT_USAGE;
}

static int
cmd_check (int argc, char **argv, gboolean demo)
{
  g_auto (CheckArgs) args = { 0 };
  g_autofree GOptionEntry *entries = check_entries (&args);
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageOptions) options = NULL;
  g_autofree char *demo_page = NULL;
  const char *page;
  guint n_rest;

  /* Usage lines and errors name the command: "recordhost check: ...". */
  g_set_prgname (demo ? "recordhost demo" : "recordhost check");
  context = g_option_context_new (demo ? "- run the bundled record page offline"
                                       : "URL|FILE - check that a record page gets ready");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, demo ? demo_description : check_description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (context, error->message);
  if (args.verbose)
    g_setenv ("G_MESSAGES_DEBUG", "recordhost", TRUE);

  n_rest = args.rest != NULL ? g_strv_length (args.rest) : 0;
  if (demo)
    {
      if (n_rest > 0)
        return usage_error (context, "demo takes no page: it runs the bundled one");
      demo_page = g_build_filename (RH_PAGE_DIR, "record_page.html", NULL);
      page = demo_page;
    }
  else
    {
      if (n_rest == 0)
        return usage_error (context, "missing the record page URL or file");
      if (n_rest > 1)
        return usage_error (context, "more than one page given");
      page = args.rest[0];
    }

  options = check_options_from_args (&args, page, demo, &error);
  if (options == NULL)
    return usage_error (context, error->message);
  return run_check (g_steal_pointer (&options), args.json);
}

static const char main_usage[] =
  "Usage: recordhost COMMAND [OPTIONS]\n"
  "\n"
  "A headless host for classroom record pages with a readiness notifier.\n"
  "\n"
  "Commands:\n"
  "  check URL|FILE   check that a record page gets ready and send the ready call\n"
  "  demo             run the bundled record page with the local cloud (offline)\n"
  "  help             show this help\n"
  "\n"
  "Run 'recordhost COMMAND --help' for a command's options.\n";

int
rh_cli_main (int argc, char **argv)
{
  const char *command;

  setlocale (LC_ALL, "");
  g_set_prgname ("recordhost");
  if (argc < 2)
    {
      g_printerr ("%s", main_usage);
      return EXIT_USAGE;
    }
  command = argv[1];
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
  if (g_str_equal (command, "check"))
    return cmd_check (argc - 1, argv + 1, FALSE);
  if (g_str_equal (command, "demo"))
    return cmd_check (argc - 1, argv + 1, TRUE);
  g_printerr ("%s: unknown command '%s'\n", g_get_prgname (), command);
  g_printerr ("Try '%s --help' for more information.\n", g_get_prgname ());
  return EXIT_USAGE;
}
