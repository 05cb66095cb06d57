/* The exit status each error gives: 2 for what the user typed, 1 for the
 * rest, 0 for none. */
#include <gio/gio.h>

#include "rh-error.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  gboolean set;   /* FALSE: no error at all */
  gboolean ours;  /* RH_ERROR, else G_IO_ERROR */
  int code;
  int status;
} StatusRow;

static const StatusRow status_rows[] = {
  { "none", FALSE, TRUE, 0, 0 },
  { "invalid-input", TRUE, TRUE, RH_ERROR_INVALID_INPUT, 2 },
  { "page-failed", TRUE, TRUE, RH_ERROR_PAGE_FAILED, 1 },
  { "not-ready", TRUE, TRUE, RH_ERROR_NOT_READY, 1 },
  { "ready-call", TRUE, TRUE, RH_ERROR_READY_CALL, 1 },
  { "web-process", TRUE, TRUE, RH_ERROR_WEB_PROCESS, 1 },
  /* Another domain's code of the same number is no usage error. */
  { "other-domain-same-code", TRUE, FALSE, RH_ERROR_INVALID_INPUT, 1 },
  { "other-domain", TRUE, FALSE, G_IO_ERROR_NOT_FOUND, 1 },
};

static void
test_exit_status (gconstpointer data)
{
  const StatusRow *row = data;
  g_autoptr (GError) error = NULL;

  if (row->set)
    error = g_error_new_literal (row->ours ? RH_ERROR : G_IO_ERROR, row->code, "x");
  g_assert_cmpint (rh_error_exit_status (error), ==, row->status);
}

static void
test_quark (void)
{
  g_assert_cmpstr (g_quark_to_string (RH_ERROR), ==, "recordhost-error-quark");
  g_assert_true (RH_ERROR == rh_error_quark ());
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (status_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/error/exit-status/%s", status_rows[i].name);

      g_test_add_data_func (path, &status_rows[i], test_exit_status);
    }
  g_test_add_func ("/error/quark", test_quark);
  return g_test_run ();
}
