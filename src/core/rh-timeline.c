#include "rh-timeline.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-text.h"

#define REDACTED "[REDACTED]"

typedef struct
{
  gint64 ms;
  char *type;
  char *text;
  JsonNode *detail;
} Entry;

struct _RhTimeline
{
  gint64 start_us;
  gboolean echo;
  char *label; /* before each echoed line, or NULL */
  GArray *entries;
  GPtrArray *secrets; /* each secret and its base64 forms */
  gboolean starts[256]; /* the bytes a secret's spelling may start with */
};

static void
entry_clear (Entry *entry)
{
  g_free (entry->type);
  g_free (entry->text);
  g_clear_pointer (&entry->detail, json_node_unref);
}

RhTimeline *
rh_timeline_new (void)
{
  RhTimeline *timeline = g_new0 (RhTimeline, 1);

  timeline->start_us = g_get_monotonic_time ();
  timeline->entries = g_array_new (FALSE, TRUE, sizeof (Entry));
  g_array_set_clear_func (timeline->entries, (GDestroyNotify) entry_clear);
  timeline->secrets = g_ptr_array_new_with_free_func (g_free);
  return timeline;
}

void
rh_timeline_free (RhTimeline *timeline)
{
  if (timeline == NULL)
    return;
  g_array_unref (timeline->entries);
  g_ptr_array_unref (timeline->secrets);
  g_free (timeline->label);
  g_free (timeline);
}

void
rh_timeline_set_echo (RhTimeline *timeline, gboolean echo)
{
  timeline->echo = echo;
}

/* Echoed lines of timelines that run side by side say whose they are. */
void
rh_timeline_set_label (RhTimeline *timeline, const char *label)
{
  g_free (timeline->label);
  timeline->label = g_strdup (label);
}

/* NULL when none was set. */
const char *
rh_timeline_get_label (RhTimeline *timeline)
{
  return timeline->label;
}

void
rh_timeline_start (RhTimeline *timeline)
{
  timeline->start_us = g_get_monotonic_time ();
}

gint64
rh_timeline_ms_since_start (RhTimeline *timeline, gint64 monotonic_us)
{
  return (monotonic_us - timeline->start_us) / 1000;
}

gint64
rh_timeline_now_ms (RhTimeline *timeline)
{
  return rh_timeline_ms_since_start (timeline, g_get_monotonic_time ());
}

/* Secrets are looked for as written by whoever writes them: each byte as
 * itself or %XX in either case, a space as + (form encoding), and any
 * character as a JSON escape (\", \\, \/, \n, \u00e9, surrogate pairs)
 * whose bytes may be percent-encoded in turn (JSON in a query); a backslash,
 * the secret's own or an escape's, may be the / a URL's path turns it into.
 * So every mix of these forms is found, not just those a list would hold. */

/* One byte of @text at @at: %XX decoded, or the byte itself.  Returns how
 * many bytes of @text it took, 0 at the end. */
static gsize
read_unit (const char *text, gsize length, gsize at, guchar *byte)
{
  if (at >= length)
    return 0;
  if (text[at] == '%' && length - at >= 3 && g_ascii_isxdigit (text[at + 1])
      && g_ascii_isxdigit (text[at + 2]))
    {
      *byte = (guchar) (g_ascii_xdigit_value (text[at + 1]) << 4
                        | g_ascii_xdigit_value (text[at + 2]));
      return 3;
    }
  *byte = (guchar) text[at];
  return 1;
}

/* A backslash, as itself, %5C, or the / a URL's path turns it into. */
static gboolean
is_backslash (guchar byte, gsize taken)
{
  return byte == '\\' || (byte == '/' && taken == 1);
}

/* \uXXXX at @at, each byte maybe percent-encoded: its value in *@value,
 * the bytes taken, 0 if there is none. */
