/* What a page posts to the bridge's handler: bounded before it is parsed,
 * an object with a string kind, and its members read by type. */
#include <gio/gio.h>
#include <string.h>

#include "bridge-scripts.h"
#include "rh-bridge.h"
#include "rh-error.h"
#include "test-utils.h"

static JsonObject *
parse_ok (const char *json)
{
  g_autoptr (GError) error = NULL;
  JsonObject *message = rh_bridge_message_parse (json, &error);

  g_assert_no_error (error);
  g_assert_nonnull (message);
  return message;
}

typedef struct
{
  const char *name;
  const char *json;
  gboolean bounds; /* refused by the bounds (G_IO_ERROR_INVALID_DATA), else by its shape */
} RefusedRow;

static const RefusedRow refused_rows[] = {
  { "block-comment", "{\"kind\":\"console\"/* \" */}", TRUE },
  { "line-comment", "{\"kind\":\"console\"}// x", TRUE },
  { "single-quotes", "{'kind':'console'}", TRUE },
  { "single-quoted-value", "{\"kind\":'console'}", TRUE },
  { "array", "[{\"kind\":\"console\"}]", FALSE },
  { "string", "\"console\"", FALSE },
  { "number", "42", FALSE },
  { "null", "null", FALSE },
  { "no-kind", "{\"type\":\"console\"}", FALSE },
  { "kind-number", "{\"kind\":1}", FALSE },
  { "kind-null", "{\"kind\":null}", FALSE },
  { "kind-object", "{\"kind\":{\"a\":\"b\"}}", FALSE },
  { "kind-array", "{\"kind\":[\"console\"]}", FALSE },
};

static void
test_refused (gconstpointer data)
{
  const RefusedRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = rh_bridge_message_parse (row->json, &error);

  g_assert_null (message);
  if (row->bounds)
    g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
  else
    g_assert_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED);
}

