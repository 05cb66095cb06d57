/* RhRun's fields, shared by the files that make a run: its lifecycle
 * (rh-run.c) and what is reported of it (rh-run-report.c). */
#pragma once

#include "rh-page-session.h"
#include "rh-recorder.h"
#include "rh-recording-policy.h"
#include "rh-run.h"
#include "rh-state-log.h"

G_BEGIN_DECLS

struct _RhRun
{
  GObject parent_instance;

  RhRunOptions *options; /* its page options went to the session */
  RhPageSession *session;
  /* The session's, for brevity; watch is NULL until the page is opened. */
  RhPageOptions *page;
  RhTimeline *timeline;
  RhPageWatch *watch;
  RhStateLog *state_log;
  RhRecordingPolicy *policy;

  GTask *task;
  guint deadline_id;
  JsonArray *state_events;
  RhRecorder *recorder;
  GError *recording_error;
  gboolean recording_started;
  guint crashes;
  GPtrArray *problems; /* RhProblem of the last load, once it ended */
  guint loads;         /* of the page, crashes' reloads included */
  gboolean loading;    /* the last of them has not ended */
  GError *load_error;  /* why the current load was given up (its cause), once it was */
  GError *error;
};

G_END_DECLS
