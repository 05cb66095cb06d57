#include "fake-cloud.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-api-path.h"
#include "test-utils.h"

#define SUCCESS_BODY "{\"msg\":\"Success\",\"code\":0,\"ts\":1610167740309}"

typedef struct
{
  guint status;
  char *body;
} FakeReply;

static void
fake_reply_free (FakeReply *reply)
{
  g_free (reply->body);
  g_free (reply);
}

static void
fake_request_free (FakeRequest *request)
{
  g_free (request->method);
  g_free (request->path);
  soup_message_headers_unref (request->headers);
  g_free (request);
}

static void
serve_page (FakeCloud *cloud, SoupServerMessage *msg, const char *path)
{
  g_autofree char *relative = g_uri_unescape_string (path + strlen ("/page/"), NULL);
  g_autofree char *file = NULL;
  g_autofree char *contents = NULL;
  gsize length;
  const char *type = "text/html";

  if (relative == NULL || strstr (relative, "..") != NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_BAD_REQUEST, NULL);
      return;
    }
  file = rh_test_page_path (relative);
  if (!g_file_get_contents (file, &contents, &length, NULL))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      soup_server_message_set_response (msg, "text/html", SOUP_MEMORY_STATIC,
                                        "<h1>Not found</h1>", 18);
      return;
    }
  if (g_str_has_suffix (relative, ".js"))
    type = "application/javascript";
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  soup_server_message_set_response (msg, type, SOUP_MEMORY_TAKE, g_steal_pointer (&contents),
                                    length);
}

static void
handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer user_data)
{
  FakeCloud *cloud = user_data;
  g_autoptr (RhApiPath) route = NULL;
  FakeRequest *request;
  FakeReply *reply;

  if (g_str_has_prefix (path, "/page/"))
    {
      serve_page (cloud, msg, path);
      return;
    }
  route = rh_api_path_parse (path);
  if (route == NULL || !g_str_equal (route->rest, "records/ready"))
    {
      soup_server_message_set_status (msg, SOUP_STATUS_NOT_FOUND, NULL);
      return;
    }

  request = g_new0 (FakeRequest, 1);
  request->method = g_strdup (soup_server_message_get_method (msg));
  request->path = g_uri_unescape_string (path, NULL);
  request->headers = soup_message_headers_ref (soup_server_message_get_request_headers (msg));
  g_ptr_array_add (cloud->requests, request);

  reply = g_queue_get_length (&cloud->replies) > 1 ? g_queue_pop_head (&cloud->replies)
                                                   : g_queue_peek_head (&cloud->replies);
  if (reply == NULL)
    {
      soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
      soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_STATIC,
                                        SUCCESS_BODY, strlen (SUCCESS_BODY));
      return;
    }
  soup_server_message_set_status (msg, reply->status, NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_COPY, reply->body,
                                    strlen (reply->body));
  if (g_queue_peek_head (&cloud->replies) != reply)
    fake_reply_free (reply);
}

FakeCloud *
fake_cloud_new (void)
{
  FakeCloud *cloud = g_new0 (FakeCloud, 1);
  g_autoslist (GUri) uris = NULL;
  g_autoptr (GError) error = NULL;

  cloud->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) fake_request_free);
  g_queue_init (&cloud->replies);
  /* Raw paths, as the local cloud's: rh_api_path_parse () decodes. */
  cloud->server = soup_server_new ("raw-paths", TRUE, NULL);
  soup_server_add_handler (cloud->server, NULL, handle, cloud, NULL);
  soup_server_listen_local (cloud->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error);
  g_assert_no_error (error);
  uris = soup_server_get_uris (cloud->server);
  cloud->base_url = g_strdup_printf ("http://127.0.0.1:%d", g_uri_get_port (uris->data));
  return cloud;
}

void
fake_cloud_free (FakeCloud *cloud)
{
  soup_server_disconnect (cloud->server);
  g_object_unref (cloud->server);
  g_free (cloud->base_url);
  g_ptr_array_unref (cloud->requests);
  g_queue_clear_full (&cloud->replies, (GDestroyNotify) fake_reply_free);
  g_free (cloud);
}

void
fake_cloud_reply (FakeCloud *cloud, guint status, const char *body)
{
  FakeReply *reply = g_new0 (FakeReply, 1);

  reply->status = status;
  reply->body = g_strdup (body != NULL ? body : SUCCESS_BODY);
  g_queue_push_tail (&cloud->replies, reply);
}

void
fake_cloud_clear_replies (FakeCloud *cloud)
{
  g_queue_clear_full (&cloud->replies, (GDestroyNotify) fake_reply_free);
}

char *
fake_cloud_page_url (FakeCloud *cloud, const char *page)
{
  return g_strdup_printf ("%s/page/%s", cloud->base_url, page);
}

FakeRequest *
fake_cloud_get_request (FakeCloud *cloud, guint index)
{
  g_assert_cmpuint (index, <, cloud->requests->len);
  return g_ptr_array_index (cloud->requests, index);
}

/* A loopback URL where nothing listens: bind port 0, note it, close it. */
char *
fake_cloud_refused_url (void)
{
  g_autoptr (GSocket) socket = NULL;
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (GError) error = NULL;
  guint port;

  socket = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP,
                         &error);
  g_assert_no_error (error);
  g_socket_bind (socket, address, FALSE, &error);
  g_assert_no_error (error);
  bound = g_socket_get_local_address (socket, &error);
  g_assert_no_error (error);
  port = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
  g_socket_close (socket, NULL);
  return g_strdup_printf ("http://127.0.0.1:%u", port);
}
