/* The repeated picture's writer and the renumbering of the encoder's
 * pictures after it, checked against parameter sets and slices written
 * here bit by bit (ITU-T H.264, 7.3), and the streams it must refuse. */
#include <gio/gio.h>
#include <string.h>

#include "rh-h264.h"
#include "test-utils.h"

/* ---- writing bits ---- */

typedef struct
{
  GByteArray *bytes;
  guint8 current;
  guint filled;
} Bits;

static void
put_bits (Bits *bits, guint n, guint32 value)
{
  for (guint i = 0; i < n; i++)
    {
      bits->current = (guint8) ((bits->current << 1) | ((value >> (n - 1 - i)) & 1));
      if (++bits->filled == 8)
        {
          g_byte_array_append (bits->bytes, &bits->current, 1);
          bits->current = 0;
          bits->filled = 0;
        }
    }
}

/* ue(v): n zeros, then value + 1 in n + 1 bits. */
static void
put_ue (Bits *bits, guint32 value)
{
  guint n = g_bit_storage ((guint64) value + 1) - 1;

  put_bits (bits, n, 0);
  put_bits (bits, n + 1, value + 1);
}

/* rbsp_trailing_bits (), then the NAL unit: its header byte and the RBSP
 * with emulation prevention bytes. */
static GByteArray *
finish_nal (Bits *bits, guint8 header)
{
  GByteArray *nal = g_byte_array_new ();
  guint zeros = 0;

  put_bits (bits, 1, 1);
  while (bits->filled != 0)
    put_bits (bits, 1, 0);
  g_byte_array_append (nal, &header, 1);
  for (guint i = 0; i < bits->bytes->len; i++)
    {
      guint8 byte = bits->bytes->data[i];

      if (zeros >= 2 && byte <= 3)
        {
          static const guint8 three = 3;

          g_byte_array_append (nal, &three, 1);
          zeros = 0;
        }
      zeros = byte == 0 ? zeros + 1 : 0;
      g_byte_array_append (nal, &byte, 1);
    }
  g_byte_array_unref (bits->bytes);
  return nal;
}

/* ---- parameter sets ---- */

typedef struct
{
  guint profile;
  guint log2_max_frame_num; /* 4..16 */
  guint poc_type;
  guint refs;
  guint width_mbs;
  guint height_mbs;
  gboolean fields;
  gboolean scaling;
} Sps;

typedef struct
{
  guint id;
  gboolean cabac;
  guint slice_groups;
  guint default_refs; /* num_ref_idx_l0_default_active */
  gboolean weighted;
  gboolean deblocking_control;
  gboolean redundant_pic_cnt;
} Pps;

static const Sps baseline_sps = { 66, 4, 2, 1, 80, 45, FALSE, FALSE };
static const Pps plain_pps = { 0, FALSE, 0, 1, FALSE, FALSE, FALSE };

static GByteArray *
sps_new (const Sps *sps)
{
  Bits bits = { g_byte_array_new (), 0, 0 };

  put_bits (&bits, 8, sps->profile);
  put_bits (&bits, 8, 0);  /* constraint flags */
  put_bits (&bits, 8, 31); /* level */
  put_ue (&bits, 0);       /* seq_parameter_set_id */
  if (sps->profile == 100)
    {
      put_ue (&bits, 1);   /* chroma_format_idc 4:2:0 */
      put_ue (&bits, 0);   /* bit depths */
      put_ue (&bits, 0);
      put_bits (&bits, 1, 0);
      put_bits (&bits, 1, sps->scaling);
    }
  put_ue (&bits, sps->log2_max_frame_num - 4);
  put_ue (&bits, sps->poc_type);
  if (sps->poc_type == 0)
    put_ue (&bits, 4);     /* log2_max_pic_order_cnt_lsb_minus4 */
  put_ue (&bits, sps->refs);
  put_bits (&bits, 1, 0);  /* gaps_in_frame_num_value_allowed_flag */
  put_ue (&bits, sps->width_mbs - 1);
  put_ue (&bits, sps->height_mbs - 1);
  put_bits (&bits, 1, !sps->fields);
  put_bits (&bits, 1, 1);  /* direct_8x8_inference_flag */
  put_bits (&bits, 1, 0);  /* frame_cropping_flag */
  put_bits (&bits, 1, 0);  /* vui_parameters_present_flag */
  return finish_nal (&bits, 3 << 5 | 7);
}

