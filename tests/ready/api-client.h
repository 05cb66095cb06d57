/* Clients of the API servers on loopback (the cloud, the ready
 * acknowledger) in tests: one through libsoup, from a page's origin, and
 * one below libsoup. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

/* @origin: the page's, sent as Origin, or NULL for a call from no page. */
SoupMessage *api_client_send    (SoupSession *session, const char *base_url, const char *method,
                                 const char *path, const char *origin, GBytes **body);
JsonObject  *api_client_request (SoupSession *session, const char *base_url, const char *method,
                                 const char *path, const char *origin, guint *status);
/* "HOST:PORT" of @base_url, as a Host header names it. */
char        *api_client_authority (const char *base_url);

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
guint      raw_client_get_status    (RawClient *client);
char      *raw_client_get_header    (RawClient *client, const char *name);
gboolean   raw_client_answered      (gpointer user_data);
void       raw_client_assert_answer (RawClient *client, guint status, gint64 code);
/* Sends chunks of RAW_CLIENT_CHUNK_BYTES of a chunked body without end until
 * the server answers or closes, at most 4 MiB; returns the body bytes sent. */
gsize      raw_client_send_endless_chunks (RawClient *client);

#define RAW_CLIENT_CHUNK_BYTES (16 * 1024)

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawClient, raw_client_free)

/* Host headers every API server is sent (DNS rebinding): "@PORT@" stands
 * for the server's port, NULL for no Host line. */
typedef struct
{
  const char *name;
  const char *version; /* "1.1" or "1.0" */
  const char *host;
  guint status; /* 0: answered by the server's API; else the refusal's */
} ApiClientHostRow;

extern const ApiClientHostRow api_client_host_rows[]; /* ends with a NULL name */

/* Sends GET /nothing with @row's Host to the server at @base_url; one that
 * answers it says 404 (no such API). */
void api_client_assert_host (const char *base_url, const ApiClientHostRow *row);

G_END_DECLS
