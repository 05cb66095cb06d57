/* The answers of recordhost's API servers (rh-api-server.h): the cloud's
 * JSON envelope, CORS for the calls pages make, and the SDKs' first calls. */
#include "rh-api-server.h"

#include "rh-json.h"
#include "rh-sdk-api.h"

/* The envelope's text: {"msg":..,"code":..,"ts":..[,"data":..]}. */
char *
rh_api_envelope_new (gint64 code, const char *text, JsonNode *data)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "msg");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, "code");
  json_builder_add_int_value (builder, code);
  json_builder_set_member_name (builder, "ts");
  json_builder_add_int_value (builder, g_get_real_time () / 1000);
  if (data != NULL)
    {
      json_builder_set_member_name (builder, "data");
      json_builder_add_value (builder, json_node_copy (data));
    }
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  return rh_json_to_string (root, FALSE);
}

/* The HTTP status of an error envelope: the code itself, or the middle
 * digits of the SDK's long ones (30409410: 409). */
guint
rh_api_error_status (gint64 code)
{
  guint status = code > 100000 ? (guint) ((code / 1000) % 1000) : (guint) code;

  return status >= 400 && status < 600 ? status : 400;
}

void
rh_api_reply (SoupServerMessage *msg, guint status, gint64 code, const char *text,
              JsonNode *data)
{
  char *body = rh_api_envelope_new (code, text, data);
  gsize length = strlen (body);

  /* libsoup has no phrase for 421. */
  soup_server_message_set_status (msg, status,
                                  status == RH_API_CODE_MISDIRECTED ? "Misdirected Request"
                                                                    : NULL);
  soup_server_message_set_response (msg, "application/json", SOUP_MEMORY_TAKE,
                                    body, length);
}

/* An error envelope whose HTTP status follows from the code. */
void
rh_api_reply_error (SoupServerMessage *msg, gint64 code, const char *text)
{
  rh_api_reply (msg, rh_api_error_status (code), code, text, NULL);
}

void
rh_api_reply_ok (SoupServerMessage *msg, JsonNode *data)
{
  rh_api_reply (msg, SOUP_STATUS_OK, 0, "Success", data);
}

/* @allow: the methods the path takes, or NULL not to say. */
void
rh_api_reply_not_allowed (SoupServerMessage *msg, const char *allow)
{
  if (allow != NULL)
    soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Allow",
                                  allow);
  rh_api_reply_error (msg, RH_API_CODE_METHOD_NOT_ALLOWED, "method not allowed");
}

GBytes *
rh_api_request_body (SoupServerMessage *msg)
{
  return soup_message_body_flatten (soup_server_message_get_request_body (msg));
}

/* Pages make their calls (the ready call, the SDKs' first calls) from their
 * own origin (a CDN, a file): let the browser's CORS checks pass on those,
 * the preflight included, which is answered here (TRUE).  The rest of the
 * API gets no CORS header: no page reads its answers. */
gboolean
rh_api_handle_cors (SoupServerMessage *msg, const RhApiPath *path)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *response = soup_server_message_get_response_headers (msg);
  const char *asked = soup_message_headers_get_one (request, "Access-Control-Request-Headers");

  if (!rh_api_path_is_page_call (path))
    return FALSE;
  soup_message_headers_replace (response, "Access-Control-Allow-Origin", "*");
  if (!g_str_equal (soup_server_message_get_method (msg), "OPTIONS"))
    return FALSE;
  soup_message_headers_replace (response, "Access-Control-Allow-Methods",
                                "GET, POST, PUT, PATCH, DELETE, OPTIONS");
  soup_message_headers_replace (response, "Access-Control-Allow-Headers",
                                asked != NULL ? asked
                                              : "Content-Type, Authorization, x-agora-token, "
                                                "x-agora-uid");
  soup_message_headers_replace (response, "Access-Control-Max-Age", "600");
  soup_server_message_set_status (msg, SOUP_STATUS_NO_CONTENT, NULL);
  return TRUE;
}

/* The SDKs' own first calls (--sdk-api local routes them here): answered
 * (TRUE) when @path is one. */
gboolean
rh_api_handle_sdk_api (SoupServerMessage *msg, const RhApiPath *path)
{
  g_autoptr (JsonNode) data = NULL;

  if (path == NULL || !rh_sdk_api_handles (path))
    return FALSE;
  if (!g_str_equal (soup_server_message_get_method (msg), rh_sdk_api_method (path)))
    {
      rh_api_reply_not_allowed (msg, rh_sdk_api_method (path));
      return TRUE;
    }
  if (rh_sdk_api_refusal (path) != NULL)
    {
      rh_api_reply_error (msg, RH_API_CODE_NOT_IMPLEMENTED, rh_sdk_api_refusal (path));
      return TRUE;
    }
  data = rh_sdk_api_answer (path);
  rh_api_reply_ok (msg, data);
  return TRUE;
}
