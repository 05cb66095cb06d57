/* What a cloud record says of its page, made from outcomes directly: each
 * attempt's times, problems and cause, and the bounds that keep it small. */
#include <string.h>

#include "rh-problems.h"
#include "rh-record-page.h"
#include "test-utils.h"

static void
problem_free (RhProblem *problem)
{
  g_free (problem->message);
  g_free (problem);
}

/* @count problems whose messages are @message. */
static GPtrArray *
problems_new (guint count, const char *message)
{
  GPtrArray *problems = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);

  for (guint i = 0; i < count; i++)
    {
      RhProblem *problem = g_new0 (RhProblem, 1);

      problem->code = "ready-timeout";
      problem->severity = RH_SEVERITY_ERROR;
      problem->message = g_strdup (message);
      g_ptr_array_add (problems, problem);
    }
  return problems;
}

static JsonArray *
parse_attempts (RhRecordPage *page, JsonParser *parser)
{
  g_assert_true (json_parser_load_from_data (parser, rh_record_page_get_json (page), -1, NULL));
  return json_object_get_array_member (json_node_get_object (json_parser_get_root (parser)),
                                       "attempts");
}

/* An attempt as check reports its page: times, problems, and its cause. */
static void
test_attempt (void)
{
  g_autoptr (RhRecordPage) page = rh_record_page_new ();
  g_autoptr (RhPageOutcome) outcome = rh_page_outcome_new ("https://example.com/page.html");
  g_autoptr (GPtrArray) problems = problems_new (1, "not ready within 1 s");
  g_autoptr (GPtrArray) none = problems_new (0, NULL);
  g_autoptr (JsonParser) parser = json_parser_new ();
  JsonArray *attempts;
  JsonObject *first, *second, *times, *problem;

  g_assert_null (rh_record_page_get_json (page));
  outcome->times.first_nonblank_ms = 300;
  outcome->times.launch_ms = 120;
  g_assert_cmpuint (rh_record_page_add (page, 1, outcome, problems, "not ready within 1 s"), ==,
                    0);
  g_assert_cmpuint (rh_record_page_add (page, 2, outcome, none, NULL), ==, 0);
  attempts = parse_attempts (page, parser);
  g_assert_cmpuint (json_array_get_length (attempts), ==, 2);
  first = json_array_get_object_element (attempts, 0);
  g_assert_cmpint (json_object_get_int_member (first, "attempt"), ==, 1);
  times = json_object_get_object_member (first, "times");
  g_assert_cmpint (json_object_get_int_member (times, "first_nonblank_ms"), ==, 300);
  g_assert_cmpint (json_object_get_int_member (times, "launch_ms"), ==, 120);
  g_assert_true (json_object_get_null_member (times, "ready_call_ms"));
  problem = json_array_get_object_element (json_object_get_array_member (first, "problems"), 0);
  g_assert_cmpstr (json_object_get_string_member (problem, "code"), ==, "ready-timeout");
  g_assert_cmpstr (json_object_get_string_member (problem, "severity"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (problem, "message"), ==,
                   "not ready within 1 s");
  g_assert_cmpstr (json_object_get_string_member (first, "cause"), ==, "not ready within 1 s");
  second = json_array_get_object_element (attempts, 1);
  g_assert_cmpint (json_object_get_int_member (second, "attempt"), ==, 2);
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (second, "problems")),
                    ==, 0);
  g_assert_true (json_object_get_null_member (second, "cause"));
}

/* However many loads and problems, and however long their messages: the
 * latest attempts, their first problems, messages cut between characters. */
static void
test_bounds (void)
{
  g_autoptr (RhRecordPage) page = rh_record_page_new ();
  g_autoptr (RhPageOutcome) outcome = rh_page_outcome_new ("https://example.com/page.html");
  g_autoptr (GString) long_message = g_string_new ("x");
  g_autoptr (GPtrArray) problems = NULL;
  g_autoptr (JsonParser) parser = json_parser_new ();
  guint attempts_added = RH_RECORD_PAGE_MAX_ATTEMPTS + 3;
  JsonArray *attempts;

  /* Two-byte characters from an odd offset: a cut at the bound would
   * split one. */
  while (long_message->len < 3 * RH_RECORD_PAGE_MAX_MESSAGE_BYTES)
    g_string_append (long_message, "\xc3\xa9");
  problems = problems_new (RH_RECORD_PAGE_MAX_PROBLEMS + 10, long_message->str);
  for (guint i = 1; i <= attempts_added; i++)
    g_assert_cmpuint (rh_record_page_add (page, i, outcome, problems, NULL), ==,
                      i > RH_RECORD_PAGE_MAX_ATTEMPTS ? i - RH_RECORD_PAGE_MAX_ATTEMPTS : 0);
  attempts = parse_attempts (page, parser);
  g_assert_cmpuint (json_array_get_length (attempts), ==, RH_RECORD_PAGE_MAX_ATTEMPTS);
  g_assert_cmpint (json_object_get_int_member (json_array_get_object_element (attempts, 0),
                                               "attempt"),
                   ==, attempts_added - RH_RECORD_PAGE_MAX_ATTEMPTS + 1);
  for (guint i = 0; i < json_array_get_length (attempts); i++)
    {
      JsonArray *listed = json_object_get_array_member (
        json_array_get_object_element (attempts, i), "problems");

      g_assert_cmpuint (json_array_get_length (listed), ==, RH_RECORD_PAGE_MAX_PROBLEMS);
      for (guint j = 0; j < json_array_get_length (listed); j++)
        {
          const char *message = json_object_get_string_member (
            json_array_get_object_element (listed, j), "message");

          g_assert_cmpuint (strlen (message), <=, RH_RECORD_PAGE_MAX_MESSAGE_BYTES);
          g_assert_cmpuint (strlen (message), >=, RH_RECORD_PAGE_MAX_MESSAGE_BYTES - 1);
          g_assert_true (g_utf8_validate (message, -1, NULL));
        }
    }
  /* What the record stores stays small. */
  g_assert_cmpuint (strlen (rh_record_page_get_json (page)), <,
                    (RH_RECORD_PAGE_MAX_MESSAGE_BYTES + 512) * RH_RECORD_PAGE_MAX_PROBLEMS
                      * RH_RECORD_PAGE_MAX_ATTEMPTS);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/record-page/attempt", test_attempt);
  g_test_add_func ("/record-page/bounds", test_bounds);
  return g_test_run ();
}
