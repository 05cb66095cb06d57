/* What went wrong or looks risky in a check, as problem codes a CI job can
 * act on: errors fail the check, warnings do not. */
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
} RhProblem;

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
const char *rh_severity_name       (RhSeverity severity);
void        rh_problems_add_json   (const GPtrArray *problems, JsonBuilder *builder);

G_END_DECLS
