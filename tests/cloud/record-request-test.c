/* Validation of "start recording" bodies, as the cloud does it. */
#include <string.h>

#include "rh-record-request.h"
#include "test-utils.h"

typedef struct
{
  const char *name;
  const char *body;
  int error_code; /* 0: valid */
  guint width, height, bitrate, fps, retry;
  gboolean on_hold;
  gboolean snapshots;
} Row;

static const Row rows[] = {
  { "minimal", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"https://x/p.html\"}}", 0,
    1280, 720, 2000, 15, 60, FALSE },
  { "url-wins", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"a\",\"url\":\"https://y\"}}",
    0, 1280, 720, 2000, 15, 60, FALSE },
  { "onHold", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"onHold\":true}}", 0,
    1280, 720, 2000, 15, 60, TRUE },
  { "onhold", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"onhold\":true}}", 0,
    1280, 720, 2000, 15, 60, TRUE },
  { "snapshots", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"snapshots\":true}}",
    0, 1280, 720, 2000, 15, 60, FALSE, TRUE },
  { "small-default-bitrate",
    "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoWidth\":640,"
    "\"videoHeight\":480}}", 0, 640, 480, 1500, 15, 60, FALSE },
  { "full",
    "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoWidth\":1920,"
    "\"videoHeight\":1080,\"videoBitrate\":2000,\"videoFps\":30,\"maxRecordingHour\":2},"
    "\"retryTimeout\":30}", 0, 1920, 1080, 2000, 30, 30, FALSE },
  { "empty", "", 400 },
  { "not-json", "{bad", 400 },
  { "array", "[]", 400 },
  { "mode-mix", "{\"mode\":\"mix\",\"webRecordConfig\":{\"rootUrl\":\"u\"}}", 400 },
  { "no-mode", "{\"webRecordConfig\":{\"rootUrl\":\"u\"}}", 400 },
  { "no-config", "{\"mode\":\"web\"}", 30400412 },
  { "no-url", "{\"mode\":\"web\",\"webRecordConfig\":{}}", 30400412 },
  { "empty-url", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"\"}}", 30400412 },
  { "width-small", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoWidth\":479}}",
    400 },
  { "area", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoWidth\":1920,"
            "\"videoHeight\":1920}}", 400 },
  { "bitrate", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoBitrate\":9000}}",
    400 },
  { "fps", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoFps\":4}}", 400 },
  { "fps-fraction", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoFps\":15.5}}",
    400 },
  { "width-string", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoWidth\":\"1280\"}}",
    400 },
  { "onHold-string", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"onHold\":\"yes\"}}",
    400 },
  { "snapshots-string",
    "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"snapshots\":\"yes\"}}", 400 },
  { "retry-zero", "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\"},\"retryTimeout\":0}",
    400 },
  /* Beyond any integer: refused before it is converted to one. */
  { "bitrate-huge",
    "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\",\"videoBitrate\":1e300}}", 400 },
  { "retry-huge-negative",
    "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\"},\"retryTimeout\":-1e300}", 400 },
};

static void
test_row (gconstpointer data)
{
  const Row *row = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (RhRecordRequest) request = rh_record_request_parse (row->body, strlen (row->body),
                                                                 &error);

  if (row->error_code != 0)
    {
      g_assert_null (request);
      g_assert_error (error, RH_RECORD_REQUEST_ERROR, row->error_code);
      return;
    }
  g_assert_no_error (error);
  g_assert_cmpuint (request->width, ==, row->width);
  g_assert_cmpuint (request->height, ==, row->height);
  g_assert_cmpuint (request->bitrate_kbps, ==, row->bitrate);
  g_assert_cmpuint (request->fps, ==, row->fps);
  g_assert_cmpuint (request->retry_timeout_s, ==, row->retry);
  g_assert_cmpint (request->on_hold, ==, row->on_hold);
  g_assert_cmpint (request->snapshots, ==, row->snapshots);
}

