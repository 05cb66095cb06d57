#include "rh-wpe-page-host.h"

#include <wpe/fdo.h>
#include <wpe/unstable/fdo-shm.h>
#include <wpe/wpe.h>

#include <wpe/webkit.h>

#include "rh-bridge.h"
#include "rh-error.h"
#include "rh-wpe-frame-sink.h"
#include "rh-wpe-resources.h"

/* How often a web process measures its memory against its limit: a page
 * allocating fast overshoots the limit by what it allocates in this time. */
#define MEMORY_POLL_INTERVAL_S 0.5

/* Views that share one web process: WebKit starts a view created with a
 * "related-view" in that view's process. */
typedef struct
{
  GPtrArray *hosts; /* RhWpePageHost, unowned: a host leaves its group on dispose */
} ProcessGroup;

struct _RhWpePageHost
{
  RhPageHost parent_instance;

  RhWpeFrameSink *sink; /* owned by the view's backend */
  WebKitWebView *view;
  ProcessGroup *group;
  WebKitWebContext *own_context; /* with website data of its own, or NULL */
};

static GPtrArray *process_groups; /* ProcessGroup */
static GPtrArray *contexts;       /* WebKitWebContext, one per memory limit */

#define MEMORY_LIMIT_KEY "rh-memory-limit-mb"

G_DEFINE_FINAL_TYPE (RhWpePageHost, rh_wpe_page_host, RH_TYPE_PAGE_HOST)

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

/* A web process past @limit_mb is killed (kill threshold 1: at the limit
 * itself); WebKit tells its views so with EXCEEDED_MEMORY_LIMIT.  Before
 * that, past half and three quarters of it, WebKit frees what it can: not
 * at WebKit's third, which a real SDK's page (~400 MB) passes under the
 * default limit, to be collected again at every poll. */
static WebKitWebContext *
context_new (guint limit_mb)
{
  g_autoptr (WebKitWebsiteDataManager) manager = webkit_website_data_manager_new_ephemeral ();
  g_autoptr (WebKitMemoryPressureSettings) pressure = NULL;
  WebKitWebContext *context;

  if (limit_mb > 0)
    {
      pressure = webkit_memory_pressure_settings_new ();
      webkit_memory_pressure_settings_set_memory_limit (pressure, limit_mb);
      /* The strict one first: the conservative one must stay below it. */
      webkit_memory_pressure_settings_set_strict_threshold (pressure, 0.75);
      webkit_memory_pressure_settings_set_conservative_threshold (pressure, 0.5);
      webkit_memory_pressure_settings_set_kill_threshold (pressure, 1.0);
      webkit_memory_pressure_settings_set_poll_interval (pressure, MEMORY_POLL_INTERVAL_S);
    }
  context = g_object_new (WEBKIT_TYPE_WEB_CONTEXT,
                          "website-data-manager", manager,
                          "memory-pressure-settings", pressure,
                          NULL);
  webkit_web_context_set_cache_model (context, WEBKIT_CACHE_MODEL_DOCUMENT_VIEWER);
  g_object_set_data (G_OBJECT (context), MEMORY_LIMIT_KEY, GUINT_TO_POINTER (limit_mb));
  return context;
}

/* One ephemeral context for the views of a memory limit: no cache or
 * cookies on disk, one network process shared by all of them.  Kept for the
 * life of the process. */
static WebKitWebContext *
shared_context (void)
{
  guint limit_mb = rh_page_host_get_memory_limit_mb ();
  WebKitWebContext *context;

  if (contexts == NULL)
    contexts = g_ptr_array_new ();
  for (guint i = 0; i < contexts->len; i++)
    {
      context = g_ptr_array_index (contexts, i);
      if (GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (context), MEMORY_LIMIT_KEY))
          == limit_mb)
        return context;
    }
  context = context_new (limit_mb);
  g_ptr_array_add (contexts, context);
  return context;
}

/* The view a new host's view should be related to, if any, and the group it
 * joins: the first group of @context with room, or a new one. */
