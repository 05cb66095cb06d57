/* The bridge's message kinds: the C table (rh-bridge.h) and what the
 * scripts in data/bridge post are the same set. */
#include "bridge-scripts.h"
#include "rh-bridge.h"
#include "test-utils.h"

/* post ('kind', ...): every message the scripts send goes through post. */
#define POST_PATTERN "\\bpost\\s*\\(\\s*'([^']+)'"

static GPtrArray *posted; /* char *: kinds the scripts post */

/* A kind the scripts post is one the decoder knows. */
static void
test_posted_known (gconstpointer data)
{
  const char *name = data;

  g_assert_cmpint (rh_bridge_kind_lookup (name), !=, RH_BRIDGE_KIND_UNKNOWN);
  g_assert_cmpstr (rh_bridge_kind_name (rh_bridge_kind_lookup (name)), ==, name);
}

/* A kind of the table is one a script posts: no decoder for nothing. */
static void
test_table_posted (gconstpointer data)
{
  RhBridgeKind kind = GPOINTER_TO_UINT (data);
  const char *name = rh_bridge_kind_name (kind);

  g_assert_nonnull (name);
  g_assert_cmpint (rh_bridge_kind_lookup (name), ==, kind);
  g_assert_true (g_ptr_array_find_with_equal_func (posted, name, g_str_equal, NULL));
}

static void
test_unknown (void)
{
  g_autoptr (JsonObject) message = rh_bridge_message_parse ("{\"kind\":\"mine\"}", NULL);

  g_assert_cmpint (rh_bridge_kind_lookup ("mine"), ==, RH_BRIDGE_KIND_UNKNOWN);
  g_assert_cmpint (rh_bridge_kind_lookup (NULL), ==, RH_BRIDGE_KIND_UNKNOWN);
  g_assert_cmpint (rh_bridge_message_get_kind (message), ==, RH_BRIDGE_KIND_UNKNOWN);
  g_assert_null (rh_bridge_kind_name (RH_BRIDGE_KIND_UNKNOWN));
}

int
main (int argc, char **argv)
{
  int status;

  rh_test_init (&argc, &argv);
  posted = bridge_scripts_find (POST_PATTERN);
  for (guint i = 0; i < posted->len; i++)
    {
      const char *name = g_ptr_array_index (posted, i);
      g_autofree char *path = g_strdup_printf ("/bridge/posted/%s", name);

      g_test_add_data_func (path, name, test_posted_known);
    }
  for (guint kind = RH_BRIDGE_KIND_UNKNOWN + 1; kind < RH_BRIDGE_N_KINDS; kind++)
    {
      g_autofree char *path = g_strdup_printf ("/bridge/table/%s", rh_bridge_kind_name (kind));

      g_test_add_data_func (path, GUINT_TO_POINTER (kind), test_table_posted);
    }
  g_test_add_func ("/bridge/unknown", test_unknown);
  status = g_test_run ();
  g_ptr_array_unref (posted);
  return status;
}
