/* Pictures of a check: key frames as PNG, and side by side at 640 px, a
 * filmstrip of the page going from white to content with the events and
 * every blank span marked, and a waterfall of the resource loads on the same
 * time axis (cairo). */
#pragma once

#include <glib.h>

#include "rh-frame-log.h"
#include "rh-page-outcome.h"

G_BEGIN_DECLS

/* A blank picture gets a tag of this colour over its top-left corner (and a
 * border); on the time axis blank spans are light red, the rest light green. */
#define RH_SNAPSHOTS_BLANK_MARK_RGB 0xd01c1c
#define RH_SNAPSHOTS_BLANK_SPAN_RGB 0xffd9d9
#define RH_SNAPSHOTS_PAINTED_SPAN_RGB 0xd1f2d1

/* The text a waterfall row shows: redacted, printable. */
typedef struct
{
  char *name;  /* the end of the resource's URL */
  char *note;  /* its error or HTTP status, NULL for neither */
} RhWaterfallLabel;

gboolean   rh_snapshots_write_png       (const RhImage *image, const char *path, GError **error);
gboolean   rh_snapshots_write_filmstrip (RhFrameLog *log, const RhPageTimes *times,
                                         gint64 end_ms, const char *path, GError **error);
gboolean   rh_snapshots_write_key_frames (RhFrameLog *log, const char *path, GError **error);
GArray    *rh_snapshots_waterfall_labels (const GArray *resources);
gboolean   rh_snapshots_write_waterfall (const GArray *resources, const RhPageTimes *times,
                                         gint64 end_ms, const char *path, GError **error);
GPtrArray *rh_snapshots_write_all       (const RhPageOutcome *outcome, const char *dir,
                                         gint64 end_ms, GError **error);

G_END_DECLS
