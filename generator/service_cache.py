"""What a build makes of each service, kept between builds so that changing one spec of a fleet
re-does the work of that service and of the services that depend on it, not of every service.

Two kinds of entries live under `<out>/.svcgen-cache/`:

- `specs/`: a spec file's loaded and validated document, keyed by the file's bytes and the name
  it is shown under (every finding quotes it). Loading (YAML's event pass, the node walk) is the
  costliest step of reading a fleet.
- `services/`: a service's products for one stage (its rendered template and text, what its
  template rules found, its planned code files, its manifest, the physical names SVC2910
  compares), keyed by `service_key`: the service's own document, the documents of every service
  it refers to (publishers it subscribes to, owners of the workflows it starts),
  platform.yaml's document, the stage, and `environment_key` (svcgen's own files, the Python and
  the versions of the libraries that shape output, as build_cache.py hashes them).

- `services/` too, by `by_files`: what user_code.review found for one function, keyed by what it
  was given and the bytes of the user's handler and test it read.

A document is keyed by its content (data and every key's position, which the text determines),
so a spec and a manifest standing in for one are keyed alike. Only what is deterministic in its
key is kept: nothing that compares services with each other (spec and fleet rules, imports
against exports) is cached; those run on every build, fed from here, so a build reports exactly
what it would without the cache. An entry that is missing, unreadable or corrupt is a miss: the
product is made again. Entries are held in memory until the build succeeded (`flush`: a failed
build writes nothing) and a cache that cannot be written only costs time; entries no build used
for a month are removed. Entries are pickles: written and read only by svcgen, under the build's
own output directory.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from generator.output import PendingWrite, commit
from generator.spec.load import MAX_BYTES, Document, load_document, load_text

FORMAT = 1  # raised when what an entry holds changes shape
UNUSED_DAYS = 30  # an entry no build read or wrote for this long is removed
PRUNE_EVERY_SECONDS = 86400  # looking for such entries lists every entry: once a day is enough
PRUNED_MARKER = "services-pruned"  # its mtime: when unused entries were last removed
CACHE_DIR = Path(".svcgen-cache")
SPECS_DIR, SERVICES_DIR = "specs", "services"
T = TypeVar("T")


def environment_key() -> str:
    """svcgen itself (every file of its package), the Python and the output-shaping libraries:
    the same environment build_cache.py records, without its lint day (lint is cached apart)."""
    from generator import build_cache
    from generator.version import svcgen_version

    # the version too: manifests quote it, and a version bump need not touch the package's files
    return _digest(json.dumps([FORMAT, svcgen_version(), build_cache.environment(lint=False)], sort_keys=True))


def document_key(doc: Document) -> str:
    """A document's content: its file name as shown, data and positions (in parse order)."""
    return _digest(repr((doc.file, doc.data, list(doc.positions.items()))))


