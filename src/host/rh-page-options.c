#include "rh-page-options.h"

#include <errno.h>
#include <gio/gio.h>
#include <glib/gstdio.h>

#include "rh-error.h"
#include "rh-fs.h"

/* "wpe" or "chromium". */
gboolean
rh_browser_engine_parse (const char *text, RhBrowserEngine *engine, GError **error)
{
  if (g_str_equal (text, "wpe"))
    *engine = RH_BROWSER_ENGINE_WPE;
  else if (g_str_equal (text, "chromium"))
    *engine = RH_BROWSER_ENGINE_CHROMIUM;
  else
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "unknown --engine '%s' (expected wpe or chromium)", text);
      return FALSE;
    }
  return TRUE;
}

const char *
rh_browser_engine_name (RhBrowserEngine engine)
{
  return engine == RH_BROWSER_ENGINE_CHROMIUM ? "chromium" : "wpe";
}

RhPageOptions *
rh_page_options_new (void)
{
  RhPageOptions *options = g_new0 (RhPageOptions, 1);

  rh_record_config_init (&options->record);
  options->timeout_s = RH_PAGE_OPTIONS_DEFAULT_TIMEOUT_S;
  options->echo = TRUE;
  options->slow_paint_ms = RH_PAGE_OPTIONS_DEFAULT_SLOW_PAINT_MS;
  options->paint_grace_ms = RH_PAGE_OPTIONS_DEFAULT_PAINT_GRACE_MS;
  options->blank_threshold = RH_FRAME_BLANK_THRESHOLD_DEFAULT;
  options->page_memory_mb = RH_PAGE_OPTIONS_DEFAULT_PAGE_MEMORY_MB;
  options->webrtc = RH_WEBRTC_STANDIN;
  options->routes = rh_route_list_new ();
  return options;
}

/* @engine, and the WebRTC stand-in only where the engine lacks the real
 * thing (Chromium has it). */
void
rh_page_options_set_engine (RhPageOptions *options, RhBrowserEngine engine)
{
  options->engine = engine;
  options->webrtc = engine == RH_BROWSER_ENGINE_CHROMIUM ? RH_WEBRTC_ABSENT : RH_WEBRTC_STANDIN;
}

void
rh_page_options_free (RhPageOptions *options)
{
  if (options == NULL)
    return;
  rh_room_free (options->room);
  g_free (options->page);
  rh_ready_protocol_free (options->ready);
  g_free (options->api_base);
  g_free (options->snapshots_dir);
  g_free (options->junit);
  g_free (options->junit_name);
  g_strfreev (options->fail_on);
  g_free (options->user_agent);
  g_free (options->sdk_bundle);
  g_ptr_array_unref (options->routes);
  g_free (options->har);
  g_free (options);
}

/* A report file goes where a directory exists already. */
static gboolean
output_dir_exists (const char *option, const char *path, GError **error)
{
  g_autofree char *parent = NULL;

  if (path == NULL)
    return TRUE;
  parent = g_path_get_dirname (path);
  if (!g_file_test (parent, G_FILE_TEST_IS_DIR))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot write --%s %s: no directory %s",
                   option, path, parent);
      return FALSE;
    }
  if (!rh_fs_check_output (path, error))
    {
      g_prefix_error (error, "cannot write --%s ", option);
      return FALSE;
    }
  return TRUE;
}

/* Validates @options and builds the page URL. */
gboolean
rh_page_options_prepare (RhPageOptions *options, char **page_url, GError **error)
{
  g_autofree char *url = NULL;

  g_return_val_if_fail (options->room != NULL && options->page != NULL, FALSE);

  if (!rh_record_config_validate (&options->record, error))
    return FALSE;
  if (options->timeout_s == 0)
    {
      g_set_error_literal (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                           "--timeout must be at least 1 second");
      return FALSE;
    }
  if (options->page_memory_mb < RH_PAGE_OPTIONS_MIN_PAGE_MEMORY_MB
      || options->page_memory_mb > RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB)
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "--page-memory must be %u..%u MB",
                   RH_PAGE_OPTIONS_MIN_PAGE_MEMORY_MB, RH_PAGE_OPTIONS_MAX_PAGE_MEMORY_MB);
      return FALSE;
    }
  if (options->ready == NULL)
    options->ready = rh_ready_protocol_parse ("event1", NULL);
  url = rh_room_build_page_url (options->room, options->page, error);
  if (url == NULL)
    return FALSE;
  /* Output places are checked now, not after a long wait.  A link as the
   * pictures' directory would put them where it points. */
  if (options->snapshots_dir != NULL
      && g_file_test (options->snapshots_dir, G_FILE_TEST_IS_SYMLINK))
    {
      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT,
                   "cannot write --snapshots %s: a symbolic link (not followed)",
                   options->snapshots_dir);
      return FALSE;
    }
  if (options->snapshots_dir != NULL && g_mkdir_with_parents (options->snapshots_dir, 0755) != 0)
    {
      int saved = errno;

      g_set_error (error, RH_ERROR, RH_ERROR_INVALID_INPUT, "cannot create --snapshots %s: %s",
                   options->snapshots_dir, g_strerror (saved));
      return FALSE;
    }
  if (!output_dir_exists ("junit", options->junit, error)
      || !output_dir_exists ("har", options->har, error))
    return FALSE;
  *page_url = g_steal_pointer (&url);
  return TRUE;
}

static void
add_uri_password (RhTimeline *timeline, const char *uri)
{
  g_autoptr (GUri) parsed = g_uri_parse (uri, G_URI_FLAGS_HAS_PASSWORD, NULL);

  if (parsed != NULL && g_uri_get_password (parsed) != NULL)
    rh_timeline_add_secret (timeline, g_uri_get_password (parsed));
}

/* What never appears in output: the token, and the passwords of URLs given
 * (https://user:password@host as --api-base or the page; a --route target
 * has none). */
void
rh_page_options_add_secrets (const RhPageOptions *options, RhTimeline *timeline)
{
  rh_timeline_add_secret (timeline, options->room->rtm_token);
  if (options->api_base != NULL)
    add_uri_password (timeline, options->api_base);
  add_uri_password (timeline, options->page);
}
