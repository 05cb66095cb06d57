/* Text from outside made printable: what a terminal would act on is spelt
 * out, the rest is left as it is. */
#include "rh-text.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *input;    /* as bytes */
  const char *expected;
} PrintableRow;

static const PrintableRow printable_rows[] = {
  { "plain", "room-1", "room-1" },
  { "escape-sequence", "\x1b[2Jred", "\\x1b[2Jred" },
  { "osc-title", "\x1b]0;title\x07", "\\x1b]0;title\\x07" },
  { "bel", "a\x07" "b", "a\\x07b" },
  { "carriage-return", "ok\rFAIL", "ok\\rFAIL" },
  { "newline", "a\n[ 1 ms] forged", "a\\n[ 1 ms] forged" },
  { "tab", "a\tb", "a\\tb" },
  { "unit-separator", "a\x1f" "b", "a\\x1fb" },
  { "other-c0", "\x01\x1a", "\\x01\\x1a" },
  { "del", "a\x7f", "a\\x7f" },
  { "c1-csi", "\xc2\x9b" "31m", "\\u009b31m" },
  { "line-separator", "a\xe2\x80\xa8" "b", "a\\u2028b" },
  { "bidi-override", "abc\xe2\x80\xae" "def", "abc\\u202edef" },
  { "bidi-isolate", "\xe2\x81\xa6x\xe2\x81\xa9", "\\u2066x\\u2069" },
  { "invalid-utf8", "a\xff" "b", "a\xef\xbf\xbd" "b" },
  { "truncated-utf8", "a\xc3", "a\xef\xbf\xbd" },
  { "utf8", "r\xc3\xa9union \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x93",
    "r\xc3\xa9union \xe6\x97\xa5\xe6\x9c\xac \xf0\x9f\x8e\x93" },
  { "backslash", "C:\\dir\\x1b", "C:\\dir\\x1b" },
  { "empty", "", "" },
};

static void
test_printable (gconstpointer data)
{
  const PrintableRow *row = data;
  g_autofree char *printable = rh_text_printable (row->input);

  g_assert_cmpstr (printable, ==, row->expected);
}

static void
test_printable_null (void)
{
  g_assert_null (rh_text_printable (NULL));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (printable_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/text/printable/%s", printable_rows[i].name);

      g_test_add_data_func (path, &printable_rows[i], test_printable);
    }
  g_test_add_func ("/text/printable-null", test_printable_null);
  return g_test_run ();
}
