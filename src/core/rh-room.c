#include "rh-room.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-error.h"

/* The room parameters of a record page's URL, the one list of them: what
 * recordhost sets itself (--param may not), what it fills in as the cloud
 * does when neither --param nor the template gives it, and what pages read
 * (the bridge reports those a page asked for and did not get). */
static const RhRoomParam room_params[] = {
  { "appId", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_READ },
  { "roomUuid", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_READ },
  { "roomType", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_READ },
  { "userUuid", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_READ },
  { "roleType", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_READ },
  { "pretest", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_READ },
  { "rtmToken", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_READ },
  { "language", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_DEFAULT | RH_ROOM_PARAM_READ },
  { "region", RH_ROOM_PARAM_SET | RH_ROOM_PARAM_READ },
  { "userName", RH_ROOM_PARAM_DEFAULT | RH_ROOM_PARAM_READ },
  { "roomName", RH_ROOM_PARAM_DEFAULT | RH_ROOM_PARAM_READ },
  { "startTime", RH_ROOM_PARAM_DEFAULT | RH_ROOM_PARAM_READ },
  { "duration", RH_ROOM_PARAM_DEFAULT | RH_ROOM_PARAM_READ },
  { "rtmUid", RH_ROOM_PARAM_DEFAULT },
  { "recordUrl", RH_ROOM_PARAM_DEFAULT | RH_ROOM_PARAM_READ },
  { "userRole", RH_ROOM_PARAM_READ },
  { "translateLanguage", RH_ROOM_PARAM_READ },
  { "minFPS", RH_ROOM_PARAM_READ },
  { "maxFPS", RH_ROOM_PARAM_READ },
  { "resolution", RH_ROOM_PARAM_READ },
  { "defaultEnableDevice", RH_ROOM_PARAM_READ },
  /* Which SDK bundle the bundled page loads: a client of the cloud's API
   * choosing it would choose the code the page runs. */
  { "sdkBundle", RH_ROOM_PARAM_COMMAND_LINE },
};

const RhRoomParam *
rh_room_params (guint *n_params)
{
  *n_params = G_N_ELEMENTS (room_params);
  return room_params;
}

/* The flags of parameter @name, 0 for one not in the list. */
RhRoomParamFlags
rh_room_param_flags (const char *name)
{
  for (guint i = 0; i < G_N_ELEMENTS (room_params); i++)
    if (g_strcmp0 (room_params[i].name, name) == 0)
      return room_params[i].flags;
  return 0;
}

RhRoom *
rh_room_new (void)
{
  RhRoom *room = g_new0 (RhRoom, 1);

  room->room_type = -1;
  room->params = g_ptr_array_new_with_free_func (g_free);
  return room;
}

void
rh_room_free (RhRoom *room)
{
  if (room == NULL)
    return;
  g_free (room->app_id);
  g_free (room->room_uuid);
  g_free (room->user_uuid);
  g_free (room->rtm_token);
  g_free (room->language);
  g_free (room->region);
  g_ptr_array_unref (room->params);
  g_free (room);
}

char *
rh_user_uuid_generate (void)
{
  g_autofree char *uuid = g_uuid_string_random ();

  return g_strdup_printf ("recorder-%.8s", uuid);
}

/* CN, AP, EU, NA in any case; AS is the SDK's other name for AP. */
char *
rh_region_normalize (const char *region, GError **error)
{
  static const char *const known[] = { "cn", "ap", "eu", "na", NULL };
  g_autofree char *lower = g_ascii_strdown (region, -1);

  if (g_str_equal (lower, "as"))
    return g_strdup ("ap");
  if (!g_strv_contains (known, lower))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "unknown region '%s' (expected CN, AP, EU or NA)", region);
      return NULL;
    }
  return g_steal_pointer (&lower);
}

gboolean
rh_room_set_region (RhRoom *room, const char *region, GError **error)
{
  char *normalized = rh_region_normalize (region, error);

  if (normalized == NULL)
    return FALSE;
  g_free (room->region);
  room->region = normalized;
  return TRUE;
}

gboolean
rh_room_add_param (RhRoom *room, const char *key_value, GError **error)
{
  const char *equals = strchr (key_value, '=');
  g_autofree char *key = NULL;

  if (equals == NULL || equals == key_value)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "--param '%s' is not KEY=VALUE", key_value);
      return FALSE;
    }
  key = g_strndup (key_value, equals - key_value);
  if (rh_room_param_flags (key) & RH_ROOM_PARAM_SET)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "--param cannot set '%s': use its own option", key);
      return FALSE;
    }
  g_ptr_array_add (room->params, g_strdup (key_value));
  return TRUE;
}

static gboolean
is_dot_segment (const char *text)
{
  return g_strcmp0 (text, ".") == 0 || g_strcmp0 (text, "..") == 0;
}

