#include "rh-metrics.h"

#include <math.h>
#include <string.h>

typedef enum
{
  KIND_COUNTER,
  KIND_GAUGE,
  KIND_HISTOGRAM,
} Kind;

static const char *const kind_names[] = { "counter", "gauge", "histogram" };

typedef struct
{
  char **label_values; /* valid UTF-8 */
  double value;        /* a counter's or a gauge's; a histogram's sum */
  guint64 *buckets;    /* a histogram's observations in each bound, not cumulative */
  guint64 count;       /* a histogram's observations */
} Series;

typedef struct
{
  Kind kind;
  char *name;
  char *help;
  char **label_names;
  guint n_labels;
  double *bounds;
  guint n_bounds;
  GHashTable *series; /* key of the label values -> Series */
} Family;

struct _RhMetrics
{
  grefcount ref_count;
  GPtrArray *families; /* Family, in the order declared */
  GHashTable *by_name; /* name -> Family */
};

static void
series_free (gpointer data)
{
  Series *series = data;

  g_strfreev (series->label_values);
  g_free (series->buckets);
  g_free (series);
}

static void
family_free (gpointer data)
{
  Family *family = data;

  g_free (family->name);
  g_free (family->help);
  g_strfreev (family->label_names);
  g_free (family->bounds);
  g_hash_table_unref (family->series);
  g_free (family);
}

RhMetrics *
rh_metrics_new (void)
{
  RhMetrics *metrics = g_new0 (RhMetrics, 1);

  g_ref_count_init (&metrics->ref_count);
  metrics->families = g_ptr_array_new_with_free_func (family_free);
  metrics->by_name = g_hash_table_new (g_str_hash, g_str_equal);
  rh_metrics_declare_counter (metrics, RH_METRICS_DROPPED_SERIES,
                              "Samples dropped because their family held as many series as it "
                              "may, by family.",
                              (const char *[]){ "family", NULL });
  return metrics;
}

RhMetrics *
rh_metrics_ref (RhMetrics *metrics)
{
  g_ref_count_inc (&metrics->ref_count);
  return metrics;
}

void
rh_metrics_unref (RhMetrics *metrics)
{
  if (metrics == NULL || !g_ref_count_dec (&metrics->ref_count))
    return;
  g_hash_table_unref (metrics->by_name);
  g_ptr_array_unref (metrics->families);
  g_free (metrics);
}

/* [a-zA-Z_:][a-zA-Z0-9_:]* for a metric, the same without ':' for a label. */
static gboolean
is_name (const char *name, gboolean metric)
{
  if (name == NULL || !(g_ascii_isalpha (*name) || *name == '_' || (metric && *name == ':')))
    return FALSE;
  for (const char *p = name + 1; *p != '\0'; p++)
    if (!(g_ascii_isalnum (*p) || *p == '_' || (metric && *p == ':')))
      return FALSE;
  return TRUE;
}

/* A new series: its values made valid UTF-8 first, as the format wants. */
static char *
series_key (const char *const *label_values, char ***valid)
{
  guint n = label_values != NULL ? g_strv_length ((char **) label_values) : 0;
  GString *key = g_string_new (NULL);

  *valid = g_new0 (char *, n + 1);
  for (guint i = 0; i < n; i++)
    {
      (*valid)[i] = g_utf8_make_valid (label_values[i], -1);
      /* Length-prefixed: no value can pass for two. */
      g_string_append_printf (key, "%zu:%s", strlen ((*valid)[i]), (*valid)[i]);
    }
  return g_string_free (key, FALSE);
}

static Series *
find_series (RhMetrics *metrics, Family *family, const char *const *label_values)
{
  g_auto (GStrv) valid = NULL;
  g_autofree char *key = series_key (label_values, &valid);
  Series *series = g_hash_table_lookup (family->series, key);

  if (series != NULL)
    return series;
  if (g_hash_table_size (family->series) >= RH_METRICS_MAX_SERIES)
    {
      if (!g_str_equal (family->name, RH_METRICS_DROPPED_SERIES))
        rh_metrics_counter_add (metrics, RH_METRICS_DROPPED_SERIES,
                                (const char *[]){ family->name, NULL }, 1);
      return NULL;
    }
  series = g_new0 (Series, 1);
  series->label_values = g_steal_pointer (&valid);
  if (family->kind == KIND_HISTOGRAM)
    series->buckets = g_new0 (guint64, family->n_bounds);
  g_hash_table_insert (family->series, g_steal_pointer (&key), series);
  return series;
}

