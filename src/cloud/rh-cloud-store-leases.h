/* Rooms as work that workers sharing a PostgreSQL store claim: a start
 * makes a room pending, one worker claims it for a lease (owner, epoch,
 * expiry by PostgreSQL's clock), renews it, and ends it; a lease that
 * expires is reaped by one worker and the room is pending again (a retry).
 * PostgreSQL only: with SQLite one cloud holds every room. */
#pragma once

#include "rh-cloud-store.h"

G_BEGIN_DECLS

/* What a claim gives the worker to run the room with. */
typedef struct
{
  char *app_id;
  char *room_uuid;
  char *room_name;
  int room_type;
  gint64 epoch;
  char *config;    /* the start's request */
  char *region;    /* NULL for none */
  gboolean held;
  guint retries;   /* attempts before this one, on workers that died */
  char *record_id; /* the start's, for the first attempt */
} RhCloudClaim;

void rh_cloud_claim_free (RhCloudClaim *claim);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhCloudClaim, rh_cloud_claim_free)

/* A start: the room pending, unless one is pending or active already
 * (*requested FALSE).  The room is made if it was not. */
void     rh_cloud_store_request_room_async  (RhCloudStore *store, const char *app_id,
                                             const char *room_uuid, const char *region,
                                             const char *config, gboolean held,
                                             const char *record_id,
                                             GAsyncReadyCallback callback, gpointer user_data);
gboolean rh_cloud_store_request_room_finish (RhCloudStore *store, GAsyncResult *result,
                                             gboolean *requested, GError **error);
/* The oldest pending room, claimed by @owner for @ttl_ms; NULL and no error
 * when none is pending. */
void          rh_cloud_store_claim_room_async  (RhCloudStore *store, const char *owner,
                                                gint64 ttl_ms, GAsyncReadyCallback callback,
                                                gpointer user_data);
RhCloudClaim *rh_cloud_store_claim_room_finish (RhCloudStore *store, GAsyncResult *result,
                                                GError **error);
/* Renews @owner's leases of @rooms ("appId/roomUuid", those it runs) and
 * its heartbeat; _finish gives those still held: "appId/roomUuid" -> epoch
 * (GINT_TO_POINTER would not hold it: a gint64 *).  A room the store says
 * is @owner's but @owner no longer runs (stopped while the store was away)
 * keeps its lease running out, to be reaped. */
void        rh_cloud_store_renew_leases_async  (RhCloudStore *store, const char *owner,
                                                const char *const *rooms, gint64 ttl_ms,
                                                const char *base_url, guint capacity,
                                                guint active, gboolean draining,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data);
GHashTable *rh_cloud_store_renew_leases_finish (RhCloudStore *store, GAsyncResult *result,
                                                GError **error);
/* Rooms whose lease expired, by one worker at a time: each attempt ends
 * with reason 4 (2 when a stop was asked, 5 past the last retry), stored,
 * and the room is pending again (or idle).  _finish gives how many. */
void  rh_cloud_store_reap_async  (RhCloudStore *store, gint64 ttl_ms,
                                  GAsyncReadyCallback callback, gpointer user_data);
guint rh_cloud_store_reap_finish (RhCloudStore *store, GAsyncResult *result, GError **error);
/* The end of @owner's claim of a room: idle again, the claim's history
 * ended (@how: "stopped", "finished"). */
void     rh_cloud_store_end_claim_async  (RhCloudStore *store, const char *app_id,
                                          const char *room_uuid, const char *owner,
                                          gint64 epoch, const char *how,
                                          GAsyncReadyCallback callback, gpointer user_data);
gboolean rh_cloud_store_end_claim_finish (RhCloudStore *store, GAsyncResult *result,
                                          GError **error);
/* A worker that drains: its rooms offered to the others (state "handoff"),
 * which claim them as pending ones; it goes on recording each until the
 * new owner records.  _finish gives how many. */
void  rh_cloud_store_hand_off_async  (RhCloudStore *store, const char *owner,
                                      GAsyncReadyCallback callback, gpointer user_data);
guint rh_cloud_store_hand_off_finish (RhCloudStore *store, GAsyncResult *result,
                                      GError **error);

/* Every lease @owner's name holds ends now: a worker started again under
 * the name of one that died runs none of its rooms.  _finish: how many. */
void  rh_cloud_store_expire_leases_async  (RhCloudStore *store, const char *owner,
                                           GAsyncReadyCallback callback, gpointer user_data);
guint rh_cloud_store_expire_leases_finish (RhCloudStore *store, GAsyncResult *result,
                                           GError **error);

G_END_DECLS
