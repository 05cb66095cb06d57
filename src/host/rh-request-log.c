#include "rh-request-log.h"

#include <gio/gio.h>
#include <string.h>

#include "rh-bridge.h"
#include "rh-json.h"

#define NO_TIME (-1)

struct _RhRequestLog
{
  GPtrArray *requests; /* RhRequest */
  GHashTable *by_id;   /* "CONTEXT ID" -> RhRequest, not owned */
  guint dropped;
};

/* Hosts of the published classroom SDKs and what the SDK uses them for.
 * The RTM and RTC ones speak the vendor's own protocols: nothing local can
 * answer them. */
static const struct
{
  const char *pattern; /* a host glob */
  const char *step;
  gboolean local_impossible;
} sdk_hosts[] = {
  { "ap-web-*.agora.io", "its RTM login", TRUE },
  { "webrtc2-*.ap.sd-rtn.com", "its RTM login", TRUE },
  { "*.edge.agora.io", "its RTM connection", TRUE },
  { "*.edge.sd-rtn.com", "its RTM connection", TRUE },
  { "edge.sd-rtn.com", "its RTM connection", TRUE },
  { "webrtc2-ap-web-*.agora.io", "its RTC join", TRUE },
  { "webrtc-*.agora.io", "its RTC join", TRUE },
  { "*.agoraio.cn", "its RTC join", TRUE },
  { "*.edge.agoraio.cn", "its RTC connection", TRUE },
  { "*statscollector*.agora.io", "its statistics upload", FALSE },
  { "*logservice*.agora.io", "its log upload", FALSE },
  { "*-log-*.agora.io", "its log upload", FALSE },
  { "web-*.statscollector.sd-rtn.com", "its statistics upload", FALSE },
  { "api.agora.io", "its classroom API", FALSE },
  { "api.sd-rtn.com", "its classroom API", FALSE },
  { "api-*.agora.io", "its classroom API", FALSE },
  { "api-*.sd-rtn.com", "its classroom API", FALSE },
  { "download.agora.io", "its resource download", FALSE },
  { "solutions-apaas.agora.io", "its AI denoiser download", FALSE },
  { "webcollector-*.agora.io", "its event reporting", FALSE },
  { "*.agora.io", "a vendor service", FALSE },
  { "*.sd-rtn.com", "a vendor service", FALSE },
};

const char *
rh_request_sdk_step (const char *host, gboolean *local_impossible)
{
  for (guint i = 0; host != NULL && i < G_N_ELEMENTS (sdk_hosts); i++)
    if (g_pattern_match_simple (sdk_hosts[i].pattern, host))
      {
        if (local_impossible != NULL)
          *local_impossible = sdk_hosts[i].local_impossible;
        return sdk_hosts[i].step;
      }
  if (local_impossible != NULL)
    *local_impossible = FALSE;
  return NULL;
}

void
rh_request_free (RhRequest *request)
{
  g_free (request->scope);
  g_free (request->api);
  g_free (request->method);
  g_free (request->url);
  g_free (request->routed_to);
  g_free (request->error);
  g_free (request);
}

RhRequestLog *
rh_request_log_new (void)
{
  RhRequestLog *log = g_new0 (RhRequestLog, 1);

  log->requests = g_ptr_array_new_with_free_func ((GDestroyNotify) rh_request_free);
  log->by_id = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  return log;
}

void
rh_request_log_free (RhRequestLog *log)
{
  if (log == NULL)
    return;
  g_hash_table_unref (log->by_id);
  g_ptr_array_unref (log->requests);
  g_free (log);
}

void
rh_request_log_reset (RhRequestLog *log)
{
  g_hash_table_remove_all (log->by_id);
  g_ptr_array_set_size (log->requests, 0);
  log->dropped = 0;
}

/* A string member, cut to a sane length: the page wrote it. */
static char *
member_dup (JsonObject *message, const char *name, gsize max)
{
  const char *text = rh_json_string_member (message, name);

  if (text == NULL)
    return NULL;
  if (!g_utf8_validate (text, -1, NULL))
    return g_strdup ("(not UTF-8)");
  if (strlen (text) <= max)
    return g_strdup (text);
  return g_strdup_printf ("%.*s…", (int) (g_utf8_find_prev_char (text, text + max) - text), text);
}

