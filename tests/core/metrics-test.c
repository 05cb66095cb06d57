/* Metrics in the Prometheus text format: the exact text of a small
 * registry, numbers and escapes as the format wants them, the bound on a
 * family's series, misuse refused, and promtool's word on the text. */
#include <math.h>
#include <string.h>

#include "promtool.h"
#include "rh-metrics.h"
#include "test-utils.h"

#define DROPPED_HEAD                                                                              \
  "# HELP recordhost_metrics_dropped_series_total Samples dropped because their family held "    \
  "as many series as it may, by family.\n"                                                        \
  "# TYPE recordhost_metrics_dropped_series_total counter\n"

static const double bounds[] = { 0.25, 0.5, 1 };

/* A counter with labels, a gauge and a histogram with labels, each given
 * values out of their order. */
static RhMetrics *
small_registry_new (void)
{
  RhMetrics *metrics = rh_metrics_new ();

  rh_metrics_declare_counter (metrics, "test_requests_total", "Requests answered.",
                              (const char *[]){ "method", "code", NULL });
  rh_metrics_declare_gauge (metrics, "test_rooms", "Rooms held.", NULL);
  rh_metrics_declare_histogram (metrics, "test_wait_seconds", "Seconds waited.",
                                (const char *[]){ "route", NULL }, bounds,
                                G_N_ELEMENTS (bounds));
  rh_metrics_counter_add (metrics, "test_requests_total", (const char *[]){ "PUT", "404", NULL },
                          1);
  rh_metrics_counter_add (metrics, "test_requests_total", (const char *[]){ "GET", "200", NULL },
                          1);
  rh_metrics_counter_add (metrics, "test_requests_total", (const char *[]){ "GET", "200", NULL },
                          2);
  rh_metrics_gauge_set (metrics, "test_rooms", NULL, 7);
  rh_metrics_gauge_set (metrics, "test_rooms", NULL, 3);
  /* Below the first bound, at it, between two, past the last. */
  rh_metrics_histogram_observe (metrics, "test_wait_seconds", (const char *[]){ "b", NULL },
                                0.125);
  rh_metrics_histogram_observe (metrics, "test_wait_seconds", (const char *[]){ "b", NULL },
                                0.25);
  rh_metrics_histogram_observe (metrics, "test_wait_seconds", (const char *[]){ "b", NULL },
                                0.375);
  rh_metrics_histogram_observe (metrics, "test_wait_seconds", (const char *[]){ "b", NULL }, 2);
  rh_metrics_histogram_observe (metrics, "test_wait_seconds", (const char *[]){ "a", NULL }, 1);
  return metrics;
}

static void
test_render (void)
{
  g_autoptr (RhMetrics) metrics = small_registry_new ();
  g_autofree char *text = rh_metrics_render (metrics);

  g_assert_cmpstr (text, ==,
                   DROPPED_HEAD
                   "# HELP test_requests_total Requests answered.\n"
                   "# TYPE test_requests_total counter\n"
                   "test_requests_total{method=\"GET\",code=\"200\"} 3\n"
                   "test_requests_total{method=\"PUT\",code=\"404\"} 1\n"
                   "# HELP test_rooms Rooms held.\n"
                   "# TYPE test_rooms gauge\n"
                   "test_rooms 3\n"
                   "# HELP test_wait_seconds Seconds waited.\n"
                   "# TYPE test_wait_seconds histogram\n"
                   "test_wait_seconds_bucket{route=\"a\",le=\"0.25\"} 0\n"
                   "test_wait_seconds_bucket{route=\"a\",le=\"0.5\"} 0\n"
                   "test_wait_seconds_bucket{route=\"a\",le=\"1\"} 1\n"
                   "test_wait_seconds_bucket{route=\"a\",le=\"+Inf\"} 1\n"
                   "test_wait_seconds_sum{route=\"a\"} 1\n"
                   "test_wait_seconds_count{route=\"a\"} 1\n"
                   "test_wait_seconds_bucket{route=\"b\",le=\"0.25\"} 2\n"
                   "test_wait_seconds_bucket{route=\"b\",le=\"0.5\"} 3\n"
                   "test_wait_seconds_bucket{route=\"b\",le=\"1\"} 3\n"
                   "test_wait_seconds_bucket{route=\"b\",le=\"+Inf\"} 4\n"
                   "test_wait_seconds_sum{route=\"b\"} 2.75\n"
                   "test_wait_seconds_count{route=\"b\"} 4\n");
}

