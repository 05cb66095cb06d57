#include "rh-cli.h"

#include <errno.h>
#include <glib-unix.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rh-check.h"
#include "rh-cloud.h"
#include "rh-demo-flow.h"
#include "rh-error.h"
#include "rh-json.h"
#include "rh-recorder.h"
#include "rh-ready-endpoint.h"
#include "rh-run.h"
#include "rh-text.h"

#define EXIT_USAGE 2
/* Longer than a recorder takes to finish its file or give up. */
#define RECORDINGS_WAIT_S 40
#define RH_DEMO_SDK_APP_ID "0123456789abcdef0123456789abcdef"

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
  char *webrtc;
  char **routes;
  char *sdk_api;
  char *har;
  char *sdk;
  char *user_agent;
  char *timeout;
  char *snapshots;
  char *junit;
  char *slow_paint_ms;
  char *paint_grace_ms;
  char *retry_timeout;
  char *record;
  char *video_fps;
  char *video_bitrate;
  char *duration;
  gboolean on_hold;
  char *state_log;
  gboolean flow;
  gboolean json;
  gboolean quiet;
  gboolean verbose;
  char **rest;
} PageArgs;

static void
page_args_clear (PageArgs *args)
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
  g_free (args->webrtc);
  g_strfreev (args->routes);
  g_free (args->sdk_api);
  g_free (args->har);
  g_free (args->sdk);
  g_free (args->user_agent);
  g_free (args->timeout);
  g_free (args->snapshots);
  g_free (args->junit);
  g_free (args->slow_paint_ms);
  g_free (args->paint_grace_ms);
  g_free (args->retry_timeout);
  g_free (args->record);
  g_free (args->video_fps);
  g_free (args->video_bitrate);
  g_free (args->duration);
  g_free (args->state_log);
  g_strfreev (args->rest);
}
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (PageArgs, page_args_clear)

static const char check_description[] =
  "Loads a record page in a headless WebKit view the way the recording server\n"
  "opens it, waits for the page's ready signal, sends the ready call\n"
  "  PUT {api-base}[/{region}]/edu/apps/{appId}/v2/rooms/{roomUuid}/records/ready\n"
  "and reports what happened, with times in ms since navigation start.\n"
  "\n"
  "The page URL gets appId, roomUuid, roomType, userUuid, roleType, pretest=false,\n"
  "when given rtmToken and region, every --param, and what else the cloud passes\n"
  "(userName, roomName, language, startTime, duration, rtmUid, recordUrl) unless\n"
  "--param or the page URL sets it.\n"
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
  "Tokens are never printed: they appear as [REDACTED], in every form the page\n"
  "can write them (percent-encoded, form-encoded, JSON-escaped, base64).\n"
  "\n"
  "Like the cloud, the check waits for ready until --timeout whatever the page\n"
  "logs or throws: uncaught errors are recorded, with where they were thrown.\n"
  "It ends early only when the outcome is certain: the page did not load, or it\n"
  "loaded and did not call AgoraEduSDK.launch within 5 s.\n"
  "\n"
  "Real SDK bundles: the WebRTC stand-in is on by default; --sdk-api local and\n"
  "--route send the SDK's API calls to the local cloud; --har writes every\n"
  "request; a check not ready in time names the hosts the SDK could not reach.\n"
  "\n"
  "Exit status: 0 ready acknowledged; 1 the page or the ready flow failed\n"
  "(load error, HTTP error page, launch never called, not ready in time,\n"
  "ready call refused, an error problem, interrupted); 2 usage error or invalid\n"
  "input.";

static const char run_description[] =
  "Hosts a record page the way the recording server does, for the length of a\n"
  "class. If the ready call is not acknowledged within --retry-timeout seconds\n"
  "of a load, the page is reloaded, at most twice (three loads in all); then\n"
  "the recording is abandoned. A crashed web process reloads the page.\n"
  "\n"
  "Each change is a recording state event shaped like the cloud's (cmd 1001):\n"
  "reason 1 started normally, 2 stopped normally, 3 started after a retry,\n"
  "4 timed out and waiting to retry, 5 abandoned after the last retry.\n"
  "Events go to the stderr timeline, to --json, and to --state-log as one JSON\n"
  "object a line, synced to disk before the run goes on.\n"
  "\n"
  "Signals: SIGINT, SIGTERM, SIGHUP or SIGQUIT stop the run normally (reason 2),\n"
  "its recording finished; SIGUSR1 releases a recording started with --on-hold.\n"
  "\n"
  "Takes check's options except --timeout. Exit status: 0 stopped normally;\n"
  "1 abandoned (reason 5) or the state log could not be written; 2 usage error.";

