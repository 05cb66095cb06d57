/* A headless Chromium, started and driven over the DevTools protocol on a
 * pipe: its own profile directory, off the network, killed with its whole
 * process group when the object goes or the connection closes, and never
 * outliving this process. */
#pragma once

#include <gio/gio.h>

#include "rh-cdp-connection.h"

G_BEGIN_DECLS

/* The environment variable naming the browser's binary; without it,
 * `chromium` in PATH. */
#define RH_CHROMIUM_ENV "RECORDHOST_CHROMIUM"
/* How long a start may take, until Browser.getVersion is answered. */
#define RH_CHROMIUM_START_TIMEOUT_S 60

#define RH_CHROMIUM_BROWSER_ERROR (rh_chromium_browser_error_quark ())

typedef enum
{
  RH_CHROMIUM_BROWSER_ERROR_NOT_FOUND, /* no binary */
  RH_CHROMIUM_BROWSER_ERROR_START,     /* it did not start, or did not answer in time */
  RH_CHROMIUM_BROWSER_ERROR_EXITED,    /* it exited on its own */
} RhChromiumBrowserError;

GQuark rh_chromium_browser_error_quark (void);

#define RH_TYPE_CHROMIUM_BROWSER (rh_chromium_browser_get_type ())
G_DECLARE_FINAL_TYPE (RhChromiumBrowser, rh_chromium_browser, RH, CHROMIUM_BROWSER, GObject)

/* The binary a browser starts: $RECORDHOST_CHROMIUM, or `chromium` in PATH;
 * a one-line error naming Debian's package when there is none. */
char *rh_chromium_browser_find_binary (GError **error);

void               rh_chromium_browser_new_async  (gboolean file_access,
                                                   GCancellable *cancellable,
                                                   GAsyncReadyCallback callback,
                                                   gpointer user_data);
RhChromiumBrowser *rh_chromium_browser_new_finish (GAsyncResult *result, GError **error);

RhCdpConnection *rh_chromium_browser_get_connection  (RhChromiumBrowser *browser);
/* Browser.getVersion's product, e.g. "HeadlessChrome/156.0.8078.129". */
const char      *rh_chromium_browser_get_version     (RhChromiumBrowser *browser);
/* The directory of its profile, temporary files and crash database (every
 * process of the browser names it on its command line); NULL once the
 * browser is gone and the directory removed. */
const char      *rh_chromium_browser_get_profile_dir (RhChromiumBrowser *browser);
/* The browser process and its process group, 0 once killed. */
GPid             rh_chromium_browser_get_pid         (RhChromiumBrowser *browser);

G_END_DECLS