static guint
member_uint (JsonObject *message, const char *name)
{
  JsonNode *node = json_object_get_member (message, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return 0;
  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return (guint) CLAMP (json_node_get_int (node), 0, G_MAXUINT);
  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    return (guint) CLAMP (json_node_get_double (node), 0, G_MAXUINT);
  return 0;
}

#define URL_MAX 2048

/* Each frame and worker numbers its requests: the key of one is its
 * context's name (the top frame has none) and its number. */
static char *
request_key (JsonObject *message, guint id)
{
  g_autofree char *context = member_dup (message, "context", 64);

  return g_strdup_printf ("%s %u", context != NULL ? context : "", id);
}

/* "frame" or "worker" for a subframe's or a worker's message, else NULL. */
static char *
request_scope (JsonObject *message)
{
  const char *scope = rh_bridge_message_get_string (message, "scope");

  if (g_strcmp0 (scope, "frame") == 0 || g_strcmp0 (scope, "worker") == 0)
    return g_strdup (scope);
  return NULL;
}

const RhRequest *
rh_request_log_begin (RhRequestLog *log, JsonObject *message, gint64 ms)
{
  RhRequest *request;
  guint id = member_uint (message, "id");
  g_autofree char *key = id != 0 ? request_key (message, id) : NULL;

  if (id == 0 || g_hash_table_contains (log->by_id, key))
    return NULL;
  if (log->requests->len >= RH_REQUEST_LOG_MAX)
    {
      log->dropped++;
      return NULL;
    }
  request = g_new0 (RhRequest, 1);
  request->id = id;
  request->scope = request_scope (message);
  request->api = member_dup (message, "api", 16);
  request->method = member_dup (message, "method", 16);
  request->url = member_dup (message, "url", URL_MAX);
  request->routed_to = member_dup (message, "routed_to", URL_MAX);
  if (request->api == NULL)
    request->api = g_strdup ("fetch");
  if (request->method == NULL)
    request->method = g_strdup ("GET");
  if (request->url == NULL)
    request->url = g_strdup ("");
  request->start_ms = ms;
  request->end_ms = NO_TIME;
  g_ptr_array_add (log->requests, request);
  g_hash_table_insert (log->by_id, g_steal_pointer (&key), request);
  return request;
}

const RhRequest *
rh_request_log_end (RhRequestLog *log, JsonObject *message, gint64 ms)
{
  g_autofree char *key = request_key (message, member_uint (message, "id"));
  RhRequest *request = g_hash_table_lookup (log->by_id, key);

  if (request == NULL || request->end_ms != NO_TIME)
    return NULL;
  request->end_ms = ms;
  request->status = member_uint (message, "status");
  request->error = member_dup (message, "error", 512);
  return request;
}

const GPtrArray *
rh_request_log_get_all (RhRequestLog *log)
{
  return log->requests;
}

guint
rh_request_log_dropped (RhRequestLog *log)
{
  return log->dropped;
}

gboolean
rh_request_is_failed (const RhRequest *request)
{
  return request->error != NULL || request->status >= 400;
}

/* Where the request went. */
const char *
rh_request_target (const RhRequest *request)
{
  return request->routed_to != NULL ? request->routed_to : request->url;
}

static char *
host_of (const char *url)
{
  g_autoptr (GUri) uri = g_uri_parse (url, G_URI_FLAGS_NONE, NULL);

  if (uri == NULL || g_uri_get_host (uri) == NULL)
    return NULL;
  return g_ascii_strdown (g_uri_get_host (uri), -1);
}

/* The engines' messages for a request that never got an answer, in words:
 * WebKit's (libsoup's) and Chromium's net:: error names. */
const char *
rh_request_error_in_words (const char *error)
{
  if (error == NULL)
    return NULL;
  if (strstr (error, "hostname could not be found") != NULL
      || strstr (error, "resolv") != NULL || strstr (error, "not known") != NULL
      || strstr (error, "ERR_NAME_NOT_RESOLVED") != NULL)
    return "name not resolved";
  if (strstr (error, "Could not connect") != NULL || strstr (error, "refused") != NULL
      || strstr (error, "ERR_CONNECTION_REFUSED") != NULL)
    return "connection refused";
  if (strstr (error, "timed out") != NULL || strstr (error, "TIMED_OUT") != NULL)
    return "timed out";
  if (strstr (error, "certificate") != NULL || strstr (error, "TLS") != NULL
      || strstr (error, "ERR_CERT_") != NULL || strstr (error, "ERR_SSL_") != NULL)
    return "TLS error";
  if (strstr (error, "Load failed") != NULL || strstr (error, "network error") != NULL
      || strstr (error, "ERR_EMPTY_RESPONSE") != NULL
      || strstr (error, "ERR_CONNECTION_RESET") != NULL
      || strstr (error, "ERR_CONNECTION_CLOSED") != NULL)
    return "no answer";
  return error;
}

typedef struct
{
  char *host;
  const char *error; /* the request's */
  guint status;
  const char *step;
  guint rank;        /* 0: cannot work offline, 1: a known SDK step, 2: other */
} Unreached;

static void
unreached_clear (Unreached *unreached)
{
  g_free (unreached->host);
}

static gint
by_rank (gconstpointer a, gconstpointer b)
{
  return (gint) ((const Unreached *) a)->rank - (gint) ((const Unreached *) b)->rank;
}

char *
rh_request_log_describe_blocking (RhRequestLog *log, RhTransportErrorFunc transport_error,
                                  gpointer user_data)
{
  g_autoptr (GString) text = g_string_new (NULL);
  g_autoptr (GArray) unreached = g_array_new (FALSE, TRUE, sizeof (Unreached));
  const RhRequest *last_answered = NULL;
  gboolean impossible = FALSE;

  g_array_set_clear_func (unreached, (GDestroyNotify) unreached_clear);
  for (guint i = 0; i < log->requests->len; i++)
    {
      const RhRequest *request = g_ptr_array_index (log->requests, i);
      Unreached entry = { 0 };
      gboolean local_impossible = FALSE;
      gboolean seen = FALSE;

      if (request->status > 0 && request->status < 400)
        last_answered = request;
      if (!rh_request_is_failed (request))
        continue;
      entry.host = host_of (request->url);
      for (guint j = 0; entry.host != NULL && j < unreached->len && !seen; j++)
        seen = g_str_equal (g_array_index (unreached, Unreached, j).host, entry.host);
      if (entry.host == NULL || seen)
        {
          g_free (entry.host);
          continue;
        }
      entry.error = request->error;
      if (entry.error != NULL && transport_error != NULL)
        {
          const char *transport = transport_error (rh_request_target (request), user_data);

          if (transport != NULL)
            entry.error = transport;
        }
      entry.status = request->status;
      entry.step = rh_request_sdk_step (entry.host, &local_impossible);
      entry.rank = local_impossible ? 0 : entry.step != NULL ? 1 : 2;
      impossible |= local_impossible;
      g_array_append_val (unreached, entry);
    }
  g_array_sort (unreached, by_rank);
  for (guint i = 0; i < unreached->len && i < 4; i++)
    {
      const Unreached *entry = &g_array_index (unreached, Unreached, i);

      if (i == 0)
        g_string_append (text, entry->step != NULL ? "the SDK could not reach "
                                                   : "the page could not reach ");
      else
        g_string_append (text, ", ");
      if (entry->error != NULL)
        g_string_append_printf (text, "%s (%s)", entry->host,
                                rh_request_error_in_words (entry->error));
      else
        g_string_append_printf (text, "%s (HTTP %u)", entry->host, entry->status);
      if (entry->step != NULL)
        g_string_append_printf (text, ", %s", entry->step);
    }
  if (unreached->len > 4)
    g_string_append_printf (text, " and %u more hosts", unreached->len - 4);
  if (last_answered != NULL)
    g_string_append_printf (text, "%slast answered call %s %s (%u)", text->len > 0 ? "; " : "",
                            last_answered->method, rh_request_target (last_answered),
                            last_answered->status);
  if (impossible)
    g_string_append (text, "; the SDK's RTM and RTC services speak the vendor's own protocols "
                           "on the vendor's hosts and cannot be answered locally, so an SDK "
                           "that waits for them (2.x) cannot get ready offline");
  if (text->len == 0)
    return NULL;
  return g_string_free (g_steal_pointer (&text), FALSE);
}

/* A copy whose strings the page or a server wrote are redacted with
 * @timeline's secrets. */
RhRequest *
rh_request_copy_redacted (const RhRequest *request, RhTimeline *timeline)
{
  RhRequest *copy = g_new0 (RhRequest, 1);

  *copy = *request;
  copy->scope = g_strdup (request->scope);
  copy->api = rh_timeline_redact (timeline, request->api);
  copy->method = rh_timeline_redact (timeline, request->method);
  copy->url = rh_timeline_redact (timeline, request->url);
  copy->routed_to = rh_timeline_redact (timeline, request->routed_to);
  copy->error = rh_timeline_redact (timeline, request->error);
  return copy;
}
