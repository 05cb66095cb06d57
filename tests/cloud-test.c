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

static void
sent_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

static JsonObject *
request (Fixture *fixture, const char *method, const char *path, guint *status)
{
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (fixture->cloud), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_autoptr (GAsyncResult) result = NULL;

  /* The server runs on this thread's main context: stay async. */
  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, sent_cb,
                                    &result);
  while (result == NULL)
    g_main_context_iteration (NULL, TRUE);
  body = soup_session_send_and_read_finish (fixture->session, result, &error);
  g_assert_no_error (error);
  *status = soup_message_get_status (msg);
  g_assert_cmpstr (soup_message_headers_get_content_type (soup_message_get_response_headers (msg),
                                                          NULL), ==, "application/json");
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
  return g_test_run ();
}
