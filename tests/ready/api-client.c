#include "api-client.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "test-utils.h"

/* The server runs on this thread's main context: stay async.  The message
 * comes back with its status and headers; an Origin makes it a page's. */
SoupMessage *
api_client_send (SoupSession *session, const char *base_url, const char *method,
                 const char *path, const char *origin, GBytes **body)
{
  g_autofree char *uri = g_strconcat (base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  if (origin != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", origin);
  if (g_str_equal (method, "OPTIONS"))
    {
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Access-Control-Request-Method", "PUT");
      soup_message_headers_replace (soup_message_get_request_headers (msg),
                                    "Access-Control-Request-Headers",
                                    "content-type,x-agora-token,x-agora-uid");
    }
  soup_session_send_and_read_async (session, msg, G_PRIORITY_DEFAULT, NULL, rh_test_async_cb,
                                    &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  *body = soup_session_send_and_read_finish (session, result, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&msg);
}

/* The envelope of the answer, which is JSON; a page's call (@origin) may
 * read it from any origin, and no other call gets CORS headers. */
JsonObject *
api_client_request (SoupSession *session, const char *base_url, const char *method,
                    const char *path, const char *origin, guint *status)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = api_client_send (session, base_url, method, path, origin, &body);
  g_autoptr (JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);

  *status = soup_message_get_status (msg);
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==,
                   "application/json");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==,
                   origin != NULL ? "*" : NULL);
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

char *
api_client_authority (const char *base_url)
{
  g_assert_true (g_str_has_prefix (base_url, "http://"));
  return g_strdup (base_url + strlen ("http://"));
}

static void raw_client_read (RawClient *client);

static void
raw_client_read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  RawClient *client = user_data;
  g_autoptr (GError) error = NULL;
  gssize n = g_input_stream_read_finish (G_INPUT_STREAM (source), result, &error);

  if (n < 0)
    {
      /* Cut off: what arrived before stays in the answer. */
      client->failed = !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
      client->closed = TRUE;
      return;
    }
  if (n == 0)
    {
      client->closed = TRUE;
      return;
    }
  g_byte_array_append (client->answer, client->buffer, n);
  raw_client_read (client);
}

static void
raw_client_read (RawClient *client)
{
  GInputStream *input = g_io_stream_get_input_stream (G_IO_STREAM (client->connection));

  g_input_stream_read_async (input, client->buffer, sizeof client->buffer, G_PRIORITY_DEFAULT,
                             client->cancellable, raw_client_read_cb, client);
}

/* Connects to the server at @base_url and sends @head, a request's line and headers. */
RawClient *
raw_client_new (const char *base_url, const char *head)
{
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr (GUri) base = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GError) error = NULL;
  RawClient *client = g_new0 (RawClient, 1);

  client->answer = g_byte_array_new ();
  client->cancellable = g_cancellable_new ();
  client->connection = g_socket_client_connect_to_host (socket_client, g_uri_get_host (base),
                                                        g_uri_get_port (base), NULL, &error);
  g_assert_no_error (error);
  g_output_stream_write_all (g_io_stream_get_output_stream (G_IO_STREAM (client->connection)),
                             head, strlen (head), NULL, NULL, &error);
  g_assert_no_error (error);
  raw_client_read (client);
  return client;
}

/* The pending read's callback still needs @client: it is freed once that
 * has run. */
void
raw_client_free (RawClient *client)
{
  g_cancellable_cancel (client->cancellable);
  while (!client->closed)
    g_main_context_iteration (NULL, TRUE);
  g_io_stream_close (G_IO_STREAM (client->connection), NULL, NULL);
  g_object_unref (client->connection);
  g_object_unref (client->cancellable);
  g_byte_array_unref (client->answer);
  g_free (client);
}

/* The answer's body, once all of it arrived (after its Content-Length
 * bytes, or the server's end of stream); NULL before. */
char *
raw_client_get_body (RawClient *client)
{
  g_autofree char *text = NULL;
  const char *end;
  const char *length;
  gsize body_length;

  if (client->answer->len == 0)
    return NULL;
  text = g_strndup ((const char *) client->answer->data, client->answer->len);
  end = strstr (text, "\r\n\r\n");
  if (end == NULL)
    return NULL;
  length = g_strstr_len (text, end - text, "\r\nContent-Length: ");
  if (length == NULL)
    return client->closed ? g_strdup (end + 4) : NULL;
  body_length = g_ascii_strtoull (length + strlen ("\r\nContent-Length: "), NULL, 10);
  if (strlen (end + 4) < body_length)
    return NULL;
  return g_strndup (end + 4, body_length);
}

gboolean
raw_client_answered (gpointer user_data)
{
  g_autofree char *body = raw_client_get_body (user_data);

  return body != NULL;
}

