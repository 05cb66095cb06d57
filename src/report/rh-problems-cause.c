/* A failure in one line a person reads at a glance: its decisive fact,
 * files by their name. */
#include "rh-problems-private.h"

#include <string.h>

#include "rh-error.h"

/* A URL as a person reads it in one line: a file's name, or a server's
 * host and the last part of the path. */
static char *
short_url (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *path;
  const char *name;

  if (uri == NULL)
    return g_strdup (url);
  path = g_uri_get_path (uri);
  name = strrchr (path, '/');
  name = name != NULL ? name + 1 : path;
  if (g_uri_get_host (uri) == NULL || *g_uri_get_host (uri) == '\0')
    return g_strdup (*name != '\0' ? name : url);
  if (*name == '\0')
    return g_strdup (g_uri_get_host (uri));
  return g_strdup_printf ("%s%s%s", g_uri_get_host (uri), name == path + 1 ? "/" : "/.../",
                          name);
}

/* @text with every URL in it (up to a space) as short_url () writes it; a
 * ":LINE" after one stays. */
static char *
shorten_urls (const char *text)
{
  GString *out = g_string_new (NULL);
  const char *p = text;
  const char *mark;

  while ((mark = strstr (p, "://")) != NULL)
    {
      const char *start = mark;
      const char *end = mark + 3;
      const char *tail;
      g_autofree char *url = NULL;
      g_autofree char *shown = NULL;

      while (start > p && (g_ascii_isalnum (start[-1]) || start[-1] == '+' || start[-1] == '-'))
        start--;
      while (*end != '\0' && !g_ascii_isspace (*end))
        end++;
      /* What ends a URL in a sentence: punctuation, then a ":LINE". */
      tail = end;
      while (tail > mark + 3 && strchr (":;,)", tail[-1]) != NULL)
        tail--;
      for (const char *q = tail; q - 1 > mark + 3 && g_ascii_isdigit (q[-1]); q--)
        if (q[-2] == ':')
          {
            tail = q - 2;
            break;
          }
      if (start == mark)
        {
          g_string_append_len (out, p, mark + 3 - p);
          p = mark + 3;
          continue;
        }
      g_string_append_len (out, p, start - p);
      url = g_strndup (start, tail - start);
      shown = short_url (url);
      g_string_append (out, shown);
      g_string_append_len (out, tail, end - tail);
      p = end;
    }
  g_string_append (out, p);
  return g_string_free (out, FALSE);
}

/* "SyntaxError: ... (page.html:12)". */
static void
append_js_error (GString *out, const RhJsError *error)
{
  g_autofree char *message = shorten_urls (error->message);
  g_autofree char *source = error->source != NULL ? short_url (error->source) : NULL;

  g_string_append (out, message);
  if (source != NULL && error->line > 0)
    g_string_append_printf (out, " (%s:%u)", source, error->line);
  else if (source != NULL)
    g_string_append_printf (out, " (%s)", source);
}

/* The error @request got, as the transport said it when the resource list
 * knows it (the page only sees "Load failed"). */
static const char *
transport_error (const RhPageOutcome *outcome, const RhRequest *request)
{
  const char *target = rh_request_target (request);

  for (guint i = 0; i < outcome->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (outcome->resources, RhResource, i);

      if (resource->error != NULL && resource->status == 0 && g_str_equal (resource->uri, target))
        return resource->error;
    }
  return request->error;
}

/* "the RTM login: ap-web-1.agora.io not resolved (offline?)": the first
 * host the SDK needs for a step and could not reach, steps that cannot
 * work offline first.  FALSE when there is none. */
static gboolean
append_unreached (GString *out, const RhPageOutcome *outcome)
{
  const RhRequest *found = NULL;
  const char *found_step = NULL;
  gboolean found_impossible = FALSE;
  g_autofree char *host = NULL;
  const char *error;
  const char *words;

  for (guint i = 0; i < outcome->requests->len; i++)
    {
      const RhRequest *request = g_ptr_array_index (outcome->requests, i);
      g_autofree char *request_host = NULL;
      gboolean impossible = FALSE;
      const char *step;

      if (!rh_request_is_failed (request) || request->routed_to != NULL)
        continue;
      request_host = _rh_problems_host_of (request->url);
      step = rh_request_sdk_step (request_host, &impossible);
      /* Logs, statistics and downloads do not keep an SDK from its ready. */
      if (!impossible && g_strcmp0 (step, "its classroom API") != 0)
        continue;
      if (found == NULL || (impossible && !found_impossible))
        {
          found = request;
          found_step = step;
          found_impossible = impossible;
        }
    }
  if (found == NULL)
    return FALSE;
  host = _rh_problems_host_of (found->url);
  error = transport_error (outcome, found);
  words = error != NULL ? rh_request_error_in_words (error) : NULL;
  if (g_str_has_prefix (found_step, "its "))
    g_string_append_printf (out, "the %s: ", found_step + strlen ("its "));
  else
    g_string_append_printf (out, "%s: ", found_step);
  if (words == NULL)
    g_string_append_printf (out, "%s answered HTTP %u", host, found->status);
  else if (g_str_equal (words, "name not resolved"))
    g_string_append_printf (out, "%s not resolved (offline?)", host);
  else
    g_string_append_printf (out, "%s: %s", host, words);
  return TRUE;
}