/* Families without labels are there, at 0, before any value. */
static void
test_render_unlabelled (void)
{
  g_autoptr (RhMetrics) metrics = rh_metrics_new ();
  g_autofree char *text = NULL;

  rh_metrics_declare_counter (metrics, "test_events_total", "Events.", NULL);
  rh_metrics_declare_histogram (metrics, "test_wait_seconds", "Seconds waited.", NULL, bounds,
                                G_N_ELEMENTS (bounds));
  rh_metrics_declare_gauge (metrics, "test_users", "Users, by room type.",
                            (const char *[]){ "type", NULL });
  text = rh_metrics_render (metrics);
  g_assert_cmpstr (text, ==,
                   DROPPED_HEAD
                   "# HELP test_events_total Events.\n"
                   "# TYPE test_events_total counter\n"
                   "test_events_total 0\n"
                   "# HELP test_wait_seconds Seconds waited.\n"
                   "# TYPE test_wait_seconds histogram\n"
                   "test_wait_seconds_bucket{le=\"0.25\"} 0\n"
                   "test_wait_seconds_bucket{le=\"0.5\"} 0\n"
                   "test_wait_seconds_bucket{le=\"1\"} 0\n"
                   "test_wait_seconds_bucket{le=\"+Inf\"} 0\n"
                   "test_wait_seconds_sum 0\n"
                   "test_wait_seconds_count 0\n"
                   "# HELP test_users Users, by room type.\n"
                   "# TYPE test_users gauge\n");
  rh_test_assert_metrics_valid (text);
}

/* Series in the order of their label values, whatever the order they came. */
static void
test_series_order (void)
{
  g_autoptr (RhMetrics) metrics = rh_metrics_new ();
  g_autoptr (GString) expected = g_string_new (DROPPED_HEAD "# HELP test_hits_total Hits.\n"
                                                            "# TYPE test_hits_total counter\n");
  g_autofree char *text = NULL;

  rh_metrics_declare_counter (metrics, "test_hits_total", "Hits.",
                              (const char *[]){ "room", "user", NULL });
  for (guint i = 40; i > 0; i--)
    {
      g_autofree char *room = g_strdup_printf ("r%02u", (i - 1) / 2);
      g_autofree char *user = g_strdup_printf ("u%u", (i - 1) % 2);

      rh_metrics_counter_add (metrics, "test_hits_total", (const char *[]){ room, user, NULL }, i);
    }
  for (guint i = 1; i <= 40; i++)
    g_string_append_printf (expected, "test_hits_total{room=\"r%02u\",user=\"u%u\"} %u\n",
                            (i - 1) / 2, (i - 1) % 2, i);
  text = rh_metrics_render (metrics);
  g_assert_cmpstr (text, ==, expected->str);
}

typedef struct
{
  const char *name;
  double value;
  const char *expected;
} NumberRow;

static const NumberRow number_rows[] = {
  { "integer", 42, "42" },
  { "zero", 0, "0" },
  { "negative-zero", -0.0, "0" },
  { "negative", -3, "-3" },
  { "large-integer", 9007199254740992.0, "9007199254740992" },
  { "fraction", 0.1, "0.1" },
  { "bound", 0.025, "0.025" },
  /* 0.1 + 0.2: fewer digits would read back as another double. */
  { "needs-17-digits", 0.30000000000000004, "0.30000000000000004" },
  { "small", 1.5e-7, "1.5e-07" },
  { "huge", 1e300, "1e+300" },
  { "infinity", INFINITY, "+Inf" },
  { "minus-infinity", -INFINITY, "-Inf" },
  { "nan", NAN, "NaN" },
};

static void
test_number (gconstpointer data)
{
  const NumberRow *row = data;
  g_autoptr (RhMetrics) metrics = rh_metrics_new ();
  g_autofree char *text = NULL;
  g_autofree char *line = NULL;

  rh_metrics_declare_gauge (metrics, "test_value", "A value.", NULL);
  rh_metrics_gauge_set (metrics, "test_value", NULL, row->value);
  text = rh_metrics_render (metrics);
  line = rh_test_last_line_with_prefix (text, "test_value ");
  g_assert_cmpstr (line + strlen ("test_value "), ==, row->expected);
  rh_test_assert_metrics_valid (text);
}

