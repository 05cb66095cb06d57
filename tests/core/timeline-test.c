/* Timeline entries and the redaction of secrets. */
#include <string.h>

#include "rh-timeline.h"
#include "test-utils.h"

static void
test_redact (void)
{
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autofree char *plain = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *untouched = NULL;

  rh_timeline_add_secret (timeline, "s3cr+t/x");
  rh_timeline_add_secret (timeline, NULL);
  rh_timeline_add_secret (timeline, "");
  plain = rh_timeline_redact (timeline, "token=s3cr+t/x and again s3cr+t/x");
  escaped = rh_timeline_redact (timeline, "?rtmToken=s3cr%2Bt%2Fx&x=1");
  untouched = rh_timeline_redact (timeline, "nothing here");
  g_assert_cmpstr (plain, ==, "token=[REDACTED] and again [REDACTED]");
  g_assert_cmpstr (escaped, ==, "?rtmToken=[REDACTED]&x=1");
  g_assert_cmpstr (untouched, ==, "nothing here");
}

static void
test_entries_redacted (void)
{
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  g_autofree char *text = NULL;
  JsonNode *detail;

  rh_timeline_add_secret (timeline, "tok123");
  json_parser_load_from_data (parser, "{\"kind\":\"console\",\"text\":[\"tok123\",{\"a\":\"xtok123\"}]}",
                              -1, NULL);
  detail = json_node_copy (json_parser_get_root (parser));
  rh_timeline_add (timeline, "console", detail, "console.log: %s", "tok123");
  rh_timeline_add (timeline, "other", NULL, "plain");
  /* A message of a kind the bridge does not know is an event of that type:
   * the page names it. */
  rh_timeline_add (timeline, "xtok123", NULL, "bridge: xtok123");
  g_assert_cmpuint (rh_timeline_count (timeline, "console"), ==, 1);
  g_assert_cmpuint (rh_timeline_count (timeline, "missing"), ==, 0);

  json = rh_timeline_to_json (timeline);
  text = json_to_string (json, FALSE);
  g_assert_null (strstr (text, "tok123"));
  g_assert_nonnull (strstr (text, "console.log: [REDACTED]"));
  g_assert_nonnull (strstr (text, "x[REDACTED]"));
  g_assert_cmpuint (json_array_get_length (json_node_get_array (json)), ==, 3);
}

/* A detail holding a number json-glib writes as no JSON (1e+21.0) is kept. */
static void
test_detail_with_big_number (void)
{
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autoptr (JsonNode) json = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  JsonObject *entry;
  JsonObject *detail;

  rh_timeline_add_secret (timeline, "tok123");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "big");
  json_builder_add_double_value (builder, 1e21);
  json_builder_end_object (builder);
  rh_timeline_add (timeline, "listener-event", json_builder_get_root (builder), "event");
  json = rh_timeline_to_json (timeline);
  entry = json_array_get_object_element (json_node_get_array (json), 0);
  g_assert_true (json_object_has_member (entry, "detail"));
  detail = json_object_get_object_member (entry, "detail");
  g_assert_cmpfloat (json_object_get_double_member (detail, "big"), ==, 1e21);
}

/* The token in one form, in text and in a detail's strings and member
 * names: redacted whole, or, when other data shares its base64, all but a
 * few characters of that data. */
static void
test_redact_form (gconstpointer data)
{
  const RhTestTokenForm *row = data;
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autofree char *form = rh_test_token_form (RH_TEST_TOKEN, row->name);
  g_autofree char *text = g_strconcat ("before ", form, " after", NULL);
  g_autofree char *redacted = NULL;
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (JsonNode) detail = NULL;
  g_autoptr (JsonNode) clean = NULL;
  g_autofree char *clean_text = NULL;

  rh_timeline_add_secret (timeline, RH_TEST_TOKEN);
  redacted = rh_timeline_redact (timeline, text);
  g_test_message ("%s -> %s", text, redacted);
  if (row->whole)
    g_assert_cmpstr (redacted, ==, "before [REDACTED] after");
  else
    {
      g_assert_nonnull (strstr (redacted, "[REDACTED]"));
      g_assert_cmpuint (strlen (redacted), <=, strlen ("before [REDACTED] after") + 8);
    }

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "text");
  json_builder_add_string_value (builder, text);
  json_builder_set_member_name (builder, form);
  json_builder_begin_array (builder);
  json_builder_add_string_value (builder, form);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
  detail = json_builder_get_root (builder);
  clean = rh_timeline_redact_json (timeline, detail);
  clean_text = json_to_string (clean, FALSE);
  g_test_message ("%s", clean_text);
  g_assert_null (strstr (clean_text, form));
  g_assert_null (strstr (clean_text, "SEKRET"));
  if (row->whole)
    g_assert_cmpstr (clean_text, ==,
                     "{\"text\":\"before [REDACTED] after\",\"[REDACTED]\":[\"[REDACTED]\"]}");
}

/* Secrets too short for their base64 to be told from other text are
 * redacted as they are, not as base64 fragments. */
static void
test_redact_short_secret (void)
{
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  g_autofree char *redacted = NULL;

  rh_timeline_add_secret (timeline, "pw");
  redacted = rh_timeline_redact (timeline, "cHc= pw p%77 cA");
  g_assert_cmpstr (redacted, ==, "cHc= [REDACTED] [REDACTED] cA");
}

static void
test_times_monotonic (void)
{
  g_autoptr (RhTimeline) timeline = rh_timeline_new ();
  gint64 start_us = g_get_monotonic_time ();

  rh_timeline_start (timeline);
  g_assert_cmpint (rh_timeline_ms_since_start (timeline, start_us + 250000), >=, 249);
  g_assert_cmpint (rh_timeline_ms_since_start (timeline, start_us + 250000), <=, 250);
  g_assert_cmpint (rh_timeline_now_ms (timeline), >=, 0);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/timeline/redact", test_redact);
  for (guint i = 0; rh_test_token_forms[i].name != NULL; i++)
    {
      g_autofree char *path = g_strdup_printf ("/timeline/redact-form/%s",
                                               rh_test_token_forms[i].name);

      g_test_add_data_func (path, &rh_test_token_forms[i], test_redact_form);
    }
  g_test_add_func ("/timeline/redact-short-secret", test_redact_short_secret);
  g_test_add_func ("/timeline/entries-redacted", test_entries_redacted);
  g_test_add_func ("/timeline/detail-with-big-number", test_detail_with_big_number);
  g_test_add_func ("/timeline/times-monotonic", test_times_monotonic);
  return g_test_run ();
}
