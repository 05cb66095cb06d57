/* `recordhost cloud` workers sharing one PostgreSQL database: any worker
 * answers any call, a dead or stale owner's rooms move to another worker
 * with one owner at every moment, and the cluster's capacity is the sum of
 * its workers'. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "cluster-fixture.h"
#include "media-probe.h"
#include "test-utils.h"

#define ROOMS "/edu/apps/app-1/v2/rooms/"
#define RELEASE "{\"webRecordConfig\":{\"onHold\":false}}"
/* The retryTimeout of a page that gets ready: a takeover is bound by it and the lease. */
#define READY_WINDOW_S 10
/* Bound on waiting for a room's events or owner. */
#define WAIT_S 120

typedef ClusterFixture Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  cluster_fixture_setup (fixture, 3, 0);
}

/* Three workers of one room each. */
static void
fixture_setup_full (Fixture *fixture, gconstpointer data)
{
  cluster_fixture_setup (fixture, 3, 1);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  cluster_fixture_teardown (fixture);
}

static char *
start_body (const char *query, gboolean on_hold, guint retry_timeout)
{
  g_autofree char *page = rh_test_page_path ("record_page.html");
  g_autofree char *uri = g_filename_to_uri (page, NULL, NULL);

  return g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"%s?%s\","
                          "\"onHold\":%s,\"videoWidth\":640,\"videoHeight\":480},"
                          "\"retryTimeout\":%u}",
                          uri, query, on_hold ? "true" : "false", retry_timeout);
}

/* Starts @room through worker @index; the recordId the answer gives. */
static char *
start (Fixture *fixture, guint index, const char *room, const char *body, gboolean on_hold)
{
  g_autofree char *path = g_strconcat (ROOMS, room, "/records/states/1", NULL);
  g_autoptr (JsonNode) data = cluster_fixture_call_ok (fixture, index, "PUT", path, body);
  JsonObject *object = json_node_get_object (data);

  g_assert_cmpint (json_object_get_int_member (object, "state"), ==, 1);
  g_assert_cmpint (json_object_get_boolean_member (object, "onHold"), ==, on_hold);
  g_assert_cmpuint (strlen (json_object_get_string_member (object, "recordId")), ==, 32);
  return g_strdup (json_object_get_string_member (object, "recordId"));
}

/* The room's events of every cmd through worker @index, as JSON text;
 * their sequences are 1..n. */
static char *
events_text (Fixture *fixture, guint index, const char *room_path)
{
  g_autofree char *path = g_strconcat (room_path, "/sequences?nextId=0", NULL);
  g_autoptr (JsonNode) data = cluster_fixture_call_ok (fixture, index, "GET", path, NULL);
  JsonArray *list = json_object_get_array_member (json_node_get_object (data), "list");
  g_autoptr (JsonNode) node = json_node_init_array (json_node_alloc (), list);

  for (guint i = 0; i < json_array_get_length (list); i++)
    g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (list, i),
                                                 "sequence"),
                     ==, i + 1);
  return json_to_string (node, FALSE);
}

/* The room's records list through worker @index. */
static JsonArray *
records (Fixture *fixture, guint index, const char *room_path, JsonNode **data)
{
  g_autofree char *path = g_strconcat (room_path, "/records", NULL);

  *data = cluster_fixture_call_ok (fixture, index, "GET", path, NULL);
  return json_object_get_array_member (json_node_get_object (*data), "list");
}

/* The worker a record ran on, as the store keeps it (the records list
 * does not show it). */
static char *
record_worker (Fixture *fixture, JsonObject *record)
{
  return cluster_fixture_query_value (fixture, "SELECT worker FROM records WHERE record_id = $1",
                                      json_object_get_string_member (record, "recordId"), NULL);
}

/* GET /health of worker @index: its data. */
static JsonNode *
health (Fixture *fixture, guint index)
{
  return cluster_fixture_call_ok (fixture, index, "GET", "/health", NULL);
}

/* A member of a part of worker @index's /health: "local", "cluster"
 * (as of its last renewal) or "store". */
static JsonNode *
health_member (Fixture *fixture, guint index, const char *part, const char *name)
{
  g_autoptr (JsonNode) data = health (fixture, index);
  JsonObject *object = json_object_get_object_member (json_node_get_object (data), part);

  g_assert_nonnull (object);
  g_assert_true (json_object_has_member (object, name));
  return json_node_copy (json_object_get_member (object, name));
}

static gint64
health_count (Fixture *fixture, guint index, const char *part, const char *name)
{
  g_autoptr (JsonNode) node = health_member (fixture, index, part, name);

  return json_node_get_int (node);
}

static gint64
local_active (Fixture *fixture, guint index)
{
  return health_count (fixture, index, "local", "activeRooms");
}

typedef struct
{
  guint index;
  gint64 workers;
  gint64 capacity;
  gint64 active;
} ClusterCounts;

