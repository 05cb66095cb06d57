/* The DevTools protocol's framing and dispatch, against a peer on two pipes
 * played by the test: what it writes, split and joined every way, and how
 * it goes away. */
#include <fcntl.h>
#include <glib-unix.h>
#include <signal.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "rh-cdp-connection.h"
#include "test-utils.h"

#define WAIT_S 10

typedef struct
{
  RhCdpConnection *connection;
  int peer_read;     /* the commands the connection writes */
  int peer_write;    /* what the peer answers; -1 once closed */
  int spare_read;    /* the connection's read end, kept to see what it left unread */
  GString *written;  /* what the peer read so far */
  GPtrArray *events; /* "method session params" */
  GError *closed;
  guint closed_count;
} Fixture;

/* A command's outcome. */
typedef struct
{
  GAsyncResult *result;
  JsonObject *answer;
  GError *error;
} Outcome;

static void
on_event (RhCdpConnection *connection, const char *method, JsonObject *params,
          const char *session_id, gpointer user_data)
{
  Fixture *fixture = user_data;
  g_autoptr (JsonNode) node = json_node_init_object (json_node_alloc (), params);
  g_autofree char *text = json_to_string (node, FALSE);

  g_ptr_array_add (fixture->events, g_strdup_printf ("%s %s %s", method,
                                                     session_id != NULL ? session_id : "-",
                                                     text));
}

static void
on_closed (RhCdpConnection *connection, const GError *error, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_assert_true (rh_cdp_connection_is_closed (connection));
  fixture->closed_count++;
  g_clear_error (&fixture->closed);
  fixture->closed = g_error_copy (error);
}

static void
fixture_set_up (Fixture *fixture, gconstpointer data)
{
  int to_peer[2];
  int from_peer[2];

  g_assert_true (g_unix_open_pipe (to_peer, FD_CLOEXEC, NULL));
  g_assert_true (g_unix_open_pipe (from_peer, FD_CLOEXEC, NULL));
  fixture->peer_read = to_peer[0];
  fixture->peer_write = from_peer[1];
  fixture->spare_read = dup (from_peer[0]);
  g_assert_cmpint (fixture->spare_read, >=, 0);
  g_assert_no_errno (fcntl (fixture->peer_read, F_SETFL, O_NONBLOCK));
  g_assert_no_errno (fcntl (fixture->spare_read, F_SETFL, O_NONBLOCK));
  fixture->connection = rh_cdp_connection_new (to_peer[1], from_peer[0]);
  fixture->written = g_string_new (NULL);
  fixture->events = g_ptr_array_new_with_free_func (g_free);
  g_signal_connect (fixture->connection, "event", G_CALLBACK (on_event), fixture);
  g_signal_connect (fixture->connection, "closed", G_CALLBACK (on_closed), fixture);
}

static void
fixture_tear_down (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->connection);
  close (fixture->peer_read);
  if (fixture->peer_write >= 0)
    close (fixture->peer_write);
  close (fixture->spare_read);
  g_string_free (fixture->written, TRUE);
  g_ptr_array_unref (fixture->events);
  g_clear_error (&fixture->closed);
}

static void
outcome_clear (Outcome *outcome)
{
  g_clear_object (&outcome->result);
  g_clear_pointer (&outcome->answer, json_object_unref);
  g_clear_error (&outcome->error);
}

static void
send_command (Fixture *fixture, const char *session_id, const char *method, JsonObject *params,
              GCancellable *cancellable, Outcome *outcome)
{
  rh_cdp_connection_send_async (fixture->connection, session_id, method, params, cancellable,
                                rh_test_async_cb, &outcome->result);
}

static gboolean
has_result (gpointer user_data)
{
  return *(GAsyncResult **) user_data != NULL;
}

/* Waits for @outcome's command to finish and reads what it came to. */
static void
finish (Fixture *fixture, Outcome *outcome)
{
  g_assert_true (rh_test_wait_until (has_result, &outcome->result, WAIT_S));
  outcome->answer = rh_cdp_connection_send_finish (fixture->connection, outcome->result,
                                                   &outcome->error);
  g_assert_true ((outcome->answer == NULL) != (outcome->error == NULL));
}

