"""Small linear heads on shared sentence embeddings (softmax regression).

Weights are stored as safetensors plus a JSON header: nothing is pickled.
Training uses ``torch`` L-BFGS on a convex loss, so it takes seconds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from .errors import ModelLoadError, ModelNotFoundError, UnsafeModelError


def softmax(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=-1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=-1, keepdims=True)


@dataclass
class LinearHead:
    """``p = softmax((x @ W.T + b) / temperature)`` over ``classes``.

    >>> head = LinearHead(np.eye(2, dtype=np.float32), np.zeros(2, np.float32), ["no", "yes"])
    >>> [round(float(p), 2) for p in head.predict_proba(np.array([[0.0, 3.0]]))[0]]
    [0.05, 0.95]
    """

    weight: np.ndarray
    bias: np.ndarray
    classes: list[str]
    temperature: float = 1.0
    meta: dict[str, Any] = field(default_factory=dict)

    def logits(self, x: np.ndarray) -> np.ndarray:
        return (np.asarray(x, dtype=np.float32) @ self.weight.T + self.bias) / self.temperature

    def predict_proba(self, x: np.ndarray) -> np.ndarray:
        return softmax(self.logits(x))

    def predict(self, x: np.ndarray) -> list[str]:
        return [self.classes[i] for i in self.predict_proba(x).argmax(axis=1)]

    def save(self, path: str | Path) -> None:
        """Write ``path`` (safetensors) with classes, temperature and meta in its header."""
        from safetensors.numpy import save_file

        header = {"classes": json.dumps(self.classes), "temperature": repr(float(self.temperature)),
                  "meta": json.dumps(self.meta)}
        save_file({"weight": self.weight.astype(np.float32), "bias": self.bias.astype(np.float32)},
                  str(path), metadata=header)

    @classmethod
    def load(cls, path: str | Path) -> LinearHead:
        """Read a head written by :meth:`save`; anything else is refused, nothing is unpickled."""
        from safetensors import safe_open

        path = Path(path)
        fix = "reinstall voicelens or retrain with `python -m voicelens.train.train_heads --out FOLDER`"
        if not path.is_file():
            raise ModelNotFoundError(f"head file {path} is missing; {fix}")
        with open(path, "rb") as f:
            start = f.read(2)
        if start[:1] == b"\x80" or start == b"PK":  # pickle protocol 2+ / torch.save zip
            raise UnsafeModelError(f"head file {path} is a pickle (or torch.save) file, which can run code "
                                   f"when loaded; voicelens reads safetensors heads only: {fix}")
        try:
            with safe_open(str(path), framework="numpy") as f:
                header = f.metadata() or {}
                weight, bias = f.get_tensor("weight"), f.get_tensor("bias")
            head = cls(weight, bias, json.loads(header["classes"]), float(header.get("temperature", 1.0)),
                       json.loads(header.get("meta", "{}")))
            if weight.ndim != 2 or bias.shape != (weight.shape[0],) or len(head.classes) != weight.shape[0]:
                raise ValueError(f"weight {weight.shape}, bias {bias.shape} and {len(head.classes)} classes "
                                 "do not fit together")
            return head
        except Exception as exc:
            raise ModelLoadError(f"head file {path} is corrupt or not a voicelens head ({exc}); {fix}") from exc


def fit_linear_head(
    x: np.ndarray,
    y: list[str] | np.ndarray,
    classes: list[str] | None = None,
    *,
    l2: float = 1e-3,
    sample_weight: np.ndarray | None = None,
    balanced: bool = True,
    max_iter: int = 200,
    prior: LinearHead | None = None,
) -> LinearHead:
    """Fit a softmax-regression head by L-BFGS (classes balanced by default).

    With ``prior`` (a head over the same classes whose inputs are the first
    columns of ``x``), training starts from it and ``l2`` pulls towards it instead
    of towards zero: few-shot adaptation that stays close to the shipped model.

    >>> rng = np.random.default_rng(0)
    >>> x = np.r_[rng.normal(-1, 0.3, (20, 2)), rng.normal(1, 0.3, (20, 2))]
    >>> fit_linear_head(x, ["a"] * 20 + ["b"] * 20).predict(np.array([[1.0, 1.0]]))
    ['b']
    """
    import torch

    y = np.asarray(y, dtype=object)
    classes = list(classes) if classes is not None else sorted(set(y.tolist()))
    index = {c: i for i, c in enumerate(classes)}
    if unknown := set(y.tolist()) - set(classes):
        raise ValueError(f"labels {sorted(unknown)} are not in classes {classes}")
    target = torch.tensor([index[v] for v in y], dtype=torch.long)
    weights = np.ones(len(y), dtype=np.float64) if sample_weight is None else np.asarray(sample_weight, float)
    if balanced:
        counts = np.bincount(target.numpy(), minlength=len(classes)).astype(float)
        present = counts > 0
        per_class = np.where(present, len(y) / (present.sum() * np.maximum(counts, 1)), 0.0)
        weights = weights * per_class[target.numpy()]
    w_t = torch.tensor(weights / weights.sum(), dtype=torch.float32)
    features = torch.tensor(np.asarray(x), dtype=torch.float32)
    linear = torch.nn.Linear(features.shape[1], len(classes))
    anchor = torch.zeros_like(linear.weight)
    torch.nn.init.zeros_(linear.bias)
    if prior is not None:
        order = [prior.classes.index(c) for c in classes]
        w0 = prior.weight[order] / prior.temperature
        anchor[:, : w0.shape[1]] = torch.tensor(w0, dtype=torch.float32)
        with torch.no_grad():
            linear.bias.copy_(torch.tensor(prior.bias[order] / prior.temperature, dtype=torch.float32))
    with torch.no_grad():
        linear.weight.copy_(anchor)
    optimizer = torch.optim.LBFGS(linear.parameters(), max_iter=max_iter, line_search_fn="strong_wolfe")

    def closure():
        optimizer.zero_grad()
        loss = (torch.nn.functional.cross_entropy(linear(features), target, reduction="none") * w_t).sum()
        loss = loss + l2 * (linear.weight - anchor).pow(2).sum()
        loss.backward()
        return loss

    optimizer.step(closure)
    return LinearHead(linear.weight.detach().numpy().copy(), linear.bias.detach().numpy().copy(), classes)


def fit_temperature(head: LinearHead, x: np.ndarray, y: list[str]) -> float:
    """Choose the temperature minimising log-loss on held-apart data (calibration)."""
    index = {c: i for i, c in enumerate(head.classes)}
    target = np.array([index[v] for v in y])
    raw = np.asarray(x, dtype=np.float32) @ head.weight.T + head.bias
    grid = np.exp(np.linspace(np.log(0.05), np.log(20), 200))
    losses = [-np.log(softmax(raw / t)[np.arange(len(target)), target] + 1e-12).mean() for t in grid]
    return float(grid[int(np.argmin(losses))])