static gboolean
cluster_counted (Fixture *fixture, gpointer user_data)
{
  ClusterCounts *counts = user_data;

  return health_count (fixture, counts->index, "cluster", "workers") == counts->workers
         && health_count (fixture, counts->index, "cluster", "capacity") == counts->capacity
         && health_count (fixture, counts->index, "cluster", "activeRooms") == counts->active;
}

/* Waits until worker @index's /health counts the cluster so; it counts as
 * of its last renewal. */
static void
wait_cluster_counts (Fixture *fixture, guint index, gint64 workers, gint64 capacity,
                     gint64 active)
{
  ClusterCounts counts = { index, workers, capacity, active };
  g_autofree char *what = g_strdup_printf (
    "%s's /health to count %" G_GINT64_FORMAT " workers, a capacity of %" G_GINT64_FORMAT
    " and %" G_GINT64_FORMAT " rooms active",
    cluster_fixture_worker (fixture, index)->id, workers, capacity, active);

  cluster_fixture_wait (fixture, what, cluster_counted, &counts, 2 * CLUSTER_LEASE_TTL_S);
}

/* A worker of the three other than @a and @b. */
static guint
other_than (guint a, guint b)
{
  for (guint i = 0; i < 3; i++)
    if (i != a && i != b)
      return i;
  g_assert_not_reached ();
}

/* A worker not killed: the first live one. */
static guint
live_worker (Fixture *fixture)
{
  for (guint i = 0; i < fixture->workers->len; i++)
    if (!cluster_fixture_worker (fixture, i)->exited)
      return i;
  g_assert_not_reached ();
}

static const char *
worker_id (Fixture *fixture, guint index)
{
  return cluster_fixture_worker (fixture, index)->id;
}

static char *
record_on_hold (Fixture *fixture, const char *record_id)
{
  return cluster_fixture_query_value (fixture, "SELECT on_hold FROM records WHERE record_id = $1",
                                      record_id, NULL);
}

/* Any worker answers any call: a start through one, a release and a stop
 * through workers that do not hold the room reach the one that does; each
 * lists the same events, numbered without gaps. */
static void
test_any_worker (Fixture *fixture, gconstpointer data)
{
  const char *room = ROOMS "any";
  g_autofree char *body = start_body ("sdkReadyMs=200", TRUE, READY_WINDOW_S);
  g_autofree char *record_id = start (fixture, 0, "any", body, TRUE);
  g_autofree char *stop_path = g_strconcat (room, "/records/states/0", NULL);
  g_autofree char *start_path = g_strconcat (room, "/records/states/1", NULL);
  g_autoptr (JsonObject) again = NULL;
  g_autoptr (JsonNode) released = NULL;
  g_autoptr (JsonNode) stopped = NULL;
  g_autofree char *first_events = NULL;
  g_autofree char *claims_how = NULL;
  g_autofree char *expected_how = NULL;
  g_autofree char *state = NULL;
  g_autofree char *held = NULL;
  gint64 sent, answered, seen;
  guint status = 0;
  guint owner, releaser, stopper;

  /* Stored as pending, or already claimed. */
  state = cluster_fixture_query_value (
    fixture, "SELECT state FROM rooms WHERE app_id = 'app-1' AND room_uuid = 'any'", NULL);
  g_assert_true (g_strcmp0 (state, "pending") == 0 || g_strcmp0 (state, "active") == 0);
  /* Running (pending or active) through another worker. */
  again = cluster_fixture_call (fixture, 1, "PUT", start_path, body, &status, NULL);
  g_assert_cmpuint (status, ==, 409);
  g_assert_cmpint (json_object_get_int_member (again, "code"), ==, 30409411);

  owner = cluster_fixture_wait_owner (fixture, "any", -1, WAIT_S);
  cluster_fixture_wait_reasons (fixture, 0, room, "1", WAIT_S);
  held = record_on_hold (fixture, record_id);
  g_assert_cmpstr (held, ==, "1");

  /* The release through a worker that does not hold the room, which the
   * owner stores once it has it. */
  releaser = other_than (owner, owner);
  sent = g_get_monotonic_time ();
  released = cluster_fixture_call_ok (fixture, releaser, "PATCH", start_path, RELEASE);
  answered = g_get_monotonic_time ();
  g_assert_false (json_object_get_boolean_member (json_node_get_object (released), "onHold"));
  for (seen = answered; seen - answered < 10 * G_USEC_PER_SEC; seen = g_get_monotonic_time ())
    {
      g_autofree char *on_hold = record_on_hold (fixture, record_id);

      if (g_strcmp0 (on_hold, "0") == 0)
        break;
      g_usleep (1000);
    }
  g_test_message ("release through a non-owner: stored %.1f ms after its answer (%.1f ms after "
                  "it was sent)",
                  (seen - answered) / 1000.0, (seen - sent) / 1000.0);
  /* A tenth of a second is the aim; a loaded machine gets ten times that. */
  g_assert_cmpint (seen - answered, <, G_USEC_PER_SEC);

  /* Every worker lists the same events. */
  first_events = events_text (fixture, 0, room);
  for (guint i = 1; i < 3; i++)
    {
      g_autofree char *text = events_text (fixture, i, room);

      g_assert_cmpstr (text, ==, first_events);
    }

  stopper = other_than (owner, releaser);
  stopped = cluster_fixture_call_ok (fixture, stopper, "PUT", stop_path, NULL);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (stopped), "state"), ==, 2);
  for (guint i = 0; i < 3; i++)
    cluster_fixture_wait_reasons (fixture, i, room, "1,2", WAIT_S);
  g_free (first_events);
  first_events = events_text (fixture, 0, room);
  for (guint i = 1; i < 3; i++)
    {
      g_autofree char *text = events_text (fixture, i, room);

      g_assert_cmpstr (text, ==, first_events);
    }

  /* One claim, by the owner, ended by the stop; the room is idle. */
  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, "any"), ==, 1);
  claims_how = cluster_fixture_query_value (
    fixture, "SELECT owner || ':' || how FROM room_claims WHERE room_uuid = 'any'", NULL);
  expected_how = g_strconcat (worker_id (fixture, owner), ":stopped", NULL);
  g_assert_cmpstr (claims_how, ==, expected_how);
  g_assert_cmpint (cluster_fixture_owner (fixture, "any"), ==, -1);
}

