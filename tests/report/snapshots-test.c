/* The pictures' text: the waterfall draws URLs and errors of an outcome,
 * redacted whole, and shortens them without losing the mark. */
#include <string.h>

#include "rh-snapshots.h"
#include "test-utils.h"

/* As an outcome holds it: redacted with @timeline's secrets (NULL: as is). */
static void
add_resource (GArray *resources, RhTimeline *timeline, const char *uri, guint status,
              const char *error)
{
  RhResource resource = { 0 };

  resource.uri = timeline != NULL ? rh_timeline_redact (timeline, uri) : g_strdup (uri);
  resource.status = status;
  resource.start_ms = 10 * resources->len;
  resource.end_ms = resource.start_ms + 50;
  resource.failed = error != NULL;
  resource.error = timeline != NULL ? rh_timeline_redact (timeline, error) : g_strdup (error);
  g_array_append_val (resources, resource);
}

static GArray *
resources_new (void)
{
  GArray *resources = g_array_new (FALSE, TRUE, sizeof (RhResource));

  g_array_set_clear_func (resources, (GDestroyNotify) rh_resource_clear);
  return resources;
}

/* The token, in one form, in a resource's path, its query and its error:
 * no label the waterfall draws has it. */
static void
test_labels_redacted (gconstpointer data)
{
  const RhTestTokenForm *row = data;
  g_autofree char *form = rh_test_token_form (RH_TEST_TOKEN, row->name);
  g_autofree char *in_path = g_strconcat ("https://cdn.example/assets/", form, ".js", NULL);
  g_autofree char *last = g_strconcat ("https://cdn.example/", form, NULL);
  g_autofree char *in_query = g_strconcat ("https://cdn.example/api?token=", form, NULL);
  g_autofree char *error = g_strconcat ("could not load ", form, NULL);
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (GArray) resources = resources_new ();
  g_autoptr (GArray) labels = NULL;

  rh_timeline_add_secret (timeline, RH_TEST_TOKEN);
  add_resource (resources, timeline, in_path, 404, "HTTP 404 Not Found");
  add_resource (resources, timeline, last, 200, NULL);
  add_resource (resources, timeline, in_query, 0, error);
  labels = rh_snapshots_waterfall_labels (resources);
  g_assert_cmpuint (labels->len, ==, 3);
  for (guint i = 0; i < labels->len; i++)
    {
      const RhWaterfallLabel *label = &g_array_index (labels, RhWaterfallLabel, i);

      g_test_message ("%s | %s", label->name, label->note);
      g_assert_null (strstr (label->name, form));
      g_assert_null (strstr (label->name, "SEKRET"));
      g_assert_true (g_utf8_validate (label->name, -1, NULL));
      if (label->note != NULL)
        {
          g_assert_null (strstr (label->note, form));
          g_assert_null (strstr (label->note, "SEKRET"));
        }
    }
  /* Redacted before it was shortened: the name shows where the token was. */
  g_assert_nonnull (strstr (g_array_index (labels, RhWaterfallLabel, 0).name, "[REDACTED]"));
  g_assert_nonnull (strstr (g_array_index (labels, RhWaterfallLabel, 1).name, "[REDACTED]"));
  g_assert_cmpstr (g_array_index (labels, RhWaterfallLabel, 1).note, ==, "200");
  g_assert_nonnull (strstr (g_array_index (labels, RhWaterfallLabel, 2).note, "[REDACTED]"));
}

/* Text no font can draw as it is still makes a picture. */
static void
test_waterfall_outside_text (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "waterfall.png", NULL);
  g_autoptr (GArray) resources = resources_new ();
  g_autoptr (GError) error = NULL;
  RhPageTimes times;

  rh_page_times_init (&times);
  add_resource (resources, NULL, "https://cdn.example/a\xff\x1b[2J.js", 0, "bad \xc3 \x07");
  add_resource (resources, NULL, "not a URL at all \xe2\x80\xae", 200, NULL);
  g_assert_true (rh_snapshots_write_waterfall (resources, &times, 100, path, &error));
  g_assert_no_error (error);
  g_assert_true (g_file_test (path, G_FILE_TEST_IS_REGULAR));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; rh_test_token_forms[i].name != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/snapshots/waterfall-labels/%s",
                                               rh_test_token_forms[i].name);

      g_test_add_data_func (path, &rh_test_token_forms[i], test_labels_redacted);
    }
  g_test_add_func ("/snapshots/waterfall-outside-text", test_waterfall_outside_text);
  return g_test_run ();
}