static const char demo_description[] =
  "Runs `check` on the bundled record page and SDK stand-in, with the ready\n"
  "call answered by the local cloud stand-in: no network needed.\n"
  "Takes the same options as check; the room defaults to app \"demo-app\",\n"
  "room \"demo-room\", room type 4, region CN, language en, a demo RTM token,\n"
  "and the other parameters the cloud passes (userName, roomName, startTime,\n"
  "duration, rtmUid, recordUrl).\n"
  "\n"
  "--sdk FILE runs a published SDK bundle (edu_sdk.bundle.js of the npm package\n"
  "agora-classroom-sdk) in the bundled page instead, with no network: its API\n"
  "calls go to the local cloud (--sdk-api local) and the app ID is 32\n"
  "characters. SDK 1.1.x gets ready; 2.x stops at its RTM login, which only\n"
  "the vendor's servers answer.";

static GOptionEntry *page_entries (PageArgs *args);

typedef enum
{
  COMMAND_CHECK,
  COMMAND_DEMO,
  COMMAND_RUN,
} Command;

static GOptionEntry *
command_entries (PageArgs *args, Command command)
{
  GOptionEntry check_only[] = {
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &args->timeout,
      "Seconds the whole check may take, 1..86400 (default 60)", "SECONDS" },
    { "snapshots", 0, 0, G_OPTION_ARG_FILENAME, &args->snapshots,
      "Write first.png, first-painted.png, at-ready.png, last.png, filmstrip.png and "
      "waterfall.png to DIR", "DIR" },
    { "junit", 0, 0, G_OPTION_ARG_FILENAME, &args->junit,
      "Write a JUnit XML report, one test case per aspect checked", "FILE" },
    { "slow-paint-ms", 0, 0, G_OPTION_ARG_STRING, &args->slow_paint_ms,
      "First paint later than this is a slow-first-paint warning (default 3000)", "MS" },
    { "paint-grace-ms", 0, 0, G_OPTION_ARG_STRING, &args->paint_grace_ms,
      "When ready is acknowledged on a blank page, watch this long for the first paint "
      "(default 5000, 0 to stop at once)", "MS" },
    { "har", 0, 0, G_OPTION_ARG_FILENAME, &args->har,
      "Write the page's requests (document, subresources, fetch, XMLHttpRequest, WebSocket) "
      "as a HAR 1.2 file", "FILE" },
    { NULL },
  };
  GOptionEntry run_only[] = {
    { "retry-timeout", 0, 0, G_OPTION_ARG_STRING, &args->retry_timeout,
      "Seconds a load has to get its ready call acknowledged, 1..3600 (default 60)", "SECONDS" },
    { "duration", 0, 0, G_OPTION_ARG_STRING, &args->duration,
      "Stop normally after this many seconds of recording (default: until a signal)",
      "SECONDS" },
    { "on-hold", 0, 0, G_OPTION_ARG_NONE, &args->on_hold,
      "Open and ready the page, but pause recording until released (SIGUSR1)", NULL },
    { "state-log", 0, 0, G_OPTION_ARG_FILENAME, &args->state_log,
      "Append each recording state event to FILE, one JSON object a line", "FILE" },
    { "record", 0, 0, G_OPTION_ARG_FILENAME, &args->record,
      "Write what the recording would hold: FILE.mp4 (H.264) or DIR/NAME.m3u8 (HLS); video "
      "only, from ready (or the release with --on-hold) to the stop", "FILE" },
    { "video-fps", 0, 0, G_OPTION_ARG_STRING, &args->video_fps,
      "Frame rate of --record, 5..60 (default 15)", "N" },
    { "video-bitrate", 0, 0, G_OPTION_ARG_STRING, &args->video_bitrate,
      "Bitrate of --record in kbps, 50..8000 (default 2000 at >= 1280x720, else 1500)",
      "KBPS" },
    { NULL },
  };
  g_autoptr (GArray) all = g_array_new (TRUE, TRUE, sizeof (GOptionEntry));
  GOptionEntry demo_only[] = {
    { "flow", 0, 0, G_OPTION_ARG_NONE, &args->flow,
      "Walk the documented recording flow instead, over HTTP against the local cloud: create "
      "the room, start recording on hold, ready, release, stop, list the events", NULL },
    { "sdk", 0, 0, G_OPTION_ARG_FILENAME, &args->sdk,
      "Load this classroom SDK bundle (e.g. edu_sdk.bundle.js from the npm package "
      "agora-classroom-sdk) in the bundled page instead of the SDK stand-in; implies "
      "--sdk-api local and a 32-character demo app ID", "FILE" },
    { NULL },
  };
  GOptionEntry *extra = command == COMMAND_RUN ? run_only : check_only;
  GOptionEntry *page = page_entries (args);

  for (GOptionEntry *entry = page; entry->long_name != NULL; entry++)
    g_array_append_val (all, *entry);
  for (GOptionEntry *entry = extra; entry->long_name != NULL; entry++)
    g_array_append_val (all, *entry);
  for (GOptionEntry *entry = demo_only; command == COMMAND_DEMO && entry->long_name != NULL;
       entry++)
    g_array_append_val (all, *entry);
  g_free (page);
  return (GOptionEntry *) g_array_free (g_steal_pointer (&all), FALSE);
}