/* A label value from outside cannot end its line or its quotes; HELP keeps
 * its double quote, which needs no escape there. */
static void
test_escape (void)
{
  g_autoptr (RhMetrics) metrics = rh_metrics_new ();
  g_autofree char *text = NULL;

  rh_metrics_declare_gauge (metrics, "test_value", "A \"value\", C:\\dir\nsecond line.",
                            (const char *[]){ "name", NULL });
  rh_metrics_gauge_set (metrics, "test_value", (const char *[]){ "a\"b\\c\nd} 1", NULL }, 1);
  /* Not UTF-8: the format's text is. */
  rh_metrics_gauge_set (metrics, "test_value", (const char *[]){ "e\xff", NULL }, 2);
  text = rh_metrics_render (metrics);
  g_assert_cmpstr (text, ==,
                   DROPPED_HEAD
                   "# HELP test_value A \"value\", C:\\\\dir\\nsecond line.\n"
                   "# TYPE test_value gauge\n"
                   "test_value{name=\"a\\\"b\\\\c\\nd} 1\"} 1\n"
                   "test_value{name=\"e\xef\xbf\xbd\"} 2\n");
  rh_test_assert_metrics_valid (text);
}

static guint
count_lines_with_prefix (const char *text, const char *prefix)
{
  g_auto (GStrv) lines = g_strsplit (text, "\n", -1);
  guint count = 0;

  for (guint i = 0; lines[i] != NULL; i++)
    count += g_str_has_prefix (lines[i], prefix);
  return count;
}

/* Values from outside cannot grow a family: the series past the bound are
 * dropped and counted, those it holds still count. */
static void
test_series_bound (void)
{
  g_autoptr (RhMetrics) metrics = rh_metrics_new ();
  g_autofree char *text = NULL;

  rh_metrics_declare_counter (metrics, "test_hits_total", "Hits, by path.",
                              (const char *[]){ "path", NULL });
  rh_metrics_declare_histogram (metrics, "test_wait_seconds", "Seconds waited, by path.",
                                (const char *[]){ "path", NULL }, bounds,
                                G_N_ELEMENTS (bounds));
  for (guint i = 0; i < RH_METRICS_MAX_SERIES + 1; i++)
    {
      g_autofree char *path = g_strdup_printf ("/p%u", i);

      rh_metrics_counter_add (metrics, "test_hits_total", (const char *[]){ path, NULL }, 1);
      rh_metrics_histogram_observe (metrics, "test_wait_seconds", (const char *[]){ path, NULL },
                                    0.1);
    }
  rh_metrics_counter_add (metrics, "test_hits_total", (const char *[]){ "/p256", NULL }, 1);
  rh_metrics_counter_add (metrics, "test_hits_total", (const char *[]){ "/p0", NULL }, 1);
  text = rh_metrics_render (metrics);
  g_assert_cmpuint (count_lines_with_prefix (text, "test_hits_total{"), ==,
                    RH_METRICS_MAX_SERIES);
  g_assert_cmpuint (count_lines_with_prefix (text, "test_wait_seconds_count{"), ==,
                    RH_METRICS_MAX_SERIES);
  g_assert_nonnull (strstr (text, "\ntest_hits_total{path=\"/p0\"} 2\n"));
  g_assert_nonnull (strstr (text, "\ntest_hits_total{path=\"/p255\"} 1\n"));
  g_assert_null (strstr (text, "/p256"));
  g_assert_nonnull (strstr (text, "\nrecordhost_metrics_dropped_series_total"
                                  "{family=\"test_hits_total\"} 2\n"));
  g_assert_nonnull (strstr (text, "\nrecordhost_metrics_dropped_series_total"
                                  "{family=\"test_wait_seconds\"} 1\n"));
  rh_test_assert_metrics_valid (text);
}

typedef enum
{
  CALL_COUNTER,
  CALL_GAUGE,
  CALL_HISTOGRAM,
} Call;

typedef struct
{
  const char *name;
  Call call;
  const char *metric;
  const char *const *label_values;
  const char *message; /* the critical's, a pattern */
} MisuseRow;

