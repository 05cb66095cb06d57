/* The page's requests as the bridge reports them, what they say the SDK was
 * blocked on, and their bounds. */
#include <string.h>

#include "rh-request-log.h"
#include "test-utils.h"

static JsonObject *
message (const char *json)
{
  g_autoptr (JsonParser) parser = json_parser_new ();

  g_assert_true (json_parser_load_from_data (parser, json, -1, NULL));
  return json_object_ref (json_node_get_object (json_parser_get_root (parser)));
}

static void
feed (RhRequestLog *log, const char *begin, const char *end)
{
  g_autoptr (JsonObject) first = message (begin);

  rh_request_log_begin (log, first, 10);
  if (end != NULL)
    {
      g_autoptr (JsonObject) second = message (end);

      rh_request_log_end (log, second, 20);
    }
}

static const char *
transport_error (const char *url, gpointer user_data)
{
  return strstr (url, "ap-web-1") != NULL
           ? "Error resolving \xe2\x80\x9c"
             "ap-web-1.agora.io\xe2\x80\x9d: Name or service not known"
           : NULL;
}

/* What a 2.x SDK does offline: check-in answered through the route, the
 * denoiser and the RTM login unreachable.  The RTM login comes first. */
static void
test_blocking (void)
{
  g_autoptr (RhRequestLog) log = rh_request_log_new ();
  g_autofree char *text = NULL;

  feed (log,
        "{\"id\":1,\"api\":\"fetch\",\"method\":\"GET\","
        "\"url\":\"https://solutions-apaas.agora.io/x.wasm\"}",
        "{\"id\":1,\"status\":0,\"error\":\"Load failed\"}");
  feed (log,
        "{\"id\":2,\"api\":\"fetch\",\"method\":\"PUT\","
        "\"url\":\"https://api.sd-rtn.com/cn/edu/apps/a/v3/rooms/r1/users/u1\","
        "\"routed_to\":\"http://127.0.0.1:9/cn/edu/apps/a/v3/rooms/r1/users/u1\"}",
        "{\"id\":2,\"status\":200}");
  feed (log,
        "{\"id\":3,\"api\":\"xhr\",\"method\":\"POST\","
        "\"url\":\"https://ap-web-1.agora.io/api/v1\"}",
        "{\"id\":3,\"status\":0,\"error\":\"network error\"}");
  feed (log,
        "{\"id\":4,\"api\":\"xhr\",\"method\":\"POST\","
        "\"url\":\"https://ap-web-1.agora.io/api/v1\"}",
        "{\"id\":4,\"status\":0,\"error\":\"network error\"}");
  text = rh_request_log_describe_blocking (log, transport_error, NULL);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "the SDK could not reach ap-web-1.agora.io (name not "
                                         "resolved), its RTM login, solutions-apaas.agora.io"));
  g_assert_nonnull (strstr (text, "last answered call PUT http://127.0.0.1:9/cn/edu/apps/a/v3/"
                                  "rooms/r1/users/u1 (200)"));
  g_assert_nonnull (strstr (text, "cannot get ready offline"));
}

static void
test_nothing_failed (void)
{
  g_autoptr (RhRequestLog) log = rh_request_log_new ();

  g_assert_null (rh_request_log_describe_blocking (log, NULL, NULL));
  feed (log, "{\"id\":1,\"method\":\"GET\",\"url\":\"https://cdn.example/a\"}", NULL);
  g_assert_null (rh_request_log_describe_blocking (log, NULL, NULL));
}

/* Messages the page could forge: bad ids, duplicates, answers to nothing,
 * overlong URLs. */
static void
test_untrusted (void)
{
  g_autoptr (RhRequestLog) log = rh_request_log_new ();
  g_autoptr (GString) long_url = g_string_new ("{\"id\":5,\"url\":\"https://x/");
  const RhRequest *request;

  feed (log, "{\"url\":\"https://x/no-id\"}", NULL);
  feed (log, "{\"id\":-3,\"url\":\"https://x/negative\"}", NULL);
  feed (log, "{\"id\":1,\"url\":7,\"method\":{}}", "{\"id\":99,\"status\":200}");
  feed (log, "{\"id\":1,\"url\":\"https://x/again\"}", "{\"id\":1,\"status\":\"200\"}");
  for (guint i = 0; i < 10000; i++)
    g_string_append_c (long_url, 'a');
  g_string_append (long_url, "\"}");
  feed (log, long_url->str, NULL);
  g_assert_cmpuint (rh_request_log_get_all (log)->len, ==, 2);
  request = g_ptr_array_index (rh_request_log_get_all (log), 0);
  g_assert_cmpstr (request->url, ==, "");
  g_assert_cmpstr (request->method, ==, "GET");
  g_assert_cmpuint (request->status, ==, 0);
  request = g_ptr_array_index (rh_request_log_get_all (log), 1);
  g_assert_cmpuint (strlen (request->url), <, 2100);
}

