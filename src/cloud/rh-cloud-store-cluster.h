/* What workers sharing a PostgreSQL store tell each other through it: a
 * release or stop asked through any worker, kept in the room for its owner
 * and told it by NOTIFY; the cluster's counts from the workers' heartbeats. */
#pragma once

#include "rh-cloud-store.h"

G_BEGIN_DECLS

/* The cluster as its live workers' heartbeats tell it. */
typedef struct
{
  guint workers;
  guint capacity;
  guint active;
  guint pending;
} RhCloudClusterCounts;

/* A release (@stop FALSE) or stop asked through any worker, kept in the
 * room for its owner; a pending room's stop ends it at once (its event
 * stored).  *state is the room's: "pending", "active" or "idle" (nothing
 * to change: not recording), *record_id its record. */
void     rh_cloud_store_change_room_async  (RhCloudStore *store, const char *app_id,
                                            const char *room_uuid, gboolean stop,
                                            GAsyncReadyCallback callback, gpointer user_data);
gboolean rh_cloud_store_change_room_finish (RhCloudStore *store, GAsyncResult *result,
                                            char **state, char **record_id, gboolean *held,
                                            GError **error);
void     rh_cloud_store_count_cluster_async  (RhCloudStore *store,
                                              GAsyncReadyCallback callback,
                                              gpointer user_data);
gboolean rh_cloud_store_count_cluster_finish (RhCloudStore *store, GAsyncResult *result,
                                              RhCloudClusterCounts *counts, GError **error);
/* NOTIFY on the rooms' channel (RH_CLOUD_STORE_CHANNEL), no answer waited for. */
void     rh_cloud_store_notify (RhCloudStore *store, const char *payload);

#define RH_CLOUD_STORE_CHANNEL "recordhost_rooms"

G_END_DECLS
