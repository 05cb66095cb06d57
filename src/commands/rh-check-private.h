/* RhCheck's fields, shared by the files that make a check: the page's
 * progress (rh-check.c) and what is made of it (rh-check-report.c). */
#pragma once

#include "rh-check.h"
#include "rh-page-session.h"

G_BEGIN_DECLS

struct _RhCheck
{
  GObject parent_instance;

  RhPageSession *session;
  /* The session's, for brevity; watch is NULL until the page is opened. */
  RhPageOptions *options;
  RhTimeline *timeline;
  RhPageWatch *watch;

  GTask *task;
  GCancellable *cancellable; /* the caller's */
  gulong cancelled_id;
  guint deadline_id;
  gint64 deadline_us;   /* monotonic: --timeout from the start */
  guint interrupt_id;
  guint paint_grace_id;
  guint launch_grace_id;

  gboolean finished;
  GError *error;
  const RhPageOutcome *outcome; /* the session's, once finished */
  GPtrArray *problems;  /* RhProblem, once finished */
  GPtrArray *pictures;  /* paths written */
  gint64 end_ms;
};

void rh_check_find_problems (RhCheck *self);
void rh_check_write_outputs (RhCheck *self);

G_END_DECLS