class ServiceCache:
    """The entries of one output directory. `keep=False` (a dry run) reads entries but writes none."""

    def __init__(self, out: Path, keep: bool = True) -> None:
        self.root = Path(out) / CACHE_DIR
        self.keep = keep
        self._environment: str | None = None
        # Memos of one build, by object id; each keeps its objects alive, so an id is never reused.
        self._documents: dict[int, tuple[Document, str]] = {}
        self._keys: dict[tuple, tuple[tuple, str]] = {}
        self._names: dict[int, tuple[list, dict[str, list]]] = {}
        self._pending: dict[Path, bytes] = {}  # written by `flush`
        self._used: set[Path] = set()  # entries read: `flush` marks them used
        self.made: list[tuple[str, str]] = []  # (product, service) made rather than read: what tests look at

    @property
    def environment(self) -> str:
        if self._environment is None:  # hashing svcgen's package: once per build
            self._environment = environment_key()
        return self._environment

    def load(self, path: Path, model) -> tuple[Document, Any]:
        """`load_document(path, str(path))` validated as `model`, from the cache when the file's
        bytes were loaded before. Raises SpecErrors exactly as the two would (errors are not kept)."""
        from generator.spec.validate import validate_document

        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError:
            data = None
        if data is None or len(data) > MAX_BYTES:  # let the loader say what is wrong
            doc = load_document(path, str(path))
            return doc, validate_document(doc, model)
        key = _digest(b"\0".join([self.environment.encode(), str(path).encode("utf-8", "surrogatepass"),
                                   model.__name__.encode(), data]))
        found = self._read(SPECS_DIR, key)
        if isinstance(found, tuple) and len(found) == 2 and isinstance(found[0], Document):
            return found
        doc = load_text(data, str(path))
        loaded = doc, validate_document(doc, model)
        self._write(SPECS_DIR, key, loaded)
        return loaded

    def service_key(self, item, services: list, platform_doc: Document, stage) -> str:
        """Everything a service's products depend on (the module's docstring lists it)."""
        memo = (id(item), id(services), len(services), id(platform_doc), repr(stage))
        known = self._keys.get(memo)
        if known is not None and all(a is b for a, b in zip(known[0], (item, services, platform_doc))):
            return known[1]
        parts = [self.environment, self.document_key(platform_doc), repr(stage), item.spec.service,
                 self.document_key(item.doc)]
        parts += [f"{other.spec.service}:{self.document_key(other.doc)}"
                  for other in dependencies(item, services, self._by_name(services))]
        key = _digest("\0".join(parts))
        self._keys[memo] = ((item, services, platform_doc), key)  # the objects kept alive: ids stay theirs
        return key

    def platform_key(self, platform_doc: Document, stage) -> str:
        """What the platform stack's template depends on: platform.yaml, the stage, svcgen."""
        return _digest("\0".join([self.environment, self.document_key(platform_doc), repr(stage)]))

    def physical_names(self, services: list, platform_doc: Document, platform) -> Callable:
        """SVC2910's `(service, stage) -> physical names` (rules/base.Fleet), kept per service.
        The service is rendered for them; its template is kept too (the build's stage is most
        often the one SVC2910 renders in), so the build does not render it a second time."""
        def names(item, stage) -> list:
            key = self.service_key(item, services, platform_doc, stage)
            return self.product(key, "physical-names", item.spec.service,
                                lambda: self._render_for_names(key, item, platform, stage))
        return names

    def _render_for_names(self, key: str, item, platform, stage) -> list:
        import contextlib
        import io

        from generator.artifacts import template_product
        from generator.concerns.service.names import rendered_physical_names
        from generator.render import render_service
        from generator.resolve import resolve_service

        # A spec with errors of its own may fail to render (SVC2910 skips it); troposphere then
        # also writes to stderr.
        with contextlib.redirect_stderr(io.StringIO()):
            ctx = render_service(resolve_service(item.spec, platform, stage))
        names = list(rendered_physical_names(ctx))
        if self._read(SERVICES_DIR, f"{key}-template") is None:
            try:
                self.made.append(("template", item.spec.service))
                self._write(SERVICES_DIR, f"{key}-template", template_product(ctx))
            except Exception:  # noqa: BLE001 — the names are what was asked for; the build renders again
                pass
        return names

    def _by_name(self, services: list) -> dict[str, list]:
        known = self._names.get(id(services))
        if known is None or known[0] is not services or len(known[0]) != sum(map(len, known[1].values())):
            by_name: dict[str, list] = {}
            for other in services:
                by_name.setdefault(other.spec.service, []).append(other)
            known = self._names[id(services)] = (services, by_name)
        return known[1]

    def document_key(self, doc: Document) -> str:
        known = self._documents.get(id(doc))
        if known is None or known[0] is not doc:
            known = self._documents[id(doc)] = (doc, document_key(doc))
        return known[1]

    def product(self, key: str, product: str, service: str, make: Callable[[], T]) -> T:
        """The `product` of the service keyed `key`: kept, or made now (and kept)."""
        found = self._read(SERVICES_DIR, f"{key}-{product}")
        if found is not None:
            return found
        self.made.append((product, service))
        value = make()
        self._write(SERVICES_DIR, f"{key}-{product}", value)
        return value

    def by_files(self, product: str, given: str, files: list[Path], make: Callable[[], T]) -> T:
        """`make()`, which depends on `given` and on the bytes of `files` alone (a user's handler
        and test, for user_code.review): kept by those bytes. A file changed while it was made
        (read before and after differ) is not kept."""
        before = [_file_bytes(path) for path in files]
        key = _digest(b"\0".join([self.environment.encode(), product.encode(), given.encode("utf-8", "surrogatepass"),
                                  *(_digest(data).encode() if data is not None else b"-" for data in before)]))
        found = self._read(SERVICES_DIR, f"{key}-{product}")
        if found is not None:
            return found
        value = make()
        if [_file_bytes(path) for path in files] == before:
            self._write(SERVICES_DIR, f"{key}-{product}", value)
        return value

    def _path(self, kind: str, key: str) -> Path:
        # 256 subdirectories: each write lists its directory for stale temporaries (output.commit)
        return self.root / kind / key[:2] / f"{key}.pickle"

    def _read(self, kind: str, key: str) -> Any:
        path = self._path(kind, key)
        try:
            entry = pickle.loads(self._pending.get(path) or path.read_bytes())
        except Exception:  # noqa: BLE001 — absent, truncated, from another svcgen: a miss
            return None
        if not (isinstance(entry, tuple) and len(entry) == 2 and entry[0] == key):
            return None
        self._used.add(path)
        return entry[1]

    def _write(self, kind: str, key: str, value: Any) -> None:
        """Held until `flush`: a build that fails writes nothing, not even its cache."""
        if not self.keep:
            return
        try:  # pickled now: what is kept is the value as it was made, whatever a caller does with it later
            self._pending[self._path(kind, key)] = pickle.dumps((key, value), protocol=pickle.HIGHEST_PROTOCOL)
        except Exception:  # noqa: BLE001 — unpicklable: the cache only saves time
            pass

    def flush(self) -> None:
        """Write what this build made, in one transaction (output.commit), once the build succeeded;
        mark the entries it used as used now, and, once a day, remove those no build used for
        UNUSED_DAYS (every change of a spec or of svcgen leaves entries no build will ask for)."""
        if not self.keep:
            return
        writes = [PendingWrite(path, data) for path, data in sorted(self._pending.items())]
        used, self._pending, self._used = self._used - set(self._pending), {}, set()
        try:
            commit(writes)
        except OSError:  # unwritable: the cache only saves time
            return
        now = time.time()
        for path in used:
            try:
                os.utime(path, (now, now))
            except OSError:
                pass
        self._remove_unused(now)

    def _remove_unused(self, now: float) -> None:
        marker = self.root / PRUNED_MARKER
        try:
            if now - marker.stat().st_mtime < PRUNE_EVERY_SECONDS:
                return
        except OSError:
            pass  # never pruned here yet
        oldest = now - UNUSED_DAYS * 86400
        for kind in (SPECS_DIR, SERVICES_DIR):
            for shard in _entries(self.root / kind):
                for entry in _entries(Path(shard.path)):
                    try:
                        if entry.name.endswith(".pickle") and entry.stat().st_mtime < oldest:
                            os.unlink(entry.path)
                    except OSError:
                        pass
        try:
            marker.parent.mkdir(parents=True, exist_ok=True)
            marker.touch()
        except OSError:
            pass


def dependencies(item, services: list, by_name: dict[str, list] | None = None) -> list:
    """The services `item` refers to (workspace.referenced_names): publishers it subscribes to,
    owners of the workflows it starts. Their specs reach its products through code planning (its
    models are their contracts); nothing reads the specs *they* refer to (rendering reads the
    service's own spec, the platform and the stage alone), so references are not followed further.
    Sorted by name and file; a name given by two specs (an error of its own) brings both.
    `by_name`: the services by name, when the caller has them."""
    from generator.workspace import referenced_names

    if by_name is None:
        by_name = {}
        for other in services:
            by_name.setdefault(other.spec.service, []).append(other)
    found = [other for name in referenced_names([item]) - {item.spec.service} for other in by_name.get(name, [])]
    return sorted(found, key=lambda s: (s.spec.service, s.doc.file))


def _digest(text: str | bytes) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass") if isinstance(text, str) else text).hexdigest()


def _file_bytes(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except OSError:
        return None


def _entries(directory: Path) -> list:
    try:
        return list(os.scandir(directory))
    except OSError:
        return []
