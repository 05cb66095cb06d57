/* The leases of workers sharing a PostgreSQL store (a server of the test's
 * own), on the store alone: a start makes a room pending, one claim takes
 * it (two claimers take two rooms), renewals keep it, the reaper gives an
 * expired one back with reason 4 (5 past the last retry, never in the first
 * TTL after the server started), a stale owner's writes are refused, a
 * change through any worker is kept, a drained room is handed off. */
#include <string.h>

#include "postgres-server.h"
#include "rh-cloud-store-cluster.h"
#include "rh-cloud-store-leases.h"
#include "rh-fs.h"
#include "store-sync.h"
#include "test-utils.h"

#define TTL_MS 60000

typedef struct
{
  char *dir;
  char *url;
  RhCloudStore *store;  /* worker w1's */
  RhCloudStore *second; /* worker w2's: its own connection */
} Fixture;

static PostgresServer *server;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  if (server == NULL)
    server = postgres_server_start (&error);
  g_assert_no_error (error);
  fixture->dir = g_dir_make_tmp ("recordhost-leases-XXXXXX", &error);
  g_assert_no_error (error);
  fixture->url = postgres_server_create_database (server, &error);
  g_assert_no_error (error);
  fixture->store = store_sync_open (fixture->dir, fixture->url, &error);
  g_assert_no_error (error);
  fixture->second = store_sync_open (fixture->dir, fixture->url, &error);
  g_assert_no_error (error);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->store);
  g_clear_object (&fixture->second);
  rh_fs_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->url);
}

static GAsyncResult *
wait (GAsyncResult **result)
{
  g_assert_true (rh_test_wait_result (result, 30));
  return *result;
}

/* One statement of the test's own on @store's connection; its first
 * column of its first row, "" for none. */
static char *
sql (RhCloudStore *store, const char *statement)
{
  RhSqlConnection *connection = rh_cloud_store_get_connection (store);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (RhSqlResult) rows = NULL;
  g_autoptr (GError) error = NULL;

  rh_sql_connection_query_async (connection, statement, NULL, NULL, rh_test_async_cb, &result);
  rows = rh_sql_connection_query_finish (connection, wait (&result), &error);
  g_assert_no_error (error);
  if (rh_sql_result_get_n_rows (rows) == 0 || rh_sql_result_get_n_columns (rows) == 0)
    return g_strdup ("");
  return g_strdup (rh_sql_result_get (rows, 0, 0));
}

static void
request (Fixture *fixture, const char *room_uuid, const char *record_id, gboolean expected)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  gboolean requested = !expected;

  rh_cloud_store_request_room_async (fixture->store, "app", room_uuid, NULL,
                                     "{\"mode\":\"web\"}", TRUE, record_id, rh_test_async_cb,
                                     &result);
  g_assert_true (rh_cloud_store_request_room_finish (fixture->store, wait (&result), &requested,
                                                     &error));
  g_assert_no_error (error);
  g_assert_true (requested == expected);
}

static RhCloudClaim *
claim (RhCloudStore *store, const char *owner)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  RhCloudClaim *claimed;

  rh_cloud_store_claim_room_async (store, owner, TTL_MS, rh_test_async_cb, &result);
  claimed = rh_cloud_store_claim_room_finish (store, wait (&result), &error);
  g_assert_no_error (error);
  return claimed;
}

static guint
reap (RhCloudStore *store, gint64 ttl_ms)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  guint reaped;

  rh_cloud_store_reap_async (store, ttl_ms, rh_test_async_cb, &result);
  reaped = rh_cloud_store_reap_finish (store, wait (&result), &error);
  g_assert_no_error (error);
  return reaped;
}

/* The room's state events' reasons, "1,4,3". */
static char *
reasons (RhCloudStore *store, const char *room_uuid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) events = store_sync_list_events (store, "app", room_uuid, 0, 1001, 100,
                                                        &error);
  JsonArray *list = json_object_get_array_member (json_node_get_object (events), "list");
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  for (guint i = 0; i < json_array_get_length (list); i++)
    g_string_append_printf (
      out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
      json_object_get_int_member (
        json_object_get_object_member (json_array_get_object_element (list, i), "data"),
        "reason"));
  return g_string_free (out, FALSE);
}

