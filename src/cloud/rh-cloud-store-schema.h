/* The store's tables, made or brought up to date on its connection. */
#pragma once

#include "rh-sql.h"

G_BEGIN_DECLS

void     rh_cloud_store_schema_update_async  (RhSqlConnection *sql, GCancellable *cancellable,
                                              GAsyncReadyCallback callback, gpointer user_data);
gboolean rh_cloud_store_schema_update_finish (GAsyncResult *result, GError **error);

G_END_DECLS
