/* A scriptable cloud for tests: a SoupServer on loopback port 0 that serves
 * page/ under /page/, records every request and answers the ready call
 * with a scripted sequence of replies. */
#pragma once

#include <libsoup/soup.h>

typedef struct
{
  char *method;
  char *path;
  SoupMessageHeaders *headers;
} FakeRequest;

typedef struct
{
  SoupServer *server;
  char *base_url;       /* http://127.0.0.1:PORT */
  GPtrArray *requests;  /* FakeRequest, ready calls only */
  GQueue replies;       /* FakeReply, consumed in order; the last one repeats */
} FakeCloud;

FakeCloud *fake_cloud_new      (void);
void       fake_cloud_free     (FakeCloud *cloud);
/* Queue a reply: HTTP @status with @body (NULL for the success envelope). */
void       fake_cloud_reply    (FakeCloud *cloud, guint status, const char *body);
void       fake_cloud_clear_replies (FakeCloud *cloud);
char      *fake_cloud_page_url (FakeCloud *cloud, const char *page);
FakeRequest *fake_cloud_get_request (FakeCloud *cloud, guint index);
char      *fake_cloud_refused_url (void);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FakeCloud, fake_cloud_free)
