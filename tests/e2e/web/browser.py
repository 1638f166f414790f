#!/usr/bin/env python3
"""Drives headless Chromium through the search page like a person would.

  browser.py CHROMIUM BASE_URL OUTDIR PROFILE_DIR

Starts Chromium with a DevTools socket on loopback and, over the DevTools
protocol (a small WebSocket client below; only the standard library):
loads the front page, reaches the search box with the Tab key, types a
query and presses Enter, clicks a facet with the mouse, clicks the "Next"
page link, opens a document, then loads pages carrying XSS payloads.
After each step it writes the DOM (OUTDIR/dom-STEP.html) and a PNG
screenshot (OUTDIR/STEP.png); OUTDIR/summary.json records what the test
asserts on: the tab order, every URL the browser requested, JavaScript
dialogs, console messages, the page width at phone size.

Exits 0 when the scenario ran (the shell test judges the results), 2 when
Chromium or the protocol failed.
"""
import base64
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.parse
import urllib.request


class WebSocket:
    """The client side of RFC 6455, enough for the DevTools protocol."""

    def __init__(self, url):
        u = urllib.parse.urlparse(url)
        self.sock = socket.create_connection((u.hostname, u.port), timeout=60)
        key = base64.b64encode(os.urandom(16)).decode()
        self.sock.sendall((f"GET {u.path} HTTP/1.1\r\nHost: {u.hostname}:{u.port}\r\n"
                           "Upgrade: websocket\r\nConnection: Upgrade\r\n"
                           f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n").encode())
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                raise EOFError("DevTools closed the connection during the handshake")
            data += chunk
        head, self.buf = data.split(b"\r\n\r\n", 1)
        if b" 101 " not in head.split(b"\r\n")[0]:
            raise RuntimeError("WebSocket handshake refused: " + head.decode(errors="replace"))

    def send(self, text):
        data = text.encode()
        head = bytearray([0x81])
        n = len(data)
        if n < 126:
            head.append(0x80 | n)
        elif n < 65536:
            head.append(0x80 | 126)
            head += struct.pack(">H", n)
        else:
            head.append(0x80 | 127)
            head += struct.pack(">Q", n)
        mask = os.urandom(4)
        head += mask
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(data))
        self.sock.sendall(bytes(head) + masked)

    def _read(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(1 << 16)
            if not chunk:
                raise EOFError("DevTools closed the connection")
            self.buf += chunk
        out, self.buf = self.buf[:n], self.buf[n:]
        return out

    def recv(self):
        message = b""
        while True:
            b0, b1 = self._read(2)
            op, n = b0 & 0x0F, b1 & 0x7F
            if n == 126:
                n = struct.unpack(">H", self._read(2))[0]
            elif n == 127:
                n = struct.unpack(">Q", self._read(8))[0]
            mask = self._read(4) if b1 & 0x80 else None
            payload = self._read(n)
            if mask:
                payload = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
            if op == 0x8:
                raise EOFError("DevTools closed the WebSocket")
            if op == 0x9:  # ping
                continue
            message += payload
            if b0 & 0x80:
                return message.decode()


class Browser:
    def __init__(self, chromium, profile, log):
        self.proc = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", "--no-default-browser-check", "--disable-dev-shm-usage",
             "--disable-extensions", "--mute-audio", f"--user-data-dir={profile}",
             "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
             "--window-size=1200,900", "about:blank"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        port_file = os.path.join(profile, "DevToolsActivePort")
        deadline = time.time() + 60
        while not os.path.exists(port_file) or os.path.getsize(port_file) == 0:
            if self.proc.poll() is not None or time.time() > deadline:
                raise RuntimeError("Chromium did not open its DevTools port")
            time.sleep(0.1)
        time.sleep(0.1)
        with open(port_file) as f:
            port = int(f.readline())
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=30) as r:
            targets = json.load(r)
        page = next(t for t in targets if t.get("type") == "page")
        self.ws = WebSocket(page["webSocketDebuggerUrl"])
        self.next_id = 0
        self.events = []      # not yet waited for
        self.all_events = []  # everything, for the summary

    def close(self):
        try:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        except Exception:
            self.proc.kill()
            self.proc.wait()

    def call(self, method, **params):
        self.next_id += 1
        mid = self.next_id
        self.ws.send(json.dumps({"id": mid, "method": method, "params": params}))
        deadline = time.time() + 60
        while time.time() < deadline:
            msg = json.loads(self.ws.recv())
            if msg.get("id") == mid:
                if "error" in msg:
                    raise RuntimeError(f"{method}: {msg['error']}")
                return msg.get("result", {})
            self.on_event(msg)
        raise TimeoutError(method)

    def on_event(self, msg):
        if "method" not in msg:
            return
        self.events.append(msg)
        self.all_events.append(msg)
        if msg["method"] == "Page.javascriptDialogOpening":
            # Record it (the test fails on any) and close it so the page goes on.
            self.ws.send(json.dumps({"id": 10 ** 6 + len(self.events),
                                     "method": "Page.handleJavaScriptDialog",
                                     "params": {"accept": False}}))

    def wait_event(self, name, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            for i, e in enumerate(self.events):
                if e["method"] == name:
                    del self.events[: i + 1]
                    return e
            self.ws.sock.settimeout(max(0.1, deadline - time.time()))
            try:
                self.on_event(json.loads(self.ws.recv()))
            finally:
                self.ws.sock.settimeout(60)
        raise TimeoutError(f"no {name} within {timeout} s")

    def eval(self, expr):
        r = self.call("Runtime.evaluate", expression=expr, returnByValue=True)
        if "exceptionDetails" in r:
            raise RuntimeError(f"evaluating {expr}: {r['exceptionDetails']}")
        return r["result"].get("value")

    def loaded(self, action):
        """Runs action (which navigates) and waits for the new page's load."""
        self.events = [e for e in self.events if e["method"] != "Page.loadEventFired"]
        action()
        self.wait_event("Page.loadEventFired")

    def key(self, key, code, vk, text=None):
        down = {"type": "keyDown", "key": key, "code": code, "windowsVirtualKeyCode": vk,
                "nativeVirtualKeyCode": vk}
        if text:
            down["text"] = text
        self.call("Input.dispatchKeyEvent", **down)
        self.call("Input.dispatchKeyEvent", type="keyUp", key=key, code=code,
                  windowsVirtualKeyCode=vk, nativeVirtualKeyCode=vk)

    def click(self, selector):
        """A real mouse click in the middle of the element."""
        box = self.eval(f"""(() => {{
            const e = document.querySelector({json.dumps(selector)});
            if (!e) return null;
            e.scrollIntoView({{block: 'center'}});
            const r = e.getBoundingClientRect();
            return [r.left + r.width / 2, r.top + r.height / 2];
        }})()""")
        if not box:
            raise RuntimeError(f"nothing matches {selector}")
        x, y = box
        for kind in ("mouseMoved", "mousePressed", "mouseReleased"):
            self.call("Input.dispatchMouseEvent", type=kind, x=x, y=y, button="left", clickCount=1)


def main():
    chromium, base, outdir, profile = sys.argv[1:5]
    os.makedirs(outdir, exist_ok=True)
    summary = {"tab_order": [], "requests": [], "dialogs": [], "console": [], "steps": {}}
    log = open(os.path.join(outdir, "chromium.log"), "w")
    b = Browser(chromium, profile, log)
    try:
        for domain in ("Page", "Runtime", "Network", "Log"):
            b.call(f"{domain}.enable")

        def snapshot(step):
            with open(os.path.join(outdir, f"dom-{step}.html"), "w", encoding="utf-8") as f:
                f.write(b.eval("document.documentElement.outerHTML"))
            shot = b.call("Page.captureScreenshot", format="png", captureBeyondViewport=False)
            with open(os.path.join(outdir, f"{step}.png"), "wb") as f:
                f.write(base64.b64decode(shot["data"]))
            summary["steps"][step] = {
                "url": b.eval("location.href"),
                "title": b.eval("document.title"),
                "scripts": b.eval("document.scripts.length"),
                "images": b.eval("document.images.length"),
                "iframes": b.eval("document.querySelectorAll('iframe,object,embed').length"),
            }

        # 1. The front page; the keyboard reaches the search box.
        b.loaded(lambda: b.call("Page.navigate", url=base))
        snapshot("1-front")
        for _ in range(6):
            b.key("Tab", "Tab", 9)
            active = b.eval("(() => { const e = document.activeElement;"
                            " return e.id || e.className || e.tagName; })()")
            summary["tab_order"].append(active)
            if active == "q":
                break
        summary["focus_visible"] = b.eval(
            "getComputedStyle(document.activeElement).outlineStyle")
        # 2. Type a query and press Enter.
        b.call("Input.insertText", text="surveillance")
        b.loaded(lambda: b.key("Enter", "Enter", 13, "\r"))
        snapshot("2-results")
        # 3. Click a facet (Type: article) with the mouse.
        b.loaded(lambda: b.click('section[aria-labelledby="facet-type"] a'))
        snapshot("3-facet")
        # 4. Follow the link to the next page of results.
        b.loaded(lambda: b.click('nav.pages a[rel="next"]'))
        snapshot("4-page2")
        # 5. Open a document from the results.
        b.loaded(lambda: b.click('ol.hits li a'))
        snapshot("5-document")
        # 6. The same results at phone size: nothing wider than the screen.
        b.call("Emulation.setDeviceMetricsOverride", width=390, height=844,
               deviceScaleFactor=2, mobile=True)
        b.loaded(lambda: b.call("Page.navigate", url=base + "?q=surveillance"))
        summary["phone_overflow"] = b.eval(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth")
        snapshot("6-phone")
        b.call("Emulation.clearDeviceMetricsOverride")
        # 7. Payloads in the query and in stored documents.
        for step, q in (("7-xss-query", "?q=" + urllib.parse.quote('"><img src=x onerror=alert(1)><script>alert(2)</script>')),
                        ("8-xss-results", "?q=memo+OR+hostile"),
                        ("9-xss-document", "?id=leaked-memo-xss.html"),
                        ("10-xss-text", "?id=xss-in-text.txt")):
            b.loaded(lambda: b.call("Page.navigate", url=base + q))
            time.sleep(0.3)  # time for anything that would run after load
            snapshot(step)
        # Drain what is left, then record what the browser did.
        try:
            b.wait_event("never.happens", timeout=0.5)
        except TimeoutError:
            pass
    except Exception as e:  # the protocol, not the page, failed
        print(f"browser.py: {e}", file=sys.stderr)
        b.close()
        return 2
    b.close()
    log.close()
    return write_summary(b, summary, outdir)


def write_summary(b, summary, outdir):
    for e in b.all_events:
        m, p = e["method"], e.get("params", {})
        if m == "Network.requestWillBeSent":
            summary["requests"].append(p["request"]["url"])
        elif m == "Page.javascriptDialogOpening":
            summary["dialogs"].append(p.get("message"))
        elif m == "Log.entryAdded":
            summary["console"].append(p["entry"].get("text"))
        elif m == "Runtime.consoleAPICalled":
            summary["console"].append(" ".join(str(a.get("value")) for a in p.get("args", [])))
    with open(os.path.join(outdir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
