/* One recording of the local cloud: the record page hosted in a view of
 * this process through `run`'s lifecycle, every state event stored before
 * it is acted on. */
#pragma once

#include "rh-cloud-store.h"
#include "rh-ready-call.h"
#include "rh-record-request.h"

G_BEGIN_DECLS

typedef struct
{
  const char *cloud_url;   /* where the hosted page's ready call goes */
  const char *region;      /* of the request path, NULL for none */
  const char *app_id;
  const char *room_uuid;
  const char *room_name;
  int room_type;
  const char *token;       /* passed to the page and its ready call, NULL for none */
  guint page_memory_mb;    /* bound on the web process the page runs in */
  gboolean sdk_api_local;  /* the SDKs' API hosts go to cloud_url, as check --sdk-api local */
  RhBrowserEngine engine;
  /* The cloud itself, answering the ready call in this process; NULL to send
   * it to cloud_url over HTTP. */
  GObject *ready_answerer;
  RhReadyCallAnswer ready_answer;
  /* Workers sharing the store: the claim the room runs under, whose every
   * write is checked (NULL owner: none), and where its attempts go on. */
  const char *owner;
  gint64 epoch;
  guint first_attempt;   /* 0 or 1, or later after attempts on workers that died */
  const char *record_id; /* NULL: a new one */
} RhCloudRoom;

#define RH_TYPE_CLOUD_RECORDING (rh_cloud_recording_get_type ())
G_DECLARE_FINAL_TYPE (RhCloudRecording, rh_cloud_recording, RH, CLOUD_RECORDING, GObject)

void              rh_cloud_recording_start_async  (RhCloudStore *store, const RhCloudRoom *room,
                                                   const RhRecordRequest *request,
                                                   const char *config_json,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
RhCloudRecording *rh_cloud_recording_start_finish (GAsyncResult *result, GError **error);
const char       *rh_cloud_recording_get_record_id (RhCloudRecording *recording);
gboolean          rh_cloud_recording_is_held   (RhCloudRecording *recording);
void              rh_cloud_recording_release_async  (RhCloudRecording *recording,
                                                     GAsyncReadyCallback callback,
                                                     gpointer user_data);
gboolean          rh_cloud_recording_release_finish (RhCloudRecording *recording,
                                                     GAsyncResult *result, GError **error);
void              rh_cloud_recording_stop_async  (RhCloudRecording *recording,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
/* The room is another worker's now (or may be, the store out of reach past
 * the lease): the page stops and nothing more is written. */
void              rh_cloud_recording_lose      (RhCloudRecording *recording);
gboolean          rh_cloud_recording_is_lost   (RhCloudRecording *recording);
gint64            rh_cloud_recording_get_epoch (RhCloudRecording *recording);
void              rh_cloud_recording_get_room  (RhCloudRecording *recording,
                                                const char **app_id, const char **room_uuid);
gint64            rh_cloud_recording_get_start_ms (RhCloudRecording *recording);
/* The reason of its last state event, 0 before any. */
int               rh_cloud_recording_get_reason (RhCloudRecording *recording);
gboolean          rh_cloud_recording_stop_finish (RhCloudRecording *recording,
                                                  GAsyncResult *result, GError **error);

G_END_DECLS
