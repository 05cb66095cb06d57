/* `recordhost check`: load a record page, wait for its ready signal, send
 * the ready call, and say what happened. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>

#include "rh-page-options.h"
#include "rh-ready-call.h"
#include "rh-timeline.h"

G_BEGIN_DECLS

#define RH_TYPE_CHECK (rh_check_get_type ())
G_DECLARE_FINAL_TYPE (RhCheck, rh_check, RH, CHECK, GObject)

RhCheck    *rh_check_new          (RhPageOptions *options, RhReadyCall *ready_call,
                                   GError **error);
RhTimeline *rh_check_get_timeline (RhCheck *check);
void        rh_check_run_async    (RhCheck *check, GCancellable *cancellable,
                                   GAsyncReadyCallback callback, gpointer user_data);
gboolean    rh_check_run_finish   (RhCheck *check, GAsyncResult *result, GError **error);
void        rh_check_release      (RhCheck *check);
int         rh_check_get_exit_status (RhCheck *check);
JsonNode   *rh_check_to_json      (RhCheck *check);
char       *rh_check_format_report (RhCheck *check);
char       *rh_check_format_junit_all (GPtrArray *checks);

G_END_DECLS