static WebKitWebView *
process_group_join (RhWpePageHost *host, WebKitWebContext *context)
{
  guint views_per_process = rh_page_host_get_views_per_process ();
  ProcessGroup *group = NULL;

  if (process_groups == NULL)
    process_groups = g_ptr_array_new ();
  for (guint i = 0; i < process_groups->len && group == NULL; i++)
    {
      ProcessGroup *candidate = g_ptr_array_index (process_groups, i);
      RhWpePageHost *first = g_ptr_array_index (candidate->hosts, 0);

      if (candidate->hosts->len < views_per_process
          && webkit_web_view_get_context (first->view) == context)
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
  return RH_WPE_PAGE_HOST (g_ptr_array_index (group->hosts, 0))->view;
}

/* Whether @host was the last of its group. */
static gboolean
process_group_leave (RhWpePageHost *host)
{
  ProcessGroup *group = host->group;

  if (group == NULL)
    return FALSE;
  host->group = NULL;
  g_ptr_array_remove (group->hosts, host);
  if (group->hosts->len > 0)
    return FALSE;
  g_ptr_array_remove (process_groups, group);
  g_ptr_array_unref (group->hosts);
  g_free (group);
  return TRUE;
}

static void
script_message_cb (WebKitUserContentManager *manager, WebKitJavascriptResult *result,
                   gpointer user_data)
{
  RhWpePageHost *self = user_data;
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
  rh_page_host_emit_bridge_message (RH_PAGE_HOST (self), message);
}


static void
load_changed_cb (WebKitWebView *view, WebKitLoadEvent event, gpointer user_data)
{
  RhPageHost *host = user_data;
  const char *uri = webkit_web_view_get_uri (view);

  switch (event)
    {
    case WEBKIT_LOAD_STARTED:
      rh_page_host_emit_load_event (host, RH_PAGE_LOAD_STARTED, uri, 0);
      break;
    case WEBKIT_LOAD_REDIRECTED:
      rh_page_host_emit_load_event (host, RH_PAGE_LOAD_REDIRECTED, uri, 0);
      break;
    case WEBKIT_LOAD_COMMITTED:
      rh_page_host_emit_load_event (
        host, RH_PAGE_LOAD_COMMITTED, uri,
        rh_wpe_resource_status (webkit_web_view_get_main_resource (view)));
      break;
    case WEBKIT_LOAD_FINISHED:
      rh_page_host_emit_load_event (host, RH_PAGE_LOAD_FINISHED, uri, 0);
      break;
    default:
      break;
    }
}

static gboolean
load_failed_cb (WebKitWebView *view, WebKitLoadEvent event, const char *failing_uri,
                GError *error, gpointer user_data)
{
  g_autoptr (GError) translated = rh_wpe_error_translate (error);

  rh_page_host_emit_load_failed (user_data, failing_uri, translated, FALSE);
  return TRUE; /* no WebKit error page: it would look like a load */
}

static gboolean
load_failed_with_tls_errors_cb (WebKitWebView *view, const char *failing_uri,
                                GTlsCertificate *certificate, GTlsCertificateFlags errors,
                                gpointer user_data)
{
  g_autoptr (GError) error = g_error_new (G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE,
                                          "TLS certificate of %s not trusted", failing_uri);

  rh_page_host_emit_load_failed (user_data, failing_uri, error, TRUE);
  return TRUE;
}

static void
web_process_terminated_cb (WebKitWebView *view, WebKitWebProcessTerminationReason reason,
                           gpointer user_data)
{
  WebKitWebContext *context = webkit_web_view_get_context (view);
  guint limit_mb = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (context), MEMORY_LIMIT_KEY));
  g_autofree char *exceeded = NULL;

  if (reason != WEBKIT_WEB_PROCESS_EXCEEDED_MEMORY_LIMIT)
    {
      rh_page_host_emit_web_process_terminated (user_data, TRUE, "crashed");
      return;
    }
  /* The limit is ours, or WebKit's own (a share of the machine's memory). */
  exceeded = limit_mb > 0 ? g_strdup_printf ("exceeded its memory limit of %u MB", limit_mb)
                          : g_strdup ("exceeded its memory limit");
  rh_page_host_emit_web_process_terminated (user_data, FALSE, exceeded);
}

static void
rh_wpe_page_host_add_user_script (RhPageHost *host, const char *source)
{
  RhWpePageHost *self = RH_WPE_PAGE_HOST (host);
  WebKitUserContentManager *manager = webkit_web_view_get_user_content_manager (self->view);
  g_autoptr (WebKitUserScript) script = NULL;

  /* Every frame: a subframe's requests are routed and reported too; the
   * script itself keeps the rest of the bridge to the top frame. */
  script = webkit_user_script_new (source, WEBKIT_USER_CONTENT_INJECT_ALL_FRAMES,
                                   WEBKIT_USER_SCRIPT_INJECT_AT_DOCUMENT_START, NULL, NULL);
  webkit_user_content_manager_add_script (manager, script);
}

