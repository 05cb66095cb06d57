#include "rh-cloud-recording.h"

#include <errno.h>
#include <fcntl.h>
#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>
#include <unistd.h>

#include "rh-error.h"
#include "rh-fs.h"
#include "rh-attempt-files.h"
#include "rh-json.h"
#include "rh-record-page.h"
#include "rh-recording-file.h"
#include "rh-room-writes.h"
#include "rh-route.h"
#include "rh-run.h"
#include "rh-snapshots.h"
#include "rh-text.h"

struct _RhCloudRecording
{
  GObject parent_instance;

  RhCloudStore *store; /* a reference: the cloud may go before the last write */
  RhRun *run;
  SoupSession *session; /* the ready call's */
  char *app_id;
  char *room_uuid;
  char *room_text; /* the uuid fit for the log */
  char *config;
  char *file;
  gint64 start_ms;
  gboolean active;
  gboolean on_hold;
  int reason;
  gboolean unready;
  gboolean finished; /* "finished" was emitted */
  gboolean snapshots;  /* each attempt's pictures are written */
  RhRecordPage *page;  /* what each load of the page did */
  RhRoomWrites *writes; /* to the store, in order */
  /* The run ended, its end not stored yet: the recording stays listed as
   * recording until it is (store_error says why not, if it failed). */
  gboolean ending;
  char *owner;   /* the claim's, NULL for none */
  gint64 epoch;
  gboolean lost; /* the room is another worker's: nothing more is written */
  GError *store_error;
  GPtrArray *stop_tasks; /* stops waiting for the end to be stored */
};

G_DEFINE_FINAL_TYPE (RhCloudRecording, rh_cloud_recording, G_TYPE_OBJECT)

enum
{
  SIGNAL_FINISHED,
  SIGNAL_STATE_CHANGED,
  N_SIGNALS
};
static guint signals[N_SIGNALS];

static void
rh_cloud_recording_dispose (GObject *object)
{
  RhCloudRecording *self = RH_CLOUD_RECORDING (object);

  if (self->run != NULL)
    g_signal_handlers_disconnect_by_data (self->run, self);
  g_clear_object (&self->run);
  if (self->session != NULL)
    soup_session_abort (self->session);
  g_clear_object (&self->session);
  G_OBJECT_CLASS (rh_cloud_recording_parent_class)->dispose (object);
}

static void
rh_cloud_recording_finalize (GObject *object)
{
  RhCloudRecording *self = RH_CLOUD_RECORDING (object);

  g_free (self->app_id);
  g_free (self->room_uuid);
  g_free (self->room_text);
  g_free (self->owner);
  g_free (self->config);
  g_free (self->file);
  rh_record_page_free (self->page);
  g_clear_pointer (&self->writes, rh_room_writes_free);
  g_clear_error (&self->store_error);
  g_ptr_array_unref (self->stop_tasks);
  g_clear_object (&self->store);
  G_OBJECT_CLASS (rh_cloud_recording_parent_class)->finalize (object);
}

static void
rh_cloud_recording_class_init (RhCloudRecordingClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = rh_cloud_recording_dispose;
  object_class->finalize = rh_cloud_recording_finalize;

  /* The recording ended: stopped or abandoned. */
  signals[SIGNAL_FINISHED] = g_signal_new ("finished", G_TYPE_FROM_CLASS (klass),
                                           G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL, G_TYPE_NONE,
                                           0);
  /* A state event, stored or on its way: (reason). */
  signals[SIGNAL_STATE_CHANGED] = g_signal_new ("state-changed", G_TYPE_FROM_CLASS (klass),
                                                G_SIGNAL_RUN_LAST, 0, NULL, NULL, NULL,
                                                G_TYPE_NONE, 1, G_TYPE_INT);
}

static void
rh_cloud_recording_init (RhCloudRecording *self)
{
  self->page = rh_record_page_new ();
  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
}

/* The record as it is now. */
static void
fill_record (RhCloudRecording *self, RhCloudRecord *record)
{
  record->app_id = self->app_id;
  record->room_uuid = self->room_uuid;
  record->record_id = rh_run_get_record_id (self->run);
  record->state = self->active ? 1 : 2;
  record->reason = self->reason;
  record->on_hold = self->on_hold;
  record->unready = self->unready;
  record->start_ms = self->start_ms;
  record->end_ms = self->active ? 0 : g_get_real_time () / 1000;
  record->config = self->config;
  record->file = self->file;
  record->page = rh_record_page_get_json (self->page);
  record->owner = self->owner;
  record->epoch = self->epoch;
  if (self->run != NULL && rh_run_get_recording_error (self->run) != NULL)
    record->error = rh_run_get_recording_error (self->run)->message;
}