static GByteArray *
pps_new (const Pps *pps)
{
  Bits bits = { g_byte_array_new (), 0, 0 };

  put_ue (&bits, pps->id);
  put_ue (&bits, 0);       /* seq_parameter_set_id */
  put_bits (&bits, 1, pps->cabac);
  put_bits (&bits, 1, 0);  /* bottom_field_pic_order_in_frame_present_flag */
  put_ue (&bits, pps->slice_groups);
  if (pps->slice_groups > 0)
    put_ue (&bits, 0);     /* slice_group_map_type */
  put_ue (&bits, pps->default_refs - 1);
  put_ue (&bits, 0);       /* num_ref_idx_l1_default_active_minus1 */
  put_bits (&bits, 1, pps->weighted);
  put_bits (&bits, 2, 0);  /* weighted_bipred_idc */
  put_ue (&bits, 0);       /* pic_init_qp_minus26, se(v) 0 */
  put_ue (&bits, 0);       /* pic_init_qs_minus26 */
  put_ue (&bits, 0);       /* chroma_qp_index_offset */
  put_bits (&bits, 1, pps->deblocking_control);
  put_bits (&bits, 1, 0);  /* constrained_intra_pred_flag */
  put_bits (&bits, 1, pps->redundant_pic_cnt);
  return finish_nal (&bits, 3 << 5 | 8);
}

/* How a test spoils the codec data around good parameter sets. */
typedef enum
{
  CODEC_DATA_GOOD,
  CODEC_DATA_NOT_AVC,      /* configurationVersion 0 */
  CODEC_DATA_TRUNCATED,    /* six bytes */
  CODEC_DATA_LENGTH_2,     /* NAL unit lengths of 2 bytes */
  CODEC_DATA_TWO_SPS,
  CODEC_DATA_NO_PPS,
  CODEC_DATA_SHORT_SPS,    /* an SPS of its first 3 bytes */
} CodecDataForm;

/* AVCDecoderConfigurationRecord of @sps and @pps. */
static GByteArray *
codec_data_new (const Sps *sps, const Pps *pps, CodecDataForm form)
{
  g_autoptr (GByteArray) sps_nal = sps_new (sps);
  g_autoptr (GByteArray) pps_nal = pps_new (pps);
  GByteArray *data = g_byte_array_new ();
  guint sps_length = form == CODEC_DATA_SHORT_SPS ? 3 : sps_nal->len;
  const guint8 head[] = { form == CODEC_DATA_NOT_AVC ? 0 : 1, sps->profile, 0, 31,
                          form == CODEC_DATA_LENGTH_2 ? 0xfd : 0xff,
                          0xe0 | (form == CODEC_DATA_TWO_SPS ? 2 : 1),
                          sps_length >> 8, sps_length & 0xff };
  const guint8 pps_head[] = { 1, pps_nal->len >> 8, pps_nal->len & 0xff };

  g_byte_array_append (data, head, sizeof head);
  if (form == CODEC_DATA_TRUNCATED)
    {
      g_byte_array_set_size (data, 6);
      return data;
    }
  g_byte_array_append (data, sps_nal->data, sps_length);
  if (form == CODEC_DATA_NO_PPS)
    return data;
  g_byte_array_append (data, pps_head, sizeof pps_head);
  g_byte_array_append (data, pps_nal->data, pps_nal->len);
  return data;
}

static RhH264Repeater *
repeater_new (const Sps *sps, const Pps *pps)
{
  g_autoptr (GByteArray) codec_data = codec_data_new (sps, pps, CODEC_DATA_GOOD);
  g_autoptr (GError) error = NULL;
  RhH264Repeater *repeater = rh_h264_repeater_new (codec_data->data, codec_data->len, &error);

  g_assert_no_error (error);
  g_assert_nonnull (repeater);
  return repeater;
}

