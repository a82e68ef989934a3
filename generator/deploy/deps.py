"""A service's dependencies installed for the Lambda platform, once per requirements text.

pip installs wheels built for the function's machine (`--platform manylinux2014_aarch64`, CPython
of the function's runtime, `--only-binary=:all:`), never packages built on the developer's
machine. The result is kept under the cache directory by a hash of everything that decides it
(the requirements text and the files it includes, platform, Python version, local wheels), so a
second package run, or another service with the same requirements, costs nothing.

A requirement that no index has but that is installed here from a local directory (the runtime
library, `svcgen-runtime`, in a checkout of svcgen) is built into a wheel once per source hash
and offered to pip with `--find-links`.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

PLATFORMS = {"arm64": "manylinux2014_aarch64", "x86_64": "manylinux2014_x86_64"}
COMPLETE = ".svcgen-complete"  # written last into a finished install: an interrupted one is redone
_SOURCE_SKIP = {"build", "dist", "__pycache__"}
# Distributions that are on no public index and are installed with svcgen itself: its runtime
# library, pinned by every service's requirements.txt to the version installed here.
REPACKABLE = ("svcgen-runtime",)
_INSTALLER_RECORDS = {"RECORD", "INSTALLER", "REQUESTED", "direct_url.json"}


class PackageError(Exception):
    """Packaging cannot go on; the message says why and what to do."""


def cache_root() -> Path:
    if os.environ.get("SVCGEN_CACHE_DIR"):
        return Path(os.environ["SVCGEN_CACHE_DIR"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "svcgen"


def python_version(runtime: str) -> str:
    match = re.fullmatch(r"python(3\.\d+)", runtime)
    if match is None:
        raise PackageError(f"runtime {runtime!r} is not a Python runtime (python3.x); svcgen packages Python only")
    return match.group(1)


def lambda_platform(architecture: str) -> str:
    if architecture not in PLATFORMS:
        raise PackageError(f"architecture {architecture!r} is not one Lambda runs ({', '.join(sorted(PLATFORMS))})")
    return PLATFORMS[architecture]


def install(requirements: Path, runtime: str, architecture: str, cache: Path | None = None,
            find_links: list[Path] | None = None, progress: Callable[[str], None] | None = None,
            pip_options: tuple[str, ...] = ()) -> tuple[Path, bool]:
    """The directory holding the installed requirements, and whether it came from the cache.
    `pip_options` go to pip as they are (`--no-index` with a wheelhouse in `find_links`)."""
    cache = cache or cache_root()
    version, platform = python_version(runtime), lambda_platform(architecture)
    texts = included_texts(requirements)
    links = find_links if find_links is not None else local_wheels(texts, cache, progress)
    done = cache / "deps" / cache_key(texts, platform, version, links, pip_options)
    if (done / COMPLETE).is_file():
        return done, True
    if progress:
        progress(f"installing {requirements} for {runtime} on {architecture} (pip; cached afterwards)")
    work = done.with_name(f".{done.name}.{os.getpid()}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    command = [sys.executable, "-m", "pip", "install", "--target", str(work), "--platform", platform,
               "--python-version", version, "--implementation", "cp", "--only-binary=:all:", "--no-compile",
               "--disable-pip-version-check", "--no-input", "--quiet", *pip_options, "-r", requirements.name]
    for directory in links:
        command += ["--find-links", str(directory)]
    ran = subprocess.run(command, cwd=requirements.parent, capture_output=True, text=True)
    if ran.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        lines = [line for line in ran.stderr.splitlines() if line.strip()][-4:]
        raise PackageError(f"pip could not install {requirements} as wheels for {platform}, CPython {version}: "
                           + " / ".join(lines) + " (a dependency with no wheel for this platform cannot go into a "
                           "Lambda package: pin a version that has one)")
    (work / COMPLETE).write_text("")
    if done.exists() and not (done / COMPLETE).is_file():
        shutil.rmtree(done, ignore_errors=True)  # left by hand or by an older svcgen: not trusted
    try:
        work.rename(done)
    except OSError:  # another run finished the same install first: theirs is as good
        shutil.rmtree(work, ignore_errors=True)
    return done, False


def cache_key(texts: list[str], platform: str, version: str, links: list[Path], pip_options: tuple[str, ...]) -> str:
    """Everything that decides what pip installs (not the pip version: it resolves the same pins).
    Comments and blank lines do not count, so services whose requirements differ only in their
    generated header share one install."""
    data = {"requirements": [_meaningful(text) for text in texts], "platform": platform, "python": version, "options": list(pip_options),
            "wheels": sorted(f"{w.name}:{_file_hash(w)}" for d in links for w in sorted(d.glob("*.whl")))}
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()[:24]


def _meaningful(text: str) -> list[str]:
    # pip's comment rule: `#` at the start of a line or after whitespace (a URL's `#egg=` stays).
    lines = (re.sub(r"(^|\s)#.*$", "", line).strip() for line in text.splitlines())
    return [line for line in lines if line]


def included_texts(requirements: Path) -> list[str]:
    """The requirements file's text and those of the files it includes (`-r`, `-c`), which pip
    reads too, so a change in any of them is a new install."""
    texts, queue, seen = [], [requirements], set()
    while queue:
        path = queue.pop(0)
        if path.resolve() in seen:
            continue
        seen.add(path.resolve())
        try:
            text = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise PackageError(f"cannot read {path}: {exc.strerror or exc}") from None
        texts.append(text)
        for line in text.splitlines():
            match = re.match(r"\s*(?:-r|-c|--requirement|--constraint)[\s=]+(\S+)", line)
            if match:
                queue.append(path.parent / match.group(1))
    return texts


def requirement_names(texts: list[str]) -> list[str]:
    names = []
    for text in texts:
        for line in text.splitlines():
            match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", line.split("#", 1)[0])
            if match:
                names.append(match.group(1))
    return sorted(set(names))


def local_wheels(texts: list[str], cache: Path, progress: Callable[[str], None] | None = None) -> list[Path]:
    """Wheel directories for requirements no index may have but that are installed here: from a
    local source directory (a checkout of svcgen), or from a wheel (svcgen installed from wheels
    kept in a repository, its runtime library with it) — repacked from the installed files."""
    found = []
    for name in requirement_names(texts):
        source = _local_source(name)
        if source is not None:
            directory = cache / "wheels" / f"{name}-{_tree_hash(source)}"
            if not any(directory.glob("*.whl")):
                if progress:
                    progress(f"building a wheel of {name} from {source}")
                _build_wheel(source, directory)
            found.append(directory)
        elif name in REPACKABLE:
            directory = _repacked(name, cache)
            if directory is not None:
                found.append(directory)
    return found


def _repacked(name: str, cache: Path) -> Path | None:
    """A wheel of the installed pure-Python distribution `name`, made from its installed files
    (what pip installed from its wheel, minus bytecode and the installer's own records)."""
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    files = sorted((f for f in dist.files or () if "__pycache__" not in f.parts and f.suffix != ".pyc"
                    and f.name not in _INSTALLER_RECORDS), key=str)
    wheel_info = next((f for f in files if f.name == "WHEEL" and f.parent.name.endswith(".dist-info")), None)
    if wheel_info is None or "Root-Is-Purelib: true" not in wheel_info.read_text():
        return None  # only a pure-Python wheel is the same on every machine
    digest = hashlib.sha256("\n".join(f"{f}:{_file_hash(Path(f.locate()))}" for f in files).encode()).hexdigest()[:16]
    directory = cache / "wheels" / f"{name}-installed-{digest}"
    dist_info = wheel_info.parent
    target = directory / f"{dist.metadata['Name'].replace('-', '_')}-{dist.version}-py3-none-any.whl"
    if target.is_file():
        return directory
    directory.mkdir(parents=True, exist_ok=True)
    work = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    record = []
    with zipfile.ZipFile(work, "w", zipfile.ZIP_DEFLATED) as archive:
        for f in files:
            data = Path(f.locate()).read_bytes()
            archive.writestr(str(f), data)
            hashed = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            record.append(f"{f},sha256={hashed},{len(data)}")
        record.append(f"{dist_info}/RECORD,,")
        archive.writestr(f"{dist_info}/RECORD", "\n".join(record) + "\n")
    work.rename(target)
    return directory


def _local_source(name: str) -> Path | None:
    try:
        text = importlib.metadata.distribution(name).read_text("direct_url.json")
    except importlib.metadata.PackageNotFoundError:
        return None
    if not text:
        return None
    data = json.loads(text)
    url = urlparse(data.get("url", ""))
    if url.scheme != "file" or "dir_info" not in data:
        return None
    path = Path(unquote(url.path))
    return path if (path / "pyproject.toml").is_file() or (path / "setup.py").is_file() else None


def _tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*")):
        parts = path.relative_to(root).parts
        if any(p.startswith(".") or p in _SOURCE_SKIP or p.endswith(".egg-info") for p in parts) or not path.is_file():
            continue
        digest.update(f"{'/'.join(parts)}\0{_file_hash(path)}\n".encode())
    return digest.hexdigest()[:16]


def _build_wheel(source: Path, directory: Path) -> None:
    work = directory.with_name(f".{directory.name}.{os.getpid()}.tmp")
    shutil.rmtree(work, ignore_errors=True)
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "--disable-pip-version-check",
               "-w", str(work), str(source.resolve())]  # absolute: `runtime` alone is an index name
    # With setuptools and wheel here, no isolated build environment is downloaded (seconds saved).
    if all(importlib.util.find_spec(name) is not None for name in ("setuptools", "wheel")):
        command.insert(4, "--no-build-isolation")
    ran = subprocess.run(command, capture_output=True, text=True)
    if ran.returncode != 0:
        shutil.rmtree(work, ignore_errors=True)
        tail = " / ".join(line for line in ran.stderr.splitlines()[-3:] if line.strip())
        raise PackageError(f"could not build a wheel of {source}: {tail}")
    shutil.rmtree(directory, ignore_errors=True)
    work.rename(directory)


def _file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
