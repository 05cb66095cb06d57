#include "rh-h264.h"

#include <gio/gio.h>
#include <string.h>

/* ITU-T H.264 (08/2021), 7.3 and 7.4: what a repeated picture's slice
 * header needs from the parameter sets. */

#define NAL_SLICE 1
#define NAL_IDR_SLICE 5
#define NAL_SPS 7
#define NAL_PPS 8
#define SLICE_TYPE_P_ALL 5 /* every slice of the picture is P */
#define LENGTH_SIZE 4      /* bytes of each NAL unit's length */

struct _RhH264Repeater
{
  /* from the sequence parameter set */
  guint log2_max_frame_num;
  guint mbs; /* macroblocks in a picture */
  /* from the picture parameter set */
  guint pps_id;
  gboolean ref_idx_override; /* the default active references are not 1 */
  gboolean deblocking_control;
  gboolean redundant_pic_cnt;
  /* frame_num of the next reference picture */
  guint frame_num;
};

typedef struct
{
  const guint8 *data;
  gsize size;
  gsize bit;
} BitReader;

static gboolean
read_bits (BitReader *reader, guint n, guint32 *out)
{
  guint32 value = 0;

  if (n > 32 || reader->bit + n > reader->size * 8)
    return FALSE;
  for (guint i = 0; i < n; i++, reader->bit++)
    value = (value << 1) | ((reader->data[reader->bit / 8] >> (7 - reader->bit % 8)) & 1);
  *out = value;
  return TRUE;
}

/* ue(v), 9.1 */
static gboolean
read_ue (BitReader *reader, guint32 *out)
{
  guint32 bit = 0, rest;
  guint zeros = 0;

  while (read_bits (reader, 1, &bit) && bit == 0)
    if (++zeros > 31)
      return FALSE;
  if (bit != 1 || !read_bits (reader, zeros, &rest))
    return FALSE;
  *out = (guint32) ((1ull << zeros) - 1 + rest);
  return TRUE;
}

static gboolean
skip_ue (BitReader *reader, guint count)
{
  guint32 ignored;

  for (guint i = 0; i < count; i++)
    if (!read_ue (reader, &ignored))
      return FALSE;
  return TRUE;
}

typedef struct
{
  GByteArray *bytes;
  guint8 current;
  guint filled; /* bits in current */
} BitWriter;

static void
write_bits (BitWriter *writer, guint n, guint32 value)
{
  for (guint i = n; i > 0; i--)
    {
      writer->current = (guint8) ((writer->current << 1) | ((value >> (i - 1)) & 1));
      if (++writer->filled == 8)
        {
          g_byte_array_append (writer->bytes, &writer->current, 1);
          writer->current = 0;
          writer->filled = 0;
        }
    }
}

static void
write_ue (BitWriter *writer, guint32 value)
{
  guint64 coded = (guint64) value + 1;
  guint bits = 0;

  while ((coded >> bits) > 1)
    bits++;
  write_bits (writer, bits, 0);
  write_bits (writer, 1, 1);
  write_bits (writer, bits, (guint32) (coded & ((1ull << bits) - 1)));
}

/* rbsp_trailing_bits () */
static void
write_trailing_bits (BitWriter *writer)
{
  write_bits (writer, 1, 1);
  while (writer->filled != 0)
    write_bits (writer, 1, 0);
}

/* The RBSP of a NAL unit's payload: emulation prevention bytes removed. */
static GByteArray *
unescape (const guint8 *payload, gsize size)
{
  GByteArray *rbsp = g_byte_array_sized_new (size);
  guint zeros = 0;

  for (gsize i = 0; i < size; i++)
    {
      if (zeros >= 2 && payload[i] == 3)
        {
          zeros = 0;
          continue;
        }
      zeros = payload[i] == 0 ? zeros + 1 : 0;
      g_byte_array_append (rbsp, &payload[i], 1);
    }
  return rbsp;
}

/* Appends @rbsp with emulation prevention bytes: no 0x000000..0x000003 in a NAL unit. */
static void
append_escaped (GByteArray *out, const guint8 *rbsp, gsize size)
{
  static const guint8 three = 3;
  guint zeros = 0;

  for (gsize i = 0; i < size; i++)
    {
      if (zeros >= 2 && rbsp[i] <= 3)
        {
          g_byte_array_append (out, &three, 1);
          zeros = 0;
        }
      zeros = rbsp[i] == 0 ? zeros + 1 : 0;
      g_byte_array_append (out, &rbsp[i], 1);
    }
}

static void
append_length (GByteArray *out, gsize length)
{
  guint8 bytes[LENGTH_SIZE] = { length >> 24, length >> 16, length >> 8, length };

  g_byte_array_append (out, bytes, sizeof bytes);
}

/* Appends a NAL unit: its length, @header, @rbsp escaped. */
static void
append_nal (GByteArray *out, guint8 header, const guint8 *rbsp, gsize size)
{
  gsize start = out->len;
  gsize length;

  append_length (out, 0);
  g_byte_array_append (out, &header, 1);
  append_escaped (out, rbsp, size);
  length = out->len - start - LENGTH_SIZE;
  for (guint i = 0; i < LENGTH_SIZE; i++)
    out->data[start + i] = (guint8) (length >> (8 * (LENGTH_SIZE - 1 - i)));
}