static GOptionEntry *
page_entries (PageArgs *args)
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
    { "webrtc", 0, 0, G_OPTION_ARG_STRING, &args->webrtc,
      "standin (default: RTCPeerConnection, MediaStream, MediaStreamTrack, RTCRtp* and "
      "navigator.mediaDevices that cooperate without media, as a recorder without devices) or "
      "absent (the engine as it is, which has no WebRTC)", "MODE" },
    { "route", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->routes,
      "Send every request the page's scripts make to http(s)://HOST/PATH (fetch, "
      "XMLHttpRequest, WebSocket, EventSource) to URL/PATH instead (repeatable)", "HOST=URL" },
    { "sdk-api", 0, 0, G_OPTION_ARG_STRING, &args->sdk_api,
      "local: route the classroom SDKs' own API hosts (api.agora.io, api.sd-rtn.com and "
      "their regional names) to the local cloud, which answers their first calls", "local" },
    { "user-agent", 0, 0, G_OPTION_ARG_STRING, &args->user_agent,
      "User agent the page sees (some SDKs refuse browsers they do not know)", "STRING" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &args->json, "Print a JSON report on stdout", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &args->quiet, "No timeline on stderr", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &args->verbose, "Debug messages on stderr", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->rest, NULL, NULL },
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

/* The demo passes what the cloud would, so the bundled page reads no
 * parameter that is missing. */
static gboolean
add_demo_defaults (RhRoom *room, PageArgs *args, GError **error)
{
  gboolean named = FALSE;

  if (room->region == NULL && !rh_room_set_region (room, "CN", error))
    return FALSE;
  if (room->rtm_token == NULL)
    room->rtm_token = g_strdup ("demo-rtm-token");
  for (guint j = 0; args->params != NULL && args->params[j] != NULL; j++)
    named |= g_str_has_prefix (args->params[j], "roomName=");
  if (!named && !rh_room_add_param (room, "roomName=Demo room", error))
    return FALSE;
  if (args->sdk != NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (args->sdk);
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *uri = g_file_get_uri (file);
      g_autofree char *param = g_strconcat ("sdkBundle=", uri, NULL);

      if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--sdk %s: no such file",
                       args->sdk);
          return FALSE;
        }
      if (!rh_room_add_param (room, param, error))
        return FALSE;
    }
  return TRUE;
}

