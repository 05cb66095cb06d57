/* JSON from outside, bounded; JSON we write, valid whatever the strings. */
#include <math.h>
#include <string.h>

#include "rh-json.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *value;    /* a string member's value, as bytes */
  const char *expected; /* the compact text written */
} OutputRow;

static const OutputRow output_rows[] = {
  { "plain", "room-1", "{\"s\":\"room-1\"}" },
  { "unit-separator", "a\x1f" "b", "{\"s\":\"a\\u001fb\"}" },
  { "escape-sequence", "\x1b[31mred", "{\"s\":\"\\u001b[31mred\"}" },
  { "newline-tab", "a\nb\tc", "{\"s\":\"a\\nb\\tc\"}" },
  { "invalid-utf8", "a\xff" "b", "{\"s\":\"a\xef\xbf\xbd" "b\"}" },
  { "utf8", "r\xc3\xa9union", "{\"s\":\"r\xc3\xa9union\"}" },
};

static void
test_output (gconstpointer data)
{
  const OutputRow *row = data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autoptr (JsonNode) pretty_root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pretty = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "s");
  json_builder_add_string_value (builder, row->value);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = rh_json_to_string (root, FALSE);
  g_assert_cmpstr (text, ==, row->expected);
  pretty = rh_json_to_string (root, TRUE);
  g_assert_true (g_utf8_validate (pretty, -1, NULL));
  for (const char *p = pretty; *p != '\0'; p++)
    g_assert_true ((guchar) *p >= 0x20 || *p == '\n');
  g_assert_true (json_parser_load_from_data (parser, pretty, -1, NULL));
}

typedef struct
{
  const char *name;
  double value;
  const char *expected; /* the compact text written */
} NumberRow;

/* json-glib writes a double without a point as g_ascii_dtostr () gives it
 * and then ".0": 1e+21.0 and inf.0, which no JSON reader takes. */
static const NumberRow number_rows[] = {
  { "fraction", 1.5, "{\"d\":1.5}" },
  { "whole", 3.0, "{\"d\":3.0}" },
  { "exponent", 1e21, "{\"d\":1e+21}" },
  { "negative-exponent", -2e22, "{\"d\":-2e+22}" },
  { "exponent-with-point", 1.5e300, "{\"d\":1.5000000000000001e+300}" },
  { "infinity", INFINITY, "{\"d\":null}" },
  { "minus-infinity", -INFINITY, "{\"d\":null}" },
  { "not-a-number", NAN, "{\"d\":null}" },
};

static void
test_number (gconstpointer data)
{
  const NumberRow *row = data;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pretty = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "d");
  json_builder_add_double_value (builder, row->value);
  json_builder_end_object (builder);
  root = json_builder_get_root (builder);
  text = rh_json_to_string (root, FALSE);
  g_assert_cmpstr (text, ==, row->expected);
  pretty = rh_json_to_string (root, TRUE);
  g_assert_true (json_parser_load_from_data (parser, pretty, -1, NULL));
}

typedef struct
{
  const char *name;
  guint depth;
  gsize max_bytes;
  gboolean accepted;
} LoadRow;

static const LoadRow load_rows[] = {
  { "shallow", 3, 1024, TRUE },
  { "at-limit", RH_JSON_MAX_DEPTH, 1024, TRUE },
  { "over-limit", RH_JSON_MAX_DEPTH + 1, 1024, FALSE },
  { "million", 1000 * 1000, G_MAXSIZE, FALSE },
  { "over-size", 3, 4, FALSE },
};

