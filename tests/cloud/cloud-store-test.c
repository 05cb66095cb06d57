/* The cloud's store on its own, in SQLite and in PostgreSQL (a server of
 * the test's own): rooms, records and events saved, listed and found again
 * after a reopen, the same through both; one cloud a SQLite data
 * directory, and a store that cannot be opened or written.  The leases of
 * workers sharing PostgreSQL are in cloud-store-leases-test.c. */
#include <glib/gstdio.h>
#include <sqlite3.h>
#include <string.h>

#include "postgres-server.h"
#include "rh-cloud-store.h"
#include "store-sync.h"
#include "rh-error.h"
#include "rh-fs.h"
#include "test-utils.h"

typedef struct
{
  char *dir;
  char *url; /* a database of the test's server, NULL for SQLite in dir */
  RhCloudStore *store;
} Fixture;

/* Started for the first test case on PostgreSQL, ended with the program. */
static PostgresServer *server;

/* The fixture's data for a case on PostgreSQL; any other is SQLite's. */
static const char postgresql[] = "postgresql";

/* @data: postgresql, else SQLite. */
static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;

  fixture->dir = g_dir_make_tmp ("recordhost-store-XXXXXX", &error);
  g_assert_no_error (error);
  if (data == postgresql)
    {
      if (server == NULL)
        server = postgres_server_start (&error);
      g_assert_no_error (error);
      fixture->url = postgres_server_create_database (server, &error);
      g_assert_no_error (error);
    }
  fixture->store = store_sync_open (fixture->dir, fixture->url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->store);
  rh_fs_remove_tree (fixture->dir);
  g_free (fixture->dir);
  g_free (fixture->url);
}

static void
reopen (Fixture *fixture)
{
  g_autoptr (GError) error = NULL;

  g_clear_object (&fixture->store);
  fixture->store = store_sync_open (fixture->dir, fixture->url, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fixture->store);
}

static void
put_record (Fixture *fixture, const char *record_id, int state, const char *file)
{
  g_autoptr (GError) error = NULL;
  RhCloudRecord record = {
    .app_id = "app",
    .room_uuid = "room 1/x",
    .record_id = record_id,
    .state = state,
    .reason = state == 2 ? 1 : 0,
    .start_ms = 1000,
    .end_ms = state == 2 ? 2000 : 0,
    .config = "{\"mode\":\"web\"}",
    .file = file,
  };

  g_assert_true (store_sync_put_record (fixture->store, &record, &error));
  g_assert_no_error (error);
}

/* The directory is made, and locked. */
static void
test_open (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("recordhost-store-XXXXXX", &error);
  g_autofree char *dir = g_build_filename (base, "a", "b", NULL);
  g_autofree char *db = g_build_filename (dir, "cloud.sqlite3", NULL);
  g_autoptr (RhCloudStore) store = NULL;
  g_autoptr (RhCloudStore) second = NULL;

  g_assert_no_error (error);
  store = store_sync_open (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (rh_cloud_store_get_dir (store), ==, dir);
  g_assert_true (g_file_test (db, G_FILE_TEST_IS_REGULAR));
  second = store_sync_open (dir, NULL, &error);
  g_assert_null (second);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_BUSY);
  g_assert_nonnull (strstr (error->message, "in use by another recordhost cloud"));
  g_clear_object (&store);
  rh_fs_remove_tree (base);
}

