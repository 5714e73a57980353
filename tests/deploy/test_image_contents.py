"""What the image's builder stage does, without Docker: build the wheel from the .dockerignore'd context,
check it carries every runtime file, and run `communitylab migrate` from the unpacked wheel alone."""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from tests.deploy.conftest import ROOT


def _context_files() -> list[Path]:
    """Files of the build context: .dockerignore is deny-all plus `!path` allowances and `**/pattern` denials."""
    rules = [
        r.strip()
        for r in (ROOT / ".dockerignore").read_text().splitlines()
        if r.strip() and not r.startswith("#")
    ]
    allowed = [rule[1:].rstrip("/") for rule in rules if rule.startswith("!")]
    denied = [rule[3:] for rule in rules if rule.startswith("**/")]
    tracked = subprocess.run(
        ["git", "ls-files", *allowed], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.split()
    return [
        ROOT / name
        for name in tracked
        if (ROOT / name).is_file()
        and not any(fnmatch.fnmatch(part, pattern) for part in Path(name).parts for pattern in denied)
    ]


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("needs a git checkout to know the tracked files")
    context = tmp_path_factory.mktemp("context")
    for path in _context_files():
        target = context / path.relative_to(ROOT)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    out = tmp_path_factory.mktemp("wheels")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--wheel-dir", str(out), str(context)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if build.returncode != 0 and any(
        word in build.stdout + build.stderr for word in ("NewConnectionError", "Could not find a version")
    ):
        pytest.skip("the isolated build needs setuptools from the package index, which is unreachable")
    assert build.returncode == 0, build.stdout + build.stderr
    (built,) = out.glob("communitylab-*.whl")
    return built


def test_wheel_carries_every_runtime_file(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    needed = [
        str(path.relative_to(ROOT))
        for path in _context_files()
        if path.relative_to(ROOT).parts[0] in ("shared", "services") and path.suffix != ".md"  # docs stay out
    ]
    assert needed
    missing = sorted(set(needed) - names)
    assert not missing, f"not packaged (add them to package-data): {missing}"
    entry_points = (
        zipfile.ZipFile(wheel)
        .read(next(n for n in names if n.endswith(".dist-info/entry_points.txt")))
        .decode()
    )
    assert "communitylab = services.cli:main" in entry_points


def test_unpacked_wheel_migrates_and_verifies_a_fresh_database(wheel: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    env = {k: v for k, v in os.environ.items() if not k.startswith("COMMUNITYLAB_")}
    env.update(PYTHONPATH=str(site), COMMUNITYLAB_DATABASE_URL=f"sqlite:///{tmp_path / 'image.db'}")
    where = subprocess.run(
        [sys.executable, "-c", "import services.cli, shared; print(services.cli.__file__)"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.strip().startswith(str(site)), "must run the packaged code, not the source tree"
    for command in (["migrate"], ["verify-log"]):
        result = subprocess.run(
            [sys.executable, "-m", "services.cli", *command],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert result.returncode == 0, result.stdout + result.stderr
