"""What an apply, destroy, plan or status comes back with: plans, apply results, status reports.

Plain records (``backend/record.py``: dataclasses without its import cost) with
``to_json()`` so the CLI (``--json``), the D-Bus service and the GUI show the same thing.
The engine builds them; the client rebuilds them from the daemon's JSON.
This module sits below both (it imports nothing of the engine, pyroute2 or D-Bus), so a
client never loads the engine to read an answer.
"""

from __future__ import annotations

import time
from typing import Any, Literal

from netwright.backend.count_words import counted
from netwright.backend.outcomes.change import Change
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.record import field, record, replace
from netwright.backend.topology.problems import Problem

Action = Literal["create", "modify", "delete"]
ObjectState = Literal["present", "drifted", "missing", "foreign"]
"""``foreign``: an interface found in the topology's link group without its marker; not the
topology's (someone else made it or moved it there), so plan and destroy leave it alone."""


@record(frozen=True)
class Step:
    """One change: ``text`` for people ("create veth v1 in namespace net1"), ``action`` for
    programs, ``object`` the model key it belongs to (interface or namespace key).

    ``op`` is the engine's executable form of the step (``netwright.backend.engine.ops``); it
    is not part of the public contract.
    """

    action: Action
    object: str
    text: str
    op: Any = field(default=None, compare=False, repr=False)

    def to_json(self) -> dict[str, str]:
        return {"action": self.action, "object": self.object, "text": self.text}


@record(frozen=True)
class Plan:
    """The ordered steps from what is in the kernel to what the topology says."""

    topology: str
    steps: list[Step]
    notes: list[str] = field(default_factory=list)
    """What the apply does besides kernel steps, e.g. which DHCP client-id each interface
    sends (``netwright.backend.dhcp``); not steps, so an empty plan stays a no-op."""
    warnings: list[Problem] = field(default_factory=list)
    """The design's own warnings, as ``netwright validate`` reports them (a VXLAN whose two
    ends disagree on the VNI): whoever skipped validate still reads them before saying yes.
    Set by whoever read the topology's text (netwrightd's reader, the CLI with --local), with
    line and column when they could be placed; a field of its own, so a client can tell them
    from the notes (the designer lists them under Problems already)."""
    needs: list[str] = field(default_factory=list)
    """The permissions (polkit actions) besides apply that applying this plan asks for, set
    by netwrightd beside the notes that explain them (a lab asks nobody): the designer opens
    its plan dialog for such a plan even when it only creates, so the note is read before a
    password is asked for."""

    @property
    def empty(self) -> bool:
        return not self.steps

    def with_warnings(self, warnings: list[Problem]) -> Plan:
        """The same plan carrying the design's warnings (the engine plans from the model;
        the warnings come from whoever read the text)."""
        return replace(self, warnings=list(warnings))

    def in_file(self, file: str) -> Plan:
        """The same plan, its warnings placed in ``file`` (FILE:LINE:COL, as validate; the
        caller names standard input '<stdin>')."""
        return self.with_warnings([w if w.file else w.located(w.line, w.column, file)
                                   for w in self.warnings])

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"topology": self.topology,
                                "steps": [s.to_json() for s in self.steps]}
        if self.notes:
            data["notes"] = list(self.notes)
        if self.warnings:
            data["warnings"] = [w.to_json() for w in self.warnings]
        if self.needs:
            data["needs"] = list(self.needs)
        return data

    def render(self) -> str:
        """The plan as lines a person reads before saying yes: the design's warnings last,
        next to the question."""
        notes = [f"  * {note}" for note in self.notes]
        warnings = [f"  ! {_warning_line(w)}" for w in self.warnings]
        if not self.steps:
            return "\n".join([f"{self.topology}: nothing to do, the kernel already matches the"
                              " topology", *notes, *warnings])
        marks = {"create": "+", "modify": "~", "delete": "-"}
        lines = [f"{self.topology}: {counted(len(self.steps), 'step')}"]
        lines += [f"  {marks[s.action]} {s.text}" for s in self.steps]
        return "\n".join([*lines, *notes, *warnings])


