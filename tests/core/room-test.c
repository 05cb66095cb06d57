/* The page URL the recording server builds, regions and --param. */
#include <gio/gio.h>
#include <string.h>

#include "rh-error.h"
#include "rh-room.h"
#include "test-utils.h"

static RhRoom *
room_new (const char *app_id, const char *room_uuid, int room_type)
{
  RhRoom *room = rh_room_new ();

  room->app_id = g_strdup (app_id);
  room->room_uuid = g_strdup (room_uuid);
  room->room_type = room_type;
  room->user_uuid = g_strdup ("rec-1");
  room->start_time_ms = 1700000000000;
  return room;
}

typedef struct
{
  const char *name;
  const char *base;
  const char *token;
  const char *region;
  const char *param;
  const char *expected;
} UrlRow;

static const UrlRow url_rows[] = {
  { "plain", "https://cdn.example/record_page.html", NULL, NULL, NULL,
    "https://cdn.example/record_page.html?appId=app&roomUuid=room%201%2Fx&roomType=4&"
    "userUuid=rec-1&roleType=0&pretest=false"
    "&userName=recorder&roomName=room%201%2Fx&language=en&startTime=1700000000000&duration=3600&"
    "rtmUid=rec-1&recordUrl=" },
  { "keeps-query", "https://cdn.example/p.html?v=2&theme=dark", NULL, NULL, NULL,
    "https://cdn.example/p.html?v=2&theme=dark&appId=app&roomUuid=room%201%2Fx&roomType=4&"
    "userUuid=rec-1&roleType=0&pretest=false"
    "&userName=recorder&roomName=room%201%2Fx&language=en&startTime=1700000000000&duration=3600&"
    "rtmUid=rec-1&recordUrl=" },
  { "keeps-fragment", "http://h:8080/p.html#top", NULL, NULL, NULL,
    "http://h:8080/p.html?appId=app&roomUuid=room%201%2Fx&roomType=4&userUuid=rec-1&"
    "roleType=0&pretest=false"
    "&userName=recorder&roomName=room%201%2Fx&language=en&startTime=1700000000000&duration=3600&"
    "rtmUid=rec-1&recordUrl=" "#top" },
  { "token-region", "https://cdn.example/p.html", "a+b/c=", "AS", NULL,
    "https://cdn.example/p.html?appId=app&roomUuid=room%201%2Fx&roomType=4&userUuid=rec-1&"
    "roleType=0&pretest=false&rtmToken=a%2Bb%2Fc%3D&region=AP"
    "&userName=recorder&roomName=room%201%2Fx&language=en&startTime=1700000000000&duration=3600&"
    "rtmUid=rec-1&recordUrl=" },
  { "param", "https://cdn.example/p.html", NULL, NULL, "startTime=1700000000000",
    "https://cdn.example/p.html?appId=app&roomUuid=room%201%2Fx&roomType=4&userUuid=rec-1&"
    "roleType=0&pretest=false&startTime=1700000000000"
    "&userName=recorder&roomName=room%201%2Fx&language=en&duration=3600&rtmUid=rec-1&recordUrl=" },
  { "param-escaped", "https://cdn.example/p.html", NULL, NULL, "roomName=Maths & more=1",
    "https://cdn.example/p.html?appId=app&roomUuid=room%201%2Fx&roomType=4&userUuid=rec-1&"
    "roleType=0&pretest=false&roomName=Maths%20%26%20more%3D1"
    "&userName=recorder&language=en&startTime=1700000000000&duration=3600&rtmUid=rec-1&recordUrl=" },
};