static gboolean
room_idle (Fixture *fixture, gpointer user_data)
{
  g_autofree char *state = cluster_fixture_query_value (
    fixture, "SELECT state FROM rooms WHERE app_id = 'app-1' AND room_uuid = $1", user_data,
    NULL);

  return g_strcmp0 (state, "idle") == 0;
}

typedef struct
{
  guint index;
  gint64 count;
} ReadyWait;

static gboolean
ready_counted (Fixture *fixture, gpointer user_data)
{
  ReadyWait *wait = user_data;
  g_autoptr (JsonNode) data = health (fixture, wait->index);

  return json_object_get_int_member (json_node_get_object (data), "readyCalls") == wait->count;
}

static gint64
ready_calls (Fixture *fixture, guint index)
{
  g_autoptr (JsonNode) data = health (fixture, index);

  return json_object_get_int_member (json_node_get_object (data), "readyCalls");
}

/* A ready call through a worker that does not hold the room is answered as
 * its owner answers it, and the owner hears of it; once the room stops,
 * any worker answers "record not started". */
static void
test_ready_any_worker (Fixture *fixture, gconstpointer data)
{
  const char *room = ROOMS "ready";
  g_autofree char *body = start_body ("sdkReadyMs=100", TRUE, READY_WINDOW_S);
  g_autofree char *record_id = start (fixture, 0, "ready", body, TRUE);
  g_autoptr (JsonNode) answered = NULL;
  g_autoptr (JsonNode) stopped = NULL;
  ReadyWait wait = { 0 };
  guint owner, other, status = 0;

  cluster_fixture_wait_reasons (fixture, 0, room, "1", WAIT_S);
  owner = cluster_fixture_wait_owner (fixture, "ready", -1, WAIT_S);
  other = other_than (owner, owner);
  wait.index = owner;
  wait.count = ready_calls (fixture, owner) + 1;

  answered = cluster_fixture_call_ok (fixture, other, "PUT", ROOMS "ready/records/ready", NULL);
  cluster_fixture_wait (fixture, "the owner to count the ready call", ready_counted, &wait,
                        CLUSTER_LEASE_TTL_S);

  stopped = cluster_fixture_call_ok (fixture, other, "PUT", ROOMS "ready/records/states/0", NULL);
  cluster_fixture_wait_reasons (fixture, other, room, "1,2", WAIT_S);
  cluster_fixture_wait (fixture, "the room idle", room_idle, (gpointer) "ready",
                        CLUSTER_LEASE_TTL_S);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (JsonObject) refused = cluster_fixture_call (
        fixture, i, "PUT", ROOMS "ready/records/ready", NULL, &status, NULL);

      g_assert_cmpuint (status, ==, 409);
      g_assert_cmpint (json_object_get_int_member (refused, "code"), ==, 30409410);
    }
}

static gboolean
has_reasons_143 (Fixture *fixture, gpointer user_data)
{
  g_autofree char *got = cluster_fixture_reasons (fixture, GPOINTER_TO_UINT (user_data),
                                                  ROOMS "kill");

  return g_str_equal (got, "1,4,3");
}

