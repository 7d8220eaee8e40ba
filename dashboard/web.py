"""The dashboard's own web server parts, served beside Streamlit's by st.App (app.py builds it; `streamlit run
app.py` finds it and serves both with uvicorn). Streamlit 1.67's server is Starlette; st.App is its supported way to
add routes, middleware and an error handler, so none of this patches Streamlit.

- Two same-origin POST routes for the session cookie (dashboard/auth.py calls them from the signed-in page):
  ``SESSION_ROUTE`` exchanges a one-time grant for the HttpOnly, SameSite=Lax session cookie (Secure over
  HTTPS); ``SIGN_OUT_ROUTE`` ends the cookie's session and drops the cookie. A cross-site request is refused.
- ``VietnameseShell``: the page every browser loads first (Streamlit's index.html) says ``<html lang="vi">``, and
  carries a small script (``SHELL_SCRIPT``) that
  * writes Streamlit's own English words in Vietnamese wherever they appear (running indicator, Rerun/Stop,
    the connection and "Page not found" dialogs, the file uploader's "Drag and drop…", "Browse files", "per
    file", table toolbars): ``TRANSLATIONS`` and ``PATTERNS``, applied to text, placeholders and tooltips;
  * makes Vietnamese the language the browser reports (Streamlit's "localized" numbers: 1.000 and 88,5);
  * keeps the window's width in a cookie (``WIDTH_COOKIE``) that the next run reads with st.context.cookies, so
    pages draw phone layouts on phones (dashboard.ui.layout).
- ``script_error``: an uncaught error in a page is logged with its traceback and shown as a Vietnamese message,
  instead of Streamlit's English exception box.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import re

from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from core.numbers import MISSING
from dashboard import fmt

log = logging.getLogger("cchc.pages")

SESSION_ROUTE = "api/phien"
WIDTH_COOKIE = "cchc_rong"  # the browser window's width in CSS px (read by dashboard.ui.layout)
SIGN_OUT_ROUTE = "api/dang-xuat"

# Streamlit's words (Streamlit 1.67's frontend) -> ours. Whole text of an element, compared after trimming.
TRANSLATIONS = {
    "Running...": "Đang chạy…",
    "Stop": "Dừng",
    "Stopping...": "Đang dừng…",
    "Rerun": "Chạy lại",
    "Always rerun": "Luôn chạy lại",
    "Clear cache": "Xóa bộ nhớ đệm",
    "Clear caches": "Xóa bộ nhớ đệm",
    "Print": "In",
    "About": "Giới thiệu",
    "Settings": "Cài đặt",
    "Record a screencast": "Quay màn hình",
    "Connecting": "Đang kết nối",
    "Connecting to Streamlit server": "Đang kết nối máy chủ",
    "Connection error": "Mất kết nối",
    "Connection lost. Please wait for the app to reconnect, then try again.":
        "Mất kết nối. Chờ trang kết nối lại rồi thử lại.",
    "Please wait...": "Vui lòng chờ…",
    "Page not found": "Không tìm thấy trang",
    "Close": "Đóng",
    "Upload": "Chọn tệp",
    "Browse files": "Chọn tệp",
    "Add files": "Thêm tệp",
    "Drag and drop files here": "Kéo thả tệp vào đây",
    "Drag and drop a file here": "Kéo thả tệp vào đây",
    "Delete": "Xóa",
    "Remove file": "Bỏ tệp",
    "Download as CSV": "Tải CSV",
    "Download": "Tải về",
    "Search": "Tìm",
    "Fullscreen": "Toàn màn hình",
    "Close fullscreen": "Thoát toàn màn hình",
    "View fullscreen": "Xem toàn màn hình",
    "Exit fullscreen": "Thoát toàn màn hình",
    "Copy to clipboard": "Chép",
    "Sort ascending": "Sắp xếp tăng dần",
    "Sort descending": "Sắp xếp giảm dần",
    "Hide column": "Ẩn cột",
    "Pin column": "Ghim cột",
    "Unpin column": "Bỏ ghim cột",
    "Autosize": "Tự co giãn",
    "Format": "Định dạng",
    "Show/hide columns": "Hiện/ẩn cột",
    "Add row": "Thêm dòng",
    "Delete row(s)": "Xóa dòng",
    "Choose an option": "Chọn…",
    "Choose options": "Chọn…",
    "No results": "Không có kết quả",
    "No options to select": "Không có lựa chọn",
    "Press Enter to submit form": "Nhấn Enter để gửi",
    "Press Enter to apply": "Nhấn Enter để áp dụng",
    "Show password text": "Hiện mật khẩu",
    "Hide password text": "Ẩn mật khẩu",
    "Open sidebar": "Mở thanh bên",
    "Close sidebar": "Đóng thanh bên",
    "View more": "Xem thêm",
    "View less": "Thu gọn",
    "Error": "Lỗi",
    "Error:": "Lỗi:",
    "Warning": "Cảnh báo",
    "Info": "Thông tin",
    "Success": "Thành công",
    "Main menu": "Trình đơn",
    "Skip to main content": "Đến nội dung chính",
}
# (regular expression, replacement with $1…) for the words Streamlit builds around a value.
_MB = r"(\d+)(?:\.0+)?\s*MB"  # Streamlit writes "20MB", "20.0MB"; the product writes "20 MB"
PATTERNS = [
    (r"^(?:Limit\s+)?" + _MB + r" per file(.*)$", "Kéo thả tệp vào đây · tối đa $1 MB mỗi tệp$2"),
    (r"^(\d+)\.(\d+)\s*(B|KB|MB|GB)$", "$1,$2 $3"),  # a chosen file's size: 26,2 MB
    (r"^(\d+)\s*(B|KB|MB|GB)$", "$1 $2"),
    (r"^File must be " + _MB + r" or smaller\.$", "Tệp quá lớn: tối đa $1 MB mỗi tệp. Hãy bỏ bớt trang tính hoặc "
     "chia nhỏ tệp."),
    (r"^(.*) files are not allowed\.$", "Không nhận loại tệp $1."),
    (r"^You have requested page /(.*), but no corresponding file was found in the app's pages/ directory\. "
     r"Running the app's main page\.$", "Không có trang /$1. Đang mở trang chủ."),
    (r"^The page that you have requested does not seem to exist\. Running the app's main page\.$",
     "Không có trang bạn vừa mở. Đang mở trang chủ."),
    (r"^Made with Streamlit.*$", ""),
]
NOSCRIPT = "Hãy bật JavaScript trong trình duyệt để dùng dashboard."

SHELL_SCRIPT = """(function () {
  var WORDS = %(words)s, PATTERNS = %(patterns)s.map(function (p) { return [new RegExp(p[0]), p[1]]; });
  function vi(text) {
    var t = text.trim();
    if (!t) return null;
    if (Object.prototype.hasOwnProperty.call(WORDS, t)) return text.replace(t, WORDS[t]);
    for (var i = 0; i < PATTERNS.length; i++) {
      if (PATTERNS[i][0].test(t)) return text.replace(t, t.replace(PATTERNS[i][0], PATTERNS[i][1]));
    }
    return null;
  }
  var ATTRS = ["placeholder", "title", "aria-label"];
  function fix(node) {
    if (node.nodeType === 3) {
      var v = vi(node.nodeValue);
      if (v !== null && v !== node.nodeValue) node.nodeValue = v;
      return;
    }
    if (node.nodeType !== 1 || node.closest("svg.main-svg, .stCode, code, pre, textarea")) return;
    for (var a = 0; a < ATTRS.length; a++) {
      var value = node.getAttribute(ATTRS[a]);
      var w = value && vi(value);
      if (w !== null && w !== undefined && w !== value) node.setAttribute(ATTRS[a], w);
    }
    var walker = document.createTreeWalker(node, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
    var n;
    while ((n = walker.nextNode())) {
      if (n.nodeType === 3) { var x = vi(n.nodeValue); if (x !== null && x !== n.nodeValue) n.nodeValue = x; }
      else if (n.hasAttribute("placeholder") || n.hasAttribute("title") || n.hasAttribute("aria-label")) {
        for (var b = 0; b < ATTRS.length; b++) {
          var val = n.getAttribute(ATTRS[b]); var y = val && vi(val);
          if (y !== null && y !== undefined && y !== val) n.setAttribute(ATTRS[b], y);
        }
      }
    }
  }
  new MutationObserver(function (records) {
    for (var i = 0; i < records.length; i++) {
      var r = records[i];
      if (r.type === "characterData") fix(r.target);
      else if (r.type === "attributes") fix(r.target);
      else for (var j = 0; j < r.addedNodes.length; j++) fix(r.addedNodes[j]);
    }
  }).observe(document.documentElement, {childList: true, subtree: true, characterData: true,
                                        attributes: true, attributeFilter: ATTRS});
  try {
    Object.defineProperty(navigator, "language", {get: function () { return "vi-VN"; }});
    Object.defineProperty(navigator, "languages", {get: function () { return ["vi-VN", "vi"]; }});
  } catch (e) {}
  function keepWidth() {
    document.cookie = "%(cookie)s=" + Math.round(window.innerWidth) + "; path=/; max-age=31536000; SameSite=Lax";
  }
  keepWidth();
  var timer;
  window.addEventListener("resize", function () { clearTimeout(timer); timer = setTimeout(keepWidth, 300); });
})();"""


def shell_script() -> str:
    return SHELL_SCRIPT % {"words": json.dumps(TRANSLATIONS, ensure_ascii=False),
                           "patterns": json.dumps(PATTERNS, ensure_ascii=False), "cookie": WIDTH_COOKIE}


def _base_path() -> str:
    """'/' or '/prefix/' (Streamlit's server.baseUrlPath, when the dashboard is served under a prefix)."""
    from streamlit import config

    base = (config.get_option("server.baseUrlPath") or "").strip("/")
    return f"/{base}/" if base else "/"


def route_path(name: str) -> str:
    return _base_path() + name


# --- the session cookie ---------------------------------------------------------------------------------------

def _same_origin(request: Request) -> bool:
    """A POST from the dashboard's own pages: the browser says so (Sec-Fetch-Site), or the Origin is this host."""
    site = request.headers.get("sec-fetch-site")
    if site is not None:
        return site == "same-origin"
    origin = request.headers.get("origin")
    return origin is not None and origin.split("://", 1)[-1] == request.headers.get("host")


def _secure(request: Request) -> bool:
    return request.url.scheme == "https" or request.headers.get("x-forwarded-proto", "").lower() == "https"


async def _redeem(request: Request) -> Response:
    from loaders import api

    if not _same_origin(request):
        return Response(status_code=403)
    grant = (await request.body())[:200].decode("ascii", errors="replace").strip()
    try:
        issued = await run_in_threadpool(api.redeem_session_grant, grant)
    except api.REFUSALS:
        issued = None
    if issued is None:
        return Response(status_code=403)
    value, max_age = issued
    response = Response(status_code=204)
    response.set_cookie(api.SESSION_COOKIE, value, max_age=max_age, path=_base_path(), httponly=True,
                        samesite="lax", secure=_secure(request))
    return response


async def _sign_out(request: Request) -> Response:
    from loaders import api

    if not _same_origin(request):
        return Response(status_code=403)
    cookie = request.cookies.get(api.SESSION_COOKIE)
    if cookie:
        try:
            await run_in_threadpool(api.end_session, None, cookie)
        except api.REFUSALS:
            pass  # the cookie goes anyway
    response = Response(status_code=204)
    response.delete_cookie(api.SESSION_COOKIE, path=_base_path(), httponly=True, samesite="lax",
                           secure=_secure(request))
    return response


def _home_redirect(request: Request) -> Response:
    """The home page is Streamlit's default page, served at the root: its own name in a shared link
    ("/tong_quan?nam=2025") would open Streamlit's "page not found" dialog. Send it to the root, query kept."""
    query = request.url.query
    return RedirectResponse(_base_path() + (f"?{query}" if query else ""), status_code=307)


def routes(home: str | None = None) -> list[Route]:
    """The session cookie's routes; with `home` (the default page's URL name), its redirect to the root."""
    out = [Route(route_path(SESSION_ROUTE), _redeem, methods=["POST"]),
           Route(route_path(SIGN_OUT_ROUTE), _sign_out, methods=["POST"])]
    if home:
        out.append(Route(route_path(home), _home_redirect, methods=["GET", "HEAD"]))
    return out


# --- the Vietnamese page shell ---------------------------------------------------------------------------------

_ASSET_PREFIXES = ("_stcore/", "static/", "media/", "component/", "app/static/", "api/")


# Streamlit's data grid draws a missing cell as the English word "None" (a constant in its DataFrame bundle); the
# product writes a gap as "–" everywhere else (core.numbers.MISSING), so the bundle leaves with that instead.
_GRID_BUNDLE = re.compile(r"static/js/DataFrame\.[^/]+\.js$")
_GRID_MISSING = (b"=`None`;", f"=`{MISSING}`;".encode())


class VietnameseShell:
    """ASGI middleware: Streamlit's index.html leaves with lang="vi", a Vietnamese <noscript> and SHELL_SCRIPT, and
    its data grid's bundle with "–" for a missing cell. Only GET requests for pages (no file extension) and for that
    bundle are looked at; everything else passes untouched."""

    def __init__(self, app) -> None:
        self.app = app
        self.head = f"<script>{shell_script()}</script></head>".encode()

    def _relative(self, scope) -> str | None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            return None
        return scope["path"][len(_base_path()) - 1:].lstrip("/") if scope["path"].startswith(_base_path()) else None

    def _is_page(self, scope) -> bool:
        path = self._relative(scope)
        return path is not None and not path.startswith(_ASSET_PREFIXES) and "." not in path.rsplit("/", 1)[-1]

    def _is_grid_bundle(self, scope) -> bool:
        path = self._relative(scope)
        return path is not None and bool(_GRID_BUNDLE.search(path))

    def rewrite(self, html: bytes) -> bytes:
        html, n = re.subn(rb"<html([^>]*?)\slang=\"[^\"]*\"", rb'<html\1 lang="vi"', html, count=1)
        if not n:
            html = html.replace(b"<html", b'<html lang="vi"', 1)
        html = re.sub(rb"<noscript>.*?</noscript>", f"<noscript>{NOSCRIPT}</noscript>".encode(), html, count=1,
                      flags=re.DOTALL)
        return html.replace(b"</head>", self.head, 1)

    @staticmethod
    def rewrite_grid(js: bytes) -> bytes:
        """The grid's placeholder for a missing cell, once; a bundle without it (another Streamlit) is untouched."""
        old, new = _GRID_MISSING
        return js.replace(old, new, 1) if js.count(old) == 1 else js

    async def __call__(self, scope, receive, send) -> None:
        if self._is_page(scope):
            kind, rewrite = b"text/html", self.rewrite
        elif self._is_grid_bundle(scope):
            kind, rewrite = b"", self.rewrite_grid
        else:
            await self.app(scope, receive, send)
            return
        # ask for the file uncompressed (Streamlit's gzip sits inside this middleware), rewrite it, send it whole
        scope = {**scope, "headers": [(k, v) for k, v in scope["headers"]
                                      if k.lower() not in (b"accept-encoding", b"if-none-match", b"if-modified-since")]}
        start: dict = {}
        body: list[bytes] = []

        async def capture(message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            headers = dict((k.lower(), v) for k, v in start.get("headers", []))
            if start.get("status", 200) != 200 or not headers.get(b"content-type", b"").startswith(kind):
                if start:
                    await send(start)
                    start = {}
                await send(message)
                return
            body.append(message.get("body", b""))
            if message.get("more_body"):
                return
            out_body = rewrite(b"".join(body))
            out = [(k, v) for k, v in start["headers"] if k.lower() not in (b"content-length", b"etag")]
            await send({**start, "headers": out + [(b"content-length", str(len(out_body)).encode())]})
            await send({"type": "http.response.body", "body": out_body if scope["method"] == "GET" else b""})

        await self.app(scope, receive, capture)


def upload_limit_mb() -> int:
    """The product's per-file upload limit in MB: the loader's ($CCHC_MAX_UPLOAD_MB, 20 MB)."""
    from loaders.files.workbook import max_bytes_default

    return max(1, int(max_bytes_default() // (1024 * 1024)))


def apply_upload_limit() -> int:
    """Streamlit's own cap (server.maxUploadSize, which its upload route checks) = the product's limit
    ($CCHC_MAX_UPLOAD_MB, which .streamlit/config.toml repeats for the default 20 MB). Called when the server is
    built, before the first request."""
    from streamlit import config

    limit = upload_limit_mb()
    config.set_option("server.maxUploadSize", limit)
    return limit


def middleware() -> list[Middleware]:
    return [Middleware(VietnameseShell)]


# --- errors -------------------------------------------------------------------------------------------------------

def script_error(exc: BaseException) -> bool:
    """An uncaught error in a page: the traceback to the server log, a Vietnamese message to the user (True: no
    English exception box)."""
    import streamlit as st

    log.error("page error", exc_info=exc)
    try:
        st.error("Trang gặp lỗi ngoài dự kiến nên chưa hiện hết. Hãy tải lại trang (phím F5); nếu lỗi còn, báo quản "
                 f"trị hệ thống kèm thời điểm {fmt.datetime(_dt.datetime.now())}.", icon="⚠️")
    except Exception:  # noqa: BLE001 - nowhere to write: the log has it
        return False
    return True
