/* JSON from outside (pages, servers, API clients, files): bounded in size
 * and nesting before json-glib sees it, since its parser recurses. */
#pragma once

#include <json-glib/json-glib.h>

G_BEGIN_DECLS

/* Deeper than any message, reply or request this program reads. */
#define RH_JSON_MAX_DEPTH 64

guint    rh_json_nesting_depth (const char *data, gsize length, guint limit);
/* json_parser_load_from_data () for untrusted @data: refuses more than
 * @max_bytes, then comments and single-quoted strings (json-glib reads them,
 * JSON has none), then nesting deeper than @max_depth
 * (G_IO_ERROR_INVALID_DATA). */
gboolean rh_json_parser_load  (JsonParser *parser, const char *data, gssize length,
                               gsize max_bytes, guint max_depth, GError **error);

/* @data (@length bytes) with what json-glib refuses and JavaScript strings
 * (a page's) may hold made U+FFFD: bytes that are not UTF-8, and each
 * \uD800..\uDFFF escape that is not half of a pair; NULL when there is
 * none. */
char    *rh_json_repair (const char *data, gsize length);

/* @object's member @name when it is of that type, else NULL (so is a NULL
 * @object's): what a peer sent need not be what it should be. */
JsonObject *rh_json_object_member (JsonObject *object, const char *name);
JsonArray  *rh_json_array_member  (JsonObject *object, const char *name);
const char *rh_json_string_member (JsonObject *object, const char *name);

/* json_to_string () for output others parse: json-glib passes control
 * characters and invalid UTF-8 of strings through raw, which makes the text
 * invalid JSON (and lets a room uuid write escape sequences to a terminal),
 * and writes the double 1e21 as 1e+21.0 and infinity as inf.0.  Here they
 * are \u00XX escapes, U+FFFD, 1e+21 and null. */
char    *rh_json_to_string    (JsonNode *node, gboolean pretty);

G_END_DECLS