/* The only file in @dir/recordings. */
static char *
only_recording (const char *dir)
{
  g_autofree char *recordings = g_build_filename (dir, "recordings", NULL);
  g_autoptr (GDir) listing = g_dir_open (recordings, 0, NULL);
  const char *name;
  char *found = NULL;

  g_assert_nonnull (listing);
  while ((name = g_dir_read_name (listing)) != NULL)
    {
      g_assert_null (found);
      found = g_build_filename (recordings, name, NULL);
    }
  g_assert_nonnull (found);
  return found;
}

/* ffprobe's count of @path's decoded video frames, -1 without ffprobe. */
static gint64
ffprobe_frames (const char *path)
{
  g_autofree char *ffprobe = g_find_program_in_path ("ffprobe");
  const char *argv[] = { ffprobe, "-v", "error", "-count_frames", "-select_streams", "v:0",
                         "-show_entries", "stream=nb_read_frames", "-of", "csv=p=0", path,
                         NULL };
  g_autofree char *out = NULL;
  g_autoptr (GError) error = NULL;
  int status = 0;

  if (ffprobe == NULL)
    return -1;
  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL,
                               NULL, &out, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  return g_ascii_strtoll (out, NULL, 10);
}

static gboolean
has_fragment (Fixture *fixture, gpointer user_data)
{
  return media_probe_has_fragment (user_data);
}

/* The owner dies (SIGKILL): once its lease expires, another worker ends
 * its attempt (reason 4, the worker stopped answering) and takes the room
 * (reason 3 when its page is ready), within the lease and retryTimeout. */
static void
test_kill_owner (Fixture *fixture, gconstpointer data)
{
  const char *room = ROOMS "kill";
  g_autofree char *body = start_body ("sdkReadyMs=300", FALSE, READY_WINDOW_S);
  g_autofree char *record_id = start (fixture, 0, "kill", body, FALSE);
  g_autoptr (JsonNode) listed = NULL;
  g_autoptr (JsonObject) events = NULL;
  g_autofree char *killed_file = NULL;
  g_autofree char *first_how = NULL;
  g_autofree char *expected_how = NULL;
  g_autoptr (JsonNode) stopped = NULL;
  g_autofree char *events_path = g_strconcat (room, "/sequences?nextId=0&cmd=1001", NULL);
  MediaProbeFrames frames = { 0 };
  JsonArray *list;
  JsonObject *timed_out;
  gint64 killed, took_over, ffprobe_count;
  guint owner, taker, live;

  cluster_fixture_wait_reasons (fixture, 0, room, "1", WAIT_S);
  owner = cluster_fixture_wait_owner (fixture, "kill", -1, WAIT_S);
  /* A fragment of its file on disk (fragments are a second long). */
  killed_file = only_recording (cluster_fixture_worker (fixture, owner)->data_dir);
  cluster_fixture_wait (fixture, "a fragment in the owner's file", has_fragment, killed_file,
                        WAIT_S);

  killed = g_get_monotonic_time ();
  cluster_fixture_signal (fixture, owner, SIGKILL);
  cluster_fixture_wait_exit (fixture, owner, 10);
  live = other_than (owner, owner);
  cluster_fixture_wait (fixture, "reasons 1,4,3 of " ROOMS "kill", has_reasons_143,
                        GUINT_TO_POINTER (live), WAIT_S);
  took_over = g_get_monotonic_time ();
  g_test_message ("takeover: %" G_GINT64_FORMAT " ms", (took_over - killed) / 1000);
  g_assert_cmpint (took_over - killed, <=,
                   (CLUSTER_LEASE_TTL_S + READY_WINDOW_S) * G_USEC_PER_SEC);

  taker = cluster_fixture_wait_owner (fixture, "kill", (gint) owner, WAIT_S);
  for (guint i = 0; i < 3; i++)
    if (i != owner)
      {
        g_autofree char *got = cluster_fixture_reasons (fixture, i, room);

        g_assert_cmpstr (got, ==, "1,4,3");
      }

  /* The reason 4 says why. */
  events = cluster_fixture_call (fixture, live, "GET", events_path, NULL, NULL, NULL);
  list = json_object_get_array_member (json_object_get_object_member (events, "data"), "list");
  timed_out = json_object_get_object_member (json_array_get_object_element (list, 1), "data");
  g_assert_nonnull (strstr (json_object_get_string_member (timed_out, "reasonText"),
                            "stopped answering"));

  /* Each attempt is a record of its own, of the worker that ran it. */
  list = records (fixture, live, room, &listed);
  g_assert_cmpuint (json_array_get_length (list), ==, 2);
  for (guint i = 0; i < 2; i++)
    {
      JsonObject *record = json_array_get_object_element (list, i);
      gboolean first = g_str_equal (json_object_get_string_member (record, "recordId"),
                                    record_id);
      g_autofree char *worker = record_worker (fixture, record);

      g_assert_cmpstr (worker, ==, worker_id (fixture, first ? owner : taker));
    }

  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, "kill"), ==, 2);
  first_how = cluster_fixture_query_value (
    fixture, "SELECT owner || ':' || how FROM room_claims WHERE room_uuid = 'kill' "
             "ORDER BY epoch LIMIT 1", NULL);
  expected_how = g_strconcat (worker_id (fixture, owner), ":expired", NULL);
  g_assert_cmpstr (first_how, ==, expected_how);

  /* What the killed worker recorded still plays. */
  media_probe_decode (killed_file, &frames);
  g_test_message ("the killed attempt's file: %u frames decoded", frames.frames);
  g_assert_cmpuint (frames.frames, >=, 1);
  ffprobe_count = ffprobe_frames (killed_file);
  if (ffprobe_count >= 0)
    g_assert_cmpint (ffprobe_count, >=, 1);

  stopped = cluster_fixture_call_ok (fixture, live, "PUT", ROOMS "kill/records/states/0", NULL);
  cluster_fixture_wait_reasons (fixture, live, room, "1,4,3,2", WAIT_S);
}

