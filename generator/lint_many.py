"""Linting many templates at once: in parallel across processes, and cached by content.

cfn-lint costs ~0.35 s per template and its Linter is not thread-safe, so a fleet build lints in
worker processes (one Linter each). A template whose text, lint configuration and date are
unchanged since the last build is not linted again: its findings come from the cache under
`<out>/.svcgen-cache/lint/`. The date is part of the key because cfn-lint's deprecated-runtime
rules compare against today.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import os
import signal
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from importlib.metadata import version
from pathlib import Path

from generator.findings import Finding
from generator.output import atomic_write
from generator.progress import OFF, Progress

CACHE_DIR = ".svcgen-cache/lint"
LINT_SOURCES = ("lint.py", "lint_speedups.py")
# Below this many templates to lint, starting worker processes costs more than it saves.
PARALLEL_MINIMUM = 4

_worker_linter = None


def cache_key(text: str, region: str) -> str:
    parts = [text, region, version("cfn-lint"), version("cfn-lint-serverless"),
             datetime.date.today().isoformat(), _lint_source_digest()]
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()


@functools.cache
def _lint_source_digest(here: Path = Path(__file__).parent) -> str:
    """svcgen's own lint code is part of the key: changing its policy (lint.py) or how cfn-lint is
    sped up (lint_speedups.py, meant to change no finding) invalidates the cache."""
    return hashlib.sha256(b"\0".join((here / name).read_bytes() for name in LINT_SOURCES)).hexdigest()


def lint_texts(texts: list[str], region: str, cache_root: Path | None, linter=None,
               progress: Progress = OFF, names: list[str] | None = None) -> list[list]:
    """Findings for each text, in order. `linter` forces serial, in-process linting; `progress`
    hears of each template linted (by its name in `names`)."""
    keys = [cache_key(t, region) for t in texts]
    results: list[list | None] = [_cached(cache_root, k, Finding) for k in keys]
    todo = [i for i, r in enumerate(results) if r is None]
    if todo:
        progress.phase("linting", len(todo))
        for i, findings in zip(todo, _lint(region, [texts[i] for i in todo], linter)):
            results[i] = findings
            _store(cache_root, keys[i], findings)
            progress.advance(names[i] if names else str(i + 1))
    return results  # type: ignore[return-value]


def _lint(region: str, texts: list[str], linter) -> Iterator[list]:
    """Each text's findings, in order, as each is done (the caller reports progress)."""
    workers = min(os.cpu_count() or 1, len(texts))
    if linter is not None or workers < 2 or len(texts) < PARALLEL_MINIMUM:
        if linter is None:
            from generator.lint import Linter

            linter = Linter(regions=[region])
        for text in texts:
            yield linter.lint(text, "")
        return
    pool = ProcessPoolExecutor(max_workers=workers, initializer=_init_worker, initargs=(region,))
    try:
        yield from pool.map(_lint_in_worker, texts)
    finally:  # on Ctrl-C: drop the templates not yet started, wait only for those being linted
        pool.shutdown(wait=True, cancel_futures=True)


def _init_worker(region: str) -> None:
    global _worker_linter
    # Ctrl-C signals the whole process group: only the parent may handle it. A worker that died
    # of it left the pool broken and the parent waiting for it forever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    from generator.lint import Linter

    _worker_linter = Linter(regions=[region])


def _lint_in_worker(text: str) -> list:
    return _worker_linter.lint(text, "")


def _cached(root: Path | None, key: str, finding_type) -> list | None:
    if root is None:
        return None
    path = root / CACHE_DIR / f"{key}.json"
    try:
        return [finding_type(**item) for item in json.loads(path.read_text())]
    except (OSError, ValueError, TypeError):
        return None  # absent or unreadable: lint again


def _store(root: Path | None, key: str, findings: list) -> None:
    if root is None:
        return
    data = json.dumps([dataclasses.asdict(f) for f in findings], sort_keys=True)
    try:
        atomic_write(root / CACHE_DIR / f"{key}.json", data.encode())
    except OSError:
        pass  # a cache that cannot be written only costs time
