#include "rh-demo-flow.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-cloud.h"
#include "rh-cli-wait.h"
#include "rh-error.h"
#include "rh-fs.h"
#include "rh-page-dir.h"

#define ROOM_PATH "/edu/apps/demo-app/v2/rooms/demo-room"
#define STEP_TIMEOUT_S 30

typedef struct
{
  RhCloud *cloud;
  SoupSession *session;
} Flow;

/* One call, printed as the documented flow reads: the request, then the
 * answer.  The server runs on this thread, so the call is async. */
static JsonObject *
call (Flow *flow, const char *method, const char *path, const char *body, GError **error)
{
  g_autofree char *uri = g_strconcat (rh_cloud_get_base_url (flow->cloud), path, NULL);
  g_autoptr (SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (GBytes) reply = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_print ("\n$ %s %s%s%s\n", method, uri, body != NULL ? " " : "", body != NULL ? body : "");
  if (body != NULL)
    {
      g_autoptr (GBytes) bytes = g_bytes_new (body, strlen (body));

      soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
    }
  soup_session_send_and_read_async (flow->session, msg, G_PRIORITY_DEFAULT, NULL,
                                    rh_cli_keep_result, &result);
  rh_cli_wait (&result);
  reply = soup_session_send_and_read_finish (flow->session, result, error);
  if (reply == NULL)
    return NULL;
  g_print ("%.*s\n", (int) g_bytes_get_size (reply), (const char *) g_bytes_get_data (reply, NULL));
  if (!json_parser_load_from_data (parser, g_bytes_get_data (reply, NULL),
                                   g_bytes_get_size (reply), error))
    return NULL;
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static gboolean
call_ok (Flow *flow, const char *method, const char *path, const char *body, GError **error)
{
  g_autoptr (JsonObject) reply = call (flow, method, path, body, error);

  if (reply == NULL)
    return FALSE;
  if (json_object_get_int_member (reply, "code") != 0)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_PAGE_FAILED, "%s %s answered code %" G_GINT64_FORMAT,
                   method, path, json_object_get_int_member (reply, "code"));
      return FALSE;
    }
  return TRUE;
}

/* Whether the room has a state event with @reason yet, asked without printing. */
static gboolean
has_reason (RhCloudStore *store, gint64 reason)
{
  g_autoptr (GAsyncResult) result = NULL;
  g_autoptr (JsonNode) events = NULL;
  JsonArray *list;

  rh_cloud_store_list_events_async (store, "demo-app", "demo-room", 0, 1001, 100,
                                    rh_cli_keep_result, &result);
  events = rh_cloud_store_list_events_finish (store, rh_cli_wait (&result), NULL);
  if (events == NULL)
    return FALSE;
  list = json_object_get_array_member (json_node_get_object (events), "list");
  for (guint i = 0; i < json_array_get_length (list); i++)
    {
      JsonObject *data = json_object_get_object_member (json_array_get_object_element (list, i),
                                                        "data");

      if (json_object_get_int_member (data, "reason") == reason)
        return TRUE;
    }
  return FALSE;
}

static gboolean
wake_cb (gpointer user_data)
{
  *(gboolean *) user_data = TRUE;
  return G_SOURCE_REMOVE;
}

static void
wait_ms (guint ms)
{
  gboolean done = FALSE;

  g_timeout_add (ms, wake_cb, &done);
  while (!done)
    g_main_context_iteration (NULL, TRUE);
}

static gboolean
wait_for_reason (Flow *flow, RhCloudStore *store, gint64 reason, GError **error)
{
  for (guint waited = 0; waited < STEP_TIMEOUT_S * 10; waited++)
    {
      if (has_reason (store, reason))
        return TRUE;
      wait_ms (100);
    }
  g_set_error (error, RH_ERROR, RH_ERROR_NOT_READY,
               "no recording state event with reason %" G_GINT64_FORMAT " within %d s", reason,
               STEP_TIMEOUT_S);
  return FALSE;
}

/* The documented recording flow against the local cloud: create the room,
 * start recording on hold, the page gets ready, release, stop, list events. */
gboolean
rh_demo_flow_run (GError **error)
{
  g_autofree char *page_dir = rh_page_dir_find (error);
  g_autofree char *data_dir = NULL;
  g_autofree char *page = NULL;
  g_autofree char *page_uri = NULL;
  g_autofree char *start = NULL;
  g_autoptr (GAsyncResult) opened = NULL;
  RhCloudStore *store;
  Flow flow = { 0 };
  gboolean ok = FALSE;

  if (page_dir == NULL)
    return FALSE;
  data_dir = g_dir_make_tmp ("recordhost-demo-XXXXXX", error);
  if (data_dir == NULL)
    return FALSE;
  page = g_build_filename (page_dir, "record_page.html", NULL);
  rh_cloud_store_open_async (data_dir, NULL, NULL, rh_cli_keep_result, &opened);
  store = rh_cloud_store_open_finish (rh_cli_wait (&opened), error);
  if (store == NULL)
    return FALSE;
  flow.cloud = rh_cloud_new (store, NULL);
  flow.session = soup_session_new_with_options ("timeout", 10, NULL);
  if (!rh_cloud_listen_local (flow.cloud, 0, error))
    goto out;
  g_print ("local cloud on %s (data in %s)\n", rh_cloud_get_base_url (flow.cloud), data_dir);

  page_uri = g_filename_to_uri (page, NULL, error);
  if (page_uri == NULL)
    goto out;
  /* The cloud opens no file page but this one, the bundled page. */
  rh_cloud_allow_file_page (flow.cloud, page_uri);
  start = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"%s\","
                           "\"onHold\":true,\"videoWidth\":1280,\"videoHeight\":720},"
                           "\"retryTimeout\":60}",
                           page_uri);
  if (!call_ok (&flow, "POST", ROOM_PATH, "{\"roomName\":\"Demo room\",\"roomType\":4}", error)
      || !call_ok (&flow, "PUT", ROOM_PATH "/records/states/1", start, error))
    goto out;
  g_print ("\n# the page opens in a headless view, gets ready and makes its ready call\n");
  if (!wait_for_reason (&flow, store, 1, error)
      || !call_ok (&flow, "GET", ROOM_PATH "/sequences?nextId=0&cmd=1001", NULL, error))
    goto out;
  g_print ("\n# on hold: the page is rendered, nothing is sliced; release it\n");
  if (!call_ok (&flow, "PATCH", ROOM_PATH "/records/states/1",
                "{\"webRecordConfig\":{\"onHold\":false}}", error))
    goto out;
  wait_ms (1000);
  if (!call_ok (&flow, "PUT", ROOM_PATH "/records/states/0", NULL, error)
      || !call_ok (&flow, "GET", ROOM_PATH "/sequences?nextId=0&cmd=1001", NULL, error)
      || !call_ok (&flow, "GET", ROOM_PATH "/records", NULL, error))
    goto out;
  ok = TRUE;

out:
  g_clear_object (&flow.cloud);
  g_clear_object (&flow.session);
  rh_fs_remove_tree (data_dir);
  return ok;
}
