#include "rh-record-page.h"

#include "rh-page-json.h"
#include "rh-problems.h"

struct _RhRecordPage
{
  JsonArray *attempts;
  char *json; /* {"attempts": ...}, NULL before an attempt was added */
};

static void
problem_free (RhProblem *problem)
{
  g_free (problem->message);
  g_free (problem);
}

static GPtrArray *
bound_problems (const GPtrArray *problems)
{
  GPtrArray *bounded = g_ptr_array_new_with_free_func ((GDestroyNotify) problem_free);

  for (guint i = 0; i < MIN (problems->len, RH_RECORD_PAGE_MAX_PROBLEMS); i++)
    {
      RhProblem *copy = g_memdup2 (g_ptr_array_index (problems, i), sizeof (RhProblem));
      const char *end = copy->message;

      /* Whole characters: the message is UTF-8. */
      while (*end != '\0'
             && g_utf8_next_char (end) - copy->message <= RH_RECORD_PAGE_MAX_MESSAGE_BYTES)
        end = g_utf8_next_char (end);
      copy->message = g_strndup (copy->message, (gsize) (end - copy->message));
      g_ptr_array_add (bounded, copy);
    }
  return bounded;
}

/* {"attempt", "times", "failed_on", "problems", "cause"}, as check reports
 * the times and problems of its page. */
static JsonNode *
attempt_node (guint attempt, const RhPageOutcome *outcome, const GPtrArray *problems,
              const char *cause)
{
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GPtrArray) bounded = bound_problems (problems);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "attempt");
  json_builder_add_int_value (builder, attempt);
  json_builder_set_member_name (builder, "times");
  json_builder_begin_object (builder);
  rh_page_json_add_times (&outcome->times, builder);
  json_builder_end_object (builder);
  rh_problems_add_json (bounded, builder);
  json_builder_set_member_name (builder, "cause");
  if (cause != NULL)
    json_builder_add_string_value (builder, cause);
  else
    json_builder_add_null_value (builder);
  json_builder_end_object (builder);
  return json_builder_get_root (builder);
}

RhRecordPage *
rh_record_page_new (void)
{
  RhRecordPage *page = g_new0 (RhRecordPage, 1);

  page->attempts = json_array_new ();
  return page;
}

void
rh_record_page_free (RhRecordPage *page)
{
  if (page == NULL)
    return;
  json_array_unref (page->attempts);
  g_free (page->json);
  g_free (page);
}

/* The load @attempt ended with @outcome and @problems, given up for @cause
 * (NULL when it was not).  Returns the number of the attempt this drops,
 * past RH_RECORD_PAGE_MAX_ATTEMPTS, 0 for none. */
guint
rh_record_page_add (RhRecordPage *page, guint attempt, const RhPageOutcome *outcome,
                    const GPtrArray *problems, const char *cause)
{
  g_autoptr (JsonNode) root = json_node_new (JSON_NODE_OBJECT);
  g_autoptr (JsonObject) object = json_object_new ();
  guint dropped = 0;

  json_array_add_element (page->attempts, attempt_node (attempt, outcome, problems, cause));
  if (json_array_get_length (page->attempts) > RH_RECORD_PAGE_MAX_ATTEMPTS)
    {
      dropped = (guint) json_object_get_int_member (
        json_array_get_object_element (page->attempts, 0), "attempt");
      json_array_remove_element (page->attempts, 0);
    }
  json_object_set_array_member (object, "attempts", json_array_ref (page->attempts));
  json_node_set_object (root, object);
  g_free (page->json);
  page->json = json_to_string (root, FALSE);
  return dropped;
}

/* As stored in the record: NULL before an attempt was added. */
const char *
rh_record_page_get_json (RhRecordPage *page)
{
  return page->json;
}
