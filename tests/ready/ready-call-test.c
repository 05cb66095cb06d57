/* The ready call: URL, reply parsing, headers, retries, deadline. */
#include <string.h>

#include "fake-cloud.h"
#include "rh-error.h"
#include "rh-ready-call.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *base;
  const char *region;
  const char *app;
  const char *room;
  const char *expected;
} UriRow;

static const UriRow uri_rows[] = {
  { "docs-form", "https://api.agora.io", NULL, "app1", "room1",
    "https://api.agora.io/edu/apps/app1/v2/rooms/room1/records/ready" },
  { "sdk-form", "https://api.sd-rtn.com/", "ap", "app1", "room1",
    "https://api.sd-rtn.com/ap/edu/apps/app1/v2/rooms/room1/records/ready" },
  { "escaped", "http://127.0.0.1:8080", "cn", "a/b", "room 1/x",
    "http://127.0.0.1:8080/cn/edu/apps/a%2Fb/v2/rooms/room%201%2Fx/records/ready" },
  { "base-path", "https://gw.example/proxy//", NULL, "a", "r",
    "https://gw.example/proxy/edu/apps/a/v2/rooms/r/records/ready" },
};

static void
test_uri (gconstpointer data)
{
  const UriRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autofree char *uri = rh_ready_call_build_uri (row->base, row->region, row->app, row->room,
                                                  &error);

  g_assert_no_error (error);
  g_assert_cmpstr (uri, ==, row->expected);
}

/* A URI cannot name these segments: every parser drops them as dot segments,
 * escaped or not (%2E is '.'), and the call would go to another path. */
static void
test_uri_dot_segments (void)
{
  static const char *const ids[][2] = { { ".", "r" }, { "a", ".." }, { "..", "." } };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *uri = rh_ready_call_build_uri ("https://x", NULL, ids[i][0], ids[i][1],
                                                      &error);

      g_assert_null (uri);
      g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
    }
}

static void
test_uri_bad (void)
{
  static const char *const bad[] = { "api.agora.io", "ftp://x", "http://", "https://x/?q=1",
                                     "https://x/#f", "", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autofree char *uri = rh_ready_call_build_uri (bad[i], NULL, "a", "r", &error);

      g_test_message ("%s", bad[i]);
      g_assert_null (uri);
      g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
    }
}

typedef struct
{
  const char *name;
  guint status;
  const char *body;
  int error_code; /* -1: success */
  gint64 code;
  const char *message_part;
} ReplyRow;

static const ReplyRow reply_rows[] = {
  { "success", 200, "{\"msg\":\"Success\",\"code\":0,\"ts\":1610167740309}", -1, 0, NULL },
  { "success-204-style", 201, "{\"code\":0}", -1, 0, NULL },
  { "code-nonzero", 200, "{\"msg\":\"record not started\",\"code\":30409410,\"ts\":1}",
    RH_READY_CALL_ERROR_REFUSED, 30409410, "code 30409410: record not started" },
  { "code-string", 200, "{\"code\":\"0\"}", RH_READY_CALL_ERROR_MALFORMED, 0, "integer code" },
  { "code-half", 200, "{\"code\":0.5}", RH_READY_CALL_ERROR_MALFORMED, 0, "integer code" },
  { "code-float-zero", 200, "{\"code\":0.0}", -1, 0, NULL },
  { "code-huge-float", 200, "{\"code\":1e300}", RH_READY_CALL_ERROR_MALFORMED, 0, "integer code" },
  { "no-body", 200, "", RH_READY_CALL_ERROR_MALFORMED, 0, "not a JSON envelope" },
  { "html", 200, "<html>ok</html>", RH_READY_CALL_ERROR_MALFORMED, 0, "not a JSON envelope" },
  { "array", 200, "[0]", RH_READY_CALL_ERROR_MALFORMED, 0, "not a JSON envelope" },
  { "401-envelope", 401, "{\"msg\":\"token invalid\",\"code\":401}", RH_READY_CALL_ERROR_HTTP,
    401, "HTTP 401 Unauthorized (code 401: token invalid)" },
  { "404-plain", 404, "not found", RH_READY_CALL_ERROR_HTTP, 0, "HTTP 404 Not Found" },
  { "500", 500, "", RH_READY_CALL_ERROR_HTTP, 0, "HTTP 500" },
};

