#include "rh-cdp-connection.h"

#include <errno.h>
#include <glib-unix.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "rh-json.h"

/* What one read takes at most: a big frame is read in a few hundred reads,
 * each one main loop dispatch, so that no message starves the rest. */
#define READ_CHUNK (256 * 1024)
/* Deeper than the protocol's own messages; a value returned by value is cut
 * by Chromium well before. */
#define MAX_DEPTH 256

/* A command sent and not answered yet. */
typedef struct
{
  RhCdpConnection *connection; /* not a reference: the task holds one */
  guint id;
  GTask *task;
  GSource *cancel_source; /* NULL without a cancellable */
} Pending;

struct _RhCdpConnection
{
  GObject parent_instance;

  GMainContext *context;
  int write_fd;
  int read_fd;
  GSource *read_source;
  GSource *write_source; /* while there is something to write */
  GByteArray *in;        /* read, not yet a whole message */
  gsize scanned;         /* bytes of @in known to hold no NUL */
  GQueue out;            /* GBytes, a message and its NUL each, in order */
  gsize out_offset;      /* bytes of the first already written */
  gsize max_message_size;
  guint next_id;
  GHashTable *pending; /* id -> Pending */
  GError *error;       /* why it closed, NULL while open */
};

G_DEFINE_QUARK (recordhost-cdp-error-quark, rh_cdp_error)
G_DEFINE_QUARK (recordhost-cdp-protocol-error-quark, rh_cdp_protocol_error)
G_DEFINE_FINAL_TYPE (RhCdpConnection, rh_cdp_connection, G_TYPE_OBJECT)

enum
{
  SIGNAL_EVENT,
  SIGNAL_CLOSED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
pending_free (Pending *pending)
{
  if (pending->cancel_source != NULL)
    {
      g_source_destroy (pending->cancel_source);
      g_source_unref (pending->cancel_source);
    }
  g_clear_object (&pending->task);
  g_free (pending);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Pending, pending_free)

static void
stop_source (GSource **source)
{
  if (*source == NULL)
    return;
  g_source_destroy (*source);
  g_clear_pointer (source, g_source_unref);
}

/* Descriptors closed, sources gone, buffers freed: nothing more comes in or
 * goes out. */
static void
release_io (RhCdpConnection *self)
{
  stop_source (&self->read_source);
  stop_source (&self->write_source);
  if (self->write_fd >= 0)
    close (self->write_fd);
  if (self->read_fd >= 0 && self->read_fd != self->write_fd)
    close (self->read_fd);
  self->write_fd = self->read_fd = -1;
  g_clear_pointer (&self->in, g_byte_array_unref);
  self->scanned = 0;
  g_queue_clear_full (&self->out, (GDestroyNotify) g_bytes_unref);
  self->out_offset = 0;
}

static gint
compare_ids (gconstpointer a, gconstpointer b)
{
  guint first = GPOINTER_TO_UINT (a);
  guint second = GPOINTER_TO_UINT (b);

  return first < second ? -1 : first > second;
}

/* Takes @error: the connection's error from now on. */
static void
close_with (RhCdpConnection *self, GError *error)
{
  g_autoptr (RhCdpConnection) alive = g_object_ref (self);
  g_autoptr (GHashTable) pending = NULL;
  g_autoptr (GList) ids = NULL;

  if (self->error != NULL)
    {
      g_error_free (error);
      return;
    }
  self->error = error;
  g_debug ("connection closed: %s", error->message);
  release_io (self);
  /* In the order they were sent; a callback may send more, which fails at
   * once on its own. */
  pending = g_steal_pointer (&self->pending);
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) pending_free);
  ids = g_list_sort (g_hash_table_get_keys (pending), compare_ids);
  for (GList *l = ids; l != NULL; l = l->next)
    {
      Pending *command = g_hash_table_lookup (pending, l->data);

      g_task_return_error (command->task, g_error_copy (self->error));
    }
  g_signal_emit (self, signals[SIGNAL_CLOSED], 0, self->error);
}

