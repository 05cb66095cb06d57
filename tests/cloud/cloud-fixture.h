/* A local cloud for a test: a new data directory, its store, the cloud on
 * loopback (port 0) and a session to call it. */
#pragma once

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>

#include "rh-cloud.h"

G_BEGIN_DECLS

typedef struct
{
  char *data_dir;
  RhCloud *cloud;
  SoupSession *session;
  char *token; /* sent as x-agora-token when set */
} CloudFixture;

void        cloud_fixture_setup    (CloudFixture *fixture, const char *require_token,
                                    guint timeout_s);
void        cloud_fixture_start    (CloudFixture *fixture, const char *require_token);
void        cloud_fixture_teardown (CloudFixture *fixture);
JsonObject *cloud_fixture_call     (CloudFixture *fixture, const char *method, const char *path,
                                    const char *body, guint *status);

G_END_DECLS
