/* The classroom a record page is opened for, and the page URL the recording
 * server builds from it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  char *app_id;
  char *room_uuid;
  int room_type;      /* 0 one-to-one, 2 lecture hall, 4 small classroom */
  char *user_uuid;
  int role_type;      /* 0: the invisible recorder */
  char *rtm_token;    /* secret: never printed */
  char *language;
  char *region;       /* lower case: cn, ap, eu, na; NULL for none */
  GPtrArray *params;  /* extra "KEY=VALUE" strings, in order */
  gint64 start_time_ms; /* the class's startTime for the page, 0 for when the URL is built */
} RhRoom;

typedef enum
{
  RH_ROOM_PARAM_SET = 1 << 0,     /* set by recordhost from its options; --param may not */
  RH_ROOM_PARAM_DEFAULT = 1 << 1, /* filled in as the cloud does when nobody gave it */
  RH_ROOM_PARAM_READ = 1 << 2,    /* read by record pages: reported when a page lacks it */
  RH_ROOM_PARAM_COMMAND_LINE = 1 << 3, /* the bundled page's: never in a page URL from the
                                        * cloud's API */
} RhRoomParamFlags;

typedef struct
{
  const char *name;
  RhRoomParamFlags flags;
} RhRoomParam;

const RhRoomParam *rh_room_params      (guint *n_params);
RhRoomParamFlags   rh_room_param_flags (const char *name);

RhRoom  *rh_room_new            (void);
void     rh_room_free           (RhRoom *room);
gboolean rh_room_set_region     (RhRoom *room, const char *region, GError **error);
gboolean rh_room_add_param      (RhRoom *room, const char *key_value, GError **error);
gboolean rh_room_validate       (const RhRoom *room, GError **error);
char    *rh_room_build_page_url (const RhRoom *room, const char *url_or_file, GError **error);
gboolean rh_room_check_api_page (const char *url_or_file, GError **error);

char    *rh_region_normalize    (const char *region, GError **error);
char    *rh_user_uuid_generate  (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhRoom, rh_room_free)

G_END_DECLS