static void
test_bounded (void)
{
  g_autoptr (RhRequestLog) log = rh_request_log_new ();

  for (guint i = 1; i <= RH_REQUEST_LOG_MAX + 10; i++)
    {
      g_autofree char *json = g_strdup_printf ("{\"id\":%u,\"url\":\"https://x/%u\"}", i, i);

      feed (log, json, NULL);
    }
  g_assert_cmpuint (rh_request_log_get_all (log)->len, ==, RH_REQUEST_LOG_MAX);
  g_assert_cmpuint (rh_request_log_dropped (log), ==, 10);
  rh_request_log_reset (log);
  g_assert_cmpuint (rh_request_log_get_all (log)->len, ==, 0);
}

/* The copy an outcome keeps has no secret in any string. */
static void
test_copy_redacted (void)
{
  g_autoptr (RhRequestLog) log = rh_request_log_new ();
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  RhRequest *copy;

  rh_timeline_add_secret (timeline, "tok-SECRET");
  feed (log, "{\"id\":1,\"method\":\"GET tok-SECRET\",\"url\":\"https://x/?token=tok-SECRET\","
             "\"api\":\"fetch tok-SECRET\",\"routed_to\":\"http://127.0.0.1:1/?t=tok-SECRET\"}",
        "{\"id\":1,\"status\":0,\"error\":\"failed for tok-SECRET\"}");
  copy = rh_request_copy_redacted (g_ptr_array_index (rh_request_log_get_all (log), 0), timeline);
  g_assert_cmpstr (copy->url, ==, "https://x/?token=[REDACTED]");
  g_assert_cmpstr (copy->method, ==, "GET [REDACTED]");
  g_assert_cmpstr (copy->api, ==, "fetch [REDACTED]");
  g_assert_cmpstr (copy->error, ==, "failed for [REDACTED]");
  g_assert_cmpstr (copy->routed_to, ==, "http://127.0.0.1:1/?t=[REDACTED]");
  g_assert_cmpint (copy->start_ms, ==, 10);
  rh_request_free (copy);
}

/* Each frame and worker numbers its own requests: the same number from two
 * of them is two requests, each answered on its own, each saying where it
 * came from. */
static void
test_contexts (void)
{
  g_autoptr (RhRequestLog) log = rh_request_log_new ();
  const GPtrArray *all;
  const RhRequest *page, *frame, *worker;

  feed (log, "{\"id\":1,\"url\":\"https://a.test/page\"}", NULL);
  feed (log, "{\"id\":1,\"url\":\"https://a.test/frame\",\"scope\":\"frame\",\"context\":\"f1\"}",
        NULL);
  feed (log, "{\"id\":1,\"url\":\"https://a.test/worker\",\"scope\":\"worker\","
             "\"context\":\"f1/w1\"}",
        "{\"id\":1,\"status\":204,\"scope\":\"worker\",\"context\":\"f1/w1\"}");
  feed (log, "{\"id\":1,\"url\":\"https://a.test/again\",\"scope\":\"frame\",\"context\":\"f1\"}",
        "{\"id\":1,\"status\":200}");
  all = rh_request_log_get_all (log);
  g_assert_cmpuint (all->len, ==, 3);
  page = g_ptr_array_index (all, 0);
  frame = g_ptr_array_index (all, 1);
  worker = g_ptr_array_index (all, 2);
  g_assert_null (page->scope);
  g_assert_cmpstr (frame->scope, ==, "frame");
  g_assert_cmpstr (worker->scope, ==, "worker");
  g_assert_cmpuint (worker->status, ==, 204);
  g_assert_cmpuint (frame->status, ==, 0);
  g_assert_cmpuint (page->status, ==, 200);
}

/* Both engines' words for a request without an answer, as a user reads them. */
static const struct
{
  const char *error;
  const char *words;
} words_rows[] = {
  { "Error resolving \u201cap-web-1.agora.io\u201d: Name or service not known",
    "name not resolved" },
  { "net::ERR_NAME_NOT_RESOLVED", "name not resolved" },
  { "Could not connect to 127.0.0.1: Connection refused", "connection refused" },
  { "net::ERR_CONNECTION_REFUSED", "connection refused" },
  { "Socket I/O timed out", "timed out" },
  { "net::ERR_CONNECTION_TIMED_OUT", "timed out" },
  { "Unacceptable TLS certificate", "TLS error" },
  { "net::ERR_CERT_AUTHORITY_INVALID", "TLS error" },
  { "net::ERR_SSL_PROTOCOL_ERROR", "TLS error" },
  { "net::ERR_EMPTY_RESPONSE", "no answer" },
  { "net::ERR_CONNECTION_RESET", "no answer" },
  { "net::ERR_BLOCKED_BY_CLIENT", "net::ERR_BLOCKED_BY_CLIENT" },
};

static void
test_words (gconstpointer data)
{
  const typeof (words_rows[0]) *row = data;

  g_assert_cmpstr (rh_request_error_in_words (row->error), ==, row->words);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (words_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/request-log/words/%u", i);

      g_test_add_data_func (path, &words_rows[i], test_words);
    }
  g_test_add_func ("/request-log/blocking", test_blocking);
  g_test_add_func ("/request-log/nothing-failed", test_nothing_failed);
  g_test_add_func ("/request-log/untrusted", test_untrusted);
  g_test_add_func ("/request-log/bounded", test_bounded);
  g_test_add_func ("/request-log/json-redacted", test_copy_redacted);
  g_test_add_func ("/request-log/contexts", test_contexts);
  return g_test_run ();
}
