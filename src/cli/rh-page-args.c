#include "rh-page-args.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-check-batch.h"
#include "rh-error.h"
#include "rh-page-help.h"
#include "rh-problems.h"

#define RH_DEMO_SDK_APP_ID "0123456789abcdef0123456789abcdef"

void
rh_page_args_clear (RhPageArgs *args)
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
  g_free (args->engine);
  g_free (args->pages);
  g_free (args->parallel);
  g_free (args->sdk);
  g_free (args->user_agent);
  g_free (args->page_memory);
  g_free (args->blank_threshold);
  g_free (args->timeout);
  g_free (args->snapshots);
  g_free (args->junit);
  g_free (args->junit_name);
  g_strfreev (args->fail_on);
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

static GOptionEntry *
page_entries (RhPageArgs *args, RhPageCommand command)
{
  /* The demo fills in the room; the other commands need it named. */
  gboolean demo = command == RH_PAGE_COMMAND_DEMO;
  GOptionEntry entries[] = {
    { "app-id", 0, 0, G_OPTION_ARG_STRING, &args->app_id,
      demo ? "Application ID (default demo-app, or a 32-character one with --sdk)"
           : "Application ID (required)",
      "ID" },
    { "room-uuid", 0, 0, G_OPTION_ARG_STRING, &args->room_uuid,
      demo ? "Room UUID (default demo-room)" : "Room UUID (required)", "UUID" },
    { "room-type", 0, 0, G_OPTION_ARG_STRING, &args->room_type,
      demo ? "Room type: 0 one-to-one, 2 lecture hall, 4 small classroom (default 4)"
           : "Room type: 0 one-to-one, 2 lecture hall, 4 small classroom (required)",
      "N" },
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
    { "engine", 0, 0, G_OPTION_ARG_STRING, &args->engine,
      "Browser engine: wpe (WPE WebKit, default), chromium (Debian's headless Chromium over "
      "the DevTools protocol, with real WebRTC: the stand-in is off by default) or, for check "
      "and demo, both: the page in each, side by side, and what differs", "ENGINE" },
    { "webrtc", 0, 0, G_OPTION_ARG_STRING, &args->webrtc,
      "standin (default: RTCPeerConnection, MediaStream, MediaStreamTrack, RTCRtp* and "
      "navigator.mediaDevices that cooperate without media, as a recorder without devices) or "
      "absent (the engine as it is, which has no WebRTC)", "MODE" },
    { "route", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->routes,
      "Send every request the page's scripts make to http(s)://HOST/PATH (fetch, "
      "XMLHttpRequest, WebSocket, EventSource), in its iframes and dedicated workers too, to "
      "URL/PATH instead (repeatable); with --engine chromium every load of the page too "
      "(scripts, images, CSS, fonts, iframes)", "HOST=URL" },
    { "sdk-api", 0, 0, G_OPTION_ARG_STRING, &args->sdk_api,
      "local: route the classroom SDKs' own API hosts (api.agora.io, api.sd-rtn.com and "
      "their regional names) to the local cloud, which answers their first calls", "local" },
    { "sdk", 0, 0, G_OPTION_ARG_FILENAME, &args->sdk,
      "Classroom SDK bundle (e.g. edu_sdk.bundle.js from the npm package agora-classroom-sdk) "
      "that the bundled page loads instead of its SDK stand-in, handed over by the bridge, "
      "never by the page URL; with demo it implies --sdk-api local and a 32-character app ID",
      "FILE|URL" },
    { "user-agent", 0, 0, G_OPTION_ARG_STRING, &args->user_agent,
      "User agent the page sees (some SDKs refuse browsers they do not know)", "STRING" },
    { "page-memory", 0, 0, G_OPTION_ARG_STRING, &args->page_memory,
      "Memory the page's web process may use, 128..16384 (default "
      G_STRINGIFY (RH_PAGE_OPTIONS_DEFAULT_PAGE_MEMORY_MB) "); past it the process is killed: "
      "check fails, run reloads the page as after a crash", "MB" },
    { "blank-threshold", 0, 0, G_OPTION_ARG_STRING, &args->blank_threshold,
      "A frame is blank (white to a viewer) when this share of it, 50..100, is within "
      G_STRINGIFY (RH_FRAME_BLANK_DISTANCE) "/255 of its dominant colour: a faint loading box "
      "or a line of text on white is still blank (default "
      G_STRINGIFY (RH_FRAME_BLANK_THRESHOLD_DEFAULT) ")", "PERCENT" },
    { "fail-on", 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->fail_on,
      "Fail (exit status 1) on these problem codes even when they are warnings, e.g. "
      "ready-before-paint,slow-first-paint,js-error; warning fails on any warning "
      "(repeatable)", "CODE[,CODE...]" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &args->json, "Print a JSON report on stdout", NULL },
    { "quiet", 'q', 0, G_OPTION_ARG_NONE, &args->quiet, "No timeline on stderr", NULL },
    { "verbose", 'v', 0, G_OPTION_ARG_NONE, &args->verbose, "Debug messages on stderr", NULL },
    { G_OPTION_REMAINING, 0, 0, G_OPTION_ARG_STRING_ARRAY, &args->rest, NULL, NULL },
    { NULL },
  };

  return g_memdup2 (entries, sizeof entries);
}

