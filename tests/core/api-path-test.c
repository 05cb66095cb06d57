/* The API's paths: parsed as sent (percent-encoded), and built for the
 * ready call. */
#include <string.h>

#include "rh-api-path.h"
#include "rh-error.h"
#include "test-utils.h"

#define NONE ((RhApiPathKind) -1)

typedef struct
{
  const char *name;
  const char *path;
  RhApiPathKind kind; /* NONE: no API path */
  const char *region;
  const char *app_id;
  const char *room_uuid;
  const char *user_uuid;
  const char *rest;
  const char *record_id; /* a record's HAR's */
} ParseRow;

static const ParseRow parse_rows[] = {
  /* The recording API: the room is decoded part by part. */
  { "ready", "/edu/apps/a1/v2/rooms/r1/records/ready", RH_API_PATH_ROOM, NULL, "a1", "r1", NULL,
    "records/ready" },
  { "ready-region", "/cn/edu/apps/a1/v2/rooms/r1/records/ready", RH_API_PATH_ROOM, "cn", "a1",
    "r1", NULL, "records/ready" },
  { "room", "/edu/apps/a1/v2/rooms/r1", RH_API_PATH_ROOM, NULL, "a1", "r1", NULL, "" },
  { "start", "/ap/edu/apps/a1/v2/rooms/r1/records/states/1", RH_API_PATH_ROOM, "ap", "a1", "r1",
    NULL, "records/states/1" },
  { "stop", "/edu/apps/a1/v2/rooms/r1/records/states/0", RH_API_PATH_ROOM, NULL, "a1", "r1",
    NULL, "records/states/0" },
  { "records", "/edu/apps/a1/v2/rooms/r1/records", RH_API_PATH_ROOM, NULL, "a1", "r1", NULL,
    "records" },
  { "sequences", "/edu/apps/a1/v2/rooms/r1/sequences", RH_API_PATH_ROOM, NULL, "a1", "r1", NULL,
    "sequences" },
  /* A record's HAR: its id is one segment, the room what comes before. */
  { "record-har", "/edu/apps/a1/v2/rooms/r1/records/0a1b/har", RH_API_PATH_ROOM, NULL, "a1",
    "r1", NULL, RH_API_PATH_RECORD_HAR, "0a1b" },
  { "record-har-room-slash", "/edu/apps/a1/v2/rooms/r 1/x/records/id%201/har", RH_API_PATH_ROOM,
    NULL, "a1", "r 1/x", NULL, RH_API_PATH_RECORD_HAR, "id 1" },
  { "record-har-shortest", "/edu/apps/a1/v2/rooms/r/records/0/har", RH_API_PATH_ROOM, NULL, "a1",
    "r", NULL, RH_API_PATH_RECORD_HAR, "0" },
  { "record-snapshots", "/edu/apps/a1/v2/rooms/r1/records/0a1b/snapshots", RH_API_PATH_ROOM, NULL,
    "a1", "r1", NULL, RH_API_PATH_RECORD_SNAPSHOTS, "0a1b" },
  { "room-named-record-har", "/edu/apps/a1/v2/rooms/records/0a1b/har", RH_API_PATH_ROOM, NULL,
    "a1", "records/0a1b/har", NULL, "" },
  { "record-har-no-id", "/edu/apps/a1/v2/rooms/r1/records//har", RH_API_PATH_ROOM, NULL, "a1",
    "r1/records//har", NULL, "" },
  { "record-har-bad-escape", "/edu/apps/a1/v2/rooms/r1/records/100%/har", NONE },
  { "encoded-slash", "/edu/apps/a%201/v2/rooms/room%201%2Fx/records/ready", RH_API_PATH_ROOM,
    NULL, "a 1", "room 1/x", NULL, "records/ready" },
  { "encoded-dot-dot", "/edu/apps/a1/v2/rooms/a%2F..%2Fb/records", RH_API_PATH_ROOM, NULL, "a1",
    "a/../b", NULL, "records" },
  { "encoded-endpoint", "/edu/apps/a1/v2/rooms/x%2Frecords%2Fready", RH_API_PATH_ROOM, NULL,
    "a1", "x/records/ready", NULL, "" },
  { "encoded-percent", "/e%20u/edu/apps/a1/v2/rooms/100%25/sequences", RH_API_PATH_ROOM, "e u",
    "a1", "100%", NULL, "sequences" },
  { "utf-8", "/edu/apps/a1/v2/rooms/caf%C3%A9", RH_API_PATH_ROOM, NULL, "a1", "caf\xc3\xa9",
    NULL, "" },
  { "literal-slash", "/edu/apps/a 1/v2/rooms/room 1/x/records/ready", RH_API_PATH_ROOM, NULL,
    "a 1", "room 1/x", NULL, "records/ready" },
  { "room-named-endpoint", "/edu/apps/a1/v2/rooms/records/ready", RH_API_PATH_ROOM, NULL, "a1",
    "records/ready", NULL, "" },
  { "bad-escape", "/edu/apps/a1/v2/rooms/100%/records", NONE },
  { "nul", "/edu/apps/a1/v2/rooms/a%00b/records", NONE },
  { "not-utf-8", "/edu/apps/a1/v2/rooms/%FF/records", NONE },
  { "app-slash", "/edu/apps/a%2F1/v2/rooms/r1/records", NONE },
  { "region-slash", "/c%2Fn/edu/apps/a1/v2/rooms/r1/records", NONE },
  { "v1", "/edu/apps/a1/v1/rooms/r1/records/ready", NONE },
  { "no-app", "/edu/apps//v2/rooms/r1/records/ready", NONE },
  { "two-regions-room", "/x/y/edu/apps/a1/v2/rooms/r1", NONE },
  { "no-room", "/edu/apps/a1/v2/rooms/", NONE },
  { "rooms", "/edu/apps/a1/v2/rooms", NONE },
  { "empty-region", "//edu/apps/a1/v2/rooms/r1", NONE },
  { "root", "/", NONE },
  { "empty", "", NONE },
  /* The SDK's calls: cut at every '/', each segment decoded. */
  { "configs", "/edu/apps/app1/v2/configs", RH_API_PATH_CONFIGS, NULL, "app1", NULL, NULL, "" },
  { "configs-region", "/cn/edu/apps/app1/v2/configs", RH_API_PATH_CONFIGS, "cn", "app1", NULL,
    NULL, "" },
  { "check-in", "/cn/edu/apps/app1/v3/rooms/r1/users/u1", RH_API_PATH_CHECK_IN, "cn", "app1",
    "r1", "u1", "" },
  { "check-in-no-region", "/edu/apps/app1/v3/rooms/r1/users/u1", RH_API_PATH_CHECK_IN, NULL,
    "app1", "r1", "u1", "" },
  { "check-in-encoded", "/cn/edu/apps/app1/v3/rooms/r%2F1/users/u%201", RH_API_PATH_CHECK_IN,
    "cn", "app1", "r/1", "u 1", "" },
  { "check-in-bad-escape", "/cn/edu/apps/app1/v3/rooms/r%/users/u1", NONE },
  { "check-in-entry", "/cn/edu/apps/app1/v3/rooms/r1/users/u1/entry", NONE },
  { "entry", "/cn/edu/apps/app1/v2/rooms/r1/users/u1", RH_API_PATH_ENTRY, "cn", "app1", "r1",
    "u1", "" },
  { "entry-no-region", "/edu/apps/app1/v2/rooms/r1/users/u1", RH_API_PATH_ENTRY, NULL, "app1",
    "r1", "u1", "" },
  { "entry-encoded", "/edu/apps/app1/v2/rooms/r%2F1/users/u%201", RH_API_PATH_ENTRY, NULL,
    "app1", "r/1", "u 1", "" },
  /* Longer, it is a room's path again, of a room whose uuid holds '/'. */
  { "rtm-login", "/cn/scene/apps/app1/v1/users/u%201/login", RH_API_PATH_RTM_LOGIN, "cn", "app1",
    NULL, "u 1", "" },
  { "rtm-login-no-region", "/scene/apps/app1/v1/users/u1/login", RH_API_PATH_RTM_LOGIN, NULL,
    "app1", NULL, "u1", "" },
  { "scene-other", "/cn/scene/apps/app1/v1/users/u1/logout", NONE },
  { "scene-longer", "/cn/scene/apps/app1/v1/users/u1/login/x", NONE },
  { "scene-rooms", "/cn/scene/apps/app1/v2/rooms/r1/users/u1", NONE },
  { "entry-longer", "/edu/apps/app1/v2/rooms/r1/users/u1/records", RH_API_PATH_ROOM, NULL,
    "app1", "r1/users/u1", NULL, "records" },
  { "entry-no-user", "/edu/apps/app1/v2/rooms/r1/users", RH_API_PATH_ROOM, NULL, "app1",
    "r1/users", NULL, "" },
  { "configs-no-app", "/cn/edu/apps//v2/configs", NONE },
  { "configs-two-regions", "/cn/ap/edu/apps/app1/v2/configs", NONE },
  { "configs-relative", "edu/apps/app1/v2/configs", NONE },
};

