"""Which files a command reads: platform.yaml and the service specs, found from the paths given.

Light on purpose (no pydantic, no troposphere): `svcgen --help` and a build with nothing to do
(build_cache.py) find their inputs without importing the pipeline.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from generator.errors import UsageError

PLATFORM_FILE = "platform.yaml"
# The platform team's waivers (check/waivers.py) live beside platform.yaml: neither is a spec.
WAIVERS_FILE = "waivers.yaml"
SPEC_SUFFIXES = (".yaml", ".yml")


def is_spec_name(name: str) -> bool:
    """Whether a file of a specs directory, by its name, is a service spec."""
    return Path(name).suffix in SPEC_SUFFIXES and name not in (PLATFORM_FILE, WAIVERS_FILE)


def discover(paths: list[Path], platform_path: Path | None = None) -> tuple[Path, list[Path]]:
    """Directories contribute their top-level *.yaml specs (files, or links to files: never a
    directory, whatever its name); platform.yaml comes from the first directory (or the first
    spec's directory) unless given explicitly. A spec named twice (`a.yaml specs/../a.yaml`, or
    a file and its directory) is read once, under the first name it was given. A path that
    cannot be used (missing, a dangling link, an unreadable directory) is a usage error naming
    it."""
    # os.stat, not pathlib: Path.is_file() answers False for a dangling link (which was then
    # skipped without a word) and raises a traceback for a directory that may not be read.
    def stat_of(path: Path) -> os.stat_result:
        try:
            return os.stat(path)
        except FileNotFoundError:
            if os.path.islink(path):
                target = os.readlink(path)
                raise UsageError(f"{path}: dangling symbolic link (its target {target} does not exist)") from None
            raise UsageError(f"{path}: no such file or directory") from None
        except OSError as exc:  # no permission to look, a link loop, a file used as a directory
            raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None

    specs: list[Path] = []
    seen: set[tuple[int, int]] = set()  # (device, inode): one file, however it is spelled
    for path in paths:
        info = stat_of(path)
        if stat.S_ISDIR(info.st_mode):
            try:
                names = sorted(os.listdir(path))
            except OSError as exc:
                raise UsageError(f"cannot read {path}: {exc.strerror or exc}") from None
            found = [(path / n, stat_of(path / n)) for n in names if is_spec_name(n)]
            found = [(p, i) for p, i in found if stat.S_ISREG(i.st_mode)]  # `x.yaml/` is no spec
        elif stat.S_ISREG(info.st_mode):
            found = [(path, info)]
        else:  # a FIFO or a device: reading it could block forever
            raise UsageError(f"{path}: not a file or directory")
        for spec, spec_info in found:
            if (spec_info.st_dev, spec_info.st_ino) not in seen:
                seen.add((spec_info.st_dev, spec_info.st_ino))
                specs.append(spec)
    if platform_path is None:
        first = paths[0] if paths else Path("specs")
        platform_path = (first if os.path.isdir(first) else first.parent) / PLATFORM_FILE
    if not os.path.isfile(platform_path):
        if os.path.islink(platform_path):
            stat_of(platform_path)  # raises, saying the link dangles (or loops)
        raise UsageError(f"{platform_path}: platform file not found (pass --platform FILE, or create a platform "
                         f"repository with `svcgen init`)")
    return platform_path, specs


NOT_A_PLATFORM = ("no specs/ directory here, and no platform.yaml: run svcgen in a platform repository "
                  "(`svcgen init` creates one)")
NO_PLATFORM_HERE = f"{NOT_A_PLATFORM}, or pass the specs (and --platform FILE)"


def specs_dir() -> Path:
    """specs/ (a platform repository's layout, `svcgen init`), or the current directory when it is
    the one holding platform.yaml (a developer inside the specs directory)."""
    if not Path("specs").exists() and Path("platform.yaml").is_file():
        return Path(".")
    return Path("specs")


def default_inputs(platform: Path | None = None) -> list[Path]:
    directory = specs_dir()
    if platform is None and not directory.exists():  # otherwise: "specs: no such file or directory"
        raise UsageError(NO_PLATFORM_HERE)
    return [directory]
