/* The local cloud's metrics: its families as promtool reads them, and GET
 * /metrics of a real cloud on loopback: what it counts of the requests
 * before, behind which token, and never a room's uuid. */
#include <string.h>

#include "api-client.h"
#include "cloud-fixture.h"
#include "promtool.h"
#include "rh-cloud-metrics.h"
#include "test-utils.h"

#define TOKEN "s3cret"
#define ROOM "secret-room-uuid"
#define ROOM_PATH "/edu/apps/a1/v2/rooms/" ROOM
#define CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

typedef CloudFixture Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  cloud_fixture_setup (fixture, NULL, 30);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  cloud_fixture_teardown (fixture);
}

static void
assert_has_line (const char *text, const char *line)
{
  g_autofree char *with_newline = g_strconcat ("\n", line, "\n", NULL);

  if (strstr (text, with_newline) == NULL)
    g_error ("no line %s in:\n%s", line, text);
}

static const char *const family_lines[] = {
  "recordhost_rooms{state=\"active\"} 2",
  "recordhost_rooms{state=\"ending\"} 4",
  "recordhost_rooms{state=\"held\"} 3",
  "recordhost_rooms{state=\"pending\"} 1",
  "recordhost_rooms_capacity 16",
  "recordhost_room_claims_total{result=\"claimed\"} 0",
  "recordhost_room_claims_total{result=\"conflict\"} 1",
  "recordhost_room_claims_total{result=\"lost\"} 0",
  "recordhost_lease_expired_total 1",
  "recordhost_room_retries_total{reason=\"3\"} 0",
  "recordhost_room_retries_total{reason=\"4\"} 1",
  "recordhost_room_retries_total{reason=\"5\"} 0",
  "recordhost_capacity_rejections_total 1",
  "recordhost_ready_wait_seconds_bucket{le=\"1\"} 0",
  "recordhost_ready_wait_seconds_bucket{le=\"2\"} 1",
  "recordhost_ready_wait_seconds_bucket{le=\"120\"} 1",
  "recordhost_ready_wait_seconds_bucket{le=\"+Inf\"} 1",
  "recordhost_ready_wait_seconds_sum 1.5",
  "recordhost_http_request_duration_seconds_bucket{route=\"other\",code=\"404\",le=\"0.001\"} 1",
  "recordhost_http_request_duration_seconds_bucket{route=\"start\",code=\"200\",le=\"0.01\"} 0",
  "recordhost_http_request_duration_seconds_bucket{route=\"start\",code=\"200\",le=\"0.025\"} 1",
  "recordhost_http_request_duration_seconds_count{route=\"start\",code=\"200\"} 1",
  "recordhost_store_up 1",
  "recordhost_build_info{version=\"" PACKAGE_VERSION "\"} 1",
};

/* Every family, after a call of every helper, as Prometheus would take it. */
static void
test_families (void)
{
  g_autoptr (RhMetrics) metrics = rh_cloud_metrics_new ();
  g_autofree char *text = NULL;

  rh_cloud_metrics_request_done (metrics, "start", 200, 0.0123);
  rh_cloud_metrics_request_done (metrics, "other", 404, 0.0004);
  rh_cloud_metrics_ready_waited (metrics, 1.5);
  rh_cloud_metrics_retried (metrics, 4);
  rh_cloud_metrics_rejected_at_capacity (metrics);
  rh_cloud_metrics_room_claimed (metrics, RH_CLOUD_METRICS_CLAIM_CONFLICT);
  rh_cloud_metrics_lease_expired (metrics);
  rh_cloud_metrics_set_rooms (metrics, 1, 2, 3, 4, 16);
  rh_cloud_metrics_set_store_up (metrics, TRUE);
  text = rh_metrics_render (metrics);
  rh_test_assert_metrics_valid (text);
  for (guint i = 0; i < G_N_ELEMENTS (family_lines); i++)
    assert_has_line (text, family_lines[i]);
}

/* A route is a name of the router's, never a path a client made up. */
static void
test_route_not_a_path (void)
{
  g_autoptr (RhMetrics) metrics = rh_cloud_metrics_new ();
  g_autofree char *before = rh_metrics_render (metrics);
  g_autofree char *after = NULL;

  g_test_expect_message ("recordhost-cloud", G_LOG_LEVEL_CRITICAL, "*is_route*");
  rh_cloud_metrics_request_done (metrics, "/edu/apps/a1/v2/rooms/" ROOM, 200, 0.01);
  g_test_assert_expected_messages ();
  after = rh_metrics_render (metrics);
  g_assert_cmpstr (after, ==, before);
}

/* GET /metrics with one header more (@name NULL: none): the body, the status
 * and the content type. */
static char *
scrape (Fixture *fixture, const char *name, const char *value, guint *status,
        char **content_type)
{
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (fixture->cloud), "/metrics", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) body = NULL;

  if (name != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), name, value);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  body = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  if (content_type != NULL)
    *content_type = g_strdup (soup_message_headers_get_one (
      soup_message_get_response_headers (msg), "Content-Type"));
  return g_strndup (g_bytes_get_data (body, NULL), g_bytes_get_size (body));
}

