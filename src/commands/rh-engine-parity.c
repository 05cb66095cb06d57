#include "rh-engine-parity.h"

#include <string.h>

#include "rh-json.h"
#include "rh-text.h"

/* A part of a report in words, the same words for the same behaviour. */
typedef char *(*AspectFunc) (JsonObject *report);

static gboolean
has_time (JsonObject *report, const char *name)
{
  JsonObject *timeline = rh_json_object_member (report, "timeline");
  JsonNode *node = timeline != NULL ? json_object_get_member (timeline, name) : NULL;

  return node != NULL && !JSON_NODE_HOLDS_NULL (node);
}

/* The status only when it is an error: engines differ on a file page's
 * (WPE says 0, Chromium 200). */
static char *
page_loads (JsonObject *report)
{
  gint64 status = json_object_get_int_member_with_default (report, "http_status", 0);

  if (!has_time (report, "committed_ms"))
    return g_strdup ("did not load");
  if (status >= 400)
    return g_strdup_printf ("loaded, HTTP %" G_GINT64_FORMAT, status);
  return g_strdup ("loaded");
}

static char *
launch_called (JsonObject *report)
{
  return g_strdup (has_time (report, "launch_ms") ? "yes" : "no");
}

static int
compare_strings (gconstpointer a, gconstpointer b)
{
  return strcmp (*(const char *const *) a, *(const char *const *) b);
}

/* Sorted, each once, joined with "; "; @none for none. */
static char *
joined_sorted (GPtrArray *items, const char *none)
{
  GString *out = g_string_new (NULL);

  g_ptr_array_sort (items, compare_strings);
  for (guint i = 0; i < items->len; i++)
    if (i == 0 || strcmp (g_ptr_array_index (items, i), g_ptr_array_index (items, i - 1)) != 0)
      g_string_append_printf (out, "%s%s", out->len > 0 ? "; " : "",
                              (const char *) g_ptr_array_index (items, i));
  if (out->len == 0)
    g_string_append (out, none);
  return g_string_free (out, FALSE);
}

/* "GET https://host/path", without the query. */
static char *
api_calls (JsonObject *report)
{
  JsonArray *requests = rh_json_array_member (report, "requests");
  g_autoptr (GPtrArray) calls = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; requests != NULL && i < json_array_get_length (requests); i++)
    {
      JsonObject *request = json_array_get_object_element (requests, i);
      const char *url = json_object_get_string_member_with_default (request, "url", "");

      if (!g_str_has_prefix (url, "http://") && !g_str_has_prefix (url, "https://"))
        continue;
      g_ptr_array_add (calls, g_strdup_printf ("%s %.*s",
                                               json_object_get_string_member_with_default (
                                                   request, "method", "GET"),
                                               (int) strcspn (url, "?#"), url));
    }
  return joined_sorted (calls, "none");
}

/* @text without the query strings of the URLs it quotes: the page's own
 * (its startTime) differs from one run to the next. */
static char *
without_queries (const char *text)
{
  GString *out = g_string_new (NULL);

  for (const char *at = text; *at != '\0'; at++)
    {
      if (*at == '?')
        {
          at += strcspn (at, " :)");
          if (*at == '\0')
            break;
        }
      g_string_append_c (out, *at);
    }
  return g_string_free (out, FALSE);
}

static char *
uncaught_errors (JsonObject *report)
{
  JsonArray *problems = rh_json_array_member (report, "problems");
  g_autoptr (GPtrArray) errors = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; problems != NULL && i < json_array_get_length (problems); i++)
    {
      JsonObject *problem = json_array_get_object_element (problems, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (problem, "code", NULL),
                     "js-error")
          == 0)
        g_ptr_array_add (errors, without_queries (json_object_get_string_member_with_default (
                                     problem, "message", "")));
    }
  return joined_sorted (errors, "none");
}

/* In the order they came. */
static char *
listener_events (JsonObject *report)
{
  JsonArray *events = rh_json_array_member (report, "events");
  GString *out = g_string_new (NULL);

  for (guint i = 0; events != NULL && i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (event, "type", NULL),
                     "listener-event")
          == 0)
        g_string_append_printf (out, "%s%s", out->len > 0 ? "; " : "",
                                json_object_get_string_member_with_default (event, "text", ""));
    }
  if (out->len == 0)
    g_string_append (out, "none");
  return g_string_free (out, FALSE);
}

