#include "fake-page-host.h"

#include "rh-bridge.h"
#include "rh-route.h"

#define FRAME_WIDTH 64
#define FRAME_HEIGHT 48

struct _FakePageHost
{
  RhPageHost parent_instance;

  char *script;
  char *loaded;
  char *html;
  guint loads;
  guint stops;
  GPtrArray *routes; /* RhRoute, NULL until set */
  guint loads_before_routes;
};

G_DEFINE_FINAL_TYPE (FakePageHost, fake_page_host, RH_TYPE_PAGE_HOST)

static void
fake_page_host_add_user_script (RhPageHost *host, const char *source)
{
  FakePageHost *self = FAKE_PAGE_HOST (host);

  g_free (self->script);
  self->script = g_strdup (source);
}

static void
fake_page_host_load (RhPageHost *host, const char *uri)
{
  FakePageHost *self = FAKE_PAGE_HOST (host);

  self->loads++;
  g_free (self->loaded);
  self->loaded = g_strdup (uri);
  g_clear_pointer (&self->html, g_free);
}

static void
fake_page_host_load_html (RhPageHost *host, const char *html, const char *base_uri)
{
  FakePageHost *self = FAKE_PAGE_HOST (host);

  fake_page_host_load (host, base_uri);
  self->html = g_strdup (html);
}

static void
fake_page_host_set_routes (RhPageHost *host, const GPtrArray *routes)
{
  FakePageHost *self = FAKE_PAGE_HOST (host);

  g_clear_pointer (&self->routes, g_ptr_array_unref);
  self->routes = rh_route_list_copy (routes);
  self->loads_before_routes = self->loads;
}

static void
fake_page_host_stop_loading (RhPageHost *host)
{
  FAKE_PAGE_HOST (host)->stops++;
}

static const char *
fake_page_host_get_user_agent (RhPageHost *host)
{
  return "FakeHost/1.0";
}

static void
fake_page_host_set_frame_interval (RhPageHost *host, guint interval_ms)
{
}

static const char *
fake_page_host_get_engine_name (RhPageHost *host)
{
  return "Fake";
}

static char *
fake_page_host_get_engine_version (RhPageHost *host)
{
  return g_strdup ("1.0");
}

static void
fake_page_host_finalize (GObject *object)
{
  FakePageHost *self = FAKE_PAGE_HOST (object);

  g_free (self->script);
  g_free (self->loaded);
  g_free (self->html);
  g_clear_pointer (&self->routes, g_ptr_array_unref);
  G_OBJECT_CLASS (fake_page_host_parent_class)->finalize (object);
}

/* No script runs in it. */
static const char *
fake_page_host_get_message_channel (RhPageHost *host)
{
  return "null";
}

static void
fake_page_host_class_init (FakePageHostClass *klass)
{
  RhPageHostClass *host_class = RH_PAGE_HOST_CLASS (klass);

  G_OBJECT_CLASS (klass)->finalize = fake_page_host_finalize;
  host_class->add_user_script = fake_page_host_add_user_script;
  host_class->load = fake_page_host_load;
  host_class->load_html = fake_page_host_load_html;
  host_class->stop_loading = fake_page_host_stop_loading;
  host_class->get_user_agent = fake_page_host_get_user_agent;
  host_class->set_frame_interval = fake_page_host_set_frame_interval;
  host_class->get_engine_name = fake_page_host_get_engine_name;
  host_class->get_engine_version = fake_page_host_get_engine_version;
  host_class->get_message_channel = fake_page_host_get_message_channel;
  host_class->set_routes = fake_page_host_set_routes;
}

static void
fake_page_host_init (FakePageHost *self)
{
}

FakePageHost *
fake_page_host_new (void)
{
  return g_object_new (FAKE_TYPE_PAGE_HOST, NULL);
}

const char *
fake_page_host_get_script (FakePageHost *host)
{
  return host->script;
}

const char *
fake_page_host_get_loaded (FakePageHost *host)
{
  return host->loaded;
}

const char *
fake_page_host_get_html (FakePageHost *host)
{
  return host->html;
}

guint
fake_page_host_get_loads (FakePageHost *host)
{
  return host->loads;
}

guint
fake_page_host_get_stops (FakePageHost *host)
{
  return host->stops;
}

const GPtrArray *
fake_page_host_get_routes (FakePageHost *host, guint *loads_before)
{
  *loads_before = host->loads_before_routes;
  return host->routes;
}

/* @json: a bridge message, as the page's script would post it. */
void
fake_page_host_post (FakePageHost *host, const char *json)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = rh_bridge_message_parse (json, &error);

  g_assert_no_error (error);
  rh_page_host_emit_bridge_message (RH_PAGE_HOST (host), message);
}

/* A white frame, or one with a dark bar on the left. */
void
fake_page_host_paint (FakePageHost *host, gboolean blank)
{
  g_autofree guint32 *pixels = g_new (guint32, FRAME_WIDTH * FRAME_HEIGHT);
  RhFrame frame = { (const guint8 *) pixels, FRAME_WIDTH * 4, FRAME_WIDTH, FRAME_HEIGHT,
                    g_get_monotonic_time () };

  for (guint i = 0; i < FRAME_WIDTH * FRAME_HEIGHT; i++)
    pixels[i] = !blank && i % FRAME_WIDTH < 8 ? 0xff1f3b73 : 0xffffffff;
  rh_page_host_emit_frame (RH_PAGE_HOST (host), &frame);
}

void
fake_page_host_load_event (FakePageHost *host, RhPageLoadEvent event, guint status)
{
  rh_page_host_emit_load_event (RH_PAGE_HOST (host), event, host->loaded, status);
}

void
fake_page_host_load_page (FakePageHost *host, guint status)
{
  fake_page_host_load_event (host, RH_PAGE_LOAD_STARTED, 0);
  fake_page_host_load_event (host, RH_PAGE_LOAD_COMMITTED, status);
  fake_page_host_load_event (host, RH_PAGE_LOAD_FINISHED, 0);
}
