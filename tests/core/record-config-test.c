/* The cloud's viewport limits. */
#include "rh-error.h"
#include "rh-record-config.h"
#include "test-utils.h"

typedef struct
{
  guint width;
  guint height;
  gboolean valid;
} SizeRow;

static const SizeRow size_rows[] = {
  { 1280, 720, TRUE },   { 480, 480, TRUE },    { 1920, 1080, TRUE },  { 1080, 1920, TRUE },
  { 1920, 480, TRUE },   { 479, 720, FALSE },   { 1280, 479, FALSE },  { 1921, 720, FALSE },
  { 1920, 1081, FALSE }, { 1440, 1440, TRUE },  { 1500, 1500, FALSE }, { 0, 0, FALSE },
  { 1280, 1921, FALSE },
};

static void
test_size (gconstpointer data)
{
  const SizeRow *row = data;
  RhRecordConfig config = { row->width, row->height };
  g_autoptr (GError) error = NULL;
  gboolean valid = rh_record_config_validate (&config, &error);

  g_assert_cmpint (valid, ==, row->valid);
  if (valid)
    g_assert_no_error (error);
  else
    g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
}

static void
test_defaults (void)
{
  RhRecordConfig config;

  rh_record_config_init (&config);
  g_assert_cmpuint (config.width, ==, 1280);
  g_assert_cmpuint (config.height, ==, 720);
  g_assert_true (rh_record_config_validate (&config, NULL));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (size_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/record-config/size/%ux%u", size_rows[i].width,
                                               size_rows[i].height);

      g_test_add_data_func (path, &size_rows[i], test_size);
    }
  g_test_add_func ("/record-config/defaults", test_defaults);
  return g_test_run ();
}
