/* What went wrong or looks risky in a check, as problem codes a CI job can
 * act on: errors fail the check, warnings do not unless --fail-on names
 * them. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-page-watch.h"

G_BEGIN_DECLS

typedef enum
{
  RH_SEVERITY_WARNING,
  RH_SEVERITY_ERROR,
} RhSeverity;

typedef struct
{
  const char *code; /* static */
  RhSeverity severity;
  char *message;
  gboolean failed_on; /* a warning that --fail-on made fail */
} RhProblem;

/* Every problem code, NULL-terminated: the one list --fail-on is checked
 * against. */
extern const char *const rh_problem_codes[];

/* What the check saw, read by rh_problems_find (). */
typedef struct
{
  const GError *failure;            /* why the check failed, NULL if it passed */
  RhPageWatchTimes times;
  gboolean launch_expected;         /* the ready protocol needs AgoraEduSDK.launch */
  gboolean launched;
  guint js_errors;                  /* uncaught errors and rejections */
  const char *first_js_error;
  const GArray *resources;          /* RhResource */
  const GPtrArray *missing_params;  /* char * */
  const GPtrArray *missing_touched; /* char *: engine features the page reached for */
  const GPtrArray *missing_blamed;  /* char *: those an uncaught error named */
  const RhPageWatchLaunch *launch;  /* NULL when nothing was launched */
  const GPtrArray *requests;        /* RhRequest: the page's own requests */
  const GPtrArray *workers;         /* char *: service worker scripts the page registered */
  gint64 slow_paint_ms;
} RhProblemInput;

void        rh_problem_input_init  (RhProblemInput *input);
GPtrArray  *rh_problems_find       (const RhProblemInput *input); /* RhProblem */
gboolean    rh_problems_have_error (const GPtrArray *problems);
gboolean    rh_problem_fails       (const RhProblem *problem);
gboolean    rh_problems_check_fail_on (const char *const *fail_on, GError **error);
void        rh_problems_apply_fail_on (GPtrArray *problems, const char *const *fail_on);
GError     *rh_problems_get_failure (const GPtrArray *problems);
const char *rh_severity_name       (RhSeverity severity);
void        rh_problems_add_json   (const GPtrArray *problems, JsonBuilder *builder);

G_END_DECLS
