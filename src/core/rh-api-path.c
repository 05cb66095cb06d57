#include "rh-api-path.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-error.h"

void
rh_api_path_free (RhApiPath *path)
{
  if (path == NULL)
    return;
  g_free (path->region);
  g_free (path->app_id);
  g_free (path->room_uuid);
  g_free (path->user_uuid);
  g_free (path->rest);
  g_free (path->record_id);
  g_free (path);
}

/* The calls a web page makes, from its own origin: the ready call and the
 * SDKs' first calls.  Only these are answered to other origins (CORS). */
gboolean
rh_api_path_is_page_call (const RhApiPath *path)
{
  if (path == NULL)
    return FALSE;
  if (path->kind == RH_API_PATH_ROOM)
    return g_str_equal (path->rest, RH_API_PATH_READY);
  return path->kind == RH_API_PATH_CONFIGS || path->kind == RH_API_PATH_CHECK_IN
         || path->kind == RH_API_PATH_ENTRY || path->kind == RH_API_PATH_RTM_LOGIN;
}

/* What can follow a room in the recording API, longest first. */
static const char *const room_endpoints[] = {
  RH_API_PATH_STOP, RH_API_PATH_START, RH_API_PATH_READY, RH_API_PATH_RECORDS,
  RH_API_PATH_SEQUENCES, NULL,
};

/* One part of a path, percent-decoded: NULL for a bad escape, a NUL, or
 * what is not UTF-8. */
static char *
decode_part (const char *start, const char *end)
{
  g_autofree char *part = g_uri_unescape_segment (start, end, NULL);

  if (part == NULL || !g_utf8_validate (part, -1, NULL))
    return NULL;
  return g_steal_pointer (&part);
}

/* What can follow a record's id: its files. */
static const struct
{
  const char *suffix;
  const char *rest;
} record_files[] = {
  { "/har", RH_API_PATH_RECORD_HAR },
  { "/snapshots", RH_API_PATH_RECORD_SNAPSHOTS },
};

/* "{room}/records/{recordId}/{file}": the record's id, one segment, and the
 * room's length; FALSE for a bad escape in the id.  Anything else is left
 * to be the room's. */
static gboolean
parse_record_file (RhApiPath *parsed, const char *room, gsize *room_length)
{
  for (guint i = 0; i < G_N_ELEMENTS (record_files); i++)
    {
      const char *suffix = record_files[i].suffix;
      const char *id_end = room + *room_length - strlen (suffix);
      const char *id = id_end;

      if (*room_length < strlen ("x/records/y") + strlen (suffix)
          || !g_str_has_suffix (room, suffix))
        continue;
      while (id > room && id[-1] != '/')
        id--;
      if (id == id_end || id - room < (gssize) strlen ("x/records/")
          || strncmp (id - strlen ("/records/"), "/records/", strlen ("/records/")) != 0)
        continue;
      parsed->record_id = decode_part (id, id_end);
      if (parsed->record_id == NULL)
        return FALSE;
      g_free (parsed->rest);
      parsed->rest = g_strdup (record_files[i].rest);
      *room_length = (gsize) (id - strlen ("/records/") - room);
      return TRUE;
    }
  return TRUE;
}

/* A room uuid may also hold a literal '/': the room is what lies between
 * "/v2/rooms/" and a known endpoint, decoded. */
