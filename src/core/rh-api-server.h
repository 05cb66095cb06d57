/* What every API server of recordhost on loopback does alike: raw paths, a
 * request refused at its headers before its body is read (bad framing, a
 * Host that is not the server's, a web page's call where pages have no
 * business, a body too large or not JSON, what the server's own check
 * refuses), the cloud's JSON envelope {"code":..,"msg":..,"ts":..,"data":..},
 * and CORS for the calls pages make from their own origin: the ready call
 * and the SDKs' first calls (rh_api_path_is_page_call ()).  The server and
 * its guard are rh-api-server.c, the answers rh-api-reply.c. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rh-api-path.h"

G_BEGIN_DECLS

/* Codes of the envelope that are HTTP statuses. */
#define RH_API_CODE_BAD_REQUEST 400
#define RH_API_CODE_UNAUTHORIZED 401
#define RH_API_CODE_FORBIDDEN 403
#define RH_API_CODE_NOT_FOUND 404
#define RH_API_CODE_METHOD_NOT_ALLOWED 405
#define RH_API_CODE_TOO_LARGE 413
#define RH_API_CODE_UNSUPPORTED_MEDIA_TYPE 415
#define RH_API_CODE_MISDIRECTED 421
#define RH_API_CODE_INTERNAL 500
#define RH_API_CODE_NOT_IMPLEMENTED 501

/* The largest request body read. */
#define RH_API_MAX_BODY (64 * 1024)

/* Whether @msg, at its headers, may go on; a refused one is answered 401. */
typedef gboolean (*RhApiServerAuthorize) (SoupServerMessage *msg, gpointer user_data);

SoupServer *rh_api_server_new          (const char *server_header, RhApiServerAuthorize authorize,
                                        gpointer user_data);
char       *rh_api_server_get_base_url (SoupServer *server, GError **error);
gboolean    rh_api_server_allow_host   (SoupServer *server, const char *host, GError **error);
gboolean    rh_api_secret_equal        (const char *given, const char *secret);

char       *rh_api_envelope_new        (gint64 code, const char *text, JsonNode *data);
guint       rh_api_error_status        (gint64 code);
void        rh_api_reply               (SoupServerMessage *msg, guint status, gint64 code,
                                        const char *text, JsonNode *data);
void        rh_api_reply_ok            (SoupServerMessage *msg, JsonNode *data);
void        rh_api_reply_error         (SoupServerMessage *msg, gint64 code, const char *text);
void        rh_api_reply_not_allowed   (SoupServerMessage *msg, const char *allow);
gboolean    rh_api_handle_cors         (SoupServerMessage *msg, const RhApiPath *path);
gboolean    rh_api_handle_sdk_api      (SoupServerMessage *msg, const RhApiPath *path);
GBytes     *rh_api_request_body        (SoupServerMessage *msg);

G_END_DECLS
