"""generator/deploy/package.py and deps.py: deterministic code packages and cached dependencies."""

from __future__ import annotations

import os
import subprocess
import zipfile
from pathlib import Path

import pytest

from generator.deploy import deps
from generator.deploy.package import PackageError, lambda_settings, package_service


def _code(root: Path) -> Path:
    files = {
        "handlers/__init__.py": "", "handlers/pay.py": "def handle(e):\n    return e\n",
        "plumbing/pay.py": "from handlers.pay import handle\n", "data/rates.json": "{}",
        "tests/test_pay.py": "def test(): pass\n", "handlers/__pycache__/pay.cpython-312.pyc": "x",
        "handlers/old.pyc": "x", ".env": "SECRET=1", ".git/config": "x", ".venv/lib/x.py": "x",
        "venv2/pyvenv.cfg": "home=/usr", "venv2/lib/site.py": "x", "handlers/tests/test_inner.py": "kept",
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


def _names(zip_path: Path) -> list[str]:
    with zipfile.ZipFile(zip_path) as archive:
        return archive.namelist()


def test_two_packages_of_the_same_directory_are_identical_bytes(tmp_path):
    code = _code(tmp_path / "svc")
    first = package_service(code, tmp_path / "out1", "python3.12", "arm64", service="pay")
    os.utime(code / "handlers" / "pay.py", (1, 1))  # timestamps and permissions never count
    (code / "handlers" / "pay.py").chmod(0o755)
    second = package_service(code, tmp_path / "out2", "python3.12", "arm64", service="pay")
    assert first.path.read_bytes() == second.path.read_bytes()
    assert first.name == second.name == f"pay-{first.sha256[:16]}.zip"
    assert first.outcome == "created" and first.dependencies == "none"
    assert any("requirements.txt does not exist" in note for note in first.notes)


def test_the_package_holds_the_code_without_tests_caches_hidden_files_or_virtualenvs(tmp_path):
    result = package_service(_code(tmp_path / "svc"), tmp_path / "out", "python3.12", "arm64")
    assert _names(result.path) == ["data/rates.json", "handlers/__init__.py", "handlers/pay.py",
                                   "handlers/tests/test_inner.py", "plumbing/pay.py"]
    with zipfile.ZipFile(result.path) as archive:
        for info in archive.infolist():
            assert info.date_time == (1980, 1, 1, 0, 0, 0)
            assert info.external_attr >> 16 == 0o100644
            assert info.compress_type == zipfile.ZIP_DEFLATED


def test_a_changed_file_gets_a_new_name_and_the_old_package_is_removed(tmp_path):
    code = _code(tmp_path / "svc")
    out = tmp_path / "out"
    first = package_service(code, out, "python3.12", "arm64")
    again = package_service(code, out, "python3.12", "arm64")
    assert again.outcome == "identical" and again.path == first.path
    (code / "handlers" / "pay.py").write_text("def handle(e):\n    return None\n")
    changed = package_service(code, out, "python3.12", "arm64")
    assert changed.name != first.name and not first.path.exists()
    (out / "unrelated.zip").write_text("kept")
    (code / "data" / "rates.json").write_text('{"a": 1}')
    package_service(code, out, "python3.12", "arm64")
    assert (out / "unrelated.zip").exists()


def test_dry_run_names_the_package_and_writes_nothing(tmp_path):
    result = package_service(_code(tmp_path / "svc"), tmp_path / "out", "python3.12", "arm64", dry_run=True)
    assert result.outcome == "would create" and not (tmp_path / "out").exists()
    real = package_service(_code(tmp_path / "svc"), tmp_path / "out", "python3.12", "arm64")
    assert real.name == result.name


@pytest.mark.parametrize("runtime, architecture, message", [
    ("nodejs20.x", "arm64", "not a Python runtime"), ("python3.12", "sparc", "not one Lambda runs")])
def test_settings_lambda_does_not_run_are_refused(tmp_path, runtime, architecture, message):
    with pytest.raises(PackageError, match=message):
        package_service(_code(tmp_path / "svc"), tmp_path / "out", runtime, architecture)


def test_lambda_settings_come_from_the_functions_of_the_template():
    fn = {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.12", "Architectures": ["arm64"]}}
    assert lambda_settings({"Resources": {"A": fn, "B": fn, "Q": {"Type": "AWS::SQS::Queue"}}}) == ("python3.12", "arm64")
    assert lambda_settings({"Resources": {}}) is None
    other = {"Type": "AWS::Lambda::Function", "Properties": {"Runtime": "python3.13", "Architectures": ["arm64"]}}
    with pytest.raises(PackageError, match="share one code package"):
        lambda_settings({"Resources": {"A": fn, "B": other}})


# --- dependencies (pip itself runs in tests/e2e/test_deploy_package_pip.py) ---------------------

class FakePip:
    """Stands in for `pip install --target`: records the command and writes an installed tree."""

    def __init__(self, fail: bool = False):
        self.commands: list[list[str]] = []
        self.fail = fail

    def __call__(self, command, cwd=None, **kwargs):
        self.commands.append(command)
        if self.fail:
            return subprocess.CompletedProcess(command, 1, "", "ERROR: No matching distribution found for dep==9\n")
        target = Path(command[command.index("--target") + 1])
        for name in ("dep/__init__.py", "dep-1.0.dist-info/METADATA", "bin/dep", "dep/__pycache__/x.pyc",
                     "dep/.libs/native.so"):
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_text(name)
        return subprocess.CompletedProcess(command, 0, "", "")


def _with_requirements(tmp_path: Path, text: str = "dep==1.0\n") -> Path:
    code = _code(tmp_path / "svc")
    (code / "requirements.txt").write_text(text)
    return code


def test_requirements_are_installed_as_lambda_wheels_then_taken_from_the_cache(tmp_path, monkeypatch):
    pip = FakePip()
    monkeypatch.setattr(deps.subprocess, "run", pip)
    code = _with_requirements(tmp_path)
    options = dict(cache=tmp_path / "cache", find_links=[])
    first = package_service(code, tmp_path / "out1", "python3.12", "arm64", **options)
    command = pip.commands[0]
    for expected in (["--platform", "manylinux2014_aarch64"], ["--python-version", "3.12"],
                     ["--implementation", "cp"], ["--only-binary=:all:"], ["--no-compile"], ["-r", "requirements.txt"]):
        assert any(command[i:i + len(expected)] == expected for i in range(len(command))), expected
    names = _names(first.path)
    # pip's bin/ scripts name this machine's Python; a wheel's hidden .libs is needed at run time.
    assert {"dep/__init__.py", "dep-1.0.dist-info/METADATA", "dep/.libs/native.so", "requirements.txt"} <= set(names)
    assert not [n for n in names if n.startswith("bin/") or n.endswith(".pyc") or deps.COMPLETE in n]
    assert first.dependencies == "installed"
    second = package_service(code, tmp_path / "out2", "python3.12", "arm64", **options)
    assert len(pip.commands) == 1 and second.dependencies == "cached"
    assert second.path.read_bytes() == first.path.read_bytes()


def test_another_platform_or_requirements_text_is_another_install(tmp_path, monkeypatch):
    pip = FakePip()
    monkeypatch.setattr(deps.subprocess, "run", pip)
    code = _with_requirements(tmp_path)
    options = dict(cache=tmp_path / "cache", find_links=[])
    package_service(code, tmp_path / "o1", "python3.12", "arm64", **options)
    package_service(code, tmp_path / "o2", "python3.12", "x86_64", **options)
    assert pip.commands[1][pip.commands[1].index("--platform") + 1] == "manylinux2014_x86_64"
    package_service(code, tmp_path / "o3", "python3.13", "x86_64", **options)
    (code / "requirements.txt").write_text("# generated for another service\ndep==1.0  # pinned\n\n")
    package_service(code, tmp_path / "o4", "python3.13", "x86_64", **options)  # only comments differ
    assert len(pip.commands) == 3
    (code / "requirements.txt").write_text("dep==1.1\n")
    package_service(code, tmp_path / "o5", "python3.13", "x86_64", **options)
    assert len(pip.commands) == 4


def test_a_failed_install_is_an_error_naming_the_platform_and_leaves_no_cache(tmp_path, monkeypatch):
    monkeypatch.setattr(deps.subprocess, "run", FakePip(fail=True))
    with pytest.raises(PackageError, match="manylinux2014_aarch64, CPython 3.12") as caught:
        package_service(_with_requirements(tmp_path), tmp_path / "out", "python3.12", "arm64",
                        cache=tmp_path / "cache", find_links=[])
    assert "No matching distribution found for dep==9" in str(caught.value)
    assert not list((tmp_path / "cache" / "deps").glob("*"))


def test_an_interrupted_install_is_not_taken_from_the_cache(tmp_path, monkeypatch):
    pip = FakePip()
    monkeypatch.setattr(deps.subprocess, "run", pip)
    code = _with_requirements(tmp_path)
    installed, _ = deps.install(code / "requirements.txt", "python3.12", "arm64", tmp_path / "cache", [])
    (installed / deps.COMPLETE).unlink()  # as if the run had stopped before finishing
    again, cached = deps.install(code / "requirements.txt", "python3.12", "arm64", tmp_path / "cache", [])
    assert again == installed and not cached and len(pip.commands) == 2


def test_local_wheels_and_options_are_part_of_the_cache_key_but_comments_are_not(tmp_path):
    wheels = tmp_path / "wheels"
    wheels.mkdir()
    key = deps.cache_key(["a==1"], "p", "3.12", [wheels], ())
    (wheels / "a-1-py3-none-any.whl").write_bytes(b"one")
    with_wheel = deps.cache_key(["a==1"], "p", "3.12", [wheels], ())
    (wheels / "a-1-py3-none-any.whl").write_bytes(b"two")
    assert len({key, with_wheel, deps.cache_key(["a==1"], "p", "3.12", [wheels], ()),
                deps.cache_key(["a==1"], "p", "3.12", [wheels], ("--no-index",))}) == 4
    assert deps.cache_key(["# x\na==1 # y\n\n"], "p", "3.12", [], ()) == deps.cache_key(["a==1"], "p", "3.12", [], ())
    url = "git+https://example.com/a.git#egg=a"
    assert deps.cache_key([url], "p", "3.12", [], ()) != deps.cache_key(["git+https://example.com/a.git"], "p", "3.12", [], ())


def test_included_requirement_files_are_read_too(tmp_path):
    (tmp_path / "base.txt").write_text("a==1\n")
    (tmp_path / "requirements.txt").write_text("-r base.txt\nb==2\n")
    assert deps.included_texts(tmp_path / "requirements.txt") == ["-r base.txt\nb==2\n", "a==1\n"]
    assert deps.requirement_names(["-r base.txt\nb==2 # x\n", "a[extra]>=1\n# c==3\n"]) == ["a", "b"]


@pytest.mark.e2e  # pip in a subprocess
def test_a_runtime_installed_from_a_wheel_is_repacked_for_pip(tmp_path, monkeypatch):
    """svcgen installed from wheels (no index has svcgen-runtime): the installed pure-Python
    distribution becomes a wheel pip can install into the Lambda package."""
    import subprocess
    import sys
    import zipfile

    from generator.deploy import deps

    site = tmp_path / "site"
    (site / "demo_runtime").mkdir(parents=True)
    (site / "demo_runtime" / "__init__.py").write_text("VERSION = '1.0'\n")
    (site / "demo_runtime" / "__pycache__").mkdir()
    (site / "demo_runtime" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    info = site / "demo_runtime-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: demo-runtime\nVersion: 1.0\n")
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n")
    (info / "INSTALLER").write_text("pip\n")
    (info / "RECORD").write_text("demo_runtime/__init__.py,,\ndemo_runtime/__pycache__/x.pyc,,\n"
                                 "demo_runtime-1.0.dist-info/METADATA,,\ndemo_runtime-1.0.dist-info/WHEEL,,\n"
                                 "demo_runtime-1.0.dist-info/INSTALLER,,\ndemo_runtime-1.0.dist-info/RECORD,,\n")
    monkeypatch.syspath_prepend(str(site))
    directory = deps._repacked("demo-runtime", tmp_path / "cache")
    (wheel,) = directory.glob("*.whl")
    assert wheel.name == "demo_runtime-1.0-py3-none-any.whl"
    names = zipfile.ZipFile(wheel).namelist()
    assert "demo_runtime/__init__.py" in names and not [n for n in names if n.endswith((".pyc", "INSTALLER"))]
    assert deps._repacked("demo-runtime", tmp_path / "cache") == directory  # made once
    target = tmp_path / "target"
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-index", "--find-links", str(directory),
                    "--target", str(target), "demo-runtime==1.0"], check=True, capture_output=True)
    assert (target / "demo_runtime" / "__init__.py").read_text() == "VERSION = '1.0'\n"
    (info / "WHEEL").write_text("Wheel-Version: 1.0\nRoot-Is-Purelib: false\n")
    assert deps._repacked("demo-runtime", tmp_path / "cache2") is None  # platform-specific: never repacked
