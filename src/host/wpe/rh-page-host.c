#include "rh-page-host.h"

#include <wayland-server.h>
#include <wpe/fdo.h>
#include <wpe/unstable/fdo-shm.h>
#include <wpe/wpe.h>

#include "rh-bridge-script.h"
#include "rh-error.h"

#define DEFAULT_FRAME_INTERVAL_MS 16

/* What the view backend calls back with frames.  It lives as long as the
 * backend, which the view may keep past the host: the host is a weak link. */
typedef struct
{
  struct wpe_view_backend_exportable_fdo *exportable;
  RhPageHost *host;  /* NULL once the host is gone */
  guint frame_interval_ms;
  guint frame_complete_id;
} FrameSink;

/* Views that share one web process: WebKit starts a view created with a
 * "related-view" in that view's process. */
typedef struct
{
  GPtrArray *hosts; /* RhPageHost, unowned: a host leaves its group on dispose */
} ProcessGroup;

struct _RhPageHost
{
  GObject parent_instance;

  FrameSink *sink;   /* owned by the view's backend */
  WebKitWebView *view;
  ProcessGroup *group;
};

static guint views_per_process = 1;
static GPtrArray *process_groups; /* ProcessGroup */

G_DEFINE_FINAL_TYPE (RhPageHost, rh_page_host, G_TYPE_OBJECT)

