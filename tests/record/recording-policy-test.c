/* The recording lifecycle rules, on a fake clock. */
#include <string.h>

#include "rh-recording-policy.h"
#include "test-utils.h"

typedef struct
{
  gint64 now_us;
  RhRecordingPolicy *policy;
  GArray *reasons;   /* guint, from each state event */
  GPtrArray *loads;  /* "attempt:why" */
  GPtrArray *events; /* JsonNode */
  guint finished;
} Fixture;

static gint64
fake_clock (gpointer user_data)
{
  return ((Fixture *) user_data)->now_us;
}

static void
on_state_changed (RhRecordingPolicy *policy, JsonNode *event, gpointer user_data)
{
  Fixture *fixture = user_data;
  JsonObject *data = json_object_get_object_member (json_node_get_object (event), "data");
  guint reason = json_object_get_int_member (data, "reason");

  g_array_append_val (fixture->reasons, reason);
  g_ptr_array_add (fixture->events, json_node_copy (event));
}

static void
on_load_page (RhRecordingPolicy *policy, guint attempt, const char *why, gpointer user_data)
{
  Fixture *fixture = user_data;

  g_ptr_array_add (fixture->loads, g_strdup_printf ("%u:%s", attempt, why));
}

static void
on_finished (RhRecordingPolicy *policy, gpointer user_data)
{
  ((Fixture *) user_data)->finished++;
}

static void
setup_with (Fixture *fixture, guint duration_s, gboolean on_hold)
{
  RhRecordingPolicyConfig config = { "room-1", 60, duration_s, on_hold };

  fixture->now_us = 1000 * G_USEC_PER_SEC;
  fixture->reasons = g_array_new (FALSE, FALSE, sizeof (guint));
  fixture->loads = g_ptr_array_new_with_free_func (g_free);
  fixture->events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_node_unref);
  fixture->policy = rh_recording_policy_new (&config, fake_clock, fixture);
  g_signal_connect (fixture->policy, "state-changed", G_CALLBACK (on_state_changed), fixture);
  g_signal_connect (fixture->policy, "load-page", G_CALLBACK (on_load_page), fixture);
  g_signal_connect (fixture->policy, "finished", G_CALLBACK (on_finished), fixture);
}

static void
fixture_setup (Fixture *fixture, gconstpointer data)
{
  setup_with (fixture, 0, FALSE);
}

static void
fixture_setup_duration (Fixture *fixture, gconstpointer data)
{
  setup_with (fixture, 10, FALSE);
}

static void
fixture_setup_on_hold (Fixture *fixture, gconstpointer data)
{
  setup_with (fixture, 10, TRUE);
}

static void
fixture_teardown (Fixture *fixture, gconstpointer data)
{
  g_object_unref (fixture->policy);
  g_array_unref (fixture->reasons);
  g_ptr_array_unref (fixture->loads);
  g_ptr_array_unref (fixture->events);
}

/* Moves the clock by @seconds and lets the policy see it. */
static void
advance (Fixture *fixture, double seconds)
{
  fixture->now_us += (gint64) (seconds * G_USEC_PER_SEC);
  rh_recording_policy_tick (fixture->policy);
}

static void
assert_reasons (Fixture *fixture, const char *expected)
{
  g_autoptr (GString) got = g_string_new (NULL);

  for (guint i = 0; i < fixture->reasons->len; i++)
    g_string_append_printf (got, "%s%u", i > 0 ? "," : "",
                            g_array_index (fixture->reasons, guint, i));
  g_assert_cmpstr (got->str, ==, expected);
}

static void
assert_loads (Fixture *fixture, const char *expected)
{
  g_autoptr (GString) got = g_string_new (NULL);

  for (guint i = 0; i < fixture->loads->len; i++)
    g_string_append_printf (got, "%s%s", i > 0 ? "," : "",
                            (char *) g_ptr_array_index (fixture->loads, i));
  g_assert_cmpstr (got->str, ==, expected);
}

static void
test_normal (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  advance (fixture, 5);
  rh_recording_policy_ready_acknowledged (fixture->policy);
  g_assert_true (rh_recording_policy_is_recording (fixture->policy));
  /* No duration: no deadline once recording. */
  g_assert_cmpint (rh_recording_policy_get_deadline (fixture->policy), ==, -1);
  advance (fixture, 3600);
  rh_recording_policy_stop (fixture->policy);
  assert_reasons (fixture, "1,2");
  assert_loads (fixture, "1:start");
  g_assert_cmpuint (fixture->finished, ==, 1);
  g_assert_false (rh_recording_policy_gave_up (fixture->policy));
}

static void
test_ready_on_second_load (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  advance (fixture, 59.9);
  assert_reasons (fixture, "");
  advance (fixture, 0.1);
  assert_reasons (fixture, "4");
  assert_loads (fixture, "1:start,2:retry");
  advance (fixture, 20);
  rh_recording_policy_ready_acknowledged (fixture->policy);
  rh_recording_policy_stop (fixture->policy);
  assert_reasons (fixture, "4,3,2");
}

