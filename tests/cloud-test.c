/* The local cloud stand-in: API paths and the ready endpoint. */
#include <json-glib/json-glib.h>

#include "rh-cloud.h"
#include "test-utils.h"

typedef struct
{
  const char *path;
  const char *region;
  const char *app_id;
  const char *room_uuid;
  const char *rest; /* NULL: no match */
} RouteRow;

/* Paths as libsoup's server hands them over: decoded. */
static const RouteRow route_rows[] = {
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
  return g_test_run ();
}