/* The lease of every claimed room run out, as if its owner had died. */
static void
expire (Fixture *fixture)
{
  g_free (sql (fixture->store, "UPDATE rooms SET lease_expires_ms = 0 WHERE state = 'active'"));
}

static JsonNode *
event_data (void)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, "{\"state\":1,\"reason\":1}", -1, NULL));
  return json_node_copy (json_parser_get_root (parser));
}

/* A start is pending until one worker claims it, then running: a second
 * start is refused, a second claim finds nothing. */
static void
test_claim (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhCloudClaim) first = NULL;
  g_autoptr (RhCloudClaim) none = NULL;
  g_autofree char *owner = NULL;

  request (fixture, "r1", "rec1", TRUE);
  request (fixture, "r1", "rec2", FALSE);
  first = claim (fixture->store, "w1");
  g_assert_nonnull (first);
  g_assert_cmpstr (first->room_uuid, ==, "r1");
  g_assert_cmpstr (first->record_id, ==, "rec1");
  g_assert_cmpint (first->epoch, ==, 1);
  g_assert_cmpuint (first->retries, ==, 0);
  g_assert_true (first->held);
  none = claim (fixture->second, "w2");
  g_assert_null (none);
  owner = sql (fixture->store, "SELECT owner FROM rooms WHERE room_uuid = 'r1'");
  g_assert_cmpstr (owner, ==, "w1");
  request (fixture, "r1", "rec3", FALSE);
}

typedef struct
{
  GAsyncResult *result;
  RhCloudStore *store;
} Claiming;

/* Two workers claiming at once take two rooms, never the same one
 * (FOR UPDATE SKIP LOCKED), whatever the order. */
static void
test_two_claimers (Fixture *fixture, gconstpointer data)
{
  Claiming claims[2] = { { NULL, fixture->store }, { NULL, fixture->second } };
  g_autoptr (RhCloudClaim) a = NULL;
  g_autoptr (RhCloudClaim) b = NULL;
  g_autoptr (GError) error = NULL;

  request (fixture, "r1", "rec1", TRUE);
  request (fixture, "r2", "rec2", TRUE);
  for (guint i = 0; i < 2; i++)
    rh_cloud_store_claim_room_async (claims[i].store, i == 0 ? "w1" : "w2", TTL_MS,
                                     rh_test_async_cb, &claims[i].result);
  a = rh_cloud_store_claim_room_finish (fixture->store, wait (&claims[0].result), &error);
  g_assert_no_error (error);
  b = rh_cloud_store_claim_room_finish (fixture->second, wait (&claims[1].result), &error);
  g_assert_no_error (error);
  g_clear_object (&claims[0].result);
  g_clear_object (&claims[1].result);
  g_assert_nonnull (a);
  g_assert_nonnull (b);
  g_assert_cmpstr (a->room_uuid, !=, b->room_uuid);
}

/* An expired lease is reaped: reason 4, pending again, and the next claim
 * is another attempt (its own record); the stale owner's writes are then
 * refused and change nothing. */
