/* The local cloud stand-in: API paths and the ready endpoint. */
#include <json-glib/json-glib.h>
#include <stdio.h>
#include <string.h>

#include "rh-cloud.h"
#include "rh-error.h"
#include "rh-ready-endpoint.h"
#include "test-utils.h"

typedef struct
{
  const char *path;
  const char *region;
  const char *app_id;
  const char *room_uuid;
  const char *rest; /* NULL: no match */
} RouteRow;

/* Paths as sent, percent-encoded: the cloud's server keeps raw paths. */
static const RouteRow route_rows[] = {
  { "/edu/apps/a%201/v2/rooms/room%201%2Fx/records/ready", NULL, "a 1", "room 1/x",
    "records/ready" },
  { "/edu/apps/a1/v2/rooms/a%2F..%2Fb/records", NULL, "a1", "a/../b", "records" },
  { "/edu/apps/a1/v2/rooms/x%2Frecords%2Fready", NULL, "a1", "x/records/ready", "" },
  { "/e%20u/edu/apps/a1/v2/rooms/100%25/sequences", "e u", "a1", "100%", "sequences" },
  { "/edu/apps/a1/v2/rooms/caf%C3%A9", NULL, "a1", "caf\xc3\xa9", "" },
  { "/edu/apps/a1/v2/rooms/100%/records", NULL, NULL, NULL, NULL },
  { "/edu/apps/a1/v2/rooms/a%00b/records", NULL, NULL, NULL, NULL },
  { "/edu/apps/a1/v2/rooms/%FF/records", NULL, NULL, NULL, NULL },
  { "/edu/apps/a%2F1/v2/rooms/r1/records", NULL, NULL, NULL, NULL },
  { "/c%2Fn/edu/apps/a1/v2/rooms/r1/records", NULL, NULL, NULL, NULL },
  { "/edu/apps/a1/v2/rooms/r1/records/ready", NULL, "a1", "r1", "records/ready" },
  { "/cn/edu/apps/a1/v2/rooms/r1/records/ready", "cn", "a1", "r1", "records/ready" },
  { "/edu/apps/a1/v2/rooms/r1", NULL, "a1", "r1", "" },
  { "/ap/edu/apps/a1/v2/rooms/r1/records/states/1", "ap", "a1", "r1", "records/states/1" },
  { "/edu/apps/a1/v2/rooms/r1/records", NULL, "a1", "r1", "records" },
  { "/edu/apps/a1/v2/rooms/r1/sequences", NULL, "a1", "r1", "sequences" },
  { "/edu/apps/a 1/v2/rooms/room 1/x/records/ready", NULL, "a 1", "room 1/x", "records/ready" },
  { "/edu/apps/a1/v2/rooms/records/ready", NULL, "a1", "records/ready", "" },
  { "/edu/apps/a1/v1/rooms/r1/records/ready", NULL, NULL, NULL, NULL },
  { "/edu/apps//v2/rooms/r1/records/ready", NULL, NULL, NULL, NULL },
  { "/x/y/edu/apps/a1/v2/rooms/r1", NULL, NULL, NULL, NULL },
  { "/edu/apps/a1/v2/rooms/", NULL, NULL, NULL, NULL },
  { "/edu/apps/a1/v2/rooms", NULL, NULL, NULL, NULL },
  { "//edu/apps/a1/v2/rooms/r1", NULL, NULL, NULL, NULL },
  { "/", NULL, NULL, NULL, NULL },
  { "", NULL, NULL, NULL, NULL },
};

static void
test_route (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (route_rows); i++)
    {
      const RouteRow *row = &route_rows[i];
      g_autoptr (RhCloudRoute) route = rh_cloud_route_parse (row->path);

      g_test_message ("%s", row->path);
      if (row->rest == NULL)
        {
          g_assert_null (route);
          continue;
        }
      g_assert_nonnull (route);
      g_assert_cmpstr (route->region, ==, row->region);
      g_assert_cmpstr (route->app_id, ==, row->app_id);
      g_assert_cmpstr (route->room_uuid, ==, row->room_uuid);
      g_assert_cmpstr (route->rest, ==, row->rest);
    }
}

typedef struct
{
  RhCloud *cloud;
  SoupSession *session;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->cloud = rh_cloud_new (NULL, NULL);
  g_assert_true (rh_cloud_listen_local (fixture->cloud, 0, &error));
  g_assert_no_error (error);
  fixture->session = soup_session_new ();
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->session);
  g_object_unref (fixture->cloud);
}

