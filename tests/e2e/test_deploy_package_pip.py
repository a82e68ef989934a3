"""Packaging with pip for real (generator/deploy/deps.py), offline: `--no-index` and a wheel this
test writes by hand, so no index is asked for anything."""

from __future__ import annotations

import base64
import hashlib
import zipfile
from pathlib import Path

import pytest

from generator.deploy import deps
from generator.deploy.package import PackageError, package_service


def _wheel(directory: Path, name: str = "tinydep", version: str = "1.0") -> Path:
    """A minimal pure-Python wheel with a console script (pip writes it to bin/)."""
    directory.mkdir(parents=True, exist_ok=True)
    dist = f"{name}-{version}.dist-info"
    files = {f"{name}/__init__.py": "VALUE = 1\ndef main():\n    return 0\n",
             f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
             f"{dist}/WHEEL": "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
             f"{dist}/entry_points.txt": f"[console_scripts]\n{name} = {name}:main\n"}

    def record_line(path: str, text: str) -> str:
        digest = base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest()).rstrip(b"=").decode()
        return f"{path},sha256={digest},{len(text.encode())}"
    record = [record_line(path, text) for path, text in files.items()] + [f"{dist}/RECORD,,"]
    path = directory / f"{name}-{version}-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as archive:
        for name_in_zip, text in files.items():
            archive.writestr(name_in_zip, text)
        archive.writestr(f"{dist}/RECORD", "\n".join(record) + "\n")
    return path


def _service(root: Path, requirements: str) -> Path:
    (root / "handlers").mkdir(parents=True)
    (root / "handlers" / "pay.py").write_text("import tinydep\n")
    (root / "requirements.txt").write_text(requirements)
    return root


def test_pip_installs_the_requirements_into_a_byte_identical_package_once(tmp_path):
    code = _service(tmp_path / "svc", "tinydep==1.0\n")
    wheels = tmp_path / "wheels"
    _wheel(wheels)
    options = dict(cache=tmp_path / "cache", find_links=[wheels], pip_options=("--no-index",))
    first = package_service(code, tmp_path / "out1", "python3.12", "arm64", **options)
    with zipfile.ZipFile(first.path) as archive:
        names = archive.namelist()
    assert {"handlers/pay.py", "requirements.txt", "tinydep/__init__.py", "tinydep-1.0.dist-info/METADATA"} <= set(names)
    assert not [n for n in names if n.startswith("bin/") or "__pycache__" in n or deps.COMPLETE in n]
    second = package_service(code, tmp_path / "out2", "python3.12", "arm64", **options)
    assert (first.dependencies, second.dependencies) == ("installed", "cached")
    assert first.path.read_bytes() == second.path.read_bytes()


def test_a_requirement_without_a_wheel_is_reported_with_pips_words(tmp_path):
    code = _service(tmp_path / "svc", "tinydep==2.0\n")
    wheels = tmp_path / "wheels"
    _wheel(wheels)
    with pytest.raises(PackageError, match="manylinux2014_aarch64, CPython 3.12") as caught:
        package_service(code, tmp_path / "out", "python3.12", "arm64", cache=tmp_path / "cache",
                        find_links=[wheels], pip_options=("--no-index",))
    assert "tinydep==2.0" in str(caught.value)
    assert not list((tmp_path / "cache" / "deps").glob("*"))
