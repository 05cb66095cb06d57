/* A room's writes to the store, in the order they were asked: its state
 * events and its record as it was at each.  A write the store cannot take
 * now (unreachable) is tried again every second, those after it waiting, so
 * that nothing written while a database is away is lost nor reordered; one
 * the store refuses (a full disk) is dropped, unless it is the end's, which
 * waits for rh_room_writes_retry (). */
#pragma once

#include "rh-cloud-store.h"

G_BEGIN_DECLS

typedef struct _RhRoomWrites RhRoomWrites;

/* @end: the write was one of the end's (the last is the record); @error:
 * NULL once the end is stored, else why a write failed (an end's, or one
 * refused because another worker has the room). */
typedef void (*RhRoomWritesFunc) (gpointer user_data, gboolean end, const GError *error);

RhRoomWrites *rh_room_writes_new        (RhCloudStore *store, const char *owner, gint64 epoch,
                                         RhRoomWritesFunc func, gpointer user_data);
void          rh_room_writes_free       (RhRoomWrites *writes);
void          rh_room_writes_add_event  (RhRoomWrites *writes, const char *app_id,
                                         const char *room_uuid, JsonNode *data, gboolean end);
void          rh_room_writes_add_record (RhRoomWrites *writes, const RhCloudRecord *record,
                                         gboolean end, GAsyncReadyCallback callback,
                                         gpointer user_data);
gboolean      rh_room_writes_add_record_finish (GAsyncResult *result, GError **error);
/* The end's write that was refused, tried again. */
void          rh_room_writes_retry      (RhRoomWrites *writes);
/* Writes asked and not yet stored. */
guint         rh_room_writes_get_pending (RhRoomWrites *writes);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhRoomWrites, rh_room_writes_free)

G_END_DECLS