/* Runs the main loop until the connection read all the peer wrote. */
static void
drain (Fixture *fixture)
{
  gint64 deadline_us = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  int unread = 1;

  while (unread > 0 && !rh_cdp_connection_is_closed (fixture->connection))
    {
      g_assert_cmpint (g_get_monotonic_time (), <, deadline_us);
      g_main_context_iteration (NULL, FALSE);
      g_assert_no_errno (ioctl (fixture->spare_read, FIONREAD, &unread));
    }
}

static void
peer_write (Fixture *fixture, const char *data, gsize length)
{
  while (length > 0)
    {
      gssize written = write (fixture->peer_write, data, length);

      g_assert_cmpint (written, >, 0);
      data += written;
      length -= written;
    }
}

/* A literal holding its NULs, written whole. */
#define PEER_WRITE_LITERAL(fixture, literal) peer_write ((fixture), (literal), sizeof (literal) - 1)

/* Whatever the connection wrote since, added to what the peer read. */
static void
peer_read (Fixture *fixture)
{
  char buffer[4096];
  gssize got;

  while ((got = read (fixture->peer_read, buffer, sizeof buffer)) > 0)
    g_string_append_len (fixture->written, buffer, got);
}

/* Runs the main loop until the peer has read @count commands; returns them. */
static GPtrArray *
peer_read_commands (Fixture *fixture, guint count)
{
  gint64 deadline_us = g_get_monotonic_time () + WAIT_S * G_USEC_PER_SEC;
  GPtrArray *commands = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  const char *start;
  const char *end;

  for (;;)
    {
      guint nuls = 0;

      peer_read (fixture);
      for (gsize i = 0; i < fixture->written->len; i++)
        nuls += fixture->written->str[i] == '\0';
      if (nuls >= count)
        break;
      g_assert_cmpint (g_get_monotonic_time (), <, deadline_us);
      g_main_context_iteration (NULL, FALSE);
      g_usleep (1000);
    }
  start = fixture->written->str;
  end = fixture->written->str + fixture->written->len;
  while (start < end)
    {
      g_autoptr (JsonNode) node = rh_test_parse_json (start);

      g_assert_true (JSON_NODE_HOLDS_OBJECT (node));
      g_ptr_array_add (commands, json_object_ref (json_node_get_object (node)));
      start += strlen (start) + 1;
    }
  g_string_truncate (fixture->written, 0);
  return commands;
}

/* The framing cases: what the peer writes, as pieces ('^' between two
 * writes, '~' a NUL byte), after the connection sent commands 1..commands;
 * what each command comes to and the events it saw. */
typedef struct
{
  const char *name;
  guint commands;
  const char *stream;
  gboolean bytewise; /* each byte a write of its own */
  gboolean peer_closes;
  const char *outcomes[3]; /* a result's value, "protocol N", or an RhCdpError's name */
  const char *events;      /* "method session params", ';' between */
  const char *closed;      /* an RhCdpError's name; NULL while open */
} FramingCase;

