/* One record page hosted for a command: its options made ready, a timeline
 * that knows the room's secrets, the page in a watch, and the ready call the
 * page's ready signal goes to, handed in by the caller.  `check`, `run` and
 * each recording of the cloud are built on one. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rh-page-options.h"
#include "rh-page-watch.h"
#include "rh-ready-call.h"
#include "rh-timeline.h"

G_BEGIN_DECLS

#define RH_TYPE_PAGE_SESSION (rh_page_session_get_type ())
G_DECLARE_FINAL_TYPE (RhPageSession, rh_page_session, RH, PAGE_SESSION, GObject)

/* Progress to tell while waiting: a line, or NULL for none this time. */
typedef char *(*RhPageSessionProgressFunc) (gpointer user_data);

RhPageSession *rh_page_session_new          (RhPageOptions *options, RhReadyCall *ready_call,
                                             GError **error);
gboolean       rh_page_session_open         (RhPageSession *session, GError **error);
void           rh_page_session_stop         (RhPageSession *session);
void           rh_page_session_release      (RhPageSession *session);
void           rh_page_session_disconnect   (RhPageSession *session, gpointer handler_data);
void           rh_page_session_start_progress (RhPageSession *session,
                                               RhPageSessionProgressFunc func,
                                               gpointer user_data);

RhPageOptions *rh_page_session_get_options  (RhPageSession *session);
const char    *rh_page_session_get_page_url (RhPageSession *session);
RhTimeline    *rh_page_session_get_timeline (RhPageSession *session);
RhReadyCall   *rh_page_session_get_ready_call (RhPageSession *session);
RhPageWatch   *rh_page_session_get_watch    (RhPageSession *session);
char          *rh_page_session_redact       (RhPageSession *session, const char *text);
RhPageOutcome *rh_page_session_end_load     (RhPageSession *session, const GError *failure,
                                             GPtrArray **problems);
void           rh_page_session_conclude     (RhPageSession *session, const GError *failure);
const RhPageOutcome *rh_page_session_get_outcome (RhPageSession *session);
GPtrArray     *rh_page_session_get_problems (RhPageSession *session);
char          *rh_page_session_cause        (RhPageSession *session, const GError *failure);
char          *rh_page_session_cause_of     (RhPageSession *session, const RhPageOutcome *outcome,
                                             const GError *failure);

void           rh_page_session_add_outcome_json (RhPageSession *session, JsonBuilder *builder,
                                                 const char *outcome_name, const char *outcome,
                                                 int exit_status, const GError *error);
void           rh_page_session_add_page_json (RhPageSession *session, JsonBuilder *builder,
                                              gboolean with_requests);
JsonNode      *rh_page_session_end_json     (RhPageSession *session, JsonBuilder *builder);

G_END_DECLS
