"""The ``search`` command: thin click commands over :mod:`search` and :mod:`indexer`.

Exit statuses: 0 done (warnings about single posts included), 1 a user mistake (no index,
bad date, bad option value), 2 bad command-line usage, 3 another indexing run holds the
index, 4 the index could not be written (disk full, read-only); the previous index is intact.
130 interrupted by SIGINT (Ctrl-C), 143 stopped by SIGTERM (128 + the signal's number, as a
shell reports a process killed by it): an indexing run stops within seconds, its workers
ended, the lock released, the index at its last commit (the next run finishes the work).
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, NoReturn

import click

INDEX_OPTION = click.option(
    "--index",
    "index_dir",
    metavar="DIR",
    default=None,
    help="Index location (default: $SEARCH_INDEX or ./.search-index).",
)


# `search query 投資 -チップ`: a -word is an exclusion in the query, not an unknown option.
QUERY_CONTEXT = {"ignore_unknown_options": True}


def _query_text(words: tuple[str, ...]) -> str:
    """The query typed as arguments. An unknown ``--option``, or a dash and one Latin letter
    (``-n 5``, a habit from other tools), is a usage error rather than "exclude n"; to
    exclude a one-letter word, quote it: ``-"n"``."""
    for word in words:
        if word.startswith("--") and len(word) > 2:
            raise click.UsageError(f"no such option: {word.split('=')[0]}")
        if len(word) == 2 and word[0] == "-" and word[1].isascii() and word[1].isalpha():
            raise click.UsageError(
                f'no such option: {word} (to exclude the word {word[1]!r}, write -"{word[1]}")'
            )
    return " ".join(words)


class _Terminated(KeyboardInterrupt):
    """SIGTERM (``kill``, systemd, ``timeout``) stops a command the way Ctrl-C does, cleanup
    included; by default Python would die at once, leaving a rebuild's half-made files."""


def _terminate(signum: int, frame: object) -> None:
    raise _Terminated


class _Group(click.Group):
    """Turns the library's user-facing errors into one red line and their exit status."""

    def invoke(self, ctx: click.Context) -> Any:
        main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.getsignal(signal.SIGTERM) if main_thread else None
        if previous == signal.SIG_DFL:
            signal.signal(signal.SIGTERM, _terminate)
        try:
            from search.errors import SearchError  # loaded here, where a Ctrl-C during it is handled

            try:
                return super().invoke(ctx)
            except SearchError as exc:
                from cli.render import error_line

                error_line(str(exc))
                sys.exit(exc.exit_code)
        except KeyboardInterrupt as exc:
            _interrupted(exc, main_thread)
        except RuntimeError as exc:
            # A Ctrl-C while a module is being imported can surface wrapped (Python 3.11 wraps
            # exceptions raised in __set_name__, which dataclasses run at import).
            if isinstance(exc.__cause__, KeyboardInterrupt):
                _interrupted(exc.__cause__, main_thread)
            raise
        finally:
            if previous == signal.SIG_DFL and signal.getsignal(signal.SIGTERM) == _terminate:
                signal.signal(signal.SIGTERM, previous)


def _interrupted(exc: KeyboardInterrupt, main_thread: bool) -> NoReturn:
    if main_thread:  # on the way out: a second signal must not become a traceback
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    terminated = isinstance(exc, _Terminated)
    # click, not cli.render: the interruption may have come while the library was loading.
    message = "interrupted by SIGTERM" if terminated else "interrupted"
    click.secho(f"error: {message}", err=True, fg="red", bold=True)
    sys.exit(128 + (signal.SIGTERM if terminated else signal.SIGINT))


