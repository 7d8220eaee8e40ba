"""The dashboard's own web server parts (dashboard/web.py), called as the ASGI server calls them: the session cookie
routes, the Vietnamese page shell, the upload limit and the error handler. The browser tests
(test_browser_everyday.py) drive the same through a real `streamlit run app.py`."""
from __future__ import annotations

import asyncio
import logging
import re
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from streamlit import config

from dashboard import web
from loaders import api
from loaders.accounts import sessions
from loaders.accounts.users import create_user, get_user
from loaders.store.schema import connect

ROOT = Path(__file__).resolve().parent.parent
INDEX = (b'<!--\n Copyright (c) Streamlit Inc. ' + b"x" * 400 + b'\n-->\n<!doctype html>\n<html lang="en">\n<head>'
         b'<meta charset="UTF-8" /><title>Streamlit</title></head>\n<body><noscript>You need to enable JavaScript '
         b'to run this app.</noscript><div id="root"></div></body></html>')


def call(app, method="GET", path="/", headers=(), body=b""):
    """(status, headers, body) of one HTTP request to an ASGI app."""
    path, _, query = path.partition("?")
    scope = {"type": "http", "method": method, "path": path, "headers": [(k.lower().encode(), v.encode())
                                                                         for k, v in headers],
             "query_string": query.encode(), "scheme": "http", "server": ("127.0.0.1", 8501), "root_path": ""}
    sent, chunks = [], [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return chunks.pop(0) if chunks else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    # in a thread of its own: in the full suite Playwright's sync API keeps an event loop running in this one
    with ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, app(scope, receive, send)).result()
    start = next(m for m in sent if m["type"] == "http.response.start")
    out = b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")
    return start["status"], [(k.decode(), v.decode()) for k, v in start["headers"]], out


def streamlit_like(seen: list):
    """An ASGI app serving index.html for pages and a file for assets; records the headers it was asked with."""
    async def app(scope, receive, send):
        seen.append(dict(scope["headers"]))
        page = "." not in scope["path"].rsplit("/", 1)[-1] and not scope["path"].startswith("/_stcore")
        body = INDEX if page else b"console.log('Running...')"
        kind = b"text/html" if page else b"application/javascript"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()),
                                (b"etag", b'"abc"')]})
        await send({"type": "http.response.body", "body": body})
    return app


# --- the page shell -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("path", ["/", "/tai_len", "/lich_su"])
def test_pages_leave_with_lang_vi_the_shell_script_and_a_vietnamese_noscript(path):
    seen = []
    status, headers, body = call(web.VietnameseShell(streamlit_like(seen)), path=path,
                                 headers=[("Accept-Encoding", "gzip")])
    html = body.decode()
    assert status == 200 and '<html lang="vi">' in html and html.count("lang=") == 1
    assert f"<noscript>{web.NOSCRIPT}</noscript>" in html and "enable JavaScript" not in html
    assert html.index("<script>") < html.index("</head>") and "MutationObserver" in html
    assert dict(headers)["content-length"] == str(len(body)) and "etag" not in dict(headers)
    assert b"accept-encoding" not in seen[0]  # asked uncompressed, so it can be rewritten


@pytest.mark.parametrize("path", ["/static/js/index.js", "/_stcore/health", "/favicon.png"])
def test_assets_pass_untouched(path):
    seen = []
    status, headers, body = call(web.VietnameseShell(streamlit_like(seen)), path=path,
                                 headers=[("Accept-Encoding", "gzip")])
    assert body == b"console.log('Running...')" and seen[0][b"accept-encoding"] == b"gzip"


def english_of(text: str) -> str | None:
    """What the shell script makes of a text Streamlit writes, in Python (the same table and patterns)."""
    t = text.strip()
    if t in web.TRANSLATIONS:
        return web.TRANSLATIONS[t]
    for pattern, replacement in web.PATTERNS:
        if re.search(pattern, t):
            return re.sub(pattern, re.sub(r"\$(\d)", r"\\\1", replacement), t)
    return None


@pytest.mark.parametrize("english, vietnamese", [
    ("Running...", "Đang chạy…"), ("Rerun", "Chạy lại"), ("Stop", "Dừng"), ("Upload", "Chọn tệp"),
    ("Browse files", "Chọn tệp"), ("Drag and drop files here", "Kéo thả tệp vào đây"),
    ("Page not found", "Không tìm thấy trang"), ("Error", "Lỗi"), ("Connection error", "Mất kết nối"),
    ("Limit 20MB per file • XLSX, XLS", "Kéo thả tệp vào đây · tối đa 20 MB mỗi tệp • XLSX, XLS"),
    ("20MB per file", "Kéo thả tệp vào đây · tối đa 20 MB mỗi tệp"),
    ("File must be 20.0MB or smaller.", "Tệp quá lớn: tối đa 20 MB mỗi tệp. Hãy bỏ bớt trang tính hoặc chia nhỏ tệp."),
    ("26.2MB", "26,2 MB"),
    ("The page that you have requested does not seem to exist. Running the app's main page.",
     "Không có trang bạn vừa mở. Đang mở trang chủ."),
])
def test_streamlits_words_have_vietnamese_ones(english, vietnamese):
    assert english_of(english) == vietnamese


def test_the_shell_script_carries_every_word_and_pattern():
    script = web.shell_script()
    for english in ("Browse files", "Page not found", "Running..."):
        assert english in script
    assert script.count("new RegExp") == 1 and web.WIDTH_COOKIE in script and '"vi-VN"' in script