/* The first of the page's scripts that did not load, NULL if none. */
static const RhResource *
failed_script (const RhPageOutcome *outcome)
{
  for (guint i = 1; i < outcome->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (outcome->resources, RhResource, i);

      if (resource->failed && rh_resource_uri_is_script (resource->uri)
          && !g_ptr_array_find_with_equal_func (outcome->workers, resource->uri, g_str_equal,
                                                NULL))
        return resource;
    }
  return NULL;
}

/* What became of @script, as the loads of its URL say it best: the
 * element's error event says less than a status or the transport's error. */
static char *
script_failure (const RhPageOutcome *outcome, const RhResource *script)
{
  const char *error = NULL;

  for (guint i = 1; i < outcome->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (outcome->resources, RhResource, i);

      if (!g_str_equal (resource->uri, script->uri))
        continue;
      if (resource->status >= 400)
        return g_strdup_printf ("HTTP %u", resource->status);
      if (resource->error != NULL && (error == NULL || *error == '<'))
        error = resource->error;
    }
  return g_strdup (error != NULL ? error : "no answer");
}

/* Why a page that never got ready did not: what launch threw, the error
 * that kept the page from calling it, the step the SDK could not take, or
 * what it was still waiting for. */
static void
append_not_ready (GString *out, const RhPageOutcome *outcome, const GError *failure,
                  const RhProblemRules *rules)
{
  const char *rest;

  if (outcome->launch.threw.message != NULL)
    {
      g_string_append (out, "AgoraEduSDK.launch threw ");
      append_js_error (out, &outcome->launch.threw);
      return;
    }
  if (rules->launch_expected && !outcome->launched)
    {
      const RhResource *script = failed_script (outcome);

      /* A script that did not load explains the errors that follow it. */
      if (script != NULL)
        {
          g_autofree char *name = short_url (script->uri);
          g_autofree char *why = script_failure (outcome, script);

          g_string_append_printf (out, "AgoraEduSDK.launch never called: %s did not load (%s)",
                                  name, why);
          return;
        }
      if (outcome->first_error.message != NULL)
        {
          g_string_append (out, "AgoraEduSDK.launch never called: ");
          append_js_error (out, &outcome->first_error);
          return;
        }
    }
  /* A deadline's failure says how long it waited; the launch grace's does
   * not, and says the rest well. */
  if (!g_str_has_prefix (failure->message, "not ready within "))
    {
      rest = strstr (failure->message, "; ");
      g_string_append_len (out, failure->message,
                           rest != NULL ? rest - failure->message : (gssize) -1);
      return;
    }
  g_string_append_printf (out, "not ready within %u s: still waiting for ", rules->timeout_s);
  if (append_unreached (out, outcome))
    return;
  g_string_append (out, outcome->waiting_for);
  if (outcome->first_error.message != NULL)
    {
      g_string_append (out, "; uncaught ");
      append_js_error (out, &outcome->first_error);
    }
}

/* The command's failure in one line a person reads at a glance, at most
 * RH_PROBLEMS_CAUSE_MAX characters, naming the decisive fact; the details
 * are the problems'.  NULL when nothing failed. */
char *
rh_problems_cause (const RhPageOutcome *outcome, const GError *failure,
                   const RhProblemRules *rules)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autofree char *shown = NULL;
  const char *suffix = "";
  const char *end;

  if (failure == NULL)
    return NULL;
  if (g_error_matches (failure, RH_ERROR, RH_ERROR_NOT_READY))
    append_not_ready (text, outcome, failure, rules);
  else
    g_string_append (text, failure->message);
  shown = shorten_urls (text->str);
  if (g_utf8_strlen (shown, -1) <= RH_PROBLEMS_CAUSE_MAX)
    return g_steal_pointer (&shown);
  /* Cut short, but what made a warning fail stays said. */
  if (g_str_has_suffix (shown, RH_PROBLEMS_FAIL_ON_MARK))
    {
      shown[strlen (shown) - strlen (RH_PROBLEMS_FAIL_ON_MARK)] = '\0';
      suffix = RH_PROBLEMS_FAIL_ON_MARK;
    }
  end = g_utf8_offset_to_pointer (shown, RH_PROBLEMS_CAUSE_MAX - 1 - strlen (suffix));
  return g_strdup_printf ("%.*s…%s", (int) (end - shown), shown, suffix);
}