def _tolerant_output() -> None:
    """Print in the terminal's own encoding and replace what it cannot show (a post title
    with an emoji on an EUC-JP terminal), instead of dying with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def _can_print_unicode() -> bool:
    encoding = (getattr(sys.stdout, "encoding", None) or "ascii").lower().replace("-", "").replace("_", "")
    return encoding.startswith("utf")


def echo_json(data: object) -> None:
    """JSON on stdout: raw UTF-8 where the terminal takes it, else \\u escapes (still the same
    JSON to a program reading it, with nothing replaced)."""
    text = json.dumps(data, ensure_ascii=not _can_print_unicode(), indent=2)
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="jp-blog-search", prog_name="search")
def main() -> None:
    """Japanese full-text search for a Markdown blog archive."""
    _tolerant_output()


@main.command("index")
@click.argument("posts_dirs", nargs=-1, type=click.Path(file_okay=False), metavar="[POSTS_DIR]...")
@INDEX_OPTION
@click.option("--rebuild", is_flag=True, help="Start over: build a new index and switch to it when done.")
@click.option("--drafts", is_flag=True, help="Include drafts (draft: true / published: false).")
@click.option(
    "--timezone",
    "tz",
    metavar="ZONE",
    default=None,
    help="Zone for dates without an offset (default: $SEARCH_TIMEZONE or Asia/Tokyo).",
)
@click.option(
    "--workers", type=click.IntRange(1, 64), default=None, help="Worker processes (default: CPU count)."
)
@click.option(
    "--wait",
    type=click.FloatRange(0),
    default=30.0,
    show_default=True,
    help="Seconds to wait for another indexing run to finish.",
)
@click.option(
    "--include-root-docs",
    is_flag=True,
    help="Index README, LICENSE, CHANGELOG… at the root of a posts folder too (not posts by default).",
)
@click.option(
    "--exclude",
    "exclude",
    multiple=True,
    metavar="PATTERN",
    help="Leave out files and folders matching PATTERN (a name like 'drafts' or '*.tmp.md', "
    "or a path inside the posts folder like 'notes/*'); repeat for more.",
)
@click.option("-q", "--quiet", is_flag=True, help="Print only warnings and errors (for cron).")
@click.option(
    "-v",
    "--verbose",
    is_flag=True,
    help="Also list drafts and ignored files (backups, hidden files, README…, excluded).",
)
def index_cmd(
    posts_dirs: tuple[str, ...],
    index_dir: str | None,
    rebuild: bool,
    drafts: bool,
    tz: str | None,
    workers: int | None,
    wait: float,
    include_root_docs: bool,
    exclude: tuple[str, ...],
    quiet: bool,
    verbose: bool,
) -> None:
    """Build or update the index from Markdown posts (only changed posts are re-read)."""
    from cli import render
    from indexer import index_posts

    with render.index_progress(enabled=not quiet) as progress:
        report = index_posts(
            posts_dirs,
            index_dir,
            rebuild=rebuild,
            include_drafts=drafts,
            timezone=tz or os.environ.get("SEARCH_TIMEZONE") or None,
            workers=workers,
            wait=wait,
            progress=progress,
            include_root_docs=include_root_docs,
            exclude=exclude,
        )
    render.index_report(report, quiet=quiet, verbose=verbose)


@main.command("query", context_settings=QUERY_CONTEXT)
@click.argument("text", nargs=-1)  # none: browse with --tag/--since/--sort date alone
@INDEX_OPTION
@click.option(
    "--tag", "tags", multiple=True, metavar="T", help="Only posts with this tag (repeat: all of them)."
)
@click.option("--category", "categories", multiple=True, metavar="C", help="Only posts in this category.")
@click.option("--author", "authors", multiple=True, metavar="A", help="Only posts by this author.")
@click.option("--since", metavar="DATE", help="Posts on or after DATE (e.g. 2025-01-01).")
@click.option("--until", metavar="DATE", help="Posts on or before DATE (the whole day).")
@click.option("--sort", type=click.Choice(["relevance", "date"]), default="relevance", show_default=True)
@click.option(
    "--recency",
    type=click.FloatRange(0),
    default=0.0,
    metavar="W",
    help="Favour newer posts: score × (1 + W × 0.5^years old); e.g. 1.",
)
@click.option("--limit", type=click.IntRange(1, 10_000), default=10, show_default=True)
@click.option("--offset", type=click.IntRange(0), default=0, show_default=True)
@click.option("--facets", "with_facets", is_flag=True, help="Count tags, categories, years of all matches.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--no-synonyms", is_flag=True, help="Match only the words typed, not their synonyms.")
def query_cmd(
    text: tuple[str, ...],
    index_dir: str | None,
    tags: tuple[str, ...],
    categories: tuple[str, ...],
    authors: tuple[str, ...],
    since: str | None,
    until: str | None,
    sort: str,
    recency: float,
    limit: int,
    offset: int,
    with_facets: bool,
    as_json: bool,
    no_synonyms: bool,
) -> None:
    """Search the index. Words are ANDed; "quoted words" are a phrase; see README for syntax."""
    from search import Index

    query = _query_text(text)
    idx = Index.open(index_dir)
    result = idx.search(
        query,
        tags=tags,
        categories=categories,
        author=authors,
        since=since,
        until=until,
        sort=sort,  # type: ignore[arg-type]
        recency=recency,
        limit=limit,
        offset=offset,
        synonyms=not no_synonyms,
        facets=with_facets,
    )
    if as_json:
        echo_json(result.to_dict())
        return
    from cli import render

    render.results(result, offset=offset)
    if result.facets is not None:
        render.facets(result.facets)


@main.command("explain", context_settings=QUERY_CONTEXT)
@click.argument("text", nargs=-1, required=True)
@INDEX_OPTION
@click.option("--post", metavar="PATH", help="Show how this post matches (its path, or the end of it).")
@click.option("--tag", "tags", multiple=True, metavar="TAG")
@click.option("--category", "categories", multiple=True, metavar="NAME")
@click.option("--author", "authors", multiple=True, metavar="NAME")
@click.option("--since", metavar="DATE")
@click.option("--until", metavar="DATE")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object, with tantivy's score tree.")
@click.option("--no-synonyms", is_flag=True, help="Match only the words typed, not their synonyms.")
def explain_cmd(
    text: tuple[str, ...],
    index_dir: str | None,
    post: str | None,
    tags: tuple[str, ...],
    categories: tuple[str, ...],
    authors: tuple[str, ...],
    since: str | None,
    until: str | None,
    as_json: bool,
    no_synonyms: bool,
) -> None:
    """Show how a query is analysed and, with --post, why that post matches or not."""
    from search import Index

    query = _query_text(text)
    explanation = Index.open(index_dir).explain(
        query,
        post,
        tags=tags,
        categories=categories,
        author=authors,
        since=since,
        until=until,
        synonyms=not no_synonyms,
    )
    if as_json:
        echo_json(explanation.to_dict())
        return
    from cli import render

    render.explanation(explanation)


@main.command("related")
@click.argument("path", required=False)
@INDEX_OPTION
@click.option(
    "--limit", type=click.IntRange(1, 100), default=None, help="Posts per list (default 10; 5 with --all)."
)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object instead of a table.")
@click.option("--all", "every", is_flag=True, help="Related posts of every post, into one file (--out).")
@click.option(
    "--format", "fmt", type=click.Choice(["json", "hugo", "jekyll"]), default="json", show_default=True
)
@click.option(
    "--out", type=click.Path(dir_okay=False), help="File to write with --all (e.g. data/related.json)."
)
@click.option(
    "--strip-prefix", default="", metavar="DIR", help="Remove this leading folder from the file's keys."
)
@click.option("--full", is_flag=True, help="With --all: recompute every post, not only what changed.")
def related_cmd(
    path: str | None,
    index_dir: str | None,
    limit: int | None,
    as_json: bool,
    every: bool,
    fmt: str,
    out: str | None,
    strip_prefix: str,
    full: bool,
) -> None:
    """Posts about the same things as PATH (its path in the index, or the end of it)."""
    from search import Index

    if every == (path is not None):
        raise click.UsageError("give a post's PATH, or --all with --out FILE")
    idx = Index.open(index_dir)
    if not every:
        hits = idx.related(path or "", limit or 10)
        if as_json:
            echo_json({"post": path, "related": [h.to_dict() for h in hits]})
            return
        from cli import render

        render.related(path or "", hits)
        return
    if out is None:
        raise click.UsageError("--all needs --out FILE")
    from search.related import site_data

    target = Path(out)
    state_file = target.with_name(f".{target.name}.state")
    made = site_data(
        idx,
        fmt,  # type: ignore[arg-type]
        limit=limit or 5,
        strip_prefix=strip_prefix,
        previous_state=_read(state_file),
        previous_text=_read(target),
        full=full,
    )
    if made.unchanged:
        click.echo(f"{target} is up to date ({made.posts} posts)")
        return
    _write_atomic(target, made.text)
    _write_atomic(state_file, made.state)
    click.echo(f"wrote {target}: {made.posts} posts, {made.recomputed} recomputed")


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _write_atomic(path: Path, text: str) -> None:
    """Temp file, fsync, rename: a site build never reads a half-written file."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        from search.errors import SearchError

        tmp.unlink(missing_ok=True)
        raise SearchError(f"cannot write {path}: {exc.strerror or exc}") from exc


@main.command("tags")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True)
def tags_cmd(index_dir: str | None, as_json: bool) -> None:
    """List tags with their post counts."""
    from search import Index

    counts = Index.open(index_dir).tags()
    if as_json:
        echo_json(counts)
        return
    from cli import render

    render.tag_table(counts)


@main.command("stats")
@INDEX_OPTION
@click.option("--json", "as_json", is_flag=True)
def stats_cmd(index_dir: str | None, as_json: bool) -> None:
    """Show post count, size on disk, date range and analyzer of the index."""
    from search import Index

    stats = Index.open(index_dir).stats()
    from cli import render

    if as_json:
        echo_json(render.stats_dict(stats))
        return
    render.stats_table(stats)


import cli.serve  # noqa: E402, F401  (registers `search serve`)

if __name__ == "__main__":  # pragma: no cover
    main()
