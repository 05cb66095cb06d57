#include "api-client.h"

#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "test-utils.h"

/* The server runs on this thread's main context: stay async.  The message
 * comes back with its status and headers; an Origin makes it a page's. */
SoupMessage *
api_client_send (SoupSession *session, const char *base_url, const char *method,
                 const char *path, GBytes **body)
{
  g_autofree char *uri = g_strconcat (base_url, path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", "null");
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

/* The envelope of the answer, which is JSON and may be read from any origin. */
JsonObject *
api_client_request (SoupSession *session, const char *base_url, const char *method,
                    const char *path, guint *status)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = api_client_send (session, base_url, method, path, &body);
  g_autoptr (JsonParser) parser = json_parser_new ();
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);

  *status = soup_message_get_status (msg);
  g_assert_cmpstr (soup_message_headers_get_content_type (headers, NULL), ==,
                   "application/json");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==,
                   "*");
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
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
  g_assert_cmpint (sscanf (text, "HTTP/1.1 %u ", &got), ==, 1);
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
