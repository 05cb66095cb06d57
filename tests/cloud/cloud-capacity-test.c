/* How many rooms one cloud holds: the admission limit, the health answer,
 * and rooms sharing web processes, a crash of which reloads only its own. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <string.h>

#include "cloud-fixture.h"
#include "test-utils.h"

#define TOKEN "capacity-token"
#define READY_TIMEOUT_S 120

typedef struct
{
  CloudFixture base;
  GPtrArray *readied; /* room uuids, in the order their ready calls came */
} Fixture;

static void
ready_received_cb (RhCloud *cloud, const char *app_id, const char *room_uuid, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->readied, g_strdup (room_uuid));
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  cloud_fixture_setup (&fixture->base, TOKEN, 30);
  fixture->readied = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->base.cloud, "ready-received", G_CALLBACK (ready_received_cb),
                    fixture);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  cloud_fixture_teardown (&fixture->base);
  g_ptr_array_unref (fixture->readied);
}

static JsonObject *
call (Fixture *fixture, const char *method, const char *path, const char *body, guint *status)
{
  return cloud_fixture_call (&fixture->base, method, path, body, status);
}

static char *
room_path (guint index, const char *rest)
{
  return g_strdup_printf ("/edu/apps/capacity/v2/rooms/room-%u%s", index, rest);
}

/* Starts room @index held (no encoding), its page ready soon after launch;
 * returns the HTTP status and sets *@reply. */
static guint
start_room (Fixture *fixture, guint index, JsonObject **reply)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *uri = g_filename_to_uri (page, NULL, NULL);
  g_autofree char *body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{"
                                           "\"rootUrl\":\"%s?sdkReadyMs=100\",\"onhold\":true},"
                                           "\"retryTimeout\":60}",
                                           uri);
  g_autofree char *path = room_path (index, "/records/states/1");
  guint status = 0;

  *reply = call (fixture, "PUT", path, body, &status);
  return status;
}

static void
start_room_ok (Fixture *fixture, guint index)
{
  g_autoptr (JsonObject) reply = NULL;

  g_assert_cmpuint (start_room (fixture, index, &reply), ==, 200);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 0);
}

static JsonObject *
health (Fixture *fixture)
{
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (fixture->base.cloud), "/health",
                                      NULL);
  guint status = 0;
  /* Without the token: a load balancer has none. */
  JsonObject *reply = rh_test_call_json (fixture->base.session, "GET", uri, NULL, NULL,
                                         &status);

  g_assert_cmpuint (status, ==, 200);
  return reply;
}

static JsonObject *
capacity_of (JsonObject *envelope)
{
  return json_object_get_object_member (json_object_get_object_member (envelope, "data"),
                                        "capacity");
}