static void
rh_wpe_page_host_load (RhPageHost *host, const char *uri)
{
  webkit_web_view_load_uri (RH_WPE_PAGE_HOST (host)->view, uri);
}

static void
rh_wpe_page_host_load_html (RhPageHost *host, const char *html, const char *base_uri)
{
  webkit_web_view_load_html (RH_WPE_PAGE_HOST (host)->view, html, base_uri);
}

static void
rh_wpe_page_host_stop_loading (RhPageHost *host)
{
  webkit_web_view_stop_loading (RH_WPE_PAGE_HOST (host)->view);
}

static const char *
rh_wpe_page_host_get_user_agent (RhPageHost *host)
{
  WebKitSettings *settings = webkit_web_view_get_settings (RH_WPE_PAGE_HOST (host)->view);

  return webkit_settings_get_user_agent (settings);
}

/* 16 ms by default, for paint times to a frame at 60 Hz. */
static void
rh_wpe_page_host_set_frame_interval (RhPageHost *host, guint interval_ms)
{
  RhWpePageHost *self = RH_WPE_PAGE_HOST (host);

  if (self->sink != NULL)
    rh_wpe_frame_sink_set_interval (self->sink, interval_ms);
}

static gboolean
rh_wpe_page_host_read_frame (RhPageHost *host, RhFrameFunc func, gpointer user_data)
{
  RhWpePageHost *self = RH_WPE_PAGE_HOST (host);

  return self->sink != NULL && rh_wpe_frame_sink_read (self->sink, func, user_data);
}

static const char *
rh_wpe_page_host_get_engine_name (RhPageHost *host)
{
  return "WPE WebKit";
}

static char *
rh_wpe_page_host_get_engine_version (RhPageHost *host)
{
  return g_strdup_printf ("%u.%u.%u", webkit_get_major_version (), webkit_get_minor_version (),
                          webkit_get_micro_version ());
}

/* The script message handler registered on the view, as WebKit's engines
 * (WPE, WebKitGTK) offer it to every frame. */
static const char *
rh_wpe_page_host_get_message_channel (RhPageHost *host)
{
  return "(function (handlers) {\n"
         "    const handler = handlers && handlers." RH_BRIDGE_HANDLER_NAME ";\n"
         "    return handler && handler.postMessage.bind (handler);\n"
         "  }) (window.webkit && window.webkit.messageHandlers)";
}

static void
rh_wpe_page_host_dispose (GObject *object)
{
  RhWpePageHost *self = RH_WPE_PAGE_HOST (object);
  gboolean last_of_process = process_group_leave (self);

  if (self->sink != NULL)
    {
      /* Before the web process ends: its buffers would be copied. */
      rh_wpe_frame_sink_detach (self->sink);
      self->sink = NULL; /* the view's backend frees it with the view */
    }
  if (self->view != NULL)
    {
      WebKitUserContentManager *manager = webkit_web_view_get_user_content_manager (self->view);

      g_signal_handlers_disconnect_by_data (manager, self);
      g_signal_handlers_disconnect_by_data (self->view, self);
      webkit_web_view_stop_loading (self->view);
      /* Its web process serves no other page: ended now (SIGKILL), it
       * cannot spin on in a page's script, which would keep it from seeing
       * its last page go for ~10 s. */
      if (last_of_process)
        webkit_web_view_terminate_web_process (self->view);
      g_clear_object (&self->view);
    }
  g_clear_object (&self->own_context);
  G_OBJECT_CLASS (rh_wpe_page_host_parent_class)->dispose (object);
}

static void
rh_wpe_page_host_class_init (RhWpePageHostClass *klass)
{
  RhPageHostClass *host_class = RH_PAGE_HOST_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = rh_wpe_page_host_dispose;
  host_class->add_user_script = rh_wpe_page_host_add_user_script;
  host_class->load = rh_wpe_page_host_load;
  host_class->load_html = rh_wpe_page_host_load_html;
  host_class->stop_loading = rh_wpe_page_host_stop_loading;
  host_class->get_user_agent = rh_wpe_page_host_get_user_agent;
  host_class->set_frame_interval = rh_wpe_page_host_set_frame_interval;
  host_class->read_frame = rh_wpe_page_host_read_frame;
  host_class->get_engine_name = rh_wpe_page_host_get_engine_name;
  host_class->get_engine_version = rh_wpe_page_host_get_engine_version;
  host_class->get_message_channel = rh_wpe_page_host_get_message_channel;
}