/* ---- reading what it writes ---- */

typedef struct
{
  GByteArray *rbsp;
  gsize bit;
} Reader;

static guint32
get_bits (Reader *reader, guint n)
{
  guint32 value = 0;

  g_assert_cmpuint (reader->bit + n, <=, reader->rbsp->len * 8);
  for (guint i = 0; i < n; i++, reader->bit++)
    value = (value << 1) | ((reader->rbsp->data[reader->bit / 8] >> (7 - reader->bit % 8)) & 1);
  return value;
}

static guint32
get_ue (Reader *reader)
{
  guint zeros = 0;

  while (get_bits (reader, 1) == 0)
    g_assert_cmpuint (++zeros, <, 32);
  return (guint32) ((1ull << zeros) - 1 + get_bits (reader, zeros));
}

/* The one NAL unit of @unit (a 4-byte length, then the unit): checks the
 * length and that no start code or forbidden sequence is in it; returns
 * its header and sets @rbsp to its payload without emulation prevention. */
static guint8
read_nal (GBytes *unit, GByteArray **rbsp)
{
  gsize size = 0;
  const guint8 *data = g_bytes_get_data (unit, &size);
  gsize length;
  guint zeros = 0;

  g_assert_cmpuint (size, >, 5);
  length = ((gsize) data[0] << 24) | (data[1] << 16) | (data[2] << 8) | data[3];
  g_assert_cmpuint (length, ==, size - 4);
  *rbsp = g_byte_array_new ();
  for (gsize i = 5; i < size; i++)
    {
      if (zeros >= 2)
        g_assert_cmpuint (data[i], >, 2);
      if (zeros >= 2 && data[i] == 3)
        {
          zeros = 0;
          continue;
        }
      zeros = data[i] == 0 ? zeros + 1 : 0;
      g_byte_array_append (*rbsp, &data[i], 1);
    }
  return data[4];
}

/* A repeated picture: a reference P slice, every macroblock skipped, the
 * header as @sps and @pps want it, numbered @frame_num. */
static void
assert_repeat (GBytes *unit, const Sps *sps, const Pps *pps, guint frame_num)
{
  g_autoptr (GByteArray) rbsp = NULL;
  guint8 header = read_nal (unit, &rbsp);
  Reader reader = { rbsp, 0 };

  g_assert_cmpuint (header & 0x80, ==, 0);
  g_assert_cmpuint ((header >> 5) & 3, !=, 0); /* a reference */
  g_assert_cmpuint (header & 0x1f, ==, 1);   /* a non-IDR slice */
  g_assert_cmpuint (get_ue (&reader), ==, 0);               /* first_mb_in_slice */
  g_assert_cmpuint (get_ue (&reader), ==, 5);               /* P, all slices */
  g_assert_cmpuint (get_ue (&reader), ==, pps->id);
  g_assert_cmpuint (get_bits (&reader, sps->log2_max_frame_num), ==, frame_num);
  if (pps->redundant_pic_cnt)
    g_assert_cmpuint (get_ue (&reader), ==, 0);
  /* One reference: the override says so unless the default does. */
  g_assert_cmpuint (get_bits (&reader, 1), ==, pps->default_refs != 1);
  if (pps->default_refs != 1)
    g_assert_cmpuint (get_ue (&reader), ==, 0);
  g_assert_cmpuint (get_bits (&reader, 1), ==, 0);          /* no list modification */
  g_assert_cmpuint (get_bits (&reader, 1), ==, 0);          /* sliding window marking */
  g_assert_cmpuint (get_ue (&reader), ==, 0);               /* slice_qp_delta */
  if (pps->deblocking_control)
    g_assert_cmpuint (get_ue (&reader), ==, 1);             /* no deblocking */
  g_assert_cmpuint (get_ue (&reader), ==, sps->width_mbs * sps->height_mbs);
  /* rbsp_trailing_bits (), then nothing. */
  g_assert_cmpuint (get_bits (&reader, 1), ==, 1);
  while (reader.bit % 8 != 0)
    g_assert_cmpuint (get_bits (&reader, 1), ==, 0);
  g_assert_cmpuint (reader.bit, ==, rbsp->len * 8);
}

