#include "rh-json.h"

#include <gio/gio.h>
#include <string.h>

/* The deepest nesting of arrays and objects in @data, strings skipped;
 * stops counting past @limit.  json-glib's scanner reads more than JSON:
 * comments (slash-star ones, and from one slash to the next; versions
 * disagree on where they end) and single-quoted strings.  A double quote
 * inside them opens no string for the parser but would for this count,
 * hiding the brackets after it.  JSON has neither: a '/' or a '\'' outside
 * a string makes the depth G_MAXUINT, deeper than any limit. */
guint
rh_json_nesting_depth (const char *data, gsize length, guint limit)
{
  guint depth = 0;
  guint deepest = 0;
  gboolean in_string = FALSE;

  for (gsize i = 0; i < length && deepest <= limit; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (c == '\\')
            i++;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '/' || c == '\'')
        return G_MAXUINT;
      else if (c == '[' || c == '{')
        {
          depth++;
          deepest = MAX (deepest, depth);
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return deepest;
}

gboolean
rh_json_parser_load (JsonParser *parser, const char *data, gssize length, gsize max_bytes,
                     guint max_depth, GError **error)
{
  gsize size = length < 0 ? strlen (data) : (gsize) length;
  guint depth;

  if (size > max_bytes)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "JSON over %" G_GSIZE_FORMAT
                   " bytes", max_bytes);
      return FALSE;
    }
  depth = rh_json_nesting_depth (data, size, max_depth);
  if (depth == G_MAXUINT)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           "not JSON: a comment or a single-quoted string");
      return FALSE;
    }
  if (depth > max_depth)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA, "JSON nested deeper than %u",
                   max_depth);
      return FALSE;
    }
  return json_parser_load_from_data (parser, data, size, error);
}

/* json-glib writes a double as g_ascii_dtostr () does, then ".0" when that
 * has no point: 1e+21 becomes 1e+21.0 and infinity inf.0, neither of them
 * JSON.  Such a number is written 1e+21, and one that is not finite null,
 * as JSON.stringify () does.  @p is a word outside strings: a number, true,
 * false or null; returns where it ends. */
static const char *
append_word (GString *out, const char *p)
{
  gsize length = 0;
  const char *exponent;

  while (g_ascii_isalnum (p[length]) || p[length] == '-' || p[length] == '+'
         || p[length] == '.')
    length++;
  exponent = memchr (p, 'e', length);
  if (g_strstr_len (p, length, "inf") != NULL || g_strstr_len (p, length, "nan") != NULL)
    g_string_append (out, "null");
  else if (exponent != NULL && length > 2 && memchr (p, '.', exponent - p) == NULL
           && p[length - 2] == '.' && p[length - 1] == '0')
    g_string_append_len (out, p, length - 2);
  else
    g_string_append_len (out, p, length);
  return p + length;
}

char *
rh_json_to_string (JsonNode *node, gboolean pretty)
{
  g_autofree char *raw = json_to_string (node, pretty);
  g_autofree char *valid = g_utf8_make_valid (raw, -1);
  GString *out = g_string_sized_new (strlen (valid) + 16);
  gboolean in_string = FALSE;

  /* json-glib writes newlines (pretty) only between members and escapes
   * \n, \r, \t, \b and \f in strings: any other byte below 0x20 is raw in a
   * string. */
  for (const char *p = valid; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (in_string && c == '\\' && p[1] != '\0')
        {
          g_string_append_c (out, *p++);
          g_string_append_c (out, *p);
        }
      else if (c < 0x20 && c != '\n')
        g_string_append_printf (out, "\\u%04x", c);
      else if (!in_string && (g_ascii_isalnum (c) || c == '-'))
        p = append_word (out, p) - 1;
      else
        {
          if (c == '"')
            in_string = !in_string;
          g_string_append_c (out, (char) c);
        }
    }
  return g_string_free (out, FALSE);
}

/* The value of the \uXXXX escape at @at, or -1. */
static int
escape_value (const char *data, gsize length, gsize at)
{
  int value = 0;

  if (at + 6 > length || data[at] != '\\' || data[at + 1] != 'u')
    return -1;
  for (guint i = 2; i < 6; i++)
    {
      int digit = g_ascii_xdigit_value (data[at + i]);

      if (digit < 0)
        return -1;
      value = value * 16 + digit;
    }
  return value;
}

char *
rh_json_repair (const char *data, gsize length)
{
  g_autofree char *valid = NULL;
  g_autoptr (GString) out = NULL;
  gsize copied = 0; /* of @data, into @out */
  gsize at = 0;

  if (!g_utf8_validate_len (data, length, NULL))
    {
      valid = g_utf8_make_valid (data, length);
      data = valid;
      length = strlen (valid);
    }
  while (at + 1 < length)
    {
      int value;
      gsize next;

      if (data[at] != '\\')
        {
          at++;
          continue;
        }
      value = escape_value (data, length, at);
      /* Any other escape, \\ among them, is two characters. */
      if (value < 0xD800 || value > 0xDFFF)
        {
          at += value < 0 ? 2 : 6;
          continue;
        }
      next = escape_value (data, length, at + 6);
      if (value <= 0xDBFF && next >= 0xDC00 && next <= 0xDFFF)
        {
          at += 12;
          continue;
        }
      if (out == NULL)
        out = g_string_sized_new (length);
      g_string_append_len (out, data + copied, at - copied);
      g_string_append (out, "\\ufffd");
      at += 6;
      copied = at;
    }
  if (out == NULL)
    return g_steal_pointer (&valid);
  g_string_append_len (out, data + copied, length - copied);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

JsonObject *
rh_json_object_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
}

JsonArray *
rh_json_array_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  return node != NULL && JSON_NODE_HOLDS_ARRAY (node) ? json_node_get_array (node) : NULL;
}

const char *
rh_json_string_member (JsonObject *object, const char *name)
{
  JsonNode *node = object != NULL ? json_object_get_member (object, name) : NULL;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node)
      || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;
  return json_node_get_string (node);
}
