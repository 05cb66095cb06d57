/* The requests a page's scripts made (fetch, XMLHttpRequest, WebSocket,
 * EventSource, sendBeacon), as the bridge reports them: method, URL, where
 * a route sent it, and its answer or error.  From it, what the SDK was
 * waiting for when it did not get ready. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-timeline.h"

G_BEGIN_DECLS

/* A page that makes more requests than this is not a record page; the
 * rest are counted, not kept. */
#define RH_REQUEST_LOG_MAX 2000

typedef struct
{
  guint id;          /* the bridge's, one series a frame or worker */
  char *scope;       /* NULL: the top frame's; "frame": a subframe's; "worker": a worker's */
  char *api;         /* fetch, xhr, websocket, eventsource, beacon */
  char *method;
  char *url;         /* as the page asked */
  char *routed_to;   /* NULL unless a route sent it elsewhere */
  guint status;      /* 0 until answered, 101 for an open WebSocket */
  char *error;       /* NULL unless it failed without an answer */
  gint64 start_ms;
  gint64 end_ms;     /* -1 while pending */
} RhRequest;

typedef struct _RhRequestLog RhRequestLog;

RhRequestLog    *rh_request_log_new     (void);
void             rh_request_log_free    (RhRequestLog *log);
void             rh_request_log_reset   (RhRequestLog *log);
/* From the bridge's "request" and "response" messages; NULL if ignored. */
const RhRequest *rh_request_log_begin   (RhRequestLog *log, JsonObject *message, gint64 ms);
const RhRequest *rh_request_log_end     (RhRequestLog *log, JsonObject *message, gint64 ms);
const GPtrArray *rh_request_log_get_all (RhRequestLog *log); /* RhRequest */
guint            rh_request_log_dropped (RhRequestLog *log);
gboolean         rh_request_is_failed   (const RhRequest *request);
const char      *rh_request_target      (const RhRequest *request);

/* "the SDK could not reach HOST (ERROR), its STEP; last answered call
 * METHOD URL (STATUS)", or NULL when no request failed or was answered. */
/* What the transport said of a request to @url that got no answer (the
 * page only sees "Load failed"), NULL if unknown. */
typedef const char *(*RhTransportErrorFunc) (const char *url, gpointer user_data);

char            *rh_request_log_describe_blocking (RhRequestLog *log,
                                                   RhTransportErrorFunc transport_error,
                                                   gpointer user_data);
/* A transport error as a few words ("name not resolved"), @error itself
 * when it is none WebKit is known to give. */
const char      *rh_request_error_in_words (const char *error);
/* The step of the classroom SDK that a host serves, NULL if unknown. */
const char      *rh_request_sdk_step    (const char *host, gboolean *local_impossible);
void             rh_request_free        (RhRequest *request);
RhRequest       *rh_request_copy_redacted (const RhRequest *request, RhTimeline *timeline);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhRequestLog, rh_request_log_free)

G_END_DECLS
