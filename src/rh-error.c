#include "rh-error.h"

G_DEFINE_QUARK (recordhost-error-quark, rh_error)
