/* What a Chromium page host's target tells over the protocol, turned into
 * RhPageHost's signals: the bridge's messages, loads, crashes. */
#include "rh-chromium-page-host-private.h"

#include "rh-bridge.h"

void
_rh_chromium_page_host_bridge_message (RhChromiumPageHost *self, JsonObject *params)
{
  const char *payload = rh_json_string_member (params, "payload");
  g_autoptr (JsonObject) message = NULL;
  g_autoptr (GError) error = NULL;

  if (g_strcmp0 (rh_json_string_member (params, "name"), RH_CHROMIUM_BINDING_NAME) != 0
      || payload == NULL)
    return;
  /* The page posts what it likes: bounded as WPE's messages are. */
  message = rh_bridge_message_parse (payload, &error);
  if (message == NULL)
    {
      g_debug ("bridge: ignoring a malformed message: %s", error->message);
      return;
    }
  rh_page_host_emit_bridge_message (RH_PAGE_HOST (self), message);
}

static gboolean
is_main_document (RhChromiumPageHost *self, JsonObject *params)
{
  return g_strcmp0 (rh_json_string_member (params, "type"), "Document") == 0
         && g_strcmp0 (rh_json_string_member (params, "frameId"), self->target_id) == 0;
}

void
_rh_chromium_page_host_event_cb (RhCdpConnection *connection, const char *method,
                                 JsonObject *params, const char *session_id, gpointer user_data)
{
  RhChromiumPageHost *self = user_data;
  RhPageHost *host = RH_PAGE_HOST (self);

  if (self->session_id == NULL
      || _rh_chromium_page_host_child_event (self, session_id, method, params)
      || g_strcmp0 (session_id, self->session_id) != 0)
    return;
  if (g_str_has_prefix (method, "Network."))
    _rh_chromium_page_host_network_event (self, method, params);
  else if (g_str_has_prefix (method, "Fetch."))
    _rh_chromium_page_host_fetch_event (self, session_id, method, params);
  /* A load asked for before the target's renderer runs its first document
   * goes to a renderer that gets neither the bridge nor the Page domain's
   * events (Chromium 156), so loads wait for that document. */
  if (g_str_equal (method, "Runtime.executionContextCreated") && !self->blank_live)
    {
      self->blank_live = TRUE;
      _rh_chromium_page_host_become_ready (self);
    }
  else if (g_str_equal (method, "Runtime.bindingCalled"))
    _rh_chromium_page_host_bridge_message (self, params);
  else if (g_str_equal (method, "Page.screencastFrame"))
    _rh_chromium_page_host_screencast_frame (self, params);
  else if (g_str_equal (method, "Network.responseReceived") && is_main_document (self, params))
    {
      JsonObject *response = rh_json_object_member (params, "response");

      if (response != NULL)
        self->status = (guint)json_object_get_int_member_with_default (response, "status", 0);
    }
  else if (g_str_equal (method, "Network.requestWillBeSent") && is_main_document (self, params)
           && json_object_has_member (params, "redirectResponse"))
    {
      JsonObject *request = rh_json_object_member (params, "request");
      const char *url = rh_json_string_member (request, "url");

      if (url != NULL)
        rh_page_host_emit_load_event (host, RH_PAGE_LOAD_REDIRECTED, url, 0);
    }
  else if (g_str_equal (method, "Page.frameNavigated"))
    {
      JsonObject *frame = rh_json_object_member (params, "frame");
      const char *url = rh_json_string_member (frame, "url");

      /* The main frame's, not the error page Chromium shows for a failed
       * load (its failure comes from Page.navigate). */
      if (url != NULL && self->loading_uri != NULL && !json_object_has_member (frame, "parentId")
          && !g_str_has_prefix (url, "chrome-error:"))
        {
          self->committed = TRUE;
          rh_page_host_emit_load_event (host, RH_PAGE_LOAD_COMMITTED, url, self->status);
        }
    }
  /* The load event of the document committed, not of the blank one before. */
  else if (g_str_equal (method, "Page.loadEventFired") && self->committed)
    rh_page_host_emit_load_event (host, RH_PAGE_LOAD_FINISHED, self->loading_uri, 0);
  else if (g_str_equal (method, "Inspector.targetCrashed") && !self->terminated)
    {
      self->terminated = TRUE;
      rh_page_host_emit_web_process_terminated (host, TRUE, "crashed");
    }
}
