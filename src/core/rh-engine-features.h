/* Features a local engine may lack that the cloud recorder's browser has: the
 * one table the bridge's touches (data/bridge/capabilities.js), the blame of
 * an uncaught error and the report's words are held against. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct
{
  const char *name;            /* as the bridge's probe and touches name it */
  const char *const *needles;  /* words of an error message that name it, NULL-terminated */
  const char *meaning;         /* what its lack means here and not in the cloud */
} RhEngineFeature;

const RhEngineFeature *rh_engine_features         (guint *n_features);
const RhEngineFeature *rh_engine_feature_lookup   (const char *name);
const RhEngineFeature *rh_engine_feature_named_in (const char *message, guint *from);

G_END_DECLS
