/* What went wrong or looks risky in a check, as problem codes a CI job can
 * act on: errors fail the check, warnings do not unless --fail-on names
 * them. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-page-outcome.h"

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
  guint count;        /* how many failures of one kind it stands for, 1 for one */
  char *url;          /* the first failure's URL, NULL if it has none */
  /* Static: "local cloud" or "--route" when our own stand-in for the
   * page's API did not answer the call, NULL otherwise.  Never an error:
   * no fault of the template. */
  const char *offline;
} RhProblem;

/* Every problem code, NULL-terminated: the one list --fail-on is checked
 * against. */
extern const char *const rh_problem_codes[];

/* How a load's outcome is judged. */
typedef struct
{
  gboolean launch_expected; /* the ready protocol needs AgoraEduSDK.launch */
  gint64 slow_paint_ms;
  guint timeout_s;
} RhProblemRules;

/* The longest one-line cause rh_problems_cause () gives, in characters. */
#define RH_PROBLEMS_CAUSE_MAX 160

void        rh_problem_rules_init  (RhProblemRules *rules);
GPtrArray  *rh_problems_find       (const RhPageOutcome *outcome, const GError *failure,
                                    const RhProblemRules *rules); /* RhProblem */
gboolean    rh_problems_have_error (const GPtrArray *problems);
gboolean    rh_problem_fails       (const RhProblem *problem);
gboolean    rh_problems_check_fail_on (const char *const *fail_on, GError **error);
void        rh_problems_apply_fail_on (GPtrArray *problems, const char *const *fail_on);
GError     *rh_problems_get_failure (const GPtrArray *problems);
char       *rh_problems_cause      (const RhPageOutcome *outcome, const GError *failure,
                                    const RhProblemRules *rules);
const char *rh_severity_name       (RhSeverity severity);
void        rh_problems_add_json   (const GPtrArray *problems, JsonBuilder *builder);

G_END_DECLS
