/* The local cloud over HTTP without a page: the ready call of a room not
 * recording, wrong methods and paths, the SDK's calls, requests refused at
 * their headers, and what a web page the user opens can make it do.
 * Recordings are in cloud-flow-test.c. */
#include <string.h>
#include <unistd.h>

#include "api-client.h"
#include "cloud-fixture.h"
#include "rh-error.h"
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

/* A page's call (Origin: null, a file page's) or, with @origin NULL, no page's. */
static JsonObject *
request_from (Fixture *fixture, const char *method, const char *path, const char *origin,
              guint *status)
{
  return api_client_request (fixture->session, rh_cloud_get_base_url (fixture->cloud), method,
                             path, origin, status);
}

static JsonObject *
request (Fixture *fixture, const char *method, const char *path, guint *status)
{
  return request_from (fixture, method, path, "null", status);
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
  const char *origin; /* a page's call: the ready call; NULL for the rest */
  guint status;
  const char *allow; /* the Allow header expected, or NULL for none */
} ErrorRow;

static const ErrorRow error_rows[] = {
  { "ready-get", "GET", READY_PATH, "null", 405, "PUT" },
  { "ready-post", "POST", READY_PATH, "null", 405, "PUT" },
  { "start-get", "GET", "/edu/apps/a1/v2/rooms/r1/records/states/1", NULL, 405, "PUT, PATCH" },
  { "room-delete", "DELETE", "/edu/apps/a1/v2/rooms/r1", NULL, 405, "POST" },
  { "health-post", "POST", "/health", NULL, 405, NULL },
  /* A room uuid may hold a '/': this names room "r1/records/nope". */
  { "unknown-endpoint", "PUT", "/edu/apps/a1/v2/rooms/r1/records/nope", NULL, 405, "POST" },
  { "records-unknown-room", "GET", "/edu/apps/a1/v2/rooms/r1/records", NULL, 404, NULL },
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
  msg = api_client_send (fixture->session, rh_cloud_get_base_url (fixture->cloud), row->method,
                         row->path, row->origin, &body);
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
  g_autofree char *host = NULL;
  g_autoptr (RawClient) client = NULL;

  cloud_fixture_start (fixture, row->token);
  host = api_client_authority (rh_cloud_get_base_url (fixture->cloud));
  head = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: %s\r\n"
                          "Content-Type: application/json\r\n%s\r\n",
                          row->method, row->path, host, row->headers);
  client = raw_client_new (rh_cloud_get_base_url (fixture->cloud), head);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, row->status, row->status);
  g_assert_cmpuint (rh_cloud_get_ready_count (fixture->cloud), ==, 0);
}

/* ---- recordings' files ---- */

#define RECORDING "room-1-0123456789abcdef-1795480124083.mp4"

typedef struct
{
  const char *name;
  const char *token;   /* the cloud requires it; NULL for none */
  const char *request; /* method, path and headers of the request */
  guint status;
} DownloadRow;

/* A recording downloads as the records list names it; nothing else in or
 * out of the data directory does, however named. */
static const DownloadRow download_rows[] = {
  { "recording", NULL, "GET /recordings/" RECORDING, 200 },
  { "with-token", "s3cret", "GET /recordings/" RECORDING " HTTP/1.1\r\nx-agora-token: s3cret",
    200 },
  { "without-token", "s3cret", "GET /recordings/" RECORDING, 401 },
  { "from-other-origin", NULL,
    "GET /recordings/" RECORDING " HTTP/1.1\r\nOrigin: https://attacker.example", 403 },
  { "post", NULL, "POST /recordings/" RECORDING " HTTP/1.1\r\nContent-Length: 0", 405 },
  { "missing", NULL, "GET /recordings/other.mp4", 404 },
  { "dot-dot", NULL, "GET /recordings/../outside.mp4", 404 },
  { "dot-dot-encoded", NULL, "GET /recordings/..%2Foutside.mp4", 404 },
  { "database", NULL, "GET /cloud.sqlite3", 404 },
  { "link-out", NULL, "GET /recordings/link.mp4", 404 },
  { "directory", NULL, "GET /recordings/dir.mp4", 404 },
  { "hidden", NULL, "GET /recordings/.hidden.mp4", 404 },
  { "not-a-recording", NULL, "GET /recordings/notes.txt", 404 },
  { "nested", NULL, "GET /recordings/dir.mp4/inner.mp4", 404 },
};

static void
put_file (const char *dir, const char *name, const char *contents)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);

  g_assert_true (g_file_set_contents (path, contents, -1, NULL));
}