static void
test_rooms (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *name = NULL;
  gboolean created = FALSE;
  int type = -1;

  g_assert_true (store_sync_put_room (fixture->store, "app", "room 1/x", "Maths", 2,
                                          &created, &error));
  g_assert_true (created);
  g_assert_true (store_sync_put_room (fixture->store, "app", "room 1/x", "Other", 4,
                                          &created, &error));
  g_assert_false (created);
  reopen (fixture);
  g_assert_true (store_sync_get_room (fixture->store, "app", "room 1/x", &name, &type,
                                          &error));
  g_assert_no_error (error);
  g_assert_cmpstr (name, ==, "Maths");
  g_assert_cmpint (type, ==, 2);
  g_assert_false (store_sync_get_room (fixture->store, "other-app", "room 1/x", NULL, NULL,
                                           &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
}

static void
test_records (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *file = g_build_filename (fixture->dir, "r1.mp4", NULL);
  JsonObject *object;
  JsonObject *first;
  JsonObject *second;
  JsonObject *entry;

  g_assert_true (g_file_set_contents (file, "data", -1, NULL));
  put_record (fixture, "r1", 2, file);
  put_record (fixture, "r2", 2, "/nonexistent/r2.mp4");
  reopen (fixture);
  list = store_sync_list_records (fixture->store, "app", "room 1/x", TRUE, &error);
  g_assert_no_error (error);
  object = json_node_get_object (list);
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 2);
  first = json_array_get_object_element (json_object_get_array_member (object, "list"), 0);
  second = json_array_get_object_element (json_object_get_array_member (object, "list"), 1);
  g_assert_cmpstr (json_object_get_string_member (first, "recordId"), ==, "r1");
  g_assert_cmpstr (json_object_get_string_member (first, "roomUuid"), ==, "room 1/x");
  g_assert_cmpint (json_object_get_int_member (first, "endTime"), ==, 2000);
  g_assert_cmpstr (json_object_get_string_member (
                     json_object_get_object_member (first, "config"), "mode"), ==, "web");
  g_assert_cmpstr (json_object_get_string_member (first, "fileState"), ==, "written");
  /* Outside recordings/, a file is named but not served. */
  entry = json_array_get_object_element (json_object_get_array_member (first, "files"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "fileName"), ==, "r1.mp4");
  g_assert_cmpstr (json_object_get_string_member (entry, "localPath"), ==, file);
  g_assert_true (json_object_get_null_member (entry, "download"));
  /* What is on disk, not what was meant to be. */
  g_assert_cmpstr (json_object_get_string_member (second, "fileState"), ==, "missing");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (second, "files")), ==,
                    0);
}

/* Without full paths, a file is named as the data directory sees it. */
static void
test_records_relative (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *dir = g_build_filename (fixture->dir, "recordings", NULL);
  g_autofree char *file = g_build_filename (dir, "r1.mp4", NULL);
  JsonObject *first;
  JsonObject *entry;
  g_autofree char *text = NULL;

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_assert_true (g_file_set_contents (file, "data", -1, NULL));
  put_record (fixture, "r1", 2, file);
  list = store_sync_list_records (fixture->store, "app", "room 1/x", FALSE, &error);
  g_assert_no_error (error);
  first = json_array_get_object_element (
    json_object_get_array_member (json_node_get_object (list), "list"), 0);
  entry = json_array_get_object_element (json_object_get_array_member (first, "files"), 0);
  g_assert_cmpstr (json_object_get_string_member (entry, "fileName"), ==, "recordings/r1.mp4");
  g_assert_cmpstr (json_object_get_string_member (entry, "download"), ==, "/recordings/r1.mp4");
  g_assert_false (json_object_has_member (entry, "localPath"));
  text = json_to_string (list, FALSE);
  g_assert_null (strstr (text, fixture->dir));
}

/* A recording whose recorder failed lists as failed, with the reason,
 * whatever part of its file there is. */