static void
test_reply (gconstpointer data)
{
  const ReplyRow *row = data;
  g_autoptr (GBytes) body = g_bytes_new_static (row->body, strlen (row->body));
  g_autoptr (GError) error = NULL;
  g_autofree char *msg = NULL;
  gint64 code = -1;
  gboolean ok = rh_ready_reply_parse (row->status, body, &code, &msg, &error);

  if (row->error_code < 0)
    {
      g_assert_no_error (error);
      g_assert_true (ok);
    }
  else
    {
      g_assert_false (ok);
      g_assert_error (error, RH_READY_CALL_ERROR, row->error_code);
      g_assert_nonnull (strstr (error->message, row->message_part));
    }
  g_assert_cmpint (code, ==, row->code);
}

/* ---- against a loopback server ---- */

typedef struct
{
  FakeCloud *cloud;
  SoupSession *session;
  GMainLoop *loop;
  GAsyncResult *result;
  guint attempts_seen;
} Fixture;

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  fixture->cloud = fake_cloud_new ();
  fixture->session = soup_session_new_with_options ("timeout", 5, NULL);
  fixture->loop = g_main_loop_new (NULL, FALSE);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_clear_object (&fixture->result);
  g_main_loop_unref (fixture->loop);
  g_object_unref (fixture->session);
  fake_cloud_free (fixture->cloud);
}

static void
done_cb (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->result = g_object_ref (result);
  g_main_loop_quit (fixture->loop);
}

static void
attempt_cb (RhReadyCall *call, guint attempt, guint status, GError *error, gpointer user_data)
{
  Fixture *fixture = user_data;

  fixture->attempts_seen++;
  g_assert_cmpuint (attempt, ==, fixture->attempts_seen);
}

static gboolean
send (Fixture *fixture, RhReadyCall *call, guint seconds, GCancellable *cancellable,
      GError **error)
{
  g_signal_connect (call, "attempt", G_CALLBACK (attempt_cb), fixture);
  rh_ready_call_send_async (call, g_get_monotonic_time () + seconds * G_USEC_PER_SEC,
                            cancellable, done_cb, fixture);
  g_main_loop_run (fixture->loop);
  return rh_ready_call_send_finish (call, fixture->result, error);
}

static RhReadyCall *
call_new (Fixture *fixture, const char *region)
{
  g_autofree char *uri = rh_ready_call_build_uri (fixture->cloud->base_url, region, "app 1",
                                                  "room/1", NULL);

  return rh_ready_call_new (fixture->session, uri);
}

static void
test_request_shape (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhReadyCall) call = call_new (fixture, "eu");
  g_autoptr (GError) error = NULL;
  FakeRequest *request;

  rh_ready_call_set_token (call, "tok+1", "rec-7");
  send (fixture, call, 5, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 1);
  request = fake_cloud_get_request (fixture->cloud, 0);
  g_assert_cmpstr (request->method, ==, "PUT");
  g_assert_cmpstr (request->path, ==, "/eu/edu/apps/app 1/v2/rooms/room/1/records/ready");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "x-agora-token"), ==, "tok+1");
  g_assert_cmpstr (soup_message_headers_get_one (request->headers, "x-agora-uid"), ==, "rec-7");
  g_assert_cmpstr (soup_message_headers_get_content_type (request->headers, NULL), ==,
                   "application/json");
  g_assert_cmpuint (rh_ready_call_get_attempts (call), ==, 1);
  g_assert_cmpuint (rh_ready_call_get_status (call), ==, 200);
}

static void
test_no_token_no_headers (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhReadyCall) call = call_new (fixture, NULL);
  FakeRequest *request;

  g_assert_true (send (fixture, call, 5, NULL, NULL));
  request = fake_cloud_get_request (fixture->cloud, 0);
  g_assert_cmpstr (request->path, ==, "/edu/apps/app 1/v2/rooms/room/1/records/ready");
  g_assert_null (soup_message_headers_get_one (request->headers, "x-agora-token"));
  g_assert_null (soup_message_headers_get_one (request->headers, "x-agora-uid"));
}

