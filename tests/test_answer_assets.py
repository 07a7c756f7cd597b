"""The answer boxes' build-time assets (book/_ext/answer_assets.py), without a book build.

The wheels and the lock file are checked against hashes computed here with hashlib, the
registry failures are real failures (a registry address nothing listens on), and the
offline path is a cache that holds everything while every registry is unreachable.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "book" / "_ext"))

import answer_assets  # noqa: E402

PACKAGE = ROOT / "src" / "bpnotes"
UNREACHABLE = "http://127.0.0.1:9/"  # the discard port: nothing listens, refused at once


def _record_ok(wheel: Path) -> None:
    """Every file of the wheel is in its RECORD with the right sha256 and size."""
    with zipfile.ZipFile(wheel) as archive:
        names = [n for n in archive.namelist() if not n.endswith("/RECORD")]
        record_name = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
        rows = {line.split(",")[0]: line.split(",")[1:]
                for line in archive.read(record_name).decode().splitlines()}
        for name in names:
            data = archive.read(name)
            digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
            assert rows.get(name) == [f"sha256={digest.decode()}", str(len(data))], name
        assert set(rows) == {*names, record_name}


def _toy_wheel(folder: Path) -> Path:
    wheel = folder / "toy-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        archive.writestr("toy/__init__.py", "X = 1\n")
        archive.writestr("toy/core.py", "Y = 2\n")
        archive.writestr("toy/tests/test_core.py", "def test(): pass\n")
        archive.writestr("toy/sub/tests/__init__.py", "")
        archive.writestr("toy-1.0.dist-info/WHEEL", "Wheel-Version: 1.0\n")
        archive.writestr("toy-1.0.dist-info/RECORD", "stale\n")
    return wheel


def test_package_wheel_holds_every_module_and_is_reproducible(tmp_path):
    first = answer_assets.package_wheel(PACKAGE, "0.1.0", tmp_path / "a")
    second = answer_assets.package_wheel(PACKAGE, "0.1.0", tmp_path / "b")
    assert first.read_bytes() == second.read_bytes()
    sources = {f"bpnotes/{p.relative_to(PACKAGE).as_posix()}" for p in PACKAGE.rglob("*.py")
               if "__pycache__" not in p.parts}
    with zipfile.ZipFile(first) as archive:
        modules = {n for n in archive.namelist() if n.endswith(".py")}
        assert modules == sources
        for name in sources:
            assert archive.read(name) == (PACKAGE.parent / name).read_bytes()
    assert re.fullmatch(r"bpnotes-0\.1\.0\+src[0-9a-f]{10}-py3-none-any\.whl", first.name)
    _record_ok(first)


def test_package_wheel_name_changes_with_the_sources(tmp_path):
    package = tmp_path / "src" / "toy"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text("X = 1\n")
    before = answer_assets.package_wheel(package, "1.0", tmp_path).name
    (package / "__init__.py").write_text("X = 2\n")
    assert answer_assets.package_wheel(package, "1.0", tmp_path).name != before


def test_slim_wheel_drops_the_test_suites_and_rewrites_the_record(tmp_path):
    (tmp_path / "out").mkdir()
    slim = answer_assets.slim_wheel(_toy_wheel(tmp_path), tmp_path / "out")
    with zipfile.ZipFile(slim) as archive:
        assert sorted(archive.namelist()) == [
            "toy-1.0.dist-info/RECORD", "toy-1.0.dist-info/WHEEL",
            "toy/__init__.py", "toy/core.py",
        ]
    _record_ok(slim)


def test_lock_file_lists_exactly_the_local_wheels(tmp_path):
    (tmp_path / "out").mkdir()
    wheels = {
        "sympy": answer_assets.slim_wheel(_toy_wheel(tmp_path), tmp_path / "out"),
        "bpnotes": answer_assets.package_wheel(PACKAGE, "0.1.0", tmp_path / "out"),
    }
    info = {"abi_version": "2026_0", "python": "3.14.2"}
    lock = answer_assets.lock_file({"info": info, "packages": {"numpy": {}}}, wheels)
    assert lock["info"] == info
    assert set(lock["packages"]) == {"sympy", "bpnotes"}
    for name, entry in lock["packages"].items():
        assert entry["file_name"] == wheels[name].name  # relative: served beside the lock
        assert entry["sha256"] == hashlib.sha256(wheels[name].read_bytes()).hexdigest()
        assert entry["imports"] == [name]
    json.dumps(lock)  # what the site serves


def test_the_browser_sympy_is_the_build_sympy():
    import sympy

    pins = dict(re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", (ROOT / "requirements.txt").read_text(),
                           re.MULTILINE))
    browser = {name: version for name, version, _ in answer_assets.WHEELS}
    assert browser["sympy"] == pins["sympy"] == sympy.__version__
    assert tuple(int(x) for x in browser["mpmath"].split(".")[:2]) < (1, 4)  # sympy 1.14's bound


@pytest.fixture
def offline(monkeypatch, tmp_path):
    """An empty cache and registries that refuse every connection."""
    monkeypatch.setenv("BPNOTES_ASSET_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("npm_config_registry", UNREACHABLE)
    monkeypatch.setenv("npm_config_fetch_retries", "0")
    monkeypatch.setenv("npm_config_cache", str(tmp_path / "npm-cache"))
    monkeypatch.setenv("PIP_INDEX_URL", f"{UNREACHABLE}simple")
    monkeypatch.setenv("PIP_NO_CACHE_DIR", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", "")
    monkeypatch.setenv("PIP_CONFIG_FILE", os.devnull)  # no local index from a pip.conf
    return tmp_path / "cache"


def test_empty_cache_without_npm_registry_fails_clearly(offline):
    if answer_assets.shutil.which("npm") is None:
        pytest.skip("npm is not installed (the no-npm message is tested below)")
    with pytest.raises(answer_assets.AssetError) as error:
        answer_assets.pyodide_files()
    message = str(error.value)
    assert f"Pyodide {answer_assets.PYODIDE_VERSION}" in message
    assert str(offline) in message and "npm" in message
    assert not (offline / f"pyodide-{answer_assets.PYODIDE_VERSION}").exists()


def test_empty_cache_without_npm_says_to_install_it(offline, monkeypatch):
    monkeypatch.setattr(answer_assets.shutil, "which", lambda name: None)
    with pytest.raises(answer_assets.AssetError, match="npm is not installed"):
        answer_assets.pyodide_files()


def test_empty_cache_without_pypi_fails_clearly(offline):
    with pytest.raises(answer_assets.AssetError) as error:
        answer_assets.pypi_wheels()
    message = str(error.value)
    assert "sympy==" in message and "PyPI" in message and str(offline) in message


def test_a_filled_cache_needs_no_registry(offline, monkeypatch):
    # Stand-in files with their hashes pinned, as a real cache holds the real ones.
    folder = offline / f"pyodide-{answer_assets.PYODIDE_VERSION}"
    folder.mkdir(parents=True)
    for name in answer_assets.PYODIDE_FILES:
        (folder / name).write_bytes(name.encode())
    (folder / "manifest.json").write_text(json.dumps(
        {name: hashlib.sha256(name.encode()).hexdigest() for name in answer_assets.PYODIDE_FILES}))
    (offline / "wheels").mkdir()
    wheel = offline / "wheels" / "toy-1.0-py3-none-any.whl"
    wheel.write_bytes(b"toy wheel")
    monkeypatch.setattr(answer_assets, "WHEELS",
                        (("toy", "1.0", hashlib.sha256(b"toy wheel").hexdigest()),))
    assert answer_assets.pyodide_files() == folder
    assert answer_assets.pypi_wheels() == {"toy": wheel}
    # A cached file that was altered is fetched again, and so fails offline.
    (folder / "pyodide.asm.wasm").write_bytes(b"altered")
    with pytest.raises(answer_assets.AssetError):
        answer_assets.pyodide_files()