static void
rh_wpe_page_host_init (RhWpePageHost *self)
{
}

/* @file_access: whether a file page may read other files with fetch and
 * XMLHttpRequest.  Its scripts, styles and images load without it. */
static WebKitSettings *
settings_new (gboolean file_access)
{
  return webkit_settings_new_with_settings ("enable-developer-extras", FALSE,
                                            "enable-write-console-messages-to-stdout", FALSE,
                                            "enable-webgl", TRUE,
                                            "enable-media", TRUE,
                                            "enable-mediasource", TRUE,
                                            "enable-javascript", TRUE,
                                            "media-playback-requires-user-gesture", FALSE,
                                            "allow-file-access-from-file-urls", file_access,
                                            /* Never other origins' answers unasked. */
                                            "allow-universal-access-from-file-urls", FALSE,
                                            NULL);
}

static void
view_connect (RhWpePageHost *self)
{
  g_signal_connect (self->view, "load-changed", G_CALLBACK (load_changed_cb), self);
  g_signal_connect (self->view, "load-failed", G_CALLBACK (load_failed_cb), self);
  g_signal_connect (self->view, "load-failed-with-tls-errors",
                    G_CALLBACK (load_failed_with_tls_errors_cb), self);
  g_signal_connect (self->view, "web-process-terminated", G_CALLBACK (web_process_terminated_cb),
                    self);
  g_signal_connect (self->view, "resource-load-started", G_CALLBACK (rh_wpe_resource_started_cb),
                    self);
}

/* A view of @width x @height with the bridge's message handler; the bridge
 * script comes with rh_page_host_add_user_script ().  @user_agent NULL keeps
 * WebKit's own.  @file_access: a file page may fetch other files, as a
 * template opened from disk by the user reads its neighbours; never for
 * pages that others chose. */
RhPageHost *
rh_wpe_page_host_new (guint width, guint height, const char *user_agent, gboolean file_access,
                      GError **error)
{
  g_autoptr (RhWpePageHost) self = NULL;
  g_autoptr (WebKitUserContentManager) manager = NULL;
  g_autoptr (WebKitSettings) settings = NULL;
  struct wpe_view_backend *backend;
  WebKitWebViewBackend *view_backend;
  WebKitWebContext *context;
  WebKitWebView *related;
  RhWpeFrameSink *sink;

  if (!backend_init (error))
    return NULL;

  self = g_object_new (RH_TYPE_WPE_PAGE_HOST, NULL);
  sink = rh_wpe_frame_sink_new (RH_PAGE_HOST (self), width, height);
  if (sink == NULL)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_PAGE_FAILED,
                           "cannot create a WPE view backend");
      return NULL;
    }
  self->sink = sink;
  backend = rh_wpe_frame_sink_get_view_backend (sink);
  /* A view that is not visible and focused gets throttled. */
  wpe_view_backend_add_activity_state (backend, wpe_view_activity_state_visible
                                                  | wpe_view_activity_state_focused
                                                  | wpe_view_activity_state_in_window);
  view_backend = webkit_web_view_backend_new (backend, rh_wpe_frame_sink_free, sink);

  manager = webkit_user_content_manager_new ();
  g_signal_connect (manager, "script-message-received::" RH_BRIDGE_HANDLER_NAME,
                    G_CALLBACK (script_message_cb), self);
  webkit_user_content_manager_register_script_message_handler (manager, RH_BRIDGE_HANDLER_NAME);

  settings = settings_new (file_access);
  if (user_agent != NULL)
    webkit_settings_set_user_agent (settings, user_agent);
  if (rh_page_host_get_own_website_data ())
    context = self->own_context = context_new (rh_page_host_get_memory_limit_mb ());
  else
    context = shared_context ();
  related = process_group_join (self, context);
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
                               "web-context", context,
                               "settings", settings,
                               "user-content-manager", manager,
                               NULL);
  view_connect (self);
  return RH_PAGE_HOST (g_steal_pointer (&self));
}