static void G_GNUC_PRINTF (3, 4)
fail (RhCdpConnection *self, RhCdpError code, const char *format, ...)
{
  va_list args;
  GError *error;

  va_start (args, format);
  error = g_error_new_valist (RH_CDP_ERROR, code, format, args);
  va_end (args);
  close_with (self, error);
}

static void
rh_cdp_connection_dispose (GObject *object)
{
  RhCdpConnection *self = RH_CDP_CONNECTION (object);

  /* Commands pending hold the connection: none is left here. */
  release_io (self);
  G_OBJECT_CLASS (rh_cdp_connection_parent_class)->dispose (object);
}

static void
rh_cdp_connection_finalize (GObject *object)
{
  RhCdpConnection *self = RH_CDP_CONNECTION (object);

  g_hash_table_unref (self->pending);
  g_clear_error (&self->error);
  g_main_context_unref (self->context);
  G_OBJECT_CLASS (rh_cdp_connection_parent_class)->finalize (object);
}

static void
rh_cdp_connection_class_init (RhCdpConnectionClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_cdp_connection_dispose;
  object_class->finalize = rh_cdp_connection_finalize;

  /* A message without id: (method, params (empty when it has none),
   * sessionId or NULL); the detail is the method. */
  signals[SIGNAL_EVENT] = g_signal_new ("event", G_TYPE_FROM_CLASS (klass),
                                        G_SIGNAL_RUN_LAST | G_SIGNAL_DETAILED, 0, NULL, NULL,
                                        NULL, G_TYPE_NONE, 3, G_TYPE_STRING,
                                        JSON_TYPE_OBJECT | G_SIGNAL_TYPE_STATIC_SCOPE,
                                        G_TYPE_STRING);
  /* Once, with why: every command fails with that error from then on. */
  signals[SIGNAL_CLOSED] = g_signal_new ("closed", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_ERROR);
}

static void
rh_cdp_connection_init (RhCdpConnection *self)
{
  self->write_fd = self->read_fd = -1;
  self->max_message_size = RH_CDP_MAX_MESSAGE_SIZE;
  self->next_id = 1;
  self->pending = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) pending_free);
  g_queue_init (&self->out);
}

/* write () without SIGPIPE: a peer gone is EPIPE here, not the end of this
 * process.  SIGPIPE is blocked in this thread for the call, and one the call
 * raised is taken off before it is unblocked. */
static gssize
write_quietly (int fd, const guint8 *data, gsize size, int *errsv)
{
  static const struct timespec no_wait = { 0, 0 };
  sigset_t pipe_only;
  sigset_t old_mask;
  sigset_t pending;
  gboolean was_pending;
  gssize written;

  sigemptyset (&pipe_only);
  sigaddset (&pipe_only, SIGPIPE);
  pthread_sigmask (SIG_BLOCK, &pipe_only, &old_mask);
  sigpending (&pending);
  was_pending = sigismember (&pending, SIGPIPE);
  written = write (fd, data, size);
  *errsv = errno;
  if (written < 0 && *errsv == EPIPE && !was_pending)
    while (sigtimedwait (&pipe_only, NULL, &no_wait) < 0 && errno == EINTR)
      ;
  pthread_sigmask (SIG_SETMASK, &old_mask, NULL);
  return written;
}

static gboolean
on_writable (int fd, GIOCondition condition, gpointer user_data)
{
  RhCdpConnection *self = user_data;
  g_autoptr (RhCdpConnection) alive = g_object_ref (self);

  while (!g_queue_is_empty (&self->out))
    {
      GBytes *head = g_queue_peek_head (&self->out);
      gsize size;
      const guint8 *data = g_bytes_get_data (head, &size);
      int errsv;
      gssize written = write_quietly (fd, data + self->out_offset, size - self->out_offset, &errsv);

      if (written < 0 && errsv == EINTR)
        continue;
      if (written < 0 && (errsv == EAGAIN || errsv == EWOULDBLOCK))
        return G_SOURCE_CONTINUE;
      if (written < 0)
        {
          fail (self, RH_CDP_ERROR_IO, "writing to the peer: %s", g_strerror (errsv));
          return G_SOURCE_REMOVE;
        }
      self->out_offset += written;
      if (self->out_offset == size)
        {
          g_bytes_unref (g_queue_pop_head (&self->out));
          self->out_offset = 0;
        }
    }
  stop_source (&self->write_source);
  return G_SOURCE_REMOVE;
}