static RhPageOptions *
page_options_from_args (PageArgs *args, const char *page, gboolean demo, GError **error)
{
  g_autoptr (RhPageOptions) options = rh_page_options_new ();
  RhRoom *room;
  guint value;

  options->room = room = rh_room_new ();
  /* The published SDKs 1.1.x refuse an app ID that is not 32 characters. */
  room->app_id = g_strdup (args->app_id != NULL ? args->app_id
                           : demo && args->sdk != NULL ? RH_DEMO_SDK_APP_ID
                           : demo                      ? "demo-app"
                                                       : NULL);
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
  if (demo && !add_demo_defaults (room, args, error))
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
  options->api_base = g_strdup (args->api_base);
  if (args->webrtc != NULL && !rh_webrtc_mode_parse (args->webrtc, &options->webrtc, error))
    return NULL;
  for (guint i = 0; args->routes != NULL && args->routes[i] != NULL; i++)
    {
      RhRoute *route = rh_route_parse (args->routes[i], error);

      if (route == NULL)
        return NULL;
      g_ptr_array_add (options->routes, route);
    }
  if (args->sdk_api != NULL && !g_str_equal (args->sdk_api, "local"))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "unknown --sdk-api '%s' (expected local)", args->sdk_api);
      return NULL;
    }
  options->sdk_api_local = args->sdk_api != NULL || args->sdk != NULL;
  if (args->user_agent != NULL && *args->user_agent == '\0')
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--user-agent is empty");
      return NULL;
    }
  options->user_agent = g_strdup (args->user_agent);
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

/* ---- signals ----
 * A signal handler writes the signal's number to a pipe that the main loop
 * watches: any signal can be handled from the main loop this way, SIGQUIT
 * too, which g_unix_signal_add refuses. */

typedef void (*SignalFunc) (gpointer user_data);

/* The signals that end a command normally: an interrupt, a kill's default,
 * a closed terminal, the terminal's quit key. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT, 0 };

static int signal_pipe[2] = { -1, -1 };
static SignalFunc signal_funcs[NSIG];
static gpointer signal_data[NSIG];

static void
signal_to_pipe (int signal_number)
{
  int saved_errno = errno;
  guint8 byte = (guint8) signal_number;
  /* A full pipe already holds signals to handle: losing one is harmless. */
  G_GNUC_UNUSED ssize_t written = write (signal_pipe[1], &byte, 1);

  errno = saved_errno;
}

static gboolean
signal_pipe_cb (int fd, GIOCondition condition, gpointer user_data)
{
  guint8 bytes[16];
  ssize_t n;

  while ((n = read (fd, bytes, sizeof bytes)) > 0)
    for (ssize_t i = 0; i < n; i++)
      if (bytes[i] < NSIG && signal_funcs[bytes[i]] != NULL)
        signal_funcs[bytes[i]] (signal_data[bytes[i]]);
  return G_SOURCE_CONTINUE;
}

/* Calls @func (@user_data) from the main loop for each of @signals (ended
 * by 0) that arrives, until signals_unwatch (). */
static void
signals_watch (const int *signals, SignalFunc func, gpointer user_data)
{
  struct sigaction action = { 0 };

  if (signal_pipe[0] < 0)
    {
      g_autoptr (GError) error = NULL;

      if (!g_unix_open_pipe (signal_pipe, FD_CLOEXEC, &error)
          || !g_unix_set_fd_nonblocking (signal_pipe[0], TRUE, &error)
          || !g_unix_set_fd_nonblocking (signal_pipe[1], TRUE, &error))
        g_error ("cannot watch signals: %s", error->message);
      g_unix_fd_add (signal_pipe[0], G_IO_IN, signal_pipe_cb, NULL);
    }
  action.sa_handler = signal_to_pipe;
  action.sa_flags = SA_RESTART;
  sigemptyset (&action.sa_mask);
  for (guint i = 0; signals[i] != 0; i++)
    {
      signal_funcs[signals[i]] = func;
      signal_data[signals[i]] = user_data;
      sigaction (signals[i], &action, NULL);
    }
}

