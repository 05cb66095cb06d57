/* The cloud store's calls, each waited for: what a test of the store (or
 * one that prepares a data directory) says in one line. */
#pragma once

#include "rh-cloud-store.h"

G_BEGIN_DECLS

RhCloudStore *store_sync_open          (const char *dir, const char *url, GError **error);
gboolean      store_sync_put_room      (RhCloudStore *store, const char *app_id,
                                        const char *room_uuid, const char *room_name,
                                        int room_type, gboolean *created, GError **error);
gboolean      store_sync_get_room      (RhCloudStore *store, const char *app_id,
                                        const char *room_uuid, char **room_name,
                                        int *room_type, GError **error);
gboolean      store_sync_put_record    (RhCloudStore *store, const RhCloudRecord *record,
                                        GError **error);
JsonNode     *store_sync_list_records  (RhCloudStore *store, const char *app_id,
                                        const char *room_uuid, gboolean full_paths,
                                        GError **error);
JsonNode     *store_sync_get_record_page (RhCloudStore *store, const char *app_id,
                                          const char *room_uuid, const char *record_id,
                                          GError **error);
gint64        store_sync_add_event     (RhCloudStore *store, const char *app_id,
                                        const char *room_uuid, int cmd, JsonNode *data,
                                        GError **error);
JsonNode     *store_sync_list_events   (RhCloudStore *store, const char *app_id,
                                        const char *room_uuid, gint64 next_id, int cmd,
                                        guint limit, GError **error);
guint         store_sync_end_interrupted (RhCloudStore *store, GError **error);

G_END_DECLS
