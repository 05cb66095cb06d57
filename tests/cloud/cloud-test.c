/* The local cloud over HTTP without a page: the ready call of a room not
 * recording, wrong methods and paths, the SDK's calls, and requests refused
 * at their headers.  Recordings are in cloud-flow-test.c. */
#include <string.h>

#include "api-client.h"
#include "cloud-fixture.h"
#include "test-utils.h"

#define READY_PATH "/edu/apps/a1/v2/rooms/r1/records/ready"

typedef CloudFixture Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  cloud_fixture_setup (fixture, NULL, 10);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  cloud_fixture_teardown (fixture);
}

static JsonObject *
request (Fixture *fixture, const char *method, const char *path, guint *status)
{
  return api_client_request (fixture->session, rh_cloud_get_base_url (fixture->cloud), method,
                             path, status);
}

static void
on_ready (RhCloud *cloud, const char *app_id, const char *room_uuid, gpointer user_data)
{
  GPtrArray *seen = user_data;

  g_ptr_array_add (seen, g_strdup_printf ("%s|%s", app_id, room_uuid));
}

/* The ready call is heard, and refused: the room records nothing. */
static void
test_ready_not_started (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GPtrArray) seen = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (JsonObject) reply = NULL;
  guint status = 0;

  g_signal_connect (fixture->cloud, "ready-received", G_CALLBACK (on_ready), seen);
  reply = request (fixture, "PUT", "/na/edu/apps/a1/v2/rooms/room%201%2Fx/records/ready", &status);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 30409410);
  g_assert_cmpint (json_object_get_int_member (reply, "ts"), >, 1600000000000);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "a1|room 1/x");
  g_assert_cmpuint (rh_cloud_get_ready_count (fixture->cloud), ==, 1);
}

typedef struct
{
  const char *name;
  const char *method;
  const char *path;
  guint status;
  const char *allow; /* the Allow header expected, or NULL for none */
} ErrorRow;

static const ErrorRow error_rows[] = {
  { "ready-get", "GET", READY_PATH, 405, "PUT" },
  { "ready-post", "POST", READY_PATH, 405, "PUT" },
  { "start-get", "GET", "/edu/apps/a1/v2/rooms/r1/records/states/1", 405, "PUT, PATCH" },
  { "room-delete", "DELETE", "/edu/apps/a1/v2/rooms/r1", 405, "POST" },
  { "health-post", "POST", "/health", 405, NULL },
  /* A room uuid may hold a '/': this names room "r1/records/nope". */
  { "unknown-endpoint", "PUT", "/edu/apps/a1/v2/rooms/r1/records/nope", 405, "POST" },
  { "records-unknown-room", "GET", "/edu/apps/a1/v2/rooms/r1/records", 404, NULL },
  { "nothing", "PUT", "/nothing", 404, NULL },
};

static void
test_error (Fixture *fixture, gconstpointer data)
{
  const ErrorRow *row = data;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  guint status = 0;
  g_autoptr (JsonObject) reply = request (fixture, row->method, row->path, &status);

  g_assert_cmpuint (status, ==, row->status);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, row->status);
  msg = api_client_send (fixture->session, rh_cloud_get_base_url (fixture->cloud), row->method,
                         row->path, &body);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Allow"),
                   ==, row->allow);
  g_assert_cmpuint (rh_cloud_get_ready_count (fixture->cloud), ==, 0);
}

/* The pages the cloud records may route the SDK's calls here too. */
static void
test_sdk_configs (Fixture *fixture, gconstpointer data)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = request (fixture, "GET", "/cn/edu/apps/app1/v2/configs",
                                          &status);

  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 0);
  g_assert_true (json_object_has_member (json_object_get_object_member (reply, "data"),
                                         "netless"));
}

static void
test_sdk_wrong_method (Fixture *fixture, gconstpointer data)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = request (fixture, "GET",
                                          "/cn/edu/apps/app1/v3/rooms/r1/users/u1", &status);

  g_assert_cmpuint (status, ==, 405);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 405);
}

/* The browser's preflight for a PUT with the SDK's headers. */
static void
test_preflight (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = api_client_send (fixture->session,
                                                 rh_cloud_get_base_url (fixture->cloud),
                                                 "OPTIONS", READY_PATH, &body);
  SoupMessageHeaders *headers = soup_message_get_response_headers (msg);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Origin"), ==,
                   "*");
  g_assert_cmpstr (soup_message_headers_get_one (headers, "Access-Control-Allow-Headers"), ==,
                   "content-type,x-agora-token,x-agora-uid");
}

