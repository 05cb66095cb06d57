/* --state-log FILE: recording state events, one JSON object a line, each
 * line on disk (fsync) before the run moves on. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _RhStateLog RhStateLog;

RhStateLog *rh_state_log_open   (const char *path, GError **error);
gboolean    rh_state_log_append (RhStateLog *log, JsonNode *event, GError **error);
void        rh_state_log_close  (RhStateLog *log);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhStateLog, rh_state_log_close)

G_END_DECLS