static gboolean
unsupported (GError **error, const char *what)
{
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED,
               "cannot repeat pictures of this stream: %s", what);
  return FALSE;
}

/* seq_parameter_set_data (), 7.3.2.1.1, as far as frame_mbs_only_flag. */
static gboolean
parse_sps (RhH264Repeater *self, const guint8 *rbsp, gsize size, GError **error)
{
  BitReader reader = { rbsp, size, 8 };
  guint32 profile, value, poc_type, refs, width, height, frames_only;

  if (!read_bits (&reader, 8, &profile) || !read_bits (&reader, 16, &value)
      || !skip_ue (&reader, 1))
    return unsupported (error, "short sequence parameter set");
  if (profile == 100 || profile == 110 || profile == 122 || profile == 244 || profile == 44
      || profile == 83 || profile == 86 || profile == 118 || profile == 128 || profile == 138
      || profile == 139 || profile == 134 || profile == 135)
    {
      guint32 chroma, scaling;

      if (!read_ue (&reader, &chroma) || (chroma == 3 && !read_bits (&reader, 1, &value))
          || !skip_ue (&reader, 2) || !read_bits (&reader, 1, &value)
          || !read_bits (&reader, 1, &scaling))
        return unsupported (error, "short sequence parameter set");
      if (scaling)
        return unsupported (error, "scaling matrices");
    }
  if (!read_ue (&reader, &value) || value > 12)
    return unsupported (error, "log2_max_frame_num");
  self->log2_max_frame_num = value + 4;
  if (!read_ue (&reader, &poc_type) || poc_type != 2)
    return unsupported (error, "picture order counts other than type 2");
  if (!read_ue (&reader, &refs) || refs != 1)
    return unsupported (error, "more than one reference frame");
  if (!read_bits (&reader, 1, &value) || !read_ue (&reader, &width) || !read_ue (&reader, &height)
      || !read_bits (&reader, 1, &frames_only) || !frames_only)
    return unsupported (error, "fields");
  self->mbs = (width + 1) * (height + 1);
  return TRUE;
}

/* pic_parameter_set_rbsp (), 7.3.2.2, as far as redundant_pic_cnt_present_flag. */
static gboolean
parse_pps (RhH264Repeater *self, const guint8 *rbsp, gsize size, GError **error)
{
  BitReader reader = { rbsp, size, 8 };
  guint32 pps_id, cabac, value, groups, refs, weighted, deblocking, redundant;

  if (!read_ue (&reader, &pps_id) || !skip_ue (&reader, 1) || !read_bits (&reader, 1, &cabac)
      || !read_bits (&reader, 1, &value) || !read_ue (&reader, &groups)
      || !read_ue (&reader, &refs) || !skip_ue (&reader, 1) || !read_bits (&reader, 1, &weighted)
      || !read_bits (&reader, 2, &value))
    return unsupported (error, "short picture parameter set");
  if (cabac)
    return unsupported (error, "CABAC");
  if (groups != 0)
    return unsupported (error, "slice groups");
  if (weighted)
    return unsupported (error, "weighted prediction");
  /* pic_init_qp, pic_init_qs and chroma_qp_index_offset: se(v), read as ue(v). */
  if (!skip_ue (&reader, 3) || !read_bits (&reader, 1, &deblocking)
      || !read_bits (&reader, 1, &value) || !read_bits (&reader, 1, &redundant))
    return unsupported (error, "short picture parameter set");
  self->pps_id = pps_id;
  self->ref_idx_override = refs != 0;
  self->deblocking_control = deblocking;
  self->redundant_pic_cnt = redundant;
  return TRUE;
}

/* AVCDecoderConfigurationRecord (ISO/IEC 14496-15, 5.3.3.1): one SPS and one PPS. */
RhH264Repeater *
rh_h264_repeater_new (const guint8 *codec_data, gsize size, GError **error)
{
  g_autoptr (RhH264Repeater) self = g_new0 (RhH264Repeater, 1);
  gsize offset = 5;

  if (size < 7 || codec_data[0] != 1)
    {
      unsupported (error, "no AVC codec data");
      return NULL;
    }
  if ((codec_data[4] & 3) + 1 != LENGTH_SIZE)
    {
      unsupported (error, "NAL unit lengths not of 4 bytes");
      return NULL;
    }
  for (guint set = 0; set < 2; set++)
    {
      guint count = set == 0 ? codec_data[offset] & 0x1f : codec_data[offset];
      gsize length;
      g_autoptr (GByteArray) rbsp = NULL;

      offset++;
      if (count != 1 || offset + 2 > size)
        {
          unsupported (error, "not one sequence and one picture parameter set");
          return NULL;
        }
      length = (gsize) codec_data[offset] << 8 | codec_data[offset + 1];
      offset += 2;
      if (length < 2 || offset + length > size)
        {
          unsupported (error, "short codec data");
          return NULL;
        }
      rbsp = unescape (codec_data + offset, length);
      if (set == 0 ? !parse_sps (self, rbsp->data, rbsp->len, error)
                   : !parse_pps (self, rbsp->data, rbsp->len, error))
        return NULL;
      offset += length;
      if (set == 0 && offset >= size)
        {
          unsupported (error, "no picture parameter set");
          return NULL;
        }
    }
  /* The first picture is an IDR picture, frame_num 0. */
  return g_steal_pointer (&self);
}

