#include "rh-cloud-command.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "rh-cli-end.h"
#include "rh-cli-wait.h"
#include "rh-cloud.h"
#include "rh-error.h"
#include "rh-page-options.h"
#include "rh-recorder.h"
#include "rh-signals.h"

/* Longer than a recorder takes to finish its file or give up. */
#define RECORDINGS_WAIT_S 40

static void
quit_cloud_cb (gpointer user_data)
{
  g_main_loop_quit (user_data);
}

/* SIGTERM to a worker of a cluster: its rooms go to other workers (each
 * recorded here until it records there), within the drain timeout. */
typedef struct
{
  RhCloud *cloud;
  GMainLoop *loop;
  guint timeout_s;
  gint64 deadline_us;
  guint source;
} Drain;

static gboolean
drained_cb (gpointer user_data)
{
  Drain *drain = user_data;

  if (!rh_cloud_is_settled (drain->cloud) && g_get_monotonic_time () < drain->deadline_us)
    return G_SOURCE_CONTINUE;
  if (!rh_cloud_is_settled (drain->cloud))
    g_printerr ("cloud: drained for %u s: the rooms still here are left to the cluster\n",
                drain->timeout_s);
  rh_cloud_leave (drain->cloud);
  drain->source = 0;
  g_main_loop_quit (drain->loop);
  return G_SOURCE_REMOVE;
}

static void
drain_cloud_cb (gpointer user_data)
{
  Drain *drain = user_data;

  if (drain->source != 0)
    return;
  g_printerr ("cloud: draining: no more rooms taken, this worker's handed to the others "
              "(at most %u s)\n", drain->timeout_s);
  rh_cloud_drain (drain->cloud);
  drain->deadline_us = g_get_monotonic_time () + (gint64) drain->timeout_s * G_USEC_PER_SEC;
  drain->source = g_timeout_add (100, drained_cb, drain);
}

static const int term_signal[] = { SIGTERM, 0 };

static gboolean
wake_cb (gpointer user_data)
{
  return G_SOURCE_CONTINUE;
}

/* Recordings' files are finished off the main loop, each within its own
 * time limit, and their ends are stored: an exit waits for both. */
static void
wait_for_recordings (RhCloud *cloud)
{
  gint64 deadline_us = g_get_monotonic_time () + RECORDINGS_WAIT_S * G_USEC_PER_SEC;
  guint wake_id = g_timeout_add_seconds (1, wake_cb, NULL);

  while ((rh_recorder_get_open_count () > 0 || !rh_cloud_is_settled (cloud))
         && g_get_monotonic_time () < deadline_us)
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
  "  GET   .../rooms/{roomUuid}/records                             recordings, files, attempts\n"
  "  GET   .../rooms/{roomUuid}/records/{recordId}/har?attempt=N    an attempt's HAR\n"
  "  GET   .../rooms/{roomUuid}/records/{recordId}/snapshots?attempt=N  its filmstrip (PNG)\n"
  "  GET   .../rooms/{roomUuid}/sequences?nextId=&cmd=              events (cmd 1001: state)\n"
  "  GET   /health, /health/ready, /metrics     liveness, readiness, Prometheus metrics\n"
  "Each recording hosts its page in a WebKit view in this process, with the\n"
  "lifecycle of `recordhost run` (retryTimeout, reasons 1-5, onHold), and is\n"
  "written to DIR/recordings/ as one MP4 file. Bodies over 64 KiB and calls\n"
  "without the token are refused on their headers; a 500's detail goes to stderr.\n"
  "What web pages can do: a Host other than localhost, 127.0.0.1, [::1], the\n"
  "address called or an --allowed-host is answered 421 (DNS rebinding); the API\n"
  "refuses calls with another Origin (403), bodies not application/json (415)\n"
  "and Private Network Access preflights (403), and sends no CORS headers but on\n"
  "the ready call and the SDKs' first calls; http(s) pages only, unless\n"
  "--allow-file-pages; the records list names files in DIR unless the call\n"
  "carried the token. The token may come from --require-token, --token-file or\n"
  "RECORDHOST_CLOUD_TOKEN (one of them); beyond loopback one is required.\n"
  "Prints the URL it listens on as its first line. SIGINT, SIGTERM, SIGHUP or\n"
  "SIGQUIT stop every recording normally, store the events, finish the files\n"
  "and exit 0; with --store, SIGTERM drains instead (--drain-timeout).\n"
  "With --store, clouds on one PostgreSQL database are workers of one cluster:\n"
  "a start through any is stored pending and claimed by one with room, for a\n"
  "lease it renews; when a worker dies its rooms run again on another (events\n"
  "4, then 3). Give the database's password by ~/.pgpass or PGPASSWORD, not in\n"
  "the URL: the URL shows in ps.";

#define TOKEN_ENV "RECORDHOST_CLOUD_TOKEN"

/* The first line of @path, its line end taken off. */
static char *
read_token_file (const char *path, GError **error)
{
  g_autofree char *contents = NULL;
  g_autoptr (GError) local_error = NULL;

  if (!g_file_get_contents (path, &contents, NULL, &local_error))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--token-file: %s",
                   local_error->message);
      return NULL;
    }
  contents[strcspn (contents, "\r\n")] = '\0';
  if (*contents == '\0')
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "--token-file %s: its first line is empty", path);
      return NULL;
    }
  return g_steal_pointer (&contents);
}

