#include "rh-engine-features.h"

#include <string.h>

static const char *const rtc_needles[] = { "RTCPeerConnection", "RTCSessionDescription",
                                           "RTCIceCandidate", NULL };
static const char *const media_needles[] = { "getUserMedia", "mediaDevices", NULL };
static const char *const webgl2_needles[] = { "webgl2", "WebGL2", NULL };
static const char *const offscreen_needles[] = { "OffscreenCanvas", NULL };

static const RhEngineFeature features[] = {
  { "RTCPeerConnection", rtc_needles,
    "WebRTC (RTCPeerConnection) is missing in this WebKit: locally the classroom receives no "
    "audio or video and video tiles stay empty; the cloud recorder has WebRTC. "
    "The default --webrtc=standin lets the rest of the page be validated" },
  { "getUserMedia", media_needles,
    "navigator.mediaDevices.getUserMedia is missing in this WebKit: a recorder has no camera or "
    "microphone anyway, but code that calls it unguarded throws here and not in the cloud; "
    "the default --webrtc=standin answers as a recorder without devices" },
  { "WebGL2", webgl2_needles,
    "WebGL 2 is missing in this WebKit (WebGL 1 works): drawing that needs it falls back or "
    "fails locally, not in the cloud recorder" },
  { "OffscreenCanvas", offscreen_needles,
    "OffscreenCanvas is missing in this WebKit: rendering in workers fails locally, not in the "
    "cloud recorder" },
};

const RhEngineFeature *
rh_engine_features (guint *n_features)
{
  *n_features = G_N_ELEMENTS (features);
  return features;
}

/* NULL for a name the table does not know (a page's own). */
const RhEngineFeature *
rh_engine_feature_lookup (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (features); i++)
    if (g_str_equal (features[i].name, name))
      return &features[i];
  return NULL;
}

/* The next feature from index *@from on that @message names, *@from moved
 * past it; NULL when no other one is named.  Start with *@from = 0. */
const RhEngineFeature *
rh_engine_feature_named_in (const char *message, guint *from)
{
  for (; message != NULL && *from < G_N_ELEMENTS (features); (*from)++)
    for (guint n = 0; features[*from].needles[n] != NULL; n++)
      if (strstr (message, features[*from].needles[n]) != NULL)
        return &features[(*from)++];
  return NULL;
}
