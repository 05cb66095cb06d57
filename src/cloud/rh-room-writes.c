#include "rh-room-writes.h"

#include <gio/gio.h>

#define RETRY_MS 1000

typedef struct
{
  gboolean end;
  JsonNode *event; /* the event's data, or NULL for the record */
  gint64 ts_ms;    /* the event's time: when it happened, not when stored */
  char *app_id;    /* the event's */
  char *room_uuid;
  RhCloudRecord record; /* its strings owned */
  GTask *task;          /* who waits for it, NULL for none */
} Write;

struct _RhRoomWrites
{
  RhCloudStore *store;
  char *owner;
  gint64 epoch;
  RhRoomWritesFunc func;
  gpointer user_data;
  GQueue queue;        /* of Write, the head being written or waiting */
  gboolean writing;
  gboolean held;       /* the end's write was refused: waits for a retry */
  gboolean unreachable; /* said once an outage */
  guint retry_source;
  GCancellable *alive; /* cancelled when freed: a write's answer then goes nowhere */
};

static void
record_clear (RhCloudRecord *record)
{
  g_free ((char *) record->app_id);
  g_free ((char *) record->room_uuid);
  g_free ((char *) record->record_id);
  g_free ((char *) record->config);
  g_free ((char *) record->file);
  g_free ((char *) record->error);
  g_free ((char *) record->page);
  g_free ((char *) record->owner);
}

/* The one waiting for @write is told, once. */
static void
answer_waiter (Write *write, const GError *error)
{
  g_autoptr (GTask) task = g_steal_pointer (&write->task);

  if (task == NULL)
    return;
  if (error != NULL)
    g_task_return_error (task, g_error_copy (error));
  else
    g_task_return_boolean (task, TRUE);
}

static void
write_free (Write *write)
{
  if (write->task != NULL)
    {
      g_autoptr (GError) error = g_error_new_literal (G_IO_ERROR, G_IO_ERROR_CANCELLED,
                                                      "the room's writes were given up");

      answer_waiter (write, error);
    }
  g_clear_pointer (&write->event, json_node_unref);
  g_free (write->app_id);
  g_free (write->room_uuid);
  record_clear (&write->record);
  g_free (write);
}

RhRoomWrites *
rh_room_writes_new (RhCloudStore *store, const char *owner, gint64 epoch,
                    RhRoomWritesFunc func, gpointer user_data)
{
  RhRoomWrites *writes = g_new0 (RhRoomWrites, 1);

  writes->store = g_object_ref (store);
  writes->owner = g_strdup (owner);
  writes->epoch = epoch;
  writes->func = func;
  writes->user_data = user_data;
  writes->alive = g_cancellable_new ();
  g_queue_init (&writes->queue);
  return writes;
}

void
rh_room_writes_free (RhRoomWrites *writes)
{
  if (writes == NULL)
    return;
  g_cancellable_cancel (writes->alive);
  g_clear_object (&writes->alive);
  g_clear_handle_id (&writes->retry_source, g_source_remove);
  g_queue_clear_full (&writes->queue, (GDestroyNotify) write_free);
  g_clear_object (&writes->store);
  g_free (writes->owner);
  g_free (writes);
}

guint
rh_room_writes_get_pending (RhRoomWrites *writes)
{
  return g_queue_get_length (&writes->queue);
}

static void next (RhRoomWrites *writes);

static gboolean
retry_cb (gpointer user_data)
{
  RhRoomWrites *writes = user_data;

  writes->retry_source = 0;
  next (writes);
  return G_SOURCE_REMOVE;
}

/* The answer to the head's write. */
typedef struct
{
  RhRoomWrites *writes;
  GCancellable *alive;
} Answer;

