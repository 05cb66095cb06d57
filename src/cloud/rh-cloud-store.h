/* What the local cloud keeps: rooms, recordings and each room's events, in
 * SQLite in the data directory (the default; WAL, synchronous=FULL) or in
 * PostgreSQL (--store postgresql://...), so that every change is stored
 * before the API answers, and a restart loses nothing.  One schema and one
 * set of statements for both, through RhSqlConnection; every call is
 * asynchronous.  A store that cannot be reached now fails with
 * RH_SQL_ERROR_UNAVAILABLE. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-sql.h"

G_BEGIN_DECLS

#define RH_TYPE_CLOUD_STORE (rh_cloud_store_get_type ())
G_DECLARE_FINAL_TYPE (RhCloudStore, rh_cloud_store, RH, CLOUD_STORE, GObject)

typedef struct
{
  const char *app_id;
  const char *room_uuid;
  const char *record_id;
  int state;          /* 1 recording, 2 ended */
  int reason;         /* last reason, 0 before any */
  gboolean on_hold;
  gboolean unready;   /* abandoned for never being ready */
  gint64 start_ms;
  gint64 end_ms;      /* 0 while recording */
  const char *config; /* the start request's JSON */
  const char *file;   /* the recording file, NULL for none */
  const char *error;  /* why the recording failed (a full disk), NULL for none */
  const char *page;   /* what its page did, JSON: {"attempts": [...]}, NULL before a load ended */
  /* The worker that runs it and its claim's epoch, when workers share the
   * store: the write is refused once another claim has the room. */
  const char *owner;  /* NULL: written whoever holds the room */
  gint64 epoch;
} RhCloudRecord;

/* A write of a room's owner after another worker took the room over:
 * nothing was written. */
#define RH_CLOUD_STORE_LEASE_LOST G_IO_ERROR_PERMISSION_DENIED

/* @url: NULL for SQLite in @dir; the data directory keeps the recordings
 * either way. */
void          rh_cloud_store_open_async   (const char *dir, const char *url,
                                           GCancellable *cancellable,
                                           GAsyncReadyCallback callback, gpointer user_data);
RhCloudStore *rh_cloud_store_open_finish  (GAsyncResult *result, GError **error);
const char   *rh_cloud_store_get_dir      (RhCloudStore *store);
RhSqlConnection *rh_cloud_store_get_connection (RhCloudStore *store);

void          rh_cloud_store_put_room_async  (RhCloudStore *store, const char *app_id,
                                              const char *room_uuid, const char *room_name,
                                              int room_type, GAsyncReadyCallback callback,
                                              gpointer user_data);
gboolean      rh_cloud_store_put_room_finish (RhCloudStore *store, GAsyncResult *result,
                                              gboolean *created, GError **error);
void          rh_cloud_store_get_room_async  (RhCloudStore *store, const char *app_id,
                                              const char *room_uuid,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean      rh_cloud_store_get_room_finish (RhCloudStore *store, GAsyncResult *result,
                                              char **room_name, int *room_type,
                                              GError **error);
void          rh_cloud_store_put_record_async  (RhCloudStore *store, const RhCloudRecord *record,
                                                GAsyncReadyCallback callback,
                                                gpointer user_data);
gboolean      rh_cloud_store_put_record_finish (RhCloudStore *store, GAsyncResult *result,
                                                GError **error);
void          rh_cloud_store_list_records_async  (RhCloudStore *store, const char *app_id,
                                                  const char *room_uuid, gboolean full_paths,
                                                  GAsyncReadyCallback callback,
                                                  gpointer user_data);
JsonNode     *rh_cloud_store_list_records_finish (RhCloudStore *store, GAsyncResult *result,
                                                  GError **error);
void          rh_cloud_store_get_record_page_async  (RhCloudStore *store, const char *app_id,
                                                     const char *room_uuid,
                                                     const char *record_id,
                                                     GAsyncReadyCallback callback,
                                                     gpointer user_data);
JsonNode     *rh_cloud_store_get_record_page_finish (RhCloudStore *store, GAsyncResult *result,
                                                     GError **error);
void          rh_cloud_store_add_event_async  (RhCloudStore *store, const char *app_id,
                                               const char *room_uuid, int cmd, JsonNode *data,
                                               GAsyncReadyCallback callback,
                                               gpointer user_data);
/* The same, refused (RH_CLOUD_STORE_LEASE_LOST) unless @owner holds the
 * room with @epoch; @ts_ms, when it happened (ms since the epoch): a write
 * that waited for the store keeps its time. */
void          rh_cloud_store_add_owned_event_async (RhCloudStore *store, const char *app_id,
                                                    const char *room_uuid, const char *owner,
                                                    gint64 epoch, int cmd, JsonNode *data,
                                                    gint64 ts_ms, GAsyncReadyCallback callback,
                                                    gpointer user_data);
gint64        rh_cloud_store_add_event_finish (RhCloudStore *store, GAsyncResult *result,
                                               GError **error);
void          rh_cloud_store_list_events_async  (RhCloudStore *store, const char *app_id,
                                                 const char *room_uuid, gint64 next_id, int cmd,
                                                 guint limit, GAsyncReadyCallback callback,
                                                 gpointer user_data);
JsonNode     *rh_cloud_store_list_events_finish (RhCloudStore *store, GAsyncResult *result,
                                                 GError **error);
void          rh_cloud_store_end_interrupted_async  (RhCloudStore *store,
                                                     GAsyncReadyCallback callback,
                                                     gpointer user_data);
guint         rh_cloud_store_end_interrupted_finish (RhCloudStore *store, GAsyncResult *result,
                                                     GError **error);

G_END_DECLS
