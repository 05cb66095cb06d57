/* The problems of failed resources: one a group of failures alike, and
 * what our own stand-in for the page's API did not answer. */
#include "rh-problems-private.h"

/* The page's request that a route sent to @uri, NULL if none did. */
static const RhRequest *
routed_request (const GPtrArray *requests, const char *uri)
{
  for (guint i = 0; requests != NULL && i < requests->len; i++)
    {
      const RhRequest *request = g_ptr_array_index (requests, i);

      if (request->routed_to != NULL && g_str_equal (request->routed_to, uri))
        return request;
    }
  return NULL;
}

/* "PUT .../users/{user}": the call's method and the end of its path, the
 * ids in it as names, so that one call is named alike in every room. */
static char *
describe_call (const RhRequest *request)
{
  static const char *const id_names[][2] = {
    { "users", "{user}" }, { "rooms", "{room}" }, { "apps", "{appId}" },
  };
  g_autofree char *path = _rh_problems_path_of (request->url);
  g_auto (GStrv) segments = g_strsplit (path, "/", -1);
  guint n = g_strv_length (segments);

  for (guint i = 1; i < n; i++)
    for (guint j = 0; j < G_N_ELEMENTS (id_names); j++)
      if (g_str_equal (segments[i - 1], id_names[j][0]) && *segments[i] != '\0')
        {
          g_free (segments[i]);
          segments[i] = g_strdup (id_names[j][1]);
        }
  if (n >= 3)
    return g_strdup_printf ("%s .../%s/%s", request->method, segments[n - 2], segments[n - 1]);
  return g_strdup_printf ("%s %s", request->method, path);
}

/* Failed resources alike: one offline call, or one host failing one way
 * (an SDK retrying offline fails the same call dozens of times). */
typedef struct
{
  const RhResource *first;
  RhSeverity severity;
  gboolean worker;
  char *host;        /* NULL: the URL has none, never grouped */
  const char *words; /* the error in words */
  const char *offline;
  char *call;        /* an offline one's */
  char *stand_in;    /* a route's target host */
  guint count;
} ResourceGroup;

static void
resource_group_free (ResourceGroup *group)
{
  g_free (group->host);
  g_free (group->call);
  g_free (group->stand_in);
  g_free (group);
}

/* Where a routed call went: an SDK API host's goes to the local cloud, any
 * other through the user's --route. */
static const char *
stand_in_of (const RhRequest *request)
{
  g_autofree char *host = _rh_problems_host_of (request->url);

  return g_strcmp0 (rh_request_sdk_step (host, NULL), "its classroom API") == 0 ? "local cloud"
                                                                               : "--route";
}

static ResourceGroup *
resource_group_new (const RhResource *resource, const GPtrArray *requests,
                    const GPtrArray *workers)
{
  ResourceGroup *group = g_new0 (ResourceGroup, 1);
  const RhRequest *routed = routed_request (requests, resource->uri);

  group->first = resource;
  group->worker = workers != NULL
                  && g_ptr_array_find_with_equal_func ((GPtrArray *) workers, resource->uri,
                                                       g_str_equal, NULL);
  /* A failed script is what breaks a record page (the SDK bundle); a
   * missing image or font is worth a warning. */
  group->severity = rh_resource_uri_is_script (resource->uri) && !group->worker
                      ? RH_SEVERITY_ERROR
                      : RH_SEVERITY_WARNING;
  group->host = _rh_problems_host_of (resource->uri);
  group->words = resource->error != NULL ? rh_request_error_in_words (resource->error)
                                         : "failed";
  if (routed != NULL)
    {
      group->offline = stand_in_of (routed);
      group->severity = RH_SEVERITY_WARNING;
      group->call = describe_call (routed);
      group->stand_in = _rh_problems_host_of (routed->routed_to);
    }
  return group;
}

static char *
resource_group_key (const ResourceGroup *group)
{
  if (group->offline != NULL)
    return g_strdup_printf ("offline %s", group->call);
  if (group->host == NULL)
    return g_strdup_printf ("url %s", group->first->uri);
  return g_strdup_printf ("%d %d %s %s", group->severity, group->worker, group->host,
                          group->words);
}

static void
add_resource_group (GPtrArray *problems, const ResourceGroup *group)
{
  const RhResource *first = group->first;
  const char *worker = group->worker ? " (a service worker's script: the page runs without it)"
                                     : "";
  g_autofree char *count = group->count > 1 ? g_strdup_printf (" (x%u)", group->count)
                                            : g_strdup ("");
  g_autofree char *path = NULL;
  char *message;
  RhProblem *problem;

  if (group->offline != NULL && g_str_equal (group->offline, "local cloud"))
    message = g_strdup_printf ("offline: the local cloud does not answer %s%s", group->call,
                               count);
  else if (group->offline != NULL)
    message = g_strdup_printf ("offline: the --route target %s does not answer %s%s",
                               group->stand_in != NULL ? group->stand_in : "", group->call,
                               count);
  else if (group->count == 1)
    message = g_strdup_printf ("%s: %s%s", first->uri,
                               first->error != NULL ? first->error : "failed", worker);
  else
    {
      path = _rh_problems_path_of (first->uri);
      message = g_strdup_printf ("%s: %s (x%u, first %s)%s", group->host, group->words,
                                 group->count, path, worker);
    }
  problem = _rh_problems_add_message (problems, "resource-failed", group->severity, message);
  problem->count = group->count;
  problem->url = g_strdup (first->uri);
  problem->offline = group->offline;
}

/* One problem per group of failed resources, at most MAX_RESOURCE_PROBLEMS
 * groups but every script's. */
#define MAX_RESOURCE_PROBLEMS 20

void
_rh_problems_find_resources (GPtrArray *problems, const RhPageOutcome *outcome)
{
  const GArray *resources = outcome->resources;
  g_autoptr (GPtrArray) groups = g_ptr_array_new_with_free_func (
    (GDestroyNotify) resource_group_free);
  g_autoptr (GHashTable) by_key = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  g_autoptr (GHashTable) urls = g_hash_table_new (g_str_hash, g_str_equal);
  guint more = 0;

  /* The page itself (0) is covered by http-error and page-load-failed. */
  for (guint i = 1; resources != NULL && i < resources->len; i++)
    {
      const RhResource *resource = &g_array_index (resources, RhResource, i);
      g_autofree char *key = NULL;
      ResourceGroup *group;
      ResourceGroup *same;

      if (!resource->failed)
        continue;
      /* The element's error event of a load already counted (a preload and
       * the load proper share the URL) is no other failure. */
      if (!g_hash_table_add (urls, resource->uri) && resource->error != NULL
          && resource->error[0] == '<')
        continue;
      group = resource_group_new (resource, outcome->requests, outcome->workers);
      key = resource_group_key (group);
      same = g_hash_table_lookup (by_key, key);
      if (same != NULL)
        {
          same->count++;
          resource_group_free (group);
          continue;
        }
      group->count = 1;
      g_hash_table_insert (by_key, g_steal_pointer (&key), group);
      g_ptr_array_add (groups, group);
    }
  for (guint i = 0; i < groups->len; i++)
    {
      const ResourceGroup *group = g_ptr_array_index (groups, i);

      if (i >= MAX_RESOURCE_PROBLEMS && group->severity != RH_SEVERITY_ERROR)
        more += group->count;
      else
        add_resource_group (problems, group);
    }
  if (more > 0)
    _rh_problems_add_message (problems, "resource-failed", RH_SEVERITY_WARNING,
                              g_strdup_printf ("and %u more resources failed (see resources)",
                                               more));
}
