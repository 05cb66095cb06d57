/* H.264 as the recorder's encoder writes it (AVC: NAL units with a 4-byte
 * length each, the parameter sets in the codec data), for repeating the
 * last picture without encoding it again: a P picture whose macroblocks are
 * all skipped copies its reference exactly, and costs a few bytes.
 *
 * Each repeat is a reference picture, so the encoder's own pictures that
 * follow are renumbered (frame_num) to keep the count a decoder checks. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct _RhH264Repeater RhH264Repeater;

RhH264Repeater *rh_h264_repeater_new      (const guint8 *codec_data, gsize size, GError **error);
void            rh_h264_repeater_free     (RhH264Repeater *repeater);
GBytes         *rh_h264_repeater_repeat   (RhH264Repeater *repeater);
GBytes         *rh_h264_repeater_renumber (RhH264Repeater *repeater, const guint8 *access_unit,
                                           gsize size, GError **error);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhH264Repeater, rh_h264_repeater_free)

G_END_DECLS