static gsize
read_u_escape (const char *text, gsize length, gsize at, gunichar *value)
{
  gsize taken = 0;

  *value = 0;
  for (guint i = 0; i < 6; i++)
    {
      guchar byte;
      gsize n = read_unit (text, length, at + taken, &byte);

      if (n == 0 || (i == 0 && !is_backslash (byte, n)) || (i == 1 && byte != 'u')
          || (i >= 2 && !g_ascii_isxdigit (byte)))
        return 0;
      if (i >= 2)
        *value = *value << 4 | (gunichar) g_ascii_xdigit_value (byte);
      taken += n;
    }
  return taken;
}

/* How many bytes a JSON escape at @at takes if it spells @wanted, else 0. */
static gsize
read_json_escape (const char *text, gsize length, gsize at, gunichar wanted)
{
  static const char simple[] = "\"\"\\\\//b\bf\fn\nr\rt\t";
  gunichar c, low;
  guchar byte;
  gsize n = read_unit (text, length, at, &byte);
  gsize m, k;

  if (n == 0 || !is_backslash (byte, n))
    return 0;
  m = read_unit (text, length, at + n, &byte);
  if (m > 0 && wanted == '\\' && is_backslash (byte, m))
    return n + m;
  for (guint i = 0; m > 0 && simple[i] != '\0'; i += 2)
    if (byte == (guchar) simple[i])
      return wanted == (guchar) simple[i + 1] ? n + m : 0;
  n = read_u_escape (text, length, at, &c);
  if (n == 0 || c < 0xd800 || c >= 0xdc00)
    return c == wanted ? n : 0;
  /* A high surrogate counts with the low one after it. */
  k = read_u_escape (text, length, at + n, &low);
  if (k == 0 || low < 0xdc00 || low >= 0xe000)
    return 0;
  return 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00) == wanted ? n + k : 0;
}

/* How many bytes of @text from @at spell @secret, 0 if they do not.  When
 * a \, / or % of @text could be the secret's own byte or start an escape,
 * @escapes_first says which to try first: callers try both. */
static gsize
match_secret (const char *text, gsize length, gsize at, const char *secret,
              gboolean escapes_first)
{
  gsize secret_length = strlen (secret);
  gsize p = at;
  gsize i = 0;

  while (i < secret_length)
    {
      guchar expected = (guchar) secret[i];
      guchar here;
      gboolean literal, escape;

      if (p >= length)
        return 0;
      here = (guchar) text[p];
      literal = here == expected || (expected == ' ' && here == '+')
                || (expected == '\\' && here == '/');
      escape = here == '\\' || here == '%' || here == '/';
      if (escape && (escapes_first || !literal))
        {
          gunichar wanted = g_utf8_get_char_validated (secret + i, secret_length - i);
          guchar byte;
          gsize n = read_json_escape (text, length, p, wanted);

          if (n > 0)
            {
              p += n;
              i += g_unichar_to_utf8 (wanted, NULL);
              continue;
            }
          n = read_unit (text, length, p, &byte);
          if (n == 3 && byte == expected)
            {
              p += n;
              i++;
              continue;
            }
        }
      if (!literal)
        return 0;
      p++;
      i++;
    }
  return p - at;
}

/* Whether @secret can start at @here: as itself, or as an escape. */
static gboolean
may_start (const char *secret, guchar here)
{
  return here == (guchar) secret[0] || here == '%' || here == '\\' || here == '/'
         || (secret[0] == ' ' && here == '+');
}

static void
add_spelling (RhTimeline *timeline, const char *secret)
{
  if (g_ptr_array_find_with_equal_func (timeline->secrets, secret, g_str_equal, NULL))
    return;
  g_ptr_array_add (timeline->secrets, g_strdup (secret));
  for (guint byte = 0; byte < G_N_ELEMENTS (timeline->starts); byte++)
    timeline->starts[byte] |= may_start (secret, (guchar) byte);
}

/* Base64 only says which secret it holds past a few characters. */
#define MIN_BASE64_FORM 8

