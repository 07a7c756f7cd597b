"""The files the answer boxes need in the reader's browser, fetched at build time and cached.

The answer boxes (``answer_boxes.py``) run the book's own checkers in the reader's browser
with Pyodide, the CPython interpreter compiled to WebAssembly. Everything they load is
served by the site itself:

* Pyodide's interpreter files, from the npm package ``pyodide`` (pinned by version and by
  the registry's sha512 integrity, fetched with ``npm pack``);
* the pure-Python wheels of sympy and mpmath, from PyPI (pinned by version and sha256,
  fetched with ``pip download --require-hashes``), with their test suites left out and
  byte-compiled for Pyodide's CPython by Pyodide itself, run in Node (``answer_compile.mjs``);
* the ``bpnotes`` package itself, zipped into a wheel from the source tree at build time;
* a Pyodide lock file listing exactly these three wheels as local files (Pyodide's own
  lock file points its packages at a CDN, and its checksums are those of Pyodide's
  repackaged wheels).

The registry downloads are cached outside the source tree, in ``$BPNOTES_ASSET_CACHE`` or
else ``$XDG_CACHE_HOME/bpnotes-pyodide`` (``~/.cache/bpnotes-pyodide``), so a build works
offline once the cache is filled; with an empty cache and no registry it fails with a
message saying what is missing and how to get it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

#: The npm package ``pyodide``: the interpreter only (Python 3.14, ABI 2026_0).
PYODIDE_VERSION = "314.0.7"
PYODIDE_INTEGRITY = (
    "sha512-0YvXxEhfEdpLfb/XkM2BFAeMROq0iMUX2bzzH9pOttyMcWkwq+HbE5uyuGD82LN7y2q+SNvi/6V5JEsOlD2R1A=="
)
#: The files of that package a (module) worker needs; the UMD ``pyodide.js`` and the
#: consoles are unused.
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
)

#: Pure-Python wheels from PyPI: (distribution, version, sha256 of the PyPI file).
#: sympy is the version of requirements.txt, so a verdict in the browser is the verdict of
#: the build; sympy 1.14 requires mpmath < 1.4.
WHEELS = (
    ("sympy", "1.14.0", "e091cc3e99d2141a0ba2847328f5479b05d94a6635cb96148ccb3f34671bd8f5"),
    ("mpmath", "1.3.0", "a0b2b9fe80bbcd81a6647ff13108738cfb482d481d826cc0e02f5b35e5c88d2c"),
)
#: Import dependencies between the wheels, as Pyodide's lock file records them.
DEPENDS = {"sympy": ["mpmath"], "mpmath": [], "bpnotes": ["sympy"]}
IMPORTS = {"sympy": ["sympy"], "mpmath": ["mpmath"], "bpnotes": ["bpnotes"]}

# A wheel's fixed timestamp, so the same sources give the same bytes (and the same hash).
_EPOCH = (2020, 1, 1, 0, 0, 0)


class AssetError(RuntimeError):
    """An asset could not be obtained; the message says what and how to fix it."""


@dataclass(frozen=True)
class SiteAssets:
    """What :func:`write_site_assets` put into the site: the folder and its files' sizes."""

    folder: Path
    sizes: dict[str, int]

    @property
    def total_bytes(self) -> int:
        return sum(self.sizes.values())


