#include "rh-record-request.h"

#include <gio/gio.h>

#include "rh-record-config.h"
#include "rh-json.h"

G_DEFINE_QUARK (recordhost-record-request-error-quark, rh_record_request_error)

void
rh_record_request_free (RhRecordRequest *request)
{
  if (request == NULL)
    return;
  g_free (request->url);
  g_free (request);
}

static JsonObject *
parse_object (const char *body, gsize length, JsonParser *parser, GError **error)
{
  g_autoptr (GError) json_error = NULL;

  if (body == NULL || length == 0)
    {
      g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                           "the body is empty: a JSON object is needed");
      return NULL;
    }
  if (!rh_json_parser_load (parser, body, length, G_MAXSIZE, RH_JSON_MAX_DEPTH,
                            &json_error))
    {
      g_set_error (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                   "the body is not JSON: %s", json_error->message);
      return NULL;
    }
  if (json_parser_get_root (parser) == NULL
      || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                           "the body is not a JSON object");
      return NULL;
    }
  return json_node_get_object (json_parser_get_root (parser));
}

/* An optional whole number within [min, max]; *@value keeps its default. */
static gboolean
get_uint (JsonObject *object, const char *name, guint min, guint max, guint *value,
          GError **error)
{
  JsonNode *node = json_object_get_member (object, name);
  double number;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  if (!JSON_NODE_HOLDS_VALUE (node)
      || (json_node_get_value_type (node) != G_TYPE_INT64
          && json_node_get_value_type (node) != G_TYPE_DOUBLE))
    {
      g_set_error (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                   "%s must be a number", name);
      return FALSE;
    }
  number = json_node_get_double (node);
  /* In range before the cast: converting 1e300 to an integer is undefined. */
  if (!(number >= min && number <= max) || number != (double) (gint64) number)
    {
      g_set_error (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                   "%s must be a whole number in %u..%u", name, min, max);
      return FALSE;
    }
  *value = (guint) number;
  return TRUE;
}

/* A true or false member of any of @names, if present. */
static gboolean
get_boolean (JsonObject *object, const char *const *names, gboolean *value, gboolean *present,
             GError **error)
{
  *present = FALSE;
  for (guint i = 0; names[i] != NULL; i++)
    {
      JsonNode *node = json_object_get_member (object, names[i]);

      if (node == NULL || JSON_NODE_HOLDS_NULL (node))
        continue;
      if (!JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_BOOLEAN)
        {
          g_set_error (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                       "%s must be true or false", names[i]);
          return FALSE;
        }
      *value = json_node_get_boolean (node);
      *present = TRUE;
    }
  return TRUE;
}

/* onHold in some doc versions, onhold in others: both are accepted. */
static gboolean
get_on_hold (JsonObject *object, gboolean *on_hold, gboolean *present, GError **error)
{
  const char *const names[] = { "onHold", "onhold", NULL };

  return get_boolean (object, names, on_hold, present, error);
}

/* snapshots: true keeps pictures of each attempt of the page. */
static gboolean
get_snapshots (JsonObject *object, gboolean *snapshots, GError **error)
{
  const char *const names[] = { "snapshots", NULL };
  gboolean present;

  return get_boolean (object, names, snapshots, &present, error);
}

/* sdkApi: "local" routes the SDKs' API hosts to the cloud, "none" leaves
 * them alone; absent, the cloud's --sdk-api decides. */
static gboolean
get_sdk_api (JsonObject *object, RhRecordRequest *request, GError **error)
{
  JsonNode *node = json_object_get_member (object, "sdkApi");
  const char *value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  value = rh_json_string_member (object, "sdkApi");
  if (value == NULL || (!g_str_equal (value, "local") && !g_str_equal (value, "none")))
    {
      g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                           "sdkApi must be \"local\" or \"none\"");
      return FALSE;
    }
  request->has_sdk_api = TRUE;
  request->sdk_api_local = g_str_equal (value, "local");
  return TRUE;
}

/* engine: "wpe" or "chromium"; absent, the cloud's --engine decides. */
static gboolean
get_engine (JsonObject *object, RhRecordRequest *request, GError **error)
{
  JsonNode *node = json_object_get_member (object, "engine");
  const char *value;

  if (node == NULL || JSON_NODE_HOLDS_NULL (node))
    return TRUE;
  value = rh_json_string_member (object, "engine");
  if (value == NULL || !rh_browser_engine_parse (value, &request->engine, NULL))
    {
      g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                           "engine must be \"wpe\" or \"chromium\"");
      return FALSE;
    }
  request->has_engine = TRUE;
  return TRUE;
}