static void
test_takeover (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhCloudClaim) first = NULL;
  g_autoptr (RhCloudClaim) second = NULL;
  g_autoptr (JsonNode) node = event_data ();
  g_autoptr (GError) error = NULL;
  g_autofree char *before = NULL;
  g_autofree char *after = NULL;
  g_autofree char *claims = NULL;
  RhCloudRecord stale = { .app_id = "app", .room_uuid = "r1", .record_id = "rec1",
                          .state = 1, .reason = 1, .owner = "w1", .epoch = 1 };

  request (fixture, "r1", "rec1", TRUE);
  first = claim (fixture->store, "w1");
  g_assert_true (store_sync_put_record (fixture->store, &stale, &error));
  g_assert_no_error (error);
  g_assert_cmpint (store_sync_add_event (fixture->store, "app", "r1", 1001, node, &error), ==, 1);
  g_assert_cmpuint (reap (fixture->second, 0), ==, 0);
  expire (fixture);
  g_assert_cmpuint (reap (fixture->second, 0), ==, 1);
  g_assert_cmpuint (reap (fixture->second, 0), ==, 0);
  second = claim (fixture->second, "w2");
  g_assert_nonnull (second);
  g_assert_cmpint (second->epoch, ==, 2);
  g_assert_cmpuint (second->retries, ==, 1);
  g_assert_cmpstr (second->record_id, !=, "rec1");
  before = reasons (fixture->store, "r1");
  g_assert_cmpstr (before, ==, "1,4");

  {
    g_autoptr (GAsyncResult) result = NULL;

    rh_cloud_store_add_owned_event_async (fixture->store, "app", "r1", "w1", 1, 1001, node,
                                          g_get_real_time () / 1000, rh_test_async_cb,
                                          &result);
    g_assert_cmpint (rh_cloud_store_add_event_finish (fixture->store, wait (&result), &error),
                     ==, 0);
    g_assert_error (error, G_IO_ERROR, RH_CLOUD_STORE_LEASE_LOST);
    g_clear_error (&error);
  }
  stale.reason = 3;
  g_assert_false (store_sync_put_record (fixture->store, &stale, &error));
  g_assert_error (error, G_IO_ERROR, RH_CLOUD_STORE_LEASE_LOST);
  after = reasons (fixture->store, "r1");
  g_assert_cmpstr (after, ==, "1,4");
  g_free (before);
  before = sql (fixture->store, "SELECT reason || ' ' || state FROM records "
                                "WHERE record_id = 'rec1'");
  g_assert_cmpstr (before, ==, "4 2");
  claims = sql (fixture->store, "SELECT string_agg (owner || ':' || epoch || ':' || "
                                "COALESCE (how, '-'), ',' ORDER BY epoch) FROM room_claims");
  g_assert_cmpstr (claims, ==, "w1:1:expired,w2:2:-");
}

/* Past the last retry a room is given up: reason 5, idle, claimed no more. */
static void
test_retries_exhausted (Fixture *fixture, gconstpointer data)
{
  g_autofree char *got = NULL;
  g_autofree char *state = NULL;

  request (fixture, "r1", "rec1", TRUE);
  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (RhCloudClaim) claimed = claim (fixture->store, i % 2 == 0 ? "w1" : "w2");

      g_assert_nonnull (claimed);
      g_assert_cmpuint (claimed->retries, ==, i);
      expire (fixture);
      g_assert_cmpuint (reap (fixture->store, 0), ==, 1);
    }
  g_assert_null (claim (fixture->second, "w2"));
  got = reasons (fixture->store, "r1");
  g_assert_cmpstr (got, ==, "4,4,5");
  state = sql (fixture->store, "SELECT state FROM rooms");
  g_assert_cmpstr (state, ==, "idle");
}

/* In the first TTL after PostgreSQL started no lease is reaped: the workers
 * had no server to renew on meanwhile. */
static void
test_no_reap_after_start (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhCloudClaim) claimed = NULL;
  g_autofree char *up_ms = NULL;

  request (fixture, "r1", "rec1", TRUE);
  claimed = claim (fixture->store, "w1");
  expire (fixture);
  up_ms = sql (fixture->store, "SELECT CAST (EXTRACT (EPOCH FROM clock_timestamp () - "
                               "pg_postmaster_start_time ()) * 1000 AS BIGINT)");
  /* A TTL longer than the server has been up. */
  g_assert_cmpuint (reap (fixture->store, g_ascii_strtoll (up_ms, NULL, 10) + TTL_MS), ==, 0);
  g_assert_cmpuint (reap (fixture->store, 0), ==, 1);
}

/* Renewals give the owner its rooms with their epochs; after a takeover
 * the old owner's renewal no longer has the room. */
