/* What every test program shares: a cold, private environment, and waiting
 * on events rather than on the clock. */
#pragma once

#include <gio/gio.h>
#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rh-check.h"
#include "rh-ready-endpoint.h"
#include "rh-run.h"

G_BEGIN_DECLS

/* g_test_init (), then HOME and XDG_{CACHE,CONFIG,DATA,STATE}_HOME in a new
 * empty directory, removed at exit: each run starts cold, as on a new
 * machine, and leaves nothing behind.  Child processes inherit them. */
void rh_test_init (int *argc, char ***argv);

/* The directory of rh_test_init (). */
const char *rh_test_get_home (void);

/* A new empty directory for the running test path, under the home of
 * rh_test_init (); the same one for the rest of that test, removed with all
 * it holds when it ends. */
const char *rh_test_tmpdir (void);

/* The JSON of @text, parsed; fails the test when it is not JSON. */
JsonNode *rh_test_parse_json (const char *text);

typedef gboolean (*RhTestDoneFunc) (gpointer user_data);

/* Runs the default main context until @done says so, checking it after each
 * iteration and at least every 50 ms (so that it may look at files or other
 * processes); gives up after @timeout_s.  Returns whether @done said so. */
gboolean rh_test_wait_until (RhTestDoneFunc done, gpointer user_data, guint timeout_s);
/* Runs the main context for @ms of the clock. */
void     rh_test_keep_running (guint ms);

/* A GAsyncReadyCallback that keeps a reference to its result in
 * *(GAsyncResult **) @user_data. */
void rh_test_async_cb (GObject *source, GAsyncResult *result, gpointer user_data);

/* rh_test_wait_until () *@result is set by rh_test_async_cb (). */
gboolean rh_test_wait_result (GAsyncResult **result, guint timeout_s);

/* Whether a --json report has a problem of @code, of @severity and whose
 * message contains @text; NULL @severity or @text match any. */
gboolean rh_test_report_has_problem (JsonObject *report, const char *code, const char *severity,
                                     const char *text);

/* What a JUnit reader sees of a JUnit XML report. */
typedef struct
{
  char *name;             /* the testsuite's name= */
  guint tests;            /* the testsuite's tests= */
  guint failures;         /* the testsuite's failures= */
  guint skipped;          /* the testsuite's skipped= */
  guint testcases;        /* <testcase> elements */
  guint failure_elements; /* <failure> elements */
  guint skipped_elements; /* <skipped> elements */
  char *time;             /* the testsuite's time= */
  char *page;             /* the value of its page property */
  char *warnings;         /* the value of its warnings property */
  GString *failed;        /* names of the test cases with a failure, one a line */
  GString *skipped_cases; /* names of the skipped test cases, one a line */
  GString *text;          /* failure and skipped messages and texts, and system-out */
  char *testcase;         /* the test case being read */
  GPtrArray *open;        /* the elements being read, outermost first */
  guint outcomes;         /* <failure>, <error> and <skipped> of the test case being read */
  guint errors;           /* the testsuite's errors= */
  guint error_elements;   /* <error> elements */
} RhTestJunit;

/* Reads @xml into @junit (zeroed); fails the test when it is not well formed
 * or not of the JUnit schema CI tools read (Ant's, as Jenkins takes it):
 * testsuites > testsuite (name, tests, failures, errors, skipped, time) >
 * properties > property (name, value), then testcase (name, classname,
 * time) with at most one failure, error or skipped (message) and
 * system-out, system-err; counts that match the cases. */
void rh_test_junit_parse (RhTestJunit *junit, const char *xml);
void rh_test_junit_clear (RhTestJunit *junit);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RhTestJunit, rh_test_junit_clear)

/* One HTTP call whose answer is JSON: returns the parsed object and sets
 * *@status; @body (JSON) and @token (sent as x-agora-token) may be NULL.
 * Fails the test when no JSON object comes back. */
JsonObject *rh_test_call_json (SoupSession *session, const char *method, const char *uri,
                               const char *body, const char *token, guint *status);

/* A token with what trips up redaction: a quote, a backslash, +, /, =, a
 * space, a non-ASCII letter and a ?; its base64 has + and / and padding. */
#define RH_TEST_TOKEN "Tk\"q\\e+t/x=y z-\xc3\xa9-SEKRET-~~~~?~"

/* The ways a page or a server can write a token: percent-encoded in either
 * case, form-encoded, JSON-escaped, in base64, and mixes of them (the
 * forms of tests/pages/token-forms.html).  @whole: the form is the token
 * alone; otherwise other data shares its base64. */
typedef struct
{
  const char *name;
  gboolean whole;
} RhTestTokenForm;

extern const RhTestTokenForm rh_test_token_forms[]; /* ends with a NULL name */

/* @token written in @form, one of rh_test_token_forms. */
char *rh_test_token_form (const char *token, const char *form);

/* The engine a suite hosts its pages in: RECORDHOST_TEST_ENGINE, "wpe" or
 * "chromium" (tests/meson.build runs some programs once with each), WPE
 * when unset.  Exits on any other value. */
