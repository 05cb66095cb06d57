/* src/rh-json.c: the bounded loader every untrusted JSON goes through, and
 * the writer of JSON others read.  The input is JSON text, not terminated. */
#include "fuzz-common.h"
#include "rh-json.h"

/* As the cloud's bodies and the ready call's replies are bounded. */
#define MAX_BYTES (64 * 1024)

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autoptr (JsonParser) reparser = json_parser_new ();
  g_autoptr (GError) error = NULL;
  g_autofree char *text = NULL;
  g_autofree char *pretty = NULL;
  g_autofree char *again = NULL;
  JsonNode *root;

  /* The size is given: the loader must not read past it. */
  if (!rh_json_parser_load (parser, (const char *) data, size, MAX_BYTES, RH_JSON_MAX_DEPTH,
                            &error))
    {
      rh_fuzz_check (error != NULL);
      return 0;
    }
  root = json_parser_get_root (parser);
  if (root == NULL)
    return 0;
  /* What the loader let through is no deeper than its bound, whatever
   * json-glib's scanner accepts besides JSON. */
  rh_fuzz_check (rh_fuzz_node_depth (root) <= RH_JSON_MAX_DEPTH);

  text = rh_json_to_string (root, FALSE);
  pretty = rh_json_to_string (root, TRUE);
  rh_fuzz_check_written (text, FALSE);
  rh_fuzz_check_written (pretty, TRUE);
  /* Written once, the text is what it says: read back, it writes the same. */
  rh_fuzz_check (rh_json_parser_load (reparser, text, -1, G_MAXSIZE, RH_JSON_MAX_DEPTH, NULL));
  again = rh_json_to_string (json_parser_get_root (reparser), FALSE);
  rh_fuzz_check (g_str_equal (again, text));
  return 0;
}
