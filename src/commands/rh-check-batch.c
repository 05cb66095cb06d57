#include "rh-check-batch.h"

#include <string.h>

#include "rh-check.h"
#include "rh-error.h"
#include "rh-fs.h"
#include "rh-page-host.h"
#include "rh-ready-endpoint.h"

typedef struct
{
  char *page;  /* as given, redacted */
  char *label; /* "[2/10]" */
  RhReadyEndpoint *endpoint;
  RhCheck *check;
  gboolean started;
  gboolean done;
  GError *error; /* the check's failure, once done */
} Page;

struct _RhCheckBatch
{
  GObject parent_instance;

  GArray *pages; /* Page */
  guint parallel;
  char *junit;

  GTask *task;
  GCancellable *cancellable; /* the caller's, or NULL */
  guint next;                /* the next page to start */
  guint running;
  guint failed;
  guint conclude_id;
  GError *junit_error;
};

G_DEFINE_FINAL_TYPE (RhCheckBatch, rh_check_batch, G_TYPE_OBJECT)

static void
page_clear (Page *page)
{
  g_free (page->page);
  g_free (page->label);
  /* The check first: its ready call is the endpoint's. */
  g_clear_object (&page->check);
  g_clear_pointer (&page->endpoint, rh_ready_endpoint_close);
  g_clear_error (&page->error);
}

static void
rh_check_batch_finalize (GObject *object)
{
  RhCheckBatch *self = RH_CHECK_BATCH (object);

  g_array_unref (self->pages);
  g_free (self->junit);
  g_clear_object (&self->cancellable);
  g_clear_error (&self->junit_error);
  G_OBJECT_CLASS (rh_check_batch_parent_class)->finalize (object);
}

static void
rh_check_batch_class_init (RhCheckBatchClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = rh_check_batch_finalize;
}

static void
rh_check_batch_init (RhCheckBatch *self)
{
  self->pages = g_array_new (FALSE, TRUE, sizeof (Page));
  g_array_set_clear_func (self->pages, (GDestroyNotify) page_clear);
}

/* Takes the RhPageOptions of @pages, removing them from it (those left after
 * a failure stay the caller's); at most @parallel run at once, and with
 * @junit one JUnit file gets a test suite a page.  Every page is checked
 * for what a user could get wrong before any process starts. */
RhCheckBatch *
rh_check_batch_new (GPtrArray *pages, guint parallel, const char *junit, GError **error)
{
  g_autoptr (RhCheckBatch) self = g_object_new (RH_TYPE_CHECK_BATCH, NULL);
  guint n_pages = pages->len;

  g_return_val_if_fail (n_pages > 0 && parallel > 0, NULL);

  self->parallel = parallel;
  self->junit = g_strdup (junit);
  for (guint i = 0; i < n_pages; i++)
    {
      RhPageOptions *options = g_ptr_array_steal_index (pages, 0);
      Page page = { 0 };
      Page *added;
      g_autoptr (GError) local_error = NULL;

      page.page = g_strdup (options->page);
      page.label = g_strdup_printf ("[%u/%u]", i + 1, n_pages);
      g_array_append_val (self->pages, page);
      added = &g_array_index (self->pages, Page, i);
      added->endpoint = rh_ready_endpoint_open (options->room, options->api_base,
                                                options->sdk_api_local, options->routes,
                                                &local_error);
      if (added->endpoint != NULL)
        added->check = rh_check_new (options, added->endpoint->call, &local_error);
      else
        rh_page_options_free (options);
      if (added->check == NULL)
        {
          g_propagate_prefixed_error (error, g_steal_pointer (&local_error), "%s %s: ",
                                      added->label, added->page);
          return NULL;
        }
      g_free (added->page);
      added->page = rh_timeline_redact (rh_check_get_timeline (added->check), options->page);
      rh_ready_endpoint_tell (added->endpoint, rh_check_get_timeline (added->check));
      rh_timeline_set_label (rh_check_get_timeline (added->check), added->label);
    }
  return g_steal_pointer (&self);
}

/* Page @index's label instead of "[N/COUNT]", e.g. its engine's. */
void
rh_check_batch_set_label (RhCheckBatch *batch, guint index, const char *label)
{
  Page *page;

  g_return_if_fail (index < batch->pages->len);
  page = &g_array_index (batch->pages, Page, index);
  g_free (page->label);
  page->label = g_strdup (label);
  rh_timeline_set_label (rh_check_get_timeline (page->check), label);
}

static void start_more (RhCheckBatch *self);

/* Every page started has ended: the JUnit file, then the batch's outcome. */
static void
conclude (RhCheckBatch *self)
{
  g_autoptr (GTask) task = g_steal_pointer (&self->task);
  guint n_pages = self->pages->len;
  guint not_run = n_pages - self->next;

  if (self->junit != NULL)
    {
      g_autoptr (GPtrArray) checks = g_ptr_array_new ();
      g_autofree char *xml = NULL;

      for (guint i = 0; i < self->next; i++)
        g_ptr_array_add (checks, g_array_index (self->pages, Page, i).check);
      xml = rh_check_format_junit_all (checks);
      if (!rh_fs_write_atomic (self->junit, xml, strlen (xml), &self->junit_error))
        g_prefix_error (&self->junit_error, "cannot write --junit ");
    }
  if (self->failed == 0 && not_run == 0 && self->junit_error == NULL)
    {
      g_task_return_boolean (task, TRUE);
      return;
    }
  g_task_return_new_error (task, RH_ERROR, RH_ERROR_PAGE_FAILED, "%u of %u pages failed%s%s%s%s",
                           self->failed, n_pages,
                           not_run > 0 ? "; " : "",
                           not_run > 0 ? "interrupted before the others" : "",
                           self->junit_error != NULL ? "; " : "",
                           self->junit_error != NULL ? self->junit_error->message : "");
}