/* The server runs on this thread's main context: stay async.  The message
 * comes back with its status and headers; an Origin makes it a page's. */
static SoupMessage *
send (Fixture *fixture, const char *method, const char *path, GBytes **body)
{
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (fixture->cloud), path, NULL);
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
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  *body = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);
  return g_steal_pointer (&msg);
}

static JsonObject *
request (Fixture *fixture, const char *method, const char *path, guint *status)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = send (fixture, method, path, &body);
  g_autoptr (JsonParser) parser = json_parser_new ();

  *status = soup_message_get_status (msg);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg),
                                                          NULL), ==, "application/json");
  /* Pages call from their own origin. */
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Access-Control-Allow-Origin"),
                   ==, "*");
  g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                             g_bytes_get_size (body), NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
on_ready (RhCloud *cloud, const char *app_id, const char *room_uuid, gpointer user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup_printf ("%s|%s", app_id, room_uuid));
}

static void
test_ready (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonObject) reply = NULL;
  guint status = 0;

  g_signal_connect (fixture->cloud, "ready-received", G_CALLBACK (on_ready), seen);
  reply = request (fixture, "PUT", "/na/edu/apps/a1/v2/rooms/room%201%2Fx/records/ready", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (reply, "msg"), ==, "Success");
  g_assert_cmpint (json_object_get_int_member (reply, "ts"), >, 1600000000000);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "a1|room 1/x");
  g_assert_cmpuint (rh_cloud_get_ready_count (fixture->cloud), ==, 1);
}

static void
test_errors (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    const char *method;
    const char *path;
    guint status;
  } rows[] = {
    { "GET", "/edu/apps/a1/v2/rooms/r1/records/ready", 405 },
    { "POST", "/edu/apps/a1/v2/rooms/r1/records/ready", 405 },
    { "PUT", "/edu/apps/a1/v2/rooms/r1/records/nope", 404 },
    { "PUT", "/nothing", 404 },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      guint status = 0;
      g_autoptr (JsonObject) reply = request (fixture, rows[i].method, rows[i].path, &status);

      g_assert_cmpuint (status, ==, rows[i].status);
      g_assert_cmpint (json_object_get_int_member (reply, "code"), !=, 0);
    }
  g_assert_cmpuint (rh_cloud_get_ready_count (fixture->cloud), ==, 0);
}

/* ---- the SDKs' first calls (--sdk-api local) ---- */

static JsonObject *
sdk_api_data (Fixture *fixture, const char *method, const char *path)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = request (fixture, method, path, &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 0);
  return json_object_ref (json_object_get_object_member (reply, "data"));
}

static void
test_sdk_configs (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) answer = sdk_api_data (fixture, "GET", "/cn/edu/apps/app1/v2/configs");
  JsonObject *oss = json_object_get_object_member (json_object_get_object_member (answer,
                                                                                  "netless"),
                                                   "oss");

  /* A valid OSS bucket name: lower case, digits and hyphens, 3..63. */
  g_assert_true (g_regex_match_simple ("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
                                       json_object_get_string_member (oss, "bucket"), 0, 0));
  g_assert_true (json_object_has_member (answer, "vid"));
}

static void
test_sdk_check_in (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) answer = sdk_api_data (fixture, "PUT",
                                                "/cn/edu/apps/app1/v3/rooms/r1/users/u1");

  g_assert_cmpint (json_object_get_int_member (answer, "state"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (answer, "rtmRegion"), ==, "AREA_GLOBAL");
}

static void
test_sdk_wrong_method (Fixture *fixture, gconstpointer data)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = request (fixture, "POST", "/cn/edu/apps/app1/v2/configs",
                                          &status);

  g_assert_cmpuint (status, ==, 405);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), !=, 0);
}

/* The browser's preflight for a PUT with the SDK's headers. */
static void
test_preflight (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = send (fixture, "OPTIONS",
                                      "/cn/edu/apps/app1/v3/rooms/r1/users/u1", &body);
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==,
                   "*");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Headers"), ==,
                   "content-type,x-agora-token,x-agora-uid");
}

/* ---- the ready-call stand-in of `check` ---- */

typedef struct
{
  const char *name;
  const char *region;
  const char *room_uuid;
} StandinRow;

/* Room uuids a page may be given: each reaches the stand-in, percent-encoded
 * in the ready call's path, and is acknowledged as itself. */
