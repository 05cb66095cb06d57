/* Routes: every request the page makes to http(s)://HOST/PATH goes to
 * BASE/PATH instead (--route HOST=URL, --sdk-api local). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *host; /* lower case, with ":port" when one was given */
  char *base; /* http(s) URL without a trailing slash */
} RhRoute;

RhRoute   *rh_route_new   (const char *host, const char *base, GError **error);
RhRoute   *rh_route_parse (const char *host_equals_url, GError **error);
void       rh_route_free  (RhRoute *route);
GPtrArray *rh_route_list_new (void); /* of RhRoute */
void       rh_route_list_add_sdk_api (GPtrArray *routes, const char *base);
const char *const *rh_route_sdk_api_hosts (void);
GPtrArray *rh_route_list_copy  (const GPtrArray *routes);
char      *rh_route_list_apply (const GPtrArray *routes, const char *url);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhRoute, rh_route_free)

G_END_DECLS
