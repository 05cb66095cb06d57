#include "rh-chromium-page-host-private.h"

#include <string.h>

#include "rh-chromium-browser.h"
#include "rh-error.h"
#include "rh-route.h"

/* How long a new target's first document may take to run: a bound, not a
 * wait (Runtime.enable reports the document whenever it came), long enough
 * for a machine busy starting many renderers, where a load sent before it
 * runs loses the bridge. */
#define BLANK_WAIT_MS 20000

G_DEFINE_FINAL_TYPE (RhChromiumPageHost, rh_chromium_page_host, RH_TYPE_PAGE_HOST)

/* One browser for the process, a target a host: the hosts hold it, and it
 * ends with the last of them.  Two, in fact, by whether file pages read
 * other files (a switch of the whole browser): a page without that right
 * never shares a browser with one that has it. */
static RhChromiumBrowser *shared_browsers[2]; /* weak, by file access */
static GPtrArray *starting_hosts[2];          /* unowned: waiting for that browser */

static void navigate (RhChromiumPageHost *self, const char *uri);

/* The browser or the target could not be had: the load asked for fails. */
static void
fail_start (RhChromiumPageHost *self, const GError *error)
{
  g_autofree char *uri = g_steal_pointer (&self->pending_uri);

  if (self->start_error == NULL)
    self->start_error = g_error_copy (error);
  if (uri != NULL)
    rh_page_host_emit_load_failed (RH_PAGE_HOST (self), uri, self->start_error, FALSE);
}

static void
closed_cb (RhCdpConnection *connection, GError *error, gpointer user_data)
{
  RhChromiumPageHost *self = user_data;

  if (self->session_id == NULL)
    {
      fail_start (self, error);
      return;
    }
  if (self->terminated)
    return;
  self->terminated = TRUE;
  rh_page_host_emit_web_process_terminated (RH_PAGE_HOST (self), TRUE,
                                            "the browser's process ended");
}

/* ---- getting a target ---- */

static void
version_cb (RhChromiumPageHost *self, JsonObject *result, const GError *error)
{
  if (result != NULL && self->user_agent == NULL)
    self->user_agent = g_strdup (rh_json_string_member (result, "userAgent"));
}

/* The target answered every command of its set-up, and its first document
 * runs: the set-up is in force, so a load now gets the bridge from its
 * first document on. */
void
_rh_chromium_page_host_become_ready (RhChromiumPageHost *self)
{
  g_autofree char *uri = NULL;

  if (self->ready || !self->set_up || !self->blank_live)
    return;
  self->ready = TRUE;
  g_clear_handle_id (&self->blank_wait_id, g_source_remove);
  uri = g_steal_pointer (&self->pending_uri);
  if (uri != NULL)
    navigate (self, uri);
}

static void
session_set_up (RhChromiumPageHost *self, const char *session_id)
{
  self->set_up = TRUE;
  _rh_chromium_page_host_frames_start (self);
  _rh_chromium_page_host_become_ready (self);
}

static gboolean
blank_wait_cb (gpointer user_data)
{
  RhChromiumPageHost *self = user_data;

  g_debug ("chromium: target %s's first document did not run within %d ms: loading anyway",
           self->target_id, BLANK_WAIT_MS);
  self->blank_wait_id = 0;
  self->blank_live = TRUE;
  _rh_chromium_page_host_become_ready (self);
  return G_SOURCE_REMOVE;
}