def cache_dir() -> Path:
    """The folder holding downloaded assets (outside the source tree)."""
    if os.environ.get("BPNOTES_ASSET_CACHE"):
        return Path(os.environ["BPNOTES_ASSET_CACHE"]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "bpnotes-pyodide"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _sri_sha512(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def _install(source: Path, target: Path) -> None:
    """Put a file into the cache in one step, so a concurrent build never reads half of it."""
    incoming = target.with_name(f"{target.name}.incoming-{os.getpid()}")
    shutil.copy2(source, incoming)
    os.replace(incoming, target)


def _unreachable(what: str, how: str, folder: Path, detail: str) -> AssetError:
    return AssetError(
        f"The answer boxes need {what}, which is not in the asset cache {folder} and could "
        f"not be fetched with {how}:\n{detail.strip()[-1500:]}\n"
        "Build once with access to the package registries (npm and PyPI) to fill the cache; "
        "later builds work offline. BPNOTES_ASSET_CACHE chooses another cache folder."
    )


# ----------------------------------------------------------------- Pyodide (npm)
def pyodide_files(cache: Path | None = None) -> Path:
    """The folder of Pyodide's files in the cache, fetching them with npm if needed."""
    cache = cache or cache_dir()
    folder = cache / f"pyodide-{PYODIDE_VERSION}"
    manifest = folder / "manifest.json"
    if manifest.exists():
        recorded = json.loads(manifest.read_text())
        if all(
            (folder / name).exists() and _sha256(folder / name) == recorded.get(name)
            for name in PYODIDE_FILES
        ):
            return folder
    npm = shutil.which("npm")
    if npm is None:
        raise AssetError(
            f"The answer boxes need Pyodide {PYODIDE_VERSION} from the npm registry, which "
            f"is not in the asset cache {folder}, and npm is not installed: install Node.js "
            "and npm (e.g. `apt-get install nodejs npm`) and build again."
        )
    with tempfile.TemporaryDirectory(prefix="bpnotes-pyodide-") as tmp:
        result = subprocess.run(
            [npm, "pack", f"pyodide@{PYODIDE_VERSION}", "--pack-destination", tmp, "--silent"],
            capture_output=True, text=True, timeout=600, cwd=tmp,
        )
        tarballs = list(Path(tmp).glob("pyodide-*.tgz"))
        if result.returncode != 0 or len(tarballs) != 1:
            raise _unreachable(f"Pyodide {PYODIDE_VERSION} (npm package pyodide)", "npm pack",
                               folder, result.stderr + result.stdout)
        tarball = tarballs[0]
        if _sri_sha512(tarball) != PYODIDE_INTEGRITY:
            raise AssetError(
                f"npm's pyodide-{PYODIDE_VERSION}.tgz does not have the pinned integrity "
                f"{PYODIDE_INTEGRITY} (got {_sri_sha512(tarball)}); refusing to use it."
            )
        staging = Path(tmp) / "files"
        staging.mkdir()
        with tarfile.open(tarball) as archive:
            for name in PYODIDE_FILES:
                member = archive.extractfile(f"package/{name}")
                if member is None:
                    raise AssetError(f"npm's pyodide-{PYODIDE_VERSION}.tgz has no {name}")
                (staging / name).write_bytes(member.read())
        (staging / "manifest.json").write_text(
            json.dumps({name: _sha256(staging / name) for name in PYODIDE_FILES}, indent=1)
        )
        folder.parent.mkdir(parents=True, exist_ok=True)
        incoming = folder.with_name(f"{folder.name}.incoming-{os.getpid()}")
        shutil.copytree(staging, incoming)
        if folder.exists():
            shutil.rmtree(folder, ignore_errors=True)  # a stale or altered copy
        try:
            os.replace(incoming, folder)  # whole, or not at all, for a concurrent build
        except OSError:  # a concurrent build put its (identical) copy there first
            shutil.rmtree(incoming, ignore_errors=True)
    return folder


# ----------------------------------------------------------------- wheels (PyPI)
def _wheel_name(distribution: str, version: str) -> str:
    return f"{distribution}-{version}-py3-none-any.whl"


def pypi_wheels(cache: Path | None = None) -> dict[str, Path]:
    """The pinned PyPI wheels in the cache, by distribution, downloading the missing ones."""
    cache = cache or cache_dir()
    folder = cache / "wheels"
    wanted = {name: folder / _wheel_name(name, version) for name, version, _ in WHEELS}
    hashes = {name: digest for name, _, digest in WHEELS}
    missing = [n for n, path in wanted.items() if not path.exists() or _sha256(path) != hashes[n]]
    if missing:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="bpnotes-wheels-") as tmp:
            requirements = Path(tmp) / "requirements.txt"
            requirements.write_text("".join(
                f"{name}=={version} --hash=sha256:{digest}\n"
                for name, version, digest in WHEELS if name in missing
            ))
            result = subprocess.run(
                [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:",
                 "--require-hashes", "-r", str(requirements), "-d", tmp,
                 "--disable-pip-version-check", "--quiet", "--timeout", "30", "--retries", "1"],
                capture_output=True, text=True, timeout=900,
            )
            if result.returncode != 0:
                names = ", ".join(f"{n}=={v}" for n, v, _ in WHEELS if n in missing)
                raise _unreachable(f"the wheels {names} from PyPI", "pip download", folder,
                                   result.stderr + result.stdout)
            for name in missing:
                _install(Path(tmp) / wanted[name].name, wanted[name])
    return wanted


# ----------------------------------------------------------------- wheels for the site
def _write_zip(path: Path, entries: dict[str, bytes]) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, entries[name])


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}\n"


def _with_record(entries: dict[str, bytes], dist_info: str) -> dict[str, bytes]:
    record_name = f"{dist_info}/RECORD"
    body = {name: data for name, data in entries.items() if name != record_name}
    record = "".join(_record_line(name, body[name]) for name in sorted(body))
    return {**body, record_name: (record + f"{record_name},,\n").encode()}


def slim_wheel(source: Path, dest: Path) -> Path:
    """Copy a wheel without its test suites (a third of sympy), with a matching RECORD."""
    with zipfile.ZipFile(source) as archive:
        entries = {
            info.filename: archive.read(info)
            for info in archive.infolist()
            if "/tests/" not in info.filename and not info.is_dir()
        }
    dist_info = next(n.split("/")[0] for n in entries if n.endswith(".dist-info/WHEEL"))
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / source.name
    _write_zip(target, _with_record(entries, dist_info))
    return target


