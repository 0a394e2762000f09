"""The search page at `/`, in real headless Chromium (Debian's /usr/bin/chromium) driven by
Playwright, against a real `search serve` over a real index of sample_posts/ plus two
posts made for the page: one whose title and text are HTML, one with characters outside
the BMP before the matched word.

A screenshot of the results is saved under the test's tmp folder, or in
``$SEARCH_SCREENSHOT_DIR`` when set; its path is printed (``pytest -s`` shows it).
"""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from indexer import index_posts
from search import Index

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip(
        "headless Chromium is not installed at /usr/bin/chromium (Debian: apt-get install chromium)",
        allow_module_level=True,
    )
sync_api = pytest.importorskip(
    "playwright.sync_api", reason="Playwright is not installed (pip install -e '.[test]')"
)

from conftest import SAMPLE_POSTS, write_posts  # noqa: E402
from test_serve_api import launch_server, stop_server, wait_ready  # noqa: E402

# What this machine's Chromium needs as root with no network (see the README's test notes).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
EXTRA_POSTS = {
    "extra/_posts/2026-01-05-chuunyuu.md": """
        ---
        title: '<img src=x onerror="window.__jbsPwned=1">注入テストの記事'
        date: 2026-01-05
        tags: [セキュリティ]
        ---
        本文にも注入テストの文字列を書く。`<script>window.__jbsPwned=2</script>` と
        `<img src=x onerror="window.__jbsPwned=3">` はただの文字として表示されるべきだ。
        """,
    "extra/_posts/2026-01-06-gyuudon.md": """
        ---
        title: 絵文字のあとの牛丼
        date: 2026-01-06
        tags: [料理]
        ---
        🍎🍎𠮷野家で牛丼を食べた。𠮷の字は補助面の文字で、🍜のあとでも牛丼の位置はずれない。
        """,
}

