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

/* What a worker other than a room's owner is asked. */
typedef enum
{
  RH_CLOUD_CHANGE_NONE = 0,    /* nothing: the room as it is */
  RH_CLOUD_CHANGE_HOLD = 1,    /* onHold true: nothing, allowed only while held */
  RH_CLOUD_CHANGE_RELEASE = 2, /* onHold false (the number is the store's) */
  RH_CLOUD_CHANGE_STOP = 3,
  RH_CLOUD_CHANGE_READY = 4,   /* a ready call: nothing, answered as the owner would */
} RhCloudChange;

/* @change asked through any worker, kept in the room for its owner; a
 * pending room's stop ends it at once (its event stored).  *state is the
 * room's before: "pending", "active" or "idle" (nothing changed: not
 * recording), *record_id its record, *held whether it is held now. */
void     rh_cloud_store_change_room_async  (RhCloudStore *store, const char *app_id,
                                            const char *room_uuid, RhCloudChange change,
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