def _warning_line(problem: Problem) -> str:
    """``FILE:LINE:COL: warning CODE: sentence`` when placed; without a position otherwise
    (its model path still says where)."""
    if problem.line:
        return problem.render()
    at = f" (at {problem.path_text})" if problem.path else ""
    return f"warning {problem.code}: {problem.message}{at}"


def awaiting_text(topology: str, awaiting: dict[str, Any]) -> str:
    """The sentence for a change on trial, the same in status and after apply, saying what
    the end of the window does (``trial_end_words``: a first apply is removed, nothing of it
    having been deployed before). A window that ended with the trial still there means
    undoing it failed so far (NetworkManager stopped, say): no "confirm within 0 s", but what
    tries again and says why."""
    reason = applied_reason(awaiting).rstrip(".")
    ended = time.time() - float(awaiting.get("deadline") or time.time())
    if ended > 0:
        return (f"  the last apply was not confirmed in time (the window ended"
                f" {max(1, round(ended))} s ago), and {trial_end_pending(awaiting)}:"
                f" 'netwright revert {topology}' tries again and says why ({reason})")
    return (f"  the last apply awaits confirmation ({reason}): keep it with 'netwright confirm"
            f" {topology}' within {awaiting.get('seconds', 0)} s, or {trial_end_words(awaiting)}")


NOTHING_BEFORE = "nothing of it was deployed before"
"""Why the end of a first apply's trial removes the topology rather than restoring: every
sentence about such a trial says it in these words (``trial_end_words``, ``undone_words``)."""


def trial_end_words(awaiting: dict[str, Any], name: str = "", *, tense: str = "is") -> str:
    """What the end of an unconfirmed trial does, for "keep it within N s, else …": a first
    apply (``removes``) is removed, anything else goes back to the previous configuration.
    ``name``: the topology's, said instead of "it"; ``tense``: "was" for what it did."""
    what, done, _doing, aside = _trial_end(awaiting, name)
    return f"{what} {tense} {done}{aside}"


def trial_ending_words(awaiting: dict[str, Any], name: str = "") -> str:
    """``trial_end_words`` while it happens: "removing NAME (nothing of it was deployed
    before)", "restoring the previous configuration of NAME"."""
    what, _done, doing, aside = _trial_end(awaiting, name)
    return f"{doing} {what}{aside}"


def trial_end_pending(awaiting: dict[str, Any]) -> str:
    """``trial_end_words`` for a window that ended without it: "it could not be removed yet
    (nothing of it was deployed before)", "the previous configuration could not be restored
    yet"."""
    what, done, _doing, aside = _trial_end(awaiting, "")
    return f"{what} could not be {done} yet{aside}"


ENDED_HOWS = {"expired": "nobody confirmed it in time", "reverted": "a revert ended it"}
"""How a trial ended undone (``Status.trial_ended``'s ``how``), in words."""


def trial_over_words(name: str, ended: dict[str, Any], before: str = "", *,
                     undoing: bool = False) -> str:
    """What ended the trial of ``name`` and when, and what that undid, for a confirm, revert
    or status that comes after it: "the trial of docker ended at 00:41:07, before this
    confirm: nobody confirmed it in time, so it was removed (nothing of it was deployed
    before)". ``ended``: ``Status.trial_ended`` (a Unix ``at``, ``how``, ``removes``);
    ``before``: the command that came too late, if one did; ``undoing``: the end is being
    undone right now ("so it is being removed")."""
    at = float(ended.get("at") or 0.0)
    when = time.strftime("%H:%M:%S", time.localtime(at))
    if time.localtime(at)[:3] != time.localtime()[:3]:
        when = time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(at))
    how = ENDED_HOWS.get(str(ended.get("how")), ENDED_HOWS["expired"])
    after = f", before this {before}" if before else ""
    done = trial_end_words(ended, tense="is being" if undoing else "was")
    return f"the trial of {name} ended at {when}{after}: {how}, so {done}"


