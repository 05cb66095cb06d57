/* What happened and when: events in milliseconds since navigation start,
 * echoed to stderr as they happen, with secrets redacted everywhere. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef struct _RhTimeline RhTimeline;

RhTimeline *rh_timeline_new        (void);
void        rh_timeline_free       (RhTimeline *timeline);
void        rh_timeline_set_echo   (RhTimeline *timeline, gboolean echo);
void        rh_timeline_set_label  (RhTimeline *timeline, const char *label);
const char *rh_timeline_get_label  (RhTimeline *timeline);
void        rh_timeline_start      (RhTimeline *timeline);
gint64      rh_timeline_ms_since_start (RhTimeline *timeline, gint64 monotonic_us);
gint64      rh_timeline_now_ms     (RhTimeline *timeline);
void        rh_timeline_add_secret (RhTimeline *timeline, const char *secret);
char       *rh_timeline_redact     (RhTimeline *timeline, const char *text);
JsonNode   *rh_timeline_redact_json (RhTimeline *timeline, JsonNode *node);
void        rh_timeline_add        (RhTimeline *timeline, const char *type, JsonNode *detail,
                                    const char *format, ...) G_GNUC_PRINTF (4, 5);
void        rh_timeline_addv       (RhTimeline *timeline, const char *type, JsonNode *detail,
                                    const char *format, va_list args) G_GNUC_PRINTF (4, 0);
/* Recorded like any other, never echoed: said already, or said elsewhere. */
void        rh_timeline_add_unechoed (RhTimeline *timeline, const char *type, JsonNode *detail,
                                      const char *format, ...) G_GNUC_PRINTF (4, 5);
JsonNode   *rh_timeline_to_json    (RhTimeline *timeline);
guint       rh_timeline_count      (RhTimeline *timeline, const char *type);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhTimeline, rh_timeline_free)

G_END_DECLS
