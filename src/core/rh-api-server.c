#include "rh-api-server.h"

#include <string.h>

#include "rh-error.h"
#include "rh-json.h"
#include "rh-text.h"

#define GUARD_KEY "rh-api-server-guard"

/* A name the server answers to besides its own addresses. */
typedef struct
{
  char *name; /* lower case; an IPv6 address without its brackets */
  guint port; /* 0: any port, or none */
} AllowedHost;

static void
allowed_host_free (gpointer data)
{
  AllowedHost *host = data;

  g_free (host->name);
  g_free (host);
}

/* What a server checks on a request's headers, besides their framing. */
typedef struct
{
  RhApiServerAuthorize authorize;
  gpointer user_data;
  GPtrArray *hosts; /* of AllowedHost */
} Guard;

static void
guard_free (gpointer data)
{
  Guard *guard = data;

  g_ptr_array_unref (guard->hosts);
  g_free (guard);
}

/* A refused client may still be sending: it is given this long to read the
 * answer before the connection is dropped. */
#define LINGER_MS 2000

typedef struct
{
  GIOStream *stream;
  GSocket *socket;
  GBytes *answer;
  GCancellable *cancellable;
  guint timeout_id;
  guint8 buffer[8192];
} Lingering;

static void
lingering_free (Lingering *lingering)
{
  g_clear_handle_id (&lingering->timeout_id, g_source_remove);
  g_io_stream_close (lingering->stream, NULL, NULL);
  g_object_unref (lingering->stream);
  g_clear_object (&lingering->socket);
  g_bytes_unref (lingering->answer);
  g_object_unref (lingering->cancellable);
  g_free (lingering);
}

static gboolean
lingering_timeout_cb (gpointer user_data)
{
  Lingering *lingering = user_data;

  lingering->timeout_id = 0;
  g_cancellable_cancel (lingering->cancellable);
  return G_SOURCE_REMOVE;
}

/* What the client still sends is read and dropped, a buffer at a time,
 * until it closes or the time is up. */
static void
lingering_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lingering *lingering = user_data;

  if (g_input_stream_read_finish (G_INPUT_STREAM (source), result, NULL) <= 0)
    {
      lingering_free (lingering);
      return;
    }
  g_input_stream_read_async (G_INPUT_STREAM (source), lingering->buffer,
                             sizeof lingering->buffer, G_PRIORITY_LOW, lingering->cancellable,
                             lingering_read_cb, lingering);
}

static void
lingering_written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Lingering *lingering = user_data;

  if (!g_output_stream_write_all_finish (G_OUTPUT_STREAM (source), result, NULL, NULL))
    {
      lingering_free (lingering);
      return;
    }
  /* The answer is complete: tell the client so, then drain. */
  if (lingering->socket != NULL)
    g_socket_shutdown (lingering->socket, FALSE, TRUE, NULL);
  g_input_stream_read_async (g_io_stream_get_input_stream (lingering->stream),
                             lingering->buffer, sizeof lingering->buffer, G_PRIORITY_LOW,
                             lingering->cancellable, lingering_read_cb, lingering);
}

/* libsoup's server reads a request's whole body whatever status was set on
 * its headers (unless the client asked "Expect: 100-continue"), so a refused
 * request whose body is still coming is answered here: the connection is
 * taken from the server, the answer already set on @msg is written, and the
 * rest of the body is never read into memory. */
static void
answer_and_close (SoupServerMessage *msg)
{
  g_autoptr (GBytes) body = soup_message_body_flatten (soup_server_message_get_response_body (msg));
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  guint status = soup_server_message_get_status (msg);
  GString *answer = g_string_new (NULL);
  SoupMessageHeadersIter iter;
  const char *name, *value;
  Lingering *lingering;
  GIOStream *stream;

  g_string_append_printf (answer, "HTTP/1.1 %u %s\r\n", status,
                          soup_server_message_get_reason_phrase (msg));
  soup_message_headers_iter_init (&iter, headers);
  while (soup_message_headers_iter_next (&iter, &name, &value))
    if (g_ascii_strcasecmp (name, "Content-Length") != 0)
      g_string_append_printf (answer, "%s: %s\r\n", name, value);
  g_string_append_printf (answer, "Content-Length: %zu\r\n\r\n", g_bytes_get_size (body));
  g_string_append_len (answer, g_bytes_get_data (body, NULL), g_bytes_get_size (body));

  lingering = g_new0 (Lingering, 1);
  lingering->answer = g_string_free_to_bytes (answer);
  lingering->cancellable = g_cancellable_new ();
  if (soup_server_message_get_socket (msg) != NULL)
    lingering->socket = g_object_ref (soup_server_message_get_socket (msg));
  /* @msg may be gone after this. */
  stream = soup_server_message_steal_connection (msg);
  if (stream == NULL)
    {
      g_clear_object (&lingering->socket);
      g_bytes_unref (lingering->answer);
      g_object_unref (lingering->cancellable);
      g_free (lingering);
      return;
    }
  lingering->stream = stream;
  lingering->timeout_id = g_timeout_add (LINGER_MS, lingering_timeout_cb, lingering);
  g_output_stream_write_all_async (g_io_stream_get_output_stream (stream),
                                   g_bytes_get_data (lingering->answer, NULL),
                                   g_bytes_get_size (lingering->answer), G_PRIORITY_DEFAULT,
                                   lingering->cancellable, lingering_written_cb, lingering);
}

