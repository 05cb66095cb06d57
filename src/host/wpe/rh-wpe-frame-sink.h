/* Where a WPE view's frames go: the fdo backend in SHM mode hands each frame
 * over in a shared-memory buffer, passed on as the page host's "frame"
 * signal; frame_complete, after the frame interval, paces the renderer. */
#pragma once

#include <wpe/wpe.h>

#include "rh-page-host.h"

G_BEGIN_DECLS

typedef struct _RhWpeFrameSink RhWpeFrameSink;

/* NULL when the backend cannot be made.  @host is a weak link: see
 * rh_wpe_frame_sink_detach (). */
RhWpeFrameSink          *rh_wpe_frame_sink_new              (RhPageHost *host, guint width,
                                                             guint height);
struct wpe_view_backend *rh_wpe_frame_sink_get_view_backend (RhWpeFrameSink *sink);
/* The view backend's destroy notify: the sink lives as long as the view. */
void                     rh_wpe_frame_sink_free             (gpointer sink);
void                     rh_wpe_frame_sink_set_interval     (RhWpeFrameSink *sink,
                                                             guint interval_ms);
/* The host is gone: no more frames to it, nothing kept for it. */
void                     rh_wpe_frame_sink_detach           (RhWpeFrameSink *sink);
gboolean                 rh_wpe_frame_sink_read             (RhWpeFrameSink *sink,
                                                             RhFrameFunc func,
                                                             gpointer user_data);

G_END_DECLS