static char *
ready (JsonObject *report)
{
  if (has_time (report, "ready_ack_ms"))
    return g_strdup ("ready, acknowledged");
  return g_strdup (has_time (report, "ready_event_ms") ? "ready, not acknowledged" : "no");
}

static char *
first_paint (JsonObject *report)
{
  return g_strdup (has_time (report, "first_nonblank_ms") ? "yes" : "no");
}

static const struct
{
  const char *name;
  AspectFunc func;
} aspects[] = {
  { "page loads", page_loads },
  { "AgoraEduSDK.launch called", launch_called },
  { "SDK API calls", api_calls },
  { "uncaught errors", uncaught_errors },
  { "listener events", listener_events },
  { "ready", ready },
  { "first paint", first_paint },
};

/* A page that reached for, or was broken by, a feature its engine lacks. */
static gboolean
missing_feature (JsonObject *report)
{
  JsonArray *problems = rh_json_array_member (report, "problems");

  for (guint i = 0; problems != NULL && i < json_array_get_length (problems); i++)
    if (g_strcmp0 (json_object_get_string_member_with_default (
                       json_array_get_object_element (problems, i), "code", NULL),
                   "engine-missing-feature")
        == 0)
      return TRUE;
  return FALSE;
}

JsonObject *
rh_engine_parity_compare (JsonObject *wpe, JsonObject *chromium)
{
  JsonObject *parity = json_object_new ();
  JsonArray *list = json_array_new ();
  const char *cause = missing_feature (wpe) || missing_feature (chromium) ? "engine"
                                                                           : "not the engine";
  gboolean same = TRUE;

  for (guint i = 0; i < G_N_ELEMENTS (aspects); i++)
    {
      g_autofree char *in_wpe = aspects[i].func (wpe);
      g_autofree char *in_chromium = aspects[i].func (chromium);
      JsonObject *aspect = json_object_new ();
      gboolean equal = g_str_equal (in_wpe, in_chromium);

      json_object_set_string_member (aspect, "aspect", aspects[i].name);
      json_object_set_string_member (aspect, "wpe", in_wpe);
      json_object_set_string_member (aspect, "chromium", in_chromium);
      json_object_set_boolean_member (aspect, "same", equal);
      if (equal)
        json_object_set_null_member (aspect, "cause");
      else
        json_object_set_string_member (aspect, "cause", cause);
      json_array_add_object_element (list, aspect);
      same &= equal;
    }
  json_object_set_boolean_member (parity, "same", same);
  json_object_set_boolean_member (
      parity, "verdicts_differ",
      g_strcmp0 (json_object_get_string_member_with_default (wpe, "verdict", NULL),
                 json_object_get_string_member_with_default (chromium, "verdict", NULL))
          != 0);
  json_object_set_array_member (parity, "aspects", list);
  return parity;
}

/* A line an aspect: "  ready   WPE: no | Chromium: ready, acknowledged (engine)". */
char *
rh_engine_parity_format (JsonObject *parity)
{
  GString *out = g_string_new ("engines compared (WPE WebKit | Chromium):\n");
  JsonArray *list = json_object_get_array_member (parity, "aspects");

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *aspect = json_array_get_object_element (list, i);
      g_autofree char *wpe = rh_text_printable (json_object_get_string_member (aspect, "wpe"));
      g_autofree char *chromium
          = rh_text_printable (json_object_get_string_member (aspect, "chromium"));

      if (json_object_get_boolean_member (aspect, "same"))
        g_string_append_printf (out, "  %-27s same: %s\n",
                                json_object_get_string_member (aspect, "aspect"), wpe);
      else
        g_string_append_printf (out, "  %-27s DIFFERS (%s): %s | %s\n",
                                json_object_get_string_member (aspect, "aspect"),
                                json_object_get_string_member (aspect, "cause"), wpe, chromium);
    }
  return g_string_free (out, FALSE);
}