/* An owner killed and started again at once under its name does not keep
 * its dead run's room by renewing it: the room's lease ends, and the room
 * runs again (on any worker, the new run too) with one owner at a time. */
static void
test_restart_same_name (Fixture *fixture, gconstpointer data)
{
  const char *room = ROOMS "again";
  g_autofree char *body = start_body ("sdkReadyMs=300", FALSE, READY_WINDOW_S);
  g_autofree char *record_id = start (fixture, 0, "again", body, FALSE);
  gint64 killed;
  guint owner, holder;

  cluster_fixture_wait_reasons (fixture, 0, room, "1", WAIT_S);
  owner = cluster_fixture_wait_owner (fixture, "again", -1, WAIT_S);
  killed = g_get_monotonic_time ();
  cluster_fixture_signal (fixture, owner, SIGKILL);
  cluster_fixture_wait_exit (fixture, owner, 10);
  cluster_fixture_restart_worker (fixture, owner);

  /* A lease renewed by the new run would hold the room past any bound. */
  cluster_fixture_wait_reasons (fixture, owner, room, "1,4,3",
                                2 * CLUSTER_LEASE_TTL_S + READY_WINDOW_S);
  g_test_message ("taken over in %" G_GINT64_FORMAT " ms, its owner started again at once",
                  (g_get_monotonic_time () - killed) / 1000);
  holder = cluster_fixture_wait_owner (fixture, "again", -1, WAIT_S);
  g_assert_cmpint (local_active (fixture, holder), ==, 1);
  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, "again"), ==, 2);
}

/* The reasons and onHold of a room's events through worker @index, "1:held,2:released". */
static char *
describe_events (Fixture *fixture, guint index, const char *room_path)
{
  g_autofree char *path = g_strconcat (room_path, "/sequences?nextId=0&cmd=1001", NULL);
  g_autoptr (JsonNode) data = cluster_fixture_call_ok (fixture, index, "GET", path, NULL);
  JsonArray *list = json_object_get_array_member (json_node_get_object (data), "list");
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *event = json_object_get_object_member (json_array_get_object_element (list, i),
                                                         "data");

      g_string_append_printf (out, "%s%" G_GINT64_FORMAT ":%s", i > 0 ? "," : "",
                              json_object_get_int_member (event, "reason"),
                              json_object_get_string_member_with_default (event, "reasonText",
                                                                          ""));
    }
  return g_string_free (out, FALSE);
}

/* SIGTERM to an owner: it drains, its room is handed to another worker
 * (made before broken: the claims never overlap), and it exits 0 with its
 * file finished. */
