#include "rh-ready-call.h"

#include <json-glib/json-glib.h>

#include "rh-api-path.h"
#include "rh-json.h"

#define BACKOFF_FIRST_MS 200
#define BACKOFF_MAX_MS 5000

struct _RhReadyCall
{
  GObject parent_instance;

  SoupSession *session;   /* NULL when answered in this process */
  GWeakRef answerer;
  RhReadyCallAnswer answer;
  char *uri;
  char *token;
  char *user_uuid;
  guint attempts;
  guint status; /* of the last answer, 0 for none */
  gboolean warmed_up;
};

G_DEFINE_QUARK (recordhost-ready-call-error-quark, rh_ready_call_error)
G_DEFINE_FINAL_TYPE (RhReadyCall, rh_ready_call, G_TYPE_OBJECT)

enum
{
  SIGNAL_ATTEMPT,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
rh_ready_call_finalize (GObject *object)
{
  RhReadyCall *self = RH_READY_CALL (object);

  g_clear_object (&self->session);
  g_weak_ref_clear (&self->answerer);
  g_free (self->uri);
  g_free (self->token);
  g_free (self->user_uuid);
  G_OBJECT_CLASS (rh_ready_call_parent_class)->finalize (object);
}

static void
rh_ready_call_class_init (RhReadyCallClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rh_ready_call_finalize;

  /* Emitted after each answered or failed attempt: (attempt, HTTP status or 0, error or NULL). */
  signals[SIGNAL_ATTEMPT] = g_signal_new ("attempt", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                          0, NULL, NULL, NULL, G_TYPE_NONE, 3, G_TYPE_UINT,
                                          G_TYPE_UINT, G_TYPE_ERROR);
}

static void
rh_ready_call_init (RhReadyCall *self)
{
  g_weak_ref_init (&self->answerer, NULL);
}

/* What a session's first request would do before it connects: load the
 * proxy resolver (a GIO module reading its settings) and ask it, and for
 * https load the TLS backend and read the system's certificates. */
static void
warm_up_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  const char *uri = task_data;
  GProxyResolver *resolver = g_proxy_resolver_get_default ();
  g_auto (GStrv) proxies = NULL;
  g_autoptr (GTlsDatabase) database = NULL;

  if (resolver != NULL)
    proxies = g_proxy_resolver_lookup (resolver, uri, NULL, NULL);
  if (g_str_has_prefix (uri, "https:"))
    database = g_tls_backend_get_default_database (g_tls_backend_get_default ());
  g_task_return_boolean (task, TRUE);
}

RhReadyCall *
rh_ready_call_new (SoupSession *session, const char *uri)
{
  RhReadyCall *self = g_object_new (RH_TYPE_READY_CALL, NULL);

  self->session = g_object_ref (session);
  self->uri = g_strdup (uri);
  return self;
}

/* The call will be made soon (its page is loading): what its first request
 * would do before it connects is done now, in a thread, so that it is not
 * between ready and the call.  Not earlier: GIO loads its modules under a
 * lock that the engine's start-up takes too.  Once a call. */
void
rh_ready_call_warm_up (RhReadyCall *call)
{
  g_autoptr (GTask) task = NULL;

  if (call->session == NULL || call->warmed_up)
    return;
  call->warmed_up = TRUE;
  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, g_strdup (call->uri), g_free);
  g_task_run_in_thread (task, warm_up_thread);
}

/* A ready call answered in this process by @answerer, the cloud the page's
 * room is in, as its HTTP server would answer it: the same replies, the same
 * retries, no socket.  @answerer is not kept alive by the call. */
RhReadyCall *
rh_ready_call_new_in_process (const char *uri, GObject *answerer, RhReadyCallAnswer answer)
{
  RhReadyCall *self = g_object_new (RH_TYPE_READY_CALL, NULL);

  self->uri = g_strdup (uri);
  g_weak_ref_set (&self->answerer, answerer);
  self->answer = answer;
  return self;
}

/* The session ready calls go through: one attempt is bounded, so a silent
 * cloud costs a retry, not the deadline. */
SoupSession *
rh_ready_call_session_new (void)
{
  return soup_session_new_with_options ("timeout", RH_READY_CALL_HTTP_TIMEOUT_S, "user-agent",
                                        "recordhost/" PACKAGE_VERSION, NULL);
}