static Family *
declare (RhMetrics *metrics, Kind kind, const char *name, const char *help,
         const char *const *label_names)
{
  Family *family;

  g_return_val_if_fail (metrics != NULL, NULL);
  g_return_val_if_fail (is_name (name, TRUE), NULL);
  g_return_val_if_fail (help != NULL && g_utf8_validate (help, -1, NULL), NULL);
  g_return_val_if_fail (!g_hash_table_contains (metrics->by_name, name), NULL);
  /* What promtool's lint asks of a counter. */
  g_return_val_if_fail (kind != KIND_COUNTER || g_str_has_suffix (name, "_total"), NULL);
  for (guint i = 0; label_names != NULL && label_names[i] != NULL; i++)
    {
      g_return_val_if_fail (is_name (label_names[i], FALSE), NULL);
      /* Reserved: Prometheus' own, and a histogram's bound. */
      g_return_val_if_fail (!g_str_has_prefix (label_names[i], "__"), NULL);
      g_return_val_if_fail (kind != KIND_HISTOGRAM || !g_str_equal (label_names[i], "le"), NULL);
    }
  family = g_new0 (Family, 1);
  family->kind = kind;
  family->name = g_strdup (name);
  family->help = g_strdup (help);
  family->label_names = g_strdupv ((char **) label_names);
  family->n_labels = label_names != NULL ? g_strv_length ((char **) label_names) : 0;
  family->series = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, series_free);
  g_ptr_array_add (metrics->families, family);
  g_hash_table_insert (metrics->by_name, family->name, family);
  return family;
}

void
rh_metrics_declare_counter (RhMetrics *metrics, const char *name, const char *help,
                            const char *const *label_names)
{
  Family *family = declare (metrics, KIND_COUNTER, name, help, label_names);

  if (family != NULL && family->n_labels == 0)
    find_series (metrics, family, NULL);
}

void
rh_metrics_declare_gauge (RhMetrics *metrics, const char *name, const char *help,
                          const char *const *label_names)
{
  Family *family = declare (metrics, KIND_GAUGE, name, help, label_names);

  if (family != NULL && family->n_labels == 0)
    find_series (metrics, family, NULL);
}

void
rh_metrics_declare_histogram (RhMetrics *metrics, const char *name, const char *help,
                              const char *const *label_names, const double *bounds,
                              guint n_bounds)
{
  Family *family;

  g_return_if_fail (bounds != NULL || n_bounds == 0);
  for (guint i = 0; i < n_bounds; i++)
    g_return_if_fail (isfinite (bounds[i]) && (i == 0 || bounds[i] > bounds[i - 1]));
  family = declare (metrics, KIND_HISTOGRAM, name, help, label_names);
  if (family == NULL)
    return;
  family->bounds = g_memdup2 (bounds, n_bounds * sizeof *bounds);
  family->n_bounds = n_bounds;
  if (family->n_labels == 0)
    find_series (metrics, family, NULL);
}

/* The series @label_values name in family @name of @kind, or NULL: none
 * such declared (a critical: the caller's mistake), or no room for it. */
static Series *
lookup (RhMetrics *metrics, const char *name, Kind kind, const char *const *label_values)
{
  Family *family;
  guint n_values = label_values != NULL ? g_strv_length ((char **) label_values) : 0;

  g_return_val_if_fail (metrics != NULL, NULL);
  g_return_val_if_fail (name != NULL, NULL);
  family = g_hash_table_lookup (metrics->by_name, name);
  if (family == NULL)
    {
      g_critical ("metrics: no family %s declared", name);
      return NULL;
    }
  if (family->kind != kind)
    {
      g_critical ("metrics: %s is a %s, not a %s", name, kind_names[family->kind],
                  kind_names[kind]);
      return NULL;
    }
  if (n_values != family->n_labels)
    {
      g_critical ("metrics: %s takes %u label values, not %u", name, family->n_labels,
                  n_values);
      return NULL;
    }
  return find_series (metrics, family, label_values);
}

void
rh_metrics_counter_add (RhMetrics *metrics, const char *name, const char *const *label_values,
                        double value)
{
  Series *series;

  /* A counter only goes up (NaN fails too). */
  g_return_if_fail (value >= 0);
  series = lookup (metrics, name, KIND_COUNTER, label_values);
  if (series != NULL)
    series->value += value;
}

void
rh_metrics_gauge_set (RhMetrics *metrics, const char *name, const char *const *label_values,
                      double value)
{
  Series *series = lookup (metrics, name, KIND_GAUGE, label_values);

  if (series != NULL)
    series->value = value;
}

void
rh_metrics_histogram_observe (RhMetrics *metrics, const char *name,
                              const char *const *label_values, double value)
{
  Series *series;
  Family *family;

  g_return_if_fail (!isnan (value));
  series = lookup (metrics, name, KIND_HISTOGRAM, label_values);
  if (series == NULL)
    return;
  family = g_hash_table_lookup (metrics->by_name, name);
  /* Past the last bound it counts in +Inf alone, which is the count. */
  for (guint i = 0; i < family->n_bounds; i++)
    if (value <= family->bounds[i])
      {
        series->buckets[i]++;
        break;
      }
  series->value += value;
  series->count++;
}

/* ---- the text format ---- */

