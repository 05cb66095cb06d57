/* The page session under check, run and the cloud's recordings: what it
 * checks before any process starts, what it keeps secret, and the report
 * parts it writes for them.  No page is opened here (check-test and
 * run-test do that). */
#include <string.h>

#include "rh-error.h"
#include "rh-page-session.h"
#include "test-utils.h"

#define TOKEN "tok-s3cret"

static RhPageOptions *
options_new (void)
{
  RhPageOptions *options = rh_test_page_options_new ("https://cdn.example.com/record.html");

  options->room->rtm_token = g_strdup (TOKEN);
  return options;
}

static RhReadyCall *
ready_call_new (SoupSession **session)
{
  *session = rh_ready_call_session_new ();
  return rh_ready_call_new (*session,
                            "http://127.0.0.1:9/edu/apps/app-1/v2/rooms/room-1/records/ready");
}

static void
test_prepared (void)
{
  g_autoptr (SoupSession) soup = NULL;
  g_autoptr (RhReadyCall) call = ready_call_new (&soup);
  g_autoptr (GError) error = NULL;
  g_autoptr (RhPageSession) session = rh_page_session_new (options_new (), call, &error);
  const RhPageOutcome *outcome;
  const RhPageTimes *times;

  g_assert_no_error (error);
  g_assert_nonnull (strstr (rh_page_session_get_page_url (session), "roomUuid=room-1"));
  g_assert_true (rh_page_session_get_ready_call (session) == call);
  /* The default ready protocol is filled in. */
  g_assert_nonnull (rh_page_session_get_options (session)->ready);
  /* Not opened: no watch; concluded so, every time unknown. */
  g_assert_null (rh_page_session_get_watch (session));
  g_assert_null (rh_page_session_get_outcome (session));
  rh_page_session_conclude (session, NULL);
  outcome = rh_page_session_get_outcome (session);
  g_assert_nonnull (strstr (outcome->page_url, "roomUuid=room-1"));
  g_assert_null (outcome->engine.name);
  times = &outcome->times;
  g_assert_cmpint (times->load_ms, ==, RH_PAGE_NO_TIME);
  g_assert_cmpint (times->ready_ack_ms, ==, RH_PAGE_NO_TIME);
  g_assert_cmpuint (times->http_status, ==, 0);
}

typedef struct
{
  const char *name;
  void (*spoil) (RhPageOptions *options);
  const char *message;
} BadRow;

static void
spoil_timeout (RhPageOptions *options)
{
  options->timeout_s = 0;
}

static void
spoil_size (RhPageOptions *options)
{
  options->record.width = 1;
}

static void
spoil_page (RhPageOptions *options)
{
  g_free (options->page);
  options->page = g_strdup ("ftp://example.com/page.html");
}

static const BadRow bad_rows[] = {
  { "timeout", spoil_timeout, "--timeout" },
  { "size", spoil_size, "width 1 is outside" },
  { "page", spoil_page, "unsupported URL scheme" },
};

/* Refused before any process starts, the options freed with the session
 * (ASan/LSan would see them leak otherwise). */
static void
test_refused (gconstpointer data)
{
  const BadRow *row = data;
  g_autoptr (SoupSession) soup = NULL;
  g_autoptr (RhReadyCall) call = ready_call_new (&soup);
  g_autoptr (GError) error = NULL;
  RhPageOptions *options = options_new ();
  g_autoptr (RhPageSession) session = NULL;

  row->spoil (options);
  session = rh_page_session_new (options, call, &error);
  g_assert_null (session);
  g_assert_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT);
  if (g_test_verbose ())
    g_printerr ("%s\n", error->message);
  g_assert_nonnull (strstr (error->message, row->message));
}

/* The report's opening: outcome, status, error and page, the token
 * redacted wherever it appears, even in the error. */
static void
test_outcome_json (void)
{
  g_autoptr (SoupSession) soup = NULL;
  g_autoptr (RhReadyCall) call = ready_call_new (&soup);
  g_autoptr (RhPageSession) session = rh_page_session_new (options_new (), call, NULL);
  g_autoptr (JsonBuilder) builder = json_builder_new ();
  g_autoptr (GError) failure = g_error_new (RH_ERROR, RH_ERROR_NOT_READY, "no luck with " TOKEN);
  g_autoptr (JsonNode) report = NULL;
  g_autofree char *text = NULL;
  JsonObject *object;

  g_assert_nonnull (session);
  rh_timeline_add (rh_page_session_get_timeline (session), "note", NULL, "saw %s", TOKEN);
  json_builder_begin_object (builder);
  rh_page_session_add_outcome_json (session, builder, "verdict", "fail", 3, failure);
  rh_page_session_conclude (session, failure);
  rh_page_session_add_page_json (session, builder, TRUE);
  report = rh_page_session_end_json (session, builder);
  object = json_node_get_object (report);
  g_assert_cmpstr (json_object_get_string_member (object, "verdict"), ==, "fail");
  g_assert_cmpint (json_object_get_int_member (object, "exit_status"), ==, 3);
  g_assert_nonnull (strstr (json_object_get_string_member (object, "error"), "no luck"));
  g_assert_nonnull (strstr (json_object_get_string_member (object, "page_url"), "roomUuid=room-1"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "events")), ==, 1);
  /* Never opened: nothing about resources or the engine is claimed. */
  g_assert_false (json_object_has_member (object, "resources"));
  text = json_to_string (report, FALSE);
  g_assert_null (strstr (text, TOKEN));
  g_assert_nonnull (strstr (text, "[REDACTED]"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  g_test_add_func ("/page-session/prepared", test_prepared);
  for (guint i = 0; i < G_N_ELEMENTS (bad_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/page-session/refused/%s", bad_rows[i].name);

      g_test_add_data_func (path, &bad_rows[i], test_refused);
    }
  g_test_add_func ("/page-session/outcome-json", test_outcome_json);
  return g_test_run ();
}