/* What every document of the target gets, asked for before any load. */
static void
set_up_session (RhChromiumPageHost *self)
{
  JsonObject *metrics = json_object_new ();
  JsonObject *screencast = json_object_new ();
  g_autofree char *uri = g_steal_pointer (&self->pending_uri);

  _rh_chromium_page_host_batch_begin (self);
  _rh_chromium_page_host_send (self, "Page.enable", NULL, NULL);
  _rh_chromium_page_host_send (self, "Runtime.enable", NULL, NULL);
  _rh_chromium_page_host_send (self, "Network.enable", NULL, NULL);
  _rh_chromium_page_host_send (self, "Inspector.enable", NULL, NULL);
  _rh_chromium_page_host_send (
      self, "Runtime.addBinding",
      _rh_chromium_page_host_object_with_string ("name", RH_CHROMIUM_BINDING_NAME), NULL);
  json_object_set_int_member (metrics, "width", self->width);
  json_object_set_int_member (metrics, "height", self->height);
  json_object_set_int_member (metrics, "deviceScaleFactor", 1);
  json_object_set_boolean_member (metrics, "mobile", FALSE);
  _rh_chromium_page_host_send (self, "Emulation.setDeviceMetricsOverride", metrics, NULL);
  if (self->user_agent != NULL)
    _rh_chromium_page_host_send (
        self, "Emulation.setUserAgentOverride",
        _rh_chromium_page_host_object_with_string ("userAgent", self->user_agent), NULL);
  else
    _rh_chromium_page_host_send (self, "Browser.getVersion", NULL, version_cb);
  for (guint i = 0; i < self->scripts->len; i++)
    _rh_chromium_page_host_send (
        self, "Page.addScriptToEvaluateOnNewDocument",
        _rh_chromium_page_host_object_with_string ("source", g_ptr_array_index (self->scripts, i)),
        NULL);
  /* Routed from the first load on. */
  _rh_chromium_page_host_fetch_set_up (self);
  _rh_chromium_page_host_children_set_up (self, self->session_id);
  json_object_set_string_member (screencast, "format", "png");
  json_object_set_int_member (screencast, "maxWidth", self->width);
  json_object_set_int_member (screencast, "maxHeight", self->height);
  json_object_set_int_member (screencast, "everyNthFrame", 1);
  _rh_chromium_page_host_send (self, "Page.startScreencast", screencast, NULL);
  _rh_chromium_page_host_batch_end (self, self->session_id, session_set_up);
  self->pending_uri = g_steal_pointer (&uri);
}

static void
attached_cb (RhChromiumPageHost *self, JsonObject *result, const GError *error)
{
  const char *session_id = rh_json_string_member (result, "sessionId");

  if (session_id == NULL)
    {
      fail_start (self, error);
      return;
    }
  self->session_id = g_strdup (session_id);
  /* Never forever: a target whose document never says so is loaded anyway. */
  self->blank_wait_id = g_timeout_add (BLANK_WAIT_MS, blank_wait_cb, self);
  set_up_session (self);
}

static void
target_created_cb (RhChromiumPageHost *self, JsonObject *result, const GError *error)
{
  const char *target_id = rh_json_string_member (result, "targetId");
  JsonObject *params;

  if (target_id == NULL)
    {
      fail_start (self, error);
      return;
    }
  self->target_id = g_strdup (target_id);
  params = _rh_chromium_page_host_object_with_string ("targetId", target_id);
  json_object_set_boolean_member (params, "flatten", TRUE);
  _rh_chromium_page_host_send (self, "Target.attachToTarget", params, attached_cb);
}

static void
create_target (RhChromiumPageHost *self)
{
  JsonObject *params = _rh_chromium_page_host_object_with_string ("url", "about:blank");

  /* Its window at the viewport's size from the start, as the screencast's. */
  json_object_set_int_member (params, "width", self->width);
  json_object_set_int_member (params, "height", self->height);
  json_object_set_boolean_member (params, "newWindow", TRUE);
  if (self->context_id != NULL)
    json_object_set_string_member (params, "browserContextId", self->context_id);
  _rh_chromium_page_host_send (self, "Target.createTarget", params, target_created_cb);
}

static void
context_created_cb (RhChromiumPageHost *self, JsonObject *result, const GError *error)
{
  const char *context_id = rh_json_string_member (result, "browserContextId");

  if (context_id == NULL)
    {
      fail_start (self, error);
      return;
    }
  self->context_id = g_strdup (context_id);
  create_target (self);
}