/* Whether the request's body is still to be read. */
static gboolean
body_follows (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);

  switch (soup_message_headers_get_encoding (headers))
    {
    case SOUP_ENCODING_CONTENT_LENGTH:
      /* libsoup reads -1 as a body without end. */
      return soup_message_headers_get_content_length (headers) != 0;
    case SOUP_ENCODING_NONE:
      return FALSE;
    default:
      return TRUE;
    }
}

/* Whether @msg is a call pages make (rh_api_path_is_page_call ()). */
static gboolean
is_page_call (SoupServerMessage *msg)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autoptr (RhApiPath) path = uri != NULL ? rh_api_path_parse (g_uri_get_path (uri)) : NULL;

  return rh_api_path_is_page_call (path);
}

/* Answers @msg with an error, without reading the rest of its body. */
static void
refuse (SoupServerMessage *msg, gint64 code, const char *text)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);

  rh_api_reply_error (msg, code, text);
  /* A page may read why its own call was refused. */
  if (is_page_call (msg))
    soup_message_headers_replace (response, "Access-Control-Allow-Origin", "*");
  /* Whatever the client sends next is the refused body, not a request. */
  soup_message_headers_replace (response, "Connection", "close");
  /* Without a body, or with "Expect: 100-continue", libsoup answers at once
   * and reads no body. */
  if (!body_follows (msg)
      || (soup_message_headers_get_expectations (request) & SOUP_EXPECTATION_CONTINUE))
    return;
  answer_and_close (msg);
}

/* A body has one length, in digits, or chunks: anything else (-1, "5, 7",
 * both) would have libsoup wait for a body that never ends, or smuggle one. */
static gboolean
framing_ok (SoupMessageHeaders *headers)
{
  const char *length = soup_message_headers_get_list (headers, "Content-Length");

  if (length == NULL)
    return soup_message_headers_get_encoding (headers) != SOUP_ENCODING_UNRECOGNIZED;
  if (soup_message_headers_get_one (headers, "Transfer-Encoding") != NULL)
    return FALSE;
  return *length != '\0' && strspn (length, "0123456789") == strlen (length);
}

/* HOST[:PORT], as a Host header or --allowed-host writes it: *@name in
 * lower case (an IPv6 address without its brackets), *@port 0 when none is
 * given. */
static gboolean
split_host (const char *text, char **name, guint *port)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  const char *start = lower;
  const char *end;
  const char *after;
  guint64 number = 0;

  if (*lower == '[')
    {
      start = lower + 1;
      end = strchr (start, ']');
      if (end == NULL)
        return FALSE;
      after = end + 1;
    }
  else
    {
      end = start + strcspn (start, ":");
      after = end;
    }
  if (end == start)
    return FALSE;
  for (const char *c = start; c < end; c++)
    if (!g_ascii_isalnum (*c) && *c != '-' && *c != '.' && (*lower != '[' || *c != ':'))
      return FALSE;
  if (*after == ':'
      && !g_ascii_string_to_unsigned (after + 1, 10, 1, 65535, &number, NULL))
    return FALSE;
  if (*after != ':' && *after != '\0')
    return FALSE;
  *name = g_strndup (start, end - start);
  *port = (guint) number;
  return TRUE;
}

/* Whether @name is @address, written any way (an IPv6 address has many). */
static gboolean
names_address (const char *name, GInetAddress *address)
{
  g_autoptr (GInetAddress) named = g_inet_address_new_from_string (name);

  return named != NULL && address != NULL && g_inet_address_equal (named, address);
}