static void
call (Fixture *fixture, const char *method, const char *path, const char *body, guint expected)
{
  guint status = 0;
  g_autoptr (JsonObject) reply = cloud_fixture_call (fixture, method, path, body, &status);

  g_assert_cmpuint (status, ==, expected);
}

/* After a few calls, each is counted under its route's name and status;
 * the room they named is nowhere. */
static void
test_scrape (Fixture *fixture, gconstpointer data)
{
  g_autofree char *content_type = NULL;
  g_autofree char *text = NULL;
  g_autofree char *again = NULL;
  g_autofree char *capacity = NULL;
  guint status = 0;

  for (guint i = 0; i < 3; i++)
    call (fixture, "GET", "/health", NULL, 200);
  call (fixture, "POST", ROOM_PATH, "{\"roomName\":\"" ROOM "\"}", 200);
  call (fixture, "PUT", ROOM_PATH "/records/ready", NULL, 409);
  call (fixture, "GET", ROOM_PATH "/records", NULL, 200);
  call (fixture, "PATCH", ROOM_PATH "/records/states/1", "{}", 409);
  call (fixture, "GET", ROOM_PATH "/records/states/0", NULL, 405);
  call (fixture, "GET", "/" ROOM, NULL, 404);
  text = scrape (fixture, NULL, NULL, &status, &content_type);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (content_type, ==, CONTENT_TYPE);
  rh_test_assert_metrics_valid (text);
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"health\",code=\"200\"} 3");
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"room\",code=\"200\"} 1");
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"ready\",code=\"409\"} 1");
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"records\",code=\"200\"} 1");
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"update\",code=\"409\"} 1");
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"stop\",code=\"405\"} 1");
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"other\",code=\"404\"} 1");
  assert_has_line (text, "recordhost_rooms{state=\"active\"} 0");
  capacity = g_strdup_printf ("recordhost_rooms_capacity %u", rh_cloud_default_max_rooms ());
  assert_has_line (text, capacity);
  assert_has_line (text, "recordhost_store_up 1");
  assert_has_line (text, "recordhost_build_info{version=\"" PACKAGE_VERSION "\"} 1");
  g_assert_null (strstr (text, ROOM));
  /* The scrape itself is counted once answered. */
  again = scrape (fixture, NULL, NULL, &status, NULL);
  assert_has_line (again, "recordhost_http_request_duration_seconds_count"
                          "{route=\"metrics\",code=\"200\"} 1");
}

static void
test_not_get (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = api_client_send (fixture->session,
                                                 rh_cloud_get_base_url (fixture->cloud), "POST",
                                                 "/metrics", NULL, &body);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 405);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Allow"),
                   ==, "GET");
}

/* A web page the user opens cannot read them. */
static void
test_other_origin (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GBytes) body = NULL;
  g_autoptr (SoupMessage) msg = api_client_send (fixture->session,
                                                 rh_cloud_get_base_url (fixture->cloud), "GET",
                                                 "/metrics", "https://attacker.example", &body);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 403);
  g_assert_null (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                               "Access-Control-Allow-Origin"));
}

typedef struct
{
  const char *name;
  const char *header; /* NULL for none */
  const char *value;
  guint status;
} TokenRow;

/* The cloud requires TOKEN: /metrics takes it as the API does, and as
 * Prometheus sends it. */
static const TokenRow token_rows[] = {
  { "none", NULL, NULL, 401 },
  { "x-agora-token", "x-agora-token", TOKEN, 200 },
  { "agora-token", "Authorization", "agora token=" TOKEN, 200 },
  { "bearer", "Authorization", "Bearer " TOKEN, 200 },
  { "bearer-lower-case", "Authorization", "bearer " TOKEN, 200 },
  { "bearer-wrong", "Authorization", "Bearer nope", 401 },
  { "bearer-longer", "Authorization", "Bearer " TOKEN "x", 401 },
  { "bearer-empty", "Authorization", "Bearer ", 401 },
  { "basic", "Authorization", "Basic czNjcmV0", 401 },
};

static void
test_token (Fixture *fixture, gconstpointer data)
{
  const TokenRow *row = data;
  g_autofree char *text = NULL;
  guint status = 0;

  cloud_fixture_start (fixture, TOKEN);
  text = scrape (fixture, row->header, row->value, &status, NULL);
  g_assert_cmpuint (status, ==, row->status);
  if (status == 200)
    rh_test_assert_metrics_valid (text);
  else
    g_assert_null (strstr (text, "recordhost_"));
}

/* A bearer token is for /metrics: the rest of the API keeps its own forms. */
static void
test_bearer_only_metrics (Fixture *fixture, gconstpointer data)
{
  g_autofree char *uri = NULL;
  g_autoptr (SoupMessage) msg = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) body = NULL;

  cloud_fixture_start (fixture, TOKEN);
  uri = g_strconcat (rh_cloud_get_base_url (fixture->cloud), ROOM_PATH "/records", NULL);
  msg = soup_message_new ("GET", uri);
  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization",
                                "Bearer " TOKEN);
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    rh_test_async_cb, &result);
  g_assert_true (rh_test_wait_result (&result, 30));
  body = soup_session_send_and_read_finish (fixture->session, result, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 401);
}

