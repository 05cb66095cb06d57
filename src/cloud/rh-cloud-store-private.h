/* What the store's files share: the store, and one statement's run on its
 * connection for a GTask of the store's. */
#pragma once

#include "rh-cloud-store.h"

G_BEGIN_DECLS

struct _RhCloudStore
{
  GObject parent_instance;

  /* PostgreSQL: one connection for the schema, LISTEN and the leases, so
   * that renewals never wait behind the API's queries, and a small pool
   * for the API.  SQLite: the one connection, in the pool too. */
  RhSqlConnection *sql;
  GPtrArray *pool;
  guint next;
  char *dir;
  int lock_fd; /* holds the data directory's lock (SQLite's), -1 for none */
};

/* One cloud per SQLite data directory: the lock, held until the store is
 * finalized. */
gboolean     rh_cloud_store_lock_dir (RhCloudStore *store, const char *dir, GError **error);
/* A task of the store's for one of its calls. */
GTask       *rh_cloud_store_task_new (RhCloudStore *store, gpointer source_tag,
                                      GAsyncReadyCallback callback, gpointer user_data);
/* A count the task returned (g_task_return_int), 0 on error. */
gssize       rh_cloud_store_task_count (GAsyncResult *result, GError **error);
/* Runs @sql for @task (taken) on a connection of the pool (any, or the one
 * of @room_key's so that a room's writes keep their order), or on
 * @connection; @callback gets the task back as user data. */
void         rh_cloud_store_query  (GTask *task, const char *sql, const RhSqlParams *params,
                                    GAsyncReadyCallback callback);
void         rh_cloud_store_query_for_room (GTask *task, const char *app_id,
                                            const char *room_uuid, const char *sql,
                                            const RhSqlParams *params,
                                            GAsyncReadyCallback callback);
void         rh_cloud_store_query_on (GTask *task, RhSqlConnection *connection, const char *sql,
                                      const RhSqlParams *params, GAsyncReadyCallback callback);
/* The statement's result (from whichever connection ran it), or NULL with
 * the task returned the error, named by @what ("cloud store: add event:
 * ..."). */
RhSqlResult *rh_cloud_store_query_finish (GTask *task, GAsyncResult *result, const char *what);
JsonNode    *rh_cloud_store_parse_or_null (const char *text);

G_END_DECLS
