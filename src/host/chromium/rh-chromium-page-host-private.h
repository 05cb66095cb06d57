/* RhChromiumPageHost's fields, shared by the files that make it: getting a
 * target and the RhPageHost calls (rh-chromium-page-host.c), its commands
 * (rh-chromium-page-commands.c), what the target tells
 * (rh-chromium-page-events.c, rh-chromium-page-network.c), its frames
 * (rh-chromium-page-frames.c), its routes (rh-chromium-page-fetch.c) and
 * its out-of-process frames and workers (rh-chromium-page-children.c). */
#pragma once

#include <cairo.h>

#include "rh-cdp-connection.h"
#include "rh-chromium-browser.h"
#include "rh-chromium-page-host.h"

G_BEGIN_DECLS

/* The global function of every frame the bridge posts through. */
#define RH_CHROMIUM_BINDING_NAME "__recordhostPost"

typedef struct _RhChromiumBatch RhChromiumBatch;

struct _RhChromiumPageHost
{
  RhPageHost parent_instance;

  guint width;
  guint height;
  char *user_agent;    /* given, or the browser's once known */
  GPtrArray *scripts;  /* sources, run in every frame of every document */
  char *pending_uri;   /* a load asked for before the target was ready */
  GError *start_error; /* the browser or the target could not be had */
  RhChromiumBrowser *browser;
  RhCdpConnection *connection; /* the browser's */
  GCancellable *cancellable;   /* this host's commands */
  gboolean own_website_data; /* a browser context of its own (rh_page_host_set_own_website_data) */
  char *context_id;          /* that context, once made */
  char *target_id;           /* its main frame's id too */
  char *session_id;
  gulong event_id;
  gulong closed_id;
  char *loading_uri;  /* the load in progress */
  gboolean committed; /* ... has its document */
  guint status;       /* its main document's HTTP status */
  gboolean terminated;
  gboolean set_up;     /* the target answered its set-up */
  gboolean blank_live; /* its first document (about:blank) runs */
  guint blank_wait_id;
  gboolean ready;              /* both, or waited long enough: loads go to the target now */
  cairo_surface_t *last_frame; /* the frame on screen, read again when recording starts */
  gint64 last_frame_us;
  gint64 quiet_since_us; /* the last picture, or the last answer to a screenshot */
  guint silence_ms;      /* silent this long since: a screenshot is asked for */
  guint check_id;
  gboolean capturing;     /* a picture asked for */
  GHashTable *requests;   /* the protocol's requestId -> its resource id and status */
  GPtrArray *routes;      /* RhRoute: loads to these hosts go elsewhere */
  gboolean fetch_enabled; /* the target pauses the requests routes name */
  GHashTable *children;   /* session id -> target type: its out-of-process frames and workers */
  RhChromiumBatch *batch; /* the commands being sent make this batch */
};

typedef void (*RhChromiumResultFunc) (RhChromiumPageHost *self, JsonObject *result,
                                      const GError *error);
typedef void (*RhChromiumSessionFunc) (RhChromiumPageHost *self, const char *session_id);

void _rh_chromium_page_host_send (RhChromiumPageHost *self, const char *method, JsonObject *params,
                                  RhChromiumResultFunc func);
void _rh_chromium_page_host_send_to (RhChromiumPageHost *self, const char *session_id,
                                     const char *method, JsonObject *params,
                                     RhChromiumResultFunc func);
void _rh_chromium_page_host_batch_begin (RhChromiumPageHost *self);
void _rh_chromium_page_host_batch_end (RhChromiumPageHost *self, const char *session_id,
                                       RhChromiumSessionFunc func);
JsonObject *_rh_chromium_page_host_object_with_string (const char *name, const char *value);
void _rh_chromium_page_host_become_ready (RhChromiumPageHost *self);
gboolean _rh_chromium_page_host_emit_last_frame (RhChromiumPageHost *self, RhFrameFunc func,
                                                 gpointer user_data);
void _rh_chromium_page_host_screencast_frame (RhChromiumPageHost *self, JsonObject *params);
void _rh_chromium_page_host_frames_start (RhChromiumPageHost *self);
void _rh_chromium_page_host_network_event (RhChromiumPageHost *self, const char *method,
                                           JsonObject *params);
void _rh_chromium_page_host_bridge_message (RhChromiumPageHost *self, JsonObject *params);
void _rh_chromium_page_host_set_routes (RhPageHost *host, const GPtrArray *routes);
void _rh_chromium_page_host_fetch_set_up (RhChromiumPageHost *self);
void _rh_chromium_page_host_fetch_enable (RhChromiumPageHost *self, const char *session_id);
void _rh_chromium_page_host_fetch_event (RhChromiumPageHost *self, const char *session_id,
                                         const char *method, JsonObject *params);
void _rh_chromium_page_host_children_set_up (RhChromiumPageHost *self, const char *session_id);
gboolean _rh_chromium_page_host_child_event (RhChromiumPageHost *self, const char *session_id,
                                             const char *method, JsonObject *params);
void _rh_chromium_page_host_event_cb (RhCdpConnection *connection, const char *method,
                                      JsonObject *params, const char *session_id,
                                      gpointer user_data);

G_END_DECLS
