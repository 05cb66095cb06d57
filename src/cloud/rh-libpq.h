/* libpq, loaded when a PostgreSQL store is first used rather than at every
 * start of the program: its libraries (OpenSSL, GnuTLS, LDAP, SASL) cost a
 * check ~8 ms before main ().  The PQ functions the store calls are defined
 * in rh-libpq.c, each calling libpq's own. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Loads libpq, once; fails (RH_SQL_ERROR_FAILED) when it is not installed. */
gboolean rh_libpq_load (GError **error);

G_END_DECLS
