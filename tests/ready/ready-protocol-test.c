/* Which bridge messages count as ready under each --ready protocol. */
#include "rh-bridge.h"
#include "rh-error.h"
#include "rh-ready-protocol.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *message;
  gboolean event1;
  gboolean whiteboard;
  gboolean notify;
  gboolean console; /* console:START_RECORDING */
} MatchRow;

static const MatchRow match_rows[] = {
  { "event1", "{\"kind\":\"event\",\"event\":1,\"args\":null}", TRUE, FALSE, FALSE, FALSE },
  { "event1-double", "{\"kind\":\"event\",\"event\":1.0}", TRUE, FALSE, FALSE, FALSE },
  { "event1-string", "{\"kind\":\"event\",\"event\":\"1\"}", TRUE, FALSE, FALSE, FALSE },
  { "event1-whiteboard", "{\"kind\":\"event\",\"event\":1,\"args\":{\"type\":\"whiteboard\"}}",
    TRUE, TRUE, FALSE, FALSE },
  { "event1-chat", "{\"kind\":\"event\",\"event\":1,\"args\":{\"type\":\"chat\"}}", TRUE,
    FALSE, FALSE, FALSE },
  { "event1-args-string", "{\"kind\":\"event\",\"event\":1,\"args\":\"whiteboard\"}", TRUE,
    FALSE, FALSE, FALSE },
  { "event2-whiteboard", "{\"kind\":\"event\",\"event\":2,\"args\":{\"type\":\"whiteboard\"}}",
    FALSE, FALSE, FALSE, FALSE },
  { "event101", "{\"kind\":\"event\",\"event\":101}", FALSE, FALSE, FALSE, FALSE },
  { "event-1x", "{\"kind\":\"event\",\"event\":\"1x\"}", FALSE, FALSE, FALSE, FALSE },
  { "event-none", "{\"kind\":\"event\"}", FALSE, FALSE, FALSE, FALSE },
  { "notify", "{\"kind\":\"notify\"}", FALSE, FALSE, TRUE, FALSE },
  { "console", "{\"kind\":\"console\",\"level\":\"log\",\"text\":\"START_RECORDING\"}", FALSE,
    FALSE, FALSE, TRUE },
  { "console-more", "{\"kind\":\"console\",\"level\":\"log\",\"text\":\"START_RECORDING now\"}",
    FALSE, FALSE, FALSE, FALSE },
  { "launch-event1", "{\"kind\":\"launch\",\"event\":1}", FALSE, FALSE, FALSE, FALSE },
};

static void
test_matches (gconstpointer data)
{
  const MatchRow *row = data;
  g_autoptr (RhReadyProtocol) event1 = rh_ready_protocol_parse ("event1", NULL);
  g_autoptr (RhReadyProtocol) whiteboard = rh_ready_protocol_parse ("whiteboard", NULL);
  g_autoptr (RhReadyProtocol) notify = rh_ready_protocol_parse ("notify", NULL);
  g_autoptr (RhReadyProtocol) console = rh_ready_protocol_parse ("console:START_RECORDING", NULL);
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = rh_bridge_message_parse (row->message, &error);

  g_test_message ("%s", row->message);
  g_assert_no_error (error);
  g_assert_cmpint (rh_ready_protocol_matches (event1, message), ==, row->event1);
  g_assert_cmpint (rh_ready_protocol_matches (whiteboard, message), ==, row->whiteboard);
  g_assert_cmpint (rh_ready_protocol_matches (notify, message), ==, row->notify);
  g_assert_cmpint (rh_ready_protocol_matches (console, message), ==, row->console);
}

typedef struct
{
  const char *name;
  const char *text;
} BadRow;

static const BadRow bad_spec_rows[] = {
  { "empty", "" },
  { "event2", "event2" },
  { "console-no-text", "console:" },
  { "upper-case", "Event1" },
  { "console-no-colon", "console" },
};

static void
test_parse_bad (gconstpointer data)
{
  const BadRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhReadyProtocol) protocol = rh_ready_protocol_parse (row->text, &error);

  g_assert_null (protocol);
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
}

static void
test_console_text_kept (void)
{
  g_autoptr (RhReadyProtocol) protocol = rh_ready_protocol_parse ("console:a:b c", NULL);

  g_assert_cmpint (protocol->kind, ==, RH_READY_PROTOCOL_CONSOLE);
  g_assert_cmpstr (protocol->console_text, ==, "a:b c");
}

static const BadRow bad_message_rows[] = {
  { "empty", "" },
  { "array", "[]" },
  { "no-kind", "{}" },
  { "kind-number", "{\"kind\":1}" },
  { "not-json", "not json" },
  { "string", "\"x\"" },
};

static void
test_bridge_message_bad (gconstpointer data)
{
  const BadRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonObject) message = rh_bridge_message_parse (row->text, &error);

  g_assert_null (message);
  g_assert_nonnull (error);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (match_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ready-protocol/matches/%s", match_rows[i].name);

      g_test_add_data_func (path, &match_rows[i], test_matches);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_spec_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ready-protocol/parse-bad/%s",
                                               bad_spec_rows[i].name);

      g_test_add_data_func (path, &bad_spec_rows[i], test_parse_bad);
    }
  for (guint i = 0; i < G_N_ELEMENTS (bad_message_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/ready-protocol/bridge-message-bad/%s",
                                               bad_message_rows[i].name);

      g_test_add_data_func (path, &bad_message_rows[i], test_bridge_message_bad);
    }
  g_test_add_func ("/ready-protocol/console-text-kept", test_console_text_kept);
  return g_test_run ();
}
