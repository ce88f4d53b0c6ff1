"""docs/flows/*.mmd are generated from the flow definitions: a changed flow without a
regenerated diagram fails here (run `make diagrams`)."""

from flows import diagram
from flows.loader import FLOWS_DIR


def test_every_flow_has_a_diagram_and_none_is_stale():
    expected = diagram.expected()
    assert {p.stem for p in expected} == {p.stem for p in FLOWS_DIR.glob("*.toml")}
    stale = [p.name for p, text in expected.items()
             if not p.exists() or p.read_text(encoding="utf-8") != text]
    assert stale == [], f"stale diagrams {stale}: run `make diagrams`"


def test_a_changed_flow_makes_its_diagram_stale(tmp_path, monkeypatch):
    from flows import engine

    flow = diagram.load_all(diagram.Messages().has)["evaluatie"]
    changed = engine.Flow(flow.id, flow.items[:-1], flow.sections, flow.source,
                          flow.instances)
    assert diagram.diagram(changed, diagram.Messages()) != \
        (diagram.DOCS / "evaluatie.mmd").read_text(encoding="utf-8")
