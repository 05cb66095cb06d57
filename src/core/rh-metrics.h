/* Metrics in the Prometheus text format (version 0.0.4): families of
 * counters, gauges and histograms declared once with their label names, a
 * series a tuple of label values, and the exposition text of them all.  A
 * family holds at most RH_METRICS_MAX_SERIES series, so that values from
 * outside cannot grow it: samples of a new tuple past that are dropped and
 * counted in RH_METRICS_DROPPED_SERIES, by family.  Counted, so that what
 * reports to it from signal handlers (a server's requests) may keep it. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define RH_METRICS_MAX_SERIES 256
#define RH_METRICS_DROPPED_SERIES "recordhost_metrics_dropped_series_total"

typedef struct _RhMetrics RhMetrics;

RhMetrics *rh_metrics_new   (void);
RhMetrics *rh_metrics_ref   (RhMetrics *metrics);
void       rh_metrics_unref (RhMetrics *metrics);

/* @label_names: NULL-terminated, or NULL for none.  A family without
 * labels has its one series, at 0, from its declaration.  @bounds: the
 * histogram's upper bounds, increasing, +Inf left out. */
void rh_metrics_declare_counter   (RhMetrics *metrics, const char *name, const char *help,
                                   const char *const *label_names);
void rh_metrics_declare_gauge     (RhMetrics *metrics, const char *name, const char *help,
                                   const char *const *label_names);
void rh_metrics_declare_histogram (RhMetrics *metrics, const char *name, const char *help,
                                   const char *const *label_names, const double *bounds,
                                   guint n_bounds);

/* @label_values: NULL-terminated, one a label name of the family, or NULL
 * for a family without labels. */
void rh_metrics_counter_add       (RhMetrics *metrics, const char *name,
                                   const char *const *label_values, double value);
void rh_metrics_gauge_set         (RhMetrics *metrics, const char *name,
                                   const char *const *label_values, double value);
void rh_metrics_histogram_observe (RhMetrics *metrics, const char *name,
                                   const char *const *label_values, double value);

/* Families in the order declared, series in the order of their label values. */
char *rh_metrics_render (RhMetrics *metrics);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhMetrics, rh_metrics_unref)

G_END_DECLS
