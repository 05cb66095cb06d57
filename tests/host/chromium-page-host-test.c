/* RhChromiumPageHost on Debian's headless Chromium: routes, set before its
 * target is set up or after it, send the page's own subresources to their
 * route; routes taken away leave them alone.  And on a browser that does
 * now and then what Chromium does under load (fake-chromium.py): answers
 * a target's set-up out of order, or lets its screencast fall silent. */
#include <cairo.h>
#include <string.h>

#include "rh-chromium-browser.h"
#include "rh-chromium-page-host.h"
#include "rh-route.h"
#include "test-utils.h"

#define WAIT_S 60

typedef struct
{
  SoupServer *server; /* the route's target: a picture at any path */
  char *base;         /* http://127.0.0.1:PORT */
  guint requests;     /* that it answered */
  RhPageHost *host;
  GHashTable *urls; /* resource id -> its URL */
  char *watched;    /* the URL of the resource waited for */
  gboolean ended;   /* ... finished or failed */
  guint status;     /* ... its HTTP status, 0 when it failed */
  gboolean loaded;  /* a document finished loading */
  GError *load_error;    /* a load failed */
  gboolean painted;      /* a frame not all white came */
} Fixture;

static void
picture_cb (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
            gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->requests++;
  soup_message_headers_replace (soup_server_message_get_response_headers (msg), "Cache-Control",
                                "no-store");
  soup_server_message_set_response (msg, "image/png", SOUP_MEMORY_STATIC, (const char *)rh_test_picture_png,
                                    rh_test_picture_png_size);
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
}

static void
resource_started_cb (RhPageHost *host, guint64 id, const char *uri, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_hash_table_insert (fixture->urls, g_memdup2 (&id, sizeof id), g_strdup (uri));
}

static void
resource_ended (Fixture *fixture, guint64 id, guint status)
{
  const char *url = g_hash_table_lookup (fixture->urls, &id);

  if (g_strcmp0 (url, fixture->watched) != 0)
    return;
  fixture->ended = TRUE;
  fixture->status = status;
}

static void
resource_finished_cb (RhPageHost *host, guint64 id, guint status, gpointer user_data)
{
  resource_ended (user_data, id, status);
}

static void
resource_failed_cb (RhPageHost *host, guint64 id, GError *error, gpointer user_data)
{
  resource_ended (user_data, id, 0);
}

static void
load_event_cb (RhPageHost *host, RhPageLoadEvent event, const char *uri, guint status,
               gpointer user_data)
{
  if (event == RH_PAGE_LOAD_FINISHED)
    ((Fixture *)user_data)->loaded = TRUE;
}

static void
load_failed_cb (RhPageHost *host, const char *uri, GError *error, gboolean tls,
                gpointer user_data)
{
  Fixture *fixture = user_data;

  g_clear_error (&fixture->load_error);
  fixture->load_error = g_error_copy (error);
}

static void
frame_cb (RhPageHost *host, RhFrame *frame, gpointer user_data)
{
  /* The pictures here are of one colour: the first pixel tells. */
  if (*(const guint32 *)frame->data != 0xffffffff)
    ((Fixture *)user_data)->painted = TRUE;
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->server = rh_test_server_new (picture_cb, fixture, &fixture->base);
  fixture->urls = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_free);
  fixture->host = rh_chromium_page_host_new (320, 240, NULL, FALSE, &error);
  g_assert_no_error (error);
  g_signal_connect (fixture->host, "resource-started", G_CALLBACK (resource_started_cb), fixture);
  g_signal_connect (fixture->host, "resource-finished", G_CALLBACK (resource_finished_cb), fixture);
  g_signal_connect (fixture->host, "resource-failed", G_CALLBACK (resource_failed_cb), fixture);
  g_signal_connect (fixture->host, "load-event", G_CALLBACK (load_event_cb), fixture);
  g_signal_connect (fixture->host, "load-failed", G_CALLBACK (load_failed_cb), fixture);
  g_signal_connect (fixture->host, "frame", G_CALLBACK (frame_cb), fixture);
}

/* A 320x240 PNG of one colour, in the test's directory. */
static char *
write_picture (const char *name, double red, double green, double blue)
{
  char *path = g_build_filename (rh_test_tmpdir (), name, NULL);
  cairo_surface_t *surface = cairo_image_surface_create (CAIRO_FORMAT_RGB24, 320, 240);
  cairo_t *cr = cairo_create (surface);

  cairo_set_source_rgb (cr, red, green, blue);
  cairo_paint (cr);
  cairo_destroy (cr);
  g_assert_cmpint (cairo_surface_write_to_png (surface, path), ==, CAIRO_STATUS_SUCCESS);
  cairo_surface_destroy (surface);
  return path;
}

static void
fake_setup (Fixture *fixture, gconstpointer data)
{
  g_autofree char *fake = g_test_build_filename (G_TEST_DIST, "host", "fake-chromium.py", NULL);
  g_autofree char *blank = write_picture ("blank.png", 1, 1, 1);
  g_autofree char *painted = write_picture ("painted.png", 1, 0, 0);
  g_autofree char *screenshots = g_build_filename (rh_test_tmpdir (), "screenshots", NULL);

  g_setenv (RH_CHROMIUM_ENV, fake, TRUE);
  g_setenv ("FAKE_CHROMIUM_BLANK", blank, TRUE);
  g_setenv ("FAKE_CHROMIUM_PAINTED", painted, TRUE);
  g_setenv ("FAKE_CHROMIUM_SCREENSHOTS", screenshots, TRUE);
  fixture_setup (fixture, data);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->host);
  soup_server_disconnect (fixture->server);
  g_object_unref (fixture->server);
  g_free (fixture->base);
  g_hash_table_unref (fixture->urls);
  g_free (fixture->watched);
  g_clear_error (&fixture->load_error);
  g_unsetenv (RH_CHROMIUM_ENV);
}

