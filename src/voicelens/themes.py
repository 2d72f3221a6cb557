"""Themes as data: what a theme means and how its two stances sound.

A theme file is YAML of this shape (extra optional keys are allowed)::

    themes:
      - name: staff_manner
        description: How staff treated the person (kind, polite, rude, caring)
        positive_examples: ["The nurses were so kind", "staff always polite"]
        negative_examples: ["the receptionist was rude", "nobody cared"]
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Union

from .assets import asset_path
from .errors import ThemeError

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")
RESERVED_NAMES = {"sentiment", "status", "text", "n", "n_text", "language", "question"}
DEFAULT_THEME_FILE = "outcomes.yaml"


@dataclass(frozen=True)
class Theme:
    """One theme: a name (a column name), a description and example phrases.

    >>> Theme("cost", "What treatment cost the patient",
    ...       positive_examples=["it was free"], negative_examples=["far too expensive"]).name
    'cost'
    """

    name: str
    description: str
    positive_examples: tuple[str, ...] = ()
    negative_examples: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not _NAME.match(self.name):
            raise ThemeError(
                f"theme name {self.name!r} must be lower_snake_case (letters, digits, '_'), "
                "because it becomes a column name"
            )
        if self.name in RESERVED_NAMES or self.name.endswith(("_score", "_evidence")):
            raise ThemeError(f"theme name {self.name!r} clashes with a result column; choose another")
        if not isinstance(self.description, str) or not self.description.strip():
            raise ThemeError(f"theme {self.name!r} needs a non-empty description")
        for key in ("positive_examples", "negative_examples"):
            value = getattr(self, key)
            if isinstance(value, str) or not all(isinstance(v, str) and v.strip() for v in value):
                raise ThemeError(f"theme {self.name!r}: {key} must be a list of non-empty strings")
            object.__setattr__(self, key, tuple(value))

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Theme:
        """Build a theme from one YAML/JSON mapping."""
        if not isinstance(data, dict) or "name" not in data:
            raise ThemeError(f"each theme needs at least 'name' and 'description'; got {data!r}")
        known = {"name", "description", "positive_examples", "negative_examples"}
        return cls(
            name=data["name"],
            description=data.get("description", ""),
            positive_examples=tuple(data.get("positive_examples") or ()),
            negative_examples=tuple(data.get("negative_examples") or ()),
            extra={k: v for k, v in data.items() if k not in known},
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "description": self.description,
            "positive_examples": list(self.positive_examples),
            "negative_examples": list(self.negative_examples),
            **self.extra,
        }


class ThemeSet(Sequence[Theme]):
    """An ordered, name-unique collection of :class:`Theme`.

    >>> ThemeSet.default().names
    ['pain_reduction', 'daily_function', 'hope']
    """

    def __init__(self, themes: Iterable[Theme]):
        self._themes = tuple(themes)
        names = [t.name for t in self._themes]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ThemeError(f"theme names must be unique; repeated: {duplicates}")
        if not self._themes:
            raise ThemeError("a ThemeSet needs at least one theme")

    def __getitem__(self, i):  # type: ignore[override]
        return self._themes[i]

    def __len__(self) -> int:
        return len(self._themes)

    def __iter__(self) -> Iterator[Theme]:
        return iter(self._themes)

    def __repr__(self) -> str:
        return f"ThemeSet({self.names})"

    @property
    def names(self) -> list[str]:
        return [t.name for t in self._themes]

    @classmethod
    def from_yaml(cls, path: str | Path) -> ThemeSet:
        """Read a theme file (see the module docstring for its shape)."""
        import yaml

        path = Path(path)
        if not path.is_file():
            raise ThemeError(f"theme file {path} does not exist")
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise ThemeError(f"theme file {path} is not valid YAML: {exc}") from exc
        if not isinstance(data, dict) or not isinstance(data.get("themes"), list):
            raise ThemeError(f"theme file {path} must have a top-level 'themes:' list")
        return cls(Theme.from_dict(item) for item in data["themes"])

    def to_yaml(self, path: str | Path) -> None:
        import yaml

        Path(path).write_text(
            yaml.safe_dump({"themes": [t.to_dict() for t in self]}, sort_keys=False, allow_unicode=True),
            encoding="utf-8",
        )

    @classmethod
    def default(cls) -> ThemeSet:
        """The default outcome themes: pain reduction, daily function, hope."""
        return cls.from_yaml(asset_path("themes", DEFAULT_THEME_FILE))

    @classmethod
    def pack(cls, name: str) -> ThemeSet:
        """A shipped theme pack by name, e.g. ``ThemeSet.pack("patient_experience")``."""
        return cls.from_yaml(asset_path("themes", f"{name}.yaml"))


ThemesLike = Union[None, str, Path, Theme, Iterable[Theme], ThemeSet]


def resolve_themes(themes: ThemesLike) -> ThemeSet:
    """Turn the ``themes=`` argument of :class:`~voicelens.Analyzer` into a ThemeSet."""
    if themes is None:
        return ThemeSet.default()
    if isinstance(themes, ThemeSet):
        return themes
    if isinstance(themes, Theme):
        return ThemeSet([themes])
    if isinstance(themes, (str, Path)):
        path = Path(themes)
        if path.suffix in {".yaml", ".yml"} or path.exists():
            return ThemeSet.from_yaml(path)
        return ThemeSet.pack(str(themes))
    items = list(themes)
    if not all(isinstance(t, (Theme, dict)) for t in items):
        raise ThemeError("themes must be a YAML path, a pack name, or a list of vl.Theme")
    return ThemeSet(t if isinstance(t, Theme) else Theme.from_dict(t) for t in items)
