/* The body of "start recording" (PUT .../records/states/1) and of its update
 * (PATCH), validated as the cloud does. */
#pragma once

#include <json-glib/json-glib.h>

#include "rh-page-options.h"

G_BEGIN_DECLS

#define RH_RECORD_REQUEST_ERROR (rh_record_request_error_quark ())

/* The cloud's codes, reused as error codes. */
typedef enum
{
  RH_RECORD_REQUEST_ERROR_INVALID = 400,          /* malformed or out of range */
  RH_RECORD_REQUEST_ERROR_NO_URL = 30400412,      /* web mode without url or rootUrl */
} RhRecordRequestError;

GQuark rh_record_request_error_quark (void);

typedef struct
{
  char *url;             /* url if given, else rootUrl */
  gboolean on_hold;
  guint width;
  guint height;
  guint bitrate_kbps;
  guint fps;
  guint max_recording_hours;
  guint retry_timeout_s;
  gboolean has_sdk_api;  /* webRecordConfig set sdkApi */
  gboolean sdk_api_local; /* sdkApi "local": the SDKs' API hosts go to the cloud */
  gboolean snapshots;     /* pictures of each attempt of the page are kept */
  gboolean has_engine;    /* webRecordConfig set engine */
  RhBrowserEngine engine; /* the page's browser engine, if it did */
} RhRecordRequest;

RhRecordRequest *rh_record_request_parse  (const char *body, gsize length, GError **error);
gboolean         rh_record_request_update (const char *body, gsize length, gboolean *on_hold,
                                           gboolean *has_on_hold, GError **error);
gboolean         rh_record_request_check_page (const RhRecordRequest *request,
                                               gboolean allow_file_pages,
                                               const char *file_page, GError **error);
void             rh_record_request_free   (RhRecordRequest *request);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (RhRecordRequest, rh_record_request_free)

G_END_DECLS
