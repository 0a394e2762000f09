"""``search serve``: options in, :func:`search.web.server.serve` out."""

from __future__ import annotations

import click

from cli.main import INDEX_OPTION, main


@main.command("serve")
@INDEX_OPTION
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=click.IntRange(1, 65535), default=8080, show_default=True)
@click.option(
    "--workers",
    type=click.IntRange(1, 64),
    default=None,
    help="Worker processes sharing the index (default: CPU count, at most 4).",
)
@click.option(
    "--threads",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Searches run at once in each worker process.",
)
@click.option(
    "--cors",
    "cors",
    multiple=True,
    metavar="ORIGIN",
    help="Let pages on ORIGIN (https://blog.example.com; * for any) call the API. Repeatable.",
)
@click.option(
    "--permalink",
    default="auto",
    show_default=True,
    metavar="PATTERN",
    help="Post URLs: auto, jekyll, hugo, hexo, path, or a pattern like /:year/:month/:day/:title/.",
)
@click.option("--base-url", default="", metavar="URL", help="The blog's address, put before each post URL.")
@click.option("--access-log/--no-access-log", default=True, show_default=True)
def serve_cmd(
    index_dir: str | None,
    host: str,
    port: int,
    workers: int | None,
    threads: int,
    cors: tuple[str, ...],
    permalink: str,
    base_url: str,
    access_log: bool,
) -> None:
    """Serve the search page at / and the JSON API at /api/ (see README)."""
    import os

    from search.index import default_index_path
    from search.web.config import ServeConfig
    from search.web.server import check, serve

    config = ServeConfig(
        index=str(default_index_path(index_dir)),
        cors_origins=cors,
        permalink=permalink,
        base_url=base_url,
        threads=threads,
    )
    index = check(config, host, port)
    workers = workers or min(os.cpu_count() or 1, 4)
    shown = f"[{host}]" if ":" in host else host
    click.echo(f"search serve: http://{shown}:{port}/ ({workers} worker process(es), index {config.index})")
    serve(config, host=host, port=port, workers=workers, access_log=access_log, index=index)