/* Back to the signals' default actions. */
static void
signals_unwatch (const int *signals)
{
  for (guint i = 0; signals[i] != 0; i++)
    {
      signal (signals[i], SIG_DFL);
      signal_funcs[signals[i]] = NULL;
    }
}

static void
interrupt_cb (gpointer user_data)
{
  g_cancellable_cancel (G_CANCELLABLE (user_data));
}

/* The failure line: outside text in it cannot act on the terminal, and the
 * timeline's secrets, when there is a timeline, are redacted. */
static void
print_error (RhTimeline *timeline, const GError *error)
{
  g_autofree char *message = timeline != NULL ? rh_timeline_redact (timeline, error->message)
                                              : g_strdup (error->message);
  g_autofree char *printable = rh_text_printable (message);

  g_printerr ("%s: %s\n", g_get_prgname (), printable);
}

/* --json: one report on stdout. */
static void
print_json (JsonNode *report /* owned */)
{
  g_autoptr (JsonNode) owned = report;
  g_autofree char *text = rh_json_to_string (owned, TRUE);

  g_print ("%s\n", text);
}

static int
run_check (RhPageOptions *options, gboolean json)
{
  gboolean options_echo = options->echo;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhReadyEndpoint) endpoint
      = rh_ready_endpoint_open (options->room, options->api_base, options->sdk_api_local,
                                options->routes, &error);
  g_autoptr (RhCheck) check = NULL;
  g_autoptr (GCancellable) cancellable = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  Wait wait = { 0 };
  int status;

  if (endpoint != NULL)
    check = rh_check_new (options, endpoint->call, &error);
  else
    rh_page_options_free (options);
  if (check == NULL)
    {
      print_error (NULL, error);
      return rh_error_exit_status (error);
    }
  rh_ready_endpoint_tell (endpoint, rh_check_get_timeline (check));

  cancellable = g_cancellable_new ();
  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  /* Any of them ends a check like an interrupt: the report is kept. */
  signals_watch (stop_signals, interrupt_cb, cancellable);
  rh_check_run_async (check, cancellable, run_done_cb, &wait);
  if (wait.result == NULL)
    g_main_loop_run (loop);
  signals_unwatch (stop_signals);

  rh_check_run_finish (check, wait.result, &error);
  g_clear_object (&wait.result);
  status = rh_error_exit_status (error);
  if (error != NULL)
    print_error (rh_check_get_timeline (check), error);
  if (options_echo)
    {
      g_autofree char *summary = rh_check_format_report (check);

      g_printerr ("%s", summary);
    }
  if (json)
    print_json (rh_check_to_json (check));
  return status;
}

static void
stop_run_cb (gpointer user_data)
{
  rh_run_stop (RH_RUN (user_data));
}

static void
release_run_cb (gpointer user_data)
{
  rh_run_release (RH_RUN (user_data));
}

static int
run_run (RhRunOptions *options, gboolean json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhReadyEndpoint) endpoint
      = rh_ready_endpoint_open (options->page->room, options->page->api_base,
                                options->page->sdk_api_local, options->page->routes, &error);
  g_autoptr (RhRun) run = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  Wait wait = { 0 };
  const int release_signals[] = { SIGUSR1, 0 };
  int status;

  if (endpoint != NULL)
    run = rh_run_new (options, endpoint->call, &error);
  else
    rh_run_options_free (options);
  if (run == NULL)
    {
      print_error (NULL, error);
      return rh_error_exit_status (error);
    }
  rh_ready_endpoint_tell (endpoint, rh_run_get_timeline (run));

  loop = g_main_loop_new (NULL, FALSE);
  wait.loop = loop;
  /* Any of them stops a run normally, its recording finished. */
  signals_watch (stop_signals, stop_run_cb, run);
  signals_watch (release_signals, release_run_cb, run);
  rh_run_start_async (run, run_done_cb, &wait);
  if (wait.result == NULL)
    g_main_loop_run (loop);
  signals_unwatch (stop_signals);
  signals_unwatch (release_signals);

  rh_run_start_finish (run, wait.result, &error);
  g_clear_object (&wait.result);
  status = error == NULL ? 0 : 1;
  if (error != NULL)
    print_error (rh_run_get_timeline (run), error);
  if (json)
    print_json (rh_run_to_json (run));
  return status;
}