static void
take_browser (RhChromiumPageHost *self, RhChromiumBrowser *browser)
{
  JsonObject *params;

  self->browser = g_object_ref (browser);
  self->connection = rh_chromium_browser_get_connection (browser);
  self->event_id = g_signal_connect (self->connection, "event",
                                     G_CALLBACK (_rh_chromium_page_host_event_cb), self);
  self->closed_id = g_signal_connect (self->connection, "closed", G_CALLBACK (closed_cb), self);
  if (rh_cdp_connection_is_closed (self->connection))
    {
      fail_start (self, rh_cdp_connection_get_error (self->connection));
      return;
    }
  /* Website data of its own: a browser context (as an incognito window's)
   * a page, the target in it. */
  if (self->own_website_data)
    {
      params = json_object_new ();
      json_object_set_boolean_member (params, "disposeOnDetach", TRUE);
      _rh_chromium_page_host_send (self, "Target.createBrowserContext", params, context_created_cb);
      return;
    }
  create_target (self);
}

static void
browser_started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  gboolean file_access = GPOINTER_TO_INT (user_data);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhChromiumBrowser) browser = rh_chromium_browser_new_finish (result, &error);
  g_autoptr (GPtrArray) hosts = g_steal_pointer (&starting_hosts[file_access]);

  if (browser != NULL)
    {
      shared_browsers[file_access] = browser;
      g_object_add_weak_pointer (G_OBJECT (browser), (gpointer *)&shared_browsers[file_access]);
    }
  /* The hosts still there; the browser ends here when none is. */
  for (guint i = 0; i < hosts->len; i++)
    {
      RhChromiumPageHost *host = g_ptr_array_index (hosts, i);

      if (browser != NULL)
        take_browser (host, browser);
      else
        fail_start (host, error);
    }
}

/* ---- RhPageHost ---- */

static void
rh_chromium_page_host_add_user_script (RhPageHost *host, const char *source)
{
  RhChromiumPageHost *self = RH_CHROMIUM_PAGE_HOST (host);

  g_ptr_array_add (self->scripts, g_strdup (source));
  if (self->session_id != NULL)
    _rh_chromium_page_host_send (self, "Page.addScriptToEvaluateOnNewDocument",
                                 _rh_chromium_page_host_object_with_string ("source", source),
                                 NULL);
}

static void
navigated_cb (RhChromiumPageHost *self, JsonObject *result, const GError *error)
{
  const char *error_text = rh_json_string_member (result, "errorText");
  g_autoptr (GError) failure = NULL;

  if (error == NULL && (error_text == NULL || *error_text == '\0'))
    return;
  failure = error != NULL ? g_error_copy (error)
                          : g_error_new (RH_ERROR, RH_ERROR_PAGE_FAILED, "%s", error_text);
  rh_page_host_emit_load_failed (RH_PAGE_HOST (self), self->loading_uri, failure,
                                 error_text != NULL && strstr (error_text, "CERT") != NULL);
}

static void
navigate (RhChromiumPageHost *self, const char *uri)
{
  g_free (self->loading_uri);
  self->loading_uri = g_strdup (uri);
  self->committed = FALSE;
  self->status = 0;
  /* A crashed tab navigates again in a new renderer, as a WPE view reloads
   * in a new web process; a browser that is gone fails the load instead. */
  if (!rh_cdp_connection_is_closed (self->connection))
    self->terminated = FALSE;
  rh_page_host_emit_load_event (RH_PAGE_HOST (self), RH_PAGE_LOAD_STARTED, uri, 0);
  _rh_chromium_page_host_send (
      self, "Page.navigate", _rh_chromium_page_host_object_with_string ("url", uri), navigated_cb);
}

