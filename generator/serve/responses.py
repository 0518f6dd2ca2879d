"""What the preview server answers: files, the reload script, error overlays."""

from __future__ import annotations

import html
import mimetypes
import re
from dataclasses import dataclass
from http import HTTPStatus
from pathlib import Path
from urllib.parse import unquote

from generator.errors import Problem
from generator.i18n import current_language, t

EVENTS_URL = "/__proceedings/events"
SCRIPT_URL = "/__proceedings/reload.js"
_LOOPBACK = ("127.0.0.1", "localhost", "::1")
_TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".pdf": "application/pdf",
    ".csv": "text/csv; charset=utf-8",
    ".json": "application/json",
    ".xml": "application/xml",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
    ".woff": "font/woff",
    ".ttf": "font/ttf",
}
RELOAD_JS = """\
// proceedings serve: reload this page after each good build; show build errors.
(() => {
  "use strict";
  const tag = document.currentScript;
  const build = (tag && tag.dataset.build) || "";
  const events = new EventSource("{events}?build=" + encodeURIComponent(build));
  window.proceedingsPreview = { build, connected: false }; // for tests and benchmarks
  events.addEventListener("open", () => {
    window.proceedingsPreview.connected = true;
  });
  events.addEventListener("reload", () => {
    events.close();
    location.reload();
  });
  events.addEventListener("error", (event) => {
    if (!(event instanceof MessageEvent)) return; // lost connection: it retries
    const box = document.createElement("div");
    box.innerHTML = JSON.parse(event.data).overlay;
    const old = document.getElementById("proceedings-overlay");
    if (old) old.replaceWith(box.firstElementChild);
    else document.body.prepend(box.firstElementChild);
  });
  document.addEventListener("click", (event) => {
    const target = event.target;
    if (target instanceof Element && target.closest("[data-proceedings-hide]")) {
      document.getElementById("proceedings-overlay")?.remove();
    }
  });
})();
""".replace("{events}", EVENTS_URL)


@dataclass(frozen=True, slots=True)
class ServeOptions:
    """Where to listen and what to print."""

    host: str = "127.0.0.1"
    port: int = 8000
    open_browser: bool = False
    verbosity: int = 1  # 0 errors only, 1 normal, 2 every request too
    debug: bool = False  # tracebacks of internal errors


@dataclass(frozen=True, slots=True)
class Outcome:
    """How the latest build went: ok, or the problems (or message) that stopped it."""

    ok: bool
    problems: tuple[Problem, ...] = ()
    message: str = ""  # when there are no problems to list: usage or internal errors
    internal: bool = False  # the message is an internal error: a bug in our code


@dataclass(frozen=True, slots=True)
class Response:
    """What a handler sends back."""

    status: HTTPStatus
    body: bytes = b""
    content_type: str = "text/plain; charset=utf-8"
    headers: tuple[tuple[str, str], ...] = ()


def url_to_path(site: Path, url: str) -> Path | None:
    """Map a request target to a path inside site, or None if it could lead outside.

    The path is percent-decoded once; ``..`` and hidden segments, NUL, backslashes
    and absolute paths after decoding are refused, and the resolved result must stay
    inside site (a symlink cannot lead out). The path need not exist.
    """
    raw = url.split("?", 1)[0].split("#", 1)[0]
    if not raw.startswith("/") or "\\" in raw:
        return None
    try:
        decoded = unquote(raw, errors="strict")
    except UnicodeDecodeError:
        return None
    if "\x00" in decoded or "\\" in decoded or decoded.startswith("//"):
        return None
    parts = [p for p in decoded[1:].split("/") if p]
    if any(p.startswith(".") or ":" in p for p in parts):
        return None  # "..", ".hidden", and drive-like names
    base = site.resolve()
    target = base.joinpath(*parts).resolve()
    return target if target.is_relative_to(base) else None


