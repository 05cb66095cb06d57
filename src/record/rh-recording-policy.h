/* The cloud's recording lifecycle, as rules with no WebKit in them: a page
 * load must be acknowledged ready within retryTimeout or it is reloaded, at
 * most twice; each change is a recording state event (cmd 1001) with the
 * cloud's reasons.  Driven by events and a clock, so a fake clock tests it. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  RH_RECORDING_REASON_STARTED = 1,             /* started normally */
  RH_RECORDING_REASON_STOPPED = 2,             /* stopped normally */
  RH_RECORDING_REASON_STARTED_AFTER_RETRY = 3, /* started normally after a retry */
  RH_RECORDING_REASON_TIMED_OUT = 4,           /* timed out, waiting to retry */
  RH_RECORDING_REASON_ABANDONED = 5,           /* still failing after the last retry */
} RhRecordingReason;

typedef enum
{
  RH_RECORDING_STATE_RECORDING = 1,
  RH_RECORDING_STATE_ENDED = 2,
} RhRecordingState;

#define RH_RECORDING_POLICY_DEFAULT_RETRY_TIMEOUT_S 60
#define RH_RECORDING_POLICY_MAX_RETRIES 2

typedef struct
{
  const char *room_uuid;
  guint retry_timeout_s;
  guint duration_s;  /* of recording; 0: until stopped */
  gboolean on_hold;  /* recording paused until released */
  /* The attempt the first load is: 1 (or 0), or later for a room whose
   * earlier attempts ran elsewhere (a worker that died): its ready is then
   * a start after a retry, and the retries left are fewer. */
  guint first_attempt;
  const char *record_id; /* NULL: a new one */
} RhRecordingPolicyConfig;

/* Monotonic time in microseconds. */
typedef gint64 (*RhClockFunc) (gpointer user_data);

#define RH_TYPE_RECORDING_POLICY (rh_recording_policy_get_type ())
G_DECLARE_FINAL_TYPE (RhRecordingPolicy, rh_recording_policy, RH, RECORDING_POLICY, GObject)

RhRecordingPolicy *rh_recording_policy_new (const RhRecordingPolicyConfig *config,
                                            RhClockFunc clock, gpointer clock_data);

void     rh_recording_policy_start              (RhRecordingPolicy *policy);
void     rh_recording_policy_ready_acknowledged (RhRecordingPolicy *policy);
void     rh_recording_policy_page_crashed       (RhRecordingPolicy *policy);
gboolean rh_recording_policy_release            (RhRecordingPolicy *policy);
void     rh_recording_policy_stop               (RhRecordingPolicy *policy);
void     rh_recording_policy_tick               (RhRecordingPolicy *policy);

gint64      rh_recording_policy_get_deadline (RhRecordingPolicy *policy);
guint       rh_recording_policy_get_attempt  (RhRecordingPolicy *policy);
gboolean    rh_recording_policy_is_recording (RhRecordingPolicy *policy);
gboolean    rh_recording_policy_is_held      (RhRecordingPolicy *policy);
gboolean    rh_recording_policy_is_finished  (RhRecordingPolicy *policy);
gboolean    rh_recording_policy_gave_up      (RhRecordingPolicy *policy);
const char *rh_recording_policy_get_record_id (RhRecordingPolicy *policy);
const char *rh_recording_reason_describe     (RhRecordingReason reason);
char       *rh_recording_record_id_new       (void);

G_END_DECLS
