"""backend/record.py: the value classes the client reads behave as their dataclasses did.

Results, problems and provenance were dataclasses; as records (no ``dataclasses`` import on
the CLI's path, issue 23) they keep what callers rely on: construction in order or by name,
defaults and factories, ``__post_init__``, equality over compared fields, hashing when
frozen, no assignment when frozen, ``repr``, ``replace``.
"""

from __future__ import annotations

from typing import ClassVar

import pytest

from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.outcomes.results import Plan, Status, Step
from netwright.backend.record import FrozenRecordError, as_dict, field, record, replace
from netwright.backend.topology.problems import Problem, TopologyError


def test_construction_in_order_or_by_name_with_defaults() -> None:
    step = Step("create", "v1", "create veth v1")
    assert step == Step(action="create", object="v1", text="create veth v1", op="ignored")
    assert Plan("seed", [step]).notes == []
    assert Plan("seed", [step]).notes is not Plan("seed", [step]).notes  # a new list each
    assert Provenance(user="alice") == Provenance("", "alice", "", 0.0)
    with pytest.raises(TypeError, match="missing required argument 'steps'"):
        Plan("seed")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="unexpected keyword argument 'colour'"):
        Provenance(colour="red")  # type: ignore[call-arg]
    with pytest.raises(TypeError, match="multiple values for argument 'file'"):
        Provenance("/a.yaml", file="/b.yaml")  # type: ignore[misc]
    with pytest.raises(TypeError, match="takes 4 arguments but 5"):
        Provenance("", "", "", 0.0, 1)  # type: ignore[call-arg]


def test_equality_hash_and_repr_leave_out_what_is_not_compared() -> None:
    plain = Step("create", "v1", "create veth v1")
    with_op = Step("create", "v1", "create veth v1", op=object())
    assert plain == with_op and hash(plain) == hash(with_op)
    assert plain != Step("delete", "v1", "create veth v1")
    assert plain != ("create", "v1", "create veth v1")
    assert repr(plain) == "Step(action='create', object='v1', text='create veth v1')"
    assert len({Provenance("/a"), Provenance("/a"), Provenance("/b")}) == 2


def test_frozen_records_refuse_changes_and_replace_copies() -> None:
    problem = Problem("error", "E1", ("interfaces", "v1"), "bad", 3, 4)
    with pytest.raises(FrozenRecordError, match="cannot assign to field 'line'"):
        problem.line = 5  # type: ignore[misc]
    with pytest.raises(AttributeError):
        del problem.code  # type: ignore[misc]
    moved = replace(problem, line=7)
    assert (moved.line, problem.line, moved.code) == (7, 3, "E1")
    with pytest.raises(TypeError, match="no field 'colour'"):
        replace(problem, colour="red")
    assert problem.to_json()["path"] == "interfaces.v1"
    assert as_dict(Provenance("/a", "alice"))["user"] == "alice"


def test_post_init_and_a_mutable_record() -> None:
    problem = Problem("error", "E1", (), "bad")
    error = TopologyError([problem])
    assert str(error) == "<topology>: error E1: bad" and error.problems == [problem]
    assert TopologyError().problems == []

    @record
    class Counter:
        count: int = 0
        seen: list[str] = field(default_factory=list, repr=False)

    counter = Counter()
    counter.count += 1  # not frozen: fields may change, and it is not hashable
    assert counter == Counter(1) and repr(counter).endswith("Counter(count=1)")
    with pytest.raises(TypeError):
        hash(counter)
    assert Status("seed", False, []).source is None


def test_a_problem_shows_only_the_position_it_has() -> None:
    """As compilers print theirs: no line 0 or column 0 nobody can go to."""
    problem = Problem("error", "E1", ("v1",), "bad")
    assert problem.located(4, 29, "f.yaml").render() == "f.yaml:4:29: error E1: bad (at v1)"
    assert problem.located(4, 0, "f.yaml").render() == "f.yaml:4: error E1: bad (at v1)"
    assert problem.located(0, 0, "f.yaml").render() == "f.yaml: error E1: bad (at v1)"


def test_a_record_inherits_its_bases_fields_in_order() -> None:
    """As dataclasses: the base's fields first; one declared again keeps its place and takes
    the new default; a ClassVar is no field (the engine's ops are built this way)."""

    @record(frozen=True)
    class Op:
        phase: int
        where: str | None
        tolerated: frozenset[int] = frozenset()
        KIND: ClassVar[str] = "op"

    @record(frozen=True)
    class Delete(Op):
        name: str = ""
        tolerated: frozenset[int] = frozenset({2})

    delete = Delete(1, "ns", name="v1")
    assert (delete.phase, delete.where, delete.tolerated, delete.name) == (1, "ns", {2}, "v1")
    assert Delete(1, "ns", frozenset({3}), "v1").tolerated == {3}  # in the base's place
    assert Op(1, None).tolerated == frozenset() and Op.KIND == "op"
    assert repr(delete) == ("test_a_record_inherits_its_bases_fields_in_order.<locals>.Delete("
                            "phase=1, where='ns', tolerated=frozenset({2}), name='v1')")
    assert delete != Op(1, "ns", frozenset({2}))  # another class is never equal
    assert replace(delete, name="v2").name == "v2"
    with pytest.raises(TypeError, match="unexpected keyword argument 'KIND'"):
        Op(1, None, KIND="x")  # type: ignore[call-arg]