/* A page whose host name an attacker's DNS points at this machine (DNS
 * rebinding) sends that name as Host: the server answers only its own
 * names, with its port: localhost, 127.0.0.1, [::1], the address the request
 * came in on, and the names it was given (a Host without a port means 80).
 * HTTP/1.0 may leave Host out (libsoup refuses HTTP/1.1 without it); no
 * browser does. */
static gboolean
host_ok (Guard *guard, SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *host = soup_message_headers_get_list (headers, "Host");
  GSocketAddress *local = soup_server_message_get_local_address (msg);
  GInetAddress *local_address = NULL;
  g_autoptr (GInetAddress) ipv4_loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GInetAddress) ipv6_loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV6);
  g_autofree char *name = NULL;
  guint port = 0;

  if (host == NULL)
    return soup_server_message_get_http_version (msg) == SOUP_HTTP_1_0;
  if (!split_host (host, &name, &port))
    return FALSE;
  if (port == 0)
    port = 80;
  for (guint i = 0; i < guard->hosts->len; i++)
    {
      const AllowedHost *allowed = g_ptr_array_index (guard->hosts, i);

      if (g_str_equal (allowed->name, name) && (allowed->port == 0 || allowed->port == port))
        return TRUE;
    }
  if (!G_IS_INET_SOCKET_ADDRESS (local)
      || g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (local)) != port)
    return FALSE;
  local_address = g_inet_socket_address_get_address (G_INET_SOCKET_ADDRESS (local));
  return g_str_equal (name, "localhost") || names_address (name, ipv4_loopback)
         || names_address (name, ipv6_loopback) || names_address (name, local_address);
}

/* A browser names the page that makes a call in Origin: only the server's
 * own origin (http or https, then the Host it was called by) may call the
 * API beyond the pages' calls.  "null" (a file, a sandbox) is another's. */
static gboolean
origin_ok (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *origin = soup_message_headers_get_list (headers, "Origin");
  const char *host = soup_message_headers_get_one (headers, "Host");
  g_autofree char *http = NULL;
  g_autofree char *https = NULL;

  if (origin == NULL)
    return TRUE;
  if (host == NULL)
    return FALSE;
  http = g_strconcat ("http://", host, NULL);
  https = g_strconcat ("https://", host, NULL);
  return g_ascii_strcasecmp (origin, http) == 0 || g_ascii_strcasecmp (origin, https) == 0;
}

/* A body a page could send cross-site without a preflight ("simple": text,
 * a form, a Blob without a type) has another type than JSON. */
static gboolean
json_body_ok (SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *type = soup_message_headers_get_content_type (headers, NULL);

  if (!body_follows (msg))
    return TRUE;
  return type != NULL && g_ascii_strcasecmp (type, "application/json") == 0;
}

/* Decided on the headers alone, before any of the body is read. */
static void
got_headers_cb (SoupServerMessage *msg, gpointer user_data)
{
  Guard *guard = g_object_get_data (user_data, GUARD_KEY);
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  guint status = soup_server_message_get_status (msg);
  gboolean page_call = is_page_call (msg);

  if (status != 0)
    refuse (msg, status, "bad request");
  else if (!framing_ok (headers))
    refuse (msg, RH_API_CODE_BAD_REQUEST, "request body without one valid length");
  else if (!host_ok (guard, msg))
    refuse (msg, RH_API_CODE_MISDIRECTED,
            "misdirected request: Host is not this server's name and port "
            "(localhost, 127.0.0.1, [::1], the address called, or an --allowed-host)");
  /* Chrome asks before a public page calls a private address: never. */
  else if (soup_message_headers_get_one (headers, "Access-Control-Request-Private-Network"))
    refuse (msg, RH_API_CODE_FORBIDDEN, "private network access from a web page refused");
  else if (!page_call && !origin_ok (msg))
    refuse (msg, RH_API_CODE_FORBIDDEN,
            "cross-origin request refused: Origin is not this server's own");
  else if (!g_str_equal (soup_server_message_get_method (msg), "OPTIONS")
           && guard->authorize != NULL && !guard->authorize (msg, guard->user_data))
    refuse (msg, RH_API_CODE_UNAUTHORIZED, "x-agora-token missing or wrong");
  else if (soup_message_headers_get_encoding (headers) == SOUP_ENCODING_CONTENT_LENGTH
           && soup_message_headers_get_content_length (headers) > RH_API_MAX_BODY)
    refuse (msg, RH_API_CODE_TOO_LARGE, "request body too large");
  else if (!page_call && !json_body_ok (msg))
    refuse (msg, RH_API_CODE_UNSUPPORTED_MEDIA_TYPE,
            "unsupported Content-Type: a body must be application/json");
}

