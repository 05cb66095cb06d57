/* The SDKs' first calls the local cloud answers: which paths they are, and
 * the answers over HTTP, with CORS, as a page on another origin calls them. */
#include <libsoup/soup.h>

#include "rh-cloud.h"
#include "rh-cloud-sdk-api.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *path;
  RhSdkApiCall call;
  const char *app_id;
  const char *room_uuid;
  const char *user_uuid;
} ParseRow;

static const ParseRow parse_rows[] = {
  { "configs", "/edu/apps/app1/v2/configs", RH_SDK_API_CONFIGS, "app1", NULL, NULL },
  { "configs-region", "/cn/edu/apps/app1/v2/configs", RH_SDK_API_CONFIGS, "app1", NULL, NULL },
  { "check-in", "/cn/edu/apps/app1/v3/rooms/r1/users/u1", RH_SDK_API_CHECK_IN, "app1", "r1",
    "u1" },
  { "check-in-no-region", "/edu/apps/app1/v3/rooms/r1/users/u1", RH_SDK_API_CHECK_IN, "app1",
    "r1", "u1" },
  { "ready-is-not", "/cn/edu/apps/app1/v2/rooms/r1/records/ready", RH_SDK_API_NONE },
  { "entry-is-not", "/cn/edu/apps/app1/v3/rooms/r1/users/u1/entry", RH_SDK_API_NONE },
  { "empty-segment", "/cn/edu/apps//v2/configs", RH_SDK_API_NONE },
  { "two-regions", "/cn/ap/edu/apps/app1/v2/configs", RH_SDK_API_NONE },
  { "relative", "edu/apps/app1/v2/configs", RH_SDK_API_NONE },
  { "root", "/", RH_SDK_API_NONE },
};

static void
test_parse (gconstpointer data)
{
  const ParseRow *row = data;
  g_autoptr (RhSdkApiRequest) request = rh_sdk_api_request_parse (row->path);

  if (row->call == RH_SDK_API_NONE)
    {
      g_assert_null (request);
      return;
    }
  g_assert_nonnull (request);
  g_assert_cmpint (request->call, ==, row->call);
  g_assert_cmpstr (request->app_id, ==, row->app_id);
  g_assert_cmpstr (request->room_uuid, ==, row->room_uuid);
  g_assert_cmpstr (request->user_uuid, ==, row->user_uuid);
}

typedef struct
{
  RhCloud *cloud;
  SoupSession *session;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->cloud = rh_cloud_new (NULL, NULL);
  g_assert_true (rh_cloud_listen_local (fixture->cloud, 0, NULL));
  fixture->session = soup_session_new_with_options ("timeout", 10, NULL);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->session);
  g_clear_object (&fixture->cloud);
}

static void
read_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

static gboolean
arrived (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

/* The server runs in this thread: send, then run the loop until answered. */
static GBytes *
send (Fixture *fixture, SoupMessage *msg, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  soup_session_send_and_read_async (fixture->session, msg, G_PRIORITY_DEFAULT, NULL, read_cb,
                                    &result);
  g_assert_true (rh_test_wait_until (arrived, &result, 30));
  return soup_session_send_and_read_finish (fixture->session, result, error);
}

static SoupMessage *
call (Fixture *fixture, const char *method, const char *path, JsonObject **data)
{
  g_autofree char *url = g_strconcat (rh_cloud_get_base_url (fixture->cloud), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, url);
  g_autoptr (GBytes) body = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Origin", "null");
  body = send (fixture, msg, &error);
  g_assert_no_error (error);
  if (data != NULL)
    {
      JsonObject *envelope;

      g_assert_true (json_parser_load_from_data (parser, g_bytes_get_data (body, NULL),
                                                 g_bytes_get_size (body), NULL));
      envelope = json_node_get_object (json_parser_get_root (parser));
      g_assert_cmpint (json_object_get_int_member (envelope, "code"), ==, 0);
      *data = json_object_ref (json_object_get_object_member (envelope, "data"));
    }
  return g_steal_pointer (&msg);
}

static void
assert_cors (SoupMessage *msg)
{
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Access-Control-Allow-Origin"),
                   ==, "*");
}

static void
test_configs (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (SoupMessage) msg = call (fixture, "GET", "/cn/edu/apps/app1/v2/configs", &answer);
  JsonObject *oss;

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  assert_cors (msg);
  oss = json_object_get_object_member (json_object_get_object_member (answer, "netless"), "oss");
  /* A valid OSS bucket name: lower case, digits and hyphens, 3..63. */
  g_assert_true (g_regex_match_simple ("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
                                       json_object_get_string_member (oss, "bucket"), 0, 0));
  g_assert_true (json_object_has_member (answer, "vid"));
}

static void
test_check_in (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) answer = NULL;
  g_autoptr (SoupMessage) msg = call (fixture, "PUT", "/cn/edu/apps/app1/v3/rooms/r1/users/u1",
                                      &answer);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 200);
  assert_cors (msg);
  g_assert_cmpint (json_object_get_int_member (answer, "state"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (answer, "rtmRegion"), ==, "AREA_GLOBAL");
}

static void
test_wrong_method (Fixture *fixture, gconstpointer data)
{
  g_autoptr (SoupMessage) msg = call (fixture, "POST", "/cn/edu/apps/app1/v2/configs", NULL);

  g_assert_cmpuint (soup_message_get_status (msg), ==, 405);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Allow"),
                   ==, "GET");
}

/* The browser's preflight for a PUT with the SDK's headers. */
static void
test_preflight (Fixture *fixture, gconstpointer data)
{
  g_autofree char *url = g_strconcat (rh_cloud_get_base_url (fixture->cloud),
                                      "/cn/edu/apps/app1/v3/rooms/r1/users/u1", NULL);
  g_autoptr (SoupMessage) msg = soup_message_new ("OPTIONS", url);
  SoupMessageHeaders *headers = soup_message_get_request_headers (msg);
  g_autoptr (GBytes) body = NULL;

  soup_message_headers_replace (headers, "Origin", "null");
  soup_message_headers_replace (headers, "Access-Control-Request-Method", "PUT");
  soup_message_headers_replace (headers, "Access-Control-Request-Headers",
                                "content-type,x-agora-token,x-agora-uid");
  body = send (fixture, msg, NULL);
  g_assert_cmpuint (soup_message_get_status (msg), ==, 204);
  assert_cors (msg);
  g_assert_cmpstr (soup_message_headers_get_one (soup_message_get_response_headers (msg),
                                                 "Access-Control-Allow-Headers"),
                   ==, "content-type,x-agora-token,x-agora-uid");
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (parse_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cloud-sdk-api/parse/%s", parse_rows[i].name);

      g_test_add_data_func (path, &parse_rows[i], test_parse);
    }
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/cloud-sdk-api/configs", test_configs);
  ADD ("/cloud-sdk-api/check-in", test_check_in);
  ADD ("/cloud-sdk-api/wrong-method", test_wrong_method);
  ADD ("/cloud-sdk-api/preflight", test_preflight);
  return g_test_run ();
}