static void
handle_answer (RhCdpConnection *self, JsonObject *message, JsonNode *id_node)
{
  g_autoptr (Pending) command = NULL;
  JsonNode *error_node = json_object_get_member (message, "error");
  JsonNode *result_node = json_object_get_member (message, "result");
  gint64 id;

  if (!JSON_NODE_HOLDS_VALUE (id_node) || json_node_get_value_type (id_node) != G_TYPE_INT64)
    {
      fail (self, RH_CDP_ERROR_MALFORMED, "an answer from the peer has an id that is not an "
                                          "integer");
      return;
    }
  id = json_node_get_int (id_node);
  /* An answer to a command cancelled since is no error. */
  if (id <= 0 || id > G_MAXUINT
      || !g_hash_table_steal_extended (self->pending, GUINT_TO_POINTER ((guint) id), NULL,
                                       (gpointer *) &command))
    {
      g_debug ("an answer to no pending command (id %" G_GINT64_FORMAT "), dropped", id);
      return;
    }
  if (error_node != NULL && JSON_NODE_HOLDS_OBJECT (error_node))
    {
      JsonObject *error = json_node_get_object (error_node);
      JsonNode *code_node = json_object_get_member (error, "code");
      gint64 code = code_node != NULL && JSON_NODE_HOLDS_VALUE (code_node)
                        && json_node_get_value_type (code_node) == G_TYPE_INT64
                      ? json_node_get_int (code_node)
                      : 0;
      const char *text = rh_json_string_member (error, "message");
      const char *data = rh_json_string_member (error, "data");

      g_task_return_new_error (command->task, RH_CDP_PROTOCOL_ERROR,
                               (int) CLAMP (code, G_MININT, G_MAXINT), "%s%s%s",
                               text != NULL ? text : "error without a message",
                               data != NULL ? ": " : "", data != NULL ? data : "");
      return;
    }
  g_task_return_pointer (command->task,
                         result_node != NULL && JSON_NODE_HOLDS_OBJECT (result_node)
                           ? json_object_ref (json_node_get_object (result_node))
                           : json_object_new (),
                         (GDestroyNotify) json_object_unref);
}

static void
handle_message (RhCdpConnection *self, const char *text, gsize length)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) empty = NULL;
  JsonNode *root;
  JsonObject *message;
  JsonNode *id_node;
  JsonNode *params_node;
  const char *method;
  const char *session_id;
  /* Chromium passes on what a page's script gave it, a lone UTF-16
   * surrogate included: the message is taken with U+FFFD in its place, not
   * refused, which would end the browser and every page in it. */
  g_autofree char *repaired = rh_json_repair (text, length);

  if (repaired != NULL)
    {
      text = repaired;
      length = strlen (repaired);
    }
  if (!rh_json_parser_load (parser, text, length, self->max_message_size, MAX_DEPTH, &error))
    {
      fail (self, RH_CDP_ERROR_MALFORMED, "a message from the peer is not JSON: %s",
            error->message);
      return;
    }
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_OBJECT (root))
    {
      fail (self, RH_CDP_ERROR_MALFORMED, "a message from the peer is not a JSON object");
      return;
    }
  message = json_node_get_object (root);
  id_node = json_object_get_member (message, "id");
  if (id_node != NULL)
    {
      handle_answer (self, message, id_node);
      return;
    }
  method = rh_json_string_member (message, "method");
  if (method == NULL)
    {
      fail (self, RH_CDP_ERROR_MALFORMED, "a message from the peer has neither an id nor a "
                                          "method");
      return;
    }
  session_id = rh_json_string_member (message, "sessionId");
  params_node = json_object_get_member (message, "params");
  if (params_node == NULL || !JSON_NODE_HOLDS_OBJECT (params_node))
    empty = json_object_new ();
  /* A method nobody connected to by name has no quark: the peer cannot
   * fill the quark table. */
  g_signal_emit (self, signals[SIGNAL_EVENT], g_quark_try_string (method), method,
                 empty != NULL ? empty : json_node_get_object (params_node), session_id);
}

