/* A Chromium tab's out-of-process frames (a frame of another site runs in
 * a renderer of its own) and its workers: targets of their own, which the
 * tab's session sees nothing of.  Each is attached as it starts, paused
 * until it has what the tab has (the bridge, its binding and routes in a
 * frame, the request log in both), so that a frame or worker of the
 * page is watched and routed as in WPE, where they share the page's
 * process. */
#include "rh-chromium-page-host-private.h"

/* Targets a page may start that are watched: past it, they run unwatched
 * (a page making frames without end cannot grow what the host keeps). */
#define MAX_CHILDREN 64

/* @session_id (the tab's, or a frame's) attaches its children paused. */
void
_rh_chromium_page_host_children_set_up (RhChromiumPageHost *self, const char *session_id)
{
  JsonObject *params = json_object_new ();

  json_object_set_boolean_member (params, "autoAttach", TRUE);
  json_object_set_boolean_member (params, "waitForDebuggerOnStart", TRUE);
  json_object_set_boolean_member (params, "flatten", TRUE);
  _rh_chromium_page_host_send_to (self, session_id, "Target.setAutoAttach", params, NULL);
}

static void
set_up_frame (RhChromiumPageHost *self, const char *session_id)
{
  _rh_chromium_page_host_send_to (self, session_id, "Page.enable", NULL, NULL);
  _rh_chromium_page_host_send_to (self, session_id, "Runtime.enable", NULL, NULL);
  _rh_chromium_page_host_send_to (
      self, session_id, "Runtime.addBinding",
      _rh_chromium_page_host_object_with_string ("name", RH_CHROMIUM_BINDING_NAME), NULL);
  for (guint i = 0; i < self->scripts->len; i++)
    _rh_chromium_page_host_send_to (
        self, session_id, "Page.addScriptToEvaluateOnNewDocument",
        _rh_chromium_page_host_object_with_string ("source", g_ptr_array_index (self->scripts, i)),
        NULL);
  _rh_chromium_page_host_children_set_up (self, session_id);
}

static void
let_run (RhChromiumPageHost *self, const char *session_id)
{
  _rh_chromium_page_host_send_to (self, session_id, "Runtime.runIfWaitingForDebugger", NULL, NULL);
}

static void
attached (RhChromiumPageHost *self, JsonObject *params)
{
  JsonObject *info = rh_json_object_member (params, "targetInfo");
  const char *session_id = rh_json_string_member (params, "sessionId");
  const char *type = rh_json_string_member (info, "type");
  gboolean frame = g_strcmp0 (type, "iframe") == 0;

  if (session_id == NULL)
    return;
  g_debug ("chromium: target %s attached: %s", self->target_id, type != NULL ? type : "?");
  _rh_chromium_page_host_batch_begin (self);
  if (g_hash_table_size (self->children) < MAX_CHILDREN
      && (frame || g_strcmp0 (type, "worker") == 0))
    {
      g_hash_table_insert (self->children, g_strdup (session_id), g_strdup (type));
      _rh_chromium_page_host_send_to (self, session_id, "Network.enable", NULL, NULL);
      /* A worker has no Fetch domain: the bridge routes what it asks for. */
      if (frame)
        set_up_frame (self, session_id);
      if (frame && self->routes->len > 0)
        _rh_chromium_page_host_fetch_enable (self, session_id);
    }
  /* Paused until told: every target attached is let run, watched or not,
   * once what it was sent is in force. */
  _rh_chromium_page_host_batch_end (self, session_id, let_run);
}

/* Whether the event was a child's, or about one: handled here. */
gboolean
_rh_chromium_page_host_child_event (RhChromiumPageHost *self, const char *session_id,
                                    const char *method, JsonObject *params)
{
  gboolean ours = g_strcmp0 (session_id, self->session_id) == 0;
  gboolean child = session_id != NULL && g_hash_table_contains (self->children, session_id);

  if (!ours && !child)
    return FALSE;
  if (g_str_equal (method, "Target.attachedToTarget"))
    attached (self, params);
  else if (g_str_equal (method, "Target.detachedFromTarget"))
    {
      const char *gone = rh_json_string_member (params, "sessionId");

      if (gone != NULL)
        g_hash_table_remove (self->children, gone);
    }
  else if (!child)
    return FALSE;
  else if (g_str_has_prefix (method, "Network."))
    _rh_chromium_page_host_network_event (self, method, params);
  else if (g_str_has_prefix (method, "Fetch."))
    _rh_chromium_page_host_fetch_event (self, session_id, method, params);
  else if (g_str_equal (method, "Runtime.bindingCalled"))
    _rh_chromium_page_host_bridge_message (self, params);
  return TRUE;
}
