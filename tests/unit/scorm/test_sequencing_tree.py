"""The activity tree built from a manifest and its saved state (SCORM 2004 4th Ed. SN 2.1, 4.2)."""

from __future__ import annotations

import json

import pytest
from sequencing_builders import flow_mode, item, manifest, objectives, result, sequencer

from scorm.errors import ManifestError
from scorm.manifest_model import Manifest, Metadata
from scorm.sequencing import Sequencer
from scorm.sequencing_tree import PRIMARY, build_tree


def test_tree_mirrors_the_organization() -> None:
    parent_with_resource = ('<item identifier="m" identifierref="r_x"><title>M</title>'
                            + item("a") + item("b", attrs=' isvisible="false"') + "</item>")
    tree = build_tree(manifest(parent_with_resource + item("c", objectives("c_primary", "c_extra"))))
    assert [a.identifier for a in tree.preorder()] == ["org", "m", "a", "b", "c"]
    m, b, c = tree.by_id["m"], tree.by_id["b"], tree.by_id["c"]
    assert not m.launchable and not m.is_leaf  # an item with children is a cluster, whatever it references
    assert b.launchable and b.hidden
    assert (c.primary_key, sorted(c.objectives)) == ("c_primary", ["c_extra", "c_primary"])
    assert tree.root.primary_key == PRIMARY  # every activity has a primary objective (SN 4.2.1.1)
    assert [a.identifier for a in tree.by_id["a"].ancestors()] == ["a", "m", "org"]


def test_a_manifest_without_organization_is_refused() -> None:
    empty = Manifest(identifier="x", version="2004 4th", schema_version=None, metadata=Metadata(),
                     default_organization=None, organizations=(), resources=(), scos=())
    with pytest.raises(ManifestError, match="no organization"):
        build_tree(empty)


def test_state_round_trips_through_json_mid_session() -> None:
    items = item("m", flow_mode(), item("a") + item("b")) + item("c")
    seq = sequencer(items)
    seq.navigate("start")
    seq.record("a", result(success="passed", scaled=0.75))
    seq.navigate("continue")
    saved = json.loads(json.dumps(seq.to_state()))
    again = Sequencer.from_state(manifest(items), saved)
    assert again.to_state() == saved
    assert again.tree.current is not None and again.tree.current.identifier == "b"
    assert again.tree.by_id["a"].primary.normalized_measure == 0.75
    assert again.navigate("continue").activity_id == "c"
    assert again.tree.by_id["m"].is_active is False  # leaving m ended its attempt


def test_saved_state_of_removed_activities_is_ignored() -> None:
    seq = sequencer(item("a") + item("b"))
    seq.navigate("start")
    saved = seq.to_state()
    again = Sequencer.from_state(manifest(item("a")), saved)
    assert [a.identifier for a in again.tree.preorder()] == ["org", "a"]
    assert again.tree.current is not None and again.tree.current.identifier == "a"
