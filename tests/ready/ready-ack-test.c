/* The ready acknowledger of `check` and `run`: the ready call and the SDK's
 * first calls over HTTP, the guards every API server has, and the ready
 * endpoint that starts it. */
#include <string.h>

#include "api-client.h"
#include "rh-error.h"
#include "rh-ready-ack.h"
#include "rh-ready-endpoint.h"
#include "rh-route.h"
#include "test-utils.h"

#define READY_PATH "/edu/apps/a1/v2/rooms/r1/records/ready"

typedef struct
{
  RhReadyAck *ack;
  SoupSession *session;
} Fixture;

static void
start (Fixture *fixture, gboolean answer_sdk_api)
{
  g_autoptr (GError) error = NULL;

  fixture->ack = rh_ready_ack_new (answer_sdk_api, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->ack);
  fixture->session = soup_session_new ();
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  start (fixture, FALSE);
}

/* --sdk-api local: the SDK's calls are answered too. */
static void
fixture_setup_sdk_api (Fixture *fixture, gconstpointer data)
{
  start (fixture, TRUE);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->session);
  g_object_unref (fixture->ack);
}

/* A page's call (Origin: null, a file page's) or, with @origin NULL, no page's. */
static JsonObject *
request_from (Fixture *fixture, const char *method, const char *path, const char *origin,
              guint *status)
{
  return api_client_request (fixture->session, rh_ready_ack_get_base_url (fixture->ack), method,
                             path, origin, status);
}

static JsonObject *
request (Fixture *fixture, const char *method, const char *path, guint *status)
{
  return request_from (fixture, method, path, "null", status);
}

static void
on_ready (RhReadyAck *ack, const char *app_id, const char *room_uuid, gpointer user_data)
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

  g_signal_connect (fixture->ack, "ready-received", G_CALLBACK (on_ready), seen);
  reply = request (fixture, "PUT", "/na/edu/apps/a1/v2/rooms/room%201%2Fx/records/ready", &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (reply, "msg"), ==, "Success");
  g_assert_cmpint (json_object_get_int_member (reply, "ts"), >, 1600000000000);
  g_assert_cmpuint (seen->len, ==, 1);
  g_assert_cmpstr (g_ptr_array_index (seen, 0), ==, "a1|room 1/x");
  g_assert_cmpuint (rh_ready_ack_get_ready_count (fixture->ack), ==, 1);
}

typedef struct
{
  const char *name;
  const char *method;
  const char *path;
  const char *origin; /* a page's call: the ready call; NULL for the rest */
  guint status;
  const char *allow; /* the Allow header expected, or NULL for none */
} ErrorRow;

/* Only the ready call is answered: the rest of the recording API is not. */
static const ErrorRow error_rows[] = {
  { "ready-get", "GET", READY_PATH, "null", 405, "PUT" },
  { "ready-post", "POST", READY_PATH, "null", 405, "PUT" },
  { "unknown-endpoint", "PUT", "/edu/apps/a1/v2/rooms/r1/records/nope", NULL, 404, NULL },
  { "start", "PUT", "/edu/apps/a1/v2/rooms/r1/records/states/1", NULL, 404, NULL },
  { "records", "GET", "/edu/apps/a1/v2/rooms/r1/records", NULL, 404, NULL },
  { "room", "POST", "/edu/apps/a1/v2/rooms/r1", NULL, 404, NULL },
  { "health", "GET", "/health", NULL, 404, NULL },
  { "nothing", "PUT", "/nothing", NULL, 404, NULL },
};

static void
test_error (Fixture *fixture, gconstpointer data)
{
  const ErrorRow *row = data;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  guint status = 0;
  g_autoptr (JsonObject) reply = request_from (fixture, row->method, row->path, row->origin,
                                               &status);

  g_assert_cmpuint (status, ==, row->status);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, row->status);
  msg = api_client_send (fixture->session, rh_ready_ack_get_base_url (fixture->ack), row->method,
                         row->path, row->origin, &body);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Allow"),
                   ==, row->allow);
  g_assert_cmpuint (rh_ready_ack_get_ready_count (fixture->ack), ==, 0);
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

/* 1.1.x's room entry, after event 1. */
static void
test_sdk_entry (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) answer = sdk_api_data (fixture, "PUT",
                                                "/cn/edu/apps/app1/v2/rooms/r1/users/u1");

  g_assert_cmpint (json_object_get_int_member (answer, "state"), ==, 1);
  g_assert_true (json_object_has_member (json_object_get_object_member (answer, "board"),
                                         "boardId"));
  g_assert_cmpuint (rh_ready_ack_get_ready_count (fixture->ack), ==, 0);
}

/* 1.1.x's RTM login, after the entry: refused with why, readable by the page. */
static void
test_sdk_rtm_login (Fixture *fixture, gconstpointer data)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = request (fixture, "POST",
                                          "/cn/scene/apps/app1/v1/users/u1/login", &status);

  g_assert_cmpuint (status, ==, 501);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 501);
  g_assert_nonnull (strstr (json_object_get_string_member (reply, "msg"), "RTM login"));
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

