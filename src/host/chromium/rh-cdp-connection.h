/* The Chrome DevTools Protocol on two file descriptors: JSON messages, each
 * ended by a NUL byte, as Chromium speaks it with --remote-debugging-pipe.
 * Commands are answered by id; messages without an id are events.  Reads
 * and writes never block: they run from the thread-default main context the
 * connection was made in. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rh-json.h"

G_BEGIN_DECLS

/* The largest message read: a screencast frame is a base64 picture, a few
 * MiB; anything past this is not a peer to trust. */
#define RH_CDP_MAX_MESSAGE_SIZE (64 * 1024 * 1024)

#define RH_CDP_ERROR (rh_cdp_error_quark ())

/* Why the connection closed; every command pending or sent after fails with
 * the same error. */
typedef enum
{
  RH_CDP_ERROR_CLOSED,    /* the peer closed its end (or the owner closed the connection) */
  RH_CDP_ERROR_TRUNCATED, /* the peer closed its end in the middle of a message */
  RH_CDP_ERROR_IO,        /* reading or writing failed */
  RH_CDP_ERROR_MALFORMED, /* a message is not JSON, not an object or not of the protocol */
  RH_CDP_ERROR_TOO_LARGE, /* a message is larger than the limit */
} RhCdpError;

/* A command the peer answered with an error: the GError's code and message
 * are the protocol's (e.g. -32601, "'Nope.nope' wasn't found"). */
#define RH_CDP_PROTOCOL_ERROR (rh_cdp_protocol_error_quark ())

GQuark rh_cdp_error_quark (void);
GQuark rh_cdp_protocol_error_quark (void);

#define RH_TYPE_CDP_CONNECTION (rh_cdp_connection_get_type ())
G_DECLARE_FINAL_TYPE (RhCdpConnection, rh_cdp_connection, RH, CDP_CONNECTION, GObject)

/* Takes both descriptors (made non-blocking, closed with the connection). */
RhCdpConnection *rh_cdp_connection_new (int write_fd, int read_fd);
/* Lowers (or raises) the message limit, RH_CDP_MAX_MESSAGE_SIZE by default. */
void             rh_cdp_connection_set_max_message_size (RhCdpConnection *connection,
                                                         gsize size);

/* Sends @method with @params (not taken; NULL for none) to the target
 * attached as @session_id, or to the browser when NULL. */
void        rh_cdp_connection_send_async  (RhCdpConnection *connection, const char *session_id,
                                           const char *method, JsonObject *params,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
/* The answer's "result" (transfer full), or NULL and an RH_CDP_PROTOCOL_ERROR
 * (the peer's answer), an RH_CDP_ERROR (the connection closed, before or
 * after the command was sent), G_IO_ERROR_CANCELLED. */
JsonObject *rh_cdp_connection_send_finish (RhCdpConnection *connection, GAsyncResult *result,
                                           GError **error);

/* Closes the descriptors and fails what is pending with a copy of @reason
 * (an RH_CDP_ERROR_CLOSED when NULL); "closed" is emitted once, by the
 * first close.  For an owner that knows better than EOF why the peer is
 * gone. */
void          rh_cdp_connection_close      (RhCdpConnection *connection, const GError *reason);
gboolean      rh_cdp_connection_is_closed  (RhCdpConnection *connection);
/* Why it closed, NULL while open. */
const GError *rh_cdp_connection_get_error  (RhCdpConnection *connection);

G_END_DECLS
