/* Clients of the API servers on loopback (the cloud, the ready
 * acknowledger) in tests: one through libsoup, from a page's origin, and
 * one below libsoup. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

SoupMessage *api_client_send    (SoupSession *session, const char *base_url, const char *method,
                                 const char *path, GBytes **body);
JsonObject  *api_client_request (SoupSession *session, const char *base_url, const char *method,
                                 const char *path, guint *status);

/* The raw client, for what SoupSession will not send: headers that announce
 * a body which never comes, a chunked body without end.  The answer is read
 * as it arrives. */

typedef struct
{
  GSocketConnection *connection;
  GCancellable *cancellable;
  GByteArray *answer;
  gboolean closed; /* the server closed its side */
  gboolean failed;
  guint8 buffer[4096];
} RawClient;

RawClient *raw_client_new           (const char *base_url, const char *head);
void       raw_client_free          (RawClient *client);
char      *raw_client_get_body      (RawClient *client);
gboolean   raw_client_answered      (gpointer user_data);
void       raw_client_assert_answer (RawClient *client, guint status, gint64 code);
/* Sends chunks of RAW_CLIENT_CHUNK_BYTES of a chunked body without end until
 * the server answers or closes, at most 4 MiB; returns the body bytes sent. */
gsize      raw_client_send_endless_chunks (RawClient *client);

#define RAW_CLIENT_CHUNK_BYTES (16 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawClient, raw_client_free)

G_END_DECLS
