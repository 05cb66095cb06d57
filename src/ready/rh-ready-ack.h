/* A small acknowledger of the ready call on loopback, for `check` and `run`
 * without --api-base: it answers PUT [/{region}]/edu/apps/{appId}/v2/rooms/
 * {roomUuid}/records/ready with the cloud's success envelope for any room
 * (the page is checked alone), and, when asked (--sdk-api local), the SDK's
 * own first calls. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define RH_TYPE_READY_ACK (rh_ready_ack_get_type ())
G_DECLARE_FINAL_TYPE (RhReadyAck, rh_ready_ack, RH, READY_ACK, GObject)

RhReadyAck *rh_ready_ack_new             (gboolean answer_sdk_api, GError **error);
const char *rh_ready_ack_get_base_url    (RhReadyAck *ack);
guint       rh_ready_ack_get_ready_count (RhReadyAck *ack);

G_END_DECLS
