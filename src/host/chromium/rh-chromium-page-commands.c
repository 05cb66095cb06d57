/* A Chromium page host's commands to its browser and targets: each
 * answer goes to the host while it lives, and commands sent together make
 * a batch whose last answer says that all of them are in force. */
#include "rh-chromium-page-host-private.h"

/* Commands sent together to one session, and what follows once each one
 * is answered: a target answers its commands in no fixed order (Chromium
 * 156 answered a page's Page.startScreencast before its
 * Page.addScriptToEvaluateOnNewDocument), so only the last answer says
 * that all of them are in force. */
struct _RhChromiumBatch
{
  guint unanswered;
  gboolean ended;
  char *session_id;
  RhChromiumSessionFunc func;
};

static void
batch_free (RhChromiumBatch *batch)
{
  g_free (batch->session_id);
  g_free (batch);
}

/* One of its commands answered (or dropped, @host NULL when gone). */
static void
batch_answered (RhChromiumBatch *batch, RhChromiumPageHost *host)
{
  batch->unanswered--;
  if (batch->unanswered > 0 || !batch->ended)
    return;
  if (host != NULL)
    batch->func (host, batch->session_id);
  batch_free (batch);
}

/* The commands @self sends from now to _rh_chromium_page_host_batch_end ()
 * make a batch. */
void
_rh_chromium_page_host_batch_begin (RhChromiumPageHost *self)
{
  g_return_if_fail (self->batch == NULL);
  self->batch = g_new0 (RhChromiumBatch, 1);
}

/* @func runs once every command of the batch is answered, failed ones
 * included; at once when it has none.  Never when the host went first. */
void
_rh_chromium_page_host_batch_end (RhChromiumPageHost *self, const char *session_id,
                                  RhChromiumSessionFunc func)
{
  RhChromiumBatch *batch = g_steal_pointer (&self->batch);

  g_return_if_fail (batch != NULL);
  batch->session_id = g_strdup (session_id);
  batch->func = func;
  batch->ended = TRUE;
  if (batch->unanswered > 0)
    return;
  func (self, session_id);
  batch_free (batch);
}

/* A command does not keep its host: a host that goes cancels its commands. */
typedef struct
{
  GWeakRef host;
  RhChromiumResultFunc func; /* may be NULL */
  RhChromiumBatch *batch;    /* the batch it is part of, or NULL */
} Command;

static void
command_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Command *command = user_data;
  g_autoptr (RhChromiumPageHost) host = g_weak_ref_get (&command->host);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) answer
      = rh_cdp_connection_send_finish (RH_CDP_CONNECTION (source), result, &error);
  gboolean cancelled = g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  if (host != NULL && !cancelled)
    {
      if (command->func != NULL)
        command->func (host, answer, error);
      else if (error != NULL)
        g_debug ("a DevTools command failed: %s", error->message);
    }
  if (command->batch != NULL)
    batch_answered (command->batch, cancelled ? NULL : host);
  g_weak_ref_clear (&command->host);
  g_free (command);
}

/* @params taken; to @session_id (a target of the host's), or the browser
 * when NULL. */
void
_rh_chromium_page_host_send_to (RhChromiumPageHost *self, const char *session_id,
                                const char *method, JsonObject *params, RhChromiumResultFunc func)
{
  g_autoptr (JsonObject) owned = params;
  Command *command = g_new0 (Command, 1);

  g_weak_ref_init (&command->host, self);
  command->func = func;
  command->batch = self->batch;
  if (command->batch != NULL)
    command->batch->unanswered++;
  rh_cdp_connection_send_async (self->connection, session_id, method, params, self->cancellable,
                                command_cb, command);
}

/* @params taken; to the host's target, or the browser before it has one. */
void
_rh_chromium_page_host_send (RhChromiumPageHost *self, const char *method, JsonObject *params,
                             RhChromiumResultFunc func)
{
  _rh_chromium_page_host_send_to (self, self->session_id, method, params, func);
}

JsonObject *
_rh_chromium_page_host_object_with_string (const char *name, const char *value)
{
  JsonObject *object = json_object_new ();

  json_object_set_string_member (object, name, value);
  return object;
}
