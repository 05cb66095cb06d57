/* The page host on headless Chromium: a target (tab) of one browser the
 * process shares, driven over the DevTools protocol; its frames from the
 * screencast, the bridge's messages through a binding. */
#pragma once

#include "rh-page-host.h"

G_BEGIN_DECLS

#define RH_TYPE_CHROMIUM_PAGE_HOST (rh_chromium_page_host_get_type ())
G_DECLARE_FINAL_TYPE (RhChromiumPageHost, rh_chromium_page_host, RH, CHROMIUM_PAGE_HOST,
                      RhPageHost)

/* Fails only when there is no browser to start (a one-line error naming
 * Debian's package); a browser that cannot start fails the first load. */
RhPageHost *rh_chromium_page_host_new (guint width, guint height, const char *user_agent,
                                       gboolean file_access, GError **error);

G_END_DECLS