static void
test_final_answers (Fixture *fixture, gconstpointer data)
{
  static const struct
  {
    guint status;
    const char *body;
    int error_code;
  } rows[] = {
    { 401, "{\"msg\":\"unauthorized\",\"code\":401}", RH_READY_CALL_ERROR_HTTP },
    { 403, "{}", RH_READY_CALL_ERROR_HTTP },
    { 200, "{\"msg\":\"record not started\",\"code\":30409410}", RH_READY_CALL_ERROR_REFUSED },
    { 200, "garbage", RH_READY_CALL_ERROR_MALFORMED },
  };

  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autoptr (RhReadyCall) call = call_new (fixture, NULL);
      g_autoptr (GError) error = NULL;

      fake_cloud_clear_replies (fixture->cloud);
      fake_cloud_reply (fixture->cloud, rows[i].status, rows[i].body);
      fixture->attempts_seen = 0;
      g_clear_object (&fixture->result);
      g_assert_false (send (fixture, call, 5, NULL, &error));
      g_assert_error (error, RH_READY_CALL_ERROR, rows[i].error_code);
      /* An answer is not retried. */
      g_assert_cmpuint (rh_ready_call_get_attempts (call), ==, 1);
      g_assert_cmpuint (fixture->attempts_seen, ==, 1);
    }
}

static void
test_5xx_then_success (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhReadyCall) call = call_new (fixture, NULL);
  g_autoptr (GError) error = NULL;

  fake_cloud_reply (fixture->cloud, 500, "{\"msg\":\"oops\",\"code\":500}");
  fake_cloud_reply (fixture->cloud, 503, "");
  fake_cloud_reply (fixture->cloud, 200, NULL);
  g_assert_true (send (fixture, call, 10, NULL, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (rh_ready_call_get_attempts (call), ==, 3);
  g_assert_cmpuint (fixture->cloud->requests->len, ==, 3);
}

static void
test_5xx_until_deadline (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhReadyCall) call = call_new (fixture, NULL);
  g_autoptr (GError) error = NULL;

  fake_cloud_reply (fixture->cloud, 502, "");
  g_assert_false (send (fixture, call, 3, NULL, &error));
  g_assert_error (error, RH_READY_CALL_ERROR, RH_READY_CALL_ERROR_TIMED_OUT);
  g_assert_nonnull (strstr (error->message, "HTTP 502"));
  /* Backoff 200 ms doubling: attempts start 0, 0.2, 0.6, 1.4 and 3.0 s after
   * the first at the earliest, so however fast the machine, the fifth would
   * start at the deadline or after; and however slow, a second one starts. */
  g_assert_cmpuint (rh_ready_call_get_attempts (call), >=, 2);
  g_assert_cmpuint (rh_ready_call_get_attempts (call), <=, 4);
}

static void
test_refused_retried (Fixture *fixture, gconstpointer data)
{
  g_autofree char *base = fake_cloud_refused_url ();
  g_autofree char *uri = rh_ready_call_build_uri (base, NULL, "a", "r", NULL);
  g_autoptr (RhReadyCall) call = rh_ready_call_new (fixture->session, uri);
  g_autoptr (GError) error = NULL;

  g_assert_false (send (fixture, call, 3, NULL, &error));
  g_assert_error (error, RH_READY_CALL_ERROR, RH_READY_CALL_ERROR_TIMED_OUT);
  g_assert_cmpuint (rh_ready_call_get_attempts (call), >=, 2);
}

typedef struct
{
  GCancellable *cancellable;
  gint64 cancelled_us;
} Cancel;

static gboolean
cancel_cb (gpointer user_data)
{
  Cancel *cancel = user_data;

  cancel->cancelled_us = g_get_monotonic_time ();
  g_cancellable_cancel (cancel->cancellable);
  return G_SOURCE_REMOVE;
}

/* After the fifth answer, once the backoff (3.2 s) has begun. */
static void
cancel_after_fifth_cb (RhReadyCall *call, guint attempt, guint status, GError *error,
                       gpointer user_data)
{
  if (attempt == 5)
    g_idle_add (cancel_cb, user_data);
}