/* Refused at its headers with its body still to come, a request is answered
 * off the server, and counted all the same. */
static void
test_refused_counted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *host = NULL;
  g_autofree char *head = NULL;
  g_autofree char *text = NULL;
  g_autoptr (RawClient) client = NULL;
  guint status = 0;

  cloud_fixture_start (fixture, TOKEN);
  host = api_client_authority (rh_cloud_get_base_url (fixture->cloud));
  head = g_strdup_printf ("PUT " ROOM_PATH "/records/ready HTTP/1.1\r\nHost: %s\r\n"
                          "Content-Type: application/json\r\nContent-Length: 1000\r\n\r\n",
                          host);
  client = raw_client_new (rh_cloud_get_base_url (fixture->cloud), head);
  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  g_assert_cmpuint (raw_client_get_status (client), ==, 401);
  text = scrape (fixture, "Authorization", "Bearer " TOKEN, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"ready\",code=\"401\"} 1");
  g_assert_null (strstr (text, ROOM));
}

typedef struct
{
  const char *name;
  const char *request_line;
  const char *line; /* expected in the metrics */
} BadRequestRow;

/* What libsoup refuses before any route is known is counted too. */
static const BadRequestRow bad_request_rows[] = {
  { "no-path", "GET  HTTP/1.1",
    "recordhost_http_request_duration_seconds_count{route=\"other\",code=\"400\"} 1" },
  { "bad-target", "GET http://[::1 HTTP/1.1",
    "recordhost_http_request_duration_seconds_count{route=\"other\",code=\"400\"} 1" },
  { "bad-version", "GET /health HTTP/9.9",
    "recordhost_http_request_duration_seconds_count{route=\"other\",code=\"505\"} 1" },
};

static void
test_bad_request (Fixture *fixture, gconstpointer data)
{
  const BadRequestRow *row = data;
  g_autofree char *host = api_client_authority (rh_cloud_get_base_url (fixture->cloud));
  g_autofree char *head = g_strdup_printf ("%s\r\nHost: %s\r\n\r\n", row->request_line, host);
  g_autoptr (RawClient) client = raw_client_new (rh_cloud_get_base_url (fixture->cloud), head);
  g_autofree char *text = NULL;
  guint status = 0;

  g_assert_true (rh_test_wait_until (raw_client_answered, client, 10));
  text = scrape (fixture, NULL, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  assert_has_line (text, row->line);
}

/* One room held, the cloud full: the next start is refused and counted, the
 * rooms are told by state, and the held room's uuid is nowhere. */
static void
test_capacity (Fixture *fixture, gconstpointer data)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *uri = g_filename_to_uri (page, NULL, NULL);
  g_autofree char *body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{"
                                           "\"rootUrl\":\"%s?sdkReadyMs=100\",\"onhold\":true},"
                                           "\"retryTimeout\":60}",
                                           uri);
  g_autofree char *text = NULL;
  guint status = 0;

  rh_cloud_set_max_rooms (fixture->cloud, 1);
  call (fixture, "PUT", ROOM_PATH "/records/states/1", body, 200);
  call (fixture, "PUT", "/edu/apps/a1/v2/rooms/other-room/records/states/1", body, 503);
  text = scrape (fixture, NULL, NULL, &status, NULL);
  g_assert_cmpuint (status, ==, 200);
  rh_test_assert_metrics_valid (text);
  assert_has_line (text, "recordhost_capacity_rejections_total 1");
  assert_has_line (text, "recordhost_rooms{state=\"held\"} 1");
  assert_has_line (text, "recordhost_rooms{state=\"active\"} 0");
  assert_has_line (text, "recordhost_rooms_capacity 1");
  assert_has_line (text, "recordhost_http_request_duration_seconds_count"
                         "{route=\"start\",code=\"503\"} 1");
  g_assert_null (strstr (text, ROOM));
  g_assert_null (strstr (text, "other-room"));
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/cloud-metrics/families", test_families);
  g_test_add_func ("/cloud-metrics/route-not-a-path", test_route_not_a_path);
  ADD ("/cloud-metrics/scrape", test_scrape);
  ADD ("/cloud-metrics/not-get", test_not_get);
  ADD ("/cloud-metrics/other-origin", test_other_origin);
  for (guint i = 0; i < G_N_ELEMENTS (token_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cloud-metrics/token/%s", token_rows[i].name);

      g_test_add (path, Fixture, &token_rows[i], fixture_setup, test_token, fixture_teardown);
    }
  ADD ("/cloud-metrics/bearer-only-metrics", test_bearer_only_metrics);
  ADD ("/cloud-metrics/refused-counted", test_refused_counted);
  for (guint i = 0; i < G_N_ELEMENTS (bad_request_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cloud-metrics/bad-request/%s",
                                               bad_request_rows[i].name);

      g_test_add (path, Fixture, &bad_request_rows[i], fixture_setup, test_bad_request,
                  fixture_teardown);
    }
  ADD ("/cloud-metrics/capacity", test_capacity);
  return g_test_run ();
}
