"""The JSON API of `search serve`, over HTTP against real servers on 127.0.0.1.

Each server is the real command (`search serve`, two worker processes for the main one)
over a real index of sample_posts/ built in a tmp folder. Expected answers come from the
library itself, opened on the same index in this process: the API must say what
:class:`search.Index` says, plus URLs, and turn every bad input into a JSON 400.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from conftest import SAMPLE_POSTS, write_posts

from cli.main import main
from indexer import index_posts
from search import Index
from search.permalinks import Permalinks
from search.web.api import MAX_LIMIT, MAX_OFFSET, MAX_QUERY_CHARS

BLOG = "https://blog.example.com"


@dataclass
class Server:
    base: str
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def launch_server(index: Path, log: Path, *options: str) -> Server:
    """`search serve` in a child process (see :func:`wait_ready`)."""
    port = free_port()
    cmd = [sys.executable, "-c", "from cli.main import main; main()", "serve", "--index", str(index)]
    cmd += ["--port", str(port), "--no-access-log", *options]
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    return Server(f"http://127.0.0.1:{port}", proc, log)


def wait_ready(server: Server, timeout: float = 60) -> Server:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            raise AssertionError(f"search serve exited {server.proc.returncode}:\n{server.log.read_text()}")
        try:
            with urllib.request.urlopen(server.base + "/healthz", timeout=2):
                return server
        except OSError:
            time.sleep(0.1)
    stop_server(server)
    raise AssertionError(f"search serve did not answer within {timeout} s:\n{server.log.read_text()}")


def stop_server(server: Server) -> None:
    server.proc.terminate()
    try:
        server.proc.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.proc.kill()
        server.proc.wait()


def get(
    server: Server, path: str, params: Any = (), headers: dict[str, str] | None = None, method: str = "GET"
) -> Answer:
    query = urllib.parse.urlencode(params, doseq=True) if params else ""
    url = server.base + path + ("?" + query if query else "")
    request = urllib.request.Request(url, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as res:
            status, head, raw = res.status, dict(res.headers), res.read()
    except urllib.error.HTTPError as err:
        status, head, raw = err.code, dict(err.headers), err.read()
    head = {k.lower(): v for k, v in head.items()}
    body = json.loads(raw) if head.get("content-type", "").startswith("application/json") else raw
    return Answer(status, head, body)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("serve")
    posts = root / "posts"
    shutil.copytree(SAMPLE_POSTS, posts)
    index_posts([posts], root / "index", workers=1)
    servers = {  # started side by side, then waited for
        "plain": launch_server(root / "index", root / "plain.log", "--workers", "2"),
        "blog": launch_server(
            root / "index",
            root / "blog.log",
            "--workers",
            "1",
            "--cors",
            BLOG,
            "--permalink",
            "jekyll",
            "--base-url",
            BLOG,
        ),
    }
    try:
        for server in servers.values():
            wait_ready(server)
        yield {"root": root, "posts": posts, "index": Index.open(root / "index"), **servers}
    finally:
        for server in servers.values():
            stop_server(server)


def without_url(hit: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in hit.items() if k != "url"}


def test_a_japanese_query_answers_what_the_library_answers_with_highlights_and_urls(site: dict) -> None:
    idx: Index = site["index"]
    answer = get(site["plain"], "/api/search", {"q": "りんご", "limit": 50})
    assert answer.status == 200
    assert answer.headers["content-type"].startswith("application/json")
    expected = idx.search("りんご", limit=50, facets=True)
    body = answer.body
    assert body["total"] == expected.total > 1
    assert [without_url(h) for h in body["hits"]] == [h.to_dict() for h in expected.hits]
    assert body["facets"] == expected.facets.to_dict()
    # The highlights mark the word however the post spells it (Sudachi normalises
    # りんご, リンゴ and 林檎 to one word), and only it.
    marked = Counter(h["snippet"][s:e] for h in body["hits"] for s, e in h["highlights"])
    assert set(marked) <= {"りんご", "リンゴ", "林檎"} and len(marked) >= 2
    links = Permalinks()
    for hit, lib in zip(body["hits"], expected.hits, strict=True):
        assert hit["url"] == links.url(lib.path, lib.date, lib.categories)


def test_urls_follow_the_permalink_pattern_and_base_url(site: dict) -> None:
    answer = get(site["blog"], "/api/search", {"q": "京都", "limit": 50})
    assert answer.status == 200 and answer.body["hits"]
    links = Permalinks("/:year/:month/:day/:title/", BLOG)
    by_path = {h.path: h for h in site["index"].search("京都", limit=50).hits}
    for hit in answer.body["hits"]:
        assert hit["url"].startswith(BLOG + "/")
        assert hit["url"] == links.url(hit["path"], by_path[hit["path"]].date, hit["categories"])


def test_filters_restrict_hits_and_facets_count_every_match(site: dict) -> None:
    idx: Index = site["index"]
    tag = next(iter(idx.tags()))
    answer = get(site["plain"], "/api/search", {"q": "", "tag": tag, "sort": "date", "limit": 1})
    assert answer.status == 200
    whole = idx.search("", tags=[tag], sort="date", limit=50, facets=True)
    assert answer.body["total"] == whole.total == idx.tags()[tag]
    assert len(answer.body["hits"]) == 1
    # Facets are over all matching posts, not the one-hit page.
    assert answer.body["facets"] == whole.facets.to_dict()
    assert answer.body["facets"]["tags"][tag] == whole.total
    year, count = next(iter(answer.body["facets"]["years"].items()))
    in_year = get(
        site["plain"],
        "/api/search",
        {"tag": tag, "since": f"{year}-01-01", "until": f"{year}-12-31", "sort": "date", "limit": 50},
    )
    assert in_year.body["total"] == count
    assert all(h["date"].startswith(year) and tag in h["tags"] for h in in_year.body["hits"])
    category = get(site["plain"], "/api/search", {"q": "旅", "category": "旅行", "limit": 50})
    assert category.body["hits"] and all("旅行" in h["categories"] for h in category.body["hits"])


def test_pages_are_consecutive_slices_of_one_ranking(site: dict) -> None:
    idx: Index = site["index"]
    everything = [h.path for h in idx.search("の", limit=50).hits]
    assert len(everything) > 6
    pages = []
    for offset in range(0, 6, 3):
        answer = get(site["plain"], "/api/search", {"q": "の", "limit": 3, "offset": offset})
        assert answer.body["offset"] == offset and answer.body["limit"] == 3
        pages += [h["path"] for h in answer.body["hits"]]
    assert pages == everything[:6]


@pytest.mark.parametrize(
    ("params", "words"),
    [
        ({"q": "京都", "since": "2024-13-45"}, "date"),
        ({"q": "京都", "until": "昨日"}, "date"),
        ({"q": "京都", "limit": "ten"}, "limit"),
        ({"q": "京都", "limit": "0"}, "limit"),
        ({"q": "京都", "limit": str(MAX_LIMIT + 1)}, "limit"),
        ({"q": "京都", "offset": "-1"}, "offset"),
        ({"q": "京都", "offset": str(MAX_OFFSET + 1)}, "offset"),
        ({"q": "あ" * (MAX_QUERY_CHARS + 1)}, "at most"),
        ({"q": "京都", "sort": "random"}, "sort"),
        ({"q": ["京都", "大阪"]}, "once"),
        ({"q": "京都", "tag": [f"t{i}" for i in range(11)]}, "tag"),
        ({"q": "tag:"}, "tag"),
        ({"q": "京都", "facets": "maybe"}, "facets"),
    ],
)
def test_bad_input_is_a_json_400_with_a_one_line_reason(site: dict, params: dict, words: str) -> None:
    answer = get(site["plain"], "/api/search", params)
    assert answer.status == 400, answer.body
    assert set(answer.body) == {"error"}
    assert words in answer.body["error"] and "\n" not in answer.body["error"]
    assert "Traceback" not in answer.body["error"]


@pytest.mark.parametrize("q", ['"', "*:*", "(", "-", "OR", "京都 OR", "\x00", "title:", "🍎" * 50])
def test_odd_queries_never_cause_a_500(site: dict, q: str) -> None:
    answer = get(site["plain"], "/api/search", {"q": q})
    assert answer.status in (200, 400), answer.body
    assert isinstance(answer.body, dict) and ("hits" in answer.body or "error" in answer.body)


@pytest.mark.parametrize(
    "params",
    [
        {"q": "京都", "since": "1600-01-01"},
        {"q": "京都", "until": "9999-12-31"},
        {"q": "京都 since:0001-01-01"},
        {"q": "京都", "since": "2300-01-01"},
    ],
)
def test_dates_beyond_what_the_index_holds_are_no_bound_not_a_500(site: dict, params: dict) -> None:
    answer = get(site["plain"], "/api/search", params)
    assert answer.status == 200, answer.body
    expected = 0 if params.get("since") == "2300-01-01" else 4  # the four posts about 京都
    assert answer.body["total"] == expected


def test_invalid_utf8_in_the_url_is_not_a_500(site: dict) -> None:
    answer = get(site["plain"], "/api/search?q=%FF%FE%E4%BA")
    assert answer.status in (200, 400)


def test_related_posts_and_unknown_posts(site: dict) -> None:
    idx: Index = site["index"]
    path = idx.search("りんご", limit=1).hits[0].path
    answer = get(site["plain"], "/api/related", {"path": path, "limit": 3})
    assert answer.status == 200
    assert [without_url(h) for h in answer.body["hits"]] == [h.to_dict() for h in idx.related(path, limit=3)]
    assert path not in [h["path"] for h in answer.body["hits"]]
    assert all(h["url"].startswith("/") for h in answer.body["hits"])
    missing = get(site["plain"], "/api/related", {"path": "no/such-post.md"})
    assert missing.status == 404 and "no indexed post" in missing.body["error"]
    assert get(site["plain"], "/api/related").status == 400


def test_tags_health_and_unknown_routes(site: dict) -> None:
    idx: Index = site["index"]
    assert get(site["plain"], "/api/tags").body == {"tags": idx.tags()}
    health = get(site["plain"], "/healthz")
    assert health.status == 200 and health.body["status"] == "ok"
    assert isinstance(health.body["worker"], int)
    assert health.body["posts"] == idx.searcher().num_docs
    nothing = get(site["plain"], "/api/nothing")
    assert nothing.status == 404 and "error" in nothing.body
    post = get(site["plain"], "/api/search", {"q": "京都"}, method="POST")
    assert post.status == 405 and "error" in post.body


def test_cors_headers_only_for_the_configured_origin(site: dict) -> None:
    origin = {"Origin": BLOG}
    plain = get(site["plain"], "/api/search", {"q": "京都"}, origin)
    assert plain.status == 200 and "access-control-allow-origin" not in plain.headers
    blog = get(site["blog"], "/api/search", {"q": "京都"}, origin)
    assert blog.status == 200 and blog.headers["access-control-allow-origin"] == BLOG
    other = get(site["blog"], "/api/search", {"q": "京都"}, {"Origin": "https://elsewhere.example"})
    assert "access-control-allow-origin" not in other.headers
    preflight = get(
        site["blog"],
        "/api/search",
        headers={**origin, "Access-Control-Request-Method": "GET"},
        method="OPTIONS",
    )
    assert preflight.status == 200 and preflight.headers["access-control-allow-origin"] == BLOG


def test_the_page_and_its_files_are_served_with_a_content_policy(site: dict) -> None:
    page = get(site["plain"], "/")
    assert page.status == 200 and page.headers["content-type"].startswith("text/html")
    assert b"static/search.js" in page.body
    assert "script-src 'self'" in page.headers["content-security-policy"]
    script = get(site["plain"], "/static/search.js")
    assert script.status == 200 and "javascript" in script.headers["content-type"]
    assert script.headers["x-content-type-options"] == "nosniff"


def test_concurrent_requests_across_worker_processes_agree(site: dict) -> None:
    queries = ["京都", "りんご", "半導体", "パン", "北海道 冬", "Python"] * 4
    serial = {q: get(site["plain"], "/api/search", {"q": q}).body["hits"] for q in set(queries)}
    with ThreadPoolExecutor(12) as pool:
        answers = list(pool.map(lambda q: (q, get(site["plain"], "/api/search", {"q": q})), queries))
    for q, answer in answers:
        assert answer.status == 200
        assert answer.body["hits"] == serial[q]


def test_a_commit_by_the_indexer_is_seen_by_the_running_server(site: dict) -> None:
    word = "ヤンバルクイナ"
    assert get(site["plain"], "/api/search", {"q": word}).body["total"] == 0
    before = get(site["plain"], "/healthz").body["posts"]
    write_posts(
        site["posts"],
        {
            "jekyll/_posts/2026-11-30-yanbaru.md": f"""
                ---
                title: やんばるの森で{word}を見た
                date: 2026-11-30 09:00
                tags: [旅行, 沖縄]
                ---
                沖縄本島北部の森を朝早く歩いた。道路脇の茂みから{word}が一羽、走り出てきた。
                """
        },
    )
    index_posts([site["posts"]], site["root"] / "index", workers=1)
    # Fresh connections, so both worker processes are asked; neither was restarted.
    for _ in range(8):
        answer = get(site["plain"], "/api/search", {"q": word})
        assert answer.body["total"] == 1
        hit = answer.body["hits"][0]
        assert hit["url"] == "/2026/11/30/yanbaru/"
        assert word in [hit["snippet"][s:e] for s, e in hit["highlights"]]
    assert get(site["plain"], "/healthz").body["posts"] == before + 1
    assert get(site["blog"], "/api/search", {"q": word}).body["total"] == 1


@pytest.mark.parametrize(
    ("options", "words"),
    [
        (["--permalink", "/:year/:titel/"], "unknown permalink part :titel"),
        (["--base-url", "blog.example.com"], "base URL must start with http"),
        (["--cors", "blog.example.com"], "CORS origin"),
    ],
)
def test_serve_refuses_bad_settings_with_one_line_before_listening(
    site: dict, options: list[str], words: str
) -> None:
    result = CliRunner().invoke(main, ["serve", "--index", str(site["root"] / "index"), *options])
    assert result.exit_code == 1
    assert words in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert "search serve: http" not in result.stdout  # it never said it was listening


def test_serve_without_an_index_says_how_to_make_one(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["serve", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1 and "search index" in result.stderr


def workers_answering(server: Server, requests: int = 16) -> set[int]:
    """The worker processes that answered ``requests`` fresh connections (all must be 200)."""
    answers = [get(server, "/healthz") for _ in range(requests)]
    assert all(a.status == 200 for a in answers)
    return {a.body["worker"] for a in answers}


def test_new_connections_are_spread_over_the_worker_processes(site: dict) -> None:
    # Each worker has its own SO_REUSEPORT socket: 16 connections all landing on one of
    # two workers would happen about once in 30,000 runs.
    assert len(workers_answering(site["plain"])) == 2


def test_a_worker_that_dies_is_replaced_and_the_other_serves_meanwhile(site: dict) -> None:
    before = workers_answering(site["plain"])
    victim = min(before)
    os.kill(victim, signal.SIGKILL)
    # Connections the kernel had queued for the killed worker are lost with it (as they
    # would be with a shared socket); once its socket is gone, every request is answered.
    time.sleep(1.0)
    deadline = time.monotonic() + 60
    seen: set[int] = set()
    while time.monotonic() < deadline:
        seen = workers_answering(site["plain"], 8)
        if len(seen) == 2 and victim not in seen:
            break
        time.sleep(0.2)
    assert victim not in seen and len(seen) == 2, seen
    assert "exited (status -9); starting another" in site["plain"].log.read_text()


def test_serve_refuses_a_port_in_use(site: dict) -> None:
    port = site["plain"].base.rsplit(":", 1)[1]
    result = CliRunner().invoke(
        main, ["serve", "--index", str(site["root"] / "index"), "--port", port, "--workers", "2"]
    )
    assert result.exit_code == 1
    assert f"port {port} on 127.0.0.1 is in use" in result.stderr
