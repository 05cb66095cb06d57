#include "rh-recording-policy.h"

typedef enum
{
  PHASE_IDLE,
  PHASE_WAITING_READY, /* a load is under way and not yet acknowledged */
  PHASE_RECORDING,
  PHASE_FINISHED,
} Phase;

struct _RhRecordingPolicy
{
  GObject parent_instance;

  char *room_uuid;
  guint retry_timeout_s;
  guint duration_s;
  gboolean on_hold;
  RhClockFunc clock;
  gpointer clock_data;

  Phase phase;
  gboolean held;
  gboolean gave_up;
  guint attempt;      /* page loads so far, counting retries, not crash reloads */
  guint first_attempt;
  guint sequence;
  char *record_id;
  gint64 deadline_us; /* -1: none */
  gint64 clock_origin_us;
  gint64 real_origin_ms;
  gint64 recording_since_us;
};

G_DEFINE_FINAL_TYPE (RhRecordingPolicy, rh_recording_policy, G_TYPE_OBJECT)

enum
{
  SIGNAL_LOAD_PAGE,
  SIGNAL_STATE_CHANGED,
  SIGNAL_FINISHED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

const char *
rh_recording_reason_describe (RhRecordingReason reason)
{
  switch (reason)
    {
    case RH_RECORDING_REASON_STARTED:
      return "started normally";
    case RH_RECORDING_REASON_STOPPED:
      return "stopped normally";
    case RH_RECORDING_REASON_STARTED_AFTER_RETRY:
      return "started normally after a retry";
    case RH_RECORDING_REASON_TIMED_OUT:
      return "timed out, waiting to retry";
    case RH_RECORDING_REASON_ABANDONED:
      return "still failing after the last retry, abandoned";
    default:
      return "unknown";
    }
}

static void
rh_recording_policy_finalize (GObject *object)
{
  RhRecordingPolicy *self = RH_RECORDING_POLICY (object);

  g_free (self->room_uuid);
  g_free (self->record_id);
  G_OBJECT_CLASS (rh_recording_policy_parent_class)->finalize (object);
}

static void
rh_recording_policy_class_init (RhRecordingPolicyClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rh_recording_policy_finalize;

  /* Load (or reload) the page: (attempt, why: "start", "retry" or "crash"). */
  signals[SIGNAL_LOAD_PAGE] = g_signal_new ("load-page", G_TYPE_FROM_CLASS (klass),
                                            G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                            2, G_TYPE_UINT, G_TYPE_STRING);
  /* A recording state event, shaped like the cloud's sequence items (a JsonNode). */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 1, JSON_TYPE_NODE);
  /* The recording is over: stopped, or abandoned (rh_recording_policy_gave_up ()). */
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);
}

static void
rh_recording_policy_init (RhRecordingPolicy *self)
{
  self->deadline_us = -1;
}

/* A record's id as the cloud gives them: 32 hexadecimal digits. */
char *
rh_recording_record_id_new (void)
{
  g_autofree char *uuid = g_uuid_string_random ();
  GString *record_id = g_string_new (NULL);

  for (const char *c = uuid; *c != '\0'; c++)
    if (*c != '-')
      g_string_append_c (record_id, *c);
  return g_string_free (record_id, FALSE);
}

RhRecordingPolicy *
rh_recording_policy_new (const RhRecordingPolicyConfig *config, RhClockFunc clock,
                         gpointer clock_data)
{
  RhRecordingPolicy *self = g_object_new (RH_TYPE_RECORDING_POLICY, NULL);

  self->room_uuid = g_strdup (config->room_uuid);
  self->retry_timeout_s = MAX (config->retry_timeout_s, 1);
  self->duration_s = config->duration_s;
  self->on_hold = config->on_hold;
  self->clock = clock;
  self->clock_data = clock_data;
  self->first_attempt = MIN (MAX (config->first_attempt, 1), RH_RECORDING_POLICY_MAX_RETRIES + 1);
  self->record_id = config->record_id != NULL ? g_strdup (config->record_id)
                                              : rh_recording_record_id_new ();
  self->clock_origin_us = clock (clock_data);
  self->real_origin_ms = g_get_real_time () / 1000;
  return self;
}

static gint64
now_us (RhRecordingPolicy *self)
{
  return self->clock (self->clock_data);
}

/* Wall-clock milliseconds, following the injected clock. */
static gint64
now_real_ms (RhRecordingPolicy *self)
{
  return self->real_origin_ms + (now_us (self) - self->clock_origin_us) / 1000;
}

static void
emit_state (RhRecordingPolicy *self, RhRecordingReason reason)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) event = NULL;
  gboolean recording = reason == RH_RECORDING_REASON_STARTED
                       || reason == RH_RECORDING_REASON_STARTED_AFTER_RETRY;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "roomUuid");
  json_builder_add_string_value (builder, self->room_uuid);
  json_builder_set_member_name (builder, "cmd");
  json_builder_add_int_value (builder, 1001);
  json_builder_set_member_name (builder, "sequence");
  json_builder_add_int_value (builder, ++self->sequence);
  json_builder_set_member_name (builder, "version");
  json_builder_add_int_value (builder, 1);
  json_builder_set_member_name (builder, "data");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "recordId");
  json_builder_add_string_value (builder, self->record_id);
  json_builder_set_member_name (builder, "state");
  json_builder_add_int_value (builder, recording ? RH_RECORDING_STATE_RECORDING
                                                 : RH_RECORDING_STATE_ENDED);
  json_builder_set_member_name (builder, "reason");
  json_builder_add_int_value (builder, reason);
  json_builder_set_member_name (builder, "reasonText");
  json_builder_add_string_value (builder, rh_recording_reason_describe (reason));
  json_builder_set_member_name (builder, "attempt");
  json_builder_add_int_value (builder, self->attempt);
  /* The hold in force: asked for and not released, ready or not yet. */
  json_builder_set_member_name (builder, "onHold");
  json_builder_add_boolean_value (builder, self->on_hold);
  json_builder_set_member_name (builder, "startTime");
  json_builder_add_int_value (builder, self->real_origin_ms);
  json_builder_set_member_name (builder, "ts");
  json_builder_add_int_value (builder, now_real_ms (self));
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  event = json_builder_get_root (builder);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, event);
}

