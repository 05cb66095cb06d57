/* A page host with no engine, driven by the test: it records what it is
 * asked to do and emits what a test tells it to. */
#pragma once

#include "rh-page-host.h"

G_BEGIN_DECLS

#define FAKE_TYPE_PAGE_HOST (fake_page_host_get_type ())
G_DECLARE_FINAL_TYPE (FakePageHost, fake_page_host, FAKE, PAGE_HOST, RhPageHost)

FakePageHost *fake_page_host_new (void);

/* What the watch asked for. */
const char   *fake_page_host_get_script  (FakePageHost *host); /* the last one added */
const char   *fake_page_host_get_loaded  (FakePageHost *host); /* the last URI or base URI */
const char   *fake_page_host_get_html    (FakePageHost *host); /* NULL unless load_html */
guint         fake_page_host_get_loads   (FakePageHost *host);
guint         fake_page_host_get_stops   (FakePageHost *host);
/* The routes last set (RhRoute), NULL if none were; @loads_before: how many
 * loads had been asked for then. */
const GPtrArray *fake_page_host_get_routes (FakePageHost *host, guint *loads_before);

/* What the engine would say. */
void          fake_page_host_post        (FakePageHost *host, const char *json);
void          fake_page_host_paint       (FakePageHost *host, gboolean blank);
void          fake_page_host_load_event  (FakePageHost *host, RhPageLoadEvent event,
                                          guint status);
/* The four load events of a load that worked, answered HTTP @status. */
void          fake_page_host_load_page   (FakePageHost *host, guint status);

G_END_DECLS