/* Without --sdk-api local the SDK's calls go to the real cloud: here they
 * are no API. */
static void
test_sdk_not_asked (Fixture *fixture, gconstpointer data)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = request (fixture, "GET", "/cn/edu/apps/app1/v2/configs",
                                          &status);

  g_assert_cmpuint (status, ==, 404);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 404);
}

/* The browser's preflight for a PUT with the SDK's headers. */
static void
test_preflight (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = api_client_send (fixture->session,
                                                 rh_ready_ack_get_base_url (fixture->ack),
                                                 "OPTIONS", READY_PATH, "null", &body);
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
  g_assert_true (g_str_has_prefix (rh_ready_ack_get_base_url (fixture->ack),
                                   "http://127.0.0.1:"));
}

/* ---- refusing before the body ---- */

typedef struct
{
  const char *name;
  const char *headers;
  guint status;
} RefuseRow;

/* Each announces a body and sends none of it: the answer must come at once. */
static const RefuseRow refuse_rows[] = {
  { "length-over-bound", "Content-Length: 1073741824\r\n", 413 },
  { "length-over-bound-expect", "Content-Length: 1073741824\r\nExpect: 100-continue\r\n", 413 },
  /* Framings that would have the body read until the client closes. */
  { "length-negative", "Content-Length: -1\r\n", 400 },
  { "length-twice", "Content-Length: 5\r\nContent-Length: 7\r\n", 400 },
  { "length-and-chunked", "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n", 400 },
};

static void
test_refuse_at_headers (Fixture *fixture, gconstpointer data)
{
  const RefuseRow *row = data;
  g_autofree char *host = api_client_authority (rh_ready_ack_get_base_url (fixture->ack));
  g_autofree char *head = NULL;
  g_autoptr (RawClient) client = NULL;

  head = g_strconcat ("PUT " READY_PATH " HTTP/1.1\r\nHost: ", host, "\r\n"
                      "Content-Type: application/json\r\n",
                      row->headers, "\r\n", NULL);
  client = raw_client_new (rh_ready_ack_get_base_url (fixture->ack), head);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, row->status, row->status);
  g_assert_cmpuint (rh_ready_ack_get_ready_count (fixture->ack), ==, 0);
}

/* A chunked body has no length to refuse on: it is refused as soon as it
 * passes the bound, not read to its end. */
static void
test_chunked_past_bound (Fixture *fixture, gconstpointer data)
{
  g_autofree char *host = api_client_authority (rh_ready_ack_get_base_url (fixture->ack));
  g_autofree char *head = g_strconcat ("PUT " READY_PATH " HTTP/1.1\r\nHost: ", host,
                                       "\r\nTransfer-Encoding: chunked\r\n\r\n", NULL);
  g_autoptr (RawClient) client = NULL;
  gsize sent;

  client = raw_client_new (rh_ready_ack_get_base_url (fixture->ack), head);
  sent = raw_client_send_endless_chunks (client);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, 413, 413);
  /* The bound is 64 KiB: answered within two chunks past it. */
  g_assert_cmpuint (sent, <=, 64 * 1024 + 2 * RAW_CLIENT_CHUNK_BYTES);
}

/* A page that a name of the attacker's now resolving to 127.0.0.1 serves
 * (DNS rebinding) is not answered: the Host names another server. */
static void
test_host (Fixture *fixture, gconstpointer data)
{
  api_client_assert_host (rh_ready_ack_get_base_url (fixture->ack), data);
}

/* ---- the ready endpoint ---- */

typedef struct
{
  const char *name;
  const char *region;
  const char *room_uuid;
} StandinRow;

/* Room uuids a page may be given: each reaches the acknowledger,
 * percent-encoded in the ready call's path, and is acknowledged as itself. */
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
standin_ready_cb (RhReadyAck *ack, const char *app_id, const char *room_uuid, gpointer user_data)
{
  g_free (*(char **) user_data);
  *(char **) user_data = g_strdup (room_uuid);
}

static void
test_standin (gconstpointer data)
{
  const StandinRow *row = data;
  g_autoptr (RhRoom) room = rh_room_new ();
  g_autoptr (GPtrArray) routes = rh_route_list_new ();
  g_autoptr (RhReadyEndpoint) endpoint = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *seen = NULL;

  room->app_id = g_strdup ("app 1");
  room->room_uuid = g_strdup (row->room_uuid);
  if (row->region != NULL)
    g_assert_true (rh_room_set_region (room, row->region, NULL));
  endpoint = rh_ready_endpoint_open (room, NULL, FALSE, routes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (endpoint->ack);
  g_assert_cmpuint (routes->len, ==, 0);
  g_signal_connect (endpoint->ack, "ready-received", G_CALLBACK (standin_ready_cb), &seen);
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
      g_autoptr (RhRoom) room = rh_room_new ();
      g_autoptr (GPtrArray) routes = rh_route_list_new ();
      g_autoptr (RhReadyEndpoint) endpoint = NULL;
      g_autoptr (GError) error = NULL;

      room->app_id = g_strdup ("a1");
      room->room_uuid = g_strdup (rooms[i]);
      endpoint = rh_ready_endpoint_open (room, NULL, FALSE, routes, &error);
      g_assert_null (endpoint);
      g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, "room uuid"));
    }
}