static const MisuseRow misuse_rows[] = {
  { "too-few-labels", CALL_COUNTER, "test_requests_total", (const char *[]){ "GET", NULL },
    "*test_requests_total takes 2 label values, not 1*" },
  { "too-many-labels", CALL_COUNTER, "test_requests_total",
    (const char *[]){ "GET", "200", "x", NULL }, "*takes 2 label values, not 3*" },
  { "labels-for-none", CALL_GAUGE, "test_rooms", (const char *[]){ "x", NULL },
    "*test_rooms takes 0 label values, not 1*" },
  { "no-labels", CALL_HISTOGRAM, "test_wait_seconds", NULL, "*takes 1 label values, not 0*" },
  { "not-declared", CALL_COUNTER, "test_other_total", NULL, "*no family test_other_total*" },
  { "wrong-kind", CALL_GAUGE, "test_requests_total", (const char *[]){ "GET", "200", NULL },
    "*test_requests_total is a counter, not a gauge*" },
};

/* A caller's mistake is a critical, and changes nothing. */
static void
test_misuse (gconstpointer data)
{
  const MisuseRow *row = data;
  g_autoptr (RhMetrics) metrics = small_registry_new ();
  g_autofree char *before = rh_metrics_render (metrics);
  g_autofree char *after = NULL;

  g_test_expect_message ("recordhost-core", G_LOG_LEVEL_CRITICAL, row->message);
  switch (row->call)
    {
    case CALL_COUNTER:
      rh_metrics_counter_add (metrics, row->metric, row->label_values, 1);
      break;
    case CALL_GAUGE:
      rh_metrics_gauge_set (metrics, row->metric, row->label_values, 1);
      break;
    case CALL_HISTOGRAM:
      rh_metrics_histogram_observe (metrics, row->metric, row->label_values, 1);
      break;
    }
  g_test_assert_expected_messages ();
  after = rh_metrics_render (metrics);
  g_assert_cmpstr (after, ==, before);
}

static void
test_promtool_passes (void)
{
  g_autoptr (RhMetrics) metrics = small_registry_new ();
  g_autofree char *text = rh_metrics_render (metrics);

  rh_test_assert_metrics_valid (text);
}

typedef struct
{
  const char *name;
  const char *text;
  const char *said; /* part of what promtool prints */
} PromtoolRow;

/* The check tells a lint problem, not only a format error. */
static const PromtoolRow promtool_rows[] = {
  { "counter-without-total", "# HELP test_hits Hits.\n# TYPE test_hits counter\ntest_hits 1\n",
    "_total" },
  { "no-help", "# TYPE test_rooms gauge\ntest_rooms 1\n", "no help text" },
  { "newline-in-label", "# HELP test_rooms Rooms.\n# TYPE test_rooms gauge\n"
                        "test_rooms{name=\"a\nb\"} 1\n",
    "new-line" },
};

static void
test_promtool_refuses (gconstpointer data)
{
  const PromtoolRow *row = data;
  g_autofree char *output = NULL;

  g_assert_false (rh_test_promtool_check (row->text, &output));
  if (output != NULL)
    g_assert_nonnull (strstr (output, row->said));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/metrics/render", test_render);
  g_test_add_func ("/metrics/render-unlabelled", test_render_unlabelled);
  g_test_add_func ("/metrics/series-order", test_series_order);
  for (guint i = 0; i < G_N_ELEMENTS (number_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/metrics/number/%s", number_rows[i].name);

      g_test_add_data_func (path, &number_rows[i], test_number);
    }
  g_test_add_func ("/metrics/escape", test_escape);
  g_test_add_func ("/metrics/series-bound", test_series_bound);
  for (guint i = 0; i < G_N_ELEMENTS (misuse_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/metrics/misuse/%s", misuse_rows[i].name);

      g_test_add_data_func (path, &misuse_rows[i], test_misuse);
    }
  g_test_add_func ("/metrics/promtool/passes", test_promtool_passes);
  for (guint i = 0; i < G_N_ELEMENTS (promtool_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/metrics/promtool/refuses/%s",
                                               promtool_rows[i].name);

      g_test_add_data_func (path, &promtool_rows[i], test_promtool_refuses);
    }
  return g_test_run ();
}
