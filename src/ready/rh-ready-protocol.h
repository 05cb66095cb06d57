/* Which page signal counts as "ready": --ready event1|whiteboard|notify|console:TEXT. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

typedef enum
{
  RH_READY_PROTOCOL_EVENT1,     /* launch listener event 1 */
  RH_READY_PROTOCOL_WHITEBOARD, /* event 1 with args.type == "whiteboard" (SDK < 1.1.5) */
  RH_READY_PROTOCOL_NOTIFY,     /* navigator.notifyReady () */
  RH_READY_PROTOCOL_CONSOLE,    /* a console message equal to a text */
} RhReadyProtocolKind;

typedef struct
{
  RhReadyProtocolKind kind;
  char *console_text;
} RhReadyProtocol;

RhReadyProtocol *rh_ready_protocol_parse   (const char *spec, GError **error);
void             rh_ready_protocol_free    (RhReadyProtocol *protocol);
gboolean         rh_ready_protocol_matches (const RhReadyProtocol *protocol,
                                            JsonObject *bridge_message);
const char      *rh_ready_protocol_describe (const RhReadyProtocol *protocol);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhReadyProtocol, rh_ready_protocol_free)

G_END_DECLS