def inject(page: bytes, build_id: str, overlay: str) -> bytes:
    """Add the reload script (and the error overlay, if any) to an HTML page."""
    text = page.decode("utf-8", errors="replace")
    script = (
        f'<script src="{SCRIPT_URL}" data-build="{html.escape(build_id)}"></script>\n'
    )
    end = text.lower().rfind("</body>")
    text = text + script if end < 0 else text[:end] + script + text[end:]
    if overlay:
        body = re.search(r"<body\b[^>]*>", text, re.IGNORECASE)
        at = body.end() if body else 0
        text = text[:at] + "\n" + overlay + "\n" + text[at:]
    return text.encode("utf-8")


def render_overlay(outcome: Outcome) -> str:
    """Return the error panel of a failed build as one line; "" after a good build."""
    if outcome.ok:
        return ""
    errors = sum(p.severity == "error" for p in outcome.problems)
    title = (
        (
            t("Build failed: {errors} error", errors=errors)
            if errors == 1
            else t("Build failed: {errors} errors", errors=errors)
        )
        if errors
        else t("Build failed")
    )
    items = []
    for problem in outcome.problems:
        label = {"error": "", "warning": t("warning: "), "note": t("note: ")}[
            problem.severity
        ]
        line = html.escape(f"{problem.pos}: {label}{problem.message}")
        hint = (
            '<br><span style="color:#444">'
            + html.escape(t("hint: {hint}", hint=problem.hint))
            + "</span>"
            if problem.hint
            else ""
        )
        items.append(
            f'<li style="margin:.35rem 0"><code style="font:13px/1.4 ui-monospace,'
            f'monospace;white-space:pre-wrap;color:#1a1a1a">{line}</code>{hint}</li>'
        )
    if outcome.message:
        items.append(f'<li style="margin:.35rem 0">{html.escape(outcome.message)}</li>')
    return (
        '<div id="proceedings-overlay" role="alert" aria-labelledby="proceedings-'
        'overlay-title" style="position:fixed;z-index:2147483647;left:1rem;right:1rem;'
        "bottom:1rem;max-height:60vh;overflow:auto;box-sizing:border-box;"
        "background:#fff;color:#1a1a1a;border:2px solid #b00020;border-left-width:8px;"
        "border-radius:6px;box-shadow:0 6px 24px rgba(0,0,0,.3);padding:1rem 1.25rem;"
        'font:15px/1.5 system-ui,sans-serif;text-align:left">'
        '<h2 id="proceedings-overlay-title" style="margin:0 0 .4rem;padding:0;'
        'border:0;font:700 1.1rem/1.3 system-ui,sans-serif;color:#b00020">'
        f"{html.escape(title)}</h2>"
        '<p style="margin:0 0 .5rem">'
        + html.escape(
            t(
                "This page shows the last good build. Fix the file and save: the "
                "page reloads by itself."
            )
        )
        + "</p>"
        f'<ul style="margin:0;padding-left:1.25rem">{"".join(items)}</ul>'
        '<button type="button" data-proceedings-hide style="margin-top:.6rem;'
        "font:inherit;padding:.2rem .8rem;border:1px solid #666;border-radius:4px;"
        'background:#f3f3f3;color:#1a1a1a;cursor:pointer">'
        + html.escape(t("Hide"))
        + "</button></div>"
    )


def _is_page(url: str) -> bool:
    path = url.split("?", 1)[0]
    return path.endswith(("/", ".html")) or "." not in path.rsplit("/", 1)[-1]


def _content_type(path: Path) -> str:
    known = _TYPES.get(path.suffix.lower())
    if known:
        return known
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def _simple_page(title: str, text: str) -> bytes:
    return (
        f'<!DOCTYPE html>\n<html lang="{current_language()}">\n<head>\n'
        '<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n</head>\n<body>\n<main>\n"
        f"<h1>{html.escape(title)}</h1>\n<p>{html.escape(text)}</p>\n"
        "</main>\n</body>\n</html>\n"
    ).encode()


def _unavailable(text: str) -> Response:
    page = _simple_page(t("PDF not available"), text)
    return Response(HTTPStatus.SERVICE_UNAVAILABLE, page, _TYPES[".html"])