static void
test_drain (Fixture *fixture, gconstpointer data)
{
  const char *room = ROOMS "drain";
  g_autofree char *body = start_body ("sdkReadyMs=300", FALSE, READY_WINDOW_S);
  g_autofree char *record_id = start (fixture, 0, "drain", body, FALSE);
  g_autofree char *first_how = NULL;
  g_autofree char *file = NULL;
  g_autofree char *events = NULL;
  g_autofree char *reasons = NULL;
  g_autofree char *old_state = NULL;
  g_autofree char *new_worker = NULL;
  MediaProbeFrames frames = { 0 };
  guint owner, taker, live;
  int status;

  cluster_fixture_wait_reasons (fixture, 0, room, "1", WAIT_S);
  owner = cluster_fixture_wait_owner (fixture, "drain", -1, WAIT_S);
  live = other_than (owner, owner);
  file = only_recording (cluster_fixture_worker (fixture, owner)->data_dir);
  cluster_fixture_wait (fixture, "a fragment in the owner's file", has_fragment, file, WAIT_S);

  cluster_fixture_signal (fixture, owner, SIGTERM);
  /* Handed off, not left to expire and be reaped. */
  taker = cluster_fixture_wait_owner (fixture, "drain", (gint) owner, CLUSTER_LEASE_TTL_S);
  status = cluster_fixture_wait_exit (fixture, owner, 60);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  g_assert_cmpint (local_active (fixture, taker), ==, 1);

  events = describe_events (fixture, live, room);
  g_test_message ("events of a room handed off: %s", events);
  /* No failure told: the new owner's start, as a start or a retry's. */
  reasons = cluster_fixture_reasons (fixture, live, room);
  g_assert_true (g_str_equal (reasons, "1,1") || g_str_equal (reasons, "1,3"));
  old_state = cluster_fixture_query_value (
    fixture, "SELECT state FROM records WHERE record_id = $1", record_id, NULL);
  g_assert_cmpstr (old_state, ==, "2");
  new_worker = cluster_fixture_query_value (
    fixture, "SELECT worker FROM records WHERE room_uuid = 'drain' AND record_id <> $1",
    record_id, NULL);
  g_assert_cmpstr (new_worker, ==, worker_id (fixture, taker));
  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, "drain"), ==, 2);
  first_how = cluster_fixture_query_value (
    fixture, "SELECT how FROM room_claims WHERE room_uuid = 'drain' ORDER BY epoch LIMIT 1", NULL);
  g_assert_cmpstr (first_how, ==, "handed-off");
  media_probe_decode (file, &frames);
  g_assert_cmpuint (frames.frames, >=, 1);
}

/* A room's event and record rows, as text. */
static char *
room_rows (Fixture *fixture, const char *room_uuid, const char *record_id)
{
  g_autoptr (PGresult) events = cluster_fixture_query (
    fixture, "SELECT * FROM events WHERE room_uuid = $1 ORDER BY sequence", room_uuid, NULL);
  g_autoptr (PGresult) record = cluster_fixture_query (
    fixture, "SELECT * FROM records WHERE record_id = $1", record_id, NULL);
  GString *out = g_string_new (NULL);
  PGresult *results[] = { events, record };

  for (guint r = 0; r < G_N_ELEMENTS (results); r++)
    for (int row = 0; row < PQntuples (results[r]); row++)
      {
        for (int column = 0; column < PQnfields (results[r]); column++)
          g_string_append_printf (out, "%s=%s ", PQfname (results[r], column),
                                  PQgetvalue (results[r], row, column));
        g_string_append_c (out, '\n');
      }
  return g_string_free (out, FALSE);
}

static gboolean
worker_idle (Fixture *fixture, gpointer user_data)
{
  return local_active (fixture, GPOINTER_TO_UINT (user_data)) == 0;
}

/* An owner stopped (SIGSTOP) past its lease loses the room; continued, it
 * writes nothing more for it and stops its page. */
static void
test_stale_worker (Fixture *fixture, gconstpointer data)
{
  const char *room = ROOMS "stale";
  g_autofree char *body = start_body ("sdkReadyMs=300", FALSE, READY_WINDOW_S);
  g_autofree char *record_id = start (fixture, 0, "stale", body, FALSE);
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *stale_how = NULL;
  g_autofree char *stale_log = NULL;
  guint owner, taker;

  cluster_fixture_wait_reasons (fixture, 0, room, "1", WAIT_S);
  owner = cluster_fixture_wait_owner (fixture, "stale", -1, WAIT_S);
  g_assert_cmpint (local_active (fixture, owner), ==, 1);

  cluster_fixture_signal (fixture, owner, SIGSTOP);
  g_usleep ((CLUSTER_LEASE_TTL_S + 2) * G_USEC_PER_SEC);
  taker = cluster_fixture_wait_owner (fixture, "stale", (gint) owner, WAIT_S);
  cluster_fixture_wait_reasons (fixture, taker, room, "1,4,3", WAIT_S);

  before = room_rows (fixture, "stale", record_id);
  cluster_fixture_signal (fixture, owner, SIGCONT);
  g_usleep (2 * CLUSTER_LEASE_TTL_S * G_USEC_PER_SEC);
  after = room_rows (fixture, "stale", record_id);
  stale_log = cluster_fixture_worker_stderr (fixture, owner);
  g_test_message ("the stale worker's log:\n%s", stale_log);
  g_assert_cmpstr (after, ==, before);

  cluster_fixture_wait (fixture, "the stale worker to stop its page", worker_idle,
                        GUINT_TO_POINTER (owner), CLUSTER_LEASE_TTL_S);
  g_assert_cmpint (cluster_fixture_owner (fixture, "stale"), ==, (gint) taker);
  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, "stale"), ==, 2);
  stale_how = cluster_fixture_query_value (
    fixture, "SELECT how FROM room_claims WHERE room_uuid = 'stale' ORDER BY epoch LIMIT 1",
    NULL);
  g_assert_true (g_strcmp0 (stale_how, "expired") == 0 || g_strcmp0 (stale_how, "lost") == 0);
}

