/* `recordhost run`: host a record page for the length of a class the way the
 * recording server does: retries, recording state events, onHold, crashes,
 * a clean stop. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rh-page-options.h"
#include "rh-ready-call.h"
#include "rh-timeline.h"

G_BEGIN_DECLS

typedef struct
{
  RhPageOptions *page;
  guint retry_timeout_s;
  guint duration_s;   /* 0: until stopped */
  gboolean on_hold;
  gboolean keep_pictures; /* each load's outcome has its key frames and thumbnails */
  char *state_log;    /* NULL: none */
  char *record;       /* FILE.mp4 or DIR/NAME.m3u8, NULL: no recording file */
  guint video_fps;
  guint video_bitrate_kbps; /* 0: the cloud's default for the size */
  guint first_attempt;  /* 0 or 1, or later for a room taken over (RhRecordingPolicyConfig) */
  char *record_id;      /* NULL: a new one */
} RhRunOptions;

RhRunOptions *rh_run_options_new  (void);
void          rh_run_options_free (RhRunOptions *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhRunOptions, rh_run_options_free)

#define RH_TYPE_RUN (rh_run_get_type ())
G_DECLARE_FINAL_TYPE (RhRun, rh_run, RH, RUN, GObject)

RhRun      *rh_run_new          (RhRunOptions *options, RhReadyCall *ready_call,
                                 GError **error);
RhTimeline *rh_run_get_timeline (RhRun *run);
void        rh_run_start_async  (RhRun *run, GAsyncReadyCallback callback, gpointer user_data);
gboolean    rh_run_start_finish (RhRun *run, GAsyncResult *result, GError **error);
void        rh_run_stop         (RhRun *run);
gboolean    rh_run_release      (RhRun *run);
int         rh_run_get_exit_status (RhRun *run);
const GError *rh_run_get_recording_error (RhRun *run);
JsonNode   *rh_run_to_json      (RhRun *run);
const char *rh_run_get_record_id (RhRun *run);

G_END_DECLS
