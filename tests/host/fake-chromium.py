#!/usr/bin/env python3
"""A browser that speaks just enough of the DevTools protocol on a pipe
(--remote-debugging-pipe: commands on fd 3, answers and events on fd 4) to
hold RhChromiumPageHost to what a real Chromium does now and then:

- it answers Page.addScriptToEvaluateOnNewDocument last, well after the
  other commands of a target's set-up, and fails a Page.navigate that
  comes before that answer;
- its screencast sends one picture, $FAKE_CHROMIUM_BLANK, and then nothing;
  Page.captureScreenshot gives $FAKE_CHROMIUM_PAINTED, the page as painted,
  and writes how many it was asked for to $FAKE_CHROMIUM_SCREENSHOTS.
"""
import base64
import json
import os
import select
import time

SCRIPT_ANSWER_DELAY_S = 0.5
SESSION = "session-1"
TARGET = "target-1"


def picture(variable):
    with open(os.environ[variable], "rb") as f:
        return base64.b64encode(f.read()).decode("ascii")


class Peer:
    def __init__(self):
        self.inbox = b""
        self.later = []  # (time, message): answers held back
        self.scripts_unanswered = 0
        self.screenshots = 0

    def send(self, message):
        data = json.dumps(message).encode() + b"\0"
        while data:
            data = data[os.write(4, data):]

    def event(self, method, params, session=SESSION):
        message = {"method": method, "params": params}
        if session is not None:
            message["sessionId"] = session
        self.send(message)

    def answer(self, command, result):
        message = {"id": command["id"], "result": result}
        if "sessionId" in command:
            message["sessionId"] = command["sessionId"]
        return message

    def handle(self, command):
        method = command.get("method")
        params = command.get("params", {})
        result = {}
        if method == "Browser.getVersion":
            result = {"product": "HeadlessChrome/1.0", "userAgent": "FakeChromium/1.0"}
        elif method == "Target.createBrowserContext":
            result = {"browserContextId": "context-1"}
        elif method == "Target.createTarget":
            result = {"targetId": TARGET}
        elif method == "Target.attachToTarget":
            self.event("Target.attachedToTarget",
                       {"sessionId": SESSION, "waitingForDebugger": False,
                        "targetInfo": {"targetId": TARGET, "type": "page",
                                       "url": "about:blank"}}, session=None)
            result = {"sessionId": SESSION}
        elif method == "Page.addScriptToEvaluateOnNewDocument":
            self.scripts_unanswered += 1
            self.later.append((time.monotonic() + SCRIPT_ANSWER_DELAY_S,
                               self.answer(command, {"identifier": "1"})))
            return
        elif method == "Page.startScreencast":
            self.send(self.answer(command, {}))
            self.event("Page.screencastFrame",
                       {"data": picture("FAKE_CHROMIUM_BLANK"), "sessionId": 1,
                        "metadata": {}})
            return
        elif method == "Page.captureScreenshot":
            self.screenshots += 1
            with open(os.environ["FAKE_CHROMIUM_SCREENSHOTS"], "w") as f:
                f.write(str(self.screenshots))
            result = {"data": picture("FAKE_CHROMIUM_PAINTED")}
        elif method == "Page.navigate":
            if self.scripts_unanswered > 0:
                result = {"frameId": TARGET,
                          "errorText": "navigated before the set-up was answered"}
            else:
                self.send(self.answer(command, {"frameId": TARGET, "loaderId": "1"}))
                self.event("Page.frameNavigated",
                           {"frame": {"id": TARGET, "url": params.get("url", "")}})
                self.event("Page.loadEventFired", {"timestamp": 1})
                return
        self.send(self.answer(command, result))
        if method == "Page.enable":
            self.event("Runtime.executionContextCreated",
                       {"context": {"id": 1, "auxData": {"frameId": TARGET}}})

    def run(self):
        while True:
            timeout = None
            if self.later:
                timeout = max(0, min(t for t, _ in self.later) - time.monotonic())
            ready, _, _ = select.select([3], [], [], timeout)
            now = time.monotonic()
            for held in [h for h in self.later if h[0] <= now]:
                self.later.remove(held)
                self.scripts_unanswered -= 1
                self.send(held[1])
            if not ready:
                continue
            data = os.read(3, 65536)
            if not data:
                return
            self.inbox += data
            while b"\0" in self.inbox:
                text, self.inbox = self.inbox.split(b"\0", 1)
                self.handle(json.loads(text))


Peer().run()
