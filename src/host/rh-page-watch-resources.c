/* The resources the page loaded, from the host's resource signals and the
 * page's element error events, and the requests its scripts made. */
#include "rh-page-watch-private.h"

#include <libsoup/soup.h>

/* A new load: resources the host started before it are no longer ours. */
void
_rh_page_watch_resources_reset (RhPageWatch *watch)
{
  g_array_set_size (watch->resources, 0);
  g_hash_table_remove_all (watch->resource_ids);
  g_hash_table_remove_all (watch->failures_echoed);
}

/* Whether a failure of @url with @error is the first of its kind, host and
 * error in this load.  An SDK retrying offline fails one call dozens of
 * times: stderr shows it once, the report has every one. */
gboolean
_rh_page_watch_first_failure (RhPageWatch *watch, const char *kind, const char *url,
                              const char *error)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return TRUE;
  return g_hash_table_add (watch->failures_echoed,
                           g_strdup_printf ("%s %s %s", kind, g_uri_get_host (uri),
                                            rh_request_error_in_words (error)));
}

/* A resource's failure on the timeline, echoed the first time only. */
static void
add_resource_failed (RhPageWatch *self, const RhResource *resource)
{
  if (_rh_page_watch_first_failure (self, "resource", resource->uri, resource->error))
    rh_timeline_add (self->timeline, "resource-failed", NULL, "resource %s: %s", resource->uri,
                     resource->error);
  else
    rh_timeline_add_unechoed (self->timeline, "resource-failed", NULL, "resource %s: %s",
                              resource->uri, resource->error);
}

/* NULL for a resource of an earlier load. */
static RhResource *
resource_of (RhPageWatch *self, guint64 id)
{
  gpointer index;

  if (!g_hash_table_lookup_extended (self->resource_ids, &id, NULL, &index)
      || GPOINTER_TO_UINT (index) >= self->resources->len)
    return NULL;
  return &g_array_index (self->resources, RhResource, GPOINTER_TO_UINT (index));
}

static void
resource_started_cb (RhPageHost *host, guint64 id, const char *uri, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource resource = { 0 };

  if (self->stopped)
    return;
  resource.uri = g_strdup (uri);
  resource.start_ms = rh_timeline_now_ms (self->timeline);
  resource.end_ms = RH_PAGE_NO_TIME;
  g_hash_table_insert (self->resource_ids, g_memdup2 (&id, sizeof id),
                       GUINT_TO_POINTER (self->resources->len));
  g_array_append_val (self->resources, resource);
}

static void
resource_finished_cb (RhPageHost *host, guint64 id, guint status, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource *resource = resource_of (self, id);

  if (resource == NULL || resource->end_ms != RH_PAGE_NO_TIME)
    return;
  resource->end_ms = rh_timeline_now_ms (self->timeline);
  resource->status = status;
  if (resource->status >= 400)
    {
      resource->failed = TRUE;
      resource->error = g_strdup_printf ("HTTP %u %s", resource->status,
                                         soup_status_get_phrase (resource->status));
      add_resource_failed (self, resource);
    }
}

static void
resource_failed_cb (RhPageHost *host, guint64 id, GError *error, gpointer user_data)
{
  RhPageWatch *self = user_data;
  RhResource *resource = resource_of (self, id);

  if (resource == NULL || resource->end_ms != RH_PAGE_NO_TIME)
    return;
  resource->end_ms = rh_timeline_now_ms (self->timeline);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return;
  resource->failed = TRUE;
  resource->error = g_strdup (error->message);
  add_resource_failed (self, resource);
}

void
_rh_page_watch_resources_connect (RhPageWatch *watch)
{
  g_signal_connect (watch->host, "resource-started", G_CALLBACK (resource_started_cb), watch);
  g_signal_connect (watch->host, "resource-finished", G_CALLBACK (resource_finished_cb), watch);
  g_signal_connect (watch->host, "resource-failed", G_CALLBACK (resource_failed_cb), watch);
}

/* The page's element error event (a <script src> that failed) comes in
 * order with the page's own messages, while the host's resource signals may
 * come later: mark the resource failed now. */
void
_rh_page_watch_resource_error (RhPageWatch *watch, const char *uri, const char *tag)
{
  RhPageWatch *self = watch;
  RhResource added = { 0 };
  gboolean found = FALSE;

  if (uri == NULL || *uri == '\0')
    return;
  /* Every load of it: a preload and the load proper share the URL. */
  for (guint i = 0; i < self->resources->len; i++)
    {
      RhResource *resource = &g_array_index (self->resources, RhResource, i);

      if (!g_str_equal (resource->uri, uri))
        continue;
      found = TRUE;
      if (resource->failed)
        continue;
      resource->failed = TRUE;
      if (resource->end_ms == RH_PAGE_NO_TIME)
        resource->end_ms = rh_timeline_now_ms (self->timeline);
      g_free (resource->error);
      resource->error = g_strdup_printf ("<%s> error event", tag != NULL ? tag : "element");
    }
  if (found)
    return;
  added.uri = g_strdup (uri);
  added.start_ms = added.end_ms = rh_timeline_now_ms (self->timeline);
  added.failed = TRUE;
  added.error = g_strdup_printf ("<%s> error event", tag != NULL ? tag : "element");
  g_array_append_val (self->resources, added);
}

/* The engine's error for a resource the page's script asked for. */
static const char *
transport_error (const char *url, gpointer user_data)
{
  RhPageWatch *self = user_data;

  for (guint i = 0; i < self->resources->len; i++)
    {
      const RhResource *resource = &g_array_index (self->resources, RhResource, i);

      if (resource->failed && resource->status == 0 && resource->error != NULL
          && g_str_equal (resource->uri, url))
        return resource->error;
    }
  return NULL;
}

/* What the page's failed requests say it was blocked on; NULL if nothing. */
char *
rh_page_watch_describe_blocking (RhPageWatch *watch)
{
  return rh_request_log_describe_blocking (watch->requests, transport_error, watch);
}
