/* `recordhost cloud` as started from a shell: where its token comes from,
 * when it refuses to start, and its options' help.  The API itself is in
 * tests/cloud/. */
#include <string.h>
#include <sys/wait.h>

#include "test-utils.h"

#define TOKEN_ENV "RECORDHOST_CLOUD_TOKEN"
#define WAIT_TIMEOUT_S 60
#define ROOM "/edu/apps/a1/v2/rooms/r1"

/* @text in a new file of the test's directory; its path. */
static char *
write_file (const char *name, const char *text)
{
  g_autofree char *path = g_build_filename (rh_test_tmpdir (), name, NULL);

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return g_steal_pointer (&path);
}

/* Replaces "@DIR@" in @arg by the test's directory. */
static char *
expand (const char *arg)
{
  g_auto (GStrv) parts = g_strsplit (arg, "@DIR@", -1);

  return g_strjoinv (rh_test_tmpdir (), parts);
}

/* `recordhost cloud --data-dir DIR/data @args`, with @env; on a free port
 * of 127.0.0.1 unless @args say where. */
static RhTestChild *
cloud_spawn (const char *const *args, const char *const *env)
{
  g_autoptr (GPtrArray) argv = g_ptr_array_new_with_free_func (g_free);
  gboolean listen = FALSE;
  RhTestChild *child;

  g_ptr_array_add (argv, g_strdup ("cloud"));
  g_ptr_array_add (argv, g_strdup ("--data-dir"));
  g_ptr_array_add (argv, expand ("@DIR@/data"));
  for (guint i = 0; args[i] != NULL; i++)
    {
      listen = listen || g_str_equal (args[i], "--listen");
      g_ptr_array_add (argv, expand (args[i]));
    }
  if (!listen)
    {
      g_ptr_array_add (argv, g_strdup ("--listen"));
      g_ptr_array_add (argv, g_strdup (":0"));
    }
  g_ptr_array_add (argv, NULL);
  child = rh_test_child_spawn ((const char *const *) argv->pdata, env);
  return child;
}

/* The URL the cloud prints first, once it listens. */
static char *
cloud_url (RhTestChild *child)
{
  g_autofree char *out = NULL;

  rh_test_child_wait_stderr (child, "cloud: listening on", WAIT_TIMEOUT_S);
  out = rh_test_child_get_stdout (child);
  g_assert_true (g_str_has_prefix (out, "http://"));
  *strchr (out, '\n') = '\0';
  return g_steal_pointer (&out);
}

static void
stop (RhTestChild *child)
{
  int status;

  rh_test_child_send_signal (child, SIGTERM);
  status = rh_test_child_wait (child, WAIT_TIMEOUT_S);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
}

/* The command line ps shows of the process that has @arg among its
 * arguments, its arguments joined by spaces. */
static char *
command_line_with (const char *arg)
{
  g_autoptr (GDir) dir = g_dir_open ("/proc", 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *path = g_build_filename ("/proc", name, "cmdline", NULL);
      g_autofree char *contents = NULL;
      gboolean found = FALSE;
      gsize size = 0;

      if (!g_ascii_isdigit (name[0]) || !g_file_get_contents (path, &contents, &size, NULL))
        continue;
      for (gsize at = 0; at < size; at += strlen (contents + at) + 1)
        found = found || g_str_equal (contents + at, arg);
      if (!found)
        continue;
      for (gsize i = 0; i + 1 < size; i++)
        if (contents[i] == '\0')
          contents[i] = ' ';
      return g_steal_pointer (&contents);
    }
  g_assert_not_reached ();
}

typedef struct
{
  const char *name;
  const char *file;   /* written to @DIR@/token when not NULL */
  const char *env;    /* RECORDHOST_CLOUD_TOKEN when not NULL */
  const char *args[4];
  const char *token;  /* what the cloud then requires */
} TokenRow;

static const TokenRow token_rows[] = {
  { "environment", NULL, "s3cret-env", { NULL }, "s3cret-env" },
  { "file", "s3cret-file\n", NULL, { "--token-file", "@DIR@/token", NULL }, "s3cret-file" },
  { "file-crlf", "s3cret-crlf\r\nsecond line\n", NULL, { "--token-file", "@DIR@/token", NULL },
    "s3cret-crlf" },
  { "file-without-newline", "s3cret-bare", NULL, { "--token-file", "@DIR@/token", NULL },
    "s3cret-bare" },
  { "option", NULL, NULL, { "--require-token", "s3cret-option", NULL }, "s3cret-option" },
};

/* The token read from where it was given is required, and shows in ps only
 * when it was given on the command line. */