static gboolean
header_value_ok (const char *text)
{
  for (const char *p = text; p != NULL && *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == 0x7f)
      return FALSE;
  return TRUE;
}

gboolean
rh_room_validate (const RhRoom *room, GError **error)
{
  if (room->app_id == NULL || *room->app_id == '\0')
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--app-id is required");
      return FALSE;
    }
  if (room->room_uuid == NULL || *room->room_uuid == '\0')
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--room-uuid is required");
      return FALSE;
    }
  if (room->room_type != 0 && room->room_type != 2 && room->room_type != 4)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           room->room_type < 0
                             ? "--room-type is required (0, 2 or 4)"
                             : "--room-type must be 0 (one-to-one), 2 (lecture hall) or "
                               "4 (small classroom)");
      return FALSE;
    }
  if (room->user_uuid == NULL || *room->user_uuid == '\0')
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "user uuid is empty");
      return FALSE;
    }
  /* No URL path can name these: the ready call would go elsewhere. */
  if (is_dot_segment (room->app_id) || is_dot_segment (room->room_uuid))
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "an app id or room uuid of '.' or '..' cannot be in the ready call's "
                           "path");
      return FALSE;
    }
  /* Both are sent as HTTP header values with the ready call. */
  if (!header_value_ok (room->rtm_token) || !header_value_ok (room->user_uuid))
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "the RTM token and the user uuid cannot hold control characters");
      return FALSE;
    }
  return TRUE;
}

static void
append_param (GString *query, const char *key, const char *value)
{
  g_autofree char *escaped_key = g_uri_escape_string (key, NULL, FALSE);
  g_autofree char *escaped_value = g_uri_escape_string (value, NULL, FALSE);

  if (query->len > 0)
    g_string_append_c (query, '&');
  g_string_append_printf (query, "%s=%s", escaped_key, escaped_value);
}

/* http(s) and file URLs are taken as they are; anything without a scheme is
 * a local path and must exist. */
static GUri *
parse_page_location (const char *url_or_file, GError **error)
{
  g_autofree char *scheme = g_uri_parse_scheme (url_or_file);
  g_autoptr (GError) local_error = NULL;
  GUri *uri;

  if (scheme == NULL)
    {
      g_autoptr (GFile) file = g_file_new_for_commandline_arg (url_or_file);
      g_autofree char *path = g_file_get_path (file);
      g_autofree char *file_uri = NULL;

      if (path == NULL || !g_file_test (path, G_FILE_TEST_IS_REGULAR))
        {
          g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "no such page file: %s",
                       url_or_file);
          return NULL;
        }
      file_uri = g_file_get_uri (file);
      return g_uri_parse (file_uri, G_URI_FLAGS_ENCODED, error);
    }

  if (g_ascii_strcasecmp (scheme, "http") != 0 && g_ascii_strcasecmp (scheme, "https") != 0
      && g_ascii_strcasecmp (scheme, "file") != 0)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "unsupported URL scheme '%s' (expected http, https or file)", scheme);
      return NULL;
    }
  uri = g_uri_parse (url_or_file, G_URI_FLAGS_ENCODED, &local_error);
  if (uri == NULL)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "bad URL '%s': %s", url_or_file,
                   local_error->message);
      return NULL;
    }
  /* "file:.///x" has no host and, its dot segment dropped, a path "//x"
   * that would read as a host: GLib refuses to write such a URL back. */
  if (g_uri_get_host (uri) == NULL && g_str_has_prefix (g_uri_get_path (uri), "//"))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "bad URL '%s': no host, and a path that begins with //", url_or_file);
      g_uri_unref (uri);
      return NULL;
    }
  if (g_ascii_strcasecmp (scheme, "file") != 0
      && (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0'))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "bad URL '%s': no host",
                   url_or_file);
      g_uri_unref (uri);
      return NULL;
    }
  return uri;
}

static gboolean
query_has (const char *query, const char *key)
{
  g_autoptr (GHashTable) params = NULL;

  if (query == NULL)
    return FALSE;
  params = g_uri_parse_params (query, -1, "&", G_URI_PARAMS_NONE, NULL);
  return params != NULL && g_hash_table_contains (params, key);
}

static gboolean
param_given (const RhRoom *room, const char *key)
{
  gsize length = strlen (key);

  for (guint i = 0; i < room->params->len; i++)
    {
      const char *key_value = g_ptr_array_index (room->params, i);

      if (strncmp (key_value, key, length) == 0 && key_value[length] == '=')
        return TRUE;
    }
  return FALSE;
}

/* What the cloud passes besides the room itself, with plausible values:
 * templates read them, and SDKs refuse to launch without some ("userName is
 * required").  --param and the template's own query win. */