static const FramingCase framing_cases[] = {
  { "one-in-many-writes", 1, "{\"id\":1,\"result\":{\"value\":\"a\"}}~", TRUE, FALSE, { "a" },
    "", NULL },
  { "many-in-one-write", 3,
    "{\"id\":1,\"result\":{\"value\":\"a\"}}~{\"method\":\"E.one\",\"params\":{\"n\":1}}~"
    "{\"id\":2,\"result\":{\"value\":\"b\"}}~{\"id\":3,\"result\":{\"value\":\"c\"}}~",
    FALSE, FALSE, { "a", "b", "c" }, "E.one - {\"n\":1}", NULL },
  { "split-at-nul", 2,
    "{\"id\":1,\"result\":{\"value\":\"a\"}}^~^{\"id\":2,\"result\":{\"value\":\"b\"}}^~",
    FALSE, FALSE, { "a", "b" }, "", NULL },
  { "interleaved-out-of-order", 3,
    "{\"id\":3,\"result\":{\"value\":\"c\"}}~{\"method\":\"E.one\",\"sessionId\":\"S1\","
    "\"params\":{}}~^{\"id\":1,\"result\":{\"value\":\"a\"},\"sessionId\":\"S1\"}~"
    "{\"method\":\"E.two\"}~{\"id\":2,\"result\":{\"value\":\"b\"}}~",
    FALSE, FALSE, { "a", "b", "c" }, "E.one S1 {};E.two - {}", NULL },
  { "error-answer", 2,
    "{\"id\":1,\"error\":{\"code\":-32601,\"message\":\"'Nope.nope' wasn't found\"}}~"
    "{\"id\":2,\"result\":{\"value\":\"b\"}}~",
    FALSE, FALSE, { "protocol -32601", "b" }, "", NULL },
  { "unknown-id", 1,
    "{\"id\":99,\"result\":{\"value\":\"z\"}}~{\"id\":1,\"result\":{\"value\":\"a\"}}~", FALSE,
    FALSE, { "a" }, "", NULL },
  { "invalid-json", 2, "{\"id\":1,\"result\":{\"value\":\"a\"}}~{\"id\":2,~", FALSE, FALSE,
    { "a", "malformed" }, "", "malformed" },
  /* A page's lone surrogate, as Chromium writes it: the message is kept. */
  { "not-utf8", 2,
    "{\"method\":\"E.one\",\"params\":{\"s\":\"\xed\xa0\x80!\"}}~"
    "{\"id\":1,\"result\":{\"value\":\"a\xed\xa0\x80\"}}~"
    "{\"id\":2,\"result\":{\"value\":\"b\"}}~",
    FALSE, FALSE, { "a\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd", "b" },
    "E.one - {\"s\":\"\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd!\"}", NULL },
  { "lone-surrogate-escape", 2,
    "{\"method\":\"E.one\",\"params\":{\"s\":\"\\ud800\"}}~"
    "{\"id\":1,\"result\":{\"value\":\"\\ud83d\\ude00\\udc00\"}}~"
    "{\"id\":2,\"result\":{\"value\":\"b\"}}~",
    FALSE, FALSE, { "\xf0\x9f\x98\x80\xef\xbf\xbd", "b" }, "E.one - {\"s\":\"\xef\xbf\xbd\"}",
    NULL },
  { "not-an-object", 1, "[1,2]~", FALSE, FALSE, { "malformed" }, "", "malformed" },
  { "neither-id-nor-method", 1, "{\"params\":{}}~", FALSE, FALSE, { "malformed" }, "",
    "malformed" },
  { "closed-mid-message", 2, "{\"id\":1,\"result\":{\"value\":\"a\"}}~{\"id\":2,\"res", FALSE,
    TRUE, { "a", "truncated" }, "", "truncated" },
  { "closed-with-pending", 3, "{\"id\":2,\"result\":{\"value\":\"b\"}}~", FALSE, TRUE,
    { "closed", "b", "closed" }, "", "closed" },
};

static const char *
cdp_error_name (int code)
{
  switch (code)
    {
    case RH_CDP_ERROR_CLOSED:
      return "closed";
    case RH_CDP_ERROR_TRUNCATED:
      return "truncated";
    case RH_CDP_ERROR_IO:
      return "io";
    case RH_CDP_ERROR_MALFORMED:
      return "malformed";
    case RH_CDP_ERROR_TOO_LARGE:
      return "too-large";
    default:
      return "?";
    }
}

static char *
describe (const Outcome *outcome)
{
  if (outcome->answer != NULL)
    return g_strdup (json_object_get_string_member_with_default (outcome->answer, "value", "?"));
  if (outcome->error->domain == RH_CDP_PROTOCOL_ERROR)
    return g_strdup_printf ("protocol %d", outcome->error->code);
  if (outcome->error->domain == RH_CDP_ERROR)
    return g_strdup (cdp_error_name (outcome->error->code));
  return g_strdup (outcome->error->message);
}

