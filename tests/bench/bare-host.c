/* The floor of the job on this engine: the least WPE host that loads a record
 * page in an SHM view, catches event 1 with tests/bench/ready-wrapper.js and
 * sends the ready call.  No report, no frames kept, no probes: what it costs is
 * what WPE WebKit and Mesa cost, which the Chromium benchmark sets beside
 * recordhost's own figures.
 *
 *     bench-bare-host PAGE_URL READY_URL WRAPPER_JS [WIDTH HEIGHT]
 *
 * Exits 0 once the ready call was answered 2xx. */
#include <libsoup/soup.h>
#include <stdlib.h>
#include <wpe/fdo.h>
#include <wpe/unstable/fdo-shm.h>
#include <wpe/webkit.h>

#define FRAME_INTERVAL_MS 66
#define TIMEOUT_S 30

typedef struct
{
  GMainLoop *loop;
  struct wpe_view_backend_exportable_fdo *exportable;
  SoupSession *session;
  const char *ready_url;
  int status;
} BareHost;

static gboolean
frame_complete_cb (gpointer user_data)
{
  BareHost *host = user_data;

  wpe_view_backend_exportable_fdo_dispatch_frame_complete (host->exportable);
  return G_SOURCE_REMOVE;
}

/* Frames are given back at once; pacing them keeps the renderer at the same
 * rate recordhost runs it. */
static void
export_shm_buffer (void *data, struct wpe_fdo_shm_exported_buffer *buffer)
{
  BareHost *host = data;

  wpe_view_backend_exportable_fdo_dispatch_release_shm_exported_buffer (host->exportable, buffer);
  g_timeout_add (FRAME_INTERVAL_MS, frame_complete_cb, host);
}

static const struct wpe_view_backend_exportable_fdo_client exportable_client = {
  .export_shm_buffer = export_shm_buffer,
};

static void
finish (BareHost *host, int status, const char *why)
{
  if (why != NULL)
    g_printerr ("bench-bare-host: %s\n", why);
  host->status = status;
  g_main_loop_quit (host->loop);
}

static void
ready_sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  BareHost *host = user_data;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = soup_session_send_and_read_finish (SOUP_SESSION (source), result,
                                                                &error);
  SoupMessage *message = soup_session_get_async_result_message (SOUP_SESSION (source), result);

  if (body == NULL)
    finish (host, 1, error->message);
  else if (!SOUP_STATUS_IS_SUCCESSFUL (soup_message_get_status (message)))
    finish (host, 1, "the ready call was refused");
  else
    finish (host, 0, NULL);
}

static void
ready_message_cb (WebKitUserContentManager *manager, WebKitJavascriptResult *result,
                  gpointer user_data)
{
  BareHost *host = user_data;
  g_autoptr (SoupMessage) message = soup_message_new (SOUP_METHOD_PUT, host->ready_url);
  g_autoptr (GBytes) body = g_bytes_new_static ("{}", 2);

  soup_message_set_request_body_from_bytes (message, "application/json", body);
  soup_session_send_and_read_async (host->session, message, G_PRIORITY_DEFAULT, NULL,
                                    ready_sent_cb, host);
}

static void
load_failed_cb (WebKitWebView *view, WebKitLoadEvent event, const char *uri, GError *error,
                gpointer user_data)
{
  finish (user_data, 1, error->message);
}

static gboolean
timeout_cb (gpointer user_data)
{
  finish (user_data, 1, "no event 1 before the timeout");
  return G_SOURCE_REMOVE;
}

int
main (int argc, char **argv)
{
  BareHost host = { 0 };
  g_autofree char *wrapper = NULL;
  g_autofree char *source = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (WebKitUserContentManager) manager = NULL;
  g_autoptr (WebKitUserScript) script = NULL;
  g_autoptr (WebKitWebContext) context = NULL;
  WebKitWebView *view;
  struct wpe_view_backend *backend;
  guint width = argc > 5 ? (guint) atoi (argv[4]) : 1280;
  guint height = argc > 5 ? (guint) atoi (argv[5]) : 720;

  if (argc != 4 && argc != 6)
    {
      g_printerr ("usage: bench-bare-host PAGE_URL READY_URL WRAPPER_JS [WIDTH HEIGHT]\n");
      return 2;
    }
  if (!g_file_get_contents (argv[3], &wrapper, NULL, &error))
    {
      g_printerr ("bench-bare-host: %s\n", error->message);
      return 2;
    }
  if (!wpe_loader_init ("libWPEBackend-fdo-1.0.so.1") || !wpe_fdo_initialize_shm ())
    {
      g_printerr ("bench-bare-host: cannot initialise WPEBackend-fdo in SHM mode\n");
      return 1;
    }

  host.loop = g_main_loop_new (NULL, FALSE);
  host.session = soup_session_new ();
  host.ready_url = argv[2];
  host.exportable = wpe_view_backend_exportable_fdo_create (&exportable_client, &host, width,
                                                            height);
  backend = wpe_view_backend_exportable_fdo_get_view_backend (host.exportable);
  wpe_view_backend_add_activity_state (backend, wpe_view_activity_state_visible
                                                  | wpe_view_activity_state_focused
                                                  | wpe_view_activity_state_in_window);

  source = g_strconcat ("window.__benchReady = function () {"
                        " window.webkit.messageHandlers.ready.postMessage (1); };\n",
                        wrapper, NULL);
  manager = webkit_user_content_manager_new ();
  script = webkit_user_script_new (source, WEBKIT_USER_CONTENT_INJECT_TOP_FRAME,
                                   WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, NULL, NULL);
  webkit_user_content_manager_add_script (manager, script);
  g_signal_connect (manager, "script-message-received::ready", G_CALLBACK (ready_message_cb),
                    &host);
  webkit_user_content_manager_register_script_message_handler (manager, "ready");

  context = webkit_web_context_new_ephemeral ();
  view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                       "backend", webkit_web_view_backend_new (
                                    backend, (GDestroyNotify) wpe_view_backend_exportable_fdo_destroy,
                                    host.exportable),
                       "web-context", context,
                       "user-content-manager", manager,
                       NULL);
  g_signal_connect (view, "load-failed", G_CALLBACK (load_failed_cb), &host);
  g_timeout_add_seconds (TIMEOUT_S, timeout_cb, &host);
  webkit_web_view_load_uri (view, argv[1]);
  g_main_loop_run (host.loop);

  g_object_unref (view);
  g_object_unref (host.session);
  g_main_loop_unref (host.loop);
  return host.status;
}