static void
test_renew (Fixture *fixture, gconstpointer data)
{
  const char *const rooms[] = { "app/r1", NULL };
  g_autoptr (RhCloudClaim) claimed = NULL;
  g_autoptr (RhCloudClaim) again = NULL;
  g_autoptr (GHashTable) held = NULL;
  g_autoptr (GHashTable) after = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GAsyncResult) second = NULL;
  g_autoptr (GError) error = NULL;
  g_autoptr (GAsyncResult) counted = NULL;
  RhCloudClusterCounts counts = { 0 };
  gint64 *epoch;

  request (fixture, "r1", "rec1", TRUE);
  claimed = claim (fixture->store, "w1");
  rh_cloud_store_renew_leases_async (fixture->store, "w1", rooms, TTL_MS, "http://w1", 4, 1,
                                     FALSE,
                                     rh_test_async_cb, &result);
  held = rh_cloud_store_renew_leases_finish (fixture->store, wait (&result), &error);
  g_assert_no_error (error);
  epoch = g_hash_table_lookup (held, "app/r1");
  g_assert_nonnull (epoch);
  g_assert_cmpint (*epoch, ==, 1);
  rh_cloud_store_count_cluster_async (fixture->store, rh_test_async_cb, &counted);
  g_assert_true (rh_cloud_store_count_cluster_finish (fixture->store, wait (&counted), &counts,
                                                      &error));
  g_assert_cmpuint (counts.workers, ==, 1);
  g_assert_cmpuint (counts.capacity, ==, 4);
  g_assert_cmpuint (counts.active, ==, 1);
  g_assert_cmpuint (counts.pending, ==, 0);
  expire (fixture);
  reap (fixture->second, 0);
  again = claim (fixture->second, "w2");
  g_assert_nonnull (again);
  rh_cloud_store_renew_leases_async (fixture->store, "w1", rooms, TTL_MS, "http://w1", 4, 1,
                                     FALSE,
                                     rh_test_async_cb, &second);
  after = rh_cloud_store_renew_leases_finish (fixture->store, wait (&second), &error);
  g_assert_no_error (error);
  g_assert_false (g_hash_table_contains (after, "app/r1"));
}

typedef struct
{
  const char *name;
  gboolean claimed;     /* the room claimed before the change */
  RhCloudChange change;
  const char *state;    /* what the change finds */
  const char *room_after;
  const char *reasons;  /* its events after */
} ChangeRow;

static const ChangeRow change_rows[] = {
  { "release-pending", FALSE, RH_CLOUD_CHANGE_RELEASE, "pending", "pending", "" },
  { "release-active", TRUE, RH_CLOUD_CHANGE_RELEASE, "active", "active", "" },
  { "stop-pending", FALSE, RH_CLOUD_CHANGE_STOP, "pending", "idle", "2" },
  { "stop-active", TRUE, RH_CLOUD_CHANGE_STOP, "active", "active", "" },
  { "none-active", TRUE, RH_CLOUD_CHANGE_NONE, "active", "active", "" },
};

/* A change asked through a worker other than the owner is kept in the
 * room: a release clears onHold, a stop of a pending room ends it (its
 * event), of a claimed one is asked of the owner. */
static void
test_change (Fixture *fixture, gconstpointer data)
{
  const ChangeRow *row = data;
  g_autoptr (RhCloudClaim) claimed = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *record_id = NULL;
  g_autofree char *room_after = NULL;
  g_autofree char *got = NULL;
  gboolean held = TRUE;

  request (fixture, "r1", "rec1", TRUE);
  if (row->claimed)
    claimed = claim (fixture->store, "w1");
  rh_cloud_store_change_room_async (fixture->second, "app", "r1", row->change,
                                    rh_test_async_cb, &result);
  g_assert_true (rh_cloud_store_change_room_finish (fixture->second, wait (&result), &state,
                                                    &record_id, &held, &error));
  g_assert_no_error (error);
  g_assert_cmpstr (state, ==, row->state);
  g_assert_cmpstr (record_id, ==, "rec1");
  g_assert_true (held == (row->change != RH_CLOUD_CHANGE_RELEASE));
  room_after = sql (fixture->store, "SELECT state || ' ' || stop_requested FROM rooms");
  g_assert_true (g_str_has_prefix (room_after, row->room_after));
  g_assert_true (g_str_has_suffix (room_after, row->change == RH_CLOUD_CHANGE_STOP ? "1" : "0"));
  got = reasons (fixture->store, "r1");
  g_assert_cmpstr (got, ==, row->reasons);
}

