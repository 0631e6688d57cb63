"""Small value classes for what the client reads: dataclasses' behaviour without its import.

The CLI's backend commands read answers into a few value classes (``Problem``, ``Plan``,
``Status``, ``Provenance`` …). Declared with ``dataclasses``, they cost the command about a
quarter of its start-up: ``dataclasses`` imports ``inspect`` (and with it ``ast``, ``dis``,
``tokenize``), ~13 ms on a 2-core machine, and compiles several generated methods per class
(issue 23). ``record`` gives those classes what they use of a dataclass — a constructor taking
the fields in order or by name, defaults and default factories, ``__post_init__``, equality
and a hash over the compared fields, ``repr``, ``frozen`` — with plain functions shared by
every class, and ``replace`` makes a changed copy. mypy reads them as dataclasses
(``dataclass_transform``). Classes that need more of dataclasses use dataclasses.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, dataclass_transform, overload

T = TypeVar("T")

_MISSING: Any = object()
_FIELDS = "__record_fields__"


class FrozenRecordError(AttributeError):
    """An attempt to change a field of a frozen record (as dataclasses' FrozenInstanceError)."""


class Field:
    """How one field is declared (``field(...)``): its default and whether it is compared."""

    __slots__ = ("compare", "default", "default_factory", "name", "repr")

    def __init__(self, default: Any, default_factory: Any, compare: bool, repr: bool) -> None:
        self.name = ""
        self.default = default
        self.default_factory = default_factory
        self.compare = compare
        self.repr = repr


def field(*, default: Any = _MISSING, default_factory: Callable[[], Any] = _MISSING,
          compare: bool = True, repr: bool = True) -> Any:
    """A field with a default factory, or left out of equality and repr (as dataclasses')."""
    return Field(default, default_factory, compare, repr)


@overload
def record(cls: type[T], /) -> type[T]: ...
@overload
def record(*, frozen: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(field_specifiers=(field,))
def record(cls: type[T] | None = None, /, *, frozen: bool = False) -> Any:
    """Make ``cls`` a record of its annotated fields, in order (see the module's docstring)."""

    def build(cls: type[T]) -> type[T]:
        # a base record's fields first, in order; a field declared again keeps its place
        # and takes the new default (as dataclasses do)
        fields: dict[str, Field] = {}
        for base in reversed(cls.__mro__[1:]):
            fields |= {spec.name: spec for spec in base.__dict__.get(_FIELDS, ())}
        # the class's own annotations (inspect.get_annotations would import inspect)
        annotations = cls.__dict__.get("__annotations__", {})  # noqa: RUF063
        for name, annotation in annotations.items():
            if str(annotation).startswith(("ClassVar", "typing.ClassVar")):
                continue  # a class variable, not a field (as dataclasses)
            declared = cls.__dict__.get(name, _MISSING)
            spec = declared if isinstance(declared, Field) else Field(declared, _MISSING,
                                                                      True, True)
            spec.name = name
            if isinstance(declared, Field):  # the class attribute is the default, if any
                if spec.default is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, spec.default)
            fields[name] = spec
        setattr(cls, _FIELDS, tuple(fields.values()))
        methods = {"__init__": _init, "__repr__": _repr, "__eq__": _eq,
                   "__hash__": _hash if frozen else None}
        if frozen:
            methods |= {"__setattr__": _refuse, "__delattr__": _refuse}
        for name, method in methods.items():
            setattr(cls, name, method)
        return cls

    return build if cls is None else build(cls)


def replace(item: T, /, **changes: Any) -> T:
    """A copy of the record ``item`` with ``changes`` (as ``dataclasses.replace``)."""
    values = {spec.name: getattr(item, spec.name) for spec in getattr(item, _FIELDS)}
    unknown = changes.keys() - values.keys()
    if unknown:
        raise TypeError(f"{type(item).__name__} has no field {sorted(unknown)[0]!r}")
    return type(item)(**{**values, **changes})


def as_dict(item: object) -> dict[str, Any]:
    """The record's fields by name, in order (not recursive: the fields as they are)."""
    return {spec.name: getattr(item, spec.name) for spec in getattr(item, _FIELDS)}


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    fields: tuple[Field, ...] = getattr(self, _FIELDS)
    name = type(self).__name__
    if len(args) > len(fields):
        raise TypeError(f"{name}() takes {len(fields)} arguments but {len(args)} were given")
    for index, spec in enumerate(fields):
        if index < len(args):
            if spec.name in kwargs:
                raise TypeError(f"{name}() got multiple values for argument {spec.name!r}")
            value = args[index]
        elif spec.name in kwargs:
            value = kwargs.pop(spec.name)
        elif spec.default is not _MISSING:
            value = spec.default
        elif spec.default_factory is not _MISSING:
            value = spec.default_factory()
        else:
            raise TypeError(f"{name}() missing required argument {spec.name!r}")
        object.__setattr__(self, spec.name, value)
    if kwargs:
        raise TypeError(f"{name}() got an unexpected keyword argument {next(iter(kwargs))!r}")
    post_init = getattr(self, "__post_init__", None)
    if post_init is not None:
        post_init()


def _compared(item: Any) -> tuple[Any, ...]:
    return tuple(getattr(item, spec.name) for spec in getattr(item, _FIELDS) if spec.compare)


def _eq(self: Any, other: object) -> object:
    if other.__class__ is not self.__class__:
        return NotImplemented
    return bool(_compared(self) == _compared(other))


def _hash(self: Any) -> int:
    return hash(_compared(self))


def _repr(self: Any) -> str:
    shown = ", ".join(f"{spec.name}={getattr(self, spec.name)!r}"
                      for spec in getattr(self, _FIELDS) if spec.repr)
    return f"{type(self).__qualname__}({shown})"


def _refuse(self: Any, name: str, *value: Any) -> None:
    raise FrozenRecordError(f"cannot assign to field {name!r} of a frozen"
                            f" {type(self).__name__}")