static void
test_never_ready (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  advance (fixture, 60);
  advance (fixture, 60);
  g_assert_cmpuint (fixture->finished, ==, 0);
  advance (fixture, 60);
  assert_reasons (fixture, "4,4,5");
  assert_loads (fixture, "1:start,2:retry,3:retry");
  g_assert_cmpuint (fixture->finished, ==, 1);
  g_assert_true (rh_recording_policy_gave_up (fixture->policy));
  /* Nothing after the end. */
  advance (fixture, 600);
  rh_recording_policy_ready_acknowledged (fixture->policy);
  rh_recording_policy_stop (fixture->policy);
  assert_reasons (fixture, "4,4,5");
  g_assert_cmpuint (fixture->finished, ==, 1);
}

static void
test_crash_before_ready (Fixture *fixture, gconstpointer data)
{
  gint64 deadline;

  rh_recording_policy_start (fixture->policy);
  deadline = rh_recording_policy_get_deadline (fixture->policy);
  advance (fixture, 30);
  rh_recording_policy_page_crashed (fixture->policy);
  assert_loads (fixture, "1:start,1:crash");
  /* A crash does not buy the page more time. */
  g_assert_cmpint (rh_recording_policy_get_deadline (fixture->policy), ==, deadline);
  advance (fixture, 30);
  assert_reasons (fixture, "4");
}

static void
test_crash_while_recording (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  rh_recording_policy_ready_acknowledged (fixture->policy);
  rh_recording_policy_page_crashed (fixture->policy);
  /* The reloaded page gets ready again: no new state. */
  rh_recording_policy_ready_acknowledged (fixture->policy);
  g_assert_true (rh_recording_policy_is_recording (fixture->policy));
  rh_recording_policy_stop (fixture->policy);
  assert_reasons (fixture, "1,2");
  assert_loads (fixture, "1:start,1:crash");
}

static void
test_ready_refused_then_timeout (Fixture *fixture, gconstpointer data)
{
  /* A refused ready call (4xx, code != 0) is no acknowledgement: the
   * policy hears nothing and the retry timer decides. */
  rh_recording_policy_start (fixture->policy);
  advance (fixture, 60);
  advance (fixture, 10);
  rh_recording_policy_ready_acknowledged (fixture->policy);
  assert_reasons (fixture, "4,3");
}

static void
test_duration (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  advance (fixture, 2);
  rh_recording_policy_ready_acknowledged (fixture->policy);
  advance (fixture, 9.9);
  assert_reasons (fixture, "1");
  advance (fixture, 0.1);
  assert_reasons (fixture, "1,2");
  g_assert_cmpuint (fixture->finished, ==, 1);
  g_assert_false (rh_recording_policy_gave_up (fixture->policy));
}

static void
test_on_hold (Fixture *fixture, gconstpointer data)
{
  JsonObject *first;

  rh_recording_policy_start (fixture->policy);
  rh_recording_policy_ready_acknowledged (fixture->policy);
  g_assert_true (rh_recording_policy_is_held (fixture->policy));
  first = json_object_get_object_member (json_node_get_object (g_ptr_array_index (fixture->events,
                                                                                  0)),
                                         "data");
  g_assert_true (json_object_get_boolean_member (first, "onHold"));
  /* Held: the duration does not run. */
  advance (fixture, 100);
  assert_reasons (fixture, "1");
  g_assert_true (rh_recording_policy_release (fixture->policy));
  g_assert_false (rh_recording_policy_is_held (fixture->policy));
  g_assert_false (rh_recording_policy_release (fixture->policy));
  advance (fixture, 10);
  assert_reasons (fixture, "1,2");
}

static void
test_release_before_ready (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  g_assert_true (rh_recording_policy_release (fixture->policy));
  rh_recording_policy_ready_acknowledged (fixture->policy);
  g_assert_false (rh_recording_policy_is_held (fixture->policy));
  advance (fixture, 10);
  assert_reasons (fixture, "1,2");
}

static void
test_release_without_hold (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  g_assert_false (rh_recording_policy_release (fixture->policy));
}

static void
test_stop_before_ready (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  advance (fixture, 5);
  rh_recording_policy_stop (fixture->policy);
  assert_reasons (fixture, "2");
  g_assert_false (rh_recording_policy_gave_up (fixture->policy));
  g_assert_cmpint (rh_recording_policy_get_deadline (fixture->policy), ==, -1);
}

typedef struct
{
  const char *name;
  const char *steps;    /* t: the retry timeout passes, r: ready, h: release, s: stop */
  const char *expected; /* each event's reason and onHold */
} HoldRow;

/* An event says the hold in force when it happens, from the start, as the
 * cloud's do: held until released, whether the page is ready or not. */