/* From the main loop, not from inside the check's own return. */
static gboolean
release_cb (gpointer user_data)
{
  g_autoptr (RhCheck) check = user_data;

  rh_check_release (check);
  return G_SOURCE_REMOVE;
}

static gboolean
conclude_cb (gpointer user_data)
{
  RhCheckBatch *self = user_data;

  self->conclude_id = 0;
  conclude (self);
  return G_SOURCE_REMOVE;
}

static void
check_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCheckBatch) self = user_data;
  RhCheck *check = RH_CHECK (source);

  for (guint i = 0; i < self->next; i++)
    {
      Page *page = &g_array_index (self->pages, Page, i);

      if (page->check != check)
        continue;
      page->done = TRUE;
      if (!rh_check_run_finish (check, result, &page->error))
        self->failed++;
      /* A hundred pages must not keep a hundred engines. */
      g_idle_add (release_cb, g_object_ref (check));
    }
  self->running--;
  start_more (self);
}

static void
start_more (RhCheckBatch *self)
{
  gboolean stopped = self->cancellable != NULL && g_cancellable_is_cancelled (self->cancellable);

  while (!stopped && self->running < self->parallel && self->next < self->pages->len)
    {
      Page *page = &g_array_index (self->pages, Page, self->next++);

      page->started = TRUE;
      self->running++;
      rh_check_run_async (page->check, self->cancellable, check_done_cb, g_object_ref (self));
    }
  /* After the ended checks' releases, queued before: their engines are
   * gone when the batch's caller learns it ended. */
  if (self->running == 0 && (stopped || self->next == self->pages->len) && self->task != NULL
      && self->conclude_id == 0)
    self->conclude_id = g_idle_add (conclude_cb, self);
}

/* Cancelling @cancellable ends the running checks as an interrupt ends one
 * (their reports kept) and starts no other. */
void
rh_check_batch_run_async (RhCheckBatch *batch, GCancellable *cancellable,
                          GAsyncReadyCallback callback, gpointer user_data)
{
  RhCheckBatch *self = batch;

  g_return_if_fail (self->task == NULL && self->next == 0);

  self->task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (self->task, rh_check_batch_run_async);
  g_set_object (&self->cancellable, cancellable);
  /* Pages side by side must not see one another's cookies or storage, nor
   * take one another down with a web process. */
  rh_page_host_set_own_website_data (TRUE);
  start_more (self);
}

gboolean
rh_check_batch_run_finish (RhCheckBatch *batch, GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, batch), FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Whether page @index was checked and passed. */
gboolean
rh_check_batch_passed (RhCheckBatch *batch, guint index)
{
  Page *page;

  g_return_val_if_fail (index < batch->pages->len, FALSE);
  page = &g_array_index (batch->pages, Page, index);
  return page->done && page->error == NULL;
}

/* {"pages", "passed", "failed", "not_checked", "checks": [a check's report,
 * or {"page", "verdict": "not-checked"}]}. */
JsonNode *
rh_check_batch_to_json (RhCheckBatch *batch)
{
  RhCheckBatch *self = batch;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  guint n_pages = self->pages->len;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "pages");
  json_builder_add_int_value (builder, n_pages);
  json_builder_set_member_name (builder, "passed");
  json_builder_add_int_value (builder, self->next - self->failed);
  json_builder_set_member_name (builder, "failed");
  json_builder_add_int_value (builder, self->failed);
  json_builder_set_member_name (builder, "not_checked");
  json_builder_add_int_value (builder, n_pages - self->next);
  json_builder_set_member_name (builder, "checks");
  json_builder_begin_array (builder);
  for (guint i = 0; i < n_pages; i++)
    {
      Page *page = &g_array_index (self->pages, Page, i);

      if (page->done)
        {
          json_builder_add_value (builder, rh_check_to_json (page->check));
          continue;
        }
      json_builder_begin_object (builder);
      json_builder_set_member_name (builder, "page");
      json_builder_add_string_value (builder, page->page);
      json_builder_set_member_name (builder, "verdict");
      json_builder_add_string_value (builder, "not-checked");
      json_builder_end_object (builder);
    }
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

/* Each page's summary under its label, in the order given; or, @full
 * FALSE, a line for each page that failed or was not checked. */
char *
rh_check_batch_format_report (RhCheckBatch *batch, gboolean full)
{
  RhCheckBatch *self = batch;
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < self->pages->len; i++)
    {
      Page *page = &g_array_index (self->pages, Page, i);
      g_autofree char *summary = NULL;

      if (!page->done)
        {
          g_string_append_printf (out, "%s %s: not checked (interrupted)\n", page->label,
                                  page->page);
          continue;
        }
      if (!full)
        {
          g_autofree char *cause = NULL;

          if (page->error == NULL)
            continue;
          cause = rh_timeline_redact (rh_check_get_timeline (page->check),
                                      page->error->message);
          g_string_append_printf (out, "%s %s: %s\n", page->label, page->page, cause);
          continue;
        }
      summary = rh_check_format_report (page->check);
      g_string_append_printf (out, "%s %s\n%s", page->label, page->page, summary);
    }
  return g_string_free (out, FALSE);
}
