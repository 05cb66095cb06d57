/* RhWpePageHost, the real engine, on a page of tests/pages: the page loads,
 * the bridge's messages and frames arrive, in the host's signals. */
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "rh-bridge-script.h"
#include "rh-wpe-page-host.h"
#include "test-utils.h"

typedef struct
{
  GArray *load_events;   /* RhPageLoadEvent */
  char *committed_uri;
  GPtrArray *kinds;      /* char *: of the bridge's messages */
  gboolean done;         /* the page said "outside-done" */
  guint frames;
  guint failures;
} Seen;

static void
load_event_cb (RhPageHost *host, RhPageLoadEvent event, const char *uri, guint status,
               gpointer user_data)
{
  Seen *seen = user_data;

  g_array_append_val (seen->load_events, event);
  if (event == RH_PAGE_LOAD_COMMITTED)
    {
      g_free (seen->committed_uri);
      seen->committed_uri = g_strdup (uri);
      g_assert_cmpuint (status, ==, 0); /* file: has no HTTP status */
    }
}

static void
load_failed_cb (RhPageHost *host, const char *uri, GError *error, gboolean tls,
                gpointer user_data)
{
  ((Seen *) user_data)->failures++;
}

static void
bridge_message_cb (RhPageHost *host, JsonObject *message, gpointer user_data)
{
  Seen *seen = user_data;

  g_ptr_array_add (seen->kinds, g_strdup (rh_bridge_message_kind (message)));
  if (rh_bridge_message_get_kind (message) == RH_BRIDGE_KIND_CONSOLE
      && g_strcmp0 (rh_bridge_message_get_string (message, "text"), "outside-done") == 0)
    seen->done = TRUE;
}

static void
frame_cb (RhPageHost *host, RhFrame *frame, gpointer user_data)
{
  Seen *seen = user_data;

  g_assert_cmpuint (frame->width, ==, 320);
  g_assert_cmpuint (frame->height, ==, 240);
  seen->frames++;
}

static gboolean
seen_all (gpointer user_data)
{
  Seen *seen = user_data;

  return seen->failures > 0
         || (seen->done && seen->frames > 0 && seen->load_events->len > 0
             && g_array_index (seen->load_events, RhPageLoadEvent,
                               seen->load_events->len - 1) == RH_PAGE_LOAD_FINISHED);
}

static gboolean
has_kind (Seen *seen, const char *kind)
{
  return g_ptr_array_find_with_equal_func (seen->kinds, kind, g_str_equal, NULL);
}

static void
test_load (void)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "pages", "outside-text.html",
                                                 NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageHost) host = rh_wpe_page_host_new (320, 240, NULL, FALSE, &error);
  g_autofree char *script = NULL;
  g_autofree char *version = NULL;
  Seen seen = { g_array_new (FALSE, FALSE, sizeof (RhPageLoadEvent)), NULL,
                g_ptr_array_new_with_free_func (g_free), FALSE, 0, 0 };

  g_assert_no_error (error);
  script = rh_bridge_script_build (rh_page_host_get_message_channel (host), RH_WEBRTC_ABSENT,
                                   NULL, NULL, FALSE, FALSE, &error);
  g_assert_no_error (error);
  rh_page_host_add_user_script (host, script);
  g_signal_connect (host, "load-event", G_CALLBACK (load_event_cb), &seen);
  g_signal_connect (host, "load-failed", G_CALLBACK (load_failed_cb), &seen);
  g_signal_connect (host, "bridge-message", G_CALLBACK (bridge_message_cb), &seen);
  g_signal_connect (host, "frame", G_CALLBACK (frame_cb), &seen);
  rh_page_host_load (host, uri);
  g_assert_true (rh_test_wait_until (seen_all, &seen, 60));

  g_assert_cmpuint (seen.failures, ==, 0);
  g_assert_cmpint (g_array_index (seen.load_events, RhPageLoadEvent, 0), ==,
                   RH_PAGE_LOAD_STARTED);
  g_assert_cmpstr (seen.committed_uri, ==, uri);
  g_assert_true (has_kind (&seen, "dom-content-loaded"));
  g_assert_true (has_kind (&seen, "error")); /* the page's uncaught error */
  g_assert_cmpuint (seen.frames, >, 0);

  g_assert_cmpstr (rh_page_host_get_engine_name (host), ==, "WPE WebKit");
  version = rh_page_host_get_engine_version (host);
  g_assert_true (g_regex_match_simple ("^[0-9]+\\.[0-9]+\\.[0-9]+$", version, 0, 0));
  g_assert_nonnull (strstr (rh_page_host_get_user_agent (host), "AppleWebKit"));

  g_signal_handlers_disconnect_by_data (host, &seen);
  g_array_unref (seen.load_events);
  g_free (seen.committed_uri);
  g_ptr_array_unref (seen.kinds);
}

/* Frames as a test sees them: how many, and the last one's. */
typedef struct
{
  guint count;
  guint width;
  guint height;
  guint32 hash;
  gint64 time_us;
} Frames;

