"""The proposer registry: names -> how to build each proposer inside a worker.

A ``ProposerSpec`` is plain, picklable data (name + options) sent to a Ray
worker, which builds the proposer there with ``build_proposer``. Modules are
imported lazily so that a missing optional dependency only affects the
proposer that needs it.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from arc_core import ConfigError, Proposer

# name -> (module, class, branch, needs an LLM client)
REGISTRY: dict[str, tuple[str, str, str, bool]] = {
    "dsl": ("induction.dsl_proposer", "DslProposer", "induction", False),
    "ttt-net": ("transduction.ttt", "TTTNetProposer", "transduction", False),
    "llm-induction": ("induction.llm", "LLMInductionProposer", "induction", True),
    "llm-transduction": ("transduction.llm", "LLMTransductionProposer", "transduction", True),
}


class UnknownProposerError(ValueError):
    pass


@dataclass(frozen=True)
class ProposerSpec:
    """What a worker needs to build one proposer."""

    name: str
    client: Any = None
    """An ``LLMClient`` (picklable: a Ray engine handle or an HTTP client) for LLM proposers."""
    options: Mapping[str, Any] = field(default_factory=dict)
    """Keyword arguments for the proposer's config dataclass."""

    def __post_init__(self) -> None:
        check_name(self.name)
        if is_plugin(self.name):
            return
        if REGISTRY[self.name][3] and self.client is None:
            raise UnknownProposerError(f"proposer {self.name!r} needs an LLM (--llm-model)")

    @property
    def branch(self) -> str:
        if is_plugin(self.name):
            return str(_plugin_class(self.name).branch)
        return REGISTRY[self.name][2]


def check_name(name: str) -> None:
    """Raise UnknownProposerError unless ``name`` is in the registry or names a plugin."""
    if not is_plugin(name) and name not in REGISTRY:
        raise UnknownProposerError(f"unknown proposer {name!r}; known: {', '.join(REGISTRY)}")


def is_plugin(name: str) -> bool:
    """A proposer named ``package.module:Class`` is imported from there (in the worker);
    the way to try a new proposer without touching the registry."""
    return ":" in name


def check_plugin(name: str) -> None:
    """Raise UnknownProposerError unless the plugin ``package.module:Class`` imports here
    (a usage error, found before anything starts)."""
    _plugin_class(name)


def _plugin_class(name: str) -> type:
    module, _, cls_name = name.partition(":")
    try:
        return getattr(importlib.import_module(module), cls_name)
    except (ImportError, AttributeError) as e:
        raise UnknownProposerError(f"proposer {name!r} cannot be imported: {e}") from None


def needs_llm(name: str) -> bool:
    return name in REGISTRY and REGISTRY[name][3]


def default_proposers() -> list[str]:
    """Every proposer that needs no model."""
    return [name for name, (*_, needs_llm) in REGISTRY.items() if not needs_llm]


def check_options(name: str, options: Mapping[str, Any]) -> None:
    """Build proposer ``name``'s config from ``options`` once, in the driver (no client
    needed), so that a bad option is a usage error at start rather than an error on every task."""
    check_name(name)
    if not options:
        return
    cls = _plugin_class(name) if is_plugin(name) else getattr(
        importlib.import_module(REGISTRY[name][0]), REGISTRY[name][1])
    config_cls = _config_class(cls)
    if config_cls is None:
        raise ConfigError(f"proposer {name!r} takes no options, got {', '.join(options)}")
    try:
        _make_config(config_cls, options)
    except TypeError as e:
        raise ConfigError(f"proposer {name!r}: {e}") from None


def build_proposer(spec: ProposerSpec) -> Proposer:
    if is_plugin(spec.name):
        cls, needs_llm = _plugin_class(spec.name), spec.client is not None
    else:
        module, cls_name, _, needs_llm = REGISTRY[spec.name]
        cls = getattr(importlib.import_module(module), cls_name)
    config_cls = _config_class(cls)
    config = _make_config(config_cls, spec.options) if config_cls is not None else None
    args: list[Any] = [spec.client] if needs_llm else []
    if config is not None:
        args.append(config)
    return cls(*args)


def _make_config(config_cls: type, options: Mapping[str, Any]) -> Any:
    """``config_cls.from_options(options)`` where the config has one (it reads options that are
    not plain fields, e.g. the LLM proposers' flat sampling settings), else ``config_cls(**options)``."""
    from_options = getattr(config_cls, "from_options", None)
    return from_options(options) if from_options is not None else config_cls(**options)


def _config_class(cls: type) -> type | None:
    """The proposer's config dataclass, named ``<Something>Config`` in its module."""
    module = importlib.import_module(cls.__module__)
    hints = getattr(cls.__init__, "__annotations__", {})
    for value in hints.values():
        name = value if isinstance(value, str) else getattr(value, "__name__", "")
        if name.endswith("Config") and hasattr(module, name):
            return getattr(module, name)
    return None


@dataclass(frozen=True)
class Resources:
    """What one run of a proposer on one task declares to Ray's scheduler."""

    num_cpus: float = 1.0
    memory_mb: int | None = None
    num_gpus: float = 0.0


# Single-threaded CPU proposers take one core; LLM proposers mostly wait on the engine
# (which holds the GPU or the cores) and the sandbox they run programs in.
_RESOURCES: dict[str, Resources] = {
    "dsl": Resources(1.0, 2048),
    "ttt-net": Resources(1.0, 2048),
    "llm-induction": Resources(1.0, 2048),
    "llm-transduction": Resources(0.5, 1024),
}


def resources(name: str) -> Resources:
    return _RESOURCES.get(name, Resources())