RhBrowserEngine rh_test_engine (void);
const char     *rh_test_engine_name (void);
/* Whether the suite's engine is @engine; if not, the test is skipped with
 * @why (what only that engine does). */
gboolean        rh_test_engine_is (RhBrowserEngine engine, const char *why);

/* Options for a page at @page in room "room-1" of app "app-1" (small
 * classroom, recorder "rec-1"), its class started at a fixed time so that
 * its URL is the same each time it is built; in rh_test_engine (). */
RhPageOptions *rh_test_page_options_new (const char *page);

/* A check or run of @options (taken) whose ready call goes where the command
 * line's would: --api-base, or a local stand-in kept in *@endpoint. */
RhCheck *rh_test_check_new (RhPageOptions *options, RhReadyEndpoint **endpoint, GError **error);
/* Runs @check to its end: whether it passed, its --json report in *@report. */
gboolean  rh_test_check_run (RhCheck *check, JsonObject **report, GError **error);
RhRun   *rh_test_run_new   (RhRunOptions *options, RhReadyEndpoint **endpoint, GError **error);

/* A `recordhost` process, its stdout and stderr each in a file of
 * rh_test_tmpdir (), so that what a child killed by SIGKILL wrote stays. */
typedef struct _RhTestChild RhTestChild;

/* Starts RECORDHOST_BINARY with @args (check, run, demo and cloud in
 * rh_test_engine ()); @env: "NAME=VALUE" strings added to its environment,
 * or NULL.  Fails the test when it cannot start. */
RhTestChild *rh_test_child_spawn        (const char *const *args, const char *const *env);
/* Kills a child still running (SIGKILL, by its PID) and waits for it. */
void         rh_test_child_free         (RhTestChild *child);
char        *rh_test_child_get_stdout   (RhTestChild *child);
char        *rh_test_child_get_stderr   (RhTestChild *child);
gboolean     rh_test_child_has_exited   (RhTestChild *child);
GPid         rh_test_child_get_pid      (RhTestChild *child);
/* Waits up to @timeout_s until stderr holds @text; fails the test, showing
 * stderr, when the child exits or the time is up before. */
void         rh_test_child_wait_stderr  (RhTestChild *child, const char *text, guint timeout_s);
void         rh_test_child_send_signal  (RhTestChild *child, int signal_number);
/* From now on, the child's writes beyond @bytes into any file fail with
 * EFBIG, as on a full disk (it ignores SIGXFSZ).  Its shared memory is
 * file-backed too: set once its page has loaded (RhTestBeacon), when it has
 * sent its page all it sends, and its WebKit processes, limited only if
 * started later, all run. */
void         rh_test_child_limit_file_size (RhTestChild *child, guint64 bytes);
/* Waits up to @timeout_s for the exit, failing the test after; returns the
 * wait status (WIFEXITED (), WEXITSTATUS (), WIFSIGNALED () read it). */
int          rh_test_child_wait         (RhTestChild *child, guint timeout_s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhTestChild, rh_test_child_free)

/* A loopback server a page loads a URL of (any path) to tell a test it got
 * somewhere, as tests/pages/loaded-then-ready.html does. */
typedef struct _RhTestBeacon RhTestBeacon;

RhTestBeacon *rh_test_beacon_new     (void);
void          rh_test_beacon_free    (RhTestBeacon *beacon);
const char   *rh_test_beacon_get_url (RhTestBeacon *beacon);
/* Waits up to @timeout_s for the first request; fails the test after. */
void          rh_test_beacon_wait    (RhTestBeacon *beacon, guint timeout_s);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhTestBeacon, rh_test_beacon_free)

/* The PIDs (GPid) of @parent's web processes in rh_test_engine (): WebKit's
 * web processes, its children, or the renderers of the Chromium it started. */
GArray *rh_test_web_processes (GPid parent);

/* The last line of @text that starts with @prefix, without its newline;
 * NULL for none.  A sanitizer build's report may follow a program's last
 * line on stderr. */
char *rh_test_last_line_with_prefix (const char *text, const char *prefix);

/* page/@name of the source tree, the bundled page's files, from G_TEST_SRCDIR
 * (tests/): canonical, absolute. */
char *rh_test_page_path (const char *name);

/* The HAR 1.2 schema (node's har-validator) accepts the file at @path;
 * the test is skipped where node or the module is missing. */
void rh_test_assert_har_valid (const char *path);

/* How many processes have @variable (NAME=VALUE) in their environment: a
 * tag a test gives what it starts, which their helpers inherit. */
guint rh_test_count_tagged (const char *variable);

/* A libsoup server on 127.0.0.1, a port of its own, @callback for every
 * path; *@base_url: "http://127.0.0.1:PORT". */
SoupServer *rh_test_server_new (SoupServerCallback callback, gpointer user_data,
                                char **base_url);

/* A 1x1 PNG, for servers of pictures. */
extern const guint8 rh_test_picture_png[];
extern const gsize rh_test_picture_png_size;

G_END_DECLS