/* The record as it is now, stored after every write asked before it. */
static void
save (RhCloudRecording *self, gboolean end, GAsyncReadyCallback callback, gpointer user_data)
{
  RhCloudRecord record = { 0 };

  fill_record (self, &record);
  rh_room_writes_add_record (self->writes, &record, end, callback, user_data);
}

static void
finished (RhCloudRecording *self)
{
  if (self->finished)
    return;
  self->finished = TRUE;
  /* Nothing more is stored: a store of a cloud that goes is released. */
  g_clear_pointer (&self->writes, rh_room_writes_free);
  g_clear_object (&self->store);
  g_signal_emit (self, signals[SIGNAL_FINISHED], 0);
}

static void
complete_stops (RhCloudRecording *self)
{
  g_autoptr (GPtrArray) tasks = g_steal_pointer (&self->stop_tasks);

  self->stop_tasks = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < tasks->len; i++)
    {
      GTask *task = g_ptr_array_index (tasks, i);

      if (self->store_error != NULL)
        g_task_return_error (task, g_error_copy (self->store_error));
      else
        g_task_return_boolean (task, TRUE);
    }
}

/* What the store made of the writes: the end stored (finished), an end it
 * could not take (the stops waiting are told), or the room lost. */
static void
written_cb (gpointer user_data, gboolean end, const GError *error)
{
  RhCloudRecording *self = user_data;

  if (error != NULL && g_error_matches (error, G_IO_ERROR, RH_CLOUD_STORE_LEASE_LOST))
    {
      g_warning ("room %s: %s", self->room_text, error->message);
      rh_cloud_recording_lose (self);
      return;
    }
  if (error != NULL)
    {
      g_warning ("room %s: %s", self->room_text, error->message);
      if (end)
        {
          g_clear_error (&self->store_error);
          self->store_error = g_error_copy (error);
          complete_stops (self);
        }
      return;
    }
  self->ending = FALSE;
  g_clear_error (&self->store_error);
  complete_stops (self);
  finished (self);
}

/* Each event is stored in the order it came, the record after it; an end
 * the store cannot take (a full disk, a database away) is kept: the
 * recording stays as stored, recording, its room taken, until a stop
 * stores it. */
static void
state_changed_cb (RhRun *run, JsonNode *event, gpointer user_data)
{
  RhCloudRecording *self = user_data;
  JsonObject *data = json_object_get_object_member (json_node_get_object (event), "data");
  JsonNode *data_node = json_object_get_member (json_node_get_object (event), "data");
  g_autofree char *cause = NULL;

  self->reason = json_object_get_int_member (data, "reason");
  self->on_hold = json_object_get_boolean_member (data, "onHold");
  if (self->reason == 2 || self->reason == 5)
    self->active = FALSE;
  self->unready = self->reason == 5;
  if (self->lost)
    return;
  /* A retry's cause names what the page asked for: fit for the log. */
  cause = json_object_has_member (data, "cause")
            ? rh_text_printable (json_object_get_string_member (data, "cause"))
            : NULL;
  g_message ("cloud: room %s, record %s: state %" G_GINT64_FORMAT ", reason %d%s%s%s",
             self->room_text, rh_run_get_record_id (run),
             json_object_get_int_member (data, "state"), self->reason,
             self->on_hold ? " (on hold)" : "", cause != NULL ? ": " : "",
             cause != NULL ? cause : "");
  /* Stored and ended: the room is free for the next recording at once. */
  if (!self->active)
    self->ending = TRUE;
  rh_room_writes_add_event (self->writes, self->app_id, self->room_uuid, data_node,
                            !self->active);
  save (self, !self->active, NULL, NULL);
  g_signal_emit (self, signals[SIGNAL_STATE_CHANGED], 0, self->reason);
}

/* A load of the page ended: the record says what it did from the state
 * event that says why (a reason 4, the run's end) on, stored with it; a
 * load reloaded after a crash, from the next. */
static void
load_ended_cb (RhRun *run, guint attempt, RhPageOutcome *outcome, GPtrArray *problems,
               const char *cause, gpointer user_data)
{
  RhCloudRecording *self = user_data;
  guint dropped;

  const char *dir;

  if (self->finished)
    return;
  dir = rh_cloud_store_get_dir (self->store);
  rh_attempt_files_write (dir, rh_run_get_record_id (run), attempt, outcome, self->snapshots,
                          rh_timeline_now_ms (rh_run_get_timeline (run)), self->room_text);
  dropped = rh_record_page_add (self->page, attempt, outcome, problems, cause);
  if (dropped > 0)
    rh_attempt_files_remove (dir, rh_run_get_record_id (run), dropped, self->snapshots);
}