static RhApiPath *
parse_room (const char *path)
{
  g_autoptr (RhApiPath) parsed = NULL;
  const char *rest = path;
  const char *app_end;
  const char *room;
  gsize room_length;

  if (path == NULL || path[0] != '/')
    return NULL;
  parsed = g_new0 (RhApiPath, 1);
  parsed->kind = RH_API_PATH_ROOM;
  if (!g_str_has_prefix (rest, "/edu/"))
    {
      const char *slash = strchr (rest + 1, '/');

      if (slash == NULL || slash == rest + 1)
        return NULL;
      parsed->region = decode_part (rest + 1, slash);
      /* It becomes a path segment of the hosted page's ready call. */
      if (parsed->region == NULL || strchr (parsed->region, '/') != NULL)
        return NULL;
      rest = slash;
    }
  if (!g_str_has_prefix (rest, "/edu/apps/"))
    return NULL;
  rest += strlen ("/edu/apps/");
  app_end = strstr (rest, "/v2/rooms/");
  if (app_end == NULL || app_end == rest || memchr (rest, '/', app_end - rest) != NULL)
    return NULL;
  /* "appId/roomUuid" keys a room: an app id holds no '/'. */
  parsed->app_id = decode_part (rest, app_end);
  if (parsed->app_id == NULL || strchr (parsed->app_id, '/') != NULL)
    return NULL;

  room = app_end + strlen ("/v2/rooms/");
  room_length = strlen (room);
  parsed->rest = g_strdup ("");
  for (guint i = 0; room_endpoints[i] != NULL; i++)
    {
      gsize endpoint_length = strlen (room_endpoints[i]);

      if (room_length > endpoint_length + 1 && g_str_has_suffix (room, room_endpoints[i])
          && room[room_length - endpoint_length - 1] == '/')
        {
          g_free (parsed->rest);
          parsed->rest = g_strdup (room_endpoints[i]);
          room_length -= endpoint_length + 1;
          break;
        }
    }
  if (parsed->rest[0] == '\0' && !parse_record_file (parsed, room, &room_length))
    return NULL;
  if (room_length == 0)
    return NULL;
  parsed->room_uuid = decode_part (room, room + room_length);
  if (parsed->room_uuid == NULL)
    return NULL;
  return g_steal_pointer (&parsed);
}

/* "/a/b%2Fc" -> {"a", "b/c"}: split as sent, each segment percent-decoded;
 * NULL for an empty segment, a bad escape or what is not UTF-8. */
static char **
segments (const char *path)
{
  g_auto (GStrv) parts = NULL;

  if (path == NULL || path[0] != '/')
    return NULL;
  parts = g_strsplit (path + 1, "/", 16);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *decoded = g_uri_unescape_string (parts[i], NULL);

      if (decoded == NULL || *decoded == '\0' || !g_utf8_validate (decoded, -1, NULL))
        {
          g_free (decoded);
          return NULL;
        }
      g_free (parts[i]);
      parts[i] = decoded;
    }
  return g_steal_pointer (&parts);
}

/* The SDK's calls name no room endpoint: they are cut at every '/'. */
static RhApiPath *
parse_sdk (const char *path)
{
  g_auto (GStrv) parts = segments (path);
  g_autoptr (RhApiPath) parsed = NULL;
  gboolean scene;
  guint n, i = 0;

  if (parts == NULL)
    return NULL;
  n = g_strv_length (parts);
  if (n > 0 && !g_str_equal (parts[0], "edu") && !g_str_equal (parts[0], "scene"))
    i = 1; /* the region */
  if (n < i + 4 || (!g_str_equal (parts[i], "edu") && !g_str_equal (parts[i], "scene"))
      || !g_str_equal (parts[i + 1], "apps"))
    return NULL;
  scene = g_str_equal (parts[i], "scene");
  parsed = g_new0 (RhApiPath, 1);
  parsed->region = i == 1 ? g_strdup (parts[0]) : NULL;
  parsed->app_id = g_strdup (parts[i + 2]);
  parsed->rest = g_strdup ("");
  i += 3;
  if (scene)
    {
      /* The scene API's only call here: the RTM login. */
      if (n != i + 4 || !g_str_equal (parts[i], "v1") || !g_str_equal (parts[i + 1], "users")
          || !g_str_equal (parts[i + 3], "login"))
        return NULL;
      parsed->kind = RH_API_PATH_RTM_LOGIN;
      parsed->user_uuid = g_strdup (parts[i + 2]);
    }
  else if (n == i + 2 && g_str_equal (parts[i], "v2") && g_str_equal (parts[i + 1], "configs"))
    parsed->kind = RH_API_PATH_CONFIGS;
  else if (n == i + 5 && (g_str_equal (parts[i], "v3") || g_str_equal (parts[i], "v2"))
           && g_str_equal (parts[i + 1], "rooms") && g_str_equal (parts[i + 3], "users"))
    {
      parsed->kind = g_str_equal (parts[i], "v3") ? RH_API_PATH_CHECK_IN : RH_API_PATH_ENTRY;
      parsed->room_uuid = g_strdup (parts[i + 2]);
      parsed->user_uuid = g_strdup (parts[i + 4]);
    }
  else
    return NULL;
  return g_steal_pointer (&parsed);
}