static void
test_parse (gconstpointer data)
{
  const ParseRow *row = data;
  g_autoptr (RhApiPath) path = rh_api_path_parse (row->path);

  if (row->kind == NONE)
    {
      g_assert_null (path);
      return;
    }
  g_assert_nonnull (path);
  g_assert_cmpint (path->kind, ==, row->kind);
  g_assert_cmpstr (path->region, ==, row->region);
  g_assert_cmpstr (path->app_id, ==, row->app_id);
  g_assert_cmpstr (path->room_uuid, ==, row->room_uuid);
  g_assert_cmpstr (path->user_uuid, ==, row->user_uuid);
  g_assert_cmpstr (path->rest, ==, row->rest);
  g_assert_cmpstr (path->record_id, ==, row->record_id);
}

typedef struct
{
  const char *name;
  const char *base;
  const char *region;
  const char *app;
  const char *room;
  const char *rest;
  const char *expected; /* NULL: refused with RH_ERROR_INVALID_INPUT */
  const char *message;  /* in the error */
} BuildRow;

static const BuildRow build_rows[] = {
  { "ready", "https://api.agora.io", NULL, "app1", "room1", "records/ready",
    "https://api.agora.io/edu/apps/app1/v2/rooms/room1/records/ready" },
  { "region", "https://api.sd-rtn.com/", "ap", "app1", "room1", "records",
    "https://api.sd-rtn.com/ap/edu/apps/app1/v2/rooms/room1/records" },
  { "room-itself", "http://127.0.0.1:8080", NULL, "a", "r", "",
    "http://127.0.0.1:8080/edu/apps/a/v2/rooms/r" },
  { "escaped", "http://127.0.0.1:8080", "cn", "a/b", "room 1/x", "records/ready",
    "http://127.0.0.1:8080/cn/edu/apps/a%2Fb/v2/rooms/room%201%2Fx/records/ready" },
  { "base-path", "https://gw.example/proxy//", NULL, "a", "r", "records/ready",
    "https://gw.example/proxy/edu/apps/a/v2/rooms/r/records/ready" },
  { "dot-room", "https://x", NULL, "a", ".", "records/ready", NULL, "room uuid '.'" },
  { "dot-dot-room", "https://x", NULL, "a", "..", "records/ready", NULL, "room uuid '..'" },
  { "dot-app", "https://x", NULL, ".", "r", "records/ready", NULL, "app id '.'" },
  { "not-a-url", "not a url", NULL, "a", "r", "records/ready", NULL, "bad --api-base" },
  { "ftp", "ftp://x", NULL, "a", "r", "records/ready", NULL, "expected an http or https URL" },
  { "no-host", "http://", NULL, "a", "r", "records/ready", NULL, "with a host" },
  { "query", "https://x/?a=1", NULL, "a", "r", "records/ready", NULL, "no query or fragment" },
  { "fragment", "https://x/#f", NULL, "a", "r", "records/ready", NULL, "no query or fragment" },
  { "host-space", "http://exa mple.com/", NULL, "a", "r", "records/ready", NULL,
    "a character no host name can" },
  { "host-escape", "http://exa\x1bmple.com/", NULL, "a", "r", "records/ready", NULL,
    "a character no host name can" },
  { "path-space", "http://example.com/a b", NULL, "a", "r", "records/ready", NULL,
    "spaces and control characters" },
  { "ipv6", "http://[::1]:8440", NULL, "a", "r", "records/ready",
    "http://[::1]:8440/edu/apps/a/v2/rooms/r/records/ready" },
  { "international", "https://b\xc3\xbc" "cher.example", NULL, "a", "r", "records/ready",
    "https://b\xc3\xbc" "cher.example/edu/apps/a/v2/rooms/r/records/ready" },
};

