/* Which bridge messages count as ready under each --ready protocol. */
#include "rh-bridge.h"
#include "rh-error.h"
#include "rh-ready-protocol.h"
#include "test-utils.h"

typedef struct
{
  const char *message;
  gboolean event1;
  gboolean whiteboard;
  gboolean notify;
  gboolean console; /* console:START_RECORDING */
} MatchRow;

static const MatchRow match_rows[] = {
  { "{\"kind\":\"event\",\"event\":1,\"args\":null}", TRUE, FALSE, FALSE, FALSE },
  { "{\"kind\":\"event\",\"event\":1.0}", TRUE, FALSE, FALSE, FALSE },
  { "{\"kind\":\"event\",\"event\":\"1\"}", TRUE, FALSE, FALSE, FALSE },
  { "{\"kind\":\"event\",\"event\":1,\"args\":{\"type\":\"whiteboard\"}}", TRUE, TRUE, FALSE,
    FALSE },
  { "{\"kind\":\"event\",\"event\":1,\"args\":{\"type\":\"chat\"}}", TRUE, FALSE, FALSE, FALSE },
  { "{\"kind\":\"event\",\"event\":1,\"args\":\"whiteboard\"}", TRUE, FALSE, FALSE, FALSE },
  { "{\"kind\":\"event\",\"event\":2,\"args\":{\"type\":\"whiteboard\"}}", FALSE, FALSE, FALSE,
    FALSE },
  { "{\"kind\":\"event\",\"event\":101}", FALSE, FALSE, FALSE, FALSE },
  { "{\"kind\":\"event\",\"event\":\"1x\"}", FALSE, FALSE, FALSE, FALSE },
  { "{\"kind\":\"event\"}", FALSE, FALSE, FALSE, FALSE },
  { "{\"kind\":\"notify\"}", FALSE, FALSE, TRUE, FALSE },
  { "{\"kind\":\"console\",\"level\":\"log\",\"text\":\"START_RECORDING\"}", FALSE, FALSE, FALSE,
    TRUE },
  { "{\"kind\":\"console\",\"level\":\"log\",\"text\":\"START_RECORDING now\"}", FALSE, FALSE,
    FALSE, FALSE },
  { "{\"kind\":\"launch\",\"event\":1}", FALSE, FALSE, FALSE, FALSE },
};

static void
test_matches (void)
{
  g_autoptr (RhReadyProtocol) event1 = rh_ready_protocol_parse ("event1", NULL);
  g_autoptr (RhReadyProtocol) whiteboard = rh_ready_protocol_parse ("whiteboard", NULL);
  g_autoptr (RhReadyProtocol) notify = rh_ready_protocol_parse ("notify", NULL);
  g_autoptr (RhReadyProtocol) console = rh_ready_protocol_parse ("console:START_RECORDING", NULL);

  for (guint i = 0; i < G_N_ELEMENTS (match_rows); i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonObject) message = rh_bridge_message_parse (match_rows[i].message, &error);

      g_test_message ("%s", match_rows[i].message);
      g_assert_no_error (error);
      g_assert_cmpint (rh_ready_protocol_matches (event1, message), ==, match_rows[i].event1);
      g_assert_cmpint (rh_ready_protocol_matches (whiteboard, message), ==,
                       match_rows[i].whiteboard);
      g_assert_cmpint (rh_ready_protocol_matches (notify, message), ==, match_rows[i].notify);
      g_assert_cmpint (rh_ready_protocol_matches (console, message), ==, match_rows[i].console);
    }
}

static void
test_parse_bad (void)
{
  static const char *const bad[] = { "", "event2", "console:", "Event1", "console", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (RhReadyProtocol) protocol = rh_ready_protocol_parse (bad[i], &error);

      g_assert_null (protocol);
      g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
    }
}

static void
test_console_text_kept (void)
{
  g_autoptr (RhReadyProtocol) protocol = rh_ready_protocol_parse ("console:a:b c", NULL);

  g_assert_cmpint (protocol->kind, ==, RH_READY_PROTOCOL_CONSOLE);
  g_assert_cmpstr (protocol->console_text, ==, "a:b c");
}

static void
test_bridge_message_bad (void)
{
  static const char *const bad[] = { "", "[]", "{}", "{\"kind\":1}", "not json", "\"x\"", NULL };

  for (guint i = 0; bad[i] != NULL; i++)
    {
      g_autoptr (GError) error = NULL;
      g_autoptr (JsonObject) message = rh_bridge_message_parse (bad[i], &error);

      g_assert_null (message);
      g_assert_nonnull (error);
    }
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/ready-protocol/matches", test_matches);
  g_test_add_func ("/ready-protocol/parse-bad", test_parse_bad);
  g_test_add_func ("/ready-protocol/console-text-kept", test_console_text_kept);
  g_test_add_func ("/ready-protocol/bridge-message-bad", test_bridge_message_bad);
  return g_test_run ();
}
