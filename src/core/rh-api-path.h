/* The classroom API's paths, the one place they are parsed and built:
 *   [/{region}]/edu/apps/{appId}/v2/rooms/{roomUuid}[/{rest}]     the recording API
 *   ...                               /records/{recordId}/har, .../snapshots   a record's files
 *   [/{region}]/edu/apps/{appId}/v2/configs                       the SDK's (1.1.x)
 *   [/{region}]/edu/apps/{appId}/v3/rooms/{roomUuid}/users/{user} the SDK's check-in (2.x)
 *   [/{region}]/edu/apps/{appId}/v2/rooms/{roomUuid}/users/{user} the SDK's room entry (1.1.x)
 *   [/{region}]/scene/apps/{appId}/v1/users/{user}/login         the SDK's RTM login (1.1.x)
 * A path is handled as sent, percent-encoded (the servers keep raw paths),
 * so that an encoded "/", "%" or ".." in a room uuid is the room's own; a
 * path of the room entry's shape is the entry, though a room uuid holding a
 * literal "/users/" could read as one. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* What follows a room in the recording API's paths. */
#define RH_API_PATH_READY "records/ready"
#define RH_API_PATH_START "records/states/1"
#define RH_API_PATH_STOP "records/states/0"
#define RH_API_PATH_RECORDS "records"
#define RH_API_PATH_SEQUENCES "sequences"
/* A record's files: the record's id in the parsed path's record_id. */
#define RH_API_PATH_RECORD_HAR "records/{recordId}/har"
#define RH_API_PATH_RECORD_SNAPSHOTS "records/{recordId}/snapshots"

typedef enum
{
  RH_API_PATH_ROOM,     /* the recording API, under a room */
  RH_API_PATH_CONFIGS,  /* the SDK's configuration */
  RH_API_PATH_CHECK_IN, /* the SDK's check-in of a user into a room */
  RH_API_PATH_ENTRY,    /* the SDK's entry of a user into a room (1.1.x) */
  RH_API_PATH_RTM_LOGIN, /* the SDK's RTM login of a user (1.1.x) */
} RhApiPathKind;

typedef struct
{
  RhApiPathKind kind;
  char *region;    /* NULL when the path has no region segment */
  char *app_id;
  char *room_uuid; /* NULL for the configuration and the RTM login */
  char *user_uuid; /* the check-in's, the entry's and the RTM login's only */
  char *rest;      /* the room's: what follows it, e.g. "records/ready"; "" otherwise */
  char *record_id; /* RH_API_PATH_RECORD_HAR's and _SNAPSHOTS', NULL otherwise */
} RhApiPath;

RhApiPath *rh_api_path_parse     (const char *path);
gboolean   rh_api_path_is_page_call (const RhApiPath *path);
void       rh_api_path_free      (RhApiPath *path);
char      *rh_api_path_build_uri (const char *api_base, const char *region, const char *app_id,
                                  const char *room_uuid, const char *rest, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhApiPath, rh_api_path_free)

G_END_DECLS
