/* What every command that hosts a record page is told: the room, the page,
 * how it is rendered, what counts as ready and where the ready call goes. */
#pragma once

#include <glib.h>

#include "rh-bridge.h"
#include "rh-frame.h"
#include "rh-ready-protocol.h"
#include "rh-record-config.h"
#include "rh-room.h"
#include "rh-route.h"
#include "rh-timeline.h"

G_BEGIN_DECLS

#define RH_PAGE_OPTIONS_DEFAULT_TIMEOUT_S 60
#define RH_PAGE_OPTIONS_DEFAULT_PAINT_GRACE_MS 5000
#define RH_PAGE_OPTIONS_DEFAULT_SLOW_PAINT_MS 3000
/* Measured here, peak RSS of the web process: ~180 MB for the bundled page,
 * ~400 MB for real SDK bundles (1.1.2, 2.9.52), ~250 MB for four bundled
 * pages sharing it.  A limit with room to spare, that a page allocating
 * without end meets long before the machine runs out. */
#define RH_PAGE_OPTIONS_DEFAULT_PAGE_MEMORY_MB 1024
#define RH_PAGE_OPTIONS_MIN_PAGE_MEMORY_MB 128
#define RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB 16384

/* The browser engine a page runs in. */
typedef enum
{
  RH_BROWSER_ENGINE_WPE,      /* WPE WebKit: the default */
  RH_BROWSER_ENGINE_CHROMIUM, /* Debian's headless Chromium, over the DevTools protocol */
} RhBrowserEngine;

gboolean    rh_browser_engine_parse (const char *text, RhBrowserEngine *engine, GError **error);
const char *rh_browser_engine_name  (RhBrowserEngine engine);

typedef struct
{
  RhRoom *room;
  char *page;              /* URL or local file, as given */
  RhBrowserEngine engine;
  RhRecordConfig record;
  RhReadyProtocol *ready;
  char *api_base;          /* NULL: a local cloud on loopback answers the ready call */
  guint timeout_s;         /* check: bound on the whole check; run: on each load */
  gboolean echo;           /* timeline on stderr as it happens */
  char *snapshots_dir;     /* check: pictures go here, NULL for none */
  char *junit;             /* check: JUnit XML report file, NULL for none */
  char *junit_name;        /* check: its test suite's name, NULL: from the page and room */
  char **fail_on;          /* problem codes, or "warning", that fail the command; NULL: none */
  guint slow_paint_ms;     /* check: first paint later than this is a warning */
  guint paint_grace_ms;    /* check: after a blank acknowledgement, wait this long for paint */
  guint blank_threshold;   /* percent of a frame near its dominant colour that makes it blank */
  RhWebrtcMode webrtc;     /* the WebRTC and media stand-in, or the bare engine */
  GPtrArray *routes;       /* RhRoute: the page's requests to these hosts go elsewhere */
  gboolean sdk_api_local;  /* route the SDKs' API hosts to the local cloud */
  char *har;               /* check: HAR file of the page's requests, NULL for none */
  char *user_agent;        /* NULL: WebKit's own */
  guint page_memory_mb;    /* bound on the memory of the page's web process */
  gboolean file_access;    /* a file page may read other files (fetch, XMLHttpRequest): only
                            * for a page the user named on the command line */
  char *sdk_bundle;        /* URL of the SDK bundle the bundled page loads (--sdk), handed
                            * over by the bridge; NULL: the page's own choice */
} RhPageOptions;

RhPageOptions *rh_page_options_new  (void);
void            rh_page_options_free (RhPageOptions *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhPageOptions, rh_page_options_free)

void            rh_page_options_set_engine (RhPageOptions *options, RhBrowserEngine engine);
void            rh_page_options_add_secrets (const RhPageOptions *options,
                                             RhTimeline *timeline);
gboolean        rh_page_options_prepare (RhPageOptions *options, char **page_url,
                                         GError **error);

G_END_DECLS