static void
rh_chromium_page_host_load (RhPageHost *host, const char *uri)
{
  RhChromiumPageHost *self = RH_CHROMIUM_PAGE_HOST (host);

  if (self->start_error != NULL)
    {
      rh_page_host_emit_load_failed (host, uri, self->start_error, FALSE);
      return;
    }
  if (!self->ready)
    {
      g_free (self->pending_uri);
      self->pending_uri = g_strdup (uri);
      return;
    }
  navigate (self, uri);
}

/* As a data: URL: only documents without relative URLs (the capability
 * probe's) are loaded so. */
static void
rh_chromium_page_host_load_html (RhPageHost *host, const char *html, const char *base_uri)
{
  g_autofree char *encoded = g_base64_encode ((const guchar *)html, strlen (html));
  g_autofree char *uri = g_strconcat ("data:text/html;charset=utf-8;base64,", encoded, NULL);

  rh_chromium_page_host_load (host, uri);
}

static void
rh_chromium_page_host_stop_loading (RhPageHost *host)
{
  RhChromiumPageHost *self = RH_CHROMIUM_PAGE_HOST (host);

  g_clear_pointer (&self->pending_uri, g_free);
  if (self->session_id != NULL)
    _rh_chromium_page_host_send (self, "Page.stopLoading", NULL, NULL);
}

static const char *
rh_chromium_page_host_get_user_agent (RhPageHost *host)
{
  return RH_CHROMIUM_PAGE_HOST (host)->user_agent;
}

/* The screencast sends a picture only when the page paints: the last one
 * is kept. */
static gboolean
rh_chromium_page_host_read_frame (RhPageHost *host, RhFrameFunc func, gpointer user_data)
{
  return _rh_chromium_page_host_emit_last_frame (RH_CHROMIUM_PAGE_HOST (host), func, user_data);
}

/* Chromium paints at its own pace; the screencast sends what it paints. */
static void
rh_chromium_page_host_set_frame_interval (RhPageHost *host, guint interval_ms)
{
}

static const char *
rh_chromium_page_host_get_engine_name (RhPageHost *host)
{
  return "Chromium";
}

/* "156.0.8078.129" from the browser's "HeadlessChrome/156.0.8078.129". */
static char *
rh_chromium_page_host_get_engine_version (RhPageHost *host)
{
  RhChromiumPageHost *self = RH_CHROMIUM_PAGE_HOST (host);
  const char *product
      = self->browser != NULL ? rh_chromium_browser_get_version (self->browser) : NULL;
  const char *slash = product != NULL ? strchr (product, '/') : NULL;

  return g_strdup (slash != NULL ? slash + 1 : "unknown");
}

/* The binding, a global function of every frame, as the bridge found it at
 * document start. */
static const char *
rh_chromium_page_host_get_message_channel (RhPageHost *host)
{
  return "(typeof window." RH_CHROMIUM_BINDING_NAME
         " === 'function' && window." RH_CHROMIUM_BINDING_NAME ")";
}

static void
rh_chromium_page_host_dispose (GObject *object)
{
  RhChromiumPageHost *self = RH_CHROMIUM_PAGE_HOST (object);

  for (guint i = 0; i < G_N_ELEMENTS (starting_hosts); i++)
    if (starting_hosts[i] != NULL)
      g_ptr_array_remove (starting_hosts[i], self);
  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->blank_wait_id, g_source_remove);
  g_clear_handle_id (&self->check_id, g_source_remove);
  if (self->connection != NULL)
    {
      g_clear_signal_handler (&self->event_id, self->connection);
      g_clear_signal_handler (&self->closed_id, self->connection);
      /* Its tab goes now; the browser when its last host does. */
      if (self->target_id != NULL && !rh_cdp_connection_is_closed (self->connection))
        {
          g_autoptr (JsonObject) params
              = _rh_chromium_page_host_object_with_string ("targetId", self->target_id);

          rh_cdp_connection_send_async (self->connection, NULL, "Target.closeTarget", params, NULL,
                                        NULL, NULL);
        }
      if (self->context_id != NULL && !rh_cdp_connection_is_closed (self->connection))
        {
          g_autoptr (JsonObject) params
              = _rh_chromium_page_host_object_with_string ("browserContextId", self->context_id);

          rh_cdp_connection_send_async (self->connection, NULL, "Target.disposeBrowserContext",
                                        params, NULL, NULL, NULL);
        }
      self->connection = NULL;
    }
  g_clear_object (&self->browser);
  G_OBJECT_CLASS (rh_chromium_page_host_parent_class)->dispose (object);
}