static void
test_token (gconstpointer data)
{
  const TokenRow *row = data;
  g_autofree char *env_token = row->env != NULL ? g_strconcat (TOKEN_ENV "=", row->env, NULL)
                                                : NULL;
  const char *const env[] = { env_token, NULL };
  g_autofree char *file = row->file != NULL ? write_file ("token", row->file) : NULL;
  g_autoptr (RhTestChild) child = cloud_spawn (row->args, env);
  g_autofree char *url = cloud_url (child);
  g_autofree char *uri = g_strconcat (url, ROOM, NULL);
  g_autofree char *data_dir = expand ("@DIR@/data");
  g_autofree char *cmdline = command_line_with (data_dir);
  g_autoptr (SoupSession) session = soup_session_new_with_options ("timeout", 10, NULL);
  g_autoptr (JsonObject) refused = NULL;
  g_autoptr (JsonObject) wrong = NULL;
  g_autoptr (JsonObject) created = NULL;
  guint status = 0;

  refused = rh_test_call_json (session, "POST", uri, "{}", NULL, &status);
  g_assert_cmpuint (status, ==, 401);
  wrong = rh_test_call_json (session, "POST", uri, "{}", "s3cret", &status);
  g_assert_cmpuint (status, ==, 401);
  created = rh_test_call_json (session, "POST", uri, "{}", row->token, &status);
  g_assert_cmpuint (status, ==, 200);
  g_test_message ("command line: %s", cmdline);
  g_assert_cmpint (strstr (cmdline, row->token) != NULL, ==,
                   g_str_equal (row->name, "option"));
  stop (child);
}

typedef struct
{
  const char *name;
  const char *env; /* RECORDHOST_CLOUD_TOKEN when not NULL */
  const char *args[6];
  const char *message_part;
} UsageRow;

static const UsageRow usage_rows[] = {
  { "token-file-missing", NULL, { "--token-file", "@DIR@/none", NULL }, "--token-file:" },
  { "token-file-directory", NULL, { "--token-file", "@DIR@", NULL }, "--token-file:" },
  { "token-file-empty", NULL, { "--token-file", "@DIR@/empty", NULL },
    "its first line is empty" },
  { "token-file-empty-line", NULL, { "--token-file", "@DIR@/newline", NULL },
    "its first line is empty" },
  { "token-env-empty", "", { NULL }, TOKEN_ENV " is empty" },
  { "token-option-empty", NULL, { "--require-token", "", NULL }, "--require-token is empty" },
  { "token-option-and-file", NULL,
    { "--require-token", "a", "--token-file", "@DIR@/newline", NULL }, "more than once" },
  { "token-env-and-option", "a", { "--require-token", "b", NULL }, "more than once" },
  { "token-env-and-file", "a", { "--token-file", "@DIR@/newline", NULL }, "more than once" },
  { "allowed-host-bad", NULL, { "--allowed-host", "a b", NULL }, "--allowed-host: bad host" },
  { "allowed-host-port-zero", NULL, { "--allowed-host", "x:0", NULL },
    "--allowed-host: bad host" },
  /* Anyone on the network could start recordings. */
  { "beyond-loopback-without-token", NULL, { "--listen", "0.0.0.0:0", NULL },
    "is beyond loopback: give a token" },
  { "store-not-postgresql", NULL, { "--store", "mysql://db/x", NULL },
    "--store must be a postgresql:// URL" },
  { "store-bad-url", NULL, { "--store", "postgresql://[::1/x", NULL }, "--store" },
  { "worker-id-without-store", NULL, { "--worker-id", "w1", NULL }, "go with --store" },
  { "lease-ttl-without-store", NULL, { "--lease-ttl", "5", NULL }, "go with --store" },
  { "drain-timeout-without-store", NULL, { "--drain-timeout", "5", NULL }, "go with --store" },
  { "lease-ttl-range", NULL, { "--store", "postgresql:///x", "--lease-ttl", "1", NULL },
    "--lease-ttl must be 2..300" },
  { "drain-timeout-range", NULL,
    { "--store", "postgresql:///x", "--drain-timeout", "0", NULL },
    "--drain-timeout must be 1..3600" },
  { "worker-id-empty", NULL, { "--store", "postgresql:///x", "--worker-id", "", NULL },
    "--worker-id must be 1..200 characters" },
  { "engine-unknown", NULL, { "--engine", "gecko", NULL },
    "unknown --engine 'gecko' (expected wpe or chromium)" },
  /* Chromium's renderers have no bound recordhost can set. */
  { "engine-chromium-page-memory", NULL,
    { "--engine", "chromium", "--page-memory", "512", NULL },
    "--page-memory is not supported with --engine chromium" },
};