static GOptionEntry *
command_entries (RhPageArgs *args, RhPageCommand command)
{
  GOptionEntry check_only[] = {
    { "timeout", 0, 0, G_OPTION_ARG_STRING, &args->timeout,
      "Seconds the whole check may take, 1..86400 (default 60)", "SECONDS" },
    { "snapshots", 0, 0, G_OPTION_ARG_FILENAME, &args->snapshots,
      "Write first.png, first-painted.png, at-ready.png, last.png, filmstrip.png, "
      "key-frames.png and waterfall.png to DIR", "DIR" },
    { "junit", 0, 0, G_OPTION_ARG_FILENAME, &args->junit,
      "Write a JUnit XML report, one test case per aspect checked", "FILE" },
    { "junit-name", 0, 0, G_OPTION_ARG_STRING, &args->junit_name,
      "Name of the JUnit test suite (default: recordhost check PAGE room ROOM)", "NAME" },
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
    { NULL },
  };
  GOptionEntry several_only[] = {
    { "pages", 0, 0, G_OPTION_ARG_FILENAME, &args->pages,
      "Check the pages listed in FILE too, one URL or file a line (# starts a comment), at "
      "most " G_STRINGIFY (RH_CHECK_BATCH_MAX_PAGES) " pages in all", "FILE" },
    { "parallel", 0, 0, G_OPTION_ARG_STRING, &args->parallel,
      "With several pages, how many are checked at once, 1.."
      G_STRINGIFY (RH_CHECK_BATCH_MAX_PARALLEL) " (default "
      G_STRINGIFY (RH_CHECK_BATCH_DEFAULT_PARALLEL) ")", "N" },
    { NULL },
  };
  GOptionEntry *extra = command == RH_PAGE_COMMAND_RUN ? run_only : check_only;
  GOptionEntry *page = page_entries (args, command);

  for (GOptionEntry *entry = page; entry->long_name != NULL; entry++)
    g_array_append_val (all, *entry);
  for (GOptionEntry *entry = extra; entry->long_name != NULL; entry++)
    g_array_append_val (all, *entry);
  for (GOptionEntry *entry = several_only;
       command == RH_PAGE_COMMAND_CHECK && entry->long_name != NULL; entry++)
    g_array_append_val (all, *entry);
  for (GOptionEntry *entry = demo_only;
       command == RH_PAGE_COMMAND_DEMO && entry->long_name != NULL; entry++)
    g_array_append_val (all, *entry);
  g_free (page);
  return (GOptionEntry *) g_array_free (g_steal_pointer (&all), FALSE);
}

/* The command's options, usage line and help text; the options are written
 * to @args when the context parses. */
GOptionContext *
rh_page_args_context_new (RhPageArgs *args, RhPageCommand command)
{
  static const char *const descriptions[] = {
    [RH_PAGE_COMMAND_CHECK] = rh_page_help_check,
    [RH_PAGE_COMMAND_DEMO] = rh_page_help_demo,
    [RH_PAGE_COMMAND_RUN] = rh_page_help_run,
  };
  static const char *const summaries[] = {
    [RH_PAGE_COMMAND_CHECK] = "URL|FILE... - check that record pages get ready",
    [RH_PAGE_COMMAND_DEMO] = "- run the bundled record page offline",
    [RH_PAGE_COMMAND_RUN] = "URL|FILE - host a record page like the recording server",
  };
  g_autofree GOptionEntry *entries = command_entries (args, command);
  GOptionContext *context = g_option_context_new (summaries[command]);

  /* The context keeps a copy of the entries. */
  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, descriptions[command]);
  return context;
}