static void
test_build (gconstpointer data)
{
  const BuildRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = rh_api_path_build_uri (row->base, row->region, row->app, row->room,
                                                row->rest, &error);

  if (row->expected == NULL)
    {
      g_assert_null (uri);
      g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
      g_assert_nonnull (strstr (error->message, row->message));
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, row->expected);
}

/* What is built is parsed back to the same ids. */
static void
test_round_trip (gconstpointer data)
{
  const BuildRow *row = data;
  g_autofree char *uri = rh_api_path_build_uri ("http://h", row->region, row->app, row->room,
                                                row->rest, NULL);
  g_autoptr (RhApiPath) path = NULL;

  g_assert_nonnull (uri);
  path = rh_api_path_parse (uri + strlen ("http://h"));
  g_assert_nonnull (path);
  g_assert_cmpint (path->kind, ==, RH_API_PATH_ROOM);
  g_assert_cmpstr (path->region, ==, row->region);
  g_assert_cmpstr (path->app_id, ==, row->app);
  g_assert_cmpstr (path->room_uuid, ==, row->room);
  g_assert_cmpstr (path->rest, ==, row->rest);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (parse_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/api-path/parse/", parse_rows[i].name, NULL);

      g_test_add_data_func (path, &parse_rows[i], test_parse);
    }
  for (guint i = 0; i < G_N_ELEMENTS (build_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/api-path/build/", build_rows[i].name, NULL);

      g_test_add_data_func (path, &build_rows[i], test_build);
      /* An app id holds no '/' in the API: "appId/roomUuid" keys a room. */
      if (build_rows[i].expected != NULL && strchr (build_rows[i].app, '/') == NULL)
        {
          g_autofree char *again = g_strconcat ("/api-path/round-trip/", build_rows[i].name,
                                                NULL);

          g_test_add_data_func (again, &build_rows[i], test_round_trip);
        }
    }
  return g_test_run ();
}