static void
add_form (RhTimeline *timeline, const char *form, gsize length)
{
  g_autofree char *copy = g_strndup (form, length);

  if (length >= MIN_BASE64_FORM)
    add_spelling (timeline, copy);
}

/* The base64 of @secret, in the standard and the URL-safe alphabets: alone,
 * with and without padding; and, for base64 of more data ("user:secret",
 * "secret:more"), the characters that depend on the secret alone, at each
 * of the three offsets it can start at. */
static void
add_base64_forms (RhTimeline *timeline, const char *secret)
{
  gsize length = strlen (secret);

  for (gsize offset = 0; offset < 3; offset++)
    {
      g_autofree guchar *data = g_malloc0 (offset + length);
      g_autofree char *encoded = NULL;
      gsize bare, skip, end;

      memcpy (data + offset, secret, length);
      encoded = g_base64_encode (data, offset + length);
      bare = strcspn (encoded, "=");
      /* The first characters mix in the bytes before the secret; the last
       * one of a partial group, the bytes after it. */
      skip = offset == 0 ? 0 : offset + 1;
      end = (offset + length) % 3 == 0 ? bare : bare - 1;
      for (guint alphabet = 0; alphabet < 2; alphabet++)
        {
          if (alphabet == 1)
            g_strdelimit (g_strdelimit (encoded, "+", '-'), "/", '_');
          if (skip < end)
            add_form (timeline, encoded + skip, end - skip);
          if (offset == 0)
            {
              add_form (timeline, encoded, strlen (encoded));
              add_form (timeline, encoded, bare);
            }
        }
    }
}

/* @secret never appears in output, in any form the code above can read. */
void
rh_timeline_add_secret (RhTimeline *timeline, const char *secret)
{
  if (secret == NULL || *secret == '\0')
    return;
  add_spelling (timeline, secret);
  add_base64_forms (timeline, secret);
}

char *
rh_timeline_redact (RhTimeline *timeline, const char *text)
{
  GString *out;
  gsize length;
  gsize p = 0;

  if (text == NULL)
    return NULL;
  if (timeline->secrets->len == 0)
    return g_strdup (text);
  length = strlen (text);
  out = g_string_sized_new (length);
  while (p < length)
    {
      guchar here = (guchar) text[p];
      gsize longest = 0;
      gsize plain = p;

      while (plain < length && !timeline->starts[(guchar) text[plain]])
        plain++;
      if (plain > p)
        {
          g_string_append_len (out, text + p, plain - p);
          p = plain;
          continue;
        }
      for (guint i = 0; i < timeline->secrets->len; i++)
        {
          const char *secret = g_ptr_array_index (timeline->secrets, i);

          if (!may_start (secret, here))
            continue;
          longest = MAX (longest, match_secret (text, length, p, secret, TRUE));
          /* The other order differs only for a secret with \, % or /. */
          if (strpbrk (secret, "\\%/") != NULL)
            longest = MAX (longest, match_secret (text, length, p, secret, FALSE));
        }
      if (longest > 0)
        {
          g_string_append (out, REDACTED);
          p += longest;
        }
      else
        g_string_append_c (out, text[p++]);
    }
  return g_string_free (out, FALSE);
}