static const HoldRow hold_rows[] = {
  { "retry-then-ready", "trhs", "4:held,3:held,2:released" },
  { "never-ready", "ttt", "4:held,4:held,5:held" },
  { "released-while-retrying", "thrs", "4:held,3:released,2:released" },
  { "stopped-held", "rs", "1:held,2:held" },
  { "stopped-before-ready", "s", "2:held" },
};

static void
test_hold_in_events (Fixture *fixture, gconstpointer data)
{
  const HoldRow *row = data;
  g_autoptr (GString) got = g_string_new (NULL);

  rh_recording_policy_start (fixture->policy);
  for (const char *step = row->steps; *step != '\0'; step++)
    switch (*step)
      {
      case 't':
        advance (fixture, 60);
        break;
      case 'r':
        rh_recording_policy_ready_acknowledged (fixture->policy);
        break;
      case 'h':
        rh_recording_policy_release (fixture->policy);
        break;
      default:
        rh_recording_policy_stop (fixture->policy);
        break;
      }
  for (guint i = 0; i < fixture->events->len; i++)
    {
      JsonObject *event = json_node_get_object (g_ptr_array_index (fixture->events, i));
      JsonObject *data_object = json_object_get_object_member (event, "data");

      g_string_append_printf (got, "%s%" G_GINT64_FORMAT ":%s", i > 0 ? "," : "",
                              json_object_get_int_member (data_object, "reason"),
                              json_object_get_boolean_member (data_object, "onHold")
                                ? "held" : "released");
    }
  g_assert_cmpstr (got->str, ==, row->expected);
}

static void
test_event_shape (Fixture *fixture, gconstpointer data)
{
  rh_recording_policy_start (fixture->policy);
  advance (fixture, 60);
  rh_recording_policy_ready_acknowledged (fixture->policy);
  rh_recording_policy_stop (fixture->policy);
  g_assert_cmpuint (fixture->events->len, ==, 3);
  for (guint i = 0; i < fixture->events->len; i++)
    {
      JsonObject *event = json_node_get_object (g_ptr_array_index (fixture->events, i));
      JsonObject *data_object = json_object_get_object_member (event, "data");
      gint64 reason = json_object_get_int_member (data_object, "reason");

      g_assert_cmpstr (json_object_get_string_member (event, "roomUuid"), ==, "room-1");
      g_assert_cmpint (json_object_get_int_member (event, "cmd"), ==, 1001);
      g_assert_cmpint (json_object_get_int_member (event, "sequence"), ==, i + 1);
      g_assert_cmpstr (json_object_get_string_member (data_object, "recordId"), ==,
                       rh_recording_policy_get_record_id (fixture->policy));
      g_assert_cmpint (json_object_get_int_member (data_object, "state"), ==,
                       reason == 1 || reason == 3 ? 1 : 2);
      g_assert_cmpint (json_object_get_int_member (data_object, "attempt"), ==, i == 0 ? 1 : 2);
    }
  g_assert_cmpuint (strlen (rh_recording_policy_get_record_id (fixture->policy)), ==, 32);
}

int
main (int argc, char **argv)
{
  rh_test_init (&argc, &argv);
#define ADD(path, setup, func) g_test_add (path, Fixture, NULL, setup, func, fixture_teardown)
  ADD ("/recording-policy/normal", fixture_setup, test_normal);
  ADD ("/recording-policy/ready-on-second-load", fixture_setup, test_ready_on_second_load);
  ADD ("/recording-policy/never-ready", fixture_setup, test_never_ready);
  ADD ("/recording-policy/crash-before-ready", fixture_setup, test_crash_before_ready);
  ADD ("/recording-policy/crash-while-recording", fixture_setup, test_crash_while_recording);
  ADD ("/recording-policy/ready-refused-then-timeout", fixture_setup,
       test_ready_refused_then_timeout);
  ADD ("/recording-policy/duration", fixture_setup_duration, test_duration);
  ADD ("/recording-policy/on-hold", fixture_setup_on_hold, test_on_hold);
  ADD ("/recording-policy/release-before-ready", fixture_setup_on_hold,
       test_release_before_ready);
  ADD ("/recording-policy/release-without-hold", fixture_setup, test_release_without_hold);
  ADD ("/recording-policy/stop-before-ready", fixture_setup, test_stop_before_ready);
  ADD ("/recording-policy/event-shape", fixture_setup, test_event_shape);
#undef ADD
  for (guint i = 0; i < G_N_ELEMENTS (hold_rows); i++)
    {
      g_autofree char *path = g_strconcat ("/recording-policy/hold-in-events/", hold_rows[i].name,
                                           NULL);

      g_test_add (path, Fixture, &hold_rows[i], fixture_setup_on_hold, test_hold_in_events,
                  fixture_teardown);
    }
  return g_test_run ();
}
