/* The features a local engine may lack: the C table (rh-engine-features.h)
 * and the features the bridge reports touched (data/bridge/capabilities.js)
 * are the same set, and an error names them by the table's words. */
#include "bridge-scripts.h"
#include "rh-engine-features.h"
#include "test-utils.h"

/* touch ('WebGL2') and watchMissing (target, 'name', 'Feature'). */
#define TOUCH_PATTERN "\\btouch\\s*\\(\\s*'([^']+)'\\s*\\)"
#define WATCH_PATTERN "\\bwatchMissing\\s*\\([^;']*'[^']*'\\s*,\\s*'([^']+)'\\s*\\)"

static GPtrArray *touched; /* char *: features the bridge can report */

static void
test_touched_known (gconstpointer data)
{
  g_assert_nonnull (rh_engine_feature_lookup (data));
}

static void
test_table_touched (gconstpointer data)
{
  const RhEngineFeature *feature = data;

  g_assert_true (g_ptr_array_find_with_equal_func (touched, feature->name, g_str_equal, NULL));
  g_assert_true (rh_engine_feature_lookup (feature->name) == feature);
  g_assert_cmpstr (feature->meaning, !=, "");
}

/* Each of its words in an error message blames the feature. */
static void
test_table_named (gconstpointer data)
{
  const RhEngineFeature *feature = data;

  for (guint n = 0; feature->needles[n] != NULL; n++)
    {
      g_autofree char *message = g_strdup_printf ("TypeError: %s is not a function",
                                                  feature->needles[n]);
      const RhEngineFeature *named;
      guint from = 0;
      gboolean found = FALSE;

      while ((named = rh_engine_feature_named_in (message, &from)) != NULL)
        found |= named == feature;
      g_assert_true (found);
    }
}

static void
test_named_none (void)
{
  guint from = 0;

  g_assert_null (rh_engine_feature_named_in ("ReferenceError: x is not defined", &from));
  from = 0;
  g_assert_null (rh_engine_feature_named_in (NULL, &from));
  g_assert_null (rh_engine_feature_lookup ("Geolocation"));
}

int
main (int argc, char **argv)
{
  g_autoptr (GPtrArray) watched = NULL;
  const RhEngineFeature *features;
  guint n_features;
  int status;

  rh_test_init (&argc, &argv);
  touched = bridge_scripts_find (TOUCH_PATTERN);
  watched = bridge_scripts_find (WATCH_PATTERN);
  for (guint i = 0; i < watched->len; i++)
    if (!g_ptr_array_find_with_equal_func (touched, g_ptr_array_index (watched, i), g_str_equal,
                                           NULL))
      g_ptr_array_add (touched, g_strdup (g_ptr_array_index (watched, i)));
  for (guint i = 0; i < touched->len; i++)
    {
      const char *name = g_ptr_array_index (touched, i);
      g_autofree char *path = g_strdup_printf ("/engine-features/touched/%s", name);

      g_test_add_data_func (path, name, test_touched_known);
    }
  features = rh_engine_features (&n_features);
  for (guint i = 0; i < n_features; i++)
    {
      g_autofree char *path = g_strdup_printf ("/engine-features/table/%s", features[i].name);
      g_autofree char *named = g_strdup_printf ("/engine-features/named/%s", features[i].name);

      g_test_add_data_func (path, &features[i], test_table_touched);
      g_test_add_data_func (named, &features[i], test_table_named);
    }
  g_test_add_func ("/engine-features/named-none", test_named_none);
  status = g_test_run ();
  g_ptr_array_unref (touched);
  return status;
}