RhRecordRequest *
rh_record_request_parse (const char *body, gsize length, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (RhRecordRequest) request = g_new0 (RhRecordRequest, 1);
  JsonObject *root = parse_object (body, length, parser, error);
  JsonObject *config;
  JsonNode *config_node;
  const char *mode;
  const char *url;
  gboolean present;
  RhRecordConfig size;
  g_autoptr (GError) size_error = NULL;

  if (root == NULL)
    return NULL;
  mode = rh_json_string_member (root, "mode");
  if (mode == NULL || !g_str_equal (mode, "web"))
    {
      g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                           "mode must be \"web\": only web page recording is hosted here");
      return NULL;
    }
  config_node = json_object_get_member (root, "webRecordConfig");
  if (config_node == NULL || !JSON_NODE_HOLDS_OBJECT (config_node))
    {
      g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_NO_URL,
                           "webRecordConfig with url or rootUrl is required in web mode");
      return NULL;
    }
  config = json_node_get_object (config_node);
  url = rh_json_string_member (config, "url");
  if (url == NULL || *url == '\0')
    url = rh_json_string_member (config, "rootUrl");
  if (url == NULL || *url == '\0')
    {
      g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_NO_URL,
                           "url or rootUrl is required in web mode");
      return NULL;
    }
  request->url = g_strdup (url);

  request->width = RH_RECORD_CONFIG_DEFAULT_WIDTH;
  request->height = RH_RECORD_CONFIG_DEFAULT_HEIGHT;
  request->fps = 15;
  request->max_recording_hours = 2;
  request->retry_timeout_s = 60;
  if (!get_uint (config, "videoWidth", RH_RECORD_CONFIG_MIN_SIDE, RH_RECORD_CONFIG_MAX_SIDE,
                 &request->width, error)
      || !get_uint (config, "videoHeight", RH_RECORD_CONFIG_MIN_SIDE, RH_RECORD_CONFIG_MAX_SIDE,
                    &request->height, error))
    return NULL;
  size.width = request->width;
  size.height = request->height;
  if (!rh_record_config_validate (&size, &size_error))
    {
      g_set_error (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                   "videoWidth x videoHeight: %s", size_error->message);
      return NULL;
    }
  /* Default bitrate as the cloud: 2000 kbps at 1280x720 and above, else 1500. */
  request->bitrate_kbps = (guint64) request->width * request->height >= 1280 * 720 ? 2000 : 1500;
  if (!get_uint (config, "videoBitrate", 50, 8000, &request->bitrate_kbps, error)
      || !get_uint (config, "videoFps", 5, 60, &request->fps, error)
      || !get_uint (config, "maxRecordingHour", 1, 720, &request->max_recording_hours, error)
      || !get_on_hold (config, &request->on_hold, &present, error)
      || !get_sdk_api (config, request, error)
      || !get_engine (config, request, error)
      || !get_snapshots (config, &request->snapshots, error)
      || !get_uint (root, "retryTimeout", 1, 3600, &request->retry_timeout_s, error))
    return NULL;
  return g_steal_pointer (&request);
}

/* Whether @request may open its page.  http and https pages may; a file
 * page (a file: URL, or what has no scheme and is read as a path, or
 * anything else that is not http or https) only with @allow_file_pages, or
 * when it is exactly @file_page: a page of this machine's files reads other
 * files, and any web page the user opens can call the API. */
gboolean
rh_record_request_check_page (const RhRecordRequest *request, gboolean allow_file_pages,
                              const char *file_page, GError **error)
{
  g_autofree char *scheme = g_uri_parse_scheme (request->url);

  if (scheme != NULL
      && (g_ascii_strcasecmp (scheme, "http") == 0 || g_ascii_strcasecmp (scheme, "https") == 0))
    return TRUE;
  if (allow_file_pages || g_strcmp0 (request->url, file_page) == 0)
    return TRUE;
  g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                       "url or rootUrl must be an http or https URL: file pages (file: URLs, "
                       "paths) are opened only by a cloud started with --allow-file-pages");
  return FALSE;
}

/* PATCH: {"webRecordConfig": {"onHold": false}}; *@has_on_hold says
 * whether the body set it. */
gboolean
rh_record_request_update (const char *body, gsize length, gboolean *on_hold,
                          gboolean *has_on_hold, GError **error)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonObject *root = parse_object (body, length, parser, error);
  JsonNode *config;

  if (root == NULL)
    return FALSE;
  config = json_object_get_member (root, "webRecordConfig");
  if (config == NULL || !JSON_NODE_HOLDS_OBJECT (config))
    {
      g_set_error_literal (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID,
                           "webRecordConfig is required");
      return FALSE;
    }
  return get_on_hold (json_node_get_object (config), on_hold, has_on_hold, error);
}
