"""The local AWS's state file and process handling (generator/deploy/local/server.py) without moto:
starting the real server is tests/e2e/test_local_deploy.py's."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from generator.deploy.local import server


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("SVCGEN_LOCAL_HOME", str(tmp_path / "local"))
    return tmp_path / "local"


def _record(home, pid: int, port: int = 1) -> None:
    home.mkdir(parents=True, exist_ok=True)
    (home / server.STATE_FILE).write_text(json.dumps(
        {"pid": pid, "port": port, "endpoint": f"http://127.0.0.1:{port}", "log": str(home / "moto.log")}))


def test_the_state_directory_is_per_user_and_can_be_moved(monkeypatch, tmp_path):
    monkeypatch.delenv("SVCGEN_LOCAL_HOME", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert server.state_dir() == tmp_path / "cache" / "svcgen" / "local"
    monkeypatch.setenv("SVCGEN_LOCAL_HOME", str(tmp_path / "elsewhere"))
    assert server.state_dir() == tmp_path / "elsewhere"


def test_no_record_or_an_unreadable_one_is_not_running(home):
    assert server.read_state() is None and server.running() is None
    home.mkdir()
    (home / server.STATE_FILE).write_text("{not json")
    assert server.read_state() is None and server.running() is None


def test_a_record_of_a_dead_process_is_not_running(home):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    _record(home, dead.pid)
    assert server.read_state().pid == dead.pid
    assert server.running() is None


def test_down_never_signals_a_process_that_is_not_the_recorded_server(home):
    """After a restart the recorded PID may be someone else's process: it is left alone."""
    other = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _record(home, other.pid)
        state, stopped = server.stop()
        assert state.pid == other.pid and not stopped
        assert other.poll() is None  # still running
        assert not (home / server.STATE_FILE).exists()  # and the stale record is gone
    finally:
        other.kill()
        other.wait()


def test_down_stops_the_recorded_server_by_its_pid(home, monkeypatch):
    fake = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        _record(home, fake.pid)
        monkeypatch.setattr(server, "_is_our_server", lambda state: state.pid == fake.pid)
        state, stopped = server.stop()
        assert stopped and state.pid == fake.pid
        assert fake.wait(timeout=10) is not None
        assert not (home / server.STATE_FILE).exists()
    finally:
        fake.kill()
        fake.wait()


def test_down_with_nothing_recorded_says_so(home):
    assert server.stop() == (None, False)


def test_a_port_in_use_is_refused_with_a_hint(home, monkeypatch):
    import socket

    monkeypatch.setattr(server, "moto_installed", lambda: True)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        with pytest.raises(server.LocalError, match=r"port \d+ on 127.0.0.1 is in use; pass another --port"):
            server.start(taken.getsockname()[1])


def test_without_moto_start_says_how_to_install_it(home, monkeypatch):
    monkeypatch.setattr(server, "moto_installed", lambda: False)
    with pytest.raises(server.LocalError, match=r"pip install 'moto\[server\]==5.2.1'"):
        server.start(0)
