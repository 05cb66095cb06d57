/* What a cloud record says its page did, as the records list gives it:
 * {"attempts": [{attempt, times, failed_on, problems, cause}]}, an attempt
 * a load of the page, its times and problems as check reports them. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-page-outcome.h"

G_BEGIN_DECLS

/* It stays small however the page failed (a crash reloads it any number
 * of times): the latest attempts, each with its first problems, their
 * messages cut. */
#define RH_RECORD_PAGE_MAX_ATTEMPTS 8
#define RH_RECORD_PAGE_MAX_PROBLEMS 32
#define RH_RECORD_PAGE_MAX_MESSAGE_BYTES 1024

typedef struct _RhRecordPage RhRecordPage;

RhRecordPage *rh_record_page_new      (void);
void          rh_record_page_free     (RhRecordPage *page);
guint         rh_record_page_add      (RhRecordPage *page, guint attempt,
                                       const RhPageOutcome *outcome, const GPtrArray *problems,
                                       const char *cause);
const char   *rh_record_page_get_json (RhRecordPage *page);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhRecordPage, rh_record_page_free)

G_END_DECLS