/* NULL unless @path, as sent, is one of the API's paths.  The SDK's first:
 * the room entry would otherwise read as a room whose uuid holds "/users/". */
RhApiPath *
rh_api_path_parse (const char *path)
{
  RhApiPath *parsed = parse_sdk (path);

  return parsed != NULL ? parsed : parse_room (path);
}

/* Clients and servers remove a "." or ".." path segment, encoded or not
 * (RFC 3986's dot segments): the call would reach another path. */
static gboolean
segment_ok (const char *what, const char *value, GError **error)
{
  if (!g_str_equal (value, ".") && !g_str_equal (value, ".."))
    return TRUE;
  g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
               "%s '%s' cannot be sent in the ready call's path: HTTP clients and servers remove "
               "a '.' or '..' path segment", what, value);
  return FALSE;
}

/* {api_base}[/{region}]/edu/apps/{appId}/v2/rooms/{roomUuid}/{rest}, the ids
 * percent-encoded; @region is one of the known regions, sent as it is. */
char *
rh_api_path_build_uri (const char *api_base, const char *region, const char *app_id,
                       const char *room_uuid, const char *rest, GError **error)
{
  g_autoptr (GUri) base = NULL;
  g_autoptr (GError) local_error = NULL;
  g_autoptr (GString) uri = NULL;
  g_autofree char *app = NULL;
  g_autofree char *room = NULL;
  const char *scheme;

  base = g_uri_parse (api_base, G_URI_FLAGS_ENCODED, &local_error);
  if (base == NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "bad --api-base '%s': %s", api_base,
                   local_error->message);
      return NULL;
    }
  scheme = g_uri_get_scheme (base);
  if ((g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0)
      || g_uri_get_host (base) == NULL || *g_uri_get_host (base) == '\0')
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "bad --api-base '%s': expected an http or https URL with a host", api_base);
      return NULL;
    }
  if (g_uri_get_query (base) != NULL || g_uri_get_fragment (base) != NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "bad --api-base '%s': no query or fragment allowed", api_base);
      return NULL;
    }
  /* GLib takes any byte in a host; a resolver would only say it is not
   * found.  Beyond ASCII is an international name, the resolver's to turn. */
  for (const char *c = g_uri_get_host (base); *c != '\0'; c++)
    if ((guchar) *c < 0x80 && !g_ascii_isalnum (*c) && strchr ("-._:%[]", *c) == NULL)
      {
        g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                     "bad --api-base '%s': the host has a character no host name can", api_base);
        return NULL;
      }
  /* Spaces and controls have no place anywhere in it. */
  for (const char *c = api_base; *c != '\0'; c++)
    if ((guchar) *c <= ' ' || *c == 0x7f)
      {
        g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                     "bad --api-base '%s': spaces and control characters are not allowed",
                     api_base);
        return NULL;
      }

  if (!segment_ok ("app id", app_id, error) || !segment_ok ("room uuid", room_uuid, error))
    return NULL;
  uri = g_string_new (api_base);
  while (uri->len > 0 && uri->str[uri->len - 1] == '/')
    g_string_truncate (uri, uri->len - 1);
  if (region != NULL)
    g_string_append_printf (uri, "/%s", region);
  app = g_uri_escape_string (app_id, NULL, FALSE);
  room = g_uri_escape_string (room_uuid, NULL, FALSE);
  g_string_append_printf (uri, "/edu/apps/%s/v2/rooms/%s", app, room);
  if (rest != NULL && *rest != '\0')
    g_string_append_printf (uri, "/%s", rest);
  return g_string_free (g_steal_pointer (&uri), FALSE);
}
