/* The PostgreSQL connection of the cloud store. */
#pragma once

#include "rh-sql.h"

G_BEGIN_DECLS

RhSqlConnection *rh_sql_postgres_new (const char *url, GError **error);

G_END_DECLS