static void
test_health (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) reply = NULL;
  JsonObject *capacity;

  rh_cloud_set_max_rooms (fixture->base.cloud, 3);
  reply = health (fixture);
  g_assert_cmpint (json_object_get_int_member (reply, "code"), ==, 0);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (reply, "data"),
                                                  "status"), ==, "ok");
  capacity = capacity_of (reply);
  g_assert_cmpint (json_object_get_int_member (capacity, "maxRooms"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (capacity, "activeRooms"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (capacity, "roomsPerWebProcess"), >=, 1);
}

static gboolean
readied_at_least (gpointer user_data)
{
  Fixture *fixture = user_data;
  gpointer wanted = g_object_get_data (G_OBJECT (fixture->base.cloud), "wanted");

  return fixture->readied->len >= GPOINTER_TO_UINT (wanted);
}

static void
wait_readied (Fixture *fixture, guint count)
{
  g_object_set_data (G_OBJECT (fixture->base.cloud), "wanted", GUINT_TO_POINTER (count));
  g_assert_true (rh_test_wait_until (readied_at_least, fixture, READY_TIMEOUT_S));
}

static void
test_admission (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) refused = NULL;
  g_autoptr (JsonObject) full = NULL;
  g_autoptr (JsonObject) records = NULL;
  g_autoptr (JsonObject) stopped = NULL;
  g_autoptr (JsonObject) again = NULL;
  g_autofree char *records_path = room_path (0, "/records");
  g_autofree char *stop_path = room_path (0, "/records/states/0");
  guint status = 0;

  rh_cloud_set_max_rooms (fixture->base.cloud, 2);
  start_room_ok (fixture, 0);
  start_room_ok (fixture, 1);
  g_assert_cmpuint (start_room (fixture, 2, &refused), ==, 503);
  g_assert_cmpint (json_object_get_int_member (refused, "code"), ==, 503);
  g_assert_nonnull (strstr (json_object_get_string_member (refused, "msg"), "2 of 2"));

  full = health (fixture);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (full, "data"),
                                                  "status"), ==, "full");
  g_assert_cmpint (json_object_get_int_member (capacity_of (full), "activeRooms"), ==, 2);

  records = call (fixture, "GET", records_path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpint (json_object_get_int_member (capacity_of (records), "maxRooms"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (capacity_of (records), "activeRooms"), ==, 2);

  /* A stopped room makes room for the refused one. */
  stopped = call (fixture, "PUT", stop_path, NULL, &status);
  g_assert_cmpuint (status, ==, 200);
  g_assert_cmpuint (start_room (fixture, 2, &again), ==, 200);
}

static GArray *
web_processes (void)
{
  GArray *pids = g_array_new (FALSE, FALSE, sizeof (GPid));
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "stat", NULL);
      g_autofree char *stat = NULL;
      const char *tail;
      int ppid = 0;
      GPid pid = atoi (name);

      if (pid <= 0 || !g_file_get_contents (path, &stat, NULL, NULL))
        continue;
      tail = strrchr (stat, ')');
      if (tail == NULL || sscanf (tail, ") %*c %d", &ppid) != 1 || ppid != getpid ())
        continue;
      if (strstr (stat, "(WPEWebProcess)") != NULL)
        g_array_append_val (pids, pid);
    }
  return pids;
}

static gboolean
no_web_process (gpointer user_data)
{
  g_autoptr (GArray) pids = web_processes ();

  return pids->len == 0;
}

static guint
room_index (const char *room_uuid)
{
  return (guint) g_ascii_strtoull (room_uuid + strlen ("room-"), NULL, 10);
}

/* Four rooms, two a web process: killing one process reloads the two rooms
 * it held, which call ready again, and no other. */
static void
test_shared_crash (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GArray) pids = NULL;
  g_autoptr (GHashTable) again = g_hash_table_new (g_direct_hash, g_direct_equal);
  guint pair;

  /* Views of the tests before let their processes go a moment later. */
  g_assert_true (rh_test_wait_until (no_web_process, NULL, 30));
  rh_cloud_set_rooms_per_web_process (fixture->base.cloud, 2);
  for (guint i = 0; i < 4; i++)
    start_room_ok (fixture, i);
  wait_readied (fixture, 4);
  pids = web_processes ();
  g_assert_cmpuint (pids->len, ==, 2);

  g_assert_cmpint (kill (g_array_index (pids, GPid, 0), SIGKILL), ==, 0);
  wait_readied (fixture, 6);
  /* Time for any other room to reload too, were it going to. */
  g_object_set_data (G_OBJECT (fixture->base.cloud), "wanted", GUINT_TO_POINTER (7));
  g_assert_false (rh_test_wait_until (readied_at_least, fixture, 2));
  g_assert_cmpuint (fixture->readied->len, ==, 6);
  for (guint i = 4; i < 6; i++)
    g_hash_table_add (again, GUINT_TO_POINTER (room_index (fixture->readied->pdata[i]) + 1));
  g_assert_cmpuint (g_hash_table_size (again), ==, 2);
  /* Rooms were grouped in the order they started: 0 and 1, then 2 and 3. */
  pair = room_index (fixture->readied->pdata[4]) / 2;
  g_assert_true (g_hash_table_contains (again, GUINT_TO_POINTER (2 * pair + 1)));
  g_assert_true (g_hash_table_contains (again, GUINT_TO_POINTER (2 * pair + 2)));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add ("/cloud-capacity/health", Fixture, NULL, fixture_setup, test_health,
              fixture_teardown);
  g_test_add ("/cloud-capacity/admission", Fixture, NULL, fixture_setup, test_admission,
              fixture_teardown);
  g_test_add ("/cloud-capacity/shared-web-process-crash", Fixture, NULL, fixture_setup,
              test_shared_crash, fixture_teardown);
  return g_test_run ();
}