static const StandinRow standin_rows[] = {
  { "plain", NULL, "room-1" },
  { "dot-dot-inside", NULL, "a/../b" },
  { "dot-dot-first", "na", "../room" },
  { "dot-dot-last", NULL, "room/.." },
  { "three-dots", NULL, "..." },
  { "slash", NULL, "room/1" },
  { "percent", NULL, "100%" },
  { "percent-escape", NULL, "a%2Fb%00" },
  { "spaces", "cn", "room 1 / x" },
  { "non-ascii", NULL, "salle-\xc3\xa9t\xc3\xa9-\xe6\x95\x99\xe5\xae\xa4" },
  { "endpoint-inside", NULL, "x/records/ready" },
  { "query-like", NULL, "a?b=c#d" },
};

static void
standin_ready_cb (RhCloud *cloud, const char *app_id, const char *room_uuid, gpointer user_data)
{
  g_free (*(char **) user_data);
  *(char **) user_data = g_strdup (room_uuid);
}

static void
test_standin (gconstpointer data)
{
  const StandinRow *row = data;
  g_autoptr (RhPageOptions) options = rh_page_options_new ();
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (RhReadyEndpoint) endpoint = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *seen = NULL;

  options->room = rh_room_new ();
  options->room->app_id = g_strdup ("app 1");
  options->room->room_uuid = g_strdup (row->room_uuid);
  if (row->region != NULL)
    g_assert_true (rh_room_set_region (options->room, row->region, NULL));
  endpoint = rh_ready_endpoint_open (options, &error);
  g_assert_no_error (error);
  rh_ready_endpoint_tell (endpoint, timeline);
  g_signal_connect (endpoint->cloud, "ready-received", G_CALLBACK (standin_ready_cb), &seen);
  rh_ready_call_send_async (endpoint->call, g_get_monotonic_time () + 10 * G_USEC_PER_SEC, NULL,
                            rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  rh_ready_call_send_finish (endpoint->call, result, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (rh_ready_call_get_status (endpoint->call), ==, 200);
  g_assert_cmpstr (seen, ==, row->room_uuid);
}

/* A path segment "." or ".." is removed by every HTTP client and server on
 * the way: such a room cannot be named in the cloud's API. */
static void
test_dot_segment_room (void)
{
  static const char *const rooms[] = { ".", ".." };

  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *uri = rh_ready_call_build_uri ("http://127.0.0.1:1", NULL, "a1", rooms[i],
                                                      &error);

      g_assert_null (uri);
      g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, "room uuid"));
    }
}

/* ---- refusing before the body ---- */

/* A client below libsoup, for what SoupSession will not send: headers that
 * announce a body which never comes, a chunked body without end.  The
 * answer is read as it arrives. */
typedef struct
{
  GSocketConnection *connection;
  GCancellable *cancellable;
  GByteArray *answer;
  gboolean closed; /* the server closed its side */
  gboolean failed;
  guint8 buffer[4096];
} RawClient;

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

/* Connects and sends @head, a request's line and headers. */
static RawClient *
raw_client_new (RhCloud *cloud, const char *head)
{
  g_autoptr (GSocketClient) socket_client = g_socket_client_new ();
  g_autoptr (GUri) base = g_uri_parse (rh_cloud_get_base_url (cloud), G_URI_FLAGS_NONE, NULL);
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
static void
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

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RawClient, raw_client_free)

/* The answer's body, once all of it arrived (after its Content-Length
 * bytes, or the server's end of stream); NULL before. */
static char *
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

static gboolean
raw_client_answered (gpointer user_data)
{
  g_autofree char *body = raw_client_get_body (user_data);

  return body != NULL;
}

/* The status of the first answer, and the envelope's code. */
static void
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

typedef struct
{
  const char *name;
  const char *token; /* the cloud requires it; NULL for none */
  const char *headers;
  guint status;
} RefuseRow;

