/* `recordhost check PAGE PAGE...`: several pages checked side by side in one
 * process, each exactly as it would be alone (its own local cloud, its own
 * web process and website data), a report each. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rh-page-options.h"

G_BEGIN_DECLS

/* More pages are a list to split, not one command's work. */
#define RH_CHECK_BATCH_MAX_PAGES 100
#define RH_CHECK_BATCH_MAX_PARALLEL 16
#define RH_CHECK_BATCH_DEFAULT_PARALLEL 8

#define RH_TYPE_CHECK_BATCH (rh_check_batch_get_type ())
G_DECLARE_FINAL_TYPE (RhCheckBatch, rh_check_batch, RH, CHECK_BATCH, GObject)

RhCheckBatch *rh_check_batch_new        (GPtrArray *pages, guint parallel, const char *junit,
                                         GError **error);
void          rh_check_batch_set_label  (RhCheckBatch *batch, guint index, const char *label);
void          rh_check_batch_run_async  (RhCheckBatch *batch, GCancellable *cancellable,
                                         GAsyncReadyCallback callback, gpointer user_data);
gboolean      rh_check_batch_run_finish (RhCheckBatch *batch, GAsyncResult *result,
                                         GError **error);
gboolean      rh_check_batch_passed     (RhCheckBatch *batch, guint index);
JsonNode     *rh_check_batch_to_json    (RhCheckBatch *batch);
char         *rh_check_batch_format_report (RhCheckBatch *batch, gboolean full);

G_END_DECLS