static gboolean
is_closed (gpointer user_data)
{
  return rh_cdp_connection_is_closed (user_data);
}

static void
test_framing (Fixture *fixture, gconstpointer data)
{
  const FramingCase *row = data;
  g_auto (GStrv) pieces = g_strsplit (row->stream, "^", -1);
  g_autoptr (GPtrArray) commands = NULL;
  g_autofree char *events = NULL;
  Outcome outcomes[3] = { 0 };

  for (guint i = 0; i < row->commands; i++)
    send_command (fixture, NULL, "Test.echo", NULL, NULL, &outcomes[i]);
  commands = peer_read_commands (fixture, row->commands);
  g_assert_cmpuint (commands->len, ==, row->commands);
  for (char **piece = pieces; *piece != NULL; piece++)
    {
      g_autofree char *bytes = g_strdup (*piece);
      gsize length = strlen (bytes);

      g_strdelimit (bytes, "~", '\0');
      for (gsize i = 0; i < length; i += row->bytewise ? 1 : length)
        {
          peer_write (fixture, bytes + i, row->bytewise ? 1 : length);
          drain (fixture);
        }
    }
  if (row->peer_closes)
    {
      close (fixture->peer_write);
      fixture->peer_write = -1;
    }
  for (guint i = 0; i < row->commands; i++)
    {
      g_autofree char *seen = NULL;

      finish (fixture, &outcomes[i]);
      seen = describe (&outcomes[i]);
      g_assert_cmpstr (seen, ==, row->outcomes[i]);
    }
  if (row->closed != NULL)
    {
      g_assert_true (rh_test_wait_until (is_closed, fixture->connection, WAIT_S));
      g_assert_cmpuint (fixture->closed_count, ==, 1);
      g_assert_cmpstr (cdp_error_name (fixture->closed->code), ==, row->closed);
      g_assert_true (fixture->closed->domain == RH_CDP_ERROR);
      g_assert_null (strchr (fixture->closed->message, '\n'));
    }
  else
    {
      g_assert_false (rh_cdp_connection_is_closed (fixture->connection));
      g_assert_cmpuint (fixture->closed_count, ==, 0);
    }
  g_ptr_array_add (fixture->events, NULL);
  events = g_strjoinv (";", (char **) fixture->events->pdata);
  g_assert_cmpstr (events, ==, row->events);
  for (guint i = 0; i < row->commands; i++)
    outcome_clear (&outcomes[i]);
}

/* What goes out: one JSON object a command, ended by a NUL, ids one up
 * from 1 in the order sent, params and session as given. */
static void
test_commands (Fixture *fixture, gconstpointer data)
{
  g_autoptr (JsonObject) params = json_object_new ();
  g_autoptr (GPtrArray) commands = NULL;
  Outcome first = { 0 };
  Outcome second = { 0 };
  JsonObject *command;

  json_object_set_string_member (params, "expression", "1+1");
  send_command (fixture, NULL, "Browser.getVersion", NULL, NULL, &first);
  send_command (fixture, "S1", "Runtime.evaluate", params, NULL, &second);
  commands = peer_read_commands (fixture, 2);
  g_assert_cmpuint (commands->len, ==, 2);
  command = commands->pdata[0];
  g_assert_cmpint (json_object_get_int_member (command, "id"), ==, 1);
  g_assert_cmpstr (json_object_get_string_member (command, "method"), ==, "Browser.getVersion");
  g_assert_false (json_object_has_member (command, "sessionId"));
  g_assert_false (json_object_has_member (command, "params"));
  command = commands->pdata[1];
  g_assert_cmpint (json_object_get_int_member (command, "id"), ==, 2);
  g_assert_cmpstr (json_object_get_string_member (command, "sessionId"), ==, "S1");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (command,
                                                                                 "params"),
                                                  "expression"),
                   ==, "1+1");
  PEER_WRITE_LITERAL (fixture, "{\"id\":2,\"result\":{\"value\":\"two\"}}\0");
  finish (fixture, &second);
  g_assert_cmpstr (json_object_get_string_member (second.answer, "value"), ==, "two");
  g_assert_null (first.result);
  outcome_clear (&second);
  rh_cdp_connection_close (fixture->connection, NULL);
  finish (fixture, &first);
  g_assert_error (first.error, RH_CDP_ERROR, RH_CDP_ERROR_CLOSED);
  outcome_clear (&first);
}

