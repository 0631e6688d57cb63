"""Whose deployment it is, as the window keeps it between the backend's answers (pure data)."""

from __future__ import annotations

from netwright.backend.outcomes.provenance import Provenance
from netwright.gui.model.deployment import UNAPPLIED, DeploymentView

THIS = "/home/alice/lab.yaml"


def _ours_then_changed(recorded: Provenance) -> DeploymentView:
    """Applied from this window, then the backend says the deployment changed; its status
    then carries ``recorded`` and the plan against the kernel is not empty."""
    view = DeploymentView()
    view.matched("digest-applied")
    view.changed_elsewhere()
    view.deployed = True
    view.learn_source(recorded, THIS)
    if view.needs_plan():
        view.planned(False, "digest-now")
    return view


def test_a_restored_trial_of_this_design_stays_this_designs() -> None:
    """A trial's end restores this design's earlier version: no other file is named."""
    view = _ours_then_changed(Provenance("", "alice", "box", 1.0))
    assert not view.is_foreign()
    assert view.words("digest-now", THIS) == UNAPPLIED


def test_an_apply_of_another_file_makes_it_another_designs() -> None:
    view = _ours_then_changed(Provenance("/home/bob/other.yaml", "bob", "box", 2.0))
    assert view.is_foreign()
    assert view.words("digest-now", THIS).startswith("deployed from /home/bob/other.yaml by bob")


def test_a_change_of_a_deployment_not_known_as_ours_is_learnt_afresh() -> None:
    view = DeploymentView(deployed=True, ours=False, applied="", source="/x.yaml")
    view.changed_elsewhere()
    assert view == DeploymentView()
