/* The options of the page commands (check, demo, run), turned into
 * RhPageOptions and RhRunOptions. */
#pragma once

#include <glib.h>

#include "rh-page-options.h"
#include "rh-run.h"

G_BEGIN_DECLS

typedef enum
{
  RH_PAGE_COMMAND_CHECK,
  RH_PAGE_COMMAND_DEMO,
  RH_PAGE_COMMAND_RUN,
} RhPageCommand;

/* Raw option values: everything is parsed and range-checked by us, so that
 * every mistake gets the same kind of one-line message and exit status 2. */
typedef struct
{
  char *app_id;
  char *room_uuid;
  char *room_type;
  char *user_uuid;
  char *role_type;
  char *rtm_token;
  char *language;
  char *region;
  char **params;
  char *width;
  char *height;
  char *ready;
  char *api_base;
  char *webrtc;
  char *engine;
  char **routes;
  char *sdk_api;
  char *har;
  char *pages;
  char *parallel;
  char *sdk;
  char *user_agent;
  char *page_memory;
  char *blank_threshold;
  char *timeout;
  char *snapshots;
  char *junit;
  char *junit_name;
  char **fail_on;
  char *slow_paint_ms;
  char *paint_grace_ms;
  char *retry_timeout;
  char *record;
  char *video_fps;
  char *video_bitrate;
  char *duration;
  gboolean on_hold;
  char *state_log;
  gboolean flow;
  gboolean json;
  gboolean quiet;
  gboolean verbose;
  char **rest;
} RhPageArgs;

void rh_page_args_clear (RhPageArgs *args);
G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (RhPageArgs, rh_page_args_clear)

GOptionContext *rh_page_args_context_new      (RhPageArgs *args, RhPageCommand command);
RhPageOptions  *rh_page_args_to_page_options  (RhPageArgs *args, RhPageCommand command,
                                               const char *page, GError **error);
RhRunOptions   *rh_page_args_to_run_options   (RhPageArgs *args, RhPageOptions *page,
                                               GError **error);
gboolean        rh_page_args_get_parallel     (RhPageArgs *args, guint *parallel,
                                               GError **error);

G_END_DECLS