/* "recordhost check PAGE room ROOM", PAGE the last part of the page's path:
 * one check's suite apart from another's on a CI dashboard. */
static char *
default_junit_name (const char *page, const char *room_uuid)
{
  g_autofree char *path = g_strndup (page, strcspn (page, "?#"));
  g_autofree char *base = g_path_get_basename (path);

  return g_strdup_printf ("recordhost check %s room %s", base,
                          room_uuid != NULL ? room_uuid : "-");
}

/* --fail-on, repeated or comma-separated, each part a known code. */
static char **
fail_on_parse (char **values, GError **error)
{
  g_autoptr (GStrvBuilder) builder = g_strv_builder_new ();
  g_auto (GStrv) parts = NULL;

  for (guint i = 0; values != NULL && values[i] != NULL; i++)
    {
      g_auto (GStrv) split = g_strsplit (values[i], ",", -1);

      for (guint j = 0; split[j] != NULL; j++)
        {
          g_strstrip (split[j]);
          if (*split[j] == '\0')
            {
              g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "--fail-on '%s' has an empty code", values[i]);
              return NULL;
            }
          g_strv_builder_add (builder, split[j]);
        }
    }
  parts = g_strv_builder_end (builder);
  if (!rh_problems_check_fail_on ((const char *const *) parts, error))
    return NULL;
  return g_steal_pointer (&parts);
}

static gboolean
parse_uint (const char *option, const char *text, guint min, guint max, guint *out,
            GError **error)
{
  guint64 value;
  g_autoptr (GError) local_error = NULL;

  if (!g_ascii_string_to_unsigned (text, 10, min, max, &value, &local_error))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "--%s '%s': expected a number in %u..%u", option, text, min, max);
      return FALSE;
    }
  *out = (guint) value;
  return TRUE;
}

/* The demo passes what the cloud would, so the bundled page reads no
 * parameter that is missing. */
static gboolean
add_demo_defaults (RhRoom *room, RhPageArgs *args, GError **error)
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
  return TRUE;
}

/* --sdk FILE|URL: the bundle's URL as the page gets it, a file's escaped by
 * GLib and an http(s) URL's as written, with nothing that could end the
 * page's script element. */
static char *
sdk_bundle_uri (const char *file_or_url, GError **error)
{
  g_autofree char *scheme = g_uri_parse_scheme (file_or_url);
  g_autoptr (GFile) file = NULL;
  g_autofree char *path = NULL;

  if (scheme != NULL && g_ascii_strcasecmp (scheme, "file") != 0)
    {
      g_autoptr (GUri) uri = g_uri_parse (file_or_url, G_URI_FLAGS_ENCODED, NULL);

      if (uri == NULL
          || (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
          || g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'
          || strpbrk (file_or_url, "\"'<>\\ \t\r\n") != NULL)
        {
          g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                       "--sdk %s: expected a file or an http(s) URL", file_or_url);
          return NULL;
        }
      return g_strdup (file_or_url);
    }
  file = scheme != NULL ? g_file_new_for_uri (file_or_url)
                        : g_file_new_for_commandline_arg (file_or_url);
  path = g_file_get_path (file);
  if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--sdk %s: no such file",
                   file_or_url);
      return NULL;
    }
  return g_file_get_uri (file);
}