static void
test_usage (gconstpointer data)
{
  const UsageRow *row = data;
  g_autofree char *env_token = row->env != NULL ? g_strconcat (TOKEN_ENV "=", row->env, NULL)
                                                : NULL;
  const char *const env[] = { env_token, NULL };
  g_autofree char *empty = write_file ("empty", "");
  g_autofree char *newline = write_file ("newline", "\nsecond line\n");
  g_autoptr (RhTestChild) child = cloud_spawn (row->args, env);
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;
  g_auto (GStrv) lines = NULL;
  int status = rh_test_child_wait (child, WAIT_TIMEOUT_S);

  err = rh_test_child_get_stderr (child);
  out = rh_test_child_get_stdout (child);
  g_test_message ("stderr: %s", err);
  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 2);
  g_assert_cmpstr (out, ==, "");
  lines = g_strsplit (g_strstrip (err), "\n", -1);
  g_assert_nonnull (strstr (lines[0], row->message_part));
  /* The cause; a usage error adds where help is; a refusal to start is one line. */
  g_assert_cmpuint (g_strv_length (lines), <=, 2);
  if (g_str_has_prefix (row->name, "beyond-loopback"))
    g_assert_cmpuint (g_strv_length (lines), ==, 1);
}

/* Beyond loopback with a token, or told it may do without one. */
static void
test_beyond_loopback (void)
{
  const char *const insecure_args[] = { "--listen", "0.0.0.0:0", "--insecure-no-token", NULL };
  const char *const token_args[] = { "--listen", "0.0.0.0:0", NULL };
  const char *const token_env[] = { TOKEN_ENV "=s3cret", NULL };
  g_autoptr (RhTestChild) insecure = cloud_spawn (insecure_args, NULL);
  g_autofree char *insecure_url = cloud_url (insecure);
  g_autofree char *insecure_err = NULL;
  g_autoptr (RhTestChild) with_token = NULL;
  g_autofree char *with_token_url = NULL;
  g_autofree char *with_token_err = NULL;

  /* The URL printed, and given to the hosted pages, is one to call: the
   * unspecified address would be refused by the cloud's own Host check. */
  g_assert_true (g_str_has_prefix (insecure_url, "http://127.0.0.1:"));
  stop (insecure);
  insecure_err = rh_test_child_get_stderr (insecure);
  g_assert_nonnull (strstr (insecure_err, "cloud: warning: listening beyond loopback without a "
                                          "token"));
  with_token = cloud_spawn (token_args, token_env);
  with_token_url = cloud_url (with_token);
  g_assert_true (g_str_has_prefix (with_token_url, "http://127.0.0.1:"));
  stop (with_token);
  with_token_err = rh_test_child_get_stderr (with_token);
  g_assert_null (strstr (with_token_err, "warning"));
  g_assert_nonnull (strstr (with_token_err, "token required"));
}

static void
test_help (void)
{
  static const char *const options[] = {
    "--require-token", "--token-file", TOKEN_ENV, "--insecure-no-token", "--allowed-host",
    "--allow-file-pages", "421", "Origin", "application/json", "Private Network", NULL,
  };
  const char *const args[] = { "cloud", "--help", NULL };
  g_autoptr (RhTestChild) child = rh_test_child_spawn (args, NULL);
  int status = rh_test_child_wait (child, WAIT_TIMEOUT_S);
  g_autofree char *out = rh_test_child_get_stdout (child);

  g_assert_true (WIFEXITED (status));
  g_assert_cmpint (WEXITSTATUS (status), ==, 0);
  for (guint i = 0; options[i] != NULL; i++)
    {
      g_test_message ("%s", options[i]);
      g_assert_nonnull (strstr (out, options[i]));
    }
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  /* The token comes from the rows, never from whoever runs the tests. */
  g_unsetenv (TOKEN_ENV);
  for (guint i = 0; i < G_N_ELEMENTS (token_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-command/token/", token_rows[i].name, NULL);

      g_test_add_data_func (path, &token_rows[i], test_token);
    }
  for (guint i = 0; i < G_N_ELEMENTS (usage_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/cloud-command/usage/", usage_rows[i].name, NULL);

      g_test_add_data_func (path, &usage_rows[i], test_usage);
    }
  g_test_add_func ("/cloud-command/beyond-loopback", test_beyond_loopback);
  g_test_add_func ("/cloud-command/help", test_help);
  return g_test_run ();
}