/* Each announces a body and sends none of it: the answer must come at once. */
static const RefuseRow refuse_rows[] = {
  { "length-over-bound", NULL, "Content-Length: 1073741824\r\n", 413 },
  { "length-over-bound-expect", NULL, "Content-Length: 1073741824\r\nExpect: 100-continue\r\n",
    413 },
  { "no-token", "s3cret", "Content-Length: 1000\r\n", 401 },
  { "wrong-token", "s3cret", "x-agora-token: nope\r\nContent-Length: 1073741824\r\n", 401 },
  { "no-token-expect", "s3cret", "Content-Length: 1000\r\nExpect: 100-continue\r\n", 401 },
  { "no-token-chunked", "s3cret", "Transfer-Encoding: chunked\r\n", 401 },
  /* Framings that would have the body read until the client closes. */
  { "length-negative", NULL, "Content-Length: -1\r\n", 400 },
  { "length-twice", NULL, "Content-Length: 5\r\nContent-Length: 7\r\n", 400 },
  { "length-and-chunked", NULL, "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400 },
};

#define READY_PATH "/edu/apps/a1/v2/rooms/r1/records/ready"

static void
test_refuse_at_headers (gconstpointer data)
{
  const RefuseRow *row = data;
  g_autoptr (RhCloud) cloud = rh_cloud_new (NULL, row->token);
  g_autoptr (GError) error = NULL;
  g_autofree char *head = NULL;
  g_autoptr (RawClient) client = NULL;

  g_assert_true (rh_cloud_listen_local (cloud, 0, &error));
  head = g_strconcat ("PUT " READY_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                      "Content-Type: application/json\r\n",
                      row->headers, "\r\n", NULL);
  client = raw_client_new (cloud, head);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, row->status, row->status);
  g_assert_cmpuint (rh_cloud_get_ready_count (cloud), ==, 0);
}

/* A chunked body has no length to refuse on: it is refused as soon as it
 * passes the bound, not read to its end. */
static void
test_chunked_past_bound (void)
{
  g_autoptr (RhCloud) cloud = rh_cloud_new (NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RawClient) client = NULL;
  g_autofree char *chunk = NULL;
  g_autofree char *filler = g_strnfill (16 * 1024, 'a');
  GOutputStream *output;
  gsize sent = 0;

  g_assert_true (rh_cloud_listen_local (cloud, 0, &error));
  client = raw_client_new (cloud, "PUT " READY_PATH " HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                  "Transfer-Encoding: chunked\r\n\r\n");
  output = g_io_stream_get_output_stream (G_IO_STREAM (client->connection));
  chunk = g_strdup_printf ("%zx\r\n%s\r\n", strlen (filler), filler);
  while (!raw_client_answered (client) && !client->closed && sent < 4 * 1024 * 1024)
    {
      if (!g_output_stream_write_all (output, chunk, strlen (chunk), NULL, NULL, NULL))
        break;
      sent += strlen (filler);
      /* Let the server read it all before the next one. */
      while (g_main_context_iteration (NULL, FALSE))
        ;
    }
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, 413, 413);
  /* The bound is 64 KiB: answered within two chunks past it. */
  g_assert_cmpuint (sent, <=, 64 * 1024 + 2 * strlen (filler));
}

static void
test_loopback_only (Fixture *fixture, gconstpointer data)
{
  g_assert_true (g_str_has_prefix (rh_cloud_get_base_url (fixture->cloud), "http://127.0.0.1:"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/cloud/route", test_route);
  g_test_add ("/cloud/ready", Fixture, NULL, fixture_setup, test_ready, fixture_teardown);
  g_test_add ("/cloud/errors", Fixture, NULL, fixture_setup, test_errors, fixture_teardown);
  g_test_add ("/cloud/loopback-only", Fixture, NULL, fixture_setup, test_loopback_only,
              fixture_teardown);
  g_test_add ("/cloud/sdk-api/configs", Fixture, NULL, fixture_setup, test_sdk_configs,
              fixture_teardown);
  g_test_add ("/cloud/sdk-api/check-in", Fixture, NULL, fixture_setup, test_sdk_check_in,
              fixture_teardown);
  g_test_add ("/cloud/sdk-api/wrong-method", Fixture, NULL, fixture_setup, test_sdk_wrong_method,
              fixture_teardown);
  g_test_add ("/cloud/preflight", Fixture, NULL, fixture_setup, test_preflight,
              fixture_teardown);
  for (guint i = 0; i < G_N_ELEMENTS (refuse_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/refuse-at-headers/", refuse_rows[i].name, NULL);

      g_test_add_data_func (path, &refuse_rows[i], test_refuse_at_headers);
    }
  g_test_add_func ("/cloud/chunked-past-bound", test_chunked_past_bound);
  for (guint i = 0; i < G_N_ELEMENTS (standin_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/ready-standin/", standin_rows[i].name, NULL);

      g_test_add_data_func (path, &standin_rows[i], test_standin);
    }
  g_test_add_func ("/cloud/ready-standin/dot-segment-room", test_dot_segment_room);
  return g_test_run ();
}