static void
frames_add (Frames *frames, const RhFrame *frame)
{
  guint32 hash = 2166136261u;

  for (guint y = 0; y < frame->height; y++)
    for (guint x = 0; x < frame->width * 4; x++)
      hash = (hash ^ frame->data[(gsize) y * frame->stride + x]) * 16777619u;
  frames->count++;
  frames->width = frame->width;
  frames->height = frame->height;
  frames->hash = hash;
  frames->time_us = frame->time_us;
}

static void
shown_cb (RhPageHost *host, RhFrame *frame, gpointer user_data)
{
  frames_add (user_data, frame);
}

static void
read_cb (const RhFrame *frame, gpointer user_data)
{
  frames_add (user_data, frame);
}

/* Painted, then still for half a second. */
static gboolean
painted_and_still (gpointer user_data)
{
  Frames *shown = user_data;

  return shown->count > 0 && g_get_monotonic_time () - shown->time_us > G_USEC_PER_SEC / 2;
}

/* Connects @shown to @host's frames, loads a page and waits until it is
 * painted and still. */
static void
show_still_page (RhPageHost *host, Frames *shown)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "pages", "outside-text.html",
                                                 NULL);
  g_autofree char *uri = g_filename_to_uri (path, NULL, NULL);

  g_signal_connect (host, "frame", G_CALLBACK (shown_cb), shown);
  rh_page_host_load (host, uri);
  g_assert_true (rh_test_wait_until (painted_and_still, shown, 60));
}

/* The frame read is the last one shown, at the host's 320x240. */
static void
assert_read_is_shown (const Frames *read, const Frames *shown)
{
  g_assert_cmpuint (read->width, ==, 320);
  g_assert_cmpuint (read->height, ==, 240);
  g_assert_cmpuint (read->hash, ==, shown->hash);
  g_assert_cmpint (read->time_us, ==, shown->time_us);
}

/* The frame on screen is read again, the same pixels and time as the last
 * frame the signal carried, without a new frame; nothing before the first. */
static void
test_read_frame (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageHost) host = rh_wpe_page_host_new (320, 240, NULL, FALSE, &error);
  Frames shown = { 0 };
  Frames read = { 0 };
  guint count;

  g_assert_no_error (error);
  g_assert_false (rh_page_host_read_frame (host, read_cb, &read));
  g_assert_cmpuint (read.count, ==, 0);
  show_still_page (host, &shown);
  count = shown.count;

  for (guint i = 1; i <= 2; i++)
    {
      g_assert_true (rh_page_host_read_frame (host, read_cb, &read));
      g_assert_cmpuint (read.count, ==, i);
      assert_read_is_shown (&read, &shown);
    }
  g_assert_cmpuint (shown.count, ==, count);
  g_signal_handlers_disconnect_by_data (host, &shown);
}

/* SIGKILLs this process's web processes; returns how many. */
static guint
kill_web_processes (void)
{
  g_autoptr (GArray) pids = rh_test_web_processes (getpid ());

  for (guint i = 0; i < pids->len; i++)
    kill (g_array_index (pids, GPid, i), SIGKILL);
  return pids->len;
}

static void
terminated_cb (RhPageHost *host, gboolean crashed, const char *reason, gpointer user_data)
{
  *(gint64 *) user_data = g_get_monotonic_time ();
}

/* A second after the crash was told: the engine has let go of its buffers. */
static gboolean
crash_settled (gpointer user_data)
{
  gint64 crashed_us = *(gint64 *) user_data;

  return crashed_us > 0 && g_get_monotonic_time () - crashed_us > G_USEC_PER_SEC;
}

/* The web process dies with the buffer of the frame on screen: that frame
 * is still read, from the copy made as the buffer went. */
static void
test_read_frame_after_crash (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageHost) host = rh_wpe_page_host_new (320, 240, NULL, FALSE, &error);
  Frames shown = { 0 };
  Frames read = { 0 };
  gint64 crashed_us = 0;

  g_assert_no_error (error);
  g_signal_connect (host, "web-process-terminated", G_CALLBACK (terminated_cb), &crashed_us);
  show_still_page (host, &shown);
  g_assert_cmpuint (kill_web_processes (), ==, 1);
  g_assert_true (rh_test_wait_until (crash_settled, &crashed_us, 60));

  g_assert_true (rh_page_host_read_frame (host, read_cb, &read));
  assert_read_is_shown (&read, &shown);
  g_signal_handlers_disconnect_by_data (host, &shown);
  g_signal_handlers_disconnect_by_data (host, &crashed_us);
}

/* The User-Agent given replaces WebKit's. */
static void
test_user_agent (void)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageHost) host = rh_wpe_page_host_new (320, 240, "Recorder/1.0", FALSE, &error);

  g_assert_no_error (error);
  g_assert_cmpstr (rh_page_host_get_user_agent (host), ==, "Recorder/1.0");
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/page-host/load", test_load);
  g_test_add_func ("/page-host/user-agent", test_user_agent);
  g_test_add_func ("/page-host/read-frame", test_read_frame);
  g_test_add_func ("/page-host/read-frame-after-crash", test_read_frame_after_crash);
  return g_test_run ();
}
