/* What every command that hosts a record page is told: the room, the page,
 * how it is rendered, what counts as ready and where the ready call goes. */
#pragma once

#include <glib.h>

#include "rh-ready-protocol.h"
#include "rh-record-config.h"
#include "rh-room.h"

G_BEGIN_DECLS

#define RH_PAGE_OPTIONS_DEFAULT_TIMEOUT_S 60

typedef struct
{
  RhRoom *room;
  char *page;              /* URL or local file, as given */
  RhRecordConfig record;
  RhReadyProtocol *ready;
  char *api_base;          /* NULL: a local cloud on loopback answers the ready call */
  guint timeout_s;         /* check: bound on the whole check */
  gboolean echo;           /* timeline on stderr as it happens */
} RhPageOptions;

RhPageOptions *rh_page_options_new  (void);
void            rh_page_options_free (RhPageOptions *options);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhPageOptions, rh_page_options_free)

gboolean        rh_page_options_prepare (RhPageOptions *options, char **page_url,
                                         char **ready_uri, GError **error);

G_END_DECLS
