"""The paths a build is given: specs are discovered exactly (never a directory, each file once,
a dangling link or an unreadable directory named in one error line), and `--out` is a directory."""

from __future__ import annotations

import errno
import os
import shutil
from pathlib import Path

import pytest

from generator.cli import main
from generator.errors import UsageError
from generator.workspace import discover

ROOT = Path(__file__).resolve().parent.parent
SPECS = ROOT / "specs"
SERVICES = sorted(p.name for p in SPECS.glob("*.yaml") if p.name != "platform.yaml")


@pytest.fixture
def specs(tmp_path) -> Path:
    """A copy of the demo specs (YAML only)."""
    target = tmp_path / "specs"
    target.mkdir()
    for path in SPECS.glob("*.yaml"):
        shutil.copy(path, target / path.name)
    return target


def names(paths: list[Path]) -> list[str]:
    return [p.name for p in paths]


def test_a_directory_named_like_a_spec_is_never_read(specs, capsys):
    (specs / "x.yaml").mkdir()
    (specs / "x.yaml" / "inner.yaml").write_text("service: inner\n")
    assert names(discover([specs])[1]) == SERVICES
    assert main(["validate", str(specs)]) == 0
    assert f"{len(SERVICES)} spec(s)" in capsys.readouterr().out


def test_a_link_to_a_spec_is_a_spec(specs):
    linked = specs.parent / "elsewhere.yaml"
    (specs / "ledger.yaml").rename(linked)
    (specs / "ledger.yaml").symlink_to(linked)
    assert names(discover([specs])[1]) == SERVICES


@pytest.mark.parametrize("explicit", [False, True])
def test_a_dangling_link_is_a_usage_error_naming_it(specs, capsys, explicit):
    link = specs / "billing.yaml"
    link.symlink_to("gone.yaml")
    argv = ["validate", str(link), "--platform", str(specs / "platform.yaml")] if explicit else ["validate", str(specs)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err == f"svcgen: error: {link}: dangling symbolic link (its target gone.yaml does not exist)\n"


def test_a_dangling_link_not_named_like_a_spec_is_ignored(specs):
    (specs / "README.md").symlink_to("gone.md")
    assert names(discover([specs])[1]) == SERVICES


def test_a_link_loop_is_one_error_line(specs, capsys):
    (specs / "loop.yaml").symlink_to("loop.yaml")
    assert main(["validate", str(specs)]) == 2
    assert capsys.readouterr().err == f"svcgen: error: cannot read {specs / 'loop.yaml'}: Too many levels of symbolic links\n"


def test_a_dangling_platform_link_says_so(specs, capsys):
    (specs / "platform.yaml").unlink()
    (specs / "platform.yaml").symlink_to("gone.yaml")
    assert main(["validate", str(specs)]) == 2
    assert "platform.yaml: dangling symbolic link" in capsys.readouterr().err


@pytest.mark.parametrize("spelling", [
    lambda s: [s / "ledger.yaml", s / ".." / "specs" / "ledger.yaml"],  # two spellings
    lambda s: [s / "ledger.yaml", s],  # a file and its directory
    lambda s: [s, s / "ledger.yaml"],
    lambda s: [s, s.parent / "specs"],  # a directory twice
])
def test_a_spec_given_twice_is_read_once(specs, capsys, spelling):
    paths = spelling(specs)
    found = discover(paths)[1]
    assert len(found) == len({p.resolve() for p in found})
    assert main(["validate", *map(str, paths)]) == 0  # not "service names must be unique"
    assert "valid" in capsys.readouterr().out


def test_a_spec_and_a_link_to_it_in_one_directory_are_read_once(specs):
    (specs / "alias.yaml").symlink_to("ledger.yaml")
    # alias.yaml sorts before ledger.yaml, so it is the name kept for the one file
    assert names(discover([specs])[1]) == sorted("alias.yaml" if n == "ledger.yaml" else n for n in SERVICES)


def test_first_name_given_is_kept(specs):
    found = discover([specs / ".." / "specs" / "ledger.yaml", specs / "ledger.yaml"])[1]
    assert found == [specs / ".." / "specs" / "ledger.yaml"]


def test_an_unreadable_specs_directory_is_one_error_line(specs, monkeypatch, capsys):
    # Tests run as root, whom chmod 000 does not stop: make the listing fail as it would.
    real = os.listdir

    def listdir(path="."):
        if Path(path) == specs:
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path)

    monkeypatch.setattr(os, "listdir", listdir)
    assert main(["validate", str(specs), "--platform", str(SPECS / "platform.yaml")]) == 2
    assert capsys.readouterr().err == f"svcgen: error: cannot read {specs}: Permission denied\n"


def test_a_path_that_cannot_be_looked_at_is_one_error_line(specs, monkeypatch):
    real = os.stat

    def stat(path, *args, **kwargs):
        if Path(path) == specs / "ledger.yaml":
            raise PermissionError(errno.EACCES, "Permission denied", str(path))
        return real(path, *args, **kwargs)

    monkeypatch.setattr(os, "stat", stat)
    with pytest.raises(UsageError, match=f"^cannot read {specs / 'ledger.yaml'}: Permission denied$"):
        discover([specs])


def test_a_fifo_is_refused_not_read(specs, capsys):
    fifo = specs.parent / "pipe.yaml"
    os.mkfifo(fifo)
    assert main(["validate", str(fifo), "--platform", str(specs / "platform.yaml")]) == 2  # and does not hang
    assert capsys.readouterr().err == f"svcgen: error: {fifo}: not a file or directory\n"


# --- --out --------------------------------------------------------------------------------------

@pytest.mark.parametrize("command", [["build", str(SPECS), "--no-lint", "--no-code"], ["schema"]])
def test_empty_out_is_a_usage_error_and_writes_nothing(tmp_path, monkeypatch, capsys, command):
    monkeypatch.chdir(tmp_path)
    assert main([*command, "--out", ""]) == 2
    err = capsys.readouterr().err
    assert "argument --out: must name a directory, got an empty string" in err and "Traceback" not in err
    assert list(tmp_path.iterdir()) == []


def test_out_naming_a_file_is_one_write_error(tmp_path, capsys):
    not_a_dir = tmp_path / "out.txt"
    not_a_dir.write_text("a file")
    assert main(["build", str(SPECS), "--out", str(not_a_dir), "--no-lint", "--no-code"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"svcgen: error: cannot write {not_a_dir}/dev/") and err.endswith(": Not a directory\n")
    assert not_a_dir.read_text() == "a file" and list(tmp_path.iterdir()) == [not_a_dir]


def test_without_paths_the_specs_are_specs_or_the_directory_holding_platform_yaml(tmp_path, monkeypatch, capsys):
    (tmp_path / "platform.yaml").write_text("org: acme\n")
    (tmp_path / "ledger.yaml").write_text("service: ledger\nowner: team\ndescription: d\nfunctions:\n  post: {}\n")
    monkeypatch.chdir(tmp_path)
    assert main(["validate"]) == 0
    assert capsys.readouterr().out.startswith("1 spec(s) and platform.yaml are valid")
    (tmp_path / "specs").mkdir()  # a platform repository: specs/ wins, and here it has no platform.yaml
    assert main(["validate"]) == 2
    assert "specs/platform.yaml: platform file not found" in capsys.readouterr().err