/* A message of exactly the limit passes; one byte more closes the
 * connection, and it never read more than the limit and its NUL of it. */
static void
test_limit (Fixture *fixture, gconstpointer data)
{
  const char *head = "{\"id\":1,\"result\":{\"value\":\"";
  const char *tail = "\"}}";
  const gsize limit = 64;
  g_autoptr (GString) message = g_string_new (head);
  g_autofree char *junk = g_strnfill (10 * limit, 'x');
  Outcome first = { 0 };
  Outcome second = { 0 };
  char rest[16 * 64];
  gssize unread;

  rh_cdp_connection_set_max_message_size (fixture->connection, limit);
  send_command (fixture, NULL, "Test.echo", NULL, NULL, &first);
  send_command (fixture, NULL, "Test.echo", NULL, NULL, &second);
  g_ptr_array_unref (peer_read_commands (fixture, 2));
  while (message->len + strlen (tail) < limit)
    g_string_append_c (message, 'a');
  g_string_append (message, tail);
  g_assert_cmpuint (message->len, ==, limit);
  peer_write (fixture, message->str, message->len + 1);
  finish (fixture, &first);
  g_assert_no_error (first.error);
  g_assert_cmpuint (strlen (json_object_get_string_member (first.answer, "value")), ==,
                    limit - strlen (head) - strlen (tail));

  peer_write (fixture, junk, strlen (junk));
  finish (fixture, &second);
  g_assert_error (second.error, RH_CDP_ERROR, RH_CDP_ERROR_TOO_LARGE);
  g_assert_nonnull (strstr (second.error->message, "larger than the limit of 64 bytes"));
  g_assert_error (fixture->closed, RH_CDP_ERROR, RH_CDP_ERROR_TOO_LARGE);
  unread = read (fixture->spare_read, rest, sizeof rest);
  g_assert_cmpint (unread, >=, (gssize) (strlen (junk) - (limit + 1)));
  outcome_clear (&first);
  outcome_clear (&second);
}

/* A cancelled command fails at once; its answer, when it comes, is dropped
 * and the connection goes on. */
static void
test_cancelled (Fixture *fixture, gconstpointer data)
{
  g_autoptr (GCancellable) cancellable = g_cancellable_new ();
  Outcome first = { 0 };
  Outcome second = { 0 };
  Outcome late = { 0 };

  send_command (fixture, NULL, "Test.slow", NULL, cancellable, &first);
  send_command (fixture, NULL, "Test.echo", NULL, NULL, &second);
  g_ptr_array_unref (peer_read_commands (fixture, 2));
  g_cancellable_cancel (cancellable);
  finish (fixture, &first);
  g_assert_error (first.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);
  g_assert_null (second.result);

  send_command (fixture, NULL, "Test.after", NULL, cancellable, &late);
  finish (fixture, &late);
  g_assert_error (late.error, G_IO_ERROR, G_IO_ERROR_CANCELLED);

  PEER_WRITE_LITERAL (fixture, "{\"id\":1,\"result\":{\"value\":\"a\"}}\0");
  PEER_WRITE_LITERAL (fixture, "{\"id\":2,\"result\":{\"value\":\"b\"}}\0");
  finish (fixture, &second);
  g_assert_cmpstr (json_object_get_string_member (second.answer, "value"), ==, "b");
  g_assert_false (rh_cdp_connection_is_closed (fixture->connection));
  outcome_clear (&first);
  outcome_clear (&second);
  outcome_clear (&late);
}

/* After it closed, a command fails at once with the same error, and
 * "closed" is not emitted again. */