/* Not JSON at all: refused by the parser. */
static void
test_not_json (void)
{
  g_autoptr (GError) error = NULL;

  g_assert_null (rh_bridge_message_parse ("{\"kind\":", &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_assert_null (rh_bridge_message_parse ("", &error));
  g_assert_nonnull (error);
}

/* {"kind":"console","pad":"aaa..."} of exactly @size bytes. */
static char *
message_of_size (gsize size)
{
  const char *head = "{\"kind\":\"console\",\"pad\":\"";
  const char *tail = "\"}";
  GString *text = g_string_new (head);

  g_assert_cmpuint (size, >, strlen (head) + strlen (tail));
  while (text->len < size - strlen (tail))
    g_string_append_c (text, 'a');
  g_string_append (text, tail);
  g_assert_cmpuint (text->len, ==, size);
  return g_string_free (text, FALSE);
}

static void
test_size (void)
{
  g_autofree char *largest = message_of_size (RH_BRIDGE_MESSAGE_MAX_BYTES);
  g_autofree char *over = message_of_size (RH_BRIDGE_MESSAGE_MAX_BYTES + 1);
  g_autoptr (JsonObject) message = parse_ok (largest);
  g_autoptr (GError) error = NULL;

  g_assert_cmpstr (rh_bridge_message_kind (message), ==, "console");
  g_assert_null (rh_bridge_message_parse (over, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* The message is one level: @depth counts it and the arrays in it. */
static char *
message_of_depth (guint depth)
{
  GString *text = g_string_new ("{\"kind\":\"console\",\"nested\":");

  for (guint i = 1; i < depth; i++)
    g_string_append_c (text, '[');
  g_string_append (text, "\"[[{{\"");
  for (guint i = 1; i < depth; i++)
    g_string_append_c (text, ']');
  g_string_append_c (text, '}');
  return g_string_free (text, FALSE);
}

static void
test_depth (void)
{
  g_autofree char *deepest = message_of_depth (RH_BRIDGE_MESSAGE_MAX_DEPTH);
  g_autofree char *over = message_of_depth (RH_BRIDGE_MESSAGE_MAX_DEPTH + 1);
  g_autoptr (JsonObject) message = parse_ok (deepest);
  g_autoptr (GError) error = NULL;

  g_assert_true (json_object_has_member (message, "nested"));
  g_assert_null (rh_bridge_message_parse (over, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* Quotes, slashes and brackets inside strings are text, not bounds. */
static void
test_strings_not_bounds (void)
{
  g_autoptr (JsonObject) message =
    parse_ok ("{\"kind\":\"console\",\"text\":\"// /* 'x' [[[{{ \\\" ]]\"}");

  g_assert_cmpstr (rh_bridge_message_get_string (message, "text"), ==,
                   "// /* 'x' [[[{{ \" ]]");
}

static void
test_get_string (void)
{
  g_autoptr (JsonObject) message = parse_ok ("{\"kind\":\"console\",\"s\":\"x\",\"n\":1,"
                                             "\"b\":true,\"z\":null,\"o\":{},\"a\":[\"x\"],"
                                             "\"e\":\"\"}");

  g_assert_cmpstr (rh_bridge_message_kind (message), ==, "console");
  g_assert_cmpstr (rh_bridge_message_get_string (message, "s"), ==, "x");
  g_assert_cmpstr (rh_bridge_message_get_string (message, "e"), ==, "");
  g_assert_null (rh_bridge_message_get_string (message, "n"));
  g_assert_null (rh_bridge_message_get_string (message, "b"));
  g_assert_null (rh_bridge_message_get_string (message, "z"));
  g_assert_null (rh_bridge_message_get_string (message, "o"));
  g_assert_null (rh_bridge_message_get_string (message, "a"));
  g_assert_null (rh_bridge_message_get_string (message, "missing"));
}

typedef struct
{
  const char *name;
  const char *json;
  gboolean is_event_1;
} EventRow;

static const EventRow event_rows[] = {
  { "int", "{\"kind\":\"event\",\"event\":1}", TRUE },
  { "double", "{\"kind\":\"event\",\"event\":1.0}", TRUE },
  { "string", "{\"kind\":\"event\",\"event\":\"1\"}", TRUE },
  { "other-int", "{\"kind\":\"event\",\"event\":2}", FALSE },
  { "fraction", "{\"kind\":\"event\",\"event\":1.5}", FALSE },
  { "string-suffix", "{\"kind\":\"event\",\"event\":\"1x\"}", FALSE },
  { "string-empty", "{\"kind\":\"event\",\"event\":\"\"}", FALSE },
  { "boolean", "{\"kind\":\"event\",\"event\":true}", FALSE },
  { "null", "{\"kind\":\"event\",\"event\":null}", FALSE },
  { "array", "{\"kind\":\"event\",\"event\":[1]}", FALSE },
  { "missing", "{\"kind\":\"event\"}", FALSE },
  { "other-kind", "{\"kind\":\"launch\",\"event\":1}", FALSE },
};

static void
test_is_event (gconstpointer data)
{
  const EventRow *row = data;
  g_autoptr (JsonObject) message = parse_ok (row->json);

  g_assert_cmpint (rh_bridge_message_is_event (message, 1), ==, row->is_event_1);
  /* Never another number's. */
  g_assert_false (rh_bridge_message_is_event (message, 7));
}

static void
test_get_boolean (void)
{
  g_autoptr (JsonObject) message = parse_ok ("{\"kind\":\"x\",\"t\":true,\"f\":false,"
                                             "\"s\":\"true\",\"n\":1,\"z\":null}");

  g_assert_true (rh_bridge_message_get_boolean (message, "t"));
  g_assert_false (rh_bridge_message_get_boolean (message, "f"));
  g_assert_false (rh_bridge_message_get_boolean (message, "s"));
  g_assert_false (rh_bridge_message_get_boolean (message, "n"));
  g_assert_false (rh_bridge_message_get_boolean (message, "z"));
  g_assert_false (rh_bridge_message_get_boolean (message, "missing"));
}

static void
test_webrtc_mode (void)
{
  RhWebrtcMode mode = RH_WEBRTC_ABSENT;
  g_autoptr (GError) error = NULL;

  g_assert_true (rh_webrtc_mode_parse ("standin", &mode, NULL));
  g_assert_cmpint (mode, ==, RH_WEBRTC_STANDIN);
  g_assert_cmpstr (rh_webrtc_mode_name (mode), ==, "standin");
  g_assert_true (rh_webrtc_mode_parse ("absent", &mode, NULL));
  g_assert_cmpint (mode, ==, RH_WEBRTC_ABSENT);
  g_assert_cmpstr (rh_webrtc_mode_name (mode), ==, "absent");
  /* The stand-in's former name. */
  g_assert_true (rh_webrtc_mode_parse ("stub", &mode, NULL));
  g_assert_cmpint (mode, ==, RH_WEBRTC_STANDIN);
  g_assert_false (rh_webrtc_mode_parse ("Standin", &mode, &error));
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, "'Standin'"));
  g_assert_cmpint (mode, ==, RH_WEBRTC_STANDIN);
}

/* post ('kind', ...): every message the scripts send goes through post. */
#define POST_PATTERN "\\bpost\\s*\\(\\s*'([^']+)'"

static GPtrArray *posted; /* char *: kinds the scripts post */

/* A kind the scripts post is one the decoder knows. */
static void
test_posted_known (gconstpointer data)
{
  const char *name = data;

  g_assert_cmpint (rh_bridge_kind_lookup (name), !=, RH_BRIDGE_KIND_UNKNOWN);
  g_assert_cmpstr (rh_bridge_kind_name (rh_bridge_kind_lookup (name)), ==, name);
}

/* A kind of the table is one a script posts: no decoder for nothing. */
static void
test_table_posted (gconstpointer data)
{
  RhBridgeKind kind = GPOINTER_TO_UINT (data);
  const char *name = rh_bridge_kind_name (kind);

  g_assert_nonnull (name);
  g_assert_cmpint (rh_bridge_kind_lookup (name), ==, kind);
  g_assert_true (g_ptr_array_find_with_equal_func (posted, name, g_str_equal, NULL));
}

static void
test_unknown (void)
{
  g_autoptr (JsonObject) message = rh_bridge_message_parse ("{\"kind\":\"mine\"}", NULL);

  g_assert_cmpint (rh_bridge_kind_lookup ("mine"), ==, RH_BRIDGE_KIND_UNKNOWN);
  g_assert_cmpint (rh_bridge_kind_lookup (NULL), ==, RH_BRIDGE_KIND_UNKNOWN);
  g_assert_cmpint (rh_bridge_message_get_kind (message), ==, RH_BRIDGE_KIND_UNKNOWN);
  g_assert_null (rh_bridge_kind_name (RH_BRIDGE_KIND_UNKNOWN));
}

int
main (int argc, char **argv)
{
  int status;

  rh_test_init (&argc, &argv);
  posted = bridge_scripts_find (POST_PATTERN);
  for (guint i = 0; i < posted->len; i++)
    {
      const char *name = g_ptr_array_index (posted, i);
      g_autofree char *path = g_strdup_printf ("/bridge/posted/%s", name);

      g_test_add_data_func (path, name, test_posted_known);
    }
  for (guint kind = RH_BRIDGE_KIND_UNKNOWN + 1; kind < RH_BRIDGE_N_KINDS; kind++)
    {
      g_autofree char *path = g_strdup_printf ("/bridge/table/%s", rh_bridge_kind_name (kind));

      g_test_add_data_func (path, GUINT_TO_POINTER (kind), test_table_posted);
    }
  g_test_add_func ("/bridge/unknown", test_unknown);
  for (guint i = 0; i < G_N_ELEMENTS (refused_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bridge/refused/%s", refused_rows[i].name);

      g_test_add_data_func (path, &refused_rows[i], test_refused);
    }
  for (guint i = 0; i < G_N_ELEMENTS (event_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/bridge/is-event/%s", event_rows[i].name);

      g_test_add_data_func (path, &event_rows[i], test_is_event);
    }
  g_test_add_func ("/bridge/not-json", test_not_json);
  g_test_add_func ("/bridge/size", test_size);
  g_test_add_func ("/bridge/depth", test_depth);
  g_test_add_func ("/bridge/strings-not-bounds", test_strings_not_bounds);
  g_test_add_func ("/bridge/get-string", test_get_string);
  g_test_add_func ("/bridge/get-boolean", test_get_boolean);
  g_test_add_func ("/bridge/webrtc-mode", test_webrtc_mode);
  status = g_test_run ();
  g_ptr_array_unref (posted);
  return status;
}