/* The page's options, those of check (--timeout, --snapshots, ...) too. */
RhPageOptions *
rh_page_args_to_page_options (RhPageArgs *args, RhPageCommand command, const char *page,
                              GError **error)
{
  g_autoptr (RhPageOptions) options = rh_page_options_new ();
  gboolean demo = command == RH_PAGE_COMMAND_DEMO;
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
  if (args->engine != NULL)
    {
      RhBrowserEngine engine;

      if (!rh_browser_engine_parse (args->engine, &engine, error))
        return NULL;
      rh_page_options_set_engine (options, engine);
    }
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
  options->sdk_api_local = args->sdk_api != NULL || (demo && args->sdk != NULL);
  if (args->sdk != NULL)
    {
      options->sdk_bundle = sdk_bundle_uri (args->sdk, error);
      if (options->sdk_bundle == NULL)
        return NULL;
    }
  if (args->user_agent != NULL && *args->user_agent == '\0')
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--user-agent is empty");
      return NULL;
    }
  options->user_agent = g_strdup (args->user_agent);
  if (args->page_memory != NULL
      && !parse_uint ("page-memory", args->page_memory, RH_PAGE_OPTIONS_MIN_PAGE_MEMORY_MB,
                      RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB, &options->page_memory_mb, error))
    return NULL;
  if (args->blank_threshold != NULL
      && !parse_uint ("blank-threshold", args->blank_threshold, RH_FRAME_BLANK_THRESHOLD_MIN,
                      RH_FRAME_BLANK_THRESHOLD_MAX, &options->blank_threshold, error))
    return NULL;
  options->page = g_strdup (page);
  /* The command line chose the page: a template opened from disk loads its
   * neighbours as a deployed one would, and a file page's errors keep their
   * place (without it WebKit takes each file for an origin of its own). */
  options->file_access = TRUE;
  options->echo = !args->quiet;

  if (args->timeout != NULL
      && !parse_uint ("timeout", args->timeout, 1, 86400, &options->timeout_s, error))
    return NULL;
  if (args->slow_paint_ms != NULL
      && !parse_uint ("slow-paint-ms", args->slow_paint_ms, 0, 3600 * 1000,
                      &options->slow_paint_ms, error))
    return NULL;
  if (args->paint_grace_ms != NULL
      && !parse_uint ("paint-grace-ms", args->paint_grace_ms, 0, 600 * 1000,
                      &options->paint_grace_ms, error))
    return NULL;
  options->snapshots_dir = g_strdup (args->snapshots);
  options->junit = g_strdup (args->junit);
  options->junit_name = args->junit_name != NULL
                          ? g_strdup (args->junit_name)
                          : default_junit_name (page, options->room->room_uuid);
  options->fail_on = fail_on_parse (args->fail_on, error);
  if (args->fail_on != NULL && options->fail_on == NULL)
    return NULL;
  options->har = g_strdup (args->har);
  /* What the Chromium engine does not do yet is refused, not left undone. */
  if (options->engine == RH_BROWSER_ENGINE_CHROMIUM && args->page_memory != NULL)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "--page-memory is not supported with --engine chromium");
      return NULL;
    }
  return g_steal_pointer (&options);
}

/* A run of @page (taken) with run's own options. */
RhRunOptions *
rh_page_args_to_run_options (RhPageArgs *args, RhPageOptions *page, GError **error)
{
  g_autoptr (RhRunOptions) options = rh_run_options_new ();

  rh_page_options_free (options->page);
  options->page = page;
  if (args->retry_timeout != NULL
      && !parse_uint ("retry-timeout", args->retry_timeout, 1, 3600, &options->retry_timeout_s,
                      error))
    return NULL;
  if (args->duration != NULL
      && !parse_uint ("duration", args->duration, 1, 7 * 24 * 3600, &options->duration_s, error))
    return NULL;
  if (args->video_fps != NULL
      && !parse_uint ("video-fps", args->video_fps, 5, 60, &options->video_fps, error))
    return NULL;
  if (args->video_bitrate != NULL
      && !parse_uint ("video-bitrate", args->video_bitrate, 50, 8000,
                      &options->video_bitrate_kbps, error))
    return NULL;
  options->record = g_strdup (args->record);
  options->on_hold = args->on_hold;
  options->state_log = g_strdup (args->state_log);
  return g_steal_pointer (&options);
}

gboolean
rh_page_args_get_parallel (RhPageArgs *args, guint *parallel, GError **error)
{
  *parallel = RH_CHECK_BATCH_DEFAULT_PARALLEL;
  return args->parallel == NULL
         || parse_uint ("parallel", args->parallel, 1, RH_CHECK_BATCH_MAX_PARALLEL, parallel,
                        error);
}