static void
test_record_failed (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autofree char *file = g_build_filename (fixture->dir, "r1.mp4", NULL);
  RhCloudRecord record = {
    .app_id = "app", .room_uuid = "room", .record_id = "r1", .state = 2, .reason = 2,
    .start_ms = 1000, .end_ms = 2000, .file = file,
    .error = NULL,
  };
  g_autofree char *failure = g_strdup_printf ("recording to %s: No space left on device", file);
  JsonObject *listed;

  record.error = failure;
  g_assert_true (g_file_set_contents (file, "part", -1, NULL));
  g_assert_true (store_sync_put_record (fixture->store, &record, &error));
  g_assert_no_error (error);
  list = store_sync_list_records (fixture->store, "app", "room", FALSE, &error);
  g_assert_no_error (error);
  listed = json_array_get_object_element (json_object_get_array_member (json_node_get_object (
                                                                          list),
                                                                        "list"),
                                          0);
  g_assert_cmpstr (json_object_get_string_member (listed, "fileState"), ==, "failed");
  /* Without the token, the file is named as the data directory sees it. */
  g_assert_cmpstr (json_object_get_string_member (listed, "error"), ==,
                   "recording to r1.mp4: No space left on device");
}

/* A data directory from before recordings had an error opens, and its
 * records list with no error. */
static void
test_old_records_table (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("recordhost-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cloud.sqlite3", NULL);
  g_autoptr (RhCloudStore) store = NULL;
  g_autoptr (JsonNode) list = NULL;
  JsonObject *listed;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE records (record_id TEXT PRIMARY KEY, app_id TEXT "
                                 "NOT NULL, room_uuid TEXT NOT NULL, state INTEGER, reason "
                                 "INTEGER, on_hold INTEGER, unready INTEGER, start_ms INTEGER, "
                                 "end_ms INTEGER, config TEXT, file TEXT);"
                                 "INSERT INTO records VALUES ('r1', 'app', 'room', 2, 2, 0, 0, "
                                 "1000, 2000, NULL, NULL);",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  store = store_sync_open (dir, NULL, &error);
  g_assert_no_error (error);
  list = store_sync_list_records (store, "app", "room", FALSE, &error);
  g_assert_no_error (error);
  listed = json_array_get_object_element (json_object_get_array_member (json_node_get_object (
                                                                          list),
                                                                        "list"),
                                          0);
  g_assert_cmpstr (json_object_get_string_member (listed, "fileState"), ==, "missing");
  g_assert_true (json_object_get_null_member (listed, "error"));
  g_clear_object (&store);
  rh_fs_remove_tree (dir);
}

/* A data directory from before records said what their page did opens:
 * its records list with a null page, and a record saved then keeps one,
 * found by its id only in its own room. */
static void
test_old_records_page (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("recordhost-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cloud.sqlite3", NULL);
  g_autoptr (RhCloudStore) store = NULL;
  g_autoptr (JsonNode) list = NULL;
  g_autoptr (JsonNode) page = NULL;
  RhCloudRecord record = { 0 };
  JsonArray *listed;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE records (record_id TEXT PRIMARY KEY, app_id TEXT "
                                 "NOT NULL, room_uuid TEXT NOT NULL, state INTEGER, reason "
                                 "INTEGER, on_hold INTEGER, unready INTEGER, start_ms INTEGER, "
                                 "end_ms INTEGER, config TEXT, file TEXT, error TEXT);"
                                 "INSERT INTO records VALUES ('r1', 'app', 'room', 2, 2, 0, 0, "
                                 "1000, 2000, NULL, NULL, NULL);",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  store = store_sync_open (dir, NULL, &error);
  g_assert_no_error (error);
  page = store_sync_get_record_page (store, "app", "room", "r1", &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_NULL (page));

  record.app_id = "app";
  record.room_uuid = "room";
  record.record_id = "r2";
  record.state = 2;
  record.reason = 5;
  record.start_ms = 3000;
  record.page = "{\"attempts\":[{\"attempt\":1,\"cause\":\"not ready\"}]}";
  g_assert_true (store_sync_put_record (store, &record, &error));
  g_assert_no_error (error);
  list = store_sync_list_records (store, "app", "room", FALSE, &error);
  g_assert_no_error (error);
  listed = json_object_get_array_member (json_node_get_object (list), "list");
  g_assert_cmpuint (json_array_get_length (listed), ==, 2);
  g_assert_true (json_object_get_null_member (json_array_get_object_element (listed, 0), "page"));
  g_clear_pointer (&page, json_node_unref);
  page = store_sync_get_record_page (store, "app", "room", "r2", &error);
  g_assert_no_error (error);
  g_assert_cmpstr (json_object_get_string_member (
                     json_array_get_object_element (
                       json_object_get_array_member (json_node_get_object (page), "attempts"), 0),
                     "cause"),
                   ==, "not ready");
  g_assert_true (json_node_equal (page, json_object_get_member (
                                          json_array_get_object_element (listed, 1), "page")));
  g_clear_pointer (&page, json_node_unref);
  page = store_sync_get_record_page (store, "app", "other-room", "r2", &error);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_FOUND);
  g_assert_null (page);
  g_clear_object (&store);
  rh_fs_remove_tree (dir);
}

static JsonNode *
event_data (int reason)
{
  JsonNode *node = json_node_new (JSON_NODE_OBJECT);
  JsonObject *object = json_object_new ();

  json_object_set_int_member (object, "reason", reason);
  json_node_take_object (node, object);
  return node;
}

static void
test_events (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) page = NULL;
  g_autoptr (JsonNode) rest = NULL;
  g_autoptr (JsonNode) only = NULL;
  gint64 next;

  for (int i = 0; i < 3; i++)
    {
      g_autoptr (JsonNode) node = event_data (i);

      g_assert_cmpint (store_sync_add_event (fixture->store, "app", "r1",
                                                 i == 1 ? 1002 : 1001, node, &error),
                       >, 0);
      g_assert_no_error (error);
    }
  reopen (fixture);
  page = store_sync_list_events (fixture->store, "app", "r1", 0, 0, 2, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (page), "list")), ==, 2);
  next = json_object_get_int_member (json_node_get_object (page), "nextId");
  rest = store_sync_list_events (fixture->store, "app", "r1", next, 0, 100, &error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (rest), "list")), ==, 1);
  only = store_sync_list_events (fixture->store, "app", "r1", 0, 1002, 100, &error);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (
                      json_node_get_object (only), "list")), ==, 1);
}