static int
usage_error (const char *message)
{
  g_autofree char *printable = rh_text_printable (message);

  g_printerr ("%s: %s\n", g_get_prgname (), printable);
  g_printerr ("Try '%s --help' for more information.\n", g_get_prgname ());
  return EXIT_USAGE;
}

static const char *const command_names[] = { "check", "demo", "run" };

static int
cmd_page (int argc, char **argv, Command command)
{
  g_auto (PageArgs) args = { 0 };
  g_autofree GOptionEntry *entries = command_entries (&args, command);
  g_autoptr (GOptionContext) context = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageOptions) options = NULL;
  g_autoptr (RhRunOptions) run_options = NULL;
  g_autofree char *prgname = g_strconcat ("recordhost ", command_names[command], NULL);
  g_autofree char *demo_page = NULL;
  gboolean demo = command == COMMAND_DEMO;
  const char *page;
  guint n_rest;

  /* Usage lines and errors name the command: "recordhost check: ...". */
  g_set_prgname (prgname);
  context = g_option_context_new (demo                   ? "- run the bundled record page offline"
                                  : command == COMMAND_RUN ? "URL|FILE - host a record page like "
                                                             "the recording server"
                                                           : "URL|FILE - check that a record page "
                                                             "gets ready");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, demo                     ? demo_description
                                             : command == COMMAND_RUN ? run_description
                                                                      : check_description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (args.verbose)
    g_setenv ("G_MESSAGES_DEBUG", "recordhost", TRUE);

  n_rest = args.rest != NULL ? g_strv_length (args.rest) : 0;
  if (demo && args.flow)
    {
      if (!rh_demo_flow_run (&error))
        {
          print_error (NULL, error);
          return 1;
        }
      return 0;
    }
  if (demo)
    {
      if (n_rest > 0)
        return usage_error ("demo takes no page: it runs the bundled one");
      demo_page = g_build_filename (RH_PAGE_DIR, "record_page.html", NULL);
      page = demo_page;
    }
  else
    {
      if (n_rest == 0)
        return usage_error ("missing the record page URL or file");
      if (n_rest > 1)
        return usage_error ("more than one page given");
      page = args.rest[0];
    }

  options = page_options_from_args (&args, page, demo, &error);
  if (options == NULL)
    return usage_error (error->message);
  if (args.timeout != NULL
      && !parse_uint ("timeout", args.timeout, 1, 86400, &options->timeout_s, &error))
    return usage_error (error->message);
  if (args.slow_paint_ms != NULL
      && !parse_uint ("slow-paint-ms", args.slow_paint_ms, 0, 3600 * 1000,
                      &options->slow_paint_ms, &error))
    return usage_error (error->message);
  if (args.paint_grace_ms != NULL
      && !parse_uint ("paint-grace-ms", args.paint_grace_ms, 0, 600 * 1000,
                      &options->paint_grace_ms, &error))
    return usage_error (error->message);
  options->snapshots_dir = g_strdup (args.snapshots);
  options->junit = g_strdup (args.junit);
  options->har = g_strdup (args.har);
  if (command != COMMAND_RUN)
    return run_check (g_steal_pointer (&options), args.json);

  run_options = rh_run_options_new ();
  rh_page_options_free (run_options->page);
  run_options->page = g_steal_pointer (&options);
  if (args.retry_timeout != NULL
      && !parse_uint ("retry-timeout", args.retry_timeout, 1, 3600,
                      &run_options->retry_timeout_s, &error))
    return usage_error (error->message);
  if (args.duration != NULL
      && !parse_uint ("duration", args.duration, 1, 7 * 24 * 3600, &run_options->duration_s,
                      &error))
    return usage_error (error->message);
  if (args.video_fps != NULL
      && !parse_uint ("video-fps", args.video_fps, 5, 60, &run_options->video_fps, &error))
    return usage_error (error->message);
  if (args.video_bitrate != NULL
      && !parse_uint ("video-bitrate", args.video_bitrate, 50, 8000,
                      &run_options->video_bitrate_kbps, &error))
    return usage_error (error->message);
  run_options->record = g_strdup (args.record);
  run_options->on_hold = args.on_hold;
  run_options->state_log = g_strdup (args.state_log);
  return run_run (g_steal_pointer (&run_options), args.json);
}