def _trial_end(awaiting: dict[str, Any], name: str) -> tuple[str, str, str, str]:
    """What the end of a trial undoes (of ``name``, or "it"), the verb done and doing, and
    why, for sentences in any tense."""
    if awaiting.get("removes"):
        return name or "it", "removed", "removing", f" ({NOTHING_BEFORE})"
    return ("the previous configuration" + (f" of {name}" if name else ""), "restored",
            "restoring", "")


def undone_words(name: str, removed: bool, steps: int | None, *, why: str = "",
                 seconds: float | None = None) -> str:
    """What ending a trial did, in the CLI's words: "restored the previous configuration"
    only when there was one; a first apply is removed (``why``: the reason, if not asked;
    ``steps``, ``seconds``: what undoing took, when known: the designer learns of an end
    at the deadline from a status, which does not count them). Here, below the engine, so
    that a client says it without loading the engine."""
    done = "" if steps is None else \
        counted(steps, "step") + ("" if seconds is None else f", {seconds:.2f} s")
    took = f" ({done})" if done else ""
    if removed:
        cause = f": it was {why}" if why else ""
        return (f"removed {name}{cause}; {NOTHING_BEFORE}, so what its apply had made is"
                f" undone{took}")
    cause = f": its change on trial was {why}" if why else ""
    return f"restored the previous configuration of {name}{cause}{took}"


def applied_reason(awaiting: dict[str, Any]) -> str:
    """What the applied change may do, without the plan's request to confirm it: the plan's
    warning ends "Confirm to go ahead; the change is then on trial …", which after the apply
    asked to confirm what was already done."""
    reason = str(awaiting.get("reason") or "")
    cut = reason.find(" Confirm to go ahead")
    return reason[:cut] if cut >= 0 else reason


@record(frozen=True)
class ApplyResult:
    """What an apply or destroy did."""

    plan: Plan
    seconds: float
    awaiting_confirmation: dict[str, Any] | None = None
    """Set when the change is only on trial (it touched the device of the host's default
    route): ``{"deadline": unix time, "seconds": left, "reason": sentence}``. Confirm before
    the deadline or the previous deployment is restored (``netwright.backend.engine.trial``)."""
    removed: bool = False
    """A revert's: the trial was a first apply (nothing of the topology was deployed before),
    so undoing it removed the topology rather than restoring a previous configuration; what
    the revert's caller says depends on it (False from a backend older than API 1.17)."""

    def to_json(self) -> dict[str, Any]:
        data = {**self.plan.to_json(), "seconds": round(self.seconds, 4)}
        if self.awaiting_confirmation is not None:
            data["awaiting_confirmation"] = dict(self.awaiting_confirmation)
        if self.removed:
            data["removed"] = True
        return data


@record(frozen=True)
class ObjectStatus:
    """One namespace, interface or host NIC of a deployment, compared with the kernel
    (``host``: what the design owns on the host itself — forwarding, NAT and firewall rules,
    the bridge-port firewall table).

    ``differences`` says, for a drifted object, what would have to change ("add address
    10.0.0.1/24 to v1 in net1"); for a foreign interface (``object`` is then its kernel
    name), why it is not the topology's. ``label``: how Status names the object when its
    kind and key would not say it ("the host's port firewall table"; "": kind and key).
    """

    object: str
    what: Literal["namespace", "interface", "host-nic", "host"]
    state: ObjectState
    differences: list[str] = field(default_factory=list)
    label: str = ""

    @property
    def named(self) -> str:
        """The object in Status's words: its label, else its kind and key."""
        if self.label:
            return self.label
        return "the host's part of the design" if self.what == "host" else \
            f"{self.what} {self.object}"  # not "host host"

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "object": self.object,
            "what": self.what,
            "state": self.state,
            "differences": list(self.differences),
        }
        if self.label:
            data["label"] = self.label
        return data