/* The status of the first answer, and the envelope's code. */
void
raw_client_assert_answer (RawClient *client, guint status, gint64 code)
{
  g_autofree char *body = raw_client_get_body (client);
  g_autofree char *text = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  guint got = 0;

  g_assert_nonnull (body);
  text = g_strndup ((const char *) client->answer->data, client->answer->len);
  g_assert_cmpint (sscanf (text, "HTTP/1.%*u %u ", &got), ==, 1);
  g_assert_cmpuint (got, ==, status);
  g_assert_true (json_parser_load_from_data (parser, body, -1, &error));
  g_assert_no_error (error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (json_parser_get_root (parser)),
                                               "code"),
                   ==, code);
}

gsize
raw_client_send_endless_chunks (RawClient *client)
{
  g_autofree char *filler = g_strnfill (RAW_CLIENT_CHUNK_BYTES, 'a');
  g_autofree char *chunk = g_strdup_printf ("%x\r\n%s\r\n", RAW_CLIENT_CHUNK_BYTES, filler);
  GOutputStream *output = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));
  gsize sent = 0;

  while (!raw_client_answered (client) && !client->closed && sent < 4 * 1024 * 1024)
    {
      if (!g_output_stream_write_all (output, chunk, strlen (chunk), NULL, NULL, NULL))
        break;
      sent += RAW_CLIENT_CHUNK_BYTES;
      /* Let the server read it all before the next one. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  return sent;
}

/* The status of the answer's first line, 0 before it came. */
guint
raw_client_get_status (RawClient *client)
{
  g_autofree char *text = g_strndup ((const char *) client->answer->data, client->answer->len);
  guint status = 0;

  if (sscanf (text, "HTTP/1.%*u %u ", &status) != 1)
    return 0;
  return status;
}

/* The value of the answer's header @name, or NULL. */
char *
raw_client_get_header (RawClient *client, const char *name)
{
  g_autofree char *text = g_strndup ((const char *) client->answer->data, client->answer->len);
  g_auto (GStrv) lines = NULL;
  gsize length = strlen (name);

  if (strstr (text, "\r\n\r\n") != NULL)
    *strstr (text, "\r\n\r\n") = '\0';
  lines = g_strsplit (text, "\r\n", -1);
  for (guint i = 1; lines[i] != NULL; i++)
    if (g_ascii_strncasecmp (lines[i], name, length) == 0 && lines[i][length] == ':')
      return g_strdup (g_strstrip (lines[i] + length + 1));
  return NULL;
}

const ApiClientHostRow api_client_host_rows[] = {
  { "localhost", "1.1", "localhost:@PORT@", 0 },
  { "localhost-upper-case", "1.1", "LocalHost:@PORT@", 0 },
  { "ipv4-loopback", "1.1", "127.0.0.1:@PORT@", 0 },
  { "ipv6-loopback", "1.1", "[::1]:@PORT@", 0 },
  { "http-1.0-without-host", "1.0", NULL, 0 },
  /* A name an attacker's DNS points at 127.0.0.1 after the page loaded. */
  { "rebound-name", "1.1", "attacker.example:@PORT@", 421 },
  { "rebound-localhost-lookalike", "1.1", "localhost.attacker.example:@PORT@", 421 },
  { "trailing-dot", "1.1", "localhost.:@PORT@", 421 },
  { "other-loopback-address", "1.1", "127.0.0.2:@PORT@", 421 },
  { "without-port", "1.1", "127.0.0.1", 421 },
  { "other-port", "1.1", "127.0.0.1:1", 421 },
  { "empty-port", "1.1", "127.0.0.1:", 421 },
  { "userinfo", "1.1", "user@127.0.0.1:@PORT@", 421 },
  { "http-1.1-without-host", "1.1", NULL, 400 },
  { NULL, NULL, NULL, 0 },
};

void
api_client_assert_host (const char *base_url, const ApiClientHostRow *row)
{
  g_autoptr (GUri) base = g_uri_parse (base_url, G_URI_FLAGS_NONE, NULL);
  g_autoptr (GString) head = g_string_new (NULL);
  g_autoptr (RawClient) client = NULL;
  g_autofree char *connection = NULL;

  g_string_append_printf (head, "GET /nothing HTTP/%s\r\n", row->version);
  if (row->host != NULL)
    {
      g_autofree char *port = g_strdup_printf ("%d", g_uri_get_port (base));
      g_auto (GStrv) parts = g_strsplit (row->host, "@PORT@", -1);
      g_autofree char *host = g_strjoinv (port, parts);

      g_string_append_printf (head, "Host: %s\r\n", host);
    }
  g_string_append (head, "\r\n");
  client = raw_client_new (base_url, head->str);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  if (row->status == 0)
    {
      raw_client_assert_answer (client, 404, 404);
      return;
    }
  /* libsoup itself refuses HTTP/1.1 without Host, with no body. */
  if (row->host == NULL)
    {
      g_assert_cmpuint (raw_client_get_status (client), ==, row->status);
      return;
    }
  raw_client_assert_answer (client, row->status, row->status);
  connection = raw_client_get_header (client, "Connection");
  g_assert_cmpstr (connection, ==, "close");
}