static void
quit_cloud_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
}

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Recordings' files are finished off the main loop, each within its own
 * time limit: an exit waits for them. */
static void
wait_for_recordings (void)
{
  gint64 deadline_us = g_get_monotonic_time () + RECORDINGS_WAIT_S * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add_seconds (1, wake_cb, NULL);

  while (rh_recorder_get_open_count () > 0 && g_get_monotonic_time () < deadline_us)
    g_main_context_iteration (NULL, TRUE);
  g_source_remove (wake_id);
}

static const char cloud_description[] =
  "A local stand-in for the classroom cloud's recording API, faithful to the\n"
  "documented endpoints; every path takes an optional region prefix\n"
  "(/{region}/edu/apps/...):\n"
  "  POST  .../edu/apps/{appId}/v2/rooms/{roomUuid}                 create a classroom\n"
  "  PUT   .../rooms/{roomUuid}/records/states/1                    start recording (web mode)\n"
  "  PATCH .../rooms/{roomUuid}/records/states/1                    update: onHold false releases\n"
  "  PUT   .../rooms/{roomUuid}/records/states/0                    stop recording\n"
  "  PUT   .../rooms/{roomUuid}/records/ready                       the page's ready call\n"
  "  GET   .../rooms/{roomUuid}/records                             recordings and their files\n"
  "  GET   .../rooms/{roomUuid}/sequences?nextId=&cmd=              events (cmd 1001: state)\n"
  "Each recording hosts its page in a WebKit view in this process, with the\n"
  "lifecycle of `recordhost run` (retryTimeout, reasons 1-5, onHold), and is\n"
  "written to DIR/recordings/ as one MP4 file. Bodies over 64 KiB and calls\n"
  "without the token are refused on their headers; a 500's detail goes to stderr.\n"
  "Prints the URL it listens on as its first line. SIGINT, SIGTERM, SIGHUP or\n"
  "SIGQUIT stop every recording normally, store the events, finish the files\n"
  "and exit 0.";