/* Three workers of one room each take three rooms; a fourth start is
 * refused until a fourth worker joins, which takes it. */
static void
test_full (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", TRUE, READY_WINDOW_S);
  const char *rooms[] = { "full-1", "full-2", "full-3" };
  g_autoptr (JsonObject) refused = NULL;
  g_autofree char *retry_after = NULL;
  g_autofree char *record_id = NULL;
  g_autoptr (JsonNode) reachable = NULL;
  guint owners = 0;
  guint status = 0;
  guint joined;

  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    g_free (start (fixture, i, rooms[i], body, TRUE));
  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    owners |= 1u << cluster_fixture_wait_owner (fixture, rooms[i], -1, WAIT_S);
  g_assert_cmpuint (owners, ==, 7);
  wait_cluster_counts (fixture, 0, 3, 3, 3);
  reachable = health_member (fixture, 1, "store", "reachable");
  g_assert_true (json_node_get_boolean (reachable));

  refused = cluster_fixture_call (fixture, 0, "PUT", ROOMS "full-4/records/states/1", body,
                                  &status, &retry_after);
  g_assert_cmpuint (status, ==, 503);
  g_assert_cmpint (json_object_get_int_member (refused, "code"), ==, 503);
  g_assert_nonnull (retry_after);
  g_assert_cmpint (g_ascii_strtoll (retry_after, NULL, 10), >, 0);

  joined = cluster_fixture_add_worker (fixture, 1);
  wait_cluster_counts (fixture, 0, 4, 4, 3);
  record_id = start (fixture, 1, "full-4", body, TRUE);
  g_assert_cmpuint (cluster_fixture_wait_owner (fixture, "full-4", -1, WAIT_S), ==, joined);
}

static gboolean
pending (Fixture *fixture, gpointer user_data)
{
  g_autofree char *state = cluster_fixture_query_value (
    fixture, "SELECT state FROM rooms WHERE app_id = 'app-1' AND room_uuid = $1", user_data,
    NULL);

  return g_strcmp0 (state, "pending") == 0;
}

/* Every worker full, a room whose owner died waits, pending, for capacity:
 * a worker that joins takes it. */
static void
test_full_pending (Fixture *fixture, gconstpointer data)
{
  g_autofree char *body = start_body ("sdkReadyMs=100", TRUE, READY_WINDOW_S);
  const char *rooms[] = { "full-1", "full-2", "full-3" };
  g_autofree char *room_path = NULL;
  g_autofree char *still = NULL;
  gint owner;
  guint joined;

  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    g_free (start (fixture, i, rooms[i], body, TRUE));
  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    cluster_fixture_wait_owner (fixture, rooms[i], -1, WAIT_S);
  room_path = g_strconcat (ROOMS, rooms[2], NULL);
  cluster_fixture_wait_reasons (fixture, 0, room_path, "1", WAIT_S);
  owner = cluster_fixture_owner (fixture, rooms[2]);

  cluster_fixture_signal (fixture, (guint) owner, SIGKILL);
  cluster_fixture_wait_exit (fixture, (guint) owner, 10);
  cluster_fixture_wait (fixture, "the dead worker's room pending", pending, (gpointer) rooms[2],
                        WAIT_S);
  /* No live worker has room for it. */
  g_usleep (CLUSTER_LEASE_TTL_S * G_USEC_PER_SEC);
  still = cluster_fixture_query_value (
    fixture, "SELECT state FROM rooms WHERE app_id = 'app-1' AND room_uuid = $1", rooms[2],
    NULL);
  g_assert_cmpstr (still, ==, "pending");

  joined = cluster_fixture_add_worker (fixture, 1);
  g_assert_cmpuint (cluster_fixture_wait_owner (fixture, rooms[2], owner, WAIT_S), ==, joined);
  cluster_fixture_wait_reasons (fixture, live_worker (fixture), room_path, "1,4,3", WAIT_S);
  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, rooms[2]), ==, 2);
}

/* A page that never gets ready is given up after two retries (reasons
 * 4, 4, 5) and the room stays idle: nobody claims it again. */
