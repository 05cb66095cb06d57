/* The engine under the page: the features it may lack (rh-engine-features.h)
 * that the page reached for or an error named, and its capabilities, from
 * the page's own probe or one run on an empty document. */
#include "rh-page-watch-private.h"

#include <string.h>

#include "rh-engine-features.h"

/* What an engine offers does not depend on the page: the first answer in
 * the process for each engine (by name) serves the reports of its pages
 * that did not probe, having failed first or come after it.  A page's own
 * answer serves its own report, so that no page can answer for another. */
static GHashTable *engine_capabilities; /* engine name -> JsonObject */

static JsonObject *
known_capabilities (const char *engine_name)
{
  return engine_capabilities != NULL && engine_name != NULL
           ? g_hash_table_lookup (engine_capabilities, engine_name)
           : NULL;
}

#define MAX_CAPABILITIES 32
/* How long to wait for the own probe of a page whose document loaded. */
#define PAGE_PROBE_GRACE_MS 1000
/* A page that keeps its web process busy holds the probe up too: the probe
 * gives up after this long, or at its caller's deadline if that comes first. */
#define PROBE_TIMEOUT_MS 3000
/* Nothing but the bridge runs in it. */
#define PROBE_DOCUMENT "<!DOCTYPE html><html><head></head><body></body></html>"

/* Whether the process knows the engine's capabilities: once it does, the
 * bridge of its next pages does not probe. */
gboolean
_rh_page_watch_engine_known (RhPageHost *host)
{
  return known_capabilities (rh_page_host_get_engine_name (host)) != NULL;
}

void
_rh_page_watch_touch (RhPageWatch *watch, const char *feature)
{
  if (!g_ptr_array_find_with_equal_func (watch->touched, feature, g_str_equal, NULL))
    g_ptr_array_add (watch->touched, g_strdup (feature));
}

/* An uncaught error that names a feature counts as touching it, and
 * blames it. */
void
_rh_page_watch_blame (RhPageWatch *watch, const char *error_message)
{
  const RhEngineFeature *feature;
  guint from = 0;

  while ((feature = rh_engine_feature_named_in (error_message, &from)) != NULL)
    {
      _rh_page_watch_touch (watch, feature->name);
      if (!g_ptr_array_find_with_equal_func (watch->blamed, feature->name, g_str_equal, NULL))
        g_ptr_array_add (watch->blamed, g_strdup (feature->name));
    }
}

/* A page can post what it likes: only named booleans are kept. */
static JsonObject *
capabilities_from (JsonObject *posted)
{
  g_autoptr (JsonObject) clean = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, posted);
  while (json_object_iter_next_ordered (&iter, &name, &value)
         && json_object_get_size (clean) < MAX_CAPABILITIES)
    if (strlen (name) <= 64 && JSON_NODE_HOLDS_VALUE (value)
        && json_node_get_value_type (value) == G_TYPE_BOOLEAN)
      json_object_set_boolean_member (clean, name, json_node_get_boolean (value));
  return g_steal_pointer (&clean);
}

static JsonObject *
capabilities_of (RhPageWatch *watch)
{
  if (watch->capabilities != NULL)
    return watch->capabilities;
  return known_capabilities (watch->engine_name);
}

static void
probe_done (RhPageWatch *self, GError *error /* owned, NULL when known */)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->probe_task);

  g_clear_handle_id (&self->probe_timeout_id, g_source_remove);
  if (error != NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* A "capabilities" message; takes @detail. */
void
_rh_page_watch_capabilities (RhPageWatch *watch, JsonObject *message, JsonNode *detail)
{
  JsonNode *node = json_object_get_member (message, "capabilities");

  if (watch->capabilities == NULL && node != NULL && JSON_NODE_HOLDS_OBJECT (node))
    watch->capabilities = capabilities_from (json_node_get_object (node));
  if (known_capabilities (watch->engine_name) == NULL && watch->capabilities != NULL
      && watch->engine_name != NULL
      && json_object_get_size (watch->capabilities) > 0)
    {
      if (engine_capabilities == NULL)
        engine_capabilities = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                     (GDestroyNotify) json_object_unref);
      g_hash_table_insert (engine_capabilities,
                           g_strdup (watch->engine_name),
                           json_object_ref (watch->capabilities));
    }
  rh_timeline_add (watch->timeline, "capabilities", detail, "engine capabilities probed%s",
                   watch->probing ? " on an empty document" : "");
  if (watch->probe_task != NULL && capabilities_of (watch) != NULL)
    probe_done (watch, NULL);
}

static gboolean
probe_timeout_cb (gpointer user_data)
{
  RhPageWatch *self = user_data;

  self->probe_timeout_id = 0;
  probe_done (self, g_error_new_literal (RH_ERROR, RH_ERROR_PAGE_FAILED,
                                         "the engine's capabilities could not be probed in time"));
  return G_SOURCE_REMOVE;
}