/* A room's sequence numbers, "1,2,3", as listed from 0. */
static char *
room_sequences (RhCloudStore *store, const char *room_uuid)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) events = store_sync_list_events (store, "app", room_uuid, 0, 0, 100,
                                                            &error);
  JsonArray *list;
  GString *out = g_string_new (NULL);

  g_assert_no_error (error);
  list = json_object_get_array_member (json_node_get_object (events), "list");
  for (guint i = 0; i < json_array_get_length (list); i++)
    g_string_append_printf (out, "%s%" G_GINT64_FORMAT, i > 0 ? "," : "",
                            json_object_get_int_member (json_array_get_object_element (list, i),
                                                        "sequence"));
  return g_string_free (out, FALSE);
}

/* Each room numbers its own events from 1, without gaps, whatever the other
 * rooms do meanwhile, across a restart too. */
static void
test_room_sequences (Fixture *fixture, gconstpointer data)
{
  const char *rooms[] = { "r1", "r2", "r1", "r1", "r2" };
  const gint64 expected[] = { 1, 1, 2, 3, 2 };
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = event_data (1);
  g_autoptr (JsonNode) later = NULL;
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;

  for (guint i = 0; i < G_N_ELEMENTS (rooms); i++)
    {
      g_assert_cmpint (store_sync_add_event (fixture->store, "app", rooms[i], 1001, node,
                                                 &error),
                       ==, expected[i]);
      g_assert_no_error (error);
    }
  reopen (fixture);
  g_assert_cmpint (store_sync_add_event (fixture->store, "app", "r2", 1001, node, &error),
                   ==, 3);
  r1 = room_sequences (fixture->store, "r1");
  r2 = room_sequences (fixture->store, "r2");
  g_assert_cmpstr (r1, ==, "1,2,3");
  g_assert_cmpstr (r2, ==, "1,2,3");
  later = store_sync_list_events (fixture->store, "app", "r2", 3, 0, 100, &error);
  g_assert_cmpint (json_object_get_int_member (json_node_get_object (later), "nextId"), ==, 4);
}