/* --api-base alone: the call goes there, nothing listens here. */
static void
test_endpoint_api_base (void)
{
  g_autoptr (RhRoom) room = rh_room_new ();
  g_autoptr (GPtrArray) routes = rh_route_list_new ();
  g_autoptr (RhReadyEndpoint) endpoint = NULL;
  g_autoptr (GError) error = NULL;

  room->app_id = g_strdup ("a1");
  room->room_uuid = g_strdup ("r1");
  endpoint = rh_ready_endpoint_open (room, "https://api.example", FALSE, routes, &error);
  g_assert_no_error (error);
  g_assert_null (endpoint->ack);
  g_assert_cmpstr (rh_ready_call_get_uri (endpoint->call), ==,
                   "https://api.example/edu/apps/a1/v2/rooms/r1/records/ready");
  g_assert_cmpuint (routes->len, ==, 0);
}

/* --sdk-api local: the SDK's hosts are routed to the acknowledger, which
 * answers their calls, while the ready call still goes to --api-base. */
static void
test_endpoint_sdk_api (void)
{
  g_autoptr (RhRoom) room = rh_room_new ();
  g_autoptr (GPtrArray) routes = rh_route_list_new ();
  g_autoptr (RhReadyEndpoint) endpoint = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (SoupSession) session = soup_session_new ();
  g_autoptr (JsonObject) reply = NULL;
  guint status = 0;

  room->app_id = g_strdup ("a1");
  room->room_uuid = g_strdup ("r1");
  endpoint = rh_ready_endpoint_open (room, "https://api.example", TRUE, routes, &error);
  g_assert_no_error (error);
  g_assert_nonnull (endpoint->ack);
  g_assert_cmpuint (routes->len, ==, g_strv_length ((char **) rh_route_sdk_api_hosts ()));
  for (guint i = 0; i < routes->len; i++)
    g_assert_cmpstr (((RhRoute *) g_ptr_array_index (routes, i))->base, ==,
                     rh_ready_ack_get_base_url (endpoint->ack));
  g_assert_true (g_str_has_prefix (rh_ready_call_get_uri (endpoint->call),
                                   "https://api.example/"));
  reply = api_client_request (session, rh_ready_ack_get_base_url (endpoint->ack), "GET",
                              "/edu/apps/a1/v2/configs", "null", &status);
  g_assert_cmpuint (status, ==, 200);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
#define ADD_SDK_API(path, func)                                                                   \
  g_test_add (path, Fixture, NULL, fixture_setup_sdk_api, func, fixture_teardown)

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  ADD ("/ready-ack/ready", test_ready);
  for (guint i = 0; i < G_N_ELEMENTS (error_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/ready-ack/errors/", error_rows[i].name, NULL);

      g_test_add (path, Fixture, &error_rows[i], fixture_setup, test_error, fixture_teardown);
    }
  ADD ("/ready-ack/loopback-only", test_loopback_only);
  ADD_SDK_API ("/ready-ack/sdk-api/configs", test_sdk_configs);
  ADD_SDK_API ("/ready-ack/sdk-api/check-in", test_sdk_check_in);
  ADD_SDK_API ("/ready-ack/sdk-api/entry", test_sdk_entry);
  ADD_SDK_API ("/ready-ack/sdk-api/rtm-login", test_sdk_rtm_login);
  ADD_SDK_API ("/ready-ack/sdk-api/wrong-method", test_sdk_wrong_method);
  ADD ("/ready-ack/sdk-api/not-asked", test_sdk_not_asked);
  ADD ("/ready-ack/preflight", test_preflight);
  for (guint i = 0; api_client_host_rows[i].name != NULL; i++)
    {
      g_autofree char *path = g_strconcat ("/ready-ack/host/", api_client_host_rows[i].name,
                                           NULL);

      g_test_add (path, Fixture, &api_client_host_rows[i], fixture_setup, test_host,
                  fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (refuse_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/ready-ack/refuse-at-headers/", refuse_rows[i].name,
                                           NULL);

      g_test_add (path, Fixture, &refuse_rows[i], fixture_setup, test_refuse_at_headers,
                  fixture_teardown);
    }
  ADD ("/ready-ack/chunked-past-bound", test_chunked_past_bound);
  for (guint i = 0; i < G_N_ELEMENTS (standin_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/ready-ack/standin/", standin_rows[i].name, NULL);

      g_test_add_data_func (path, &standin_rows[i], test_standin);
    }
  g_test_add_func ("/ready-ack/standin/dot-segment-room", test_dot_segment_room);
  g_test_add_func ("/ready-ack/endpoint/api-base", test_endpoint_api_base);
  g_test_add_func ("/ready-ack/endpoint/sdk-api", test_endpoint_sdk_api);
  return g_test_run ();
}