static void
finish (RhRecordingPolicy *self, RhRecordingReason reason)
{
  self->phase = PHASE_FINISHED;
  self->deadline_us = -1;
  self->gave_up = reason == RH_RECORDING_REASON_ABANDONED;
  emit_state (self, reason);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
load (RhRecordingPolicy *self, const char *why)
{
  self->phase = PHASE_WAITING_READY;
  self->deadline_us = now_us (self) + (gint64) self->retry_timeout_s * G_USEC_PER_SEC;
  g_signal_emit (self, signals[SIGNAL_LOAD_PAGE], 0, self->attempt, why);
}

static void
start_recording_clock (RhRecordingPolicy *self)
{
  self->recording_since_us = now_us (self);
  self->deadline_us = self->duration_s > 0
                        ? self->recording_since_us + (gint64) self->duration_s * G_USEC_PER_SEC
                        : -1;
}

void
rh_recording_policy_start (RhRecordingPolicy *policy)
{
  g_return_if_fail (policy->phase == PHASE_IDLE);
  policy->attempt = policy->first_attempt;
  load (policy, "start");
}

void
rh_recording_policy_ready_acknowledged (RhRecordingPolicy *policy)
{
  if (policy->phase != PHASE_WAITING_READY)
    return; /* a reload after a crash gets ready again: nothing changes */
  policy->phase = PHASE_RECORDING;
  policy->held = policy->on_hold;
  emit_state (policy, policy->attempt == 1 ? RH_RECORDING_REASON_STARTED
                                           : RH_RECORDING_REASON_STARTED_AFTER_RETRY);
  if (policy->held)
    policy->deadline_us = -1; /* slicing, and so the duration, waits for the release */
  else
    start_recording_clock (policy);
}

/* The page is loaded again; the retry timer keeps running, a recording goes on. */
void
rh_recording_policy_page_crashed (RhRecordingPolicy *policy)
{
  gint64 deadline_us = policy->deadline_us;

  if (policy->phase != PHASE_WAITING_READY && policy->phase != PHASE_RECORDING)
    return;
  g_signal_emit (policy, signals[SIGNAL_LOAD_PAGE], 0, policy->attempt, "crash");
  policy->deadline_us = deadline_us;
}

/* Returns whether there was a hold to release. */
gboolean
rh_recording_policy_release (RhRecordingPolicy *policy)
{
  if (!policy->on_hold || policy->phase == PHASE_FINISHED)
    return FALSE;
  policy->on_hold = FALSE;
  if (policy->phase == PHASE_RECORDING && policy->held)
    {
      policy->held = FALSE;
      start_recording_clock (policy);
    }
  return TRUE;
}

void
rh_recording_policy_stop (RhRecordingPolicy *policy)
{
  if (policy->phase == PHASE_FINISHED)
    return;
  finish (policy, RH_RECORDING_REASON_STOPPED);
}

/* Call when the deadline has passed (earlier calls do nothing). */
void
rh_recording_policy_tick (RhRecordingPolicy *policy)
{
  if (policy->deadline_us < 0 || now_us (policy) < policy->deadline_us)
    return;
  switch (policy->phase)
    {
    case PHASE_WAITING_READY:
      if (policy->attempt > RH_RECORDING_POLICY_MAX_RETRIES)
        {
          finish (policy, RH_RECORDING_REASON_ABANDONED);
          return;
        }
      emit_state (policy, RH_RECORDING_REASON_TIMED_OUT);
      policy->attempt++;
      load (policy, "retry");
      break;
    case PHASE_RECORDING:
      finish (policy, RH_RECORDING_REASON_STOPPED);
      break;
    default:
      break;
    }
}

gint64
rh_recording_policy_get_deadline (RhRecordingPolicy *policy)
{
  return policy->deadline_us;
}

guint
rh_recording_policy_get_attempt (RhRecordingPolicy *policy)
{
  return policy->attempt;
}

gboolean
rh_recording_policy_is_recording (RhRecordingPolicy *policy)
{
  return policy->phase == PHASE_RECORDING;
}

gboolean
rh_recording_policy_is_held (RhRecordingPolicy *policy)
{
  return policy->phase == PHASE_RECORDING && policy->held;
}

gboolean
rh_recording_policy_is_finished (RhRecordingPolicy *policy)
{
  return policy->phase == PHASE_FINISHED;
}

gboolean
rh_recording_policy_gave_up (RhRecordingPolicy *policy)
{
  return policy->gave_up;
}

const char *
rh_recording_policy_get_record_id (RhRecordingPolicy *policy)
{
  return policy->record_id;
}