static void
test_load (gconstpointer data)
{
  const LoadRow *row = data;
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < row->depth; i++)
    g_string_append_c (text, '[');
  /* Brackets inside strings do not count. */
  g_string_append (text, "\"[[[[\\\"[[\"");
  for (guint i = 0; i < row->depth; i++)
    g_string_append_c (text, ']');
  if (row->accepted)
    {
      gboolean loaded = rh_json_parser_load (parser, text->str, text->len, row->max_bytes,
                                             RH_JSON_MAX_DEPTH, &error);

      g_assert_no_error (error);
      g_assert_true (loaded);
      return;
    }
  g_assert_false (rh_json_parser_load (parser, text->str, text->len, row->max_bytes,
                                             RH_JSON_MAX_DEPTH, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

typedef struct
{
  const char *name;
  const char *text;
  gboolean accepted;
} ScannerRow;

/* json-glib's scanner reads more than JSON: comments (slash-star, and from
 * one slash to the next) and single-quoted strings, where a double quote
 * opens no string; versions differ on where a comment ends.  JSON has
 * neither: refused, whatever the depth. */
static const ScannerRow scanner_rows[] = {
  { "quote-in-comment", "/* \" */ [[1]]", FALSE },
  { "quote-in-slash-comment", "/ \" / [[1]]", FALSE },
  { "comment-star-slash", "/*/ \" */ [[1]]", FALSE },
  { "quote-in-single-quotes", "['\"', [[1]]]", FALSE },
  { "slash-and-quote-in-strings", "[\"a/b\", \"it's\", \"/* \\\" */\", {\"'\": \"/\"}]", TRUE },
};

static void
test_scanner (gconstpointer data)
{
  const ScannerRow *row = data;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  gboolean loaded = rh_json_parser_load (parser, row->text, -1, G_MAXSIZE, RH_JSON_MAX_DEPTH,
                                         &error);

  if (row->accepted)
    {
      g_assert_no_error (error);
      g_assert_true (loaded);
      return;
    }
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  g_assert_false (loaded);
}

/* Brackets a comment hid from the count reached json-glib's recursive
 * parser: 200000 of them overflowed the stack. */
static void
test_comment_hiding_depth (void)
{
  g_autoptr (GString) text = g_string_new ("/* \" */");
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  for (guint i = 0; i < 200000; i++)
    g_string_append_c (text, '[');
  g_assert_false (rh_json_parser_load (parser, text->str, text->len, G_MAXSIZE,
                                       RH_JSON_MAX_DEPTH, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

typedef struct
{
  const char *name;
  const char *text;
  const char *repaired; /* NULL: nothing to repair */
} SurrogateRow;

static const SurrogateRow surrogate_rows[] = {
  { "none", "[\"a\\u00e9\\n\"]", NULL },
  { "pair", "[\"\\ud83d\\ude00\"]", NULL },
  { "pair-upper-case", "[\"\\uD83D\\uDE00\"]", NULL },
  { "lone-high", "[\"a\\ud800b\"]", "[\"a\\ufffdb\"]" },
  { "lone-high-at-end", "[\"\\uDBFF\"]", "[\"\\ufffd\"]" },
  { "lone-low", "[\"\\udc00\"]", "[\"\\ufffd\"]" },
  { "low-then-high", "[\"\\udc00\\ud800\"]", "[\"\\ufffd\\ufffd\"]" },
  { "high-then-high-pair", "[\"\\ud800\\ud83d\\ude00\"]", "[\"\\ufffd\\ud83d\\ude00\"]" },
  /* An escaped backslash before "ud800" is text, not an escape. */
  { "escaped-backslash", "[\"\\\\ud800\"]", NULL },
  { "truncated", "[\"\\ud8", NULL },
  { "in-key", "{\"\\ud800\":1}", "{\"\\ufffd\":1}" },
  { "not-utf8", "[\"a\xff\"]", "[\"a\xef\xbf\xbd\"]" },
  { "not-utf8-and-lone", "[\"\xc3\\udc00\"]", "[\"\xef\xbf\xbd\\ufffd\"]" },
};

static void
test_surrogates (gconstpointer data)
{
  const SurrogateRow *row = data;
  g_autofree char *repaired = rh_json_repair (row->text, strlen (row->text));
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (repaired, ==, row->repaired);
  if (g_str_equal (row->name, "truncated"))
    return;
  /* What json-glib refused, it reads once repaired. */
  g_assert_true (rh_json_parser_load (parser, repaired != NULL ? repaired : row->text, -1,
                                      G_MAXSIZE, RH_JSON_MAX_DEPTH, &error));
  g_assert_no_error (error);
}

/* Typed members: the member when it has that type, else NULL. */
static void
test_members (void)
{
  g_autoptr (JsonNode) node
      = rh_test_parse_json ("{\"o\":{},\"a\":[],\"s\":\"x\",\"n\":1,\"z\":null}");
  JsonObject *object = json_node_get_object (node);
  static const char *const names[] = { "o", "a", "s", "n", "z", "absent" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_test_message ("%s", names[i]);
      g_assert_true ((rh_json_object_member (object, names[i]) != NULL) == (i == 0));
      g_assert_true ((rh_json_array_member (object, names[i]) != NULL) == (i == 1));
      g_assert_true ((rh_json_string_member (object, names[i]) != NULL) == (i == 2));
    }
  g_assert_cmpstr (rh_json_string_member (object, "s"), ==, "x");
  g_assert_null (rh_json_object_member (NULL, "o"));
  g_assert_null (rh_json_array_member (NULL, "a"));
  g_assert_null (rh_json_string_member (NULL, "s"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (output_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json/output/%s", output_rows[i].name);

      g_test_add_data_func (path, &output_rows[i], test_output);
    }
  for (guint i = 0; i < G_N_ELEMENTS (number_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json/number/%s", number_rows[i].name);

      g_test_add_data_func (path, &number_rows[i], test_number);
    }
  for (guint i = 0; i < G_N_ELEMENTS (load_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json/load/%s", load_rows[i].name);

      g_test_add_data_func (path, &load_rows[i], test_load);
    }
  for (guint i = 0; i < G_N_ELEMENTS (scanner_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/json/load/scanner/%s", scanner_rows[i].name);

      g_test_add_data_func (path, &scanner_rows[i], test_scanner);
    }
  g_test_add_func ("/json/load/comment-hiding-depth", test_comment_hiding_depth);
  g_test_add_func ("/json/members", test_members);
  for (guint i = 0; i < G_N_ELEMENTS (surrogate_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/json/surrogates/", surrogate_rows[i].name, NULL);

      g_test_add_data_func (path, &surrogate_rows[i], test_surrogates);
    }
  return g_test_run ();
}
