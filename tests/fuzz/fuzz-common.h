/* What every libFuzzer target shares: quiet logging that still stops at a
 * critical, and checks of what recordhost writes. */
#pragma once

#include <json-glib/json-glib.h>
#include <stddef.h>
#include <stdint.h>

G_BEGIN_DECLS

/* libFuzzer's entry points. */
int LLVMFuzzerInitialize   (int *argc, char ***argv);
int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

/* A failed check is a finding: libFuzzer keeps the input that made it. */
#define rh_fuzz_check(expr) \
  G_STMT_START { if (!(expr)) rh_fuzz_fail (__FILE__, __LINE__, #expr); } G_STMT_END

G_NORETURN void rh_fuzz_fail (const char *file, int line, const char *expr);

/* The input as fields: split at '\n', at most @max of them (the last keeps
 * the rest), each NUL-terminated; a NUL inside a field ends it, as a C
 * string would. */
GStrv    rh_fuzz_fields      (const uint8_t *data, size_t size, guint max);
/* Depth of arrays and objects in @node, as json-glib's parser recursed. */
guint    rh_fuzz_node_depth  (JsonNode *node);
/* JSON recordhost wrote for others: valid UTF-8, no raw control character
 * (but newlines when @pretty), and json-glib reads it back. */
void     rh_fuzz_check_written (const char *text, gboolean pretty);

G_END_DECLS
