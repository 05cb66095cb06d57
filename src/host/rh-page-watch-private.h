/* What the files of RhPageWatch share: rh-page-watch.c (the load's
 * lifecycle), -messages.c (the bridge's messages), -resources.c, -engine.c
 * (engine features and capabilities) and -outcome.c (what a load came to). */
#pragma once

#include "rh-page-watch.h"

#include "rh-error.h"

G_BEGIN_DECLS

struct _RhPageWatch
{
  GObject parent_instance;

  char *page_url;
  const RhReadyProtocol *ready_protocol; /* the caller's, outlives us */
  RhReadyCall *ready_call;
  RhTimeline *timeline;                  /* the caller's */
  RhPageHost *host;                      /* NULL for a detached watch */
  const char *engine_name;               /* the host's engine's (static), NULL detached */
  JsonObject *capabilities;              /* what this page's probe said, if it did */

  GCancellable *load_cancellable;        /* this load's ready call */
  gint64 ready_deadline_us;
  guint load_serial;
  gboolean stopped;
  gboolean launched;
  gboolean ready;
  gboolean unpatchable;
  RhPageTimes times;
  RhFrameLog *frame_log;
  gboolean keep_pictures;
  guint blank_threshold;     /* --blank-threshold, for each load's frame log */
  GArray *resources;       /* RhResource */
  GHashTable *resource_ids; /* the host's id of this load's resource -> index in resources */
  GHashTable *failures_echoed; /* "KIND HOST ERROR" of this load's failures echoed, char * */
  GPtrArray *missing_params;
  guint js_errors;
  char *first_js_error;
  RhJsError first_error;
  GTask *probe_task;       /* rh_page_watch_probe_engine_async () under way */
  guint probe_timeout_id;
  gint64 probe_deadline_us; /* monotonic: the probe gives up then */
  gboolean probing;        /* the host shows the probe document, not the page */
  GPtrArray *touched;      /* features the page reached for, char * */
  GPtrArray *blamed;       /* missing features an uncaught error named, char * */
  GPtrArray *workers;      /* service worker script URLs the page registered, char * */
  RhRequestLog *requests;
  RhPageLaunch launch;
  gboolean reading_sdk_bundle; /* the bridge reads the SDK bundle's text */
  RhWebrtcMode webrtc;
  guint page_events;       /* this load's timeline events from the page's messages */
};

void     _rh_page_watch_emit_sdk_bundle_read (RhPageWatch *watch);
void     _rh_page_watch_report_failure (RhPageWatch *watch, RhError code, const char *format,
                                        ...) G_GNUC_PRINTF (3, 4);

/* -messages.c */
void     _rh_page_watch_record_message (RhPageWatch *watch, JsonObject *message);

/* -resources.c */
void     _rh_page_watch_resources_connect (RhPageWatch *watch);
void     _rh_page_watch_resources_reset   (RhPageWatch *watch);
void     _rh_page_watch_resource_error    (RhPageWatch *watch, const char *uri,
                                           const char *tag);
void     _rh_page_watch_resource_timing   (RhPageWatch *watch, JsonObject *message);
gboolean _rh_page_watch_first_failure     (RhPageWatch *watch, const char *kind,
                                           const char *url, const char *error);

/* -engine.c */
gboolean _rh_page_watch_engine_known      (RhPageHost *host);
void     _rh_page_watch_touch             (RhPageWatch *watch, const char *feature);
void     _rh_page_watch_blame             (RhPageWatch *watch, const char *error_message);
void     _rh_page_watch_capabilities      (RhPageWatch *watch, JsonObject *message,
                                           JsonNode *detail);

void     _rh_page_watch_engine_describe   (RhPageWatch *watch, RhPageEngine *engine);

/* -outcome.c */
GPtrArray *_rh_page_watch_redact_all      (RhPageWatch *watch, const GPtrArray *texts);

G_END_DECLS