/* The ready call of @room to the cloud at @api_base, carrying the room's token. */
RhReadyCall *
rh_ready_call_new_for_room (SoupSession *session, const char *api_base, const RhRoom *room,
                            GError **error)
{
  g_autofree char *uri = rh_ready_call_build_uri (api_base, room->region, room->app_id,
                                                  room->room_uuid, error);
  RhReadyCall *call;

  if (uri == NULL)
    return NULL;
  call = rh_ready_call_new (session, uri);
  if (room->rtm_token != NULL)
    rh_ready_call_set_token (call, room->rtm_token, room->user_uuid);
  return call;
}

void
rh_ready_call_set_token (RhReadyCall *call, const char *token, const char *user_uuid)
{
  g_free (call->token);
  g_free (call->user_uuid);
  call->token = g_strdup (token);
  call->user_uuid = g_strdup (user_uuid);
}

guint
rh_ready_call_get_attempts (RhReadyCall *call)
{
  return call->attempts;
}

guint
rh_ready_call_get_status (RhReadyCall *call)
{
  return call->status;
}

const char *
rh_ready_call_get_uri (RhReadyCall *call)
{
  return call->uri;
}

/* The ready call's URI: rh-api-path.h builds it. */
char *
rh_ready_call_build_uri (const char *api_base, const char *region, const char *app_id,
                         const char *room_uuid, GError **error)
{
  return rh_api_path_build_uri (api_base, region, app_id, room_uuid, RH_API_PATH_READY, error);
}

/* An envelope is a few dozen bytes; a proxy's error page a few kB. */
#define RH_READY_REPLY_MAX_BYTES (64 * 1024)

/* Success is HTTP 2xx and a JSON envelope whose code is 0.  @code and @msg
 * receive what the envelope said, when it said anything. */
gboolean
rh_ready_reply_parse (guint status, GBytes *body, gint64 *code, char **msg, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) json_error = NULL;
  gboolean parsed = FALSE;
  gboolean has_code = FALSE;
  gint64 envelope_code = 0;
  g_autofree char *envelope_msg = NULL;
  gsize size = 0;
  const char *data = body != NULL ? g_bytes_get_data (body, &size) : NULL;

  if (size > 0)
    parsed = rh_json_parser_load (parser, data, size, RH_READY_REPLY_MAX_BYTES,
                                   RH_JSON_MAX_DEPTH, &json_error);
  if (parsed && json_parser_get_root (parser) != NULL
      && JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      JsonObject *object = json_node_get_object (json_parser_get_root (parser));
      JsonNode *code_node = json_object_get_member (object, "code");
      JsonNode *msg_node = json_object_get_member (object, "msg");

      if (code_node != NULL && JSON_NODE_HOLDS_VALUE (code_node)
          && json_node_get_value_type (code_node) == G_TYPE_INT64)
        {
          has_code = TRUE;
          envelope_code = json_node_get_int (code_node);
        }
      /* 0.0 is 0; 0.5 is no code at all (json_node_get_int () would make it 0). */
      else if (code_node != NULL && JSON_NODE_HOLDS_VALUE (code_node)
               && json_node_get_value_type (code_node) == G_TYPE_DOUBLE
               && ABS (json_node_get_double (code_node)) < 9007199254740992.0
               && json_node_get_double (code_node)
                    == (double) (gint64) json_node_get_double (code_node))
        {
          has_code = TRUE;
          envelope_code = (gint64) json_node_get_double (code_node);
        }
      if (msg_node != NULL && JSON_NODE_HOLDS_VALUE (msg_node)
          && json_node_get_value_type (msg_node) == G_TYPE_STRING)
        envelope_msg = g_strdup (json_node_get_string (msg_node));
    }
  if (code != NULL)
    *code = envelope_code;
  if (msg != NULL)
    *msg = g_strdup (envelope_msg);

  if (status < 200 || status > 299)
    {
      if (has_code)
        g_set_error (error, RH_READY_CALL_ERROR, RH_READY_CALL_ERROR_HTTP,
                     "HTTP %u %s (code %" G_GINT64_FORMAT ": %s)", status,
                     soup_status_get_phrase (status), envelope_code,
                     envelope_msg != NULL ? envelope_msg : "no message");
      else
        g_set_error (error, RH_READY_CALL_ERROR, RH_READY_CALL_ERROR_HTTP, "HTTP %u %s", status,
                     soup_status_get_phrase (status));
      return FALSE;
    }
  if (!has_code)
    {
      g_set_error (error, RH_READY_CALL_ERROR, RH_READY_CALL_ERROR_MALFORMED,
                   "HTTP %u but the reply is not a JSON envelope with an integer code", status);
      return FALSE;
    }
  if (envelope_code != 0)
    {
      g_set_error (error, RH_READY_CALL_ERROR, RH_READY_CALL_ERROR_REFUSED,
                   "HTTP %u but code %" G_GINT64_FORMAT ": %s", status, envelope_code,
                   envelope_msg != NULL ? envelope_msg : "no message");
      return FALSE;
    }
  return TRUE;
}