static void
test_download (Fixture *fixture, gconstpointer data)
{
  const DownloadRow *row = data;
  g_autofree char *dir = g_build_filename (fixture->data_dir, "recordings", NULL);
  g_autofree char *inner = g_build_filename (dir, "dir.mp4", NULL);
  g_autofree char *link = g_build_filename (dir, "link.mp4", NULL);
  g_autofree char *outside = g_build_filename (fixture->data_dir, "outside.mp4", NULL);
  g_autofree char *host = NULL;
  g_autofree char *head = NULL;
  g_autofree char *body = NULL;
  g_autoptr (RawClient) client = NULL;

  g_assert_cmpint (g_mkdir_with_parents (inner, 0700), ==, 0);
  put_file (dir, RECORDING, "the recording");
  put_file (dir, ".hidden.mp4", "hidden");
  put_file (dir, "notes.txt", "notes");
  put_file (inner, "inner.mp4", "inner");
  put_file (fixture->data_dir, "outside.mp4", "outside");
  g_assert_cmpint (symlink (outside, link), ==, 0);
  cloud_fixture_start (fixture, row->token);
  host = api_client_authority (rh_cloud_get_base_url (fixture->cloud));
  head = g_strdup_printf ("%s%s\r\nHost: %s\r\n\r\n", row->request,
                          strstr (row->request, "HTTP/1.1") != NULL ? "" : " HTTP/1.1", host);
  client = raw_client_new (rh_cloud_get_base_url (fixture->cloud), head);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  g_assert_cmpuint (raw_client_get_status (client), ==, row->status);
  body = raw_client_get_body (client);
  if (row->status == 200)
    {
      g_autofree char *type = raw_client_get_header (client, "Content-Type");
      g_autofree char *policy = raw_client_get_header (client, "Cross-Origin-Resource-Policy");

      g_assert_cmpstr (body, ==, "the recording");
      g_assert_cmpstr (type, ==, "video/mp4");
      g_assert_cmpstr (policy, ==, "same-origin");
      return;
    }
  g_assert_null (strstr (body, "outside"));
  g_assert_null (strstr (body, "inner"));
  g_assert_null (strstr (body, "hidden"));
}

/* GET /health is answered without the token. */
static void
test_health_without_token (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RawClient) client = NULL;
  g_autofree char *host = NULL;
  g_autofree char *head = NULL;

  cloud_fixture_start (fixture, "s3cret");
  host = api_client_authority (rh_cloud_get_base_url (fixture->cloud));
  head = g_strdup_printf ("GET /health HTTP/1.1\r\nHost: %s\r\n\r\n", host);
  client = raw_client_new (rh_cloud_get_base_url (fixture->cloud), head);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, 200, 0);
}

/* A chunked body has no length to refuse on: it is refused as soon as it
 * passes the bound, not read to its end. */
