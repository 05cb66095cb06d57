#include "rh-timeline.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-json.h"

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
  GArray *entries;
  GPtrArray *secrets; /* each secret and its percent-encoded form */
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
  g_free (timeline);
}

void
rh_timeline_set_echo (RhTimeline *timeline, gboolean echo)
{
  timeline->echo = echo;
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

void
rh_timeline_add_secret (RhTimeline *timeline, const char *secret)
{
  g_autofree char *escaped = NULL;

  if (secret == NULL || *secret == '\0')
    return;
  g_ptr_array_add (timeline->secrets, g_strdup (secret));
  escaped = g_uri_escape_string (secret, NULL, FALSE);
  if (!g_str_equal (escaped, secret))
    g_ptr_array_add (timeline->secrets, g_steal_pointer (&escaped));
}

char *
rh_timeline_redact (RhTimeline *timeline, const char *text)
{
  g_autoptr (GString) out = NULL;

  if (text == NULL)
    return NULL;
  out = g_string_new (text);
  for (guint i = 0; i < timeline->secrets->len; i++)
    g_string_replace (out, g_ptr_array_index (timeline->secrets, i), REDACTED, 0);
  return g_string_free (g_steal_pointer (&out), FALSE);
}

/* A redacted deep copy of @node: the text form is redacted and read back,
 * so nothing shared with the caller is touched.  Written as JSON others
 * read: json-glib's own text of 1e21 (1e+21.0) does not read back. */
static JsonNode *
redacted_copy (RhTimeline *timeline, JsonNode *node)
{
  g_autofree char *text = rh_json_to_string (node, FALSE);
  g_autofree char *clean = rh_timeline_redact (timeline, text);
  g_autoptr (JsonParser) parser = json_parser_new ();

  if (!json_parser_load_from_data (parser, clean, -1, NULL) || json_parser_get_root (parser) == NULL)
    return NULL;
  return json_node_copy (json_parser_get_root (parser));
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

void
rh_timeline_addv (RhTimeline *timeline, const char *type, JsonNode *detail, const char *format,
                  va_list args)
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
      entry.detail = redacted_copy (timeline, detail);
      json_node_unref (detail);
    }
  g_array_append_val (timeline->entries, entry);

  if (timeline->echo)
    g_printerr ("[%6" G_GINT64_FORMAT " ms] %s\n", entry.ms, entry.text);
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