static void
test_update (void)
{
  static const struct
  {
    const char *body;
    gboolean ok, has, on_hold;
  } updates[] = {
    { "{\"webRecordConfig\":{\"onHold\":false}}", TRUE, TRUE, FALSE },
    { "{\"webRecordConfig\":{\"onhold\":false}}", TRUE, TRUE, FALSE },
    { "{\"webRecordConfig\":{\"videoFps\":10}}", TRUE, FALSE, TRUE },
    { "{\"webRecordConfig\":{\"onHold\":0}}", FALSE, FALSE, TRUE },
    { "{}", FALSE, FALSE, TRUE },
    { "nope", FALSE, FALSE, TRUE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (updates); i++)
    {
      g_autoptr (GError) error = NULL;
      gboolean on_hold = TRUE, has = FALSE;
      gboolean ok = rh_record_request_update (updates[i].body, strlen (updates[i].body),
                                              &on_hold, &has, &error);

      g_test_message ("%s", updates[i].body);
      g_assert_cmpint (ok, ==, updates[i].ok);
      if (!ok)
        continue;
      g_assert_cmpint (has, ==, updates[i].has);
      g_assert_cmpint (on_hold, ==, updates[i].on_hold);
    }
}

/* sdkApi overrides the cloud's --sdk-api for one recording. */
static void
test_sdk_api (void)
{
  static const struct
  {
    const char *value; /* JSON, NULL: absent */
    gboolean ok, has, local;
  } sdk_api_rows[] = {
    { NULL, TRUE, FALSE, FALSE },
    { "null", TRUE, FALSE, FALSE },
    { "\"local\"", TRUE, TRUE, TRUE },
    { "\"none\"", TRUE, TRUE, FALSE },
    { "\"remote\"", FALSE },
    { "\"LOCAL\"", FALSE },
    { "true", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (sdk_api_rows); i++)
    {
      const char *value = sdk_api_rows[i].value;
      g_autofree char *body = g_strdup_printf (
        "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\"%s%s}}",
        value != NULL ? ",\"sdkApi\":" : "", value != NULL ? value : "");
      g_autoptr (GError) error = NULL;
      g_autoptr (RhRecordRequest) request = rh_record_request_parse (body, strlen (body),
                                                                     &error);

      g_test_message ("%s", body);
      if (!sdk_api_rows[i].ok)
        {
          g_assert_null (request);
          g_assert_error (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID);
          g_assert_nonnull (strstr (error->message, "sdkApi"));
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (request->has_sdk_api, ==, sdk_api_rows[i].has);
      g_assert_cmpint (request->sdk_api_local, ==, sdk_api_rows[i].local);
    }
}

/* engine overrides the cloud's --engine for one recording. */
static void
test_engine (void)
{
  static const struct
  {
    const char *value; /* JSON, NULL: absent */
    gboolean ok, has;
    RhBrowserEngine engine;
  } engine_rows[] = {
    { NULL, TRUE, FALSE, RH_BROWSER_ENGINE_WPE },
    { "null", TRUE, FALSE, RH_BROWSER_ENGINE_WPE },
    { "\"wpe\"", TRUE, TRUE, RH_BROWSER_ENGINE_WPE },
    { "\"chromium\"", TRUE, TRUE, RH_BROWSER_ENGINE_CHROMIUM },
    { "\"Chromium\"", FALSE },
    { "\"both\"", FALSE },
    { "\"\"", FALSE },
    { "1", FALSE },
    { "{}", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (engine_rows); i++)
    {
      const char *value = engine_rows[i].value;
      g_autofree char *body = g_strdup_printf (
        "{\"mode\":\"web\",\"webRecordConfig\":{\"rootUrl\":\"u\"%s%s}}",
        value != NULL ? ",\"engine\":" : "", value != NULL ? value : "");
      g_autoptr (GError) error = NULL;
      g_autoptr (RhRecordRequest) request = rh_record_request_parse (body, strlen (body),
                                                                     &error);

      g_test_message ("%s", body);
      if (!engine_rows[i].ok)
        {
          g_assert_null (request);
          g_assert_error (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID);
          g_assert_cmpstr (error->message, ==, "engine must be \"wpe\" or \"chromium\"");
          continue;
        }
      g_assert_no_error (error);
      g_assert_cmpint (request->has_engine, ==, engine_rows[i].has);
      g_assert_cmpint (request->engine, ==, engine_rows[i].engine);
    }
}

#define DEMO_PAGE "file:///usr/share/recordhost/page/record_page.html"

typedef struct
{
  const char *name;
  const char *url;
  gboolean allow_file_pages;
  const char *file_page; /* the one file page allowed anyway */
  gboolean ok;
} PageRow;

/* A page of this machine's files only when asked, in any form it can take. */
static const PageRow page_rows[] = {
  { "https", "https://cdn.example/record.html", FALSE, NULL, TRUE },
  { "http-upper-case", "HTTP://cdn.example/record.html", FALSE, NULL, TRUE },
  { "file", "file:///etc/passwd", FALSE, NULL, FALSE },
  { "file-upper-case", "FILE:///etc/passwd", FALSE, NULL, FALSE },
  { "file-mixed-case-host", "fIlE://localhost/etc/passwd", FALSE, NULL, FALSE },
  { "file-one-slash", "file:/etc/passwd", FALSE, NULL, FALSE },
  { "file-relative", "file:etc/passwd", FALSE, NULL, FALSE },
  { "absolute-path", "/etc/passwd", FALSE, NULL, FALSE },
  { "relative-path", "page/record_page.html", FALSE, NULL, FALSE },
  { "home-path", "~/Downloads/x.html", FALSE, NULL, FALSE },
  { "leading-space", " file:///etc/passwd", FALSE, NULL, FALSE },
  { "leading-tab", "\thttp://cdn.example/record.html", FALSE, NULL, FALSE },
  { "other-scheme", "view-source:file:///etc/passwd", FALSE, NULL, FALSE },
  { "file-allowed", "file:///etc/passwd", TRUE, NULL, TRUE },
  { "path-allowed", "/etc/passwd", TRUE, NULL, TRUE },
  { "demo-page", DEMO_PAGE, FALSE, DEMO_PAGE, TRUE },
  { "demo-page-query", DEMO_PAGE "?x=1", FALSE, DEMO_PAGE, FALSE },
  { "other-than-demo-page", "file:///etc/passwd", FALSE, DEMO_PAGE, FALSE },
};

static void
test_page (gconstpointer data)
{
  const PageRow *row = data;
  g_autoptr (GError) error = NULL;
  g_autoptr (JsonNode) url = json_node_init_string (json_node_alloc (), row->url);
  g_autofree char *url_json = json_to_string (url, FALSE);
  g_autofree char *body = g_strdup_printf ("{\"mode\":\"web\",\"webRecordConfig\":"
                                           "{\"rootUrl\":%s}}", url_json);
  g_autoptr (RhRecordRequest) request = rh_record_request_parse (body, strlen (body), &error);

  g_assert_no_error (error);
  if (row->ok)
    {
      g_assert_true (rh_record_request_check_page (request, row->allow_file_pages,
                                                   row->file_page, &error));
      g_assert_no_error (error);
      return;
    }
  g_assert_false (rh_record_request_check_page (request, row->allow_file_pages, row->file_page,
                                                &error));
  g_assert_error (error, RH_RECORD_REQUEST_ERROR, RH_RECORD_REQUEST_ERROR_INVALID);
  g_assert_nonnull (strstr (error->message, "--allow-file-pages"));
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
  for (guint i = 0; i < G_N_ELEMENTS (rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/record-request/%s", rows[i].name);

      g_test_add_data_func (path, &rows[i], test_row);
    }
  g_test_add_func ("/record-request/update", test_update);
  g_test_add_func ("/record-request/sdk-api", test_sdk_api);
  g_test_add_func ("/record-request/engine", test_engine);
  for (guint i = 0; i < G_N_ELEMENTS (page_rows); i++)
    {
      g_autofree char *path = g_strdup_printf ("/record-request/page/%s", page_rows[i].name);

      g_test_add_data_func (path, &page_rows[i], test_page);
    }
  return g_test_run ();
}
