/* What one load of a record page came to, handed over by the page watch
 * when the load ends (rh_page_watch_end_load) and never changed after:
 * times, the launch, errors, resources, requests, the engine and the
 * frames.  Every report (text, JSON, JUnit, HAR, pictures) and the problem
 * finder render from it, not from the live watch.  Whatever the page or a
 * server wrote is redacted once, when the outcome is made. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-frame-log.h"
#include "rh-page-options.h"
#include "rh-request-log.h"

G_BEGIN_DECLS

#define RH_PAGE_NO_TIME (-1)

/* Milliseconds on the timeline, RH_PAGE_NO_TIME until they happen. */
typedef struct
{
  gint64 load_ms;
  gint64 committed_ms;
  gint64 dom_loaded_ms;
  gint64 load_finished_ms;
  gint64 first_frame_ms;
  gint64 first_nonblank_ms;
  gint64 launch_ms;
  gint64 ready_event_ms;
  gint64 ready_call_ms;
  gint64 ready_ack_ms;
  gint64 hold_release_ms;  /* run --on-hold: the hold released, the recording begun */
  guint http_status;
} RhPageTimes;

void rh_page_times_init (RhPageTimes *times);

/* What a resource's message carries at most: as everything the page
 * controls, bounded. */
#define RH_RESOURCE_MAX_HEADERS 64
#define RH_RESOURCE_MAX_HEADER_VALUE 1024

/* A load's phases and sizes as the page saw them (its resource timing):
 * milliseconds, or -1 for a phase or size not known. */
typedef struct
{
  gboolean known;
  double blocked;
  double dns;
  double connect; /* ssl included, as in HAR */
  double ssl;
  double send;
  double wait;
  double receive;
  gint64 transfer_size;
  gint64 encoded_size;
  gint64 decoded_size;
  char *initiator;  /* what started it (its initiatorType: link, img, fetch...), or NULL */
} RhResourceTiming;

/* One resource the page loaded, from the host's resource signals. */
typedef struct
{
  char *uri;
  guint status;    /* 0 when no response came */
  gint64 start_ms;
  gint64 end_ms;   /* RH_PAGE_NO_TIME while loading */
  gboolean failed; /* a transport failure, or an HTTP status >= 400 */
  char *error;
  char *method;    /* NULL until the request went out */
  GStrv request_headers;  /* name, value, name, value...; NULL until known */
  GStrv response_headers; /* ... NULL until a response came */
  char *mime_type;        /* the response's, NULL until known */
  gint64 content_length;  /* the response's, -1 unknown */
  RhResourceTiming timing;
} RhResource;

void rh_resource_init  (RhResource *resource, const char *uri, gint64 start_ms);

void rh_resource_clear (RhResource *resource);
/* Whether @uri names a script (.js, .mjs), whatever its query. */
gboolean rh_resource_uri_is_script (const char *uri);

/* An uncaught error or rejection, in parts: the one-line cause quotes its
 * script by its short name. */
typedef struct
{
  char *message; /* NULL for none */
  char *source;  /* the script's URL, NULL when unknown */
  guint line;    /* 0 when unknown */
} RhJsError;

void rh_js_error_clear (RhJsError *error);

/* What the page passed to AgoraEduSDK.launch and what it got back. */
typedef struct
{
  char *sdk_version;         /* read from the SDK object, NULL if it has none */
  char *bundle_version;      /* read from the SDK bundle's text, NULL if it cannot be */
  char *bundle_url;          /* the script that defined the SDK, NULL if unknown */
  GPtrArray *options;        /* names of the launch options given, char * */
  char *language;            /* the language option, NULL if none */
  char *result_type;         /* typeof what launch returned, NULL before it returned */
  gboolean result_thenable;  /* launch returned a promise */
  gboolean then_on_result;   /* the page looked up .then on a result that is none */
  gboolean then_threw;       /* ... and then threw on it (an await does not) */
  RhJsError threw;           /* what launch itself threw, message NULL if nothing */
} RhPageLaunch;

/* The engine the page ran in; strings NULL where there was no engine. */
typedef struct
{
  char *name;
  char *version;
  char *user_agent;
  RhWebrtcMode webrtc;
  JsonObject *capabilities;  /* NULL while unknown */
  GPtrArray *touched;        /* features the page reached for, char * */
  GPtrArray *missing_touched; /* ... that the engine lacks */
  GPtrArray *missing_blamed; /* ... that an uncaught error named */
} RhPageEngine;

typedef struct _RhPageOutcome RhPageOutcome;

/* Read-only once handed over. */
struct _RhPageOutcome
{
  char *page_url;
  gint64 epoch_ms;            /* wall-clock time of the timeline's 0, in ms */
  RhPageTimes times;
  gboolean launched;
  gboolean ready;
  gboolean unpatchable;       /* the SDK is there, but its launch could not be wrapped */
  RhPageLaunch launch;
  guint js_errors;            /* uncaught errors and rejections */
  char *first_js_error;
  RhJsError first_error;      /* the same, in parts */
  GArray *resources;          /* RhResource, the document first */
  GPtrArray *requests;        /* RhRequest: the page's scripts' own */
  guint requests_dropped;
  GPtrArray *missing_params;  /* char *: room parameters read and not supplied */
  GPtrArray *workers;         /* char *: service worker scripts the page registered */
  char *waiting_for;          /* what the page was still waiting for at the end */
  char *blocking;             /* what its failed requests say blocked it, or NULL */
  RhPageEngine engine;
  RhFrameLog *frames;

  /*< private >*/
  gatomicrefcount ref_count;
};

GType          rh_page_outcome_get_type (void) G_GNUC_CONST;
#define RH_TYPE_PAGE_OUTCOME (rh_page_outcome_get_type ())

RhPageOutcome *rh_page_outcome_new   (const char *page_url);
RhPageOutcome *rh_page_outcome_ref   (RhPageOutcome *outcome);
void           rh_page_outcome_unref (RhPageOutcome *outcome);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhPageOutcome, rh_page_outcome_unref)

G_END_DECLS