/* A chunked body announces no length: it is refused as it passes the bound. */
static void
got_chunk_cb (SoupServerMessage *msg, GBytes *chunk, gpointer user_data)
{
  if (soup_server_message_get_request_body (msg)->length > RH_API_MAX_BODY)
    refuse (msg, RH_API_CODE_TOO_LARGE, "request body too large");
}

/* --verbose: an access log line a request, its path without the query
 * (where a client may have put a token). */
static void
finished_cb (SoupServerMessage *msg, gpointer user_data)
{
  GUri *uri = soup_server_message_get_uri (msg);
  g_autofree char *path = rh_text_printable (uri != NULL ? g_uri_get_path (uri) : "?");

  g_debug ("%s %.200s: %u", soup_server_message_get_method (msg), path,
           soup_server_message_get_status (msg));
}

static void
request_started_cb (SoupServer *server, SoupServerMessage *msg, gpointer user_data)
{
  g_signal_connect (msg, "finished", G_CALLBACK (finished_cb), NULL);
  g_signal_connect_object (msg, "got-headers", G_CALLBACK (got_headers_cb), server, 0);
  g_signal_connect_object (msg, "got-chunk", G_CALLBACK (got_chunk_cb), server, 0);
}

/* A server keeping raw paths (rh_api_path_parse () decodes them part by
 * part), whose requests are checked at their headers: their framing, Host,
 * Origin, their body's size and type, and @authorize (NULL: any). */
SoupServer *
rh_api_server_new (const char *server_header, RhApiServerAuthorize authorize, gpointer user_data)
{
  SoupServer *server = soup_server_new ("server-header", server_header, "raw-paths", TRUE, NULL);
  Guard *guard = g_new0 (Guard, 1);

  guard->authorize = authorize;
  guard->user_data = user_data;
  guard->hosts = g_ptr_array_new_with_free_func (allowed_host_free);
  g_object_set_data_full (G_OBJECT (server), GUARD_KEY, guard, guard_free);
  g_signal_connect (server, "request-started", G_CALLBACK (request_started_cb), NULL);
  return server;
}

/* http://HOST:PORT of the first address @server listens on, to be called
 * by: listening on every address (0.0.0.0, ::), the loopback one, which the
 * server's hosted pages and its own checks reach and its Host check lets
 * through; the unspecified address is no destination. */
char *
rh_api_server_get_base_url (SoupServer *server, GError **error)
{
  g_autoslist (GUri) uris = soup_server_get_uris (server);
  const char *host;

  if (uris == NULL)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "not listening");
      return NULL;
    }
  host = g_uri_get_host (uris->data);
  if (g_str_equal (host, "0.0.0.0"))
    host = "127.0.0.1";
  else if (g_str_equal (host, "::"))
    host = "::1";
  if (strchr (host, ':') != NULL)
    return g_strdup_printf ("http://[%s]:%d", host, g_uri_get_port (uris->data));
  return g_strdup_printf ("http://%s:%d", host, g_uri_get_port (uris->data));
}

/* One more name @server answers to, NAME[:PORT] (e.g. a name a proxy in
 * front of it is called by); without a port, any port or none. */
gboolean
rh_api_server_allow_host (SoupServer *server, const char *host, GError **error)
{
  Guard *guard = g_object_get_data (G_OBJECT (server), GUARD_KEY);
  AllowedHost *allowed = g_new0 (AllowedHost, 1);

  if (!split_host (host, &allowed->name, &allowed->port))
    {
      allowed_host_free (allowed);
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "bad host '%s': expected NAME or NAME:PORT, PORT 1..65535", host);
      return FALSE;
    }
  g_ptr_array_add (guard->hosts, allowed);
  return TRUE;
}

/* Whether @given is @secret, in a time that does not tell how much of it
 * matched; only @secret's length shows. */
gboolean
rh_api_secret_equal (const char *given, const char *secret)
{
  gsize given_length = strlen (given);
  gsize length = strlen (secret);
  guint difference = given_length != length;

  for (gsize i = 0; i < length; i++)
    difference |= (guchar) secret[i] ^ (guchar) (i < given_length ? given[i] : 0);
  return difference == 0;
}
