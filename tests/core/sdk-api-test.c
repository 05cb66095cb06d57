/* The SDKs' first calls the local cloud answers: which paths they are (the
 * answers over HTTP are in cloud-test.c). */
#include "rh-sdk-api.h"
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
  { "check-in-encoded", "/cn/edu/apps/app1/v3/rooms/r%2F1/users/u%201", RH_SDK_API_CHECK_IN,
    "app1", "r/1", "u 1" },
  { "bad-escape", "/cn/edu/apps/app1/v3/rooms/r%/users/u1", RH_SDK_API_NONE },
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

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (parse_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cloud-sdk-api/parse/%s", parse_rows[i].name);

      g_test_add_data_func (path, &parse_rows[i], test_parse);
    }
  return g_test_run ();
}
