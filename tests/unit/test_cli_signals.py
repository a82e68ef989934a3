"""How `svcgen` ends when it is not allowed to finish: Ctrl-C, a closed standard input at a prompt,
a closed standard output. One line on stderr (none for a closed pipe), the shell's exit code, never
a traceback. And `svcgen --version`."""

from __future__ import annotations

import io
import os
import select
import signal
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

import pytest

from generator import cli

SVCGEN = [sys.executable, "-m", "generator.cli"]


def test_version_is_the_installed_distributions(capsys):
    assert cli.main(["--version"]) == 0
    assert capsys.readouterr().out == f"svcgen {version('svcgen')}\n"


def test_ctrl_c_anywhere_in_a_command_is_one_line_and_130(monkeypatch, capsys):
    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setitem(cli.COMMANDS, "rules", interrupted)
    assert cli.main(["rules"]) == 130
    assert capsys.readouterr().err == "svcgen: interrupted\n"


def test_closed_stdin_at_a_prompt_is_one_line(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, "stdin", io.StringIO(""))  # what input() sees once stdin is closed
    assert cli.main(["init", str(tmp_path / "repo")]) == 1
    err = capsys.readouterr().err
    assert err == "svcgen: error: standard input is closed; pass --no-input (and the values as options) to ask nothing\n"
    assert not (tmp_path / "repo").exists()


def _default_sigint():
    # A shell starts background jobs with SIGINT ignored, and Python keeps an ignored SIGINT: the
    # child must get the default, as a terminal's foreground process has.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@pytest.mark.e2e  # a real svcgen process: the slow tier
def test_a_real_ctrl_c_at_a_prompt(tmp_path):
    """SIGINT to a process waiting at `svcgen init`'s first prompt, as a terminal sends it."""
    proc = subprocess.Popen([*SVCGEN, "init", str(tmp_path / "repo")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=_default_sigint)
    shown, deadline = b"", time.monotonic() + 60
    try:
        while b"Organisation" not in shown and time.monotonic() < deadline:
            ready, _, _ = select.select([proc.stdout], [], [], 1)
            if ready:
                shown += os.read(proc.stdout.fileno(), 4096)
        assert b"Organisation" in shown, shown
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130
    assert err.decode() == "svcgen: interrupted\n"
    assert not (tmp_path / "repo").exists()


@pytest.mark.e2e  # a real svcgen process: the slow tier
def test_closed_stdin_in_a_real_process(tmp_path):
    run = subprocess.run([*SVCGEN, "init", str(tmp_path / "repo")], stdin=subprocess.DEVNULL, capture_output=True,
                         text=True, timeout=60)
    assert run.returncode == 1
    assert run.stderr == ("svcgen: error: standard input is closed; pass --no-input (and the values as options) "
                          "to ask nothing\n")


@pytest.mark.e2e  # a real svcgen process: the slow tier
def test_a_reader_that_leaves_is_no_error(tmp_path):
    """`svcgen rules | head -1`: the pipe is closed before svcgen writes; it ends quietly with 141."""
    read, write = os.pipe()
    os.close(read)  # the reader has gone before svcgen writes a byte
    try:
        run = subprocess.run([*SVCGEN, "rules"], stdout=write, stderr=subprocess.PIPE, text=True, timeout=60)
    finally:
        os.close(write)
    assert run.stderr == ""
    assert run.returncode == 141


@pytest.mark.e2e  # a real svcgen process: the slow tier
@pytest.mark.skipif(not Path("/bin/sh").exists(), reason="needs a POSIX shell")
def test_rules_piped_into_head(tmp_path):
    run = subprocess.run(f"{' '.join(SVCGEN)} rules | head -1", shell=True, capture_output=True, text=True,
                         timeout=60)
    assert run.returncode == 0 and run.stderr == ""
    assert run.stdout.startswith("SVC")


LINT_IN_PARALLEL = """
import sys
from generator import lint_many
template = "AWSTemplateFormatVersion: '2010-09-09'\\nResources:\\n  T:\\n    Type: AWS::SNS::Topic\\n"
print("linting", flush=True)
try:
    list(lint_many._lint("eu-west-1", [template + f"#{i}\\n" for i in range(2000)], None))  # far more than 2 s of work
except KeyboardInterrupt:
    print("interrupted", flush=True)
    sys.exit(130)
"""


@pytest.mark.e2e  # a build with lint workers in a subprocess: the full suite, not the fast tier
def test_ctrl_c_while_linting_in_worker_processes_ends_the_build(tmp_path):
    """Ctrl-C signals the whole process group: the lint workers must leave it to svcgen, which
    stops. (A worker killed by it left the pool broken and svcgen waiting forever.)"""
    proc = subprocess.Popen([sys.executable, "-c", LINT_IN_PARALLEL], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=_default_sigint, start_new_session=True)
    try:
        assert proc.stdout.readline() == b"linting\n"
        time.sleep(2)  # the workers are starting or linting
        os.killpg(proc.pid, signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130 and out == b"interrupted\n"
    assert b"Traceback" not in err, err.decode()[-2000:]
