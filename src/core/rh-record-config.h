/* How the recorder renders the page: the cloud's webRecordConfig. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RH_RECORD_CONFIG_DEFAULT_WIDTH 1280
#define RH_RECORD_CONFIG_DEFAULT_HEIGHT 720
#define RH_RECORD_CONFIG_MIN_SIDE 480
#define RH_RECORD_CONFIG_MAX_SIDE 1920
#define RH_RECORD_CONFIG_MAX_AREA (1920 * 1080)

typedef struct
{
  guint width;
  guint height;
} RhRecordConfig;

void     rh_record_config_init     (RhRecordConfig *config);
gboolean rh_record_config_validate (const RhRecordConfig *config, GError **error);

G_END_DECLS