static void
test_url_build (gconstpointer data)
{
  const UrlRow *row = data;
  g_autoptr (RhRoom) room = room_new ("app", "room 1/x", 4);
  g_autoptr (GError) error = NULL;
  g_autofree char *url = NULL;

  room->rtm_token = g_strdup (row->token);
  if (row->region != NULL)
    g_assert_true (rh_room_set_region (room, row->region, NULL));
  if (row->param != NULL)
    g_assert_true (rh_room_add_param (room, row->param, NULL));
  url = rh_room_build_page_url (room, row->base, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (url, ==, row->expected);
}

/* The room uuid comes back intact through a standard query parser. */
static void
test_url_round_trip (void)
{
  g_autoptr (RhRoom) room = room_new ("app", "room 1/x&y=z?", 2);
  g_autofree char *url = rh_room_build_page_url (room, "https://cdn.example/p.html", NULL);
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr (GHashTable) params = g_uri_parse_params (g_uri_get_query (uri), -1, "&",
                                                      G_URI_PARAMS_NONE, NULL);

  g_assert_nonnull (params);
  g_assert_cmpstr (g_hash_table_lookup (params, "roomUuid"), ==, "room 1/x&y=z?");
  g_assert_cmpstr (g_hash_table_lookup (params, "roomType"), ==, "2");
}

static void
test_url_local_file (void)
{
  g_autoptr (RhRoom) room = room_new ("app", "r", 0);
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *url = rh_room_build_page_url (room, page, NULL);
  g_autofree char *expected_prefix = g_filename_to_uri (page, NULL, NULL);

  g_assert_nonnull (url);
  g_assert_true (g_str_has_prefix (url, expected_prefix));
  g_assert_true (g_str_has_suffix (url, "?appId=app&roomUuid=r&roomType=0&userUuid=rec-1&"
                                        "roleType=0&pretest=false&userName=recorder&roomName=r&"
                                        "language=en&startTime=1700000000000&duration=3600&"
                                        "rtmUid=rec-1&recordUrl="));
}

typedef struct
{
  const char *name;
  const char *base;
  const char *message_part;
} BadUrlRow;

static const BadUrlRow bad_url_rows[] = {
  { "ftp", "ftp://cdn.example/p.html", "unsupported URL scheme 'ftp'" },
  { "javascript", "javascript:alert(1)", "unsupported URL scheme" },
  { "no-host", "http:///p.html", "no host" },
  { "bad-port", "http://cdn.example:99999/p.html", "bad URL" },
  { "missing-file", "/nonexistent/record_page.html", "no such page file" },
  { "directory", "/", "no such page file" },
  /* GLib decodes a host's escapes and writes it back raw: each of these
   * would open another URL than the one given. */
  { "host-escaped-at", "https://cdn.example%40other.example/p.html", "bad URL" },
  { "host-escaped-slash", "https://cdn.example%2Fother/p.html", "bad URL" },
  { "host-escaped-percent", "https://cdn.exampl%25e/p.html", "bad URL" },
  /* No host, and a path that would read as one once written ("file:" then
   * "./" and "//x", the dot segment dropped). */
  { "path-like-host", "file:.///nonexistent/p.html", "bad URL" },
};

static void
test_url_bad (gconstpointer data)
{
  const BadUrlRow *row = data;
  g_autoptr (RhRoom) room = room_new ("app", "r", 4);
  g_autoptr (GError) error = NULL;
  g_autofree char *url = rh_room_build_page_url (room, row->base, &error);

  g_assert_null (url);
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, row->message_part));
}

typedef struct
{
  const char *name;
  const char *input;
  const char *expected; /* NULL: rejected */
} RegionRow;

static const RegionRow region_rows[] = {
  { "CN", "CN", "cn" },  { "cn", "cn", "cn" },      { "AP", "AP", "ap" },
  { "as", "as", "ap" },  { "AS", "AS", "ap" },      { "Eu", "Eu", "eu" },
  { "NA", "NA", "na" },  { "US", "US", NULL },      { "empty", "", NULL },
  { "slash", "cn/x", NULL },
};

static void
test_region (gconstpointer data)
{
  const RegionRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *region = rh_region_normalize (row->input, &error);

  g_assert_cmpstr (region, ==, row->expected);
  if (row->expected == NULL)
    g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  else
    g_assert_no_error (error);
}

typedef struct
{
  const char *name;
  const char *key_value;
} ParamRow;

static const ParamRow bad_param_rows[] = {
  { "no-equals", "novalue" },
  { "no-key", "=x" },
  { "room-uuid", "roomUuid=other" },
  { "rtm-token", "rtmToken=t" },
};

static void
test_param_rejected (gconstpointer data)
{
  const ParamRow *row = data;
  g_autoptr (RhRoom) room = room_new ("app", "r", 4);
  g_autoptr (GError) error = NULL;

  g_assert_false (rh_room_add_param (room, row->key_value, &error));
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
}

static void
test_param_empty_value (void)
{
  g_autoptr (RhRoom) room = room_new ("app", "r", 4);

  g_assert_true (rh_room_add_param (room, "empty=", NULL));
}

typedef struct
{
  const char *name;
  const char *app_id;
  const char *room_uuid;
  int room_type;
  const char *message_part;
} ValidateRow;

static const ValidateRow validate_rows[] = {
  { "no-app-id", NULL, "r", 4, "--app-id" },
  { "empty-app-id", "", "r", 4, "--app-id" },
  { "no-room-uuid", "a", NULL, 4, "--room-uuid" },
  { "no-room-type", "a", "r", -1, "--room-type is required" },
  { "room-type-1", "a", "r", 1, "--room-type must be" },
  { "room-type-3", "a", "r", 3, "--room-type must be" },
};

static void
test_validate (gconstpointer data)
{
  const ValidateRow *row = data;
  g_autoptr (RhRoom) room = room_new (row->app_id, row->room_uuid, row->room_type);
  g_autoptr (GError) error = NULL;

  g_assert_false (rh_room_validate (room, &error));
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, row->message_part));
}

static void
test_user_uuid_generated (void)
{
  g_autofree char *a = rh_user_uuid_generate ();
  g_autofree char *b = rh_user_uuid_generate ();

  g_assert_true (g_str_has_prefix (a, "recorder-"));
  g_assert_cmpuint (strlen (a), ==, strlen ("recorder-") + 8);
  g_assert_cmpstr (a, !=, b);
}

/* ---- the list of room parameters ---- */

/* Every parameter the URL gets from recordhost is in the list, as set or
 * filled in; every one the list says is set or filled in is in the URL of a
 * room with all its options given. */
