"""The local AWS's process: moto's server mode on 127.0.0.1, started detached, found again through a
state file, stopped by the PID that started it.

The state lives in one directory per user, not per repository, because there is one local AWS per
machine account (as there is one AWS account behind a set of credentials): `svcgen deploy --local`
finds it from any directory. The directory is $SVCGEN_LOCAL_HOME, else
$XDG_CACHE_HOME/svcgen/local, else ~/.cache/svcgen/local; it holds `local.json` (pid, port, endpoint,
log) and `moto.log` (the server's output; moto's tracebacks for its HTTP 500 answers are there).
"""

from __future__ import annotations

import importlib.util
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from generator.deploy.local import DEFAULT_PORT
from generator.deploy.local.compat import SERVER_ENV

HOST = "127.0.0.1"  # never another interface: moto accepts any request without credentials
STARTUP_TIMEOUT_S = 30.0
STOP_TIMEOUT_S = 10.0
STATE_FILE = "local.json"
LOG_FILE = "moto.log"
INSTALL_HINT = ("the local AWS needs moto's server mode, which svcgen's [test] extra brings: "
                "pip install 'moto[server]==5.2.1' (or pip install -e \".[test]\" in svcgen's checkout)")
# urllib must not send a request for 127.0.0.1 through a developer's HTTP(S)_PROXY.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


class LocalError(Exception):
    """The local AWS cannot be started, found or stopped; the message says what to do."""


@dataclass(frozen=True)
class LocalState:
    pid: int
    port: int
    endpoint: str
    log: str


def state_dir() -> Path:
    if os.environ.get("SVCGEN_LOCAL_HOME"):
        return Path(os.environ["SVCGEN_LOCAL_HOME"])
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "svcgen" / "local"


def moto_installed() -> bool:
    # moto.server needs the [server] extra's flask too; checking both avoids a child that dies at once.
    return all(importlib.util.find_spec(name) is not None for name in ("moto", "flask", "flask_cors"))


def read_state(directory: Path | None = None) -> LocalState | None:
    path = (directory or state_dir()) / STATE_FILE
    try:
        data = json.loads(path.read_text())
        return LocalState(int(data["pid"]), int(data["port"]), str(data["endpoint"]), str(data["log"]))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None  # unreadable or from another version: as if nothing ran; `up` writes a new one


def answers(endpoint: str, timeout: float = 1.0) -> bool:
    """Whether a moto server answers at `endpoint` (its /moto-api/ is moto's own)."""
    try:
        with _HTTP.open(f"{endpoint}/moto-api/config", timeout=timeout) as response:
            return 200 <= response.status < 300  # moto answers 201 here
    except (OSError, ValueError):
        return False


def running(directory: Path | None = None) -> LocalState | None:
    """The recorded server when its process is alive and it answers; else None."""
    state = read_state(directory)
    # A generous timeout: moto answers one request at a time per thread, and a machine busy
    # deploying is when this is asked.
    if state is None or not _alive(state.pid) or not answers(state.endpoint, timeout=5.0):
        return None
    return state


def start(port: int = DEFAULT_PORT, directory: Path | None = None) -> tuple[LocalState, bool]:
    """Start the server (or find it running); (its state, whether this call started it)."""
    directory = directory or state_dir()
    current = running(directory)
    if current is not None:
        return current, False
    if not moto_installed():
        raise LocalError(INSTALL_HINT)
    _forget(directory)  # a stale record (the process died, or the machine restarted)
    port = port or _free_port()
    if not _port_free(port):
        raise LocalError(f"port {port} on {HOST} is in use; pass another --port (0 picks a free one)")
    directory.mkdir(parents=True, exist_ok=True)
    log = directory / LOG_FILE
    with log.open("ab") as out:  # a file, not a pipe: nobody would read a pipe, and a full one blocks moto
        process = subprocess.Popen(
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(port)],
            stdin=subprocess.DEVNULL, stdout=out, stderr=subprocess.STDOUT, cwd=directory,
            env={**os.environ, **SERVER_ENV}, **_detached())
    state = LocalState(process.pid, port, f"http://{HOST}:{port}", str(log))
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    try:
        while time.monotonic() < deadline and process.poll() is None:
            if answers(state.endpoint):
                _write(directory, state)
                return state, True
            time.sleep(0.1)
    except KeyboardInterrupt:  # not yet recorded: nobody could find it to stop it later
        _terminate(process.pid)
        raise
    why = (f"exited with code {process.returncode}" if process.poll() is not None
           else f"did not answer within {STARTUP_TIMEOUT_S:.0f} s")
    if process.poll() is None:
        _terminate(process.pid)
    raise LocalError(f"the local AWS (moto on {state.endpoint}) {why}; its output is in {log}")


def stop(directory: Path | None = None) -> tuple[LocalState | None, bool]:
    """Stop the recorded server and forget it: (the record or None, whether a process was stopped)."""
    directory = directory or state_dir()
    state = read_state(directory)
    stopped = state is not None and _alive(state.pid) and _is_our_server(state)
    if stopped:
        _terminate(state.pid)
    _forget(directory)
    return state, stopped


def _is_our_server(state: LocalState) -> bool:
    """Whether the recorded PID is still moto's server on the recorded port: after a restart the
    number may belong to another process, which must never be signalled."""
    cmdline = Path(f"/proc/{state.pid}/cmdline")
    if cmdline.exists():  # Linux: the command line says it
        try:
            words = cmdline.read_bytes().split(b"\0")
        except OSError:
            return False
        return b"moto.server" in words and str(state.port).encode() in words
    return answers(state.endpoint)  # elsewhere: something answers moto's API on that port


def _terminate(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while time.monotonic() < deadline:
        if not _alive(pid):
            return
        time.sleep(0.05)
    try:
        os.kill(pid, getattr(signal, "SIGKILL", signal.SIGTERM))
    except ProcessLookupError:
        pass


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # exists, someone else's
    # The server is detached: when svcgen that started it has exited, nobody may reap it (a container
    # without an init), and a dead server stays a zombie that signal 0 still finds.
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True


def _detached() -> dict:
    """Popen options for a server that outlives svcgen and ignores a Ctrl-C in svcgen's terminal."""
    if os.name == "nt":
        flags = subprocess.CREATE_NEW_PROCESS_GROUP | subprocess.DETACHED_PROCESS  # type: ignore[attr-defined]
        return {"creationflags": flags}
    return {"start_new_session": True}


def _write(directory: Path, state: LocalState) -> None:
    path = directory / STATE_FILE
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(asdict(state), indent=2, sort_keys=True) + "\n")
    os.replace(tmp, path)


def _forget(directory: Path) -> None:
    (directory / STATE_FILE).unlink(missing_ok=True)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


def _port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((HOST, port))
        except OSError:
            return False
        return True
