"""Backends registered by name; the Analyzer picks one with ``backend="..."``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import BackendNotFoundError
from .base import Backend

_FACTORIES: dict[str, Callable[..., Backend]] = {}


def register_backend(name: str, factory: Callable[..., Backend]) -> None:
    """Make ``factory(**backend_kwargs)`` available as ``Analyzer(backend=name)``."""
    _FACTORIES[name] = factory


def available_backends() -> list[str]:
    _register_builtins()
    return sorted(_FACTORIES)


def create_backend(name: str, **kwargs: Any) -> Backend:
    """Instantiate the backend registered as ``name`` (nothing is loaded yet)."""
    _register_builtins()
    if name not in _FACTORIES:
        raise BackendNotFoundError(name, _FACTORIES)
    return _FACTORIES[name](**kwargs)


def _register_builtins() -> None:
    if _FACTORIES.keys() >= {"embedded", "similarity", "transformers", "lexicon", "fake"}:
        return

    def embedded(**kw: Any) -> Backend:
        from .embedded import EmbeddedBackend

        return EmbeddedBackend(**kw)

    def transformers(**kw: Any) -> Backend:
        from .hf_transformers import TransformersBackend

        return TransformersBackend(**kw)

    def lexicon(**kw: Any) -> Backend:
        from .lexicon import LexiconBackend

        return LexiconBackend(**kw)

    def similarity(**kw: Any) -> Backend:
        from .similarity import SimilarityBackend

        return SimilarityBackend(**kw)

    def fake(**kw: Any) -> Backend:
        from .fake import FakeBackend

        return FakeBackend(**kw)

    for name, factory in (("embedded", embedded), ("transformers", transformers),
                          ("lexicon", lexicon), ("similarity", similarity), ("fake", fake)):
        _FACTORIES.setdefault(name, factory)
