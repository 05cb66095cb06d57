/* The page host on WPE WebKit: a headless view rendering into shared memory
 * through WPEBackend-fdo, no display server.  The only code that sees
 * WebKit. */
#pragma once

#include "rh-page-host.h"

G_BEGIN_DECLS

#define RH_TYPE_WPE_PAGE_HOST (rh_wpe_page_host_get_type ())
G_DECLARE_FINAL_TYPE (RhWpePageHost, rh_wpe_page_host, RH, WPE_PAGE_HOST, RhPageHost)

RhPageHost *rh_wpe_page_host_new (guint width, guint height, const char *user_agent,
                                  gboolean file_access, GError **error);

G_END_DECLS