# --- the session cookie routes ------------------------------------------------------------------------------------
@pytest.fixture
def door(fresh_db):
    """The write door opened on a fresh database with one account (as dashboard.db does in the server)."""
    con = connect(fresh_db)
    create_user(con, "qt", "matkhau-1", "quan_tri")
    before = api._connect
    api.use_database(con.cursor)
    yield con
    api.use_database(before)
    con.close()


def routes():
    from starlette.routing import Router

    return Router(web.routes())


def test_a_grant_buys_an_httponly_samesite_cookie_once(door):
    _, grant = sessions.open_session(door, get_user(door, "qt"))
    same = [("Sec-Fetch-Site", "same-origin"), ("Content-Type", "text/plain")]
    status, headers, _ = call(routes(), "POST", "/api/phien", same, grant.encode())
    cookie = dict(headers)["set-cookie"]
    assert status == 204 and cookie.startswith(f"{api.SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie and "Max-Age=" in cookie
    assert "Secure" not in cookie  # plain HTTP on a local port; behind HTTPS it is Secure (below)
    value = cookie.split(";")[0].split("=", 1)[1]
    assert sessions.resume(door, value).user.username == "qt"
    assert call(routes(), "POST", "/api/phien", same, grant.encode())[0] == 403  # spent


def test_a_link_to_the_home_page_by_its_name_opens_the_root_with_its_query():
    """Tổng quan is Streamlit's default page, served at "/": "/tong_quan?…" (a shared link) would open Streamlit's
    "page not found" dialog, so the server sends it to the root, query kept."""
    from starlette.routing import Router

    status, headers, _ = call(Router(web.routes(home="tong_quan")), "GET", "/tong_quan?ky=quy&nam=2025&quy=2")
    assert status == 307 and dict(headers)["location"] == "/?ky=quy&nam=2025&quy=2"
    assert dict(call(Router(web.routes(home="tong_quan")), "GET", "/tong_quan")[1])["location"] == "/"


def test_the_cookie_is_secure_behind_https(door):
    _, grant = sessions.open_session(door, get_user(door, "qt"))
    headers = call(routes(), "POST", "/api/phien", [("Sec-Fetch-Site", "same-origin"),
                                                   ("X-Forwarded-Proto", "https")], grant.encode())[1]
    assert "Secure" in dict(headers)["set-cookie"]


@pytest.mark.parametrize("headers", [
    [("Sec-Fetch-Site", "cross-site")],
    [("Origin", "https://evil.example"), ("Host", "127.0.0.1:8501")],
    [],
])
def test_a_cross_site_post_gets_no_cookie(door, headers):
    _, grant = sessions.open_session(door, get_user(door, "qt"))
    status, out_headers, _ = call(routes(), "POST", "/api/phien", headers, grant.encode())
    assert status == 403 and "set-cookie" not in dict(out_headers)
    assert call(routes(), "POST", "/api/phien", [("Sec-Fetch-Site", "same-origin")], grant.encode())[0] == 204


def test_signing_out_ends_the_session_and_drops_the_cookie(door):
    _, grant = sessions.open_session(door, get_user(door, "qt"))
    value, _ = sessions.redeem_grant(door, grant)
    headers = [("Sec-Fetch-Site", "same-origin"), ("Cookie", f"{api.SESSION_COOKIE}={value}")]
    status, out, _ = call(routes(), "POST", "/api/dang-xuat", headers)
    assert status == 204 and "Max-Age=0" in dict(out)["set-cookie"]
    assert sessions.resume(door, value) is None


# --- upload limit, errors -----------------------------------------------------------------------------------------
def test_streamlits_upload_cap_is_the_products_limit(monkeypatch):
    shipped = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text(encoding="utf-8"))
    monkeypatch.delenv("CCHC_MAX_UPLOAD_MB", raising=False)
    assert shipped["server"]["maxUploadSize"] == web.upload_limit_mb() == 20
    before = config.get_option("server.maxUploadSize")
    monkeypatch.setenv("CCHC_MAX_UPLOAD_MB", "12")
    try:
        assert web.apply_upload_limit() == 12 and config.get_option("server.maxUploadSize") == 12
    finally:
        config.set_option("server.maxUploadSize", before)


def test_an_uncaught_page_error_is_logged_and_worded_in_vietnamese(caplog):
    try:
        raise KeyError("cột không có")
    except KeyError as exc:
        error = exc
    with caplog.at_level(logging.ERROR, logger="cchc.pages"):
        assert web.script_error(error) is True
    assert "KeyError" in caplog.text and "cột không có" in caplog.text


def test_the_data_grid_writes_a_missing_cell_as_a_dash_not_none():
    """Streamlit's grid draws a missing cell as the English "None" (a constant of its DataFrame bundle): the shell
    serves the bundle with "–", as the rest of the product writes a gap; other scripts pass untouched."""
    import streamlit

    bundle = next((Path(streamlit.__file__).parent / "static" / "static" / "js").glob("DataFrame.*.js"))
    js = bundle.read_bytes()
    assert js.count(b"=`None`;") == 1  # the placeholder this Streamlit draws (pinned in requirements.txt)

    async def static(scope, receive, send):
        body = js if "DataFrame." in scope["path"] else b"let x=`None`;"
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/javascript"), (b"etag", b'"v1"'),
                                (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})

    shell = web.VietnameseShell(static)
    status, headers, out = call(shell, "GET", f"/static/js/{bundle.name}", [("Accept-Encoding", "gzip")])
    assert status == 200 and b"=`None`;" not in out and "=`–`;".encode() in out
    assert dict(headers)["content-length"] == str(len(out)) and "etag" not in dict(headers)
    assert call(shell, "GET", "/static/js/index.abc.js")[2] == b"let x=`None`;"