@record(frozen=True)
class Status:
    """Per object: present and as designed, drifted, or missing."""

    topology: str
    deployed: bool
    objects: list[ObjectStatus]
    dhcp: list[dict[str, Any]] = field(default_factory=list)
    """Per ``dhcp`` interface: phase, leased address, server, expiry and a sentence (``text``),
    as ``netwright.backend.dhcp.ClientState.to_json`` writes them."""
    awaiting_confirmation: dict[str, Any] | None = None
    """As in ``ApplyResult``: the last apply is on trial until it is confirmed."""
    source: Provenance | None = None
    """Where the deployment's last apply came from (None: not recorded)."""
    host_destroy: list[Step] | None = None
    """What a destroy would do now on the host itself: delete this topology's nftables
    tables there, restore the host settings it changed (the destroy's own steps; objects
    lists the namespaces and interfaces it deletes). None: a backend older than API 1.15."""
    changing: Change | None = None
    """An apply or destroy of the topology runs right now: the kernel holds it half made, so
    ``objects``, ``dhcp`` and ``host_destroy`` are left empty rather than compared (a
    half-made topology is not drift). None: nothing runs (or a backend older than API 1.16)."""
    trial_ended: dict[str, Any] | None = None
    """The last apply's trial ended undone (``trial_over_words`` says how and when) and
    nothing was applied since: the deployment is the configuration from before it."""

    @property
    def ok(self) -> bool:
        return (self.deployed and self.changing is None
                and all(o.state == "present" for o in self.objects))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "topology": self.topology,
            "deployed": self.deployed,
            "ok": self.ok,
            "objects": [o.to_json() for o in self.objects],
        }
        if self.dhcp:
            data["dhcp"] = [dict(d) for d in self.dhcp]
        if self.awaiting_confirmation is not None:
            data["awaiting_confirmation"] = dict(self.awaiting_confirmation)
        if self.source is not None:
            data["source"] = self.source.to_json()
        if self.host_destroy is not None:
            data["host_destroy"] = [step.to_json() for step in self.host_destroy]
        if self.changing is not None:
            data["changing"] = self.changing.to_json()
        if self.trial_ended is not None:
            data["trial_ended"] = dict(self.trial_ended)
        return data

    def render(self) -> str:
        if self.changing is not None:
            return self._changing_text()
        lines = [f"{self.topology}: {self._state_words()}"]
        if self.deployed and self.source is not None and self.source.words():
            lines.append(f"  deployed {self.source.words(host=True)}")
        for o in self.objects:
            lines.append(f"  {o.state:8} {o.named}")
            lines += [f"           {d}" for d in o.differences]
        lines += [f"  dhcp     {d.get('text', '')}" for d in self.dhcp]
        if self.awaiting_confirmation is not None:
            lines.append(awaiting_text(self.topology, self.awaiting_confirmation))
        if self.trial_ended is not None:
            lines.append(f"  {trial_over_words(self.topology, self.trial_ended)}")
        return "\n".join(lines)

    def _changing_text(self) -> str:
        """Who changes the topology now, instead of a comparison with a half-made kernel."""
        assert self.changing is not None
        lines = [f"{self.topology}: {self.changing.words()}"]
        if self.deployed and self.source is not None and self.source.words():
            before = " before it" if self.changing.operation == "apply" else ""
            lines.append(f"  deployed{before} {self.source.words(host=True)}")
        lines.append("  the kernel holds it half made until that ends, so nothing is compared"
                     " with the design now: ask again when it has ended")
        if self.awaiting_confirmation is not None:
            lines.append(awaiting_text(self.topology, self.awaiting_confirmation))
        return "\n".join(lines)

    def _state_words(self) -> str:
        """"deployed, as designed", or what is not: "deployed, not as designed: 1 drifted,
        2 missing" (a bare "deployed" above a list of 30 objects hid the one that drifted)."""
        if not self.deployed:
            return "not deployed"
        if self.ok:
            return "deployed, as designed"
        counts: dict[str, int] = {}
        for o in self.objects:
            if o.state != "present":
                counts[o.state] = counts.get(o.state, 0) + 1
        return "deployed, not as designed: " + ", ".join(f"{n} {state}"
                                                          for state, n in counts.items())