static void
run_done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (RhCloudRecording) self = user_data;

  rh_run_start_finish (RH_RUN (source), result, NULL);
  self->active = FALSE;
  if (!rh_recording_file_keep_if_written (self->file))
    g_message ("cloud: room %s, record %s: no recording file written", self->room_text,
               rh_run_get_record_id (self->run));
  /* An end the store could not take waits for a stop that stores it. */
  if (!self->ending)
    {
      complete_stops (self);
      finished (self);
    }
}

/* The recording of @room, its run made and not started. */
static RhCloudRecording *
recording_new (RhCloudStore *store, const RhCloudRoom *room, const RhRecordRequest *request,
               const char *config_json, GError **error)
{
  g_autoptr (RhCloudRecording) self = g_object_new (RH_TYPE_CLOUD_RECORDING, NULL);
  g_autoptr (RhRunOptions) options = rh_run_options_new ();
  g_autoptr (RhReadyCall) ready_call = NULL;
  g_autofree char *room_name = NULL;
  RhPageOptions *page = options->page;

  if (!rh_room_check_api_page (request->url, error))
    return NULL;
  page->room = rh_room_new ();
  page->room->app_id = g_strdup (room->app_id);
  page->room->room_uuid = g_strdup (room->room_uuid);
  page->room->room_type = room->room_type;
  page->room->user_uuid = rh_user_uuid_generate ();
  page->room->rtm_token = g_strdup (room->token);
  if (room->region != NULL && !rh_room_set_region (page->room, room->region, error))
    return NULL;
  if (room->room_name != NULL)
    {
      room_name = g_strconcat ("roomName=", room->room_name, NULL);
      rh_room_add_param (page->room, room_name, NULL);
    }
  page->page = g_strdup (request->url);
  /* The page came over the API: it reads no file, whoever chose it, and
   * loads no SDK bundle but its own (sdkBundle was refused above). */
  page->file_access = FALSE;
  page->sdk_bundle = NULL;
  page->record.width = request->width;
  page->record.height = request->height;
  page->echo = FALSE;
  page->page_memory_mb = room->page_memory_mb;
  rh_page_options_set_engine (page, room->engine);
  /* The cloud answers the SDKs' own calls as check's acknowledger does. */
  page->sdk_api_local = room->sdk_api_local;
  if (room->sdk_api_local)
    rh_route_list_add_sdk_api (page->routes, room->cloud_url);
  options->retry_timeout_s = request->retry_timeout_s;
  options->on_hold = request->on_hold;
  options->keep_pictures = request->snapshots;
  options->video_fps = request->fps;
  options->video_bitrate_kbps = request->bitrate_kbps;
  options->first_attempt = room->first_attempt;
  options->record_id = g_strdup (room->record_id);
  self->start_ms = g_get_real_time () / 1000;
  self->file = rh_recording_file_create (rh_cloud_store_get_dir (store), room->app_id,
                                         room->room_uuid, self->start_ms, error);
  if (self->file == NULL)
    return NULL;
  options->record = g_strdup (self->file);

  self->store = g_object_ref (store);
  self->owner = g_strdup (room->owner);
  self->epoch = room->epoch;
  self->writes = rh_room_writes_new (store, room->owner, room->epoch, written_cb, self);
  self->app_id = g_strdup (room->app_id);
  self->room_uuid = g_strdup (room->room_uuid);
  self->room_text = rh_text_printable (room->room_uuid);
  self->config = g_strdup (config_json);
  self->snapshots = request->snapshots;
  if (room->ready_answer != NULL)
    {
      g_autofree char *uri = rh_ready_call_build_uri (room->cloud_url, page->room->region,
                                                      room->app_id, room->room_uuid, error);

      if (uri != NULL)
        ready_call = rh_ready_call_new_in_process (uri, room->ready_answerer, room->ready_answer);
    }
  else
    {
      self->session = rh_ready_call_session_new ();
      ready_call = rh_ready_call_new_for_room (self->session, room->cloud_url, page->room,
                                               error);
    }
  if (ready_call == NULL)
    {
      rh_recording_file_keep_if_written (self->file);
      return NULL;
    }
  self->run = rh_run_new (g_steal_pointer (&options), ready_call, error);
  if (self->run == NULL)
    {
      rh_recording_file_keep_if_written (self->file);
      return NULL;
    }
  g_signal_connect (self->run, "state-changed", G_CALLBACK (state_changed_cb), self);
  g_signal_connect (self->run, "load-ended", G_CALLBACK (load_ended_cb), self);
  self->active = TRUE;
  self->on_hold = request->on_hold;
  return g_steal_pointer (&self);
}

static void
started_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  RhCloudRecording *self = g_task_get_task_data (task);
  GError *error = NULL;

  if (!rh_cloud_store_put_record_finish (self->store, result, &error))
    {
      /* Not stored, so not to run: nothing would list it or its events. */
      g_signal_handlers_disconnect_by_data (self->run, self);
      rh_run_stop (self->run);
      rh_recording_file_keep_if_written (self->file);
      g_task_return_error (task, error);
      return;
    }
  g_task_return_pointer (task, g_object_ref (self), g_object_unref);
}