typedef struct
{
  const char *name;
  Sps sps;
  Pps pps;
  gboolean escaped; /* the first repeat needs an emulation prevention byte */
} StreamRow;

static const StreamRow stream_rows[] = {
  { "baseline", { 66, 4, 2, 1, 80, 45, FALSE, FALSE }, { 0, FALSE, 0, 1, FALSE, FALSE, FALSE },
    FALSE },
  /* x264's High profile without CABAC or 8x8 scaling lists. */
  { "high", { 100, 8, 2, 1, 120, 68, FALSE, FALSE }, { 0, FALSE, 0, 1, FALSE, TRUE, FALSE },
    FALSE },
  { "pps-options", { 66, 5, 2, 1, 30, 30, FALSE, FALSE }, { 3, FALSE, 0, 3, FALSE, TRUE, TRUE },
    FALSE },
  /* pic_parameter_set_id 127 ends in seven zero bits, frame_num 0 adds
   * sixteen: three zero bytes in a row, unless escaped. */
  { "escaped", { 66, 16, 2, 1, 80, 45, FALSE, FALSE }, { 127, FALSE, 0, 1, FALSE, FALSE, FALSE },
    TRUE },
};

static void
test_repeat (gconstpointer data)
{
  const StreamRow *row = data;
  g_autoptr (RhH264Repeater) repeater = repeater_new (&row->sps, &row->pps);

  for (guint i = 0; i < 3; i++)
    {
      g_autoptr (GBytes) unit = rh_h264_repeater_repeat (repeater);

      assert_repeat (unit, &row->sps, &row->pps, i);
      if (i == 0)
        {
          g_autoptr (GByteArray) rbsp = NULL;

          read_nal (unit, &rbsp);
          /* length, header, payload: longer than the payload only if escaped */
          g_assert_cmpint (g_bytes_get_size (unit) > 5 + rbsp->len, ==, row->escaped);
        }
    }
}

/* frame_num counts modulo 2^log2_max_frame_num. */
static void
test_repeat_wraps (void)
{
  g_autoptr (RhH264Repeater) repeater = repeater_new (&baseline_sps, &plain_pps);

  for (guint i = 0; i < 40; i++)
    {
      g_autoptr (GBytes) unit = rh_h264_repeater_repeat (repeater);

      assert_repeat (unit, &baseline_sps, &plain_pps, i % 16);
    }
}

/* ---- renumbering ---- */

/* A slice NAL unit (length and unit) as an encoder writes it: the header
 * fields up to frame_num, then bits standing for the rest. */
static void
append_slice (GByteArray *unit, guint8 header, guint first_mb, guint frame_num, guint bits)
{
  Bits slice = { g_byte_array_new (), 0, 0 };
  g_autoptr (GByteArray) nal = NULL;
  const guint8 length[4] = { 0, 0, 0, 0 };
  guint at = unit->len;

  put_ue (&slice, first_mb);
  put_ue (&slice, (header & 0x1f) == 5 ? 7 : 5);
  put_ue (&slice, 0);
  put_bits (&slice, bits, frame_num);
  put_bits (&slice, 24, 0x00a5f0); /* the rest, with zeros to escape */
  put_bits (&slice, 16, 0);
  nal = finish_nal (&slice, header);
  g_byte_array_append (unit, length, sizeof length);
  g_byte_array_append (unit, nal->data, nal->len);
  unit->data[at] = nal->len >> 24;
  unit->data[at + 1] = nal->len >> 16;
  unit->data[at + 2] = nal->len >> 8;
  unit->data[at + 3] = nal->len;
}

/* An SEI, not a slice: passed on as it is. */
static void
append_sei (GByteArray *unit)
{
  static const guint8 sei[] = { 0, 0, 0, 5, 6, 5, 1, 0xaa, 0x80 };

  g_byte_array_append (unit, sei, sizeof sei);
}

