"""The HTML report in a real headless browser (Debian's ``chromium``), driven over the
Chrome DevTools Protocol: no console errors, no request beyond the file itself and
data: URIs, the charts render, and a screenshot is not blank.

Also a script: ``python tests/test_report_browser.py report.html shot.png`` writes a
full-page screenshot (used for docs/report_screenshot.png).
"""

from __future__ import annotations

import base64
import io
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

CHROMIUM = next((p for p in (shutil.which("chromium"), shutil.which("chromium-browser"),
                             "/usr/bin/chromium") if p and Path(p).exists()), None)
EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "testimonials.csv"


class Browser:
    """Headless Chromium with remote debugging on a free port, one page, CDP over websocket."""

    def __init__(self, width: int = 1280, height: int = 900):
        import websocket

        self.profile = tempfile.mkdtemp(prefix="voicelens-chromium-")
        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--disable-default-apps", "--disable-extensions", "--no-first-run", "--no-default-browser-check",
             "--metrics-recording-only", "--hide-scrollbars", "--mute-audio",
             "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
             f"--user-data-dir={self.profile}", "--remote-debugging-port=0",
             f"--window-size={width},{height}", "about:blank"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = Path(self.profile) / "DevToolsActivePort"
        deadline = time.time() + 30
        while not (port_file.exists() and port_file.read_text().count("\n") >= 1):
            if time.time() > deadline or self.proc.poll() is not None:
                self.close()
                raise RuntimeError("chromium did not start (no DevToolsActivePort)")
            time.sleep(0.1)
        port = int(port_file.read_text().splitlines()[0])
        browser_ws = websocket.create_connection(f"ws://127.0.0.1:{port}" + port_file.read_text().splitlines()[1],
                                                 timeout=30, suppress_origin=True)
        self.ws = browser_ws
        self.next_id = 0
        self.events: list[dict] = []
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        self.session = self.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        for domain in ("Page", "Runtime", "Log", "Network"):
            self.call(f"{domain}.enable", session=True)
        self.call("Emulation.setDeviceMetricsOverride", session=True, width=width, height=height,
                  deviceScaleFactor=1, mobile=False)

    def call(self, method: str, session: bool = False, timeout: float = 60, **params) -> dict:
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params}
        if session:
            msg["sessionId"] = self.session
        self.ws.send(json.dumps(msg))
        deadline = time.time() + timeout
        while time.time() < deadline:
            reply = json.loads(self.ws.recv())
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)
        raise TimeoutError(method)

    def wait_for(self, method: str, timeout: float = 60) -> dict:
        seen = len(self.events)
        deadline = time.time() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while time.time() < deadline:
            event = json.loads(self.ws.recv())
            self.events.append(event)
            if event.get("method") == method:
                return event
        raise TimeoutError(f"{method} after {len(self.events) - seen} events")

    def evaluate(self, expression: str):
        result = self.call("Runtime.evaluate", session=True, expression=expression, returnByValue=True,
                           awaitPromise=True)
        return result["result"].get("value")

    def load(self, path: Path, settle: float = 1.5) -> None:
        self.call("Page.navigate", session=True, url=path.resolve().as_uri())
        self.wait_for("Page.loadEventFired")
        time.sleep(settle)
        self.evaluate("1")  # drain events that arrived while settling

    def screenshot(self, full_page: bool = True) -> bytes:
        params: dict = {"format": "png"}
        if full_page:
            metrics = self.call("Page.getLayoutMetrics", session=True)
            size = metrics.get("cssContentSize") or metrics["contentSize"]
            params.update(captureBeyondViewport=True,
                          clip={"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1})
        return base64.b64decode(self.call("Page.captureScreenshot", session=True, **params)["data"])

    def problems(self) -> dict[str, list[str]]:
        """Console errors, uncaught exceptions, log errors and requests that left the page."""
        out: dict[str, list[str]] = {"console": [], "exceptions": [], "log": [], "requests": []}
        for e in self.events:
            method, p = e.get("method"), e.get("params", {})
            if method == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
                out["console"].append(" ".join(str(a.get("value", a.get("description"))) for a in p.get("args", [])))
            elif method == "Runtime.exceptionThrown":
                out["exceptions"].append(json.dumps(p.get("exceptionDetails", {}))[:500])
            elif method == "Log.entryAdded" and p.get("entry", {}).get("level") in ("error", "warning"):
                out["log"].append(p["entry"].get("text", ""))
            elif method == "Network.requestWillBeSent":
                url = p.get("request", {}).get("url", "")
                if not (url.startswith("file://") or url.startswith("data:") or url == "about:blank"):
                    out["requests"].append(url)
        return out

    def close(self) -> None:
        try:
            if getattr(self, "ws", None) is not None:
                self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            shutil.rmtree(self.profile, ignore_errors=True)


def not_blank(png: bytes) -> float:
    """Pixel standard deviation of a screenshot (0 for a blank page)."""
    import numpy as np
    from PIL import Image

    return float(np.asarray(Image.open(io.BytesIO(png)).convert("L"), dtype=float).std())


needs_browser = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


@pytest.fixture(scope="module")
def example_report(tmp_path_factory) -> Path:
    pytest.importorskip("matplotlib", reason="the report needs the 'report' extra")
    pytest.importorskip("plotly", reason="the report needs the 'report' extra")
    import pandas as pd

    import voicelens as vl

    res = vl.Analyzer(backend="fake", show_progress_bar=False).analyze(pd.read_csv(EXAMPLE), text_column="text")
    return res.report(tmp_path_factory.mktemp("report") / "report.html", by="clinic", time="month")


@needs_browser
def test_report_opens_offline_without_errors(example_report):
    pytest.importorskip("websocket", reason="needs websocket-client (test extra)")
    pytest.importorskip("PIL", reason="needs pillow (test extra)")
    browser = Browser()
    try:
        browser.load(example_report)
        plots = browser.evaluate("document.querySelectorAll('.js-plotly-plot .main-svg').length")
        traces = browser.evaluate("document.querySelectorAll('.js-plotly-plot .trace').length")
        images = browser.evaluate("Array.from(document.images).map(i => i.complete && i.naturalWidth > 0)")
        text = browser.evaluate("document.body.innerText")
        shot = browser.screenshot(full_page=False)
        problems = browser.problems()
    finally:
        browser.close()
    assert problems == {"console": [], "exceptions": [], "log": [], "requests": []}
    assert plots >= 4 and traces >= 4, (plots, traces)      # four Plotly charts drew their SVG
    assert images and all(images)                            # every PNG data URI decoded
    for heading in ("Key figures", "Summary table", "What patients said", "Methods"):
        assert heading in text
    assert not_blank(shot) > 10


if __name__ == "__main__":
    html, out = Path(sys.argv[1]), Path(sys.argv[2])
    b = Browser(width=int(sys.argv[3]) if len(sys.argv) > 3 else 1200)
    try:
        b.load(html)
        out.write_bytes(b.screenshot(full_page=len(sys.argv) <= 4 or sys.argv[4] != "viewport"))
        print(json.dumps(b.problems(), indent=1))
    finally:
        b.close()