/* cdn.routed.test to the fixture's server, or no route when !@routed. */
static void
set_routes (Fixture *fixture, gboolean routed)
{
  g_autoptr (GPtrArray) routes = rh_route_list_new ();
  g_autofree char *route = g_strdup_printf ("cdn.routed.test=%s/cdn", fixture->base);

  if (routed)
    g_ptr_array_add (routes, rh_route_parse (route, NULL));
  rh_page_host_set_routes (fixture->host, routes);
}

static gboolean
loaded (gpointer user_data)
{
  return ((Fixture *)user_data)->loaded;
}

static gboolean
ended (gpointer user_data)
{
  return ((Fixture *)user_data)->ended;
}

/* A document with an <img> of @url: its HTTP status, 0 when it did not
 * load. */
static guint
load_picture (Fixture *fixture, const char *url)
{
  g_autofree char *html = g_strdup_printf ("<img src=\"%s\">", url);

  g_free (fixture->watched);
  fixture->watched = g_strdup (url);
  fixture->ended = FALSE;
  rh_page_host_load_html (fixture->host, html, NULL);
  g_assert_true (rh_test_wait_until (ended, fixture, WAIT_S));
  return fixture->status;
}

/* Set with the host, before its target exists: in force from the first
 * load. */
static void
test_before_set_up (Fixture *fixture, gconstpointer data)
{
  set_routes (fixture, TRUE);
  g_assert_cmpuint (load_picture (fixture, "http://cdn.routed.test/picture.png"), ==, 200);
  g_assert_cmpuint (fixture->requests, ==, 1);
  /* An https URL goes to an http route (--sdk-api local's). */
  g_assert_cmpuint (load_picture (fixture, "https://cdn.routed.test/picture.png"), ==, 200);
  g_assert_cmpuint (fixture->requests, ==, 2);
}

/* Set once the target runs a page, then taken away. */
static void
test_after_set_up (Fixture *fixture, gconstpointer data)
{
  rh_page_host_load_html (fixture->host, "<p>first</p>", NULL);
  g_assert_true (rh_test_wait_until (loaded, fixture, WAIT_S));
  set_routes (fixture, TRUE);
  g_assert_cmpuint (load_picture (fixture, "http://cdn.routed.test/picture.png?1"), ==, 200);
  g_assert_cmpuint (fixture->requests, ==, 1);
  set_routes (fixture, FALSE);
  g_assert_cmpuint (load_picture (fixture, "http://cdn.routed.test/picture.png?2"), ==, 0);
  g_assert_cmpuint (fixture->requests, ==, 1);
}

static gboolean
loaded_or_failed (gpointer user_data)
{
  Fixture *fixture = user_data;

  return fixture->loaded || fixture->load_error != NULL;
}

static gboolean
painted (gpointer user_data)
{
  return ((Fixture *)user_data)->painted;
}

/* The browser answers the bridge's script last: the load waits for that
 * answer, not for the last command sent (which the fake fails a load
 * before). */
static void
test_set_up_out_of_order (Fixture *fixture, gconstpointer data)
{
  rh_page_host_add_user_script (fixture->host, "window.bridged = true;");
  rh_page_host_load (fixture->host, "http://page.test/");
  g_assert_true (rh_test_wait_until (loaded_or_failed, fixture, WAIT_S));
  g_assert_no_error (fixture->load_error);
  g_assert_true (fixture->loaded);
}

/* The screencast sent a blank picture and fell silent: the page as it is
 * is asked for, then less and less often while it stays the same (at 0.25,
 * 0.75, 1.75 and 3.75 s after the painted one, then every 4 s), never in a
 * loop once the wait is at its longest. */
static void
test_silent_screencast (Fixture *fixture, gconstpointer data)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "screenshots", NULL);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;

  rh_page_host_load (fixture->host, "http://page.test/");
  g_assert_true (rh_test_wait_until (painted, fixture, WAIT_S));
  g_assert_true (g_file_get_contents (path, &before, NULL, NULL));
  rh_test_keep_running (5000);
  g_assert_true (g_file_get_contents (path, &after, NULL, NULL));
  g_test_message ("screenshots: %s when painted, %s 5 s later", before, after);
  g_assert_cmpint (g_ascii_strtoll (after, NULL, 10) - g_ascii_strtoll (before, NULL, 10), <=, 5);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add ("/chromium-page-host/routes/before-set-up", Fixture, NULL, fixture_setup,
              test_before_set_up, fixture_teardown);
  g_test_add ("/chromium-page-host/routes/after-set-up", Fixture, NULL, fixture_setup,
              test_after_set_up, fixture_teardown);
  g_test_add ("/chromium-page-host/set-up/out-of-order", Fixture, NULL, fake_setup,
              test_set_up_out_of_order, fixture_teardown);
  g_test_add ("/chromium-page-host/frames/silent-screencast", Fixture, NULL, fake_setup,
              test_silent_screencast, fixture_teardown);
  return g_test_run ();
}