static void
test_chunked_past_bound (Fixture *fixture, gconstpointer data)
{
  g_autofree char *host = api_client_authority (rh_cloud_get_base_url (fixture->cloud));
  g_autofree char *head = g_strdup_printf ("PUT /edu/apps/a1/v2/rooms/r1/records/states/1 "
                                           "HTTP/1.1\r\nHost: %s\r\nContent-Type: "
                                           "application/json\r\nTransfer-Encoding: chunked\r\n"
                                           "\r\n",
                                           host);
  g_autoptr (RawClient) client = NULL;
  gsize sent;

  client = raw_client_new (rh_cloud_get_base_url (fixture->cloud), head);
  sent = raw_client_send_endless_chunks (client);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  raw_client_assert_answer (client, 413, 413);
  /* The bound is 64 KiB: answered within two chunks past it. */
  g_assert_cmpuint (sent, <=, 64 * 1024 + 2 * RAW_CLIENT_CHUNK_BYTES);
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

/* ---- what a web page the user opens can make it do ---- */

/* A page that a name of the attacker's now resolving to 127.0.0.1 serves
 * (DNS rebinding) is not answered: the Host names another server. */
static void
test_host (Fixture *fixture, gconstpointer data)
{
  api_client_assert_host (rh_cloud_get_base_url (fixture->cloud), data);
}

typedef struct
{
  const char *name;
  const char *allowed; /* --allowed-host */
  ApiClientHostRow host;
} AllowedHostRow;

static const AllowedHostRow allowed_host_rows[] = {
  { "name-any-port", "recorder.example", { NULL, "1.1", "recorder.example:@PORT@", 0 } },
  { "name-proxy-port", "recorder.example", { NULL, "1.1", "recorder.example:8443", 0 } },
  { "name-without-port", "recorder.example", { NULL, "1.1", "recorder.example", 0 } },
  { "name-case", "Recorder.Example", { NULL, "1.1", "RECORDER.example:8443", 0 } },
  { "name-and-port", "recorder.example:8443", { NULL, "1.1", "recorder.example:8443", 0 } },
  { "name-and-other-port", "recorder.example:8443",
    { NULL, "1.1", "recorder.example:8444", 421 } },
  { "name-port-80", "recorder.example:80", { NULL, "1.1", "recorder.example", 0 } },
  { "ipv6", "[fd00::1]:8440", { NULL, "1.1", "[fd00::1]:8440", 0 } },
  { "other-name", "recorder.example", { NULL, "1.1", "attacker.example:@PORT@", 421 } },
  { "suffix", "recorder.example", { NULL, "1.1", "x.recorder.example:@PORT@", 421 } },
};

/* --allowed-host: a name besides its own, with its port or any. */
static void
test_allowed_host (Fixture *fixture, gconstpointer data)
{
  const AllowedHostRow *row = data;
  g_autoptr (GError) error = NULL;

  g_assert_true (rh_cloud_allow_host (fixture->cloud, row->allowed, &error));
  g_assert_no_error (error);
  api_client_assert_host (rh_cloud_get_base_url (fixture->cloud), &row->host);
}

static void
test_allowed_host_bad (Fixture *fixture, gconstpointer data)
{
  static const char *const hosts[] = {
    "", "a b", "x:", "x:0", "x:65536", "x:80x", "x:1:2", "[::1", "a/b", "user@x", ":80",
  };

  for (guint i = 0; i < G_N_ELEMENTS (hosts); i++)
    {
      g_autoptr (GError) error = NULL;

      g_test_message ("--allowed-host '%s'", hosts[i]);
      g_assert_false (rh_cloud_allow_host (fixture->cloud, hosts[i], &error));
      g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
      g_assert_true (g_str_has_prefix (error->message, "--allowed-host: "));
    }
}

#define ROOM_PATH "/edu/apps/a1/v2/rooms/r1"
#define OTHER "Origin: https://attacker.example\r\n"
#define JSON "Content-Type: application/json\r\n"
#define PREFLIGHT "Access-Control-Request-Method: PUT\r\n"
#define PRIVATE_NETWORK "Access-Control-Request-Private-Network: true\r\n"
#define START "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"https://x.example/\"}}"

typedef struct
{
  const char *name;
  const char *method;
  const char *path;
  const char *headers; /* besides Host; "@HOST@" stands for the server's HOST:PORT */
  const char *body;    /* NULL: none */
  guint status;
  const char *allow_origin; /* Access-Control-Allow-Origin expected, NULL for none */
  gboolean room_created;
} PageCallRow;

/* Only the ready call and the SDKs' first calls answer other origins;
 * elsewhere Origin must be the server's own, a body JSON (what a page sends
 * cross-site without asking first is not), and Chrome's Private Network
 * Access preflight is refused. */
static const PageCallRow page_call_rows[] = {
  { "create-from-other-origin", "POST", ROOM_PATH, OTHER JSON, "{}", 403, NULL, FALSE },
  { "create-from-null-origin", "POST", ROOM_PATH, "Origin: null\r\n" JSON, "{}", 403, NULL,
    FALSE },
  { "create-from-lookalike-origin", "POST", ROOM_PATH, "Origin: http://@HOST@.attacker\r\n" JSON,
    "{}", 403, NULL, FALSE },
  { "create-from-own-origin", "POST", ROOM_PATH, "Origin: http://@HOST@\r\n" JSON, "{}", 200,
    NULL, TRUE },
  { "create-from-no-page", "POST", ROOM_PATH, JSON, "{}", 200, NULL, TRUE },
  { "create-without-body", "POST", ROOM_PATH, "", NULL, 200, NULL, TRUE },
  { "create-text-plain", "POST", ROOM_PATH, "Content-Type: text/plain\r\n", "{}", 415, NULL,
    FALSE },
  { "create-form", "POST", ROOM_PATH, "Content-Type: application/x-www-form-urlencoded\r\n",
    "{}", 415, NULL, FALSE },
  { "create-multipart", "POST", ROOM_PATH, "Content-Type: multipart/form-data; boundary=x\r\n",
    "{}", 415, NULL, FALSE },
  /* A Blob without a type. */
  { "create-without-content-type", "POST", ROOM_PATH, "", "{}", 415, NULL, FALSE },
  { "create-json-lookalike", "POST", ROOM_PATH, "Content-Type: application/jsonx\r\n", "{}", 415,
    NULL, FALSE },
  { "create-json-charset", "POST", ROOM_PATH,
    "Content-Type: application/json; charset=utf-8\r\n", "{}", 200, NULL, TRUE },
  { "create-json-upper-case", "POST", ROOM_PATH, "Content-Type: Application/JSON\r\n", "{}", 200,
    NULL, TRUE },
  { "start-from-other-origin", "PUT", ROOM_PATH "/records/states/1", OTHER JSON, START, 403, NULL,
    FALSE },
  { "start-text-plain", "PUT", ROOM_PATH "/records/states/1", "Content-Type: text/plain\r\n",
    START, 415, NULL, FALSE },
  { "update-from-other-origin", "PATCH", ROOM_PATH "/records/states/1", OTHER JSON,
    "{\"webRecordConfig\":{\"onHold\":false}}", 403, NULL, FALSE },
  { "stop-from-other-origin", "PUT", ROOM_PATH "/records/states/0", OTHER, NULL, 403, NULL,
    FALSE },
  { "records-from-other-origin", "GET", ROOM_PATH "/records", OTHER, NULL, 403, NULL, FALSE },
  { "records-from-no-page", "GET", ROOM_PATH "/records", "", NULL, 404, NULL, FALSE },
  { "sequences-from-other-origin", "GET", ROOM_PATH "/sequences", OTHER, NULL, 403, NULL, FALSE },
  { "health-from-other-origin", "GET", "/health", OTHER, NULL, 403, NULL, FALSE },
  { "health-from-no-page", "GET", "/health", "", NULL, 200, NULL, FALSE },
  { "preflight-start", "OPTIONS", ROOM_PATH "/records/states/1", OTHER PREFLIGHT, NULL, 403, NULL,
    FALSE },
  { "preflight-start-private-network", "OPTIONS", ROOM_PATH "/records/states/1",
    OTHER PREFLIGHT PRIVATE_NETWORK, NULL, 403, NULL, FALSE },
  { "options-from-no-page", "OPTIONS", ROOM_PATH "/records/states/1", "", NULL, 405, NULL,
    FALSE },
  /* What pages call from their own origin. */
  { "preflight-ready", "OPTIONS", READY_PATH, OTHER PREFLIGHT, NULL, 204, "*", FALSE },
  { "preflight-ready-private-network", "OPTIONS", READY_PATH, OTHER PREFLIGHT PRIVATE_NETWORK,
    NULL, 403, "*", FALSE },
  { "ready-from-other-origin", "PUT", READY_PATH, OTHER JSON, "{}", 409, "*", FALSE },
  { "ready-text-plain", "PUT", READY_PATH, OTHER "Content-Type: text/plain\r\n", "{}", 409, "*",
    FALSE },
  { "sdk-configs-from-null-origin", "GET", "/cn/edu/apps/app1/v2/configs", "Origin: null\r\n",
    NULL, 200, "*", FALSE },
  { "sdk-check-in-from-other-origin", "PUT", "/cn/edu/apps/app1/v3/rooms/r1/users/u1",
    OTHER "Content-Type: text/plain\r\n", "{}", 200, "*", FALSE },
  { "sdk-entry-from-null-origin", "PUT", "/cn/edu/apps/app1/v2/rooms/r1/users/u1",
    "Origin: null\r\n" JSON, "{}", 200, "*", FALSE },
  { "sdk-rtm-login-from-null-origin", "POST", "/cn/scene/apps/app1/v1/users/u1/login",
    "Origin: null\r\n" JSON, "{}", 501, "*", FALSE },
};

static void
test_page_call (Fixture *fixture, gconstpointer data)
{
  const PageCallRow *row = data;
  const char *base_url = rh_cloud_get_base_url (fixture->cloud);
  g_autofree char *host = api_client_authority (base_url);
  g_auto (GStrv) parts = g_strsplit (row->headers, "@HOST@", -1);
  g_autofree char *headers = g_strjoinv (host, parts);
  g_autofree char *length = NULL;
  g_autofree char *head = NULL;
  g_autoptr (RawClient) client = NULL;
  g_autofree char *allow_origin = NULL;
  g_autofree char *private_network = NULL;
  g_autofree char *answer = NULL;
  g_autoptr (JsonObject) records = NULL;
  guint status = 0;

  if (row->body != NULL)
    length = g_strdup_printf ("Content-Length: %zu\r\n", strlen (row->body));
  head = g_strdup_printf ("%s %s HTTP/1.1\r\nHost: %s\r\n%s%s\r\n%s", row->method, row->path,
                          host, headers, length != NULL ? length : "",
                          row->body != NULL ? row->body : "");
  client = raw_client_new (base_url, head);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  g_assert_cmpuint (raw_client_get_status (client), ==, row->status);
  allow_origin = raw_client_get_header (client, "Access-Control-Allow-Origin");
  g_assert_cmpstr (allow_origin, ==, row->allow_origin);
  private_network = raw_client_get_header (client, "Access-Control-Allow-Private-Network");
  g_assert_null (private_network);
  if (row->status == 403 || row->status == 415)
    raw_client_assert_answer (client, row->status, row->status);
  else if (row->status != 204)
    {
      answer = raw_client_get_body (client);
      g_assert_true (g_str_has_prefix (answer, "{\"msg\":"));
    }
  /* Refused at its headers: nothing of it was done. */
  records = request_from (fixture, "GET", ROOM_PATH "/records", NULL, &status);
  g_assert_cmpuint (status, ==, row->room_created ? 200 : 404);
  g_assert_cmpuint (rh_cloud_get_active_count (fixture->cloud), ==, 0);
}

typedef struct
{
  const char *name;
  const char *config; /* webRecordConfig's members; "@PAGE@": the bundled page's path */
} FilePageRow;

/* Any form of a page of this machine's files, given to a cloud that was
 * not started with --allow-file-pages. */
static const FilePageRow file_page_rows[] = {
  { "file-url", "\"rootUrl\":\"file:///etc/passwd\"" },
  { "file-url-upper-case", "\"rootUrl\":\"FILE:///etc/passwd\"" },
  { "file-url-localhost", "\"rootUrl\":\"FiLe://localhost/etc/passwd\"" },
  { "file-url-one-slash", "\"rootUrl\":\"file:/etc/passwd\"" },
  /* The bundled page exists: only the refusal keeps it from opening. */
  { "absolute-path", "\"rootUrl\":\"@PAGE@\"" },
  { "absolute-path-as-file-url", "\"rootUrl\":\"file://@PAGE@\"" },
  { "relative-path", "\"rootUrl\":\"../page/record_page.html\"" },
  { "leading-space", "\"rootUrl\":\" file:///etc/passwd\"" },
  { "url-over-root-url", "\"rootUrl\":\"https://x.example/\",\"url\":\"file:///etc/passwd\"" },
};

static void
test_file_page (Fixture *fixture, gconstpointer data)
{
  const FilePageRow *row = data;
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_auto (GStrv) parts = g_strsplit (row->config, "@PAGE@", -1);
  g_autofree char *config = g_strjoinv (page, parts);
  g_autofree char *body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{%s}}",
                                           config);
  g_autoptr (JsonObject) reply = NULL;
  guint status = 0;

  rh_cloud_set_allow_file_pages (fixture->cloud, FALSE);
  reply = cloud_fixture_call (fixture, "PUT", ROOM_PATH "/records/states/1", body, &status);
  g_assert_cmpuint (status, ==, 400);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 400);
  g_assert_nonnull (strstr (json_object_get_string_member (reply, "msg"),
                            "--allow-file-pages"));
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
  for (guint i = 0; api_client_host_rows[i].name != NULL; i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/host/", api_client_host_rows[i].name, NULL);

      g_test_add (path, Fixture, &api_client_host_rows[i], fixture_setup, test_host,
                  fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (allowed_host_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/allowed-host/", allowed_host_rows[i].name,
                                           NULL);

      g_test_add (path, Fixture, &allowed_host_rows[i], fixture_setup, test_allowed_host,
                  fixture_teardown);
    }
  ADD ("/cloud/allowed-host-bad", test_allowed_host_bad);
  for (guint i = 0; i < G_N_ELEMENTS (page_call_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/page-call/", page_call_rows[i].name, NULL);

      g_test_add (path, Fixture, &page_call_rows[i], fixture_setup, test_page_call,
                  fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (file_page_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/file-page/", file_page_rows[i].name, NULL);

      g_test_add (path, Fixture, &file_page_rows[i], fixture_setup, test_file_page,
                  fixture_teardown);
    }
  ADD ("/cloud/chunked-past-bound", test_chunked_past_bound);
  for (guint i = 0; i < G_N_ELEMENTS (download_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud/download/", download_rows[i].name, NULL);

      g_test_add (path, Fixture, &download_rows[i], fixture_setup, test_download,
                  fixture_teardown);
    }
  return g_test_run ();
}