static void
test_retries_exhausted (Fixture *fixture, gconstpointer data)
{
  const char *room = ROOMS "never";
  g_autofree char *body = start_body ("sdkReady=never", FALSE, 1);
  g_autofree char *record_id = start (fixture, 0, "never", body, FALSE);
  g_autofree char *claims = NULL;
  g_autofree char *claims_later = NULL;
  g_autofree char *records_count = NULL;
  g_autofree char *reasons = NULL;

  cluster_fixture_wait_reasons (fixture, 0, room, "4,4,5", WAIT_S);
  /* The owner gives its claim back once the give-up is stored. */
  cluster_fixture_wait (fixture, "the room idle", room_idle, (gpointer) "never",
                        CLUSTER_LEASE_TTL_S);
  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, "never"), <=, 3);
  claims = cluster_fixture_query_value (
    fixture, "SELECT count (*) FROM room_claims WHERE room_uuid = 'never'", NULL);
  records_count = cluster_fixture_query_value (
    fixture, "SELECT count (*) FROM records WHERE room_uuid = 'never'", NULL);
  g_test_message ("a page never ready: %s claim(s), %s record(s)", claims, records_count);

  g_usleep (2 * CLUSTER_LEASE_TTL_S * G_USEC_PER_SEC);
  claims_later = cluster_fixture_query_value (
    fixture, "SELECT count (*) FROM room_claims WHERE room_uuid = 'never'", NULL);
  g_assert_cmpstr (claims_later, ==, claims);
  g_assert_cmpint (cluster_fixture_owner (fixture, "never"), ==, -1);
  reasons = cluster_fixture_reasons (fixture, 2, room);
  g_assert_cmpstr (reasons, ==, "4,4,5");
  for (guint i = 0; i < 3; i++)
    g_assert_cmpint (local_active (fixture, i), ==, 0);
}

/* Each owner killed in turn (four workers, one left): after two takeovers
 * the third death gives the room up (reason 5) and nobody claims it again;
 * each attempt is a record of the worker that ran it. */
static void
test_retries_exhausted_kills (Fixture *fixture, gconstpointer data)
{
  const char *room = ROOMS "kills";
  const char *const expected[] = { "1", "1,4,3", "1,4,3,4,3" };
  g_autofree char *body = start_body ("sdkReadyMs=100", FALSE, READY_WINDOW_S);
  g_autofree char *record_id = NULL;
  g_autofree char *state = NULL;
  g_autofree char *reasons = NULL;
  g_autoptr (JsonNode) listed = NULL;
  g_autoptr (GHashTable) ran = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *list;
  gint owner = -1;

  cluster_fixture_add_worker (fixture, 0);
  record_id = start (fixture, 0, "kills", body, FALSE);
  for (guint attempt = 0; attempt < 3; attempt++)
    {
      owner = (gint) cluster_fixture_wait_owner (fixture, "kills", owner, WAIT_S);
      cluster_fixture_wait_reasons (fixture, live_worker (fixture), room, expected[attempt],
                                    WAIT_S);
      g_hash_table_add (ran, (gpointer) worker_id (fixture, (guint) owner));
      cluster_fixture_signal (fixture, (guint) owner, SIGKILL);
      cluster_fixture_wait_exit (fixture, (guint) owner, 10);
    }
  cluster_fixture_wait_reasons (fixture, live_worker (fixture), room, "1,4,3,4,3,5", WAIT_S);
  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, "kills"), ==, 3);
  state = cluster_fixture_query_value (fixture,
                                       "SELECT state FROM rooms WHERE room_uuid = 'kills'", NULL);
  g_assert_cmpstr (state, ==, "idle");

  g_usleep (2 * CLUSTER_LEASE_TTL_S * G_USEC_PER_SEC);
  g_assert_cmpuint (cluster_fixture_assert_one_owner (fixture, "kills"), ==, 3);
  reasons = cluster_fixture_reasons (fixture, live_worker (fixture), room);
  g_assert_cmpstr (reasons, ==, "1,4,3,4,3,5");
  list = records (fixture, live_worker (fixture), room, &listed);
  g_assert_cmpuint (json_array_get_length (list), ==, 3);
  for (guint i = 0; i < 3; i++)
    {
      g_autofree char *worker = record_worker (fixture, json_array_get_object_element (list, i));

      g_assert_true (g_hash_table_contains (ran, worker));
    }
}

int
main (int argc, char **argv)
{
  int status;

  rh_test_init (&argc, &argv);
  gst_init (&argc, &argv);
  cluster_fixture_init ();
#define ADD(path, setup, func) g_test_add (path, Fixture, NULL, setup, func, fixture_teardown)
  ADD ("/cluster/any-worker", fixture_setup, test_any_worker);
  ADD ("/cluster/ready-any-worker", fixture_setup, test_ready_any_worker);
  ADD ("/cluster/kill-owner", fixture_setup, test_kill_owner);
  ADD ("/cluster/restart-same-name", fixture_setup, test_restart_same_name);
  ADD ("/cluster/stale-worker", fixture_setup, test_stale_worker);
  ADD ("/cluster/drain", fixture_setup, test_drain);
  ADD ("/cluster/full", fixture_setup_full, test_full);
  ADD ("/cluster/full-pending", fixture_setup_full, test_full_pending);
  ADD ("/cluster/retries-exhausted/never-ready", fixture_setup, test_retries_exhausted);
  ADD ("/cluster/retries-exhausted/kills", fixture_setup, test_retries_exhausted_kills);
#undef ADD
  status = g_test_run ();
  cluster_fixture_shutdown ();
  return status;
}