def compiled_wheels(cache: Path | None = None) -> dict[str, Path]:
    """The PyPI wheels without tests and byte-compiled for Pyodide, cached, by distribution.

    Compiling runs Pyodide in Node (``answer_compile.mjs``): the browser then loads
    bytecode instead of compiling sympy's sources on the reader's first check.
    """
    cache = cache or cache_dir()
    script = Path(__file__).with_name("answer_compile.mjs")
    stamp = hashlib.sha256(script.read_bytes()).hexdigest()[:10]
    folder = cache / f"compiled-{PYODIDE_VERSION}-{stamp}"
    downloaded = pypi_wheels(cache)
    compiled = {name: folder / path.name for name, path in downloaded.items()}
    if all(path.exists() for path in compiled.values()):
        return compiled
    interpreter = pyodide_files(cache)
    node = shutil.which("node")
    if node is None:
        raise AssetError("The answer boxes are byte-compiled for Pyodide with Node.js, which "
                         "is not installed: install Node.js and npm (e.g. `apt-get install "
                         "nodejs npm`) and build again.")
    with tempfile.TemporaryDirectory(prefix="bpnotes-compile-") as tmp:
        arguments = []
        for name, path in downloaded.items():
            arguments += [str(slim_wheel(path, Path(tmp))), str(Path(tmp) / f"{name}.compiled")]
        result = subprocess.run([node, str(script), str(interpreter), *arguments],
                                capture_output=True, text=True, timeout=900)
        if result.returncode != 0:
            raise AssetError(f"Byte-compiling the wheels for Pyodide failed:\n"
                             f"{(result.stderr + result.stdout).strip()[-1500:]}")
        folder.mkdir(parents=True, exist_ok=True)
        for name, target in compiled.items():
            _install(Path(tmp) / f"{name}.compiled", target)
    return compiled


def package_wheel(package_dir: Path, version: str, dest: Path) -> Path:
    """Zip the Python sources of a package into a pure-Python wheel in ``dest``.

    The wheel's version carries a local label made from the sources' hash, so that a
    browser never mixes a cached older wheel with a newer lock file.
    """
    name = package_dir.name
    sources = {
        f"{name}/{path.relative_to(package_dir).as_posix()}": path.read_bytes()
        for path in sorted(package_dir.rglob("*"))
        if path.is_file() and (path.suffix == ".py" or path.name == "py.typed")
        and "__pycache__" not in path.parts
    }
    digest = hashlib.sha256(b"".join(k.encode() + v for k, v in sorted(sources.items())))
    full_version = f"{version}+src{digest.hexdigest()[:10]}"
    dist_info = f"{name}-{full_version}.dist-info"
    entries = {
        **sources,
        f"{dist_info}/METADATA": (
            f"Metadata-Version: 2.1\nName: {name}\nVersion: {full_version}\n").encode(),
        f"{dist_info}/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: bpnotes answer_assets\nRoot-Is-Purelib: true\n"
            b"Tag: py3-none-any\n"),
    }
    dest.mkdir(parents=True, exist_ok=True)
    target = dest / _wheel_name(name, full_version)
    _write_zip(target, _with_record(entries, dist_info))
    return target


def lock_file(pyodide_lock: dict, wheels: dict[str, Path]) -> dict:
    """Pyodide's lock file reduced to the given local wheels (file names relative to it)."""
    packages = {}
    for name, path in wheels.items():
        version = path.name.split("-")[1]
        packages[name] = {
            "name": name,
            "version": version,
            "file_name": path.name,
            "install_dir": "site",
            "sha256": _sha256(path),
            "package_type": "package",
            "imports": IMPORTS[name],
            "depends": DEPENDS[name],
            "unvendored_tests": False,
        }
    return {"info": pyodide_lock["info"], "packages": packages}


def write_site_assets(dest: Path, package_dir: Path, package_version: str) -> SiteAssets:
    """Fill ``dest`` with everything a worker loads; return the files' sizes.

    Raises
    ------
    AssetError
        When an asset is neither cached nor obtainable from its registry.
    """
    interpreter = pyodide_files()
    compiled = compiled_wheels()
    if dest.exists():
        shutil.rmtree(dest)
    dest.mkdir(parents=True)
    for name in PYODIDE_FILES:
        if name != "pyodide-lock.json":
            shutil.copy2(interpreter / name, dest / name)
    wheels = {}
    for name, path in compiled.items():
        wheels[name] = dest / path.name
        shutil.copy2(path, wheels[name])
    wheels[package_dir.name] = package_wheel(package_dir, package_version, dest)
    original = json.loads((interpreter / "pyodide-lock.json").read_text())
    (dest / "pyodide-lock.json").write_text(json.dumps(lock_file(original, wheels), indent=1))
    sizes = {path.name: path.stat().st_size for path in sorted(dest.iterdir())}
    return SiteAssets(dest, sizes)
