#include "rh-record-config.h"

#include "rh-error.h"

void
rh_record_config_init (RhRecordConfig *config)
{
  config->width = RH_RECORD_CONFIG_DEFAULT_WIDTH;
  config->height = RH_RECORD_CONFIG_DEFAULT_HEIGHT;
}

/* The cloud's limits: each side 480..1920, at most 1920x1080 pixels. */
gboolean
rh_record_config_validate (const RhRecordConfig *config, GError **error)
{
  if (config->width < RH_RECORD_CONFIG_MIN_SIDE || config->width > RH_RECORD_CONFIG_MAX_SIDE)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "width %u is outside %d..%d",
                   config->width, RH_RECORD_CONFIG_MIN_SIDE, RH_RECORD_CONFIG_MAX_SIDE);
      return FALSE;
    }
  if (config->height < RH_RECORD_CONFIG_MIN_SIDE || config->height > RH_RECORD_CONFIG_MAX_SIDE)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "height %u is outside %d..%d",
                   config->height, RH_RECORD_CONFIG_MIN_SIDE, RH_RECORD_CONFIG_MAX_SIDE);
      return FALSE;
    }
  if ((guint64) config->width * config->height > RH_RECORD_CONFIG_MAX_AREA)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "%ux%u has more pixels than 1920x1080", config->width, config->height);
      return FALSE;
    }
  return TRUE;
}