static void
test_cancel_during_backoff (Fixture *fixture, gconstpointer data)
{
  g_autoptr (RhReadyCall) call = call_new (fixture, NULL);
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  g_autoptr (GError) error = NULL;
  Cancel cancel = { cancellable, 0 };

  fake_cloud_reply (fixture->cloud, 500, "");
  g_signal_connect (call, "attempt", G_CALLBACK (cancel_after_fifth_cb), &cancel);
  g_assert_false (send (fixture, call, 60, cancellable, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpuint (rh_ready_call_get_attempts (call), ==, 5);
  /* Not left waiting for the end of the backoff, which would come 3.2 s
   * after its start, just before the cancellation. */
  g_assert_cmpint (cancel.cancelled_us, >, 0);
  g_assert_cmpint (g_get_monotonic_time () - cancel.cancelled_us, <, 1600 * 1000);
}

/* Which failures are worth another attempt before the deadline. */
typedef struct
{
  const char *name;
  GQuark (*domain) (void);
  int code;
  gboolean transient;
} TransientRow;

static const TransientRow transient_rows[] = {
  { "connection-refused", g_io_error_quark, G_IO_ERROR_CONNECTION_REFUSED, TRUE },
  { "server-error", g_io_error_quark, G_IO_ERROR_FAILED, TRUE },
  { "resolver-temporary", g_resolver_error_quark, G_RESOLVER_ERROR_TEMPORARY_FAILURE, TRUE },
  { "resolver-not-found", g_resolver_error_quark, G_RESOLVER_ERROR_NOT_FOUND, FALSE },
  { "cancelled", g_io_error_quark, G_IO_ERROR_CANCELLED, FALSE },
  { "refused", rh_ready_call_error_quark, RH_READY_CALL_ERROR_REFUSED, FALSE },
  { "tls-bad-certificate", g_tls_error_quark, G_TLS_ERROR_BAD_CERTIFICATE, FALSE },
  { "tls-not-tls", g_tls_error_quark, G_TLS_ERROR_NOT_TLS, FALSE },
  { "tls-eof", g_tls_error_quark, G_TLS_ERROR_EOF, TRUE },
};

static void
test_transient (gconstpointer data)
{
  const TransientRow *row = data;
  g_autoptr (GError) error = g_error_new_literal (row->domain (), row->code, "x");

  g_assert_cmpint (rh_ready_call_error_is_transient (error), ==, row->transient);
}

/* A reply from a hostile server or proxy: 60 000 brackets (under the size
 * bound), or a body far larger than an envelope.  Refused as no envelope,
 * never parsed. */
static void
test_reply_hostile (void)
{
  gsize n = 60 * 1000;
  g_autofree char *deep = g_malloc (n);
  g_autofree char *large = NULL;
  g_autoptr (GBytes) body = NULL;
  g_autoptr (GError) error = NULL;
  gint64 code = -1;
  g_autofree char *msg = NULL;

  memset (deep, '[', n);
  body = g_bytes_new_static (deep, n);
  g_assert_false (rh_ready_reply_parse (200, body, &code, &msg, &error));
  g_assert_nonnull (error);
  g_clear_error (&error);
  g_clear_pointer (&body, g_bytes_unref);

  large = g_strdup_printf ("{\"code\":0,\"msg\":\"%0*d\"}", 200 * 1000, 0);
  body = g_bytes_new_static (large, strlen (large));
  g_assert_false (rh_ready_reply_parse (200, body, &code, &msg, &error));
  g_assert_nonnull (error);
}

/* A server whose reply never ends: it writes until the client goes. */
typedef struct
{
  gint chunks;   /* of 4 KiB, written */
  gint finished; /* the handler returned */
} Endless;

static gboolean
endless_reply_cb (GThreadedSocketService *service, GSocketConnection *connection,
                  GObject *source, gpointer user_data)
{
  Endless *endless = user_data;
  GOutputStream *out = g_io_stream_get_output_stream (G_IO_STREAM (connection));
  static const char head[] = "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
                             "Transfer-Encoding: chunked\r\n\r\n7\r\n{\"msg\":\"\r\n";
  char chunk[4096 + 16];
  gsize length;

  memset (chunk, 'x', sizeof chunk);
  length = g_snprintf (chunk, 16, "1000\r\n");
  chunk[length + 4096] = '\r';
  chunk[length + 4097] = '\n';
  /* Bounded so that a client that reads it all ends the test too. */
  if (g_output_stream_write_all (out, head, strlen (head), NULL, NULL, NULL))
    while (g_atomic_int_get (&endless->chunks) < 64 * 1024
           && g_output_stream_write_all (out, chunk, length + 4098, NULL, NULL, NULL))
      g_atomic_int_inc (&endless->chunks);
  g_atomic_int_set (&endless->finished, TRUE);
  return TRUE;
}

static gboolean
endless_finished (gpointer user_data)
{
  Endless *endless = user_data;

  return g_atomic_int_get (&endless->finished);
}

/* The reply is read only as far as the bound: a server streaming without end
 * is refused once 64 KiB have come, not read until memory runs out. */
static void
test_endless_reply (Fixture *fixture, gconstpointer data)
{
  /* No thread limit: a service at its limit starts accepting again when a
   * job ends, on the job's thread, which may come after the listener below
   * was closed ("fail: Listener is already closed", fatal in a test). */
  g_autoptr (GSocketService) service = g_threaded_socket_service_new (-1);
  g_autoptr (GInetAddress) loopback = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr (GSocketAddress) address = g_inet_socket_address_new (loopback, 0);
  g_autoptr (GSocketAddress) bound = NULL;
  g_autoptr (RhReadyCall) call = NULL;
  g_autoptr (GError) error = NULL;
  g_autofree char *base = NULL;
  g_autofree char *uri = NULL;
  Endless endless = { 0 };

  g_socket_listener_add_address (G_SOCKET_LISTENER (service), address, G_SOCKET_TYPE_STREAM,
                                 G_SOCKET_PROTOCOL_TCP, NULL, &bound, &error);
  g_assert_no_error (error);
  g_signal_connect (service, "run", G_CALLBACK (endless_reply_cb), &endless);
  base = g_strdup_printf ("http://127.0.0.1:%u",
                          g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
  uri = rh_ready_call_build_uri (base, NULL, "app", "room", NULL);
  call = rh_ready_call_new (fixture->session, uri);
  g_assert_false (send (fixture, call, 5, NULL, &error));
  g_assert_error (error, RH_READY_CALL_ERROR, RH_READY_CALL_ERROR_MALFORMED);
  g_assert_cmpuint (rh_ready_call_get_attempts (call), ==, 1);
  /* Socket buffers take a few MiB; reading it all would take 256. */
  g_assert_cmpint (g_atomic_int_get (&endless.chunks), <, 16 * 1024);
  /* The handler's thread uses @endless until the connection is gone. */
  soup_session_abort (fixture->session);
  g_assert_true (rh_test_wait_until (endless_finished, &endless, 30));
  g_socket_service_stop (service);
  g_socket_listener_close (G_SOCKET_LISTENER (service));
}

/* ---- answered in this process ---- */

#define IN_PROCESS_URI "http://127.0.0.1:1/edu/apps/a1/v2/rooms/r1/records/ready"

/* The answers an in-process cloud gives, one an attempt, the last again. */
typedef struct
{
  const char *name;
  guint statuses[3];
  const char *bodies[3];
  gboolean passes;
  guint attempts;
  int code;        /* in RH_READY_CALL_ERROR, when it fails */
} AnswerRow;

#define OK_BODY "{\"code\":0,\"msg\":\"Success\"}"

static const AnswerRow answer_rows[] = {
  { "success", { 200 }, { OK_BODY }, TRUE, 1 },
  { "503-then-success", { 503, 200 }, { "{\"code\":503}", OK_BODY }, TRUE, 2 },
  { "not-started", { 409 }, { "{\"code\":30409410,\"msg\":\"record not started\"}" }, FALSE,
    1, RH_READY_CALL_ERROR_HTTP },
  { "refused-envelope", { 200 }, { "{\"code\":7,\"msg\":\"no\"}" }, FALSE, 1,
    RH_READY_CALL_ERROR_REFUSED },
  { "not-json", { 200 }, { "ok" }, FALSE, 1, RH_READY_CALL_ERROR_MALFORMED },
};

typedef struct
{
  const AnswerRow *row;
  guint answered;
  char *uri;
} Answerer;

static GBytes *
answer (GObject *answerer, const char *uri, guint *status)
{
  Answerer *state = g_object_get_data (answerer, "state");
  guint i = MIN (state->answered, 2);

  while (i > 0 && state->row->statuses[i] == 0)
    i--;
  state->answered++;
  g_free (state->uri);
  state->uri = g_strdup (uri);
  *status = state->row->statuses[i];
  return g_bytes_new_static (state->row->bodies[i], strlen (state->row->bodies[i]));
}

/* The same replies, retries and errors as over HTTP, with no socket: the
 * cloud's own rooms. */
static void
test_in_process (Fixture *fixture, gconstpointer data)
{
  const AnswerRow *row = data;
  Answerer state = { row, 0, NULL };
  g_autoptr (GObject) answerer = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (RhReadyCall) call = NULL;
  g_autoptr (GError) error = NULL;
  gboolean passed;

  g_object_set_data (answerer, "state", &state);
  call = rh_ready_call_new_in_process (IN_PROCESS_URI, answerer, answer);
  passed = send (fixture, call, 10, NULL, &error);
  g_assert_cmpint (passed, ==, row->passes);
  if (!row->passes)
    g_assert_error (error, RH_READY_CALL_ERROR, row->code);
  g_assert_cmpuint (state.answered, ==, row->attempts);
  g_assert_cmpuint (rh_ready_call_get_attempts (call), ==, row->attempts);
  g_assert_cmpuint (fixture->attempts_seen, ==, row->attempts);
  g_assert_cmpstr (state.uri, ==, IN_PROCESS_URI);
  g_assert_cmpstr (rh_ready_call_get_uri (call), ==, IN_PROCESS_URI);
  g_free (state.uri);
}

/* The cloud that would answer is gone (a call outliving it): the call ends
 * at once, not at its deadline. */
static void
test_in_process_gone (Fixture *fixture, gconstpointer data)
{
  GObject *answerer = g_object_new (G_TYPE_OBJECT, NULL);
  g_autoptr (RhReadyCall) call = rh_ready_call_new_in_process (IN_PROCESS_URI, answerer, answer);
  g_autoptr (GError) error = NULL;
  gint64 start = g_get_monotonic_time ();

  g_object_unref (answerer);
  g_assert_false (send (fixture, call, 30, NULL, &error));
  g_assert_error (error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_cmpint (g_get_monotonic_time () - start, <, 10 * G_USEC_PER_SEC);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);

  for (guint i = 0; i < G_N_ELEMENTS (uri_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ready-call/uri/%s", uri_rows[i].name);

      g_test_add_data_func (path, &uri_rows[i], test_uri);
    }
  for (guint i = 0; i < G_N_ELEMENTS (reply_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ready-call/reply/%s", reply_rows[i].name);

      g_test_add_data_func (path, &reply_rows[i], test_reply);
    }
  for (guint i = 0; i < G_N_ELEMENTS (transient_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ready-call/transient/%s",
                                               transient_rows[i].name);

      g_test_add_data_func (path, &transient_rows[i], test_transient);
    }
  g_test_add_func ("/ready-call/uri-bad", test_uri_bad);
  g_test_add_func ("/ready-call/uri-dot-segments", test_uri_dot_segments);
  g_test_add_func ("/ready-call/reply-hostile", test_reply_hostile);
#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_setup, func, fixture_teardown)
  ADD ("/ready-call/send/request-shape", test_request_shape);
  ADD ("/ready-call/send/no-token-no-headers", test_no_token_no_headers);
  ADD ("/ready-call/send/final-answers", test_final_answers);
  ADD ("/ready-call/send/5xx-then-success", test_5xx_then_success);
  ADD ("/ready-call/send/5xx-until-deadline", test_5xx_until_deadline);
  ADD ("/ready-call/send/refused-retried", test_refused_retried);
  ADD ("/ready-call/send/cancel-during-backoff", test_cancel_during_backoff);
  ADD ("/ready-call/send/endless-reply", test_endless_reply);
  ADD ("/ready-call/in-process/gone", test_in_process_gone);
#undef ADD
  for (guint i = 0; i < G_N_ELEMENTS (answer_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ready-call/in-process/%s", answer_rows[i].name);

      g_test_add (path, Fixture, &answer_rows[i], fixture_setup, test_in_process,
                  fixture_teardown);
    }
  return g_test_run ();
}