/* Each whole message of @in, in order, until the connection closes. */
static void
take_messages (RhCdpConnection *self)
{
  gsize start = 0;
  gsize taken;

  while (self->error == NULL)
    {
      guint8 *end = memchr (self->in->data + self->scanned, 0, self->in->len - self->scanned);

      if (end == NULL)
        break;
      handle_message (self, (const char *) self->in->data + start,
                      end - (self->in->data + start));
      if (self->error != NULL)
        return;
      start = end - self->in->data + 1;
      self->scanned = start;
    }
  if (self->error != NULL)
    return;
  taken = start;
  if (taken > 0)
    g_byte_array_remove_range (self->in, 0, taken);
  self->scanned = self->in->len;
  if (self->in->len > self->max_message_size)
    {
      fail (self, RH_CDP_ERROR_TOO_LARGE,
            "a message from the peer is larger than the limit of %" G_GSIZE_FORMAT " bytes",
            self->max_message_size);
      return;
    }
  /* The room a big message took is given back. */
  if (self->in->len == 0 && taken > READ_CHUNK)
    {
      g_byte_array_unref (self->in);
      self->in = g_byte_array_new ();
    }
}

static gboolean
on_readable (int fd, GIOCondition condition, gpointer user_data)
{
  RhCdpConnection *self = user_data;
  g_autoptr (RhCdpConnection) alive = g_object_ref (self);
  /* Never more than the limit and its NUL: a message too large is known
   * without holding more of it. */
  gsize want = MIN (READ_CHUNK, self->max_message_size + 1 - self->in->len);
  guint had = self->in->len;
  gssize got;
  int errsv;

  g_byte_array_set_size (self->in, had + want);
  got = read (fd, self->in->data + had, want);
  errsv = errno;
  g_byte_array_set_size (self->in, had + MAX (got, 0));
  if (got < 0 && (errsv == EINTR || errsv == EAGAIN || errsv == EWOULDBLOCK))
    return G_SOURCE_CONTINUE;
  if (got < 0)
    fail (self, RH_CDP_ERROR_IO, "reading from the peer: %s", g_strerror (errsv));
  else if (got == 0 && had > 0)
    fail (self, RH_CDP_ERROR_TRUNCATED,
          "the peer closed the connection in the middle of a message (%u bytes)", had);
  else if (got == 0)
    fail (self, RH_CDP_ERROR_CLOSED, "the peer closed the connection");
  else
    take_messages (self);
  return self->error == NULL ? G_SOURCE_CONTINUE : G_SOURCE_REMOVE;
}

static GSource *
watch_fd (RhCdpConnection *self, int fd, GIOCondition condition, GUnixFDSourceFunc func)
{
  GSource *source = g_unix_fd_source_new (fd, condition);

  g_source_set_callback (source, G_SOURCE_FUNC (func), self, NULL);
  g_source_attach (source, self->context);
  return source;
}

RhCdpConnection *
rh_cdp_connection_new (int write_fd, int read_fd)
{
  RhCdpConnection *self = g_object_new (RH_TYPE_CDP_CONNECTION, NULL);
  g_autoptr (GError) error = NULL;

  self->context = g_main_context_ref_thread_default ();
  self->write_fd = write_fd;
  self->read_fd = read_fd;
  self->in = g_byte_array_new ();
  if (!g_unix_set_fd_nonblocking (write_fd, TRUE, &error)
      || !g_unix_set_fd_nonblocking (read_fd, TRUE, &error))
    {
      fail (self, RH_CDP_ERROR_IO, "the peer's descriptors: %s", error->message);
      return self;
    }
  self->read_source = watch_fd (self, read_fd, G_IO_IN | G_IO_HUP | G_IO_ERR, on_readable);
  return self;
}

