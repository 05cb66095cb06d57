/* The ready call: PUT {api-base}[/{region}]/edu/apps/{appId}/v2/rooms/{roomUuid}/records/ready,
 * retried on network errors and 5xx until a deadline. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "rh-room.h"

G_BEGIN_DECLS

#define RH_READY_CALL_ERROR (rh_ready_call_error_quark ())

typedef enum
{
  RH_READY_CALL_ERROR_HTTP,      /* HTTP status outside 2xx */
  RH_READY_CALL_ERROR_REFUSED,   /* 2xx, but the JSON code is not 0 */
  RH_READY_CALL_ERROR_MALFORMED, /* 2xx, but no JSON envelope */
  RH_READY_CALL_ERROR_TIMED_OUT, /* out of time while retrying */
} RhReadyCallError;

GQuark rh_ready_call_error_quark (void);

#define RH_READY_CALL_HTTP_TIMEOUT_S 15

#define RH_TYPE_READY_CALL (rh_ready_call_get_type ())
G_DECLARE_FINAL_TYPE (RhReadyCall, rh_ready_call, RH, READY_CALL, GObject)

char        *rh_ready_call_build_uri  (const char *api_base, const char *region,
                                       const char *app_id, const char *room_uuid, GError **error);
gboolean     rh_ready_reply_parse     (guint status, GBytes *body, gint64 *code, char **msg,
                                       GError **error);
gboolean     rh_ready_call_error_is_transient (const GError *error);

/* What answers a ready call in this process: the HTTP status and the body
 * its server would send for @uri. */
typedef GBytes *(*RhReadyCallAnswer) (GObject *answerer, const char *uri, guint *status);

SoupSession *rh_ready_call_session_new (void);
RhReadyCall *rh_ready_call_new        (SoupSession *session, const char *uri);
RhReadyCall *rh_ready_call_new_for_room (SoupSession *session, const char *api_base,
                                         const RhRoom *room, GError **error);
RhReadyCall *rh_ready_call_new_in_process (const char *uri, GObject *answerer,
                                           RhReadyCallAnswer answer);
void         rh_ready_call_set_token  (RhReadyCall *call, const char *token, const char *user_uuid);
void         rh_ready_call_warm_up    (RhReadyCall *call);
void         rh_ready_call_send_async (RhReadyCall *call, gint64 deadline_us,
                                       GCancellable *cancellable, GAsyncReadyCallback callback,
                                       gpointer user_data);
gboolean     rh_ready_call_send_finish (RhReadyCall *call, GAsyncResult *result, GError **error);
guint        rh_ready_call_get_attempts (RhReadyCall *call);
guint        rh_ready_call_get_status   (RhReadyCall *call);
const char  *rh_ready_call_get_uri      (RhReadyCall *call);

G_END_DECLS