/* Worth another attempt: the network failed or the server did (5xx, 429).
 * A 4xx or a refusing envelope is an answer, and so is a name the resolver
 * says does not exist (a mistyped --api-base), a certificate not trusted or
 * a server that does not speak TLS: none of these changes by waiting.  A
 * resolver that could not ask is not. */
gboolean
rh_ready_call_error_is_transient (const GError *error)
{
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return FALSE;
  if (g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_BAD_CERTIFICATE)
      || g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_NOT_TLS)
      || g_error_matches (error, G_TLS_ERROR, G_TLS_ERROR_CERTIFICATE_REQUIRED))
    return FALSE;
  if (g_error_matches (error, G_RESOLVER_ERROR, G_RESOLVER_ERROR_NOT_FOUND))
    return FALSE;
  if (error->domain == RH_READY_CALL_ERROR)
    return FALSE;
  return TRUE;
}

typedef struct
{
  gint64 deadline_us;
  guint backoff_ms;
  GError *last_error;
  GSource *retry_source;
  SoupMessage *message;
  guint status;               /* of the attempt's answer */
  GInputStream *reply_stream; /* the attempt's reply, while it is read */
  GByteArray *reply;
  GCancellable *cancellable;
  gulong cancelled_id;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_error (&data->last_error);
  if (data->retry_source != NULL)
    {
      g_source_destroy (data->retry_source);
      g_source_unref (data->retry_source);
    }
  g_clear_object (&data->message);
  g_clear_object (&data->reply_stream);
  g_clear_pointer (&data->reply, g_byte_array_unref);
  if (data->cancellable != NULL)
    {
      g_cancellable_disconnect (data->cancellable, data->cancelled_id);
      g_object_unref (data->cancellable);
    }
  g_free (data);
}

static void send_attempt (GTask *task);

static gboolean
retry_cb (gpointer user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);

  g_clear_pointer (&data->retry_source, g_source_unref);
  send_attempt (task);
  return G_SOURCE_REMOVE;
}

static void
attach_retry (GTask *task, guint delay_ms)
{
  SendData *data = g_task_get_task_data (task);

  if (data->retry_source != NULL)
    {
      g_source_destroy (data->retry_source);
      g_source_unref (data->retry_source);
    }
  data->retry_source = g_timeout_source_new (delay_ms);
  g_source_set_callback (data->retry_source, retry_cb, task, NULL);
  g_source_attach (data->retry_source, g_task_get_context (task));
}

/* Cut a backoff short: the next attempt notices the cancellation at once.
 * An attempt in flight is cancelled by libsoup itself. */
static void
cancelled_during_backoff (GCancellable *cancellable, gpointer user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);

  if (data->retry_source != NULL)
    attach_retry (task, 0);
}

static void
schedule_retry_or_fail (GTask *task, GError *error /* owned */)
{
  SendData *data = g_task_get_task_data (task);
  gint64 now = g_get_monotonic_time ();
  guint delay_ms = data->backoff_ms;

  g_clear_error (&data->last_error);
  data->last_error = error;

  if (!rh_ready_call_error_is_transient (error))
    {
      g_task_return_error (task, g_error_copy (error));
      g_object_unref (task);
      return;
    }
  if (now + (gint64) delay_ms * 1000 >= data->deadline_us)
    {
      g_task_return_new_error (task, RH_READY_CALL_ERROR, RH_READY_CALL_ERROR_TIMED_OUT,
                               "no successful answer in time; last: %s", error->message);
      g_object_unref (task);
      return;
    }
  data->backoff_ms = MIN (data->backoff_ms * 2, BACKOFF_MAX_MS);
  attach_retry (task, delay_ms);
}

/* An attempt ended: with the reply's first bytes (at most one more than a
 * reply may have), or with @error, owned. */
static void
attempt_done (GTask *task, GBytes *body, GError *error)
{
  RhReadyCall *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  guint status;

  status = body != NULL ? data->status : 0;
  self->status = status;
  if (body != NULL)
    rh_ready_reply_parse (status, body, NULL, NULL, &error);
  g_clear_object (&data->message);
  g_clear_object (&data->reply_stream);
  g_clear_pointer (&data->reply, g_byte_array_unref);

  g_signal_emit (self, signals[SIGNAL_ATTEMPT], 0, self->attempts, status, error);
  if (error == NULL)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  if (status >= 500 || status == 429 /* Too Many Requests */)
    {
      /* Server trouble: an HTTP error domain would make it final. */
      GError *transient = g_error_new (G_IO_ERROR, G_IO_ERROR_FAILED, "%s", error->message);

      g_error_free (error);
      error = transient;
    }
  schedule_retry_or_fail (task, error);
}

