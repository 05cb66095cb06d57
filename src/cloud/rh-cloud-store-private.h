/* What the store's files share: the store, and one statement's run on its
 * connection for a GTask of the store's. */
#pragma once

#include "rh-cloud-store.h"

G_BEGIN_DECLS

struct _RhCloudStore
{
  GObject parent_instance;

  RhSqlConnection *sql;
  char *dir;
  int lock_fd; /* holds the data directory's lock (SQLite's), -1 for none */
};

/* Runs @sql for @task (taken); @callback gets the task back as user data. */
void         rh_cloud_store_query  (GTask *task, const char *sql, const RhSqlParams *params,
                                    GAsyncReadyCallback callback);
/* The statement's result, or NULL with the task returned the error, named
 * by @what ("cloud store: add event: ..."). */
RhSqlResult *rh_cloud_store_query_finish (GTask *task, GAsyncResult *result, const char *what);
JsonNode    *rh_cloud_store_parse_or_null (const char *text);

G_END_DECLS