/* The token from the one place it was given (NULL: none): --require-token,
 * --token-file or the environment, so that it need not show in ps. */
static gboolean
choose_token (char **token, const char *token_file, GError **error)
{
  const char *env = g_getenv (TOKEN_ENV);
  guint sources = (*token != NULL) + (token_file != NULL) + (env != NULL);

  if (sources > 1)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "the token is given more than once: use one of --require-token, "
                           "--token-file and " TOKEN_ENV);
      return FALSE;
    }
  if (env != NULL)
    *token = g_strdup (env);
  if (token_file != NULL)
    *token = read_token_file (token_file, error);
  if (token_file != NULL && *token == NULL)
    return FALSE;
  if (*token != NULL && **token == '\0')
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           env != NULL ? TOKEN_ENV " is empty" : "--require-token is empty");
      return FALSE;
    }
  return TRUE;
}

int
rh_cloud_command_main (int argc, char **argv)
{
  g_autofree char *listen = NULL;
  g_autofree char *data_dir = NULL;
  g_autofree char *token = NULL;
  g_autofree char *token_file = NULL;
  g_auto (GStrv) allowed_hosts = NULL;
  gboolean allow_file_pages = FALSE;
  gboolean insecure_no_token = FALSE;
  int max_rooms = G_MININT; /* not given: the default */
  int rooms_per_process = RH_CLOUD_DEFAULT_ROOMS_PER_WEB_PROCESS;
  int page_memory = G_MININT; /* not given: the default */
  g_autofree char *sdk_api = NULL;
  g_autofree char *engine_name = NULL;
  RhBrowserEngine engine = RH_BROWSER_ENGINE_WPE;
  g_autofree char *store_url = NULL;
  g_autofree char *worker_id = NULL;
  int lease_ttl = RH_CLOUD_DEFAULT_LEASE_TTL_S;
  int drain_timeout = RH_CLOUD_DEFAULT_DRAIN_TIMEOUT_S;
  Drain drain = { 0 };
  GOptionEntry entries[] = {
    { "listen", 0, 0, G_OPTION_ARG_STRING, &listen,
      "Address and port, default " RH_CLOUD_DEFAULT_LISTEN "; :0 picks a free port",
      "ADDR:PORT" },
    { "data-dir", 0, 0, G_OPTION_ARG_FILENAME, &data_dir,
      "Where rooms, recordings and events are kept (default "
      "$XDG_STATE_HOME/recordhost/cloud); one cloud at a time uses it", "DIR" },
    { "store", 0, 0, G_OPTION_ARG_STRING, &store_url,
      "Keep rooms, records and events in PostgreSQL at URL (postgresql://USER@HOST/DB), "
      "shared by every cloud given it, instead of SQLite in --data-dir (the default); the "
      "recordings' files stay in --data-dir. Each cloud on it is a worker: a start through any "
      "is recorded by one with room, and a worker that dies has its rooms run again by "
      "another", "URL" },
    { "worker-id", 0, 0, G_OPTION_ARG_STRING, &worker_id,
      "This worker's name in the store (default HOSTNAME-PID); with --store", "NAME" },
    { "lease-ttl", 0, 0, G_OPTION_ARG_INT, &lease_ttl,
      "Seconds a worker holds a room without renewing, 2..300 (default "
      G_STRINGIFY (RH_CLOUD_DEFAULT_LEASE_TTL_S) "): a dead worker's rooms run again after "
      "it; with --store", "S" },
    { "drain-timeout", 0, 0, G_OPTION_ARG_INT, &drain_timeout,
      "With --store, SIGTERM drains: no more rooms are taken and each of this worker's is "
      "handed to another, recorded here until it records there; after S seconds (1..3600, "
      "default " G_STRINGIFY (RH_CLOUD_DEFAULT_DRAIN_TIMEOUT_S) ") the rest are left to the "
      "cluster. SIGINT stops every room as without --store", "S" },
    { "require-token", 0, 0, G_OPTION_ARG_STRING, &token,
      "Answer only calls with x-agora-token: TOKEN (or Authorization: agora token=TOKEN); "
      "hosted pages get it as rtmToken. Shows in ps: prefer --token-file or "
      TOKEN_ENV, "TOKEN" },
    { "token-file", 0, 0, G_OPTION_ARG_FILENAME, &token_file,
      "Read the token from the first line of FILE", "FILE" },
    { "insecure-no-token", 0, 0, G_OPTION_ARG_NONE, &insecure_no_token,
      "Listen beyond loopback without a token (refused otherwise): anyone who can reach "
      "the port can start recordings", NULL },
    { "allowed-host", 0, 0, G_OPTION_ARG_STRING_ARRAY, &allowed_hosts,
      "Also answer requests whose Host is NAME (any port) or NAME:PORT, e.g. the name a "
      "proxy in front is called by; repeatable", "NAME[:PORT]" },
    { "allow-file-pages", 0, 0, G_OPTION_ARG_NONE, &allow_file_pages,
      "Let starts open file: URLs and paths, not only http(s) pages", NULL },
    { "max-rooms", 0, 0, G_OPTION_ARG_INT, &max_rooms,
      "Rooms recording at once, 1..1000; a start past it is refused with code 503 (default: 8 "
      "a core)", "N" },
    { "rooms-per-web-process", 0, 0, G_OPTION_ARG_INT, &rooms_per_process,
      "Rooms sharing one WebKit web process, 1..16: more saves memory, and a crash of that "
      "process reloads all of its rooms (default "
      G_STRINGIFY (RH_CLOUD_DEFAULT_ROOMS_PER_WEB_PROCESS) ")", "N" },
    { "page-memory", 0, 0, G_OPTION_ARG_INT, &page_memory,
      "Memory each room's page may use, 128..16384 (default "
      G_STRINGIFY (RH_PAGE_OPTIONS_DEFAULT_PAGE_MEMORY_MB) "); a web process is limited to "
      "this times --rooms-per-web-process, and past it is killed and its rooms reload as after "
      "a crash", "MB" },
    { "engine", 0, 0, G_OPTION_ARG_STRING, &engine_name,
      "The browser engine of every room's page: wpe (WPE WebKit, default) or chromium (Debian's "
      "headless Chromium, one browser for the cloud, a tab a room, with real WebRTC and WebGL 2; "
      "its rooms are not bounded by --page-memory). A start's webRecordConfig.engine overrides "
      "it", "wpe|chromium" },
    { "sdk-api", 0, 0, G_OPTION_ARG_STRING, &sdk_api,
      "local (default): route the classroom SDKs' own API hosts (api.agora.io, "
      "api.sd-rtn.com and their regional names) of every hosted page to this cloud, which "
      "answers their first calls, as check --sdk-api local does; none: leave them to the "
      "network. A start's webRecordConfig.sdkApi overrides it", "local|none" },
    { NULL },
  };
  g_autoptr (GOptionContext) context = g_option_context_new ("- the classroom cloud, locally");
  g_autoptr (GError) error = NULL;
  g_autoptr (RhCloudStore) store = NULL;
  g_autoptr (RhCloud) cloud = NULL;
  g_autoptr (GMainLoop) loop = NULL;
  g_autoptr (GAsyncResult) opened = NULL;
  g_autoptr (GAsyncResult) interrupted = NULL;
  guint ended = 0;

  g_option_context_add_main_entries (context, entries, NULL);
  g_option_context_set_description (context, cloud_description);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    return rh_cli_usage_error (error->message);
  if (argc > 1)
    return rh_cli_usage_error ("cloud takes no arguments");
  if (!choose_token (&token, token_file, &error))
    return rh_cli_usage_error (error->message);
  if (max_rooms != G_MININT && (max_rooms < 1 || max_rooms > 1000))
    return rh_cli_usage_error ("--max-rooms must be 1..1000");
  if (rooms_per_process < 1 || rooms_per_process > 16)
    return rh_cli_usage_error ("--rooms-per-web-process must be 1..16");
  if (engine_name != NULL && !rh_browser_engine_parse (engine_name, &engine, &error))
    return rh_cli_usage_error (error->message);
  /* Chromium's renderers have no limit recordhost can set. */
  if (engine == RH_BROWSER_ENGINE_CHROMIUM && page_memory != G_MININT)
    return rh_cli_usage_error ("--page-memory is not supported with --engine chromium");
  if (page_memory == G_MININT)
    page_memory = RH_PAGE_OPTIONS_DEFAULT_PAGE_MEMORY_MB;
  if (page_memory < RH_PAGE_OPTIONS_MIN_PAGE_MEMORY_MB
      || page_memory > RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB)
    return rh_cli_usage_error ("--page-memory must be "
                               G_STRINGIFY (RH_PAGE_OPTIONS_MIN_PAGE_MEMORY_MB) ".."
                               G_STRINGIFY (RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB));
  if (sdk_api != NULL && !g_str_equal (sdk_api, "local") && !g_str_equal (sdk_api, "none"))
    return rh_cli_usage_error ("--sdk-api must be local or none");
  if (drain_timeout < 1 || drain_timeout > 3600)
    return rh_cli_usage_error ("--drain-timeout must be 1..3600");
  if (lease_ttl < 2 || lease_ttl > 300)
    return rh_cli_usage_error ("--lease-ttl must be 2..300");
  if (store_url == NULL && (worker_id != NULL || lease_ttl != RH_CLOUD_DEFAULT_LEASE_TTL_S
                            || drain_timeout != RH_CLOUD_DEFAULT_DRAIN_TIMEOUT_S))
    return rh_cli_usage_error ("--worker-id, --lease-ttl and --drain-timeout go with --store");
  if (worker_id != NULL && (*worker_id == '\0' || strlen (worker_id) > 200))
    return rh_cli_usage_error ("--worker-id must be 1..200 characters");
  if (data_dir == NULL)
    data_dir = g_build_filename (g_get_user_state_dir (), "recordhost", "cloud", NULL);

  if (store_url != NULL && !g_str_has_prefix (store_url, "postgresql://")
      && !g_str_has_prefix (store_url, "postgres://"))
    return rh_cli_usage_error ("--store must be a postgresql:// URL");
  rh_cloud_store_open_async (data_dir, store_url, NULL, rh_cli_keep_result, &opened);
  store = rh_cloud_store_open_finish (rh_cli_wait (&opened), &error);
  if (store == NULL && g_error_matches (error, RH_ERROR, RH_ERROR_INVALID_INPUT))
    return rh_cli_usage_error (error->message);
  /* Such as another cloud using the directory. */
  if (store == NULL)
    return rh_cli_end (NULL, error);
  /* A store of workers: another worker's recordings are not this one's to
   * end; a dead worker's are reaped when their leases run out. */
  if (store_url == NULL)
    {
      rh_cloud_store_end_interrupted_async (store, rh_cli_keep_result, &interrupted);
      ended = rh_cloud_store_end_interrupted_finish (store, rh_cli_wait (&interrupted), NULL);
    }
  cloud = rh_cloud_new (g_steal_pointer (&store), token);
  rh_cloud_set_insecure_no_token (cloud, insecure_no_token);
  rh_cloud_set_allow_file_pages (cloud, allow_file_pages);
  for (guint i = 0; allowed_hosts != NULL && allowed_hosts[i] != NULL; i++)
    if (!rh_cloud_allow_host (cloud, allowed_hosts[i], &error))
      return rh_cli_usage_error (error->message);
  if (max_rooms != G_MININT)
    rh_cloud_set_max_rooms (cloud, max_rooms);
  rh_cloud_set_rooms_per_web_process (cloud, rooms_per_process);
  rh_cloud_set_page_memory (cloud, page_memory);
  rh_cloud_set_sdk_api_local (cloud, sdk_api == NULL || g_str_equal (sdk_api, "local"));
  rh_cloud_set_engine (cloud, engine);
  /* Beyond loopback without a token: one line, exit 2. */
  if (!rh_cloud_listen (cloud, listen != NULL ? listen : RH_CLOUD_DEFAULT_LISTEN, &error))
    return rh_cli_end (NULL, error);
  if (store_url != NULL)
    {
      if (worker_id == NULL)
        worker_id = g_strdup_printf ("%s-%d", g_get_host_name (), (int) getpid ());
      if (!rh_cloud_join_cluster (cloud, worker_id, lease_ttl, &error))
        return rh_cli_end (NULL, error);
    }
  g_print ("%s\n", rh_cloud_get_base_url (cloud));
  fflush (stdout);
  g_printerr ("cloud: listening on %s, data in %s%s\n", rh_cloud_get_base_url (cloud), data_dir,
              token != NULL ? ", token required" : "");
  if (worker_id != NULL)
    g_printerr ("cloud: worker %s of the store's cluster, leases of %d s\n", worker_id,
                lease_ttl);
  if (ended > 0)
    g_printerr ("cloud: %u recording(s) of an earlier run marked ended\n", ended);
  if (rh_cloud_is_exposed (cloud) && token == NULL)
    g_printerr ("cloud: warning: listening beyond loopback without a token "
                "(--insecure-no-token): anyone who can reach %s can start recordings on this "
                "machine\n",
                rh_cloud_get_base_url (cloud));

  loop = g_main_loop_new (NULL, FALSE);
  rh_signals_watch (rh_stop_signals, quit_cloud_cb, loop);
  if (store_url != NULL)
    {
      drain.cloud = cloud;
      drain.loop = loop;
      drain.timeout_s = drain_timeout;
      rh_signals_watch (term_signal, drain_cloud_cb, &drain);
    }
  g_main_loop_run (loop);
  rh_cloud_stop_all (cloud);
  g_clear_handle_id (&drain.source, g_source_remove);
  wait_for_recordings (cloud);
  rh_signals_unwatch (rh_stop_signals);
  g_printerr ("cloud: stopped\n");
  return 0;
}