static int
cmd_cloud (int argc, char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *token = NULL;
  int max_rooms = G_MININT; /* not given: the default */
  int rooms_per_process = RH_CLOUD_DEFAULT_ROOMS_PER_WEB_PROCESS;
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      "Address and port, default " RH_CLOUD_DEFAULT_LISTEN "; :0 picks a free port",
      "ADDR:PORT" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Where rooms, recordings and events are kept (default "
      "$XDG_STATE_HOME/recordhost/cloud); one cloud at a time uses it", "DIR" },
    { "require-token", 0, 0, G_OPTION_ARG_STRING, &token,
      "Answer only calls with x-agora-token: TOKEN (or Authorization: agora token=TOKEN); "
      "hosted pages get it as rtmToken", "TOKEN" },
    { "max-rooms", 0, 0, G_OPTION_ARG_INT, &max_rooms,
      "Rooms recording at once, 1..1000; a start past it is refused with code 503 (default: 8 "
      "a core)", "N" },
    { "rooms-per-web-process", 0, 0, G_OPTION_ARG_INT, &rooms_per_process,
      "Rooms sharing one WebKit web process, 1..16: more saves memory, and a crash of that "
      "process reloads all of its rooms (default "
      G_STRINGIFY (RH_CLOUD_DEFAULT_ROOMS_PER_WEB_PROCESS) ")", "N" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- the classroom cloud, locally");
  g_autoptr (GError) error = NULL;
  g_autoptr (RhCloudStore) store = NULL;
  g_autoptr (RhCloud) cloud = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  guint ended;

  g_set_prgname ("recordhost cloud");
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, cloud_description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return usage_error (error->message);
  if (argc > 1)
    return usage_error ("cloud takes no arguments");
  if (token != NULL && *token == '\0')
    return usage_error ("--require-token is empty");
  if (max_rooms != G_MININT && (max_rooms < 1 || max_rooms > 1000))
    return usage_error ("--max-rooms must be 1..1000");
  if (rooms_per_process < 1 || rooms_per_process > 16)
    return usage_error ("--rooms-per-web-process must be 1..16");
  if (data_dir == NULL)
    data_dir = g_build_filename (g_get_user_state_dir (), "recordhost", "cloud", NULL);

  store = rh_cloud_store_open (data_dir, &error);
  if (store == NULL && g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT))
    return usage_error (error->message);
  if (store == NULL)
    {
      /* Such as another cloud using the directory. */
      g_printerr ("%s: %s\n", g_get_prgname (), error->message);
      return rh_error_exit_status (error);
    }
  ended = rh_cloud_store_end_interrupted (store, NULL);
  cloud = rh_cloud_new (g_steal_pointer (&store), token);
  if (max_rooms != G_MININT)
    rh_cloud_set_max_rooms (cloud, max_rooms);
  rh_cloud_set_rooms_per_web_process (cloud, rooms_per_process);
  if (!rh_cloud_listen (cloud, listen != NULL ? listen : RH_CLOUD_DEFAULT_LISTEN, &error))
    {
      print_error (NULL, error);
      return rh_error_exit_status (error);
    }
  g_print ("%s\n", rh_cloud_get_base_url (cloud));
  fflush (stdout);
  g_printerr ("cloud: listening on %s, data in %s%s\n", rh_cloud_get_base_url (cloud), data_dir,
              token != NULL ? ", token required" : "");
  if (ended > 0)
    g_printerr ("cloud: %u recording(s) of an earlier run marked ended\n", ended);
  if (rh_cloud_is_exposed (cloud) && token == NULL)
    g_printerr ("cloud: warning: listening beyond loopback without --require-token: anyone who "
                "can reach %s can start recordings on this machine\n",
                rh_cloud_get_base_url (cloud));

  loop = g_main_loop_new (NULL, FALSE);
  signals_watch (stop_signals, quit_cloud_cb, loop);
  g_main_loop_run (loop);
  rh_cloud_stop_all (cloud);
  wait_for_recordings ();
  signals_unwatch (stop_signals);
  g_printerr ("cloud: stopped\n");
  return 0;
}

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
  "  help             show this help\n"
  "\n"
  "Run 'recordhost COMMAND --help' for a command's options.\n";

/* The library reports progress and echoes timelines as messages: on a
 * terminal they are lines of their own, not GLib's "domain-Message" form.
 * Warnings say whose they are. */
static GLogWriterOutput
log_writer (GLogLevelFlags level, const GLogField *fields, gsize n_fields, gpointer user_data)
{
  const char *message = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_str_equal (fields[i].key, "MESSAGE") && fields[i].length < 0)
      message = fields[i].value;
  if (message == NULL || (level & (G_LOG_LEVEL_MESSAGE | G_LOG_LEVEL_WARNING)) == 0)
    return g_log_writer_default (level, fields, n_fields, user_data);
  if (level & G_LOG_LEVEL_WARNING)
    g_printerr ("%s: warning: %s\n", g_get_prgname (), message);
  else
    g_printerr ("%s\n", message);
  return G_LOG_WRITER_HANDLED;
}

int
rh_cli_main (int argc, char **argv)
{
  const char *command;
  g_autofree char *unknown = NULL;

  setlocale (LC_ALL, "");
  g_set_prgname ("recordhost");
  g_log_set_writer_func (log_writer, NULL, NULL);
  /* SIGUSR1 is ours (release an onHold run); JavaScriptCore would use it to
   * suspend threads for GC.  Give JSC SIGPWR before WebKit starts. */
  g_setenv ("JSC_SIGNAL_FOR_GC", "30", FALSE);
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
  if (g_str_equal (command, "cloud"))
    return cmd_cloud (argc - 1, argv + 1);
  for (guint i = 0; i < G_N_ELEMENTS (command_names); i++)
    if (g_str_equal (command, command_names[i]))
      return cmd_page (argc - 1, argv + 1, (Command) i);
  unknown = g_strdup_printf ("unknown command '%s'", command);
  return usage_error (unknown);
}
