/* One error domain for recordhost: what went wrong, as the exit status sees it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RH_ERROR (rh_error_quark ())

typedef enum
{
  RH_ERROR_INVALID_INPUT,  /* usage: bad option, URL, number, range */
  RH_ERROR_PAGE_FAILED,    /* the page did not load or threw */
  RH_ERROR_NOT_READY,      /* no ready signal in time */
  RH_ERROR_READY_CALL,     /* the ready call was refused or failed */
  RH_ERROR_WEB_PROCESS,    /* WebKit's web process died */
} RhError;

GQuark rh_error_quark (void);
int    rh_error_exit_status (const GError *error);

G_END_DECLS
