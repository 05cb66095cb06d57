#include "store-sync.h"

#include "test-utils.h"

/* The store answers within this (PostgreSQL's own deadline is shorter). */
#define STORE_WAIT_S 30

static GAsyncResult *
wait (GAsyncResult **result)
{
  g_assert_true (rh_test_wait_result (result, STORE_WAIT_S));
  return *result;
}

RhCloudStore *
store_sync_open (const char *dir, const char *url, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_open_async (dir, url, NULL, rh_test_async_cb, &result);
  return rh_cloud_store_open_finish (wait (&result), error);
}

gboolean
store_sync_put_room (RhCloudStore *store, const char *app_id, const char *room_uuid,
                     const char *room_name, int room_type, gboolean *created, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_put_room_async (store, app_id, room_uuid, room_name, room_type,
                                 rh_test_async_cb, &result);
  return rh_cloud_store_put_room_finish (store, wait (&result), created, error);
}

gboolean
store_sync_get_room (RhCloudStore *store, const char *app_id, const char *room_uuid,
                     char **room_name, int *room_type, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_get_room_async (store, app_id, room_uuid, rh_test_async_cb, &result);
  return rh_cloud_store_get_room_finish (store, wait (&result), room_name, room_type, error);
}

gboolean
store_sync_put_record (RhCloudStore *store, const RhCloudRecord *record, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_put_record_async (store, record, rh_test_async_cb, &result);
  return rh_cloud_store_put_record_finish (store, wait (&result), error);
}

JsonNode *
store_sync_list_records (RhCloudStore *store, const char *app_id, const char *room_uuid,
                         gboolean full_paths, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_list_records_async (store, app_id, room_uuid, full_paths, rh_test_async_cb,
                                     &result);
  return rh_cloud_store_list_records_finish (store, wait (&result), error);
}

JsonNode *
store_sync_get_record_page (RhCloudStore *store, const char *app_id, const char *room_uuid,
                            const char *record_id, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_get_record_page_async (store, app_id, room_uuid, record_id, rh_test_async_cb,
                                        &result);
  return rh_cloud_store_get_record_page_finish (store, wait (&result), error);
}

gint64
store_sync_add_event (RhCloudStore *store, const char *app_id, const char *room_uuid, int cmd,
                      JsonNode *data, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_add_event_async (store, app_id, room_uuid, cmd, data, rh_test_async_cb,
                                  &result);
  return rh_cloud_store_add_event_finish (store, wait (&result), error);
}

JsonNode *
store_sync_list_events (RhCloudStore *store, const char *app_id, const char *room_uuid,
                        gint64 next_id, int cmd, guint limit, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_list_events_async (store, app_id, room_uuid, next_id, cmd, limit,
                                    rh_test_async_cb, &result);
  return rh_cloud_store_list_events_finish (store, wait (&result), error);
}

guint
store_sync_end_interrupted (RhCloudStore *store, GError **error)
{
  g_autoptr (GAsyncResult) result = NULL;

  rh_cloud_store_end_interrupted_async (store, rh_test_async_cb, &result);
  return rh_cloud_store_end_interrupted_finish (store, wait (&result), error);
}