static void
rh_chromium_page_host_finalize (GObject *object)
{
  RhChromiumPageHost *self = RH_CHROMIUM_PAGE_HOST (object);

  g_free (self->user_agent);
  g_ptr_array_unref (self->scripts);
  g_free (self->pending_uri);
  g_clear_error (&self->start_error);
  g_object_unref (self->cancellable);
  g_free (self->target_id);
  g_free (self->context_id);
  g_free (self->session_id);
  g_free (self->loading_uri);
  g_clear_pointer (&self->last_frame, cairo_surface_destroy);
  g_hash_table_unref (self->requests);
  g_hash_table_unref (self->children);
  g_ptr_array_unref (self->routes);
  G_OBJECT_CLASS (rh_chromium_page_host_parent_class)->finalize (object);
}

static void
rh_chromium_page_host_class_init (RhChromiumPageHostClass *klass)
{
  RhPageHostClass *host_class = RH_PAGE_HOST_CLASS (klass);

  G_OBJECT_CLASS (klass)->dispose = rh_chromium_page_host_dispose;
  G_OBJECT_CLASS (klass)->finalize = rh_chromium_page_host_finalize;
  host_class->add_user_script = rh_chromium_page_host_add_user_script;
  host_class->load = rh_chromium_page_host_load;
  host_class->load_html = rh_chromium_page_host_load_html;
  host_class->stop_loading = rh_chromium_page_host_stop_loading;
  host_class->get_user_agent = rh_chromium_page_host_get_user_agent;
  host_class->set_frame_interval = rh_chromium_page_host_set_frame_interval;
  host_class->read_frame = rh_chromium_page_host_read_frame;
  host_class->get_engine_name = rh_chromium_page_host_get_engine_name;
  host_class->get_engine_version = rh_chromium_page_host_get_engine_version;
  host_class->get_message_channel = rh_chromium_page_host_get_message_channel;
  host_class->set_routes = _rh_chromium_page_host_set_routes;
}

static void
rh_chromium_page_host_init (RhChromiumPageHost *self)
{
  self->scripts = g_ptr_array_new_with_free_func (g_free);
  self->requests = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->children = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  self->cancellable = g_cancellable_new ();
  self->routes = rh_route_list_new ();
}

/* @file_access: a file page reads other files (a page the command line
 * named), as rh_wpe_page_host_new ()'s. */
RhPageHost *
rh_chromium_page_host_new (guint width, guint height, const char *user_agent, gboolean file_access,
                           GError **error)
{
  g_autofree char *binary = rh_chromium_browser_find_binary (error);
  RhChromiumPageHost *self;

  if (binary == NULL)
    return NULL;
  self = g_object_new (RH_TYPE_CHROMIUM_PAGE_HOST, NULL);
  self->width = width;
  self->height = height;
  self->user_agent = g_strdup (user_agent);
  self->own_website_data = rh_page_host_get_own_website_data ();
  file_access = !!file_access;
  if (shared_browsers[file_access] != NULL)
    {
      take_browser (self, shared_browsers[file_access]);
      return RH_PAGE_HOST (self);
    }
  if (starting_hosts[file_access] == NULL)
    {
      starting_hosts[file_access] = g_ptr_array_new ();
      rh_chromium_browser_new_async (file_access, NULL, browser_started_cb,
                                     GINT_TO_POINTER (file_access));
    }
  g_ptr_array_add (starting_hosts[file_access], self);
  return RH_PAGE_HOST (self);
}