/* A deep copy of @node with every string and member name redacted. */
JsonNode *
rh_timeline_redact_json (RhTimeline *timeline, JsonNode *node)
{
  if (JSON_NODE_HOLDS_OBJECT (node))
    {
      g_autoptr (JsonObject) clean = json_object_new ();
      JsonObjectIter iter;
      const char *name;
      JsonNode *member;

      json_object_iter_init_ordered (&iter, json_node_get_object (node));
      while (json_object_iter_next_ordered (&iter, &name, &member))
        {
          g_autofree char *clean_name = rh_timeline_redact (timeline, name);

          json_object_set_member (clean, clean_name, rh_timeline_redact_json (timeline, member));
        }
      return json_node_init_object (json_node_alloc (), clean);
    }
  if (JSON_NODE_HOLDS_ARRAY (node))
    {
      JsonArray *array = json_node_get_array (node);
      g_autoptr (JsonArray) clean = json_array_sized_new (json_array_get_length (array));

      for (guint i = 0; i < json_array_get_length (array); i++)
        json_array_add_element (clean,
                                rh_timeline_redact_json (timeline,
                                                         json_array_get_element (array, i)));
      return json_node_init_array (json_node_alloc (), clean);
    }
  if (JSON_NODE_HOLDS_VALUE (node) && json_node_get_value_type (node) == G_TYPE_STRING)
    {
      g_autofree char *clean = rh_timeline_redact (timeline, json_node_get_string (node));

      return json_node_init_string (json_node_alloc (), clean);
    }
  return json_node_copy (node);
}

void
rh_timeline_add (RhTimeline *timeline, const char *type, JsonNode *detail, const char *format,
                 ...)
{
  va_list args;

  va_start (args, format);
  rh_timeline_addv (timeline, type, detail, format, args);
  va_end (args);
}

static void add_entry (RhTimeline *timeline, gboolean echo, const char *type, JsonNode *detail,
                       const char *format, va_list args) G_GNUC_PRINTF (5, 0);

void
rh_timeline_addv (RhTimeline *timeline, const char *type, JsonNode *detail, const char *format,
                  va_list args)
{
  add_entry (timeline, timeline->echo, type, detail, format, args);
}

void
rh_timeline_add_unechoed (RhTimeline *timeline, const char *type, JsonNode *detail,
                          const char *format, ...)
{
  va_list args;

  va_start (args, format);
  add_entry (timeline, FALSE, type, detail, format, args);
  va_end (args);
}

static void
add_entry (RhTimeline *timeline, gboolean echo, const char *type, JsonNode *detail,
           const char *format, va_list args)
{
  Entry entry = { 0 };
  g_autofree char *raw = g_strdup_vprintf (format, args);

  entry.ms = rh_timeline_now_ms (timeline);
  /* The type too: a page's message of a kind the bridge does not know
   * gives its kind as the type. */
  entry.type = rh_timeline_redact (timeline, type);
  entry.text = rh_timeline_redact (timeline, raw);
  if (detail != NULL)
    {
      entry.detail = rh_timeline_redact_json (timeline, detail);
      json_node_unref (detail);
    }
  g_array_append_val (timeline->entries, entry);

  if (echo)
    {
      g_autofree char *printable = rh_text_printable (entry.text);

      /* One event, one line, whatever the page wrote. */
      g_message ("[%6" G_GINT64_FORMAT " ms] %s%s%s", entry.ms,
                 timeline->label != NULL ? timeline->label : "",
                 timeline->label != NULL ? " " : "", printable);
    }
}

guint
rh_timeline_count (RhTimeline *timeline, const char *type)
{
  guint count = 0;

  for (guint i = 0; i < timeline->entries->len; i++)
    if (g_str_equal (g_array_index (timeline->entries, Entry, i).type, type))
      count++;
  return count;
}

JsonNode *
rh_timeline_to_json (RhTimeline *timeline)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();

  json_builder_begin_array (builder);
  for (guint i = 0; i < timeline->entries->len; i++)
    {
      Entry *entry = &g_array_index (timeline->entries, Entry, i);

      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "ms");
      json_builder_add_int_value (builder, entry->ms);
      json_builder_set_member_name (builder, "type");
      json_builder_add_string_value (builder, entry->type);
      json_builder_set_member_name (builder, "text");
      json_builder_add_string_value (builder, entry->text);
      if (entry->detail != NULL)
        {
          json_builder_set_member_name (builder, "detail");
          json_builder_add_value (builder, json_node_copy (entry->detail));
        }
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  return json_builder_get_root (builder);
}