#define IDR (3 << 5 | 5)
#define REF_P (2 << 5 | 1)
#define NON_REF_P (0 << 5 | 1)

/* The encoder's access unit of @header numbered @from, renumbered by
 * @repeater: as if written @to. */
static void
assert_renumbered (RhH264Repeater *repeater, guint8 header, guint from, guint to, guint bits)
{
  g_autoptr (GByteArray) given = g_byte_array_new ();
  g_autoptr (GByteArray) expected = g_byte_array_new ();
  g_autoptr (GBytes) got = NULL;
  g_autoptr (GBytes) wanted = NULL;
  g_autoptr (GError) error = NULL;

  append_sei (given);
  append_slice (given, header, 0, from, bits);
  append_slice (given, header, 17, from, bits);
  append_sei (expected);
  append_slice (expected, header, 0, to, bits);
  append_slice (expected, header, 17, to, bits);
  got = rh_h264_repeater_renumber (repeater, given->data, given->len, &error);
  g_assert_no_error (error);
  wanted = g_byte_array_free_to_bytes (g_steal_pointer (&expected));
  g_assert_nonnull (got);
  g_assert_true (g_bytes_equal (got, wanted));
}

/* The encoder numbers its pictures not knowing of the repeats: after an IDR
 * picture and two repeats, its next reference picture is the third; a
 * non-reference picture takes the number without using it up; an IDR
 * picture starts again. */
static void
test_renumber (void)
{
  const Sps sps = { 66, 16, 2, 1, 2, 2, FALSE, FALSE };
  g_autoptr (RhH264Repeater) repeater = repeater_new (&sps, &plain_pps);

  assert_renumbered (repeater, IDR, 0, 0, 16);
  for (guint i = 1; i <= 2; i++)
    {
      g_autoptr (GBytes) unit = rh_h264_repeater_repeat (repeater);

      assert_repeat (unit, &sps, &plain_pps, i);
    }
  assert_renumbered (repeater, REF_P, 1, 3, 16);
  assert_renumbered (repeater, NON_REF_P, 0xffff, 4, 16);
  assert_renumbered (repeater, REF_P, 2, 4, 16);
  assert_renumbered (repeater, IDR, 0xbeef, 0, 16);
  assert_renumbered (repeater, REF_P, 1, 1, 16);
}

typedef struct
{
  const char *name;
  const guint8 *data;
  gsize size;
} MalformedRow;

static const guint8 short_length[] = { 0, 0, 0 };
static const guint8 zero_length[] = { 0, 0, 0, 0, 0x41 };
static const guint8 long_length[] = { 0, 0, 0, 9, 0x41, 0x80 };
/* first_mb_in_slice, then nothing to read the slice type from */
static const guint8 short_slice[] = { 0, 0, 0, 2, 0x41, 0x80 };
/* the header fields, but frame_num cut off */
static const guint8 no_frame_num[] = { 0, 0, 0, 2, 0x41, 0xa6 };

static const MalformedRow malformed_rows[] = {
  { "short-length", short_length, sizeof short_length },
  { "zero-length", zero_length, sizeof zero_length },
  { "length-past-end", long_length, sizeof long_length },
  { "short-slice", short_slice, sizeof short_slice },
  { "no-frame-num", no_frame_num, sizeof no_frame_num },
};

static void
test_renumber_malformed (gconstpointer data)
{
  const MalformedRow *row = data;
  g_autoptr (RhH264Repeater) repeater = repeater_new (&baseline_sps, &plain_pps);
  g_autoptr (GError) error = NULL;
  g_autoptr (GBytes) got = rh_h264_repeater_renumber (repeater, row->data, row->size, &error);

  g_assert_null (got);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA);
}

/* ---- streams it cannot repeat a picture of ---- */

typedef struct
{
  const char *name;
  Sps sps;
  Pps pps;
  CodecDataForm form;
  const char *reason;
} RefusedRow;

