/* What a hosted page may reach: files, where the user named a file page and
 * never for the cloud's rooms.  Real WebKit views, the recordhost binary for
 * the command line, a cloud in this process, and a libsoup server on
 * loopback that the pages report to. */
#include <string.h>

#include "cloud-fixture.h"
#include "rh-recorder.h"
#include "test-utils.h"

/* Bound on a page's outcome or a command's end. */
#define WAIT_S 120

typedef struct
{
  SoupServer *server;
  char *base_url;    /* http://127.0.0.1:PORT/ */
  GPtrArray *paths;  /* "PATH?QUERY" of each request, in order */
  CloudFixture cloud;
} Fixture;

/* /plain answers without CORS headers, as another origin's server would;
 * anything else is recorded and answered for every origin. */
static void
handle (SoupServer *server, SoupServerMessage *msg, const char *path, GHashTable *query,
        gpointer user_data)
{
  Fixture *fixture = user_data;
  GUri *uri = soup_server_message_get_uri (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  g_ptr_array_add (fixture->paths, g_strconcat (path, g_uri_get_query (uri) != NULL ? "?" : "",
                                                g_uri_get_query (uri), NULL));
  soup_server_message_set_status (msg, SOUP_STATUS_OK, NULL);
  if (!g_str_equal (path, "/plain"))
    {
      soup_message_headers_append (headers, "Access-Control-Allow-Origin", "*");
      soup_message_headers_append (headers, "Access-Control-Allow-Headers", "*");
    }
  soup_server_message_set_response (msg, "text/plain", SOUP_MEMORY_STATIC, "answered", 8);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (GSList) uris = NULL;

  fixture->paths = g_ptr_array_new_with_free_func (g_free);
  fixture->server = soup_server_new (NULL, NULL);
  soup_server_add_handler (fixture->server, NULL, handle, fixture, NULL);
  g_assert_true (soup_server_listen_local (fixture->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY,
                                           &error));
  g_assert_no_error (error);
  uris = soup_server_get_uris (fixture->server);
  fixture->base_url = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  g_assert_true (g_str_has_suffix (fixture->base_url, "/"));
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  if (fixture->cloud.cloud != NULL)
    cloud_fixture_teardown (&fixture->cloud);
  soup_server_disconnect (fixture->server);
  g_clear_object (&fixture->server);
  g_free (fixture->base_url);
  g_ptr_array_unref (fixture->paths);
}

/* The first request for @path with its query, or NULL. */
static const char *
find_request (Fixture *fixture, const char *path)
{
  for (guint i = 0; i < fixture->paths->len; i++)
    {
      const char *got = g_ptr_array_index (fixture->paths, i);

      if (g_str_has_prefix (got, path) && (got[strlen (path)] == '?'
                                           || got[strlen (path)] == '\0'))
        return got;
    }
  return NULL;
}

typedef struct
{
  Fixture *fixture;
  const char *path;
} RequestWait;

static gboolean
request_seen (gpointer user_data)
{
  RequestWait *wait = user_data;

  return find_request (wait->fixture, wait->path) != NULL;
}

/* Waits for a request to @path; returns it with its query. */
static const char *
wait_request (Fixture *fixture, const char *path)
{
  RequestWait wait = { fixture, path };

  g_assert_true (rh_test_wait_until (request_seen, &wait, WAIT_S));
  return find_request (fixture, path);
}

/* A file outside the page's directory, with something in it. */
static char *
other_file_uri (void)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), "neighbour.txt", NULL);

  g_assert_true (g_file_set_contents (path, "a file the page did not come with\n", -1, NULL));
  return g_filename_to_uri (path, NULL, NULL);
}

static char *
test_page_path (const char *name)
{
  return g_test_build_filename (G_TEST_DIST, "pages", name, NULL);
}

/* `check FILE`: the user named the page, which reads other files like a
 * template opened from disk; other origins' answers stay closed to it. */
static void
test_file_access_check (Fixture *fixture, gconstpointer data)
{
  g_autofree char *page = test_page_path ("file-access.html");
  g_autofree char *target_uri = other_file_uri ();
  g_autofree char *target = g_strconcat ("target=", target_uri, NULL);
  g_autofree char *report = g_strconcat ("report=", fixture->base_url, NULL);
  const char *const args[] = { "check", page, "--app-id", "app-1", "--room-uuid", "room-1",
                               "--room-type", "4", "--ready", "notify", "--param", target,
                               "--param", report, "--timeout", "60", "--quiet", NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  int status = rh_test_child_wait (child, WAIT_S);

  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpstr (find_request (fixture, "/outcome"), ==,
                   "/outcome?fetch=read&xhr=read&other_origin=refused");
}

static gboolean
recordings_closed (gpointer user_data)
{
  return rh_recorder_get_open_count () == 0;
}

#define ROOM "/edu/apps/app-1/v2/rooms/room-1"

/* A page the cloud's API asked for reads no file, even a file page. */
static void
test_file_access_cloud (Fixture *fixture, gconstpointer data)
{
  g_autofree char *page = test_page_path ("file-access.html");
  g_autofree char *page_uri = g_filename_to_uri (page, NULL, NULL);
  g_autofree char *target = other_file_uri ();
  g_autofree char *body = NULL;
  g_autoptr (JsonObject) started = NULL;
  g_autoptr (JsonObject) stopped = NULL;
  guint status = 0;

  cloud_fixture_setup (&fixture->cloud, NULL, 10);
  body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":"
                          "\"%s?target=%s&report=%s\",\"onHold\":true},\"retryTimeout\":60}",
                          page_uri, target, fixture->base_url);
  started = cloud_fixture_call (&fixture->cloud, "PUT", ROOM "/records/states/1", body, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpstr (wait_request (fixture, "/outcome"), ==,
                   "/outcome?fetch=refused&xhr=refused&other_origin=refused");
  stopped = cloud_fixture_call (&fixture->cloud, "PUT", ROOM "/records/states/0", NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_true (rh_test_wait_until (recordings_closed, NULL, WAIT_S));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/page-reach/file-access/check", test_file_access_check);
  ADD ("/page-reach/file-access/cloud", test_file_access_cloud);
#undef ADD
  return g_test_run ();
}