/* A data directory from before events were numbered per room: its events
 * get their rooms' numbers, in the order they came, and new ones follow. */
static void
test_old_events_table (void)
{
  g_autoptr (GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("recordhost-store-XXXXXX", &error);
  g_autofree char *path = g_build_filename (dir, "cloud.sqlite3", NULL);
  g_autoptr (RhCloudStore) store = NULL;
  g_autoptr (JsonNode) node = event_data (2);
  g_autofree char *r1 = NULL;
  g_autofree char *r2 = NULL;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db,
                                 "CREATE TABLE events (sequence INTEGER PRIMARY KEY "
                                 "AUTOINCREMENT, app_id TEXT NOT NULL, room_uuid TEXT NOT NULL, "
                                 "cmd INTEGER, version INTEGER, data TEXT, ts INTEGER);"
                                 "INSERT INTO events VALUES (1, 'app', 'r1', 1001, 1, '{}', 1);"
                                 "INSERT INTO events VALUES (2, 'app', 'r2', 1001, 1, '{}', 2);"
                                 "INSERT INTO events VALUES (3, 'app', 'r1', 1001, 1, '{}', 3);",
                                 NULL, NULL, NULL),
                   ==, SQLITE_OK);
  sqlite3_close (db);
  store = store_sync_open (dir, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (store_sync_add_event (store, "app", "r1", 1001, node, &error), ==, 3);
  r1 = room_sequences (store, "r1");
  r2 = room_sequences (store, "r2");
  g_assert_cmpstr (r1, ==, "1,2,3");
  g_assert_cmpstr (r2, ==, "1");
  g_clear_object (&store);
  rh_fs_remove_tree (dir);
}

/* A recording the last cloud left running ends, once, with its stop event. */
static void
test_end_interrupted (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) events = NULL;
  JsonArray *list;

  put_record (fixture, "running", 1, NULL);
  reopen (fixture);
  g_assert_cmpuint (store_sync_end_interrupted (fixture->store, &error), ==, 1);
  g_assert_no_error (error);
  g_assert_cmpuint (store_sync_end_interrupted (fixture->store, &error), ==, 0);
  events = store_sync_list_events (fixture->store, "app", "room 1/x", 0, 1001, 100, &error);
  list = json_object_get_array_member (json_node_get_object (events), "list");
  g_assert_cmpuint (json_array_get_length (list), ==, 1);
  g_assert_cmpint (json_object_get_int_member (
                     json_object_get_object_member (json_array_get_object_element (list, 0),
                                                    "data"),
                     "reason"),
                   ==, 2);
}

typedef struct
{
  const char *name;
  const char *sql; /* run from outside, on the open store */
  const char *what;
} WriteFailRow;

static const WriteFailRow write_fail_rows[] = {
  { "room", "CREATE TRIGGER fail BEFORE INSERT ON rooms BEGIN SELECT RAISE (FAIL, 'disk trouble'); "
            "END", "add room" },
  { "record", "CREATE TRIGGER fail BEFORE INSERT ON records BEGIN SELECT RAISE (FAIL, 'disk "
              "trouble'); END", "save record" },
  { "event", "CREATE TRIGGER fail BEFORE INSERT ON events BEGIN SELECT RAISE (FAIL, 'disk "
             "trouble'); END", "add event" },
};