/* @interval_ms, or less to end by the probe's deadline. */
static guint
until_probe_deadline_ms (RhPageWatch *self, guint interval_ms)
{
  gint64 left_ms = (self->probe_deadline_us - g_get_monotonic_time ()) / 1000;

  return (guint) CLAMP (left_ms, 0, (gint64) interval_ms);
}

/* The page's own probe will not come: the bridge probes an empty document
 * in the page's host, whose engine process is there already. */
static void
load_probe_document (RhPageWatch *self)
{
  self->probing = TRUE;
  self->probe_timeout_id = g_timeout_add (until_probe_deadline_ms (self, PROBE_TIMEOUT_MS),
                                          probe_timeout_cb, self);
  rh_page_host_load_html (self->host, PROBE_DOCUMENT, "about:blank");
}

static gboolean
page_probe_late_cb (gpointer user_data)
{
  RhPageWatch *self = user_data;

  self->probe_timeout_id = 0;
  load_probe_document (self);
  return G_SOURCE_REMOVE;
}

/* Makes the engine's capabilities known to the report of a stopped watch:
 * at once if the process knows them, else from the page's own probe if its
 * document loaded, else (or if that does not come) from an empty document
 * loaded in the page's place.  Gives up at @deadline_us (monotonic) at the
 * latest: a web process stuck in the page's script answers nothing. */
void
rh_page_watch_probe_engine_async (RhPageWatch *watch, gint64 deadline_us,
                                  GAsyncReadyCallback callback, gpointer user_data)
{
  RhPageWatch *self = watch;
  g_autoptr (GTask) task = NULL;

  g_return_if_fail (self->stopped && self->probe_task == NULL && self->host != NULL);
  task = g_task_new (self, NULL, callback, user_data);
  g_task_set_source_tag (task, rh_page_watch_probe_engine_async);
  if (known_capabilities (self->engine_name) != NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  self->probe_task = g_steal_pointer (&task);
  self->probe_deadline_us = deadline_us;
  if (self->times.dom_loaded_ms != RH_PAGE_NO_TIME)
    self->probe_timeout_id = g_timeout_add (until_probe_deadline_ms (self, PAGE_PROBE_GRACE_MS),
                                            page_probe_late_cb, self);
  else
    load_probe_document (self);
}

gboolean
rh_page_watch_probe_engine_finish (RhPageWatch *watch, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, watch), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Those of @features the engine lacks (all of them while capabilities are
 * unknown). */
static GPtrArray *
missing_of (RhPageWatch *watch, const GPtrArray *features)
{
  GPtrArray *missing = g_ptr_array_new_with_free_func (g_free);
  JsonObject *capabilities = capabilities_of (watch);

  for (guint i = 0; i < features->len; i++)
    {
      const char *feature = g_ptr_array_index (features, i);

      if (capabilities != NULL && json_object_has_member (capabilities, feature)
          && json_object_get_boolean_member (capabilities, feature))
        continue;
      g_ptr_array_add (missing, g_strdup (feature));
    }
  return missing;
}

/* A page's probe names the capabilities: its names are the page's words. */
static JsonObject *
redacted_capabilities (RhPageWatch *watch, JsonObject *capabilities)
{
  JsonObject *clean = json_object_new ();
  JsonObjectIter iter;
  const char *name;
  JsonNode *value;

  json_object_iter_init_ordered (&iter, capabilities);
  while (json_object_iter_next_ordered (&iter, &name, &value))
    {
      g_autofree char *clean_name = rh_timeline_redact (watch->timeline, name);

      json_object_set_member (clean, clean_name, json_node_copy (value));
    }
  return clean;
}

/* The engine, what the page reached for of it and what it lacks, for an
 * outcome; feature names come from the page. */
void
_rh_page_watch_engine_describe (RhPageWatch *watch, RhPageEngine *engine)
{
  RhPageHost *host = watch->host;
  JsonObject *capabilities = capabilities_of (watch);
  g_autoptr (GPtrArray) missing_touched = missing_of (watch, watch->touched);
  g_autoptr (GPtrArray) missing_blamed = missing_of (watch, watch->blamed);

  if (host != NULL)
    {
      engine->name = g_strdup (rh_page_host_get_engine_name (host));
      engine->version = rh_page_host_get_engine_version (host);
      engine->user_agent = g_strdup (rh_page_host_get_user_agent (host));
    }
  engine->webrtc = watch->webrtc;
  engine->capabilities = capabilities != NULL ? redacted_capabilities (watch, capabilities)
                                              : NULL;
  g_ptr_array_extend_and_steal (engine->touched, _rh_page_watch_redact_all (watch, watch->touched));
  g_ptr_array_extend_and_steal (engine->missing_touched,
                                _rh_page_watch_redact_all (watch, missing_touched));
  g_ptr_array_extend_and_steal (engine->missing_blamed,
                                _rh_page_watch_redact_all (watch, missing_blamed));
}