/* Starts the page at once and stores the record; the recording comes to
 * @callback once it is stored, or the page is stopped again. */
void
rh_cloud_recording_start_async (RhCloudStore *store, const RhCloudRoom *room,
                                const RhRecordRequest *request, const char *config_json,
                                GAsyncReadyCallback callback, gpointer user_data)
{
  GTask *task = g_task_new (NULL, NULL, callback, user_data);
  GError *error = NULL;
  RhCloudRecording *self = recording_new (store, room, request, config_json, &error);
  RhCloudRecord record = { 0 };

  if (self == NULL)
    {
      g_task_return_error (task, error);
      g_object_unref (task);
      return;
    }
  g_task_set_task_data (task, self, g_object_unref);
  rh_run_start_async (self->run, run_done_cb, g_object_ref (self));
  /* Not queued: a start the store cannot take now is refused, not kept. */
  fill_record (self, &record);
  rh_cloud_store_put_record_async (self->store, &record, started_cb, task);
}

RhCloudRecording *
rh_cloud_recording_start_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

const char *
rh_cloud_recording_get_record_id (RhCloudRecording *recording)
{
  return rh_run_get_record_id (recording->run);
}

gboolean
rh_cloud_recording_is_held (RhCloudRecording *recording)
{
  return recording->active && recording->on_hold;
}

static void
released_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autoptr (GTask) task = user_data;
  GError *error = NULL;

  if (!rh_room_writes_add_record_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

/* Releases a held recording; done once the record says so. */
void
rh_cloud_recording_release_async (RhCloudRecording *recording, GAsyncReadyCallback callback,
                                  gpointer user_data)
{
  GTask *task = g_task_new (recording, NULL, callback, user_data);

  /* Ended, the store not told yet: a save now would list it ended without
   * its event. */
  if (recording->ending || recording->finished)
    {
      if (recording->store_error != NULL)
        g_task_return_error (task, g_error_copy (recording->store_error));
      else
        g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                                 "the recording is ending");
      g_object_unref (task);
      return;
    }
  rh_run_release (recording->run);
  recording->on_hold = FALSE;
  save (recording, FALSE, released_cb, task);
}

gboolean
rh_cloud_recording_release_finish (RhCloudRecording *recording, GAsyncResult *result,
                                   GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Stops the run normally (reason 2); done once the end is stored.  Fails
 * when the store could not take the end: the recording stays listed as
 * recording, and stopping again tries again. */
void
rh_cloud_recording_stop_async (RhCloudRecording *recording, GAsyncReadyCallback callback,
                               gpointer user_data)
{
  RhCloudRecording *self = recording;
  GTask *task = g_task_new (recording, NULL, callback, user_data);

  if (self->finished)
    {
      g_task_return_boolean (task, TRUE);
      g_object_unref (task);
      return;
    }
  g_ptr_array_add (self->stop_tasks, task);
  if (self->ending)
    {
      /* Tried before and failed: try again. */
      g_clear_error (&self->store_error);
      rh_room_writes_retry (self->writes);
      return;
    }
  rh_run_stop (self->run);
}

void
rh_cloud_recording_lose (RhCloudRecording *recording)
{
  RhCloudRecording *self = recording;

  if (self->lost || self->finished)
    return;
  self->lost = TRUE;
  g_message ("cloud: room %s, record %s: the room is another worker's now: its page stops, "
             "nothing more is stored", self->room_text, rh_run_get_record_id (self->run));
  g_clear_error (&self->store_error);
  self->store_error = g_error_new_literal (G_IO_ERROR, RH_CLOUD_STORE_LEASE_LOST,
                                           "the room is another worker's now");
  self->ending = FALSE;
  rh_run_stop (self->run);
  complete_stops (self);
  finished (self);
}

gboolean
rh_cloud_recording_is_lost (RhCloudRecording *recording)
{
  return recording->lost;
}

gint64
rh_cloud_recording_get_epoch (RhCloudRecording *recording)
{
  return recording->epoch;
}

void
rh_cloud_recording_get_room (RhCloudRecording *recording, const char **app_id,
                             const char **room_uuid)
{
  *app_id = recording->app_id;
  *room_uuid = recording->room_uuid;
}

gint64
rh_cloud_recording_get_start_ms (RhCloudRecording *recording)
{
  return recording->start_ms;
}

int
rh_cloud_recording_get_reason (RhCloudRecording *recording)
{
  return recording->reason;
}

gboolean
rh_cloud_recording_stop_finish (RhCloudRecording *recording, GAsyncResult *result,
                                GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}