/* A write that fails says which, and does not pretend to have happened. */
static void
test_write_fails (Fixture *fixture, gconstpointer data)
{
  const WriteFailRow *row = data;
  g_autofree char *path = g_build_filename (fixture->dir, "cloud.sqlite3", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) node = event_data (1);
  RhCloudRecord record = { .app_id = "app", .room_uuid = "r", .record_id = "x", .state = 1 };
  gboolean created = TRUE;
  gboolean ok;
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, row->sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
  if (g_str_equal (row->name, "room"))
    ok = store_sync_put_room (fixture->store, "app", "r", "r", 4, &created, &error);
  else if (g_str_equal (row->name, "record"))
    ok = store_sync_put_record (fixture->store, &record, &error);
  else
    ok = store_sync_add_event (fixture->store, "app", "r", 1001, node, &error) > 0;
  g_assert_false (ok);
  g_assert_error (error, RH_SQL_ERROR, RH_SQL_ERROR_FAILED);
  g_assert_nonnull (strstr (error->message, row->what));
  g_assert_nonnull (strstr (error->message, "disk trouble"));
}

typedef struct
{
  const char *name;
  const char *file;     /* made with "junk" in the data directory */
  const char *data_dir; /* under it: the directory given */
  const char *message;
} OpenFailRow;

static const OpenFailRow open_fail_rows[] = {
  { "dir-is-a-file", "dir", "dir", "cannot create --data-dir" },
  { "dir-under-a-file", "dir", "dir/sub", "cannot create --data-dir" },
  { "not-a-database", "cloud.sqlite3", "", "cannot use" },
};

static void
test_open_fails (gconstpointer data)
{
  const OpenFailRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *base = g_dir_make_tmp ("recordhost-store-XXXXXX", &error);
  g_autofree char *file = g_build_filename (base, row->file, NULL);
  g_autofree char *dir = g_build_filename (base, row->data_dir, NULL);
  g_autofree char *junk = g_strnfill (4096, 'j');
  g_autoptr (RhCloudStore) store = NULL;

  g_assert_no_error (error);
  g_assert_true (g_file_set_contents (file, junk, -1, NULL));
  store = store_sync_open (dir, NULL, &error);
  g_assert_null (store);
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  g_assert_nonnull (strstr (error->message, row->message));
  rh_fs_remove_tree (base);
}

typedef void (*FixtureFunc) (Fixture *fixture, gconstpointer data);

/* Each on SQLite at /cloud-store/NAME, and on PostgreSQL at
 * /cloud-store/postgresql/NAME. */
static void
add_both (const char *name, FixtureFunc func)
{
  g_autofree char *sqlite = g_strconcat ("/cloud-store/", name, NULL);
  g_autofree char *pg = g_strconcat ("/cloud-store/postgresql/", name, NULL);

  g_test_add (sqlite, Fixture, NULL, fixture_setup, func, fixture_teardown);
  g_test_add (pg, Fixture, postgresql, fixture_setup, func, fixture_teardown);
}

int
main (int argc, char **argv)
{
  int status;

  rh_test_init (&argc, &argv);
  g_test_add_func ("/cloud-store/open", test_open);
  g_test_add_func ("/cloud-store/old-records-table", test_old_records_table);
  g_test_add_func ("/cloud-store/old-records-page", test_old_records_page);
  g_test_add_func ("/cloud-store/old-events-table", test_old_events_table);
  add_both ("rooms", test_rooms);
  add_both ("records", test_records);
  add_both ("records-relative", test_records_relative);
  add_both ("record-failed", test_record_failed);
  add_both ("events", test_events);
  add_both ("room-sequences", test_room_sequences);
  add_both ("end-interrupted", test_end_interrupted);
  for (guint i = 0; i < G_N_ELEMENTS (write_fail_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-store/write-fails/", write_fail_rows[i].name,
                                           NULL);

      g_test_add (path, Fixture, &write_fail_rows[i], fixture_setup, test_write_fails,
                  fixture_teardown);
    }
  for (guint i = 0; i < G_N_ELEMENTS (open_fail_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-store/open-fails/", open_fail_rows[i].name,
                                           NULL);

      g_test_add_data_func (path, &open_fail_rows[i], test_open_fails);
    }
  status = g_test_run ();
  g_clear_pointer (&server, postgres_server_free);
  return status;
}