static void
test_after_close (Fixture *fixture, gconstpointer data)
{
  Outcome pending = { 0 };
  Outcome later = { 0 };

  send_command (fixture, NULL, "Test.echo", NULL, NULL, &pending);
  g_ptr_array_unref (peer_read_commands (fixture, 1));
  close (fixture->peer_write);
  fixture->peer_write = -1;
  finish (fixture, &pending);
  g_assert_error (pending.error, RH_CDP_ERROR, RH_CDP_ERROR_CLOSED);
  g_assert_cmpstr (pending.error->message, ==, "the peer closed the connection");

  send_command (fixture, NULL, "Test.echo", NULL, NULL, &later);
  finish (fixture, &later);
  g_assert_error (later.error, RH_CDP_ERROR, RH_CDP_ERROR_CLOSED);
  g_assert_cmpstr (later.error->message, ==, pending.error->message);
  rh_cdp_connection_close (fixture->connection, NULL);
  g_assert_cmpuint (fixture->closed_count, ==, 1);
  outcome_clear (&pending);
  outcome_clear (&later);
}

/* A peer that stopped reading: the write fails (EPIPE) and closes the
 * connection, and this process lives on, whatever SIGPIPE does. */
static void
test_peer_gone (Fixture *fixture, gconstpointer data)
{
  Outcome outcome = { 0 };
  void (*old_handler) (int) = signal (SIGPIPE, SIG_DFL);

  close (fixture->peer_read);
  fixture->peer_read = open ("/dev/null", O_RDONLY | O_CLOEXEC);
  send_command (fixture, NULL, "Test.echo", NULL, NULL, &outcome);
  finish (fixture, &outcome);
  g_assert_error (outcome.error, RH_CDP_ERROR, RH_CDP_ERROR_IO);
  g_assert_nonnull (strstr (outcome.error->message, "writing to the peer"));
  g_assert_error (fixture->closed, RH_CDP_ERROR, RH_CDP_ERROR_IO);
  signal (SIGPIPE, old_handler);
  outcome_clear (&outcome);
}

/* The event signal's detail is the method. */
static void
count_event (RhCdpConnection *connection, const char *method, JsonObject *params,
             const char *session_id, gpointer user_data)
{
  (*(guint *) user_data)++;
}

static void
test_event_detail (Fixture *fixture, gconstpointer data)
{
  guint count = 0;

  g_signal_connect (fixture->connection, "event::Page.loadEventFired", G_CALLBACK (count_event),
                    &count);
  PEER_WRITE_LITERAL (fixture,
                      "{\"method\":\"Page.loadEventFired\",\"params\":{\"timestamp\":1}}\0"
                      "{\"method\":\"Page.other\"}\0");
  drain (fixture);
  g_assert_cmpuint (fixture->events->len, ==, 2);
  g_assert_cmpuint (count, ==, 1);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);

  for (gsize i = 0; i < G_N_ELEMENTS (framing_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cdp-connection/framing/%s",
                                               framing_cases[i].name);

      g_test_add (path, Fixture, &framing_cases[i], fixture_set_up, test_framing,
                  fixture_tear_down);
    }
  g_test_add ("/cdp-connection/commands", Fixture, NULL, fixture_set_up, test_commands,
              fixture_tear_down);
  g_test_add ("/cdp-connection/limit", Fixture, NULL, fixture_set_up, test_limit,
              fixture_tear_down);
  g_test_add ("/cdp-connection/cancelled", Fixture, NULL, fixture_set_up, test_cancelled,
              fixture_tear_down);
  g_test_add ("/cdp-connection/after-close", Fixture, NULL, fixture_set_up, test_after_close,
              fixture_tear_down);
  g_test_add ("/cdp-connection/peer-gone", Fixture, NULL, fixture_set_up, test_peer_gone,
              fixture_tear_down);
  g_test_add ("/cdp-connection/event-detail", Fixture, NULL, fixture_set_up, test_event_detail,
              fixture_tear_down);
  return g_test_run ();
}
