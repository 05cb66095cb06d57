/* The SDKs' first calls a local server answers: with which method, and what
 * the answers hold that the SDKs read (which paths they are is in
 * api-path-test.c, the answers over HTTP in ready-ack-test.c). */
#include <string.h>

#include "rh-sdk-api.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *path;
  gboolean handled;
  const char *method;
  const char *member; /* one the SDK reads in the answer */
} AnswerRow;

static const AnswerRow answer_rows[] = {
  { "configs", "/cn/edu/apps/app1/v2/configs", TRUE, "GET", "netless" },
  { "configs-vid", "/edu/apps/app1/v2/configs", TRUE, "GET", "vid" },
  { "check-in", "/cn/edu/apps/app1/v3/rooms/r1/users/u1", TRUE, "PUT", "rtmRegion" },
  { "check-in-state", "/edu/apps/app1/v3/rooms/r1/users/u1", TRUE, "PUT", "state" },
  { "entry-board", "/cn/edu/apps/app1/v2/rooms/r1/users/u1", TRUE, "PUT", "board" },
  { "entry-schedule", "/edu/apps/app1/v2/rooms/r1/users/u1", TRUE, "PUT", "startTime" },
  { "ready-is-not", "/cn/edu/apps/app1/v2/rooms/r1/records/ready", FALSE },
  { "room-is-not", "/edu/apps/app1/v2/rooms/r1", FALSE },
};

static void
test_answer (gconstpointer data)
{
  const AnswerRow *row = data;
  g_autoptr (RhApiPath) path = rh_api_path_parse (row->path);
  g_autoptr (JsonNode) answer = NULL;

  g_assert_nonnull (path);
  g_assert_cmpint (rh_sdk_api_handles (path), ==, row->handled);
  if (!row->handled)
    return;
  g_assert_cmpstr (rh_sdk_api_method (path), ==, row->method);
  answer = rh_sdk_api_answer (path);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (answer));
  g_assert_true (json_object_has_member (json_node_get_object (answer), row->member));
}

/* 1.1.x checks the storage's bucket name: lower case, digits and hyphens,
 * 3..63. */
static void
test_configs_bucket (void)
{
  g_autoptr (RhApiPath) path = rh_api_path_parse ("/edu/apps/app1/v2/configs");
  g_autoptr (JsonNode) answer = rh_sdk_api_answer (path);
  JsonObject *netless = json_object_get_object_member (json_node_get_object (answer), "netless");
  JsonObject *oss = json_object_get_object_member (netless, "oss");

  g_assert_true (g_regex_match_simple ("^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$",
                                       json_object_get_string_member (oss, "bucket"), 0, 0));
}

/* 1.1.x reads the class state and schedule, then joins the whiteboard room
 * named in the answer: missing, it throws before its RTM login. */
static void
test_entry (void)
{
  g_autoptr (RhApiPath) path = rh_api_path_parse ("/edu/apps/app1/v2/rooms/r1/users/u1");
  g_autoptr (JsonNode) answer = rh_sdk_api_answer (path);
  JsonObject *object = json_node_get_object (answer);
  JsonObject *board = json_object_get_object_member (object, "board");
  gint64 now_ms = g_get_real_time () / 1000;

  g_assert_cmpint (json_object_get_int_member (object, "state"), ==, 1);
  g_assert_cmpint (ABS (json_object_get_int_member (object, "startTime") - now_ms), <, 60000);
  g_assert_cmpint (json_object_get_int_member (object, "duration"), >, 0);
  g_assert_true (json_object_has_member (object, "closeDelay"));
  g_assert_true (json_object_has_member (object, "muteChat"));
  g_assert_true (json_object_has_member (object, "isRecording"));
  g_assert_nonnull (board);
  g_assert_cmpstr (json_object_get_string_member (board, "boardId"), !=, "");
  g_assert_true (json_object_has_member (board, "boardToken"));
  g_assert_true (json_object_has_member (board, "boardRegion"));
}

/* 1.1.x's RTM login is refused, saying why, which its error dialog shows;
 * the rest are answered. */
static void
test_refusal (void)
{
  g_autoptr (RhApiPath) login = rh_api_path_parse ("/cn/scene/apps/app1/v1/users/u1/login");
  g_autoptr (RhApiPath) entry = rh_api_path_parse ("/cn/edu/apps/app1/v2/rooms/r1/users/u1");

  g_assert_true (rh_sdk_api_handles (login));
  g_assert_cmpstr (rh_sdk_api_method (login), ==, "POST");
  g_assert_nonnull (strstr (rh_sdk_api_refusal (login), "RTM login cannot be answered offline"));
  g_assert_null (rh_sdk_api_refusal (entry));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (answer_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/sdk-api/answer/", answer_rows[i].name, NULL);

      g_test_add_data_func (path, &answer_rows[i], test_answer);
    }
  g_test_add_func ("/sdk-api/configs-bucket", test_configs_bucket);
  g_test_add_func ("/sdk-api/entry", test_entry);
  g_test_add_func ("/sdk-api/refusal", test_refusal);
  return g_test_run ();
}
