/* An attempt's HAR, and its pictures when the start asked for them, in the
 * cloud's data directory, where GET .../records/{id}/har and .../snapshots
 * find them. */
#pragma once

#include "rh-page-outcome.h"

G_BEGIN_DECLS

void rh_attempt_files_write  (const char *data_dir, const char *record_id, guint attempt,
                              const RhPageOutcome *outcome, gboolean snapshots, gint64 now_ms,
                              const char *room_text);
void rh_attempt_files_remove (const char *data_dir, const char *record_id, guint attempt,
                              gboolean snapshots);

G_END_DECLS