#define SPS_OK { 66, 4, 2, 1, 80, 45, FALSE, FALSE }
#define PPS_OK { 0, FALSE, 0, 1, FALSE, FALSE, FALSE }

static const RefusedRow refused_rows[] = {
  { "not-avc", SPS_OK, PPS_OK, CODEC_DATA_NOT_AVC, "no AVC codec data" },
  { "truncated", SPS_OK, PPS_OK, CODEC_DATA_TRUNCATED, "no AVC codec data" },
  { "length-2", SPS_OK, PPS_OK, CODEC_DATA_LENGTH_2, "NAL unit lengths not of 4 bytes" },
  { "two-sps", SPS_OK, PPS_OK, CODEC_DATA_TWO_SPS, "not one sequence and one picture" },
  { "no-pps", SPS_OK, PPS_OK, CODEC_DATA_NO_PPS, "no picture parameter set" },
  { "short-sps", SPS_OK, PPS_OK, CODEC_DATA_SHORT_SPS, "short sequence parameter set" },
  { "poc-type-0", { 66, 4, 0, 1, 80, 45, FALSE, FALSE }, PPS_OK, CODEC_DATA_GOOD,
    "picture order counts" },
  { "two-references", { 66, 4, 2, 2, 80, 45, FALSE, FALSE }, PPS_OK, CODEC_DATA_GOOD,
    "more than one reference frame" },
  { "fields", { 66, 4, 2, 1, 80, 45, TRUE, FALSE }, PPS_OK, CODEC_DATA_GOOD, "fields" },
  { "scaling-matrices", { 100, 4, 2, 1, 80, 45, FALSE, TRUE }, PPS_OK, CODEC_DATA_GOOD,
    "scaling matrices" },
  { "cabac", SPS_OK, { 0, TRUE, 0, 1, FALSE, FALSE, FALSE }, CODEC_DATA_GOOD, "CABAC" },
  { "slice-groups", SPS_OK, { 0, FALSE, 1, 1, FALSE, FALSE, FALSE }, CODEC_DATA_GOOD,
    "slice groups" },
  { "weighted", SPS_OK, { 0, FALSE, 0, 1, TRUE, FALSE, FALSE }, CODEC_DATA_GOOD,
    "weighted prediction" },
};

static void
test_refused (gconstpointer data)
{
  const RefusedRow *row = data;
  g_autoptr (GByteArray) codec_data = codec_data_new (&row->sps, &row->pps, row->form);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhH264Repeater) repeater = rh_h264_repeater_new (codec_data->data, codec_data->len,
                                                              &error);

  g_assert_null (repeater);
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, row->reason));
}

/* log2_max_frame_num_minus4 is at most 12. */
static void
test_refused_frame_num (void)
{
  const Sps sps = { 66, 17, 2, 1, 80, 45, FALSE, FALSE };
  g_autoptr (GByteArray) codec_data = codec_data_new (&sps, &plain_pps, CODEC_DATA_GOOD);
  g_autoptr (GError) error = NULL;

  g_assert_null (rh_h264_repeater_new (codec_data->data, codec_data->len, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED);
  g_assert_nonnull (strstr (error->message, "log2_max_frame_num"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (stream_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/h264/repeat/%s", stream_rows[i].name);

      g_test_add_data_func (path, &stream_rows[i], test_repeat);
    }
  for (guint i = 0; i < G_N_ELEMENTS (malformed_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/h264/renumber-malformed/%s",
                                               malformed_rows[i].name);

      g_test_add_data_func (path, &malformed_rows[i], test_renumber_malformed);
    }
  for (guint i = 0; i < G_N_ELEMENTS (refused_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/h264/refused/%s", refused_rows[i].name);

      g_test_add_data_func (path, &refused_rows[i], test_refused);
    }
  g_test_add_func ("/h264/repeat-wraps", test_repeat_wraps);
  g_test_add_func ("/h264/renumber", test_renumber);
  g_test_add_func ("/h264/refused/log2-max-frame-num", test_refused_frame_num);
  return g_test_run ();
}