enum
{
  SIGNAL_BRIDGE_MESSAGE,
  SIGNAL_FRAME,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

/* Once per process: the fdo backend in SHM mode needs no GPU and no display. */
static gboolean
backend_init (GError **error)
{
  static gsize initialized = 0;
  static gboolean ok = FALSE;

  if (g_once_init_enter (&initialized))
    {
      ok = wpe_loader_init ("libWPEBackend-fdo-1.0.so.1") && wpe_fdo_initialize_shm ();
      g_once_init_leave (&initialized, 1);
    }
  if (!ok)
    g_set_error_literal (error, RH_ERROR, RH_ERROR_PAGE_FAILED,
                         "cannot initialise WPEBackend-fdo in SHM mode "
                         "(is libwpebackend-fdo-1.0-1 installed?)");
  return ok;
}

/* One ephemeral context for the process: no cache or cookies on disk, one
 * network process shared by every view. */
static WebKitWebContext *
shared_context (void)
{
  static WebKitWebContext *context = NULL;

  if (context == NULL)
    {
      context = webkit_web_context_new_ephemeral ();
      webkit_web_context_set_cache_model (context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
    }
  return context;
}

/* How many views may share one web process: 1 gives each view its own.  A
 * crash of a shared process takes all of its views with it, so this trades
 * memory for isolation.  Views created earlier keep their process. */
void
rh_page_host_set_views_per_process (guint count)
{
  views_per_process = MAX (count, 1);
}

guint
rh_page_host_get_views_per_process (void)
{
  return views_per_process;
}

/* The view a new host's view should be related to, if any, and the group it
 * joins: the first group with room, or a new one. */
static WebKitWebView *
process_group_join (RhPageHost *host)
{
  ProcessGroup *group = NULL;

  if (process_groups == NULL)
    process_groups = g_ptr_array_new ();
  for (guint i = 0; i < process_groups->len && group == NULL; i++)
    {
      ProcessGroup *candidate = g_ptr_array_index (process_groups, i);

      if (candidate->hosts->len < views_per_process)
        group = candidate;
    }
  if (group == NULL)
    {
      group = g_new0 (ProcessGroup, 1);
      group->hosts = g_ptr_array_new ();
      g_ptr_array_add (process_groups, group);
    }
  host->group = group;
  g_ptr_array_add (group->hosts, host);
  if (group->hosts->len == 1)
    return NULL;
  return RH_PAGE_HOST (g_ptr_array_index (group->hosts, 0))->view;
}

static void
process_group_leave (RhPageHost *host)
{
  ProcessGroup *group = host->group;

  if (group == NULL)
    return;
  host->group = NULL;
  g_ptr_array_remove (group->hosts, host);
  if (group->hosts->len > 0)
    return;
  g_ptr_array_remove (process_groups, group);
  g_ptr_array_unref (group->hosts);
  g_free (group);
}

static gboolean
frame_complete_cb (gpointer user_data)
{
  FrameSink *sink = user_data;

  sink->frame_complete_id = 0;
  wpe_view_backend_exportable_fdo_dispatch_frame_complete (sink->exportable);
  return G_SOURCE_REMOVE;
}

/* Each frame is handed out, released at once, and the next one allowed
 * after the frame interval: that paces the renderer. */
static void
export_shm_buffer (void *data, struct wpe_fdo_shm_exported_buffer *buffer)
{
  FrameSink *sink = data;
  struct wl_shm_buffer *shm = wpe_fdo_shm_exported_buffer_get_shm_buffer (buffer);
  RhFrame frame = { 0 };

  frame.time_us = g_get_monotonic_time ();
  wl_shm_buffer_begin_access (shm);
  frame.data = wl_shm_buffer_get_data (shm);
  frame.stride = wl_shm_buffer_get_stride (shm);
  frame.width = wl_shm_buffer_get_width (shm);
  frame.height = wl_shm_buffer_get_height (shm);
  if (sink->host != NULL
      && (wl_shm_buffer_get_format (shm) == WL_SHM_FORMAT_ARGB8888
          || wl_shm_buffer_get_format (shm) == WL_SHM_FORMAT_XRGB8888))
    g_signal_emit (sink->host, signals[SIGNAL_FRAME], 0, &frame);
  wl_shm_buffer_end_access (shm);

  wpe_view_backend_exportable_fdo_dispatch_release_shm_exported_buffer (sink->exportable, buffer);
  if (sink->frame_complete_id == 0)
    sink->frame_complete_id = g_timeout_add (sink->frame_interval_ms, frame_complete_cb, sink);
}

static void
frame_sink_destroy (gpointer data)
{
  FrameSink *sink = data;

  g_clear_handle_id (&sink->frame_complete_id, g_source_remove);
  wpe_view_backend_exportable_fdo_destroy (sink->exportable);
  g_free (sink);
}

static const struct wpe_view_backend_exportable_fdo_client exportable_client = {
  .export_shm_buffer = export_shm_buffer,
};

static void
script_message_cb (WebKitUserContentManager *manager, WebKitJavascriptResult *result,
                   gpointer user_data)
{
  RhPageHost *self = user_data;
  JSCValue *value = webkit_javascript_result_get_js_value (result);
  g_autofree char *json = NULL;
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (GError) error = NULL;

  if (!jsc_value_is_string (value))
    {
      g_debug ("bridge: ignoring a message that is not a string");
      return;
    }
  /* NULL for a string that is not valid UTF-16 (a lone surrogate). */
  json = jsc_value_to_string (value);
  if (json == NULL)
    {
      g_debug ("bridge: ignoring a message that is not valid text");
      return;
    }
  message = rh_bridge_message_parse (json, &error);
  if (message == NULL)
    {
      g_debug ("bridge: ignoring a malformed message: %s", error->message);
      return;
    }
  g_signal_emit (self, signals[SIGNAL_BRIDGE_MESSAGE], 0, message);
}

static void
rh_page_host_dispose (GObject *object)
{
  RhPageHost *self = RH_PAGE_HOST (object);

  process_group_leave (self);
  if (self->sink != NULL)
    {
      self->sink->host = NULL;
      self->sink = NULL; /* the view's backend frees it with the view */
    }
  if (self->view != NULL)
    {
      WebKitUserContentManager *manager = webkit_web_view_get_user_content_manager (self->view);

      g_signal_handlers_disconnect_by_data (manager, self);
      webkit_web_view_stop_loading (self->view);
      g_clear_object (&self->view);
    }
  G_OBJECT_CLASS (rh_page_host_parent_class)->dispose (object);
}

static void
rh_page_host_class_init (RhPageHostClass *klass)
{
  G_OBJECT_CLASS (klass)->dispose = rh_page_host_dispose;

  /* A message from the bridge: a JsonObject with at least "kind". */
  signals[SIGNAL_BRIDGE_MESSAGE] = g_signal_new ("bridge-message", G_TYPE_FROM_CLASS (klass),
                                                 G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                 G_TYPE_NONE, 1, JSON_TYPE_OBJECT);
  /* A rendered frame: an RhFrame valid during emission only. */
  signals[SIGNAL_FRAME] = g_signal_new ("frame", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST, 0,
                                        NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);
}

static void
rh_page_host_init (RhPageHost *self)
{
}

static WebKitSettings *
settings_new (void)
{
  return webkit_settings_new_with_settings ("enable-developer-extras", FALSE,
                                            "enable-write-console-messages-to-stdout", FALSE,
                                            "enable-webgl", TRUE,
                                            "enable-media", TRUE,
                                            "enable-mediasource", TRUE,
                                            "enable-javascript", TRUE,
                                            "media-playback-requires-user-gesture", FALSE,
                                            /* A template opened from disk loads its
                                             * neighbours like a deployed one would. */
                                            "allow-file-access-from-file-urls", TRUE,
                                            NULL);
}

/* @user_agent NULL keeps WebKit's own; @probe: the page reports the engine's
 * capabilities once its document exists. */
RhPageHost *
rh_page_host_new (guint width, guint height, RhWebrtcMode webrtc,
                  const GPtrArray *routes, const char *user_agent, gboolean probe,
                  GError **error)
{
  g_autoptr (RhPageHost) self = NULL;
  g_autoptr (WebKitUserContentManager) manager = NULL;
  g_autoptr (WebKitUserScript) script = NULL;
  g_autoptr (WebKitSettings) settings = NULL;
  g_autofree char *source = NULL;
  struct wpe_view_backend *backend;
  WebKitWebViewBackend *view_backend;
  WebKitWebView *related;
  FrameSink *sink;

  if (!backend_init (error))
    return NULL;
  source = rh_bridge_script_build (webrtc, routes, probe, error);
  if (source == NULL)
    return NULL;

  self = g_object_new (RH_TYPE_PAGE_HOST, NULL);
  sink = g_new0 (FrameSink, 1);
  sink->host = self;
  sink->frame_interval_ms = DEFAULT_FRAME_INTERVAL_MS;
  sink->exportable = wpe_view_backend_exportable_fdo_create (&exportable_client, sink, width,
                                                             height);
  if (sink->exportable == NULL)
    {
      g_free (sink);
      g_set_error_literal (error, RH_ERROR, RH_ERROR_PAGE_FAILED,
                           "cannot create a WPE view backend");
      return NULL;
    }
  self->sink = sink;
  backend = wpe_view_backend_exportable_fdo_get_view_backend (sink->exportable);
  /* A view that is not visible and focused gets throttled. */
  wpe_view_backend_add_activity_state (backend, wpe_view_activity_state_visible
                                                  | wpe_view_activity_state_focused
                                                  | wpe_view_activity_state_in_window);
  view_backend = webkit_web_view_backend_new (backend, frame_sink_destroy, sink);

  manager = webkit_user_content_manager_new ();
  script = webkit_user_script_new (source, WEBKIT_USER_CONTENT_INJECT_TOP_FRAME,
                                   WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, NULL, NULL);
  webkit_user_content_manager_add_script (manager, script);
  g_signal_connect (manager, "script-message-received::" RH_BRIDGE_HANDLER_NAME,
                    G_CALLBACK (script_message_cb), self);
  webkit_user_content_manager_register_script_message_handler (manager, RH_BRIDGE_HANDLER_NAME);

  settings = settings_new ();
  if (user_agent != NULL)
    webkit_settings_set_user_agent (settings, user_agent);
  related = process_group_join (self);
  /* A related view takes its context from the view it is related to. */
  if (related != NULL)
    self->view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                               "backend", view_backend,
                               "related-view", related,
                               "settings", settings,
                               "user-content-manager", manager,
                               NULL);
  else
    self->view = g_object_new (WEBKIT_TYPE_WEB_VIEW,
                               "backend", view_backend,
                               "web-context", shared_context (),
                               "settings", settings,
                               "user-content-manager", manager,
                               NULL);
  return g_steal_pointer (&self);
}

/* Frames come at most every @interval_ms; 16 by default, for paint times
 * to a frame at 60 Hz. */
void
rh_page_host_set_frame_interval (RhPageHost *host, guint interval_ms)
{
  if (host->sink != NULL)
    host->sink->frame_interval_ms = MAX (interval_ms, 1);
}

WebKitWebView *
rh_page_host_get_view (RhPageHost *host)
{
  return host->view;
}

void
rh_page_host_load (RhPageHost *host, const char *uri)
{
  webkit_web_view_load_uri (host->view, uri);
}

/* "2.38.6": the WebKit this program runs. */
char *
rh_page_host_engine_version (void)
{
  return g_strdup_printf ("%u.%u.%u", webkit_get_major_version (), webkit_get_minor_version (),
                          webkit_get_micro_version ());
}