void
rh_h264_repeater_free (RhH264Repeater *repeater)
{
  g_free (repeater);
}

static guint
next_frame_num (RhH264Repeater *self)
{
  guint frame_num = self->frame_num;

  self->frame_num = (frame_num + 1) & ((1u << self->log2_max_frame_num) - 1);
  return frame_num;
}

/* One access unit: a P slice of skipped macroblocks, a reference picture.
 * 7.3.3 slice_header () and 7.3.4 slice_data () with CAVLC. */
GBytes *
rh_h264_repeater_repeat (RhH264Repeater *repeater)
{
  RhH264Repeater *self = repeater;
  g_autoptr (GByteArray) rbsp = g_byte_array_new ();
  BitWriter writer = { rbsp, 0, 0 };
  GByteArray *out = g_byte_array_new ();
  /* forbidden_zero_bit 0, nal_ref_idc 2, nal_unit_type 1 */
  const guint8 header = 2 << 5 | NAL_SLICE;

  write_ue (&writer, 0);                /* first_mb_in_slice */
  write_ue (&writer, SLICE_TYPE_P_ALL); /* slice_type */
  write_ue (&writer, self->pps_id);
  write_bits (&writer, self->log2_max_frame_num, next_frame_num (self));
  if (self->redundant_pic_cnt)
    write_ue (&writer, 0);
  write_bits (&writer, 1, self->ref_idx_override);
  if (self->ref_idx_override)
    write_ue (&writer, 0);              /* num_ref_idx_l0_active_minus1 */
  write_bits (&writer, 1, 0);           /* ref_pic_list_modification_flag_l0 */
  write_bits (&writer, 1, 0);           /* adaptive_ref_pic_marking_mode_flag */
  write_ue (&writer, 0);                /* slice_qp_delta, se(v) 0 */
  if (self->deblocking_control)
    write_ue (&writer, 1);              /* disable_deblocking_filter_idc: nothing to filter */
  write_ue (&writer, self->mbs);        /* mb_skip_run: all of them */
  write_trailing_bits (&writer);
  append_nal (out, header, rbsp->data, rbsp->len);
  return g_byte_array_free_to_bytes (out);
}

static GBytes *
malformed (GError **error)
{
  g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                       "malformed H.264 access unit from the encoder");
  return NULL;
}

/* The encoder's access unit with its slices' frame_num following the
 * repeats; an IDR picture starts the count again. */
GBytes *
rh_h264_repeater_renumber (RhH264Repeater *repeater, const guint8 *access_unit, gsize size,
                           GError **error)
{
  RhH264Repeater *self = repeater;
  g_autoptr (GByteArray) out = g_byte_array_sized_new (size + 16);
  gboolean numbered = FALSE;
  guint frame_num = 0;
  gsize offset = 0;

  while (offset < size)
    {
      gsize length;
      guint type, ref_idc;
      g_autoptr (GByteArray) rbsp = NULL;
      BitReader reader;

      if (size - offset < LENGTH_SIZE)
        return malformed (error);
      length = (gsize) access_unit[offset] << 24 | (gsize) access_unit[offset + 1] << 16
               | (gsize) access_unit[offset + 2] << 8 | access_unit[offset + 3];
      offset += LENGTH_SIZE;
      if (length == 0 || length > size - offset)
        return malformed (error);
      type = access_unit[offset] & 0x1f;
      ref_idc = access_unit[offset] >> 5 & 3;
      if (type != NAL_SLICE && type != NAL_IDR_SLICE)
        {
          append_length (out, length);
          g_byte_array_append (out, access_unit + offset, length);
          offset += length;
          continue;
        }
      /* Every slice of the picture gets its number. */
      if (!numbered)
        {
          if (type == NAL_IDR_SLICE)
            self->frame_num = 0;
          frame_num = ref_idc != 0 ? next_frame_num (self) : self->frame_num;
          numbered = TRUE;
        }
      rbsp = unescape (access_unit + offset + 1, length - 1);
      reader = (BitReader) { rbsp->data, rbsp->len, 0 };
      /* first_mb_in_slice, slice_type, pic_parameter_set_id, then frame_num */
      if (!skip_ue (&reader, 3) || reader.bit + self->log2_max_frame_num > rbsp->len * 8)
        return malformed (error);
      for (guint i = 0; i < self->log2_max_frame_num; i++, reader.bit++)
        {
          guint8 mask = 0x80 >> (reader.bit % 8);

          if (frame_num >> (self->log2_max_frame_num - 1 - i) & 1)
            rbsp->data[reader.bit / 8] |= mask;
          else
            rbsp->data[reader.bit / 8] &= ~mask;
        }
      append_nal (out, access_unit[offset], rbsp->data, rbsp->len);
      offset += length;
    }
  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}
