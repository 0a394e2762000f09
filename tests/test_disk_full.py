"""A disk that fills up during ``search index``: exit status 4 with one line, never a
traceback, the previous index intact, and the next run (with space again) completes.

The full disk is real: a small tmpfs mounted inside tmp_path in a private mount namespace
(``unshare``), so nothing outside the test's folder is touched and the mount vanishes with
the driver process. The driver fills the disk to leave a range of free space, so the
failure lands at each place a run writes: the lock file, a new generation, tantivy's
segments and commit, and index.json.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

# Free bytes left on the disk for the failing run (tmpfs counts 4 KiB pages), then one
# level with room to spare, where the run must succeed.
LEVELS = [0, 4096, 8192, 12288, 16384, 20480, 28672, 40960, 65536, 131072, 262144]
ROOMY = 6_000_000

DRIVER = r"""
import json, os, shutil, subprocess, sys
from pathlib import Path
from click.testing import CliRunner
from cli.main import main
from search import Index

mnt, posts, scenario = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
levels = json.loads(sys.argv[4])
subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mnt)], check=True)
index, before = mnt / "index", mnt / "before"

def run(*extra):
    r = CliRunner().invoke(main, ["index", "--quiet", str(posts), "--index", str(index), "--workers", "1", *extra])
    crashed = r.exception is not None and not isinstance(r.exception, SystemExit)
    return {"code": r.exit_code, "stdout": r.stdout, "stderr": r.stderr, "crashed": repr(r.exception) if crashed else None}

def state():
    if not (index / "index.json").exists():
        return None
    idx = Index.open(index)
    return {"posts": idx.stats().posts, "new": idx.search('"満杯後の追記"').total,
            "generation": idx.meta.generation,
            "entries": sorted(p.name for p in index.iterdir() if p.name != ".lock")}

if scenario != "first":
    (posts / "later").rename(posts.parent / "later")  # the first index has only the old posts
    assert run()["code"] == 0
    (posts.parent / "later").rename(posts / "later")
    shutil.copytree(index, before)
for leave in levels:
    shutil.rmtree(index, ignore_errors=True)
    if scenario != "first":
        shutil.copytree(before, index)
    old = state()
    st = os.statvfs(mnt)
    with open(mnt / "fill", "wb") as fh:
        fh.write(b"\0" * max(0, st.f_bavail * st.f_frsize - leave))
    failed = run("--rebuild") if scenario == "rebuild" else run()
    after_failure = state()
    os.unlink(mnt / "fill")
    rerun = run()
    print(json.dumps({"leave": leave, "old": old, "run": failed, "state": after_failure,
                      "rerun": rerun, "final": state()}), flush=True)
"""


def namespace_prefix() -> list[str]:
    """``unshare`` into a private mount namespace (as root), or a user namespace that maps
    us to root in it (elsewhere); skip where neither is allowed."""
    unshare, mount = shutil.which("unshare"), shutil.which("mount")
    if unshare is None or mount is None or sys.platform != "linux":
        pytest.skip("needs Linux with unshare and mount to make a small real disk")
    prefix = [unshare, "-m"] if os.geteuid() == 0 else [unshare, "-Urm"]
    probe = subprocess.run(
        [*prefix, mount, "-t", "tmpfs", "-o", "size=1m", "tmpfs", "/mnt"], capture_output=True
    )
    if probe.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs in a private namespace here: {probe.stderr.decode().strip()}")
    return prefix


def write_posts(folder: Path) -> Path:
    """Ten posts indexed before the disk fills, and what changes afterwards: five new posts
    and an edit to one old post, all carrying a word the old index does not have."""
    body = "旅先の朝は静かで、港の市場を歩いてから珈琲を飲んだ。" * 40
    for i in range(10):
        (folder / f"old-{i}.md").parent.mkdir(parents=True, exist_ok=True)
        (folder / f"old-{i}.md").write_text(f"---\ntitle: 旅の記録{i}\n---\n{body}\n", encoding="utf-8")
    for i in range(5):
        path = folder / "later" / f"new-{i}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(f"---\ntitle: 追記{i}\n---\n満杯後の追記。{body}\n", encoding="utf-8")
    return folder


@pytest.mark.parametrize("scenario", ["first", "update", "rebuild"])
def test_full_disk_is_one_line_exit_4_and_the_index_survives(tmp_path: Path, scenario: str) -> None:
    prefix = namespace_prefix()
    posts = write_posts(tmp_path / "posts")
    (tmp_path / "mnt").mkdir()
    proc = subprocess.run(
        [
            *prefix,
            sys.executable,
            "-c",
            DRIVER,
            str(tmp_path / "mnt"),
            str(posts),
            scenario,
            json.dumps([*LEVELS, ROOMY]),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [row["leave"] for row in rows] == [*LEVELS, ROOMY]

    for row in rows:
        run, where = row["run"], f"{scenario}, {row['leave']} bytes free"
        assert run["crashed"] is None, f"{where}: {run['crashed']}"
        assert run["code"] in (0, 4) and run["stdout"] == "", where
        if run["code"] == 4:
            (line,) = run["stderr"].splitlines()
            assert line.startswith(
                ("error: writing the index failed (", "error: cannot create the lock file")
            ), where
            # The index is what it was before the run: same generation, same posts, nothing
            # new, and no half-made generation left taking space on the full disk.
            if row["old"] is not None:
                assert row["state"]["generation"] == row["old"]["generation"], where
                assert row["state"]["posts"] == row["old"]["posts"] == 10 and row["state"]["new"] == 0, where
            elif row["state"] is not None:  # a first build publishes its empty index at once
                assert row["state"]["posts"] == 0, where
            entries = row["state"]["entries"] if row["state"] else []
            assert [e for e in entries if e.startswith("gen-")] == (
                [row["state"]["generation"]] if row["state"] else []
            )
        else:
            assert row["state"]["posts"] == 15 and row["state"]["new"] == 5, where
        # With space again, the next run finishes the work.
        assert row["rerun"]["code"] == 0 and row["rerun"]["crashed"] is None, f"{where}: {row['rerun']}"
        assert row["final"]["posts"] == 15 and row["final"]["new"] == 5, where
        assert [e for e in row["final"]["entries"] if e.startswith("gen-")] == [row["final"]["generation"]], (
            where
        )
    assert rows[0]["run"]["code"] == 4 and rows[-1]["run"]["code"] == 0, "the levels must span the failure"