static void
test_loopback_only (Fixture *fixture, gconstpointer data)
{
  g_assert_true (g_str_has_prefix (rh_cloud_get_base_url (fixture->cloud), "http://127.0.0.1:"));
  g_assert_false (rh_cloud_is_exposed (fixture->cloud));
}

/* ---- refusing before the body ---- */

typedef struct
{
  const char *name;
  const char *token; /* the cloud requires it; NULL for none */
  const char *method;
  const char *path;
  const char *headers;
  guint status;
} RefuseRow;

/* Each announces a body and sends none of it: the answer must come at once. */
static const RefuseRow refuse_rows[] = {
  { "length-over-bound", NULL, "PUT", READY_PATH, "Content-Length: 1073741824\r\n", 413 },
  { "length-over-bound-expect", NULL, "PUT", READY_PATH,
    "Content-Length: 1073741824\r\nExpect: 100-continue\r\n", 413 },
  { "no-token", "s3cret", "PUT", READY_PATH, "Content-Length: 1000\r\n", 401 },
  { "wrong-token", "s3cret", "PUT", READY_PATH,
    "x-agora-token: nope\r\nContent-Length: 1073741824\r\n", 401 },
  { "no-token-expect", "s3cret", "PUT", READY_PATH,
    "Content-Length: 1000\r\nExpect: 100-continue\r\n", 401 },
  { "no-token-chunked", "s3cret", "PUT", READY_PATH, "Transfer-Encoding: chunked\r\n", 401 },
  /* A load balancer has no token: /health needs none, but still a sane body. */
  { "health-length-over-bound", "s3cret", "GET", "/health", "Content-Length: 1073741824\r\n",
    413 },
  /* Framings that would have the body read until the client closes. */
  { "length-negative", NULL, "PUT", READY_PATH, "Content-Length: -1\r\n", 400 },
  { "length-twice", NULL, "PUT", READY_PATH, "Content-Length: 5\r\nContent-Length: 7\r\n", 400 },
  { "length-and-chunked", NULL, "PUT", READY_PATH,
    "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400 },
};

static void
test_refuse_at_headers (Fixture *fixture, gconstpointer data)
{
  const RefuseRow *row = data;
  g_autofree char *head = NULL;
  g_autoptr (RawClient) client = NULL;

  cloud_fixture_start (fixture, row->token);
  head = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                          "Content-Type: application/json\r\n%s\r\n",
                          row->method, row->path, row->headers);
  client = raw_client_new (rh_cloud_get_base_url (fixture->cloud), head);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, row->status, row->status);
  g_assert_cmpuint (rh_cloud_get_ready_count (fixture->cloud), ==, 0);
}

/* GET /health is answered without the token. */
static void
test_health_without_token (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RawClient) client = NULL;

  cloud_fixture_start (fixture, "s3cret");
  client = raw_client_new (rh_cloud_get_base_url (fixture->cloud),
                           "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n");
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, 200, 0);
}

/* A chunked body has no length to refuse on: it is refused as soon as it
 * passes the bound, not read to its end. */
static void
test_chunked_past_bound (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RawClient) client = NULL;
  gsize sent;

  client = raw_client_new (rh_cloud_get_base_url (fixture->cloud),
                           "PUT /edu/apps/a1/v2/rooms/r1/records/states/1 HTTP/1.1\r\n"
                           "Host: 127.0.0.1\r\nTransfer-Encoding: chunked\r\n\r\n");
  sent = raw_client_send_endless_chunks (client);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, 413, 413);
  /* The bound is 64 KiB: answered within two chunks past it. */
  g_assert_cmpuint (sent, <=, 64 * 1024 + 2 * RAW_CLIENT_CHUNK_BYTES);
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  ADD ("/cloud/ready-not-started", test_ready_not_started);
  for (guint i = 0; i < G_N_ELEMENTS (error_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/errors/", error_rows[i].name, NULL);

      g_test_add (path, Fixture, &error_rows[i], fixture_setup, test_error, fixture_teardown);
    }
  ADD ("/cloud/loopback-only", test_loopback_only);
  ADD ("/cloud/sdk-api/configs", test_sdk_configs);
  ADD ("/cloud/sdk-api/wrong-method", test_sdk_wrong_method);
  ADD ("/cloud/preflight", test_preflight);
  for (guint i = 0; i < G_N_ELEMENTS (refuse_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/refuse-at-headers/", refuse_rows[i].name, NULL);

      g_test_add (path, Fixture, &refuse_rows[i], fixture_setup, test_refuse_at_headers,
                  fixture_teardown);
    }
  ADD ("/cloud/health-without-token", test_health_without_token);
  ADD ("/cloud/chunked-past-bound", test_chunked_past_bound);
  return g_test_run ();
}
