/* What rh-cloud.c and the API's handlers share: rh-cloud-handlers.c (what
 * changes a recording), rh-cloud-reads.c (what reads the store),
 * rh-cloud-health.c, and a worker's cluster (rh-cloud-cluster*.c). */
#pragma once

#include "rh-api-server.h"
#include "rh-cloud-metrics.h"
#include "rh-cloud-recording.h"
#include "rh-cloud-store-cluster.h"
#include "rh-cloud-store-leases.h"
#include "rh-cloud.h"

G_BEGIN_DECLS

/* The SDK's codes: their middle digits are the HTTP status (30409410: 409). */
#define RH_CLOUD_CODE_CONFLICT 409
#define RH_CLOUD_CODE_AT_CAPACITY 503
#define RH_CLOUD_CODE_RECORD_NOT_STARTED 30409410
#define RH_CLOUD_CODE_RECORD_RUNNING 30409411
/* Seconds a client waits before asking a store that could not be reached
 * again. */
#define RH_CLOUD_STORE_RETRY_AFTER "5"

struct _RhCloud
{
  GObject parent_instance;

  SoupServer *server;
  char *base_url;
  guint ready_count;
  RhCloudStore *store;
  char *token;             /* required x-agora-token, NULL for none */
  GHashTable *recordings;  /* "appId/roomUuid" -> RhCloudRecording, active ones */
  GHashTable *starting;    /* "appId/roomUuid" of starts not stored yet */
  gboolean exposed;        /* listening beyond loopback */
  gboolean insecure_no_token; /* may be exposed without a token */
  gboolean allow_file_pages;  /* starts may open file pages */
  char *file_page;            /* the one file page allowed anyway, or NULL */
  guint max_rooms;         /* recordings held at once; a start past it is refused */
  guint page_memory_mb;    /* bound on each web process, which rooms may share */
  gboolean sdk_api_local;  /* pages' SDK API hosts routed here, unless a start says none */
  RhBrowserEngine engine;  /* pages' engine, unless a start says another */
  RhMetrics *metrics;      /* what GET /metrics tells (rh-cloud-metrics.h) */

  /* Workers sharing a PostgreSQL store (rh-cloud-cluster.c); worker_id
   * NULL: this cloud holds every room of its store alone. */
  char *worker_id;
  gint64 lease_ttl_ms;
  guint lease_source;        /* the next renewal */
  gint64 renewed_us;         /* monotonic time the last renewal the store took was asked */
  gint64 renewal_asked_us;
  guint give_up_source;      /* stops the rooms when no renewal is taken in time */
  gboolean store_reachable;
  gboolean claiming;         /* a claim is under way */
  gboolean draining;         /* claims nothing more */
  guint giving_back;         /* claims being given back */
  GHashTable *handing_off;   /* "appId/roomUuid" offered to others while draining */
  RhCloudClusterCounts cluster; /* as of the last renewal */
  gulong notification_handler;
};

/* A call of the API answered once the store has: its message paused until
 * then.  The path and query are the message's, parsed again. */
typedef struct
{
  RhCloud *cloud;
  SoupServerMessage *msg;
  RhApiPath *path;
  GHashTable *query; /* NULL for none */
  gpointer data;     /* the handler's */
  GDestroyNotify data_free;
} RhCloudCall;

RhCloudCall *rh_cloud_call_new   (RhCloud *cloud, SoupServerMessage *msg, GHashTable *query);
void         rh_cloud_call_done  (RhCloudCall *call);
/* Answers a failure of the store: 503 with Retry-After while it cannot be
 * reached, else 500 (the details to the log only). */
void         rh_cloud_reply_store_error (SoupServerMessage *msg, const GError *error);
void         rh_cloud_room_known_async  (RhCloudCall *call, GAsyncReadyCallback callback);
gboolean     rh_cloud_room_known_finish (RhCloudCall *call, GAsyncResult *result);

/* The fields of a room's recording every start shares: where its page
 * calls, the token, its memory, the SDK API's routing. */
void      rh_cloud_room_init         (RhCloud *self, RhCloudRoom *room,
                                      const RhRecordRequest *request);
/* The start of a recording ran its course (@recording, NULL when it
 * failed): in the table of recordings, or the claim given back. */
void      rh_cloud_add_recording     (RhCloud *self, const char *key,
                                      RhCloudRecording *recording);
void      rh_cloud_cluster_run_claim (RhCloud *self, RhCloudClaim *claim);
void      rh_cloud_cluster_claim     (RhCloud *self);
void      rh_cloud_cluster_recording_finished (RhCloud *self, RhCloudRecording *recording);
void      rh_cloud_cluster_stop      (RhCloud *self);
void      rh_cloud_cluster_notify_room (RhCloud *self, const char *op, const char *app_id,
                                        const char *room_uuid);
gboolean  rh_cloud_is_clustered      (RhCloud *self);
guint     rh_cloud_taken_count       (RhCloud *self);
JsonNode *rh_cloud_capacity_node     (RhCloud *self);
gboolean  rh_cloud_is_authenticated  (RhCloud *self, SoupServerMessage *msg);
void      rh_cloud_handle_ready       (RhCloud *self, SoupServerMessage *msg,
                                       const RhApiPath *path);
void      rh_cloud_handle_create_room (RhCloud *self, SoupServerMessage *msg,
                                       const RhApiPath *path);
void      rh_cloud_handle_start       (RhCloud *self, SoupServerMessage *msg,
                                       const RhApiPath *path);
void      rh_cloud_handle_stop        (RhCloud *self, SoupServerMessage *msg,
                                       const RhApiPath *path);
void      rh_cloud_handle_update      (RhCloud *self, SoupServerMessage *msg,
                                       const RhApiPath *path);
void      rh_cloud_handle_records     (RhCloud *self, SoupServerMessage *msg,
                                       const RhApiPath *path);
void      rh_cloud_handle_record_file (RhCloud *self, SoupServerMessage *msg,
                                       const RhApiPath *path, GHashTable *query);
void      rh_cloud_handle_sequences   (RhCloud *self, SoupServerMessage *msg,
                                       const RhApiPath *path, GHashTable *query);
void      rh_cloud_handle_health      (RhCloud *self, SoupServerMessage *msg);
void      rh_cloud_handle_cluster_start  (RhCloudCall *call, RhRecordRequest *request,
                                          char *config);
void      rh_cloud_handle_cluster_change (RhCloud *self, SoupServerMessage *msg,
                                          RhCloudChange change);
void      rh_cloud_handle_recording   (RhCloud *self, SoupServerMessage *msg, const char *name);
GBytes   *rh_cloud_answer_ready       (GObject *cloud, const char *uri, guint *status);

G_END_DECLS
