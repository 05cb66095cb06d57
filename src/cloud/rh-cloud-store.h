/* What the local cloud keeps: rooms, recordings and each room's events, in
 * SQLite (WAL, synchronous=FULL) so that every change is on disk before the
 * API answers, and a restart loses nothing. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _RhCloudStore RhCloudStore;

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
} RhCloudRecord;

RhCloudStore *rh_cloud_store_open         (const char *dir, GError **error);
void          rh_cloud_store_close        (RhCloudStore *store);
gboolean      rh_cloud_store_put_room     (RhCloudStore *store, const char *app_id,
                                           const char *room_uuid, const char *room_name,
                                           int room_type, gboolean *created, GError **error);
gboolean      rh_cloud_store_get_room     (RhCloudStore *store, const char *app_id,
                                           const char *room_uuid, char **room_name,
                                           int *room_type, GError **error);
gboolean      rh_cloud_store_put_record   (RhCloudStore *store, const RhCloudRecord *record,
                                           GError **error);
JsonNode     *rh_cloud_store_list_records (RhCloudStore *store, const char *app_id,
                                           const char *room_uuid, gboolean full_paths,
                                           GError **error);
JsonNode     *rh_cloud_store_get_record_page (RhCloudStore *store, const char *app_id,
                                              const char *room_uuid, const char *record_id,
                                              GError **error);
gint64        rh_cloud_store_add_event    (RhCloudStore *store, const char *app_id,
                                           const char *room_uuid, int cmd, JsonNode *data,
                                           GError **error);
JsonNode     *rh_cloud_store_list_events  (RhCloudStore *store, const char *app_id,
                                           const char *room_uuid, gint64 next_id, int cmd,
                                           guint limit, GError **error);
guint         rh_cloud_store_end_interrupted (RhCloudStore *store, GError **error);
const char   *rh_cloud_store_get_dir      (RhCloudStore *store);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhCloudStore, rh_cloud_store_close)

G_END_DECLS