static void
append_cloud_defaults (const RhRoom *room, const char *template_query, GString *query)
{
  g_autofree char *start_time = g_strdup_printf ("%" G_GINT64_FORMAT,
                                                 room->start_time_ms > 0
                                                   ? room->start_time_ms
                                                   : g_get_real_time () / 1000);
  const struct
  {
    const char *key;
    const char *value;
  } defaults[] = {
    { "userName", "recorder" },
    { "roomName", room->room_uuid },
    { "language", room->language != NULL ? room->language : "en" },
    { "startTime", start_time },
    { "duration", "3600" },
    { "rtmUid", room->user_uuid },
    { "recordUrl", "" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (defaults); i++)
    if (!param_given (room, defaults[i].key) && !query_has (template_query, defaults[i].key))
      append_param (query, defaults[i].key, defaults[i].value);
}

/* The page URL as the recording server opens it: the template's own query
 * kept, the room's parameters appended, every value percent-encoded. */
char *
rh_room_build_page_url (const RhRoom *room, const char *url_or_file, GError **error)
{
  g_autoptr (GUri) base = NULL;
  g_autoptr (GUri) built = NULL;
  g_autoptr (GUri) reparsed = NULL;
  g_autoptr (GString) query = NULL;
  g_autofree char *url = NULL;
  g_autofree char *room_type = NULL;
  g_autofree char *role_type = NULL;
  g_autofree char *upper_region = NULL;

  if (!rh_room_validate (room, error))
    return NULL;
  base = parse_page_location (url_or_file, error);
  if (base == NULL)
    return NULL;

  query = g_string_new (g_uri_get_query (base));
  room_type = g_strdup_printf ("%d", room->room_type);
  role_type = g_strdup_printf ("%d", room->role_type);
  append_param (query, "appId", room->app_id);
  append_param (query, "roomUuid", room->room_uuid);
  append_param (query, "roomType", room_type);
  append_param (query, "userUuid", room->user_uuid);
  append_param (query, "roleType", role_type);
  append_param (query, "pretest", "false");
  if (room->rtm_token != NULL)
    append_param (query, "rtmToken", room->rtm_token);
  if (room->region != NULL)
    {
      upper_region = g_ascii_strup (room->region, -1);
      append_param (query, "region", upper_region);
    }
  for (guint i = 0; i < room->params->len; i++)
    {
      const char *key_value = g_ptr_array_index (room->params, i);
      const char *equals = strchr (key_value, '=');
      g_autofree char *key = g_strndup (key_value, equals - key_value);

      append_param (query, key, equals + 1);
    }
  append_cloud_defaults (room, g_uri_get_query (base), query);

  built = g_uri_build (G_URI_FLAGS_ENCODED, g_uri_get_scheme (base), g_uri_get_userinfo (base),
                       g_uri_get_host (base), g_uri_get_port (base), g_uri_get_path (base),
                       query->str, g_uri_get_fragment (base));
  url = g_uri_to_string (built);
  /* GLib decodes a host's %-escapes and writes the host back raw: the page
   * opened must be the one given (cdn%40other.example is no other.example). */
  reparsed = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  if (reparsed == NULL || g_strcmp0 (g_uri_get_host (reparsed), g_uri_get_host (base)) != 0
      || g_strcmp0 (g_uri_get_userinfo (reparsed), g_uri_get_userinfo (base)) != 0
      || g_uri_get_port (reparsed) != g_uri_get_port (base)
      || g_strcmp0 (g_uri_get_path (reparsed), g_uri_get_path (base)) != 0)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "bad URL '%s': %%-escapes in its host make it another URL",
                   url_or_file);
      return NULL;
    }
  return g_steal_pointer (&url);
}

/* A page URL that a client of the cloud's API gave: none of the parameters
 * only the command line may give, whichever way the page would decode
 * their names (percent-escapes, '+' for a space). */
gboolean
rh_room_check_api_page (const char *url_or_file, GError **error)
{
  const char *query = strchr (url_or_file, '?');
  g_autofree char *until_fragment = NULL;
  g_auto (GStrv) pairs = NULL;

  if (query == NULL)
    return TRUE;
  until_fragment = g_strndup (query + 1, strcspn (query + 1, "#"));
  pairs = g_strsplit (until_fragment, "&", -1);
  for (guint i = 0; pairs[i] != NULL; i++)
    {
      g_autofree char *raw = g_strndup (pairs[i], strcspn (pairs[i], "="));
      g_autofree char *name = NULL;

      g_strdelimit (raw, "+", ' ');
      name = g_uri_unescape_string (raw, NULL);
      if (name != NULL && (rh_room_param_flags (name) & RH_ROOM_PARAM_COMMAND_LINE))
        {
          g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                       "the page URL cannot set '%s': only recordhost's command line gives it",
                       name);
          return FALSE;
        }
    }
  return TRUE;
}