# Each result's snippet as the reader sees it, and where its <mark>s stand, in code points.
READ_RESULTS = """() => [...document.querySelectorAll('.jbs-hit')].map(li => {
    const spans = [];
    let pos = 0;
    for (const node of li.querySelector('.jbs-snippet').childNodes) {
        const n = Array.from(node.textContent).length;
        if (node.nodeName === 'MARK') spans.push([pos, pos + n]);
        pos += n;
    }
    return {title: li.querySelector('.jbs-title').textContent,
            snippet: li.querySelector('.jbs-snippet').textContent, highlights: spans,
            marks: [...li.querySelectorAll('.jbs-snippet mark')].map(m => m.textContent),
            date: (li.querySelector('.jbs-date') || {}).textContent || null,
            tags: [...li.querySelectorAll('.jbs-tag')].map(b => b.textContent.slice(1))};
})"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """The search server, and a "blog" on another origin (another port) whose page embeds
    the search box with the documented script snippet; the server allows it by --cors."""
    root = tmp_path_factory.mktemp("browser")
    posts = root / "posts"
    shutil.copytree(SAMPLE_POSTS, posts)
    write_posts(posts, EXTRA_POSTS)
    index_posts([posts], root / "index", workers=1)
    site = root / "blog"
    site.mkdir()
    blog = ThreadingHTTPServer(("127.0.0.1", 0), partial(_QuietHandler, directory=str(site)))
    blog_origin = f"http://127.0.0.1:{blog.server_address[1]}"
    server = launch_server(root / "index", root / "serve.log", "--workers", "1", "--cors", blog_origin)
    (site / "index.html").write_text(BLOG_PAGE.format(search=server.base), encoding="utf-8")
    threading.Thread(target=blog.serve_forever, daemon=True).start()
    try:
        wait_ready(server)
        yield {"base": server.base, "index": Index.open(root / "index"), "root": root, "blog": blog_origin}
    finally:
        blog.shutdown()
        blog.server_close()
        stop_server(server)


class _QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


BLOG_PAGE = """<!doctype html>
<html lang="ja"><head><meta charset="utf-8"><title>ある日の日記</title>
<link rel="stylesheet" href="{search}/static/search.css"></head>
<body><h1>ある日の日記</h1>
<div data-jbs data-placeholder="ブログ内を検索"></div>
<script src="{search}/static/search.js" defer></script>
</body></html>
"""


@pytest.fixture(scope="module")
def browser(served: dict) -> Iterator[Any]:
    with sync_api.sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS, headless=True)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def page(browser: Any, served: dict) -> Iterator[Any]:
    context = browser.new_context(viewport={"width": 1100, "height": 900}, locale="ja-JP")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.api_queries = []  # type: ignore[attr-defined]
    page.on(
        "request",
        lambda req: "/api/search" in req.url and page.api_queries.append(req.url),  # type: ignore[attr-defined]
    )
    page.goto(served["base"] + "/")
    yield page
    context.close()
    assert errors == [], f"JavaScript errors on the page: {errors}"


def screenshot_path(tmp_path: Path, name: str) -> Path:
    folder = Path(os.environ.get("SEARCH_SCREENSHOT_DIR") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder / name


def wait_for_status(page: Any, text: str) -> None:
    page.wait_for_function(
        "t => document.querySelector('.jbs-status').textContent.includes(t)", arg=text, timeout=15_000
    )


def test_typing_a_japanese_query_shows_highlighted_results_and_facets_filter_them(
    page: Any, served: dict, tmp_path: Path
) -> None:
    idx: Index = served["index"]
    expected = idx.search("りんご", limit=10, facets=True)
    assert expected.total > 1

    page.locator(".jbs-q").press_sequentially("りんご", delay=20)
    wait_for_status(page, f"{expected.total}件中")
    shown = page.evaluate(READ_RESULTS)
    # Debounced: one search for the finished word, not one per keystroke.
    assert len(page.api_queries) < 3 and "q=%E3%82%8A%E3%82%93%E3%81%94" in page.api_queries[-1]
    assert [r["title"] for r in shown] == [h.title for h in expected.hits]
    for row, hit in zip(shown, expected.hits, strict=True):
        assert row["snippet"] == hit.snippet
        assert row["highlights"] == [list(span) for span in hit.highlights]
        assert set(row["marks"]) <= {"りんご", "リンゴ", "林檎"}
    shot = screenshot_path(tmp_path, "search-page-ringo.png")
    page.screenshot(path=str(shot), full_page=True)
    print(f"\nscreenshot of the search page: {shot}")

    # A tag that only some of the matches carry: clicking it narrows the results to them.
    assert expected.facets is not None
    tag, count = next((t, n) for t, n in expected.facets.tags.items() if n < expected.total)
    page.locator(f'.jbs-facet-tag button[data-value="{tag}"]').click()
    wait_for_status(page, f"{count}件中")
    narrowed = page.evaluate(READ_RESULTS)
    assert len(narrowed) == count == idx.search("りんご", tags=[tag]).total
    assert all(tag in row["tags"] for row in narrowed)
    assert page.locator(f'.jbs-facet-tag button[data-value="{tag}"]').get_attribute("aria-pressed") == "true"
    assert "tag=" in page.url  # the filtered search is a link that can be shared

    # Clicking the chip removes the filter again; a year narrows to that year.
    page.locator(".jbs-chip").click()
    wait_for_status(page, f"{expected.total}件中")
    year, in_year = next(iter(expected.facets.years.items()))
    page.locator(f'.jbs-facet-year button[data-value="{year}"]').click()
    wait_for_status(page, f"{in_year}件中")
    rows = page.evaluate(READ_RESULTS)
    assert len(rows) == in_year and all(row["date"].startswith(str(year)) for row in rows)


def test_paging_moves_through_the_ranking(page: Any, served: dict) -> None:
    idx: Index = served["index"]
    expected = idx.search("の", limit=20)
    assert expected.total > 10
    page.locator(".jbs-q").fill("の")
    wait_for_status(page, "1–10件")
    page.locator(".jbs-next").click()
    wait_for_status(page, "11–")
    titles = [r["title"] for r in page.evaluate(READ_RESULTS)]
    assert titles == [h.title for h in expected.hits[10:20]]
    assert page.locator(".jbs-prev").is_enabled()


def test_post_text_that_looks_like_html_is_shown_as_text(page: Any, served: dict) -> None:
    hit = served["index"].search("注入テスト").hits[0]
    page.locator(".jbs-q").fill("注入テスト")
    wait_for_status(page, "1件中")
    row = page.evaluate(READ_RESULTS)[0]
    assert row["title"].startswith('<img src=x onerror="window.__jbsPwned=1">')
    assert "<script>window.__jbsPwned=2</script>" in row["snippet"]
    assert page.locator(".jbs-results img, .jbs-results script").count() == 0
    assert page.evaluate("window.__jbsPwned") is None
    assert page.locator(".jbs-title mark").all_text_contents() == [
        hit.title[s:e] for s, e in hit.title_highlights
    ]


def test_highlights_stay_on_the_word_after_characters_outside_the_bmp(page: Any) -> None:
    page.locator(".jbs-q").fill("牛丼")
    wait_for_status(page, "件中")
    row = next(r for r in page.evaluate(READ_RESULTS) if r["title"] == "絵文字のあとの牛丼")
    assert row["marks"] == ["牛丼", "牛丼"]


def test_no_search_is_sent_while_an_input_method_is_composing(page: Any, served: dict) -> None:
    cdp = page.context.new_cdp_session(page)
    page.locator(".jbs-q").focus()
    # What a Japanese IME does: the reading is composed (each step an input event with
    # isComposing), then the chosen kanji are committed.
    for reading in ("き", "きょ", "きょう", "きょうと"):
        cdp.send(
            "Input.imeSetComposition",
            {"text": reading, "selectionStart": len(reading), "selectionEnd": len(reading)},
        )
    page.wait_for_timeout(600)  # well past the debounce
    assert page.api_queries == []
    cdp.send("Input.insertText", {"text": "京都"})
    wait_for_status(page, "「京都」")
    assert len(page.api_queries) == 1 and "q=%E4%BA%AC%E9%83%BD" in page.api_queries[0]


def test_readable_on_a_phone(browser: Any, served: dict, tmp_path: Path) -> None:
    context = browser.new_context(
        viewport={"width": 375, "height": 740}, device_scale_factor=2, is_mobile=True
    )
    try:
        page = context.new_page()
        page.goto(served["base"] + "/?q=北海道")
        wait_for_status(page, "件中")
        # Nothing wider than the screen (no sideways scrolling), and the box spans it.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        assert page.locator(".jbs-q").bounding_box()["width"] > 300
        shot = screenshot_path(tmp_path, "search-page-phone.png")
        page.screenshot(path=str(shot), full_page=True)
        print(f"\nscreenshot on a phone-sized screen: {shot}")
    finally:
        context.close()


def test_the_script_snippet_embeds_the_box_in_a_page_on_another_origin(browser: Any, served: dict) -> None:
    context = browser.new_context(locale="ja-JP")
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(served["blog"] + "/")
        box = page.locator(".jbs-q")
        assert box.get_attribute("placeholder") == "ブログ内を検索"
        box.fill("京都")
        wait_for_status(page, "件中")
        expected = served["index"].search("京都", limit=10)
        assert [r["title"] for r in page.evaluate(READ_RESULTS)] == [h.title for h in expected.hits]
        # Without --base-url the post URLs are root-relative: on the blog's page they point
        # into the blog, where the posts are.
        href = page.locator(".jbs-link").first.evaluate("a => a.href")
        assert href.startswith(served["blog"] + "/")
        assert errors == []
    finally:
        context.close()
