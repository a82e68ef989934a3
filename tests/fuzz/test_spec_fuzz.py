"""Property-based fuzzing of the CLI with mutated demo specs (tests/fuzz/mutations.py).

For every mutant, `svcgen validate` and `svcgen build --no-lint --dry-run` run in-process and
must: return 0 or 1 (never raise, never 2: a broken spec is invalid input, not wrong usage),
print no traceback, and print only lines of the one error shape `file:line:col: ...` (plus the
summary), none in pydantic's raw words and none of unbounded length.

And `validate` must say exactly what `build` says: the same exit code and the same lines.

By default a small, fixed set of examples runs (derandomized: every run, CI included, sees the
same ones). More, and random ones, on demand:

    SVCGEN_FUZZ_EXAMPLES=2000 python -m pytest -q tests/fuzz/test_spec_fuzz.py
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from generator.cli import main
from tests.fuzz.mutations import PLATFORM, Mutant, mutants

DEFAULT_EXAMPLES = 8  # a build of the demo costs seconds on a loaded 2-core runner: keep CI < 20 s
ON_DEMAND = int(os.environ.get("SVCGEN_FUZZ_EXAMPLES") or 0)
settings.register_profile(
    "svcgen-fuzz",
    max_examples=ON_DEMAND or DEFAULT_EXAMPLES,
    derandomize=not ON_DEMAND,  # CI: the same examples every run; on demand: explore new ones
    database=None,  # write no .hypothesis/ directory into the repository
    deadline=None,  # a build's time depends on the machine, not on a bug
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    print_blob=True,
)
FUZZ = settings.get_profile("svcgen-fuzz")

ERROR_LINE = re.compile(r"\S[^\n]*?:\d+:\d+: \S")  # file:line:col: [key.path:] what must hold, got what
SUMMARY = re.compile(r"\d+ error\(s\); nothing was written")
MAX_LINE = 1500  # values are quoted cut to ~60 characters; the longest message (a region list) is ~800
# The mutants' long strings repeat one character (`"x" * 5000`): quoted cut, no line holds a long run.
UNCUT = re.compile(r"(.)\1{99}")
PYDANTIC_WORDS = re.compile(r"Input should|Value error,|Field required|Extra inputs are not permitted|"
                            r"String should|should have at (least|most)|validation errors? for|Assertion failed")


@dataclass(frozen=True)
class Run:
    command: str
    code: int
    out: str
    err: str


def _cli(argv: list[str], mutant: Mutant) -> Run:
    out, err = io.StringIO(), io.StringIO()
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    except Exception as exc:  # noqa: BLE001 — the failure report must show the input that did it
        pytest.fail(f"svcgen {argv[0]} raised {exc!r} for {_report(mutant)}")
    return Run(argv[0], code, out.getvalue(), err.getvalue())


def _report(mutant: Mutant) -> str:
    text = mutant.describe()
    return text if len(text) <= 6000 else text[:6000] + "\n[... cut]"


def _validate_and_build(mutant: Mutant, whole_directory: bool) -> tuple[Run, Run]:
    """Both commands on the mutant, in a fresh directory (the paths they print are the same).
    Either the whole directory, or only the changed spec (the others are then loaded as context,
    which is quicker: context specs are not rendered)."""
    with tempfile.TemporaryDirectory(prefix="svcgen-fuzz-") as tmp:
        specs = Path(tmp, "specs")
        specs.mkdir()
        for name, text in mutant.files.items():
            (specs / name).write_bytes(text.encode("utf-8", "surrogatepass"))
        changed = "ledger.yaml" if mutant.changed == PLATFORM else mutant.changed
        target = str(specs if whole_directory else specs / changed)
        validate = _cli(["validate", target], mutant)
        build = _cli(["build", target, "--no-lint", "--dry-run", "--out", str(Path(tmp, "build"))], mutant)
    note(f"validate exit {validate.code}:\n{validate.err}\nbuild exit {build.code}:\n{build.err}")
    return validate, build


def _check_output(run: Run, mutant: Mutant) -> None:
    where = f"svcgen {run.command} (exit {run.code}) for {_report(mutant)}\n--- stderr:\n{run.err[:4000]}"
    assert run.code in (0, 1), where
    assert "Traceback" not in run.out + run.err, where
    for line in run.err.splitlines():
        assert ERROR_LINE.match(line) or SUMMARY.fullmatch(line), f"not an error line: {line[:300]!r}\n{where}"
        assert len(line) <= MAX_LINE, f"a {len(line)}-character line: {line[:300]!r}...\n{where}"
        assert not UNCUT.search(line), f"a value quoted in full: {line[:300]!r}...\n{where}"
        assert not PYDANTIC_WORDS.search(line), f"pydantic's raw words: {line[:300]!r}\n{where}"
    if run.code == 1:
        assert SUMMARY.fullmatch(run.err.splitlines()[-1]), where


@FUZZ
@given(mutant=mutants(), whole_directory=st.booleans())
def test_mutated_specs_never_end_in_a_traceback_and_validate_says_what_build_says(mutant, whole_directory):
    validate, build = _validate_and_build(mutant, whole_directory)
    for run in (validate, build):
        _check_output(run, mutant)
    # validate runs every check build runs: the same verdict, the same lines (warnings included)
    where = f"for {_report(mutant)}\n--- validate:\n{validate.err[:3000]}\n--- build:\n{build.err[:3000]}"
    assert validate.code == build.code, where
    assert validate.err.splitlines() == build.err.splitlines(), where