static void
written_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  g_autofree Answer *answer = user_data;
  g_autoptr (GCancellable) alive = answer->alive;
  RhRoomWrites *writes = answer->writes;
  g_autoptr (GError) error = NULL;
  Write *write;
  gboolean end, last;

  if (g_async_result_is_tagged (result, rh_cloud_store_add_event_async))
    rh_cloud_store_add_event_finish (RH_CLOUD_STORE (source), result, &error);
  else
    rh_cloud_store_put_record_finish (RH_CLOUD_STORE (source), result, &error);
  if (g_cancellable_is_cancelled (alive))
    return;
  writes->writing = FALSE;
  write = g_queue_peek_head (&writes->queue);
  end = write->end;
  last = write->end && write->event == NULL;
  if (error == NULL)
    {
      if (writes->unreachable)
        g_message ("cloud: the store took this room's writes again");
      writes->unreachable = FALSE;
      answer_waiter (write, NULL);
      write_free (g_queue_pop_head (&writes->queue));
      if (last)
        writes->func (writes->user_data, TRUE, NULL);
      else
        next (writes);
      return;
    }
  if (g_error_matches (error, RH_SQL_ERROR, RH_SQL_ERROR_UNAVAILABLE))
    {
      /* Waits, in order, for the store to come back. */
      if (!writes->unreachable)
        g_warning ("cloud: %s: this room's writes wait for it", error->message);
      writes->unreachable = TRUE;
      writes->retry_source = g_timeout_add (RETRY_MS, retry_cb, writes);
      answer_waiter (write, error);
      if (end)
        writes->func (writes->user_data, TRUE, error);
      return;
    }
  if (end && !g_error_matches (error, G_IO_ERROR, RH_CLOUD_STORE_LEASE_LOST))
    {
      writes->held = TRUE;
      writes->func (writes->user_data, TRUE, error);
      return;
    }
  answer_waiter (write, error);
  write_free (g_queue_pop_head (&writes->queue));
  writes->func (writes->user_data, end, error);
}

static void
next (RhRoomWrites *writes)
{
  Write *write = g_queue_peek_head (&writes->queue);
  Answer *answer;

  if (write == NULL || writes->writing || writes->held || writes->retry_source != 0)
    return;
  writes->writing = TRUE;
  answer = g_new0 (Answer, 1);
  answer->writes = writes;
  answer->alive = g_object_ref (writes->alive);
  if (write->event != NULL)
    rh_cloud_store_add_owned_event_async (writes->store, write->app_id, write->room_uuid,
                                          writes->owner, writes->epoch, 1001, write->event,
                                          write->ts_ms, written_cb, answer);
  else
    rh_cloud_store_put_record_async (writes->store, &write->record, written_cb, answer);
}

void
rh_room_writes_add_event (RhRoomWrites *writes, const char *app_id, const char *room_uuid,
                          JsonNode *data, gboolean end)
{
  Write *write = g_new0 (Write, 1);

  write->end = end;
  write->event = json_node_copy (data);
  write->ts_ms = g_get_real_time () / 1000;
  write->app_id = g_strdup (app_id);
  write->room_uuid = g_strdup (room_uuid);
  g_queue_push_tail (&writes->queue, write);
  next (writes);
}

/* @callback, if any, is told when it is stored, or as soon as it failed
 * (one the store could not reach is still tried again). */
void
rh_room_writes_add_record (RhRoomWrites *writes, const RhCloudRecord *record, gboolean end,
                           GAsyncReadyCallback callback, gpointer user_data)
{
  Write *write = g_new0 (Write, 1);

  write->end = end;
  if (callback != NULL)
    write->task = g_task_new (NULL, NULL, callback, user_data);
  write->record = *record;
  write->record.app_id = g_strdup (record->app_id);
  write->record.room_uuid = g_strdup (record->room_uuid);
  write->record.record_id = g_strdup (record->record_id);
  write->record.config = g_strdup (record->config);
  write->record.file = g_strdup (record->file);
  write->record.error = g_strdup (record->error);
  write->record.page = g_strdup (record->page);
  write->record.owner = g_strdup (writes->owner);
  write->record.epoch = writes->epoch;
  g_queue_push_tail (&writes->queue, write);
  next (writes);
}

gboolean
rh_room_writes_add_record_finish (GAsyncResult *result, GError **error)
{
  return g_task_propagate_boolean (G_TASK (result), error);
}

void
rh_room_writes_retry (RhRoomWrites *writes)
{
  writes->held = FALSE;
  g_clear_handle_id (&writes->retry_source, g_source_remove);
  next (writes);
}