void
rh_cdp_connection_set_max_message_size (RhCdpConnection *connection, gsize size)
{
  g_return_if_fail (size > 0);
  connection->max_message_size = size;
}

static gboolean
on_cancelled (GCancellable *cancellable, gpointer user_data)
{
  Pending *command = user_data;
  g_autoptr (GTask) task = g_object_ref (command->task);

  /* Its answer, if it comes, finds no command and is dropped. */
  g_hash_table_remove (command->connection->pending, GUINT_TO_POINTER (command->id));
  g_task_return_error_if_cancelled (task);
  return G_SOURCE_REMOVE;
}

/* The message of a command, with its NUL. */
static GBytes *
command_message (guint id, const char *session_id, const char *method, JsonObject *params)
{
  g_autoptr (JsonObject) message = json_object_new ();
  g_autoptr (JsonNode) root = json_node_alloc ();
  g_autoptr (JsonGenerator) generator = json_generator_new ();
  gsize length;
  char *text;

  json_object_set_int_member (message, "id", id);
  json_object_set_string_member (message, "method", method);
  if (params != NULL)
    json_object_set_object_member (message, "params", json_object_ref (params));
  if (session_id != NULL)
    json_object_set_string_member (message, "sessionId", session_id);
  json_node_init_object (root, message);
  json_generator_set_root (generator, root);
  text = json_generator_to_data (generator, &length);
  /* The text's own terminating NUL ends the message. */
  return g_bytes_new_take (text, length + 1);
}

void
rh_cdp_connection_send_async (RhCdpConnection *connection, const char *session_id,
                              const char *method, JsonObject *params, GCancellable *cancellable,
                              GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr (GTask) task = g_task_new (connection, cancellable, callback, user_data);
  Pending *command;

  g_return_if_fail (method != NULL);
  g_task_set_source_tag (task, rh_cdp_connection_send_async);
  if (connection->error != NULL)
    {
      g_task_return_error (task, g_error_copy (connection->error));
      return;
    }
  if (g_task_return_error_if_cancelled (task))
    return;
  command = g_new0 (Pending, 1);
  command->connection = connection;
  command->id = connection->next_id;
  command->task = g_steal_pointer (&task);
  /* Ids stay positive ints, as the protocol's are. */
  connection->next_id = connection->next_id == G_MAXINT ? 1 : connection->next_id + 1;
  g_queue_push_tail (&connection->out, command_message (command->id, session_id, method, params));
  if (connection->write_source == NULL)
    connection->write_source = watch_fd (connection, connection->write_fd, G_IO_OUT | G_IO_ERR,
                                         on_writable);
  if (cancellable != NULL)
    {
      command->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (command->cancel_source, G_SOURCE_FUNC (on_cancelled), command,
                             NULL);
      g_source_attach (command->cancel_source, connection->context);
    }
  g_hash_table_insert (connection->pending, GUINT_TO_POINTER (command->id), command);
}

JsonObject *
rh_cdp_connection_send_finish (RhCdpConnection *connection, GAsyncResult *result,
                               GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, connection), NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}

void
rh_cdp_connection_close (RhCdpConnection *connection, const GError *reason)
{
  close_with (connection, reason != NULL ? g_error_copy (reason)
                                         : g_error_new (RH_CDP_ERROR, RH_CDP_ERROR_CLOSED,
                                                        "the connection was closed"));
}

gboolean
rh_cdp_connection_is_closed (RhCdpConnection *connection)
{
  return connection->error != NULL;
}

const GError *
rh_cdp_connection_get_error (RhCdpConnection *connection)
{
  return connection->error;
}