static void read_reply (GTask *task);

/* The reply is read until its end or one byte past what a reply may be:
 * a server answering a gigabyte costs 64 KiB, and the parser refuses it. */
static void
reply_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr (GBytes) chunk = NULL;
  GError *error = NULL;

  chunk = g_input_stream_read_bytes_finish (G_INPUT_STREAM (source), result, &error);
  if (chunk == NULL)
    {
      attempt_done (task, NULL, error);
      return;
    }
  g_byte_array_append (data->reply, g_bytes_get_data (chunk, NULL), g_bytes_get_size (chunk));
  if (g_bytes_get_size (chunk) > 0 && data->reply->len <= RH_READY_REPLY_MAX_BYTES)
    {
      read_reply (task);
      return;
    }
  {
    g_autoptr (GBytes) body = NULL;

    g_byte_array_set_size (data->reply, MIN (data->reply->len, RH_READY_REPLY_MAX_BYTES + 1));
    body = g_bytes_new (data->reply->data, data->reply->len);
    attempt_done (task, body, NULL);
  }
}

static void
read_reply (GTask *task)
{
  SendData *data = g_task_get_task_data (task);

  g_input_stream_read_bytes_async (data->reply_stream, 16 * 1024, G_PRIORITY_DEFAULT,
                                   g_task_get_cancellable (task), reply_read_cb, task);
}

static void
send_ready_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GTask *task = user_data;
  SendData *data = g_task_get_task_data (task);
  GError *error = NULL;

  data->reply_stream = soup_session_send_finish (SOUP_SESSION (source), result, &error);
  if (data->reply_stream == NULL)
    {
      attempt_done (task, NULL, error);
      return;
    }
  data->status = soup_message_get_status (data->message);
  data->reply = g_byte_array_new ();
  read_reply (task);
}

/* The attempt answered at once by the cloud of this process. */
static void
answer_attempt (GTask *task)
{
  RhReadyCall *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  g_autoptr (GObject) answerer = g_weak_ref_get (&self->answerer);
  g_autoptr (GBytes) body = NULL;

  self->attempts++;
  if (answerer == NULL)
    {
      attempt_done (task, NULL,
                    g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                         "the cloud that would answer is gone"));
      return;
    }
  body = self->answer (answerer, self->uri, &data->status);
  if (g_bytes_get_size (body) > RH_READY_REPLY_MAX_BYTES)
    {
      g_autoptr (GBytes) cut = g_bytes_new_from_bytes (body, 0, RH_READY_REPLY_MAX_BYTES + 1);

      attempt_done (task, cut, NULL);
      return;
    }
  attempt_done (task, body, NULL);
}

static void
send_attempt (GTask *task)
{
  RhReadyCall *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);
  SoupMessageHeaders *headers;
  g_autoptr (GBytes) empty = g_bytes_new_static ("", 0);

  if (g_task_return_error_if_cancelled (task))
    {
      g_object_unref (task);
      return;
    }
  if (self->answer != NULL)
    {
      answer_attempt (task);
      return;
    }
  data->message = soup_message_new (SOUP_METHOD_PUT, self->uri);
  headers = soup_message_get_request_headers (data->message);
  soup_message_set_request_body_from_bytes (data->message, "application/json", empty);
  if (self->token != NULL)
    {
      soup_message_headers_replace (headers, "x-agora-token", self->token);
      soup_message_headers_replace (headers, "x-agora-uid", self->user_uuid);
    }
  self->attempts++;
  soup_session_send_async (self->session, data->message, G_PRIORITY_DEFAULT,
                           g_task_get_cancellable (task), send_ready_cb, task);
}

void
rh_ready_call_send_async (RhReadyCall *call, gint64 deadline_us, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (call, cancellable, callback, user_data);
  SendData *data = g_new0 (SendData, 1);

  g_task_set_source_tag (task, rh_ready_call_send_async);
  data->deadline_us = deadline_us;
  data->backoff_ms = BACKOFF_FIRST_MS;
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
  if (cancellable != NULL)
    {
      data->cancellable = g_object_ref (cancellable);
      data->cancelled_id = g_cancellable_connect (cancellable,
                                                  G_CALLBACK (cancelled_during_backoff), task,
                                                  NULL);
    }
  send_attempt (task);
}

gboolean
rh_ready_call_send_finish (RhReadyCall *call, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, call), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}
