/* The local classroom cloud: a libsoup server that answers the recording
 * API the way the cloud does, keeping what it is told in an RhCloudStore. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

#include "rh-cloud-store.h"
#include "rh-page-options.h"

G_BEGIN_DECLS

#define RH_TYPE_CLOUD (rh_cloud_get_type ())
G_DECLARE_FINAL_TYPE (RhCloud, rh_cloud, RH, CLOUD, GObject)

#define RH_CLOUD_DEFAULT_LISTEN "127.0.0.1:8440"
#define RH_CLOUD_DEFAULT_ROOMS_PER_WEB_PROCESS 4
#define RH_CLOUD_DEFAULT_LEASE_TTL_S 15
#define RH_CLOUD_DEFAULT_DRAIN_TIMEOUT_S 60

RhCloud    *rh_cloud_new          (RhCloudStore *store, const char *require_token);
gboolean    rh_cloud_listen_local (RhCloud *cloud, guint port, GError **error);
gboolean    rh_cloud_listen       (RhCloud *cloud, const char *address, GError **error);
guint       rh_cloud_get_active_count (RhCloud *cloud);
gboolean    rh_cloud_is_settled   (RhCloud *cloud);
void        rh_cloud_stop_all     (RhCloud *cloud);
const char *rh_cloud_get_base_url (RhCloud *cloud);
gboolean    rh_cloud_is_exposed   (RhCloud *cloud);
guint       rh_cloud_get_ready_count (RhCloud *cloud);
guint       rh_cloud_default_max_rooms (void);
void        rh_cloud_set_max_rooms (RhCloud *cloud, guint max_rooms);
void        rh_cloud_set_rooms_per_web_process (RhCloud *cloud, guint count);
void        rh_cloud_set_insecure_no_token (RhCloud *cloud, gboolean insecure);
gboolean    rh_cloud_allow_host   (RhCloud *cloud, const char *host, GError **error);
void        rh_cloud_set_allow_file_pages (RhCloud *cloud, gboolean allow);
void        rh_cloud_allow_file_page (RhCloud *cloud, const char *uri);
void        rh_cloud_set_page_memory (RhCloud *cloud, guint page_memory_mb);
void        rh_cloud_set_sdk_api_local (RhCloud *cloud, gboolean local);
void        rh_cloud_set_engine   (RhCloud *cloud, RhBrowserEngine engine);
gboolean    rh_cloud_join_cluster (RhCloud *cloud, const char *worker_id, guint lease_ttl_s,
                                   GError **error);
const char *rh_cloud_get_worker_id (RhCloud *cloud);
void        rh_cloud_drain        (RhCloud *cloud);
void        rh_cloud_leave        (RhCloud *cloud);

G_END_DECLS