/* Integers as integers; anything else in the fewest digits that read back
 * as the same double, so that a bound reads le="0.025" as queries write it. */
static void
append_number (GString *out, double value)
{
  static const char *const formats[] = { "%.15g", "%.16g" };
  char buffer[G_ASCII_DTOSTR_BUF_SIZE];

  if (isnan (value))
    {
      g_string_append (out, "NaN");
      return;
    }
  if (isinf (value))
    {
      g_string_append (out, value > 0 ? "+Inf" : "-Inf");
      return;
    }
  if (value > -1e15 && value < 1e15 && value == (double) (gint64) value)
    {
      g_string_append_printf (out, "%" G_GINT64_FORMAT, (gint64) value);
      return;
    }
  for (guint i = 0; i < G_N_ELEMENTS (formats); i++)
    if (g_ascii_strtod (g_ascii_formatd (buffer, sizeof buffer, formats[i], value), NULL)
        == value)
      {
        g_string_append (out, buffer);
        return;
      }
  g_string_append (out, g_ascii_dtostr (buffer, sizeof buffer, value));
}

/* HELP escapes backslash and newline; a label value its double quote too. */
static void
append_escaped (GString *out, const char *text, gboolean quote)
{
  for (const char *p = text; *p != '\0'; p++)
    if (*p == '\\')
      g_string_append (out, "\\\\");
    else if (*p == '\n')
      g_string_append (out, "\\n");
    else if (*p == '"' && quote)
      g_string_append (out, "\\\"");
    else
      g_string_append_c (out, *p);
}

/* The series' name with @suffix, its labels and @le, if any. */
static void
append_sample_name (GString *out, const Family *family, const char *suffix,
                    const Series *series, const char *le)
{
  g_string_append (out, family->name);
  g_string_append (out, suffix);
  if (family->n_labels == 0 && le == NULL)
    return;
  g_string_append_c (out, '{');
  for (guint i = 0; i < family->n_labels; i++)
    {
      g_string_append_printf (out, "%s%s=\"", i > 0 ? "," : "", family->label_names[i]);
      append_escaped (out, series->label_values[i], TRUE);
      g_string_append_c (out, '"');
    }
  if (le != NULL)
    g_string_append_printf (out, "%sle=\"%s\"", family->n_labels > 0 ? "," : "", le);
  g_string_append_c (out, '}');
}

static void
append_histogram (GString *out, const Family *family, const Series *series)
{
  guint64 cumulative = 0;

  for (guint i = 0; i < family->n_bounds; i++)
    {
      g_autoptr (GString) le = g_string_new (NULL);

      append_number (le, family->bounds[i]);
      cumulative += series->buckets[i];
      append_sample_name (out, family, "_bucket", series, le->str);
      g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", cumulative);
    }
  append_sample_name (out, family, "_bucket", series, "+Inf");
  g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", series->count);
  append_sample_name (out, family, "_sum", series, NULL);
  g_string_append_c (out, ' ');
  append_number (out, series->value);
  g_string_append_c (out, '\n');
  append_sample_name (out, family, "_count", series, NULL);
  g_string_append_printf (out, " %" G_GUINT64_FORMAT "\n", series->count);
}

static gint
compare_series (gconstpointer a, gconstpointer b, gpointer user_data)
{
  const Series *first = *(Series *const *) a, *second = *(Series *const *) b;
  const Family *family = user_data;

  for (guint i = 0; i < family->n_labels; i++)
    {
      int order = strcmp (first->label_values[i], second->label_values[i]);

      if (order != 0)
        return order;
    }
  return 0;
}

char *
rh_metrics_render (RhMetrics *metrics)
{
  GString *out = g_string_new (NULL);

  g_return_val_if_fail (metrics != NULL, NULL);
  for (guint f = 0; f < metrics->families->len; f++)
    {
      const Family *family = g_ptr_array_index (metrics->families, f);
      g_autoptr (GPtrArray) sorted = g_ptr_array_new ();
      GHashTableIter iter;
      gpointer series;

      g_string_append_printf (out, "# HELP %s ", family->name);
      append_escaped (out, family->help, FALSE);
      g_string_append_printf (out, "\n# TYPE %s %s\n", family->name, kind_names[family->kind]);
      g_hash_table_iter_init (&iter, family->series);
      while (g_hash_table_iter_next (&iter, NULL, &series))
        g_ptr_array_add (sorted, series);
      g_ptr_array_sort_with_data (sorted, compare_series, (gpointer) family);
      for (guint i = 0; i < sorted->len; i++)
        {
          const Series *sample = g_ptr_array_index (sorted, i);

          if (family->kind == KIND_HISTOGRAM)
            {
              append_histogram (out, family, sample);
              continue;
            }
          append_sample_name (out, family, "", sample, NULL);
          g_string_append_c (out, ' ');
          append_number (out, sample->value);
          g_string_append_c (out, '\n');
        }
    }
  return g_string_free (out, FALSE);
}
