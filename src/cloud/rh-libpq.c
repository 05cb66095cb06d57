#include "rh-libpq.h"

#include <gmodule.h>
#include <libpq-fe.h>

#include "rh-sql.h"

/* Debian's libpq5; its soname has not changed since PostgreSQL 8.2. */
#define LIBPQ_NAME "libpq.so.5"

/* Each function the store calls, as libpq defines it. */
#define LIBPQ_FUNCTIONS(F) \
  F (PQconnectStartParams) \
  F (PQconnectPoll) \
  F (PQfinish) \
  F (PQconninfoParse) \
  F (PQconninfoFree) \
  F (PQstatus) \
  F (PQerrorMessage) \
  F (PQsocket) \
  F (PQsetNoticeProcessor) \
  F (PQsendQueryParams) \
  F (PQgetResult) \
  F (PQisBusy) \
  F (PQconsumeInput) \
  F (PQnotifies) \
  F (PQsetnonblocking) \
  F (PQflush) \
  F (PQresultStatus) \
  F (PQresStatus) \
  F (PQresultErrorMessage) \
  F (PQresultErrorField) \
  F (PQntuples) \
  F (PQnfields) \
  F (PQcmdTuples) \
  F (PQgetvalue) \
  F (PQgetisnull) \
  F (PQclear) \
  F (PQfreemem)

static struct
{
#define FIELD(name) __typeof__ (name) *name;
  LIBPQ_FUNCTIONS (FIELD)
#undef FIELD
} libpq_functions;

static char *load_error; /* why it could not be loaded, once tried */

static gboolean
load_once (void)
{
  GModule *module = g_module_open (LIBPQ_NAME, G_MODULE_BIND_LOCAL);

  if (module == NULL)
    {
      load_error = g_strdup (g_module_error ());
      return FALSE;
    }
#define RESOLVE(name) \
  if (!g_module_symbol (module, #name, (gpointer *) &libpq_functions.name)) \
    { \
      load_error = g_strdup_printf (LIBPQ_NAME " has no %s", #name); \
      g_module_close (module); \
      return FALSE; \
    }
  LIBPQ_FUNCTIONS (RESOLVE)
#undef RESOLVE
  /* Kept for the life of the process, as a linked library would be. */
  g_module_make_resident (module);
  return TRUE;
}

gboolean
rh_libpq_load (GError **error)
{
  static gsize done = 0;
  static gboolean loaded = FALSE;

  if (g_once_init_enter (&done))
    {
      loaded = load_once ();
      g_once_init_leave (&done, 1);
    }
  if (!loaded)
    g_set_error (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED,
                 "cannot load libpq for the PostgreSQL store (is libpq5 installed?): %s",
                 load_error);
  return loaded;
}

/* Reached only once rh_libpq_load () succeeded, or through a caller that
 * linked libpq itself: either way it loads. */
static void
ensure_loaded (void)
{
  g_autoptr (GError) error = NULL;

  if (!rh_libpq_load (&error))
    g_error ("%s", error->message);
}

PGconn *
PQconnectStartParams (const char *const *keywords, const char *const *values, int expand_dbname)
{
  ensure_loaded ();
  return libpq_functions.PQconnectStartParams (keywords, values, expand_dbname);
}

PostgresPollingStatusType
PQconnectPoll (PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQconnectPoll (conn);
}

void
PQfinish (PGconn *conn)
{
  ensure_loaded ();
  libpq_functions.PQfinish (conn);
}

PQconninfoOption *
PQconninfoParse (const char *conninfo, char **errmsg)
{
  ensure_loaded ();
  return libpq_functions.PQconninfoParse (conninfo, errmsg);
}

void
PQconninfoFree (PQconninfoOption *connOptions)
{
  ensure_loaded ();
  libpq_functions.PQconninfoFree (connOptions);
}

ConnStatusType
PQstatus (const PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQstatus (conn);
}

char *
PQerrorMessage (const PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQerrorMessage (conn);
}

int
PQsocket (const PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQsocket (conn);
}

PQnoticeProcessor
PQsetNoticeProcessor (PGconn *conn, PQnoticeProcessor proc, void *arg)
{
  ensure_loaded ();
  return libpq_functions.PQsetNoticeProcessor (conn, proc, arg);
}

int
PQsendQueryParams (PGconn *conn, const char *command, int nParams, const Oid *paramTypes, const
                   char *const *paramValues, const int *paramLengths, const int *paramFormats, int
                   resultFormat)
{
  ensure_loaded ();
  return libpq_functions.PQsendQueryParams (conn, command, nParams, paramTypes, paramValues,
                                            paramLengths, paramFormats, resultFormat);
}

PGresult *
PQgetResult (PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQgetResult (conn);
}

int
PQisBusy (PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQisBusy (conn);
}

int
PQconsumeInput (PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQconsumeInput (conn);
}

PGnotify *
PQnotifies (PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQnotifies (conn);
}

int
PQsetnonblocking (PGconn *conn, int arg)
{
  ensure_loaded ();
  return libpq_functions.PQsetnonblocking (conn, arg);
}

int
PQflush (PGconn *conn)
{
  ensure_loaded ();
  return libpq_functions.PQflush (conn);
}

ExecStatusType
PQresultStatus (const PGresult *res)
{
  ensure_loaded ();
  return libpq_functions.PQresultStatus (res);
}

char *
PQresStatus (ExecStatusType status)
{
  ensure_loaded ();
  return libpq_functions.PQresStatus (status);
}

char *
PQresultErrorMessage (const PGresult *res)
{
  ensure_loaded ();
  return libpq_functions.PQresultErrorMessage (res);
}

char *
PQresultErrorField (const PGresult *res, int fieldcode)
{
  ensure_loaded ();
  return libpq_functions.PQresultErrorField (res, fieldcode);
}

int
PQntuples (const PGresult *res)
{
  ensure_loaded ();
  return libpq_functions.PQntuples (res);
}

int
PQnfields (const PGresult *res)
{
  ensure_loaded ();
  return libpq_functions.PQnfields (res);
}

char *
PQcmdTuples (PGresult *res)
{
  ensure_loaded ();
  return libpq_functions.PQcmdTuples (res);
}

char *
PQgetvalue (const PGresult *res, int tup_num, int field_num)
{
  ensure_loaded ();
  return libpq_functions.PQgetvalue (res, tup_num, field_num);
}

int
PQgetisnull (const PGresult *res, int tup_num, int field_num)
{
  ensure_loaded ();
  return libpq_functions.PQgetisnull (res, tup_num, field_num);
}

void
PQclear (PGresult *res)
{
  ensure_loaded ();
  libpq_functions.PQclear (res);
}

void
PQfreemem (void *ptr)
{
  ensure_loaded ();
  libpq_functions.PQfreemem (ptr);
}
