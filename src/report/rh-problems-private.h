/* What the files of the problem finder share: rh-problems.c (the
 * problems, --fail-on and JSON), -resources.c (failed resources) and
 * -cause.c (the one-line cause). */
#pragma once

#include "rh-problems.h"

G_BEGIN_DECLS

/* What ends the failure of a warning --fail-on named. */
#define RH_PROBLEMS_FAIL_ON_MARK " (--fail-on)"

RhProblem *_rh_problems_add_message    (GPtrArray *problems, const char *code,
                                        RhSeverity severity, char *message);
char      *_rh_problems_host_of        (const char *url);
char      *_rh_problems_path_of        (const char *url);

/* -resources.c */
void       _rh_problems_find_resources (GPtrArray *problems, const RhPageOutcome *outcome);

G_END_DECLS
