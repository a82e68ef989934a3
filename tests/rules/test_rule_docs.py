"""`svcgen rules` and the README's rule table come from the rule classes."""

from __future__ import annotations

import json

from generator.cli import main
from generator.rules import docs
from generator.rules.registry import all_rules
from tests.conftest import ROOT


def test_readme_table_is_current():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert docs.with_table(readme, all_rules()) == readme, "run `svcgen rules --update-readme README.md`"


def test_rules_lists_every_rule_once(capsys):
    assert main(["rules", "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    assert [r["id"] for r in listed] == sorted(r.id for r in all_rules())
    assert all(r["summary"] and r["rationale"] and r["source"] for r in listed)


def test_one_rule_is_explained(capsys):
    assert main(["rules", "svc1101"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("SVC1101  queue") and out[1].strip().startswith("why: ") and "source: https://" in out[2]


def test_an_unknown_rule_is_a_usage_error(capsys):
    assert main(["rules", "SVC9999"]) == 2
    assert "no rule SVC9999" in capsys.readouterr().err


def test_update_readme_rewrites_only_the_table(tmp_path, capsys):
    stale = tmp_path / "README.md"
    stale.write_text(f"# x\n\nbefore\n{docs.BEGIN}\n| old |\n{docs.END}\nafter\n", encoding="utf-8")
    assert main(["rules", "--update-readme", str(stale)]) == 0
    text = stale.read_text(encoding="utf-8")
    assert text.startswith("# x\n\nbefore\n") and text.endswith(f"{docs.END}\nafter\n")
    assert "| old |" not in text and "| SVC1101 | spec | queue | error |" in text
    no_markers = tmp_path / "plain.md"
    no_markers.write_text("# nothing\n")
    assert main(["rules", "--update-readme", str(no_markers)]) == 2