static void
test_params_listed (void)
{
  g_autoptr (RhRoom) room = room_new ("app", "r", 4);
  g_autofree char *url = NULL;
  g_autoptr (GUri) uri = NULL;
  g_autoptr (GHashTable) query = NULL;
  GHashTableIter iter;
  const char *key;
  const RhRoomParam *params;
  guint n_params;

  room->rtm_token = g_strdup ("t");
  room->language = g_strdup ("zh");
  g_assert_true (rh_room_set_region (room, "na", NULL));
  url = rh_room_build_page_url (room, "https://cdn.example.com/p.html", NULL);
  uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  query = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, (gpointer *) &key, NULL))
    {
      g_test_message ("%s", key);
      g_assert_true (rh_room_param_flags (key) & (RH_ROOM_PARAM_SET | RH_ROOM_PARAM_DEFAULT));
    }
  params = rh_room_params (&n_params);
  for (guint i = 0; i < n_params; i++)
    if (params[i].flags & (RH_ROOM_PARAM_SET | RH_ROOM_PARAM_DEFAULT))
      g_assert_true (g_hash_table_contains (query, params[i].name));
}

/* A parameter recordhost sets has an option of its own: --param may not. */
static void
test_param_reserved (gconstpointer data)
{
  const RhRoomParam *param = data;
  g_autoptr (RhRoom) room = room_new ("app", "r", 4);
  g_autofree char *key_value = g_strconcat (param->name, "=x", NULL);
  g_autoptr (GError) error = NULL;

  g_assert_false (rh_room_add_param (room, key_value, &error));
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, param->name));
}

typedef struct
{
  const char *name;
  const char *url;
  gboolean allowed;
} ApiPageRow;

/* What a page URL from the cloud's API may carry: no parameter that only
 * the command line gives, however the page would decode its name. */
static const ApiPageRow api_page_rows[] = {
  { "no-query", "https://cdn.example/p.html", TRUE },
  { "other-params", "https://cdn.example/p.html?sdkShape=umd&x=sdkBundle", TRUE },
  { "in-fragment", "https://cdn.example/p.html?a=1#sdkBundle=x.js", TRUE },
  { "other-case", "https://cdn.example/p.html?sdkbundle=x.js", TRUE },
  { "bad-escape", "https://cdn.example/p.html?sdkBundle%zz=x.js", TRUE },
  { "sdk-bundle", "file:///srv/page/record_page.html?sdkBundle=x.js", FALSE },
  { "sdk-bundle-later", "https://cdn.example/p.html?a=1&sdkBundle=https://evil/x.js", FALSE },
  { "no-value", "https://cdn.example/p.html?sdkBundle", FALSE },
  { "escaped-name", "https://cdn.example/p.html?sdk%42undle=x.js", FALSE },
  { "escaped-first", "https://cdn.example/p.html?%73dkBundle=x.js", FALSE },
};

static void
test_api_page (gconstpointer data)
{
  const ApiPageRow *row = data;
  g_autoptr (GError) error = NULL;

  g_assert_cmpint (rh_room_check_api_page (row->url, &error), ==, row->allowed);
  if (row->allowed)
    {
      g_assert_no_error (error);
      return;
    }
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "'sdkBundle'"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (url_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/room/url/%s", url_rows[i].name);

      g_test_add_data_func (path, &url_rows[i], test_url_build);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_url_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/room/url-bad/%s", bad_url_rows[i].name);

      g_test_add_data_func (path, &bad_url_rows[i], test_url_bad);
    }
  g_test_add_func ("/room/url/round-trip", test_url_round_trip);
  g_test_add_func ("/room/url/local-file", test_url_local_file);
  for (guint i = 0; i < G_N_ELEMENTS (region_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/room/region/%s", region_rows[i].name);

      g_test_add_data_func (path, &region_rows[i], test_region);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_param_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/room/param-rejected/%s", bad_param_rows[i].name);

      g_test_add_data_func (path, &bad_param_rows[i], test_param_rejected);
    }
  g_test_add_func ("/room/param-empty-value", test_param_empty_value);
  for (guint i = 0; i < G_N_ELEMENTS (validate_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/room/validate/%s", validate_rows[i].name);

      g_test_add_data_func (path, &validate_rows[i], test_validate);
    }
  g_test_add_func ("/room/user-uuid-generated", test_user_uuid_generated);
  g_test_add_func ("/room/params/listed", test_params_listed);
  for (guint i = 0; i < G_N_ELEMENTS (api_page_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/room/api-page/%s", api_page_rows[i].name);

      g_test_add_data_func (path, &api_page_rows[i], test_api_page);
    }
  {
    guint n_params;
    const RhRoomParam *params = rh_room_params (&n_params);

    for (guint i = 0; i < n_params; i++)
      if (params[i].flags & RH_ROOM_PARAM_SET)
        {
          g_autofree char *path = g_strdup_printf ("/room/params/reserved/%s", params[i].name);

          g_test_add_data_func (path, &params[i], test_param_reserved);
        }
  }
  return g_test_run ();
}
