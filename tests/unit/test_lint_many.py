"""Fleet linting: cached by content, and the same findings in parallel as in-process."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator import lint_many
from generator.findings import Finding

BAD = """AWSTemplateFormatVersion: '2010-09-09'
Resources:
  Queue:
    Type: AWS::SQS::Queue
    Properties:
      VisibilityTimeout: 100000
"""


class CountingLinter:
    """Wraps the real Linter and counts calls, to see which templates were linted again."""

    def __init__(self, real):
        self.real, self.calls = real, 0

    def lint(self, text, filename):
        self.calls += 1
        return self.real.lint(text, filename)


def test_findings_are_cached_by_content(linter, tmp_path):
    counting = CountingLinter(linter)
    first = lint_many.lint_texts([BAD], "eu-west-1", tmp_path, counting)
    assert "VisibilityTimeout" in " ".join(f.path for f in first[0])
    assert list((tmp_path / lint_many.CACHE_DIR).glob("*.json"))
    again = lint_many.lint_texts([BAD], "eu-west-1", tmp_path, counting)
    assert counting.calls == 1 and again == first
    changed = lint_many.lint_texts([BAD.replace("100000", "100")], "eu-west-1", tmp_path, counting)
    assert counting.calls == 2
    assert "VisibilityTimeout" not in " ".join(f.path for f in changed[0])


def test_unreadable_cache_entry_is_linted_again(linter, tmp_path):
    counting = CountingLinter(linter)
    lint_many.lint_texts([BAD], "eu-west-1", tmp_path, counting)
    for entry in (tmp_path / lint_many.CACHE_DIR).glob("*.json"):
        entry.write_text("{not json")
    lint_many.lint_texts([BAD], "eu-west-1", tmp_path, counting)
    assert counting.calls == 2


@pytest.mark.e2e  # starts worker processes: the slow tier
def test_parallel_lint_matches_in_process_lint(linter):
    texts = [BAD, BAD.replace("100000", "100"), BAD, BAD.replace("100000", "200000")]
    parallel = lint_many.lint_texts(texts, "eu-west-1", None)
    serial = [linter.lint(t, "") for t in texts]
    assert parallel == serial and all(isinstance(f, Finding) for fs in parallel for f in fs)
    # and they are the findings of each text, in order: only the 100 s timeout is in range
    assert ["VisibilityTimeout" in " ".join(f.path for f in fs) for fs in parallel] == [True, False, True, True]


@pytest.mark.parametrize("name", lint_many.LINT_SOURCES)
def test_changing_svcgen_lint_code_changes_the_cache_key(tmp_path, name):
    source = Path(lint_many.__file__).parent
    for each in lint_many.LINT_SOURCES:
        (tmp_path / each).write_bytes((source / each).read_bytes())
    before = lint_many._lint_source_digest.__wrapped__(tmp_path)
    assert before == lint_many._lint_source_digest.__wrapped__(source)
    (tmp_path / name).write_text((tmp_path / name).read_text() + "\n# changed\n")
    assert lint_many._lint_source_digest.__wrapped__(tmp_path) != before