/* A room not recording anywhere: nothing to change. */
static void
test_change_idle (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *state = NULL;
  g_autofree char *record_id = NULL;
  gboolean held = FALSE;

  rh_cloud_store_change_room_async (fixture->store, "app", "nowhere", RH_CLOUD_CHANGE_STOP,
                                    rh_test_async_cb, &result);
  g_assert_true (rh_cloud_store_change_room_finish (fixture->store, wait (&result), &state,
                                                    &record_id, &held, &error));
  g_assert_cmpstr (state, ==, "idle");
}

/* A draining worker's room is claimed by another as a new attempt (no
 * retry counted); the attempt before ends as it begins. */
static void
test_hand_off (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhCloudClaim) first = NULL;
  g_autoptr (RhCloudClaim) second = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *claims = NULL;
  g_autofree char *record = NULL;
  RhCloudRecord running = { .app_id = "app", .room_uuid = "r1", .record_id = "rec1",
                            .state = 1, .reason = 1, .owner = "w1", .epoch = 1 };

  request (fixture, "r1", "rec1", TRUE);
  first = claim (fixture->store, "w1");
  g_assert_true (store_sync_put_record (fixture->store, &running, &error));
  rh_cloud_store_hand_off_async (fixture->store, "w1", rh_test_async_cb, &result);
  g_assert_cmpuint (rh_cloud_store_hand_off_finish (fixture->store, wait (&result), &error), ==,
                    1);
  second = claim (fixture->second, "w2");
  g_assert_nonnull (second);
  g_assert_cmpint (second->epoch, ==, 2);
  g_assert_cmpuint (second->retries, ==, 0);
  g_assert_cmpstr (second->record_id, !=, "rec1");
  claims = sql (fixture->store, "SELECT string_agg (owner || ':' || COALESCE (how, '-'), ',' "
                                "ORDER BY epoch) FROM room_claims");
  g_assert_cmpstr (claims, ==, "w1:handed-off,w2:-");
  record = sql (fixture->store, "SELECT state FROM records WHERE record_id = 'rec1'");
  g_assert_cmpstr (record, ==, "2");
}

/* A worker started again under the name of one that died gives back every
 * room of that name: reaped at once; another name's rooms keep theirs. */
static void
test_expire_leases (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhCloudClaim) mine = NULL;
  g_autoptr (RhCloudClaim) other = NULL;
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GError) error = NULL;

  request (fixture, "r1", "rec1", TRUE);
  request (fixture, "r2", "rec2", TRUE);
  mine = claim (fixture->store, "w1");
  other = claim (fixture->second, "w2");
  rh_cloud_store_expire_leases_async (fixture->store, "w1", rh_test_async_cb, &result);
  g_assert_cmpuint (rh_cloud_store_expire_leases_finish (fixture->store, wait (&result), &error),
                    ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (reap (fixture->second, 0), ==, 1);
  g_assert_cmpuint (reap (fixture->second, 0), ==, 0);
}

#define ADD(path, func) g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)

int
main (int argc, char **argv)
{
  int status;

  rh_test_init (&argc, &argv);
  ADD ("/cloud-store-leases/claim", test_claim);
  ADD ("/cloud-store-leases/two-claimers", test_two_claimers);
  ADD ("/cloud-store-leases/takeover", test_takeover);
  ADD ("/cloud-store-leases/retries-exhausted", test_retries_exhausted);
  ADD ("/cloud-store-leases/no-reap-after-start", test_no_reap_after_start);
  ADD ("/cloud-store-leases/renew", test_renew);
  ADD ("/cloud-store-leases/change/idle", test_change_idle);
  ADD ("/cloud-store-leases/hand-off", test_hand_off);
  ADD ("/cloud-store-leases/expire-leases", test_expire_leases);
  for (guint i = 0; i < G_N_ELEMENTS (change_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-store-leases/change/", change_rows[i].name,
                                           NULL);

      g_test_add (path, Fixture, &change_rows[i], fixture_setup, test_change, fixture_teardown);
    }
  status = g_test_run ();
  g_clear_pointer (&server, postgres_server_free);
  return status;
}
