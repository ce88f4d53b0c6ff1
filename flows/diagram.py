"""A flow as a picture: a mermaid flowchart generated from the flow definition, with the
question labels in a language (docs/flows/<flow>.mmd, regenerated with `make diagrams`).

    python -m flows.diagram            # write docs/flows/*.mmd (Dutch labels)
    python -m flows.diagram --check    # exit 1 when a diagram is stale

The picture follows the engine's order: questions in sequence, a condition as a labelled edge
with an "anders" edge around it, an optional question marked, a section as a box, a repeatable
group as a box with its "nog een?" loop or its early stop.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from flows.engine import Flow, Group, Question
from flows.loader import FLOWS_DIR, load_all
from messages.render import Messages

DOCS = FLOWS_DIR.parent / "docs" / "flows"
HEADER = "%% Generated from flows/{source} by `make diagrams` (flows/diagram.py): do not edit.\n"
TYPES = {"nl": {"text": "tekst", "longtext": "tekst", "choice": "keuze", "multi": "meerkeuze",
                "yesno": "ja/nee", "scale": "score", "number": "getal", "photo": "foto",
                "document": "bestand"},
         "en": {"text": "text", "longtext": "text", "choice": "choice", "multi": "multiple choice",
                "yesno": "yes/no", "scale": "score", "number": "number", "photo": "photo",
                "document": "file"}}
WORDS = {"nl": {"optional": "mag je overslaan", "otherwise": "anders", "if": "als",
                "more": "nog een?", "yes": "ja", "no": "nee", "stop": "oorzaak gevonden",
                "next": "volgende", "up_to": "tot", "start": "start", "end": "samenvatting"},
         "en": {"optional": "may be skipped", "otherwise": "otherwise", "if": "if",
                "more": "another one?", "yes": "yes", "no": "no", "stop": "root found",
                "next": "next", "up_to": "up to", "start": "start", "end": "summary"}}


def _text(value: str) -> str:
    """Text safe inside a mermaid node label in double quotes."""
    return (value.replace("&", "&amp;").replace('"', "#quot;").replace("<", "&lt;")
            .replace(">", "&gt;").replace("\n", " "))


class _Drawing:
    def __init__(self, flow: Flow, messages: Messages, lang: str) -> None:
        self.flow, self.m, self.lang = flow, messages, lang
        self.words = WORDS[lang]
        self.lines: list[str] = []

    def label(self, key: str) -> str:
        return _text(self.m.plain(key, self.lang))

    def question_node(self, q: Question) -> str:
        text = self.label(f"flows/{self.flow.id}/{q.id}/label")
        kind = TYPES[self.lang].get(q.type, q.type)
        extra = f", {self.words['optional']}" if not q.required else ""
        return f'q_{q.id}["{text}<br/><i>{kind}{extra}</i>"]'

    def condition(self, item) -> str:
        cond = item.when
        q = self.flow.question(cond.question)
        labels = []
        for value in cond.values:
            if q is not None and q.type == "yesno":
                labels.append(self.words["yes"] if value == "yes" else self.words["no"])
            else:
                labels.append(self.label(f"flows/options/{value}"))
        name = self.label(f"flows/{self.flow.id}/{cond.question}/label")
        return _text(f"{self.words['if']} {name}: {' / '.join(labels)}")

    def draw(self) -> str:
        flow, w = self.flow, self.words
        title = self.label(f"flows/{flow.id}/title")
        self.lines = ["flowchart TD", f'  start(["{title}: {w["start"]}"])',
                      f'  done(["{w["end"]}"])']
        if not flow.sections:
            self.chain(list(flow.items), "start", "")
            return "\n".join(self.lines) + "\n"
        for section in flow.sections:  # each part is chosen from a menu, filled on its own
            name = self.label(f"flows/{flow.id}/sections/{section}")
            self.lines.append(f'  subgraph {section}["{name}"]')
            self.chain([i for i in flow.items if i.section == section], "start", name)
            self.lines.append("  end")
        return "\n".join(self.lines) + "\n"

    def chain(self, items: list, entry: str, entry_label: str) -> None:
        """Draw items in order from `entry` to `done`."""
        w = self.words
        previous = [entry]   # nodes whose outgoing edge goes to the next item
        labels = [entry_label]
        last_condition = None
        for item in items:
            first, last = self.item(item)
            if item.when is not None and item.when == last_condition:
                self.edge(previous[-1], first)          # same condition: one block
                previous[-1] = last
                continue
            if item.when is not None:
                cond = self.condition(item)
                self.edge(previous[-1], first, cond if len(previous) == 1 else cond)
                for node, label in zip(previous[:-1], labels[:-1], strict=True):
                    self.edge(node, first, label)
                previous = [previous[-1], last]
                labels = [w["otherwise"], ""]
                last_condition = item.when
                continue
            for node, label in zip(previous, labels, strict=True):
                self.edge(node, first, label)
            exit_label = w["no"] if isinstance(item, Group) and item.ask_more else ""
            previous, labels, last_condition = [last], [exit_label], None
        for node, label in zip(previous, labels, strict=True):
            self.edge(node, "done", label)

    def edge(self, a: str, b: str, label: str = "") -> None:
        self.lines.append(f'  {a} -->|"{label}"| {b}' if label else f"  {a} --> {b}")

    def item(self, item) -> tuple[str, str]:
        """Draw one item; (its entry node, its exit node)."""
        if isinstance(item, Question):
            self.lines.append("  " + self.question_node(item))
            return f"q_{item.id}", f"q_{item.id}"
        return self.group(item)

    def group(self, group: Group) -> tuple[str, str]:
        w = self.words
        name = self.label(f"flows/{self.flow.id}/{group.id}/label")
        self.lines.append(f'  subgraph g_{group.id}["{name} ({w["up_to"]} {group.max})"]')
        for q in group.questions:
            self.lines.append("    " + self.question_node(q))
        for a, b in zip(group.questions, group.questions[1:], strict=False):
            self.lines.append(f"    q_{a.id} --> q_{b.id}")
        first, last = f"q_{group.questions[0].id}", f"q_{group.questions[-1].id}"
        exit_node = last
        if group.ask_more:
            self.lines.append(f'    g_{group.id}_more{{"{w["more"]}"}}')
            self.lines.append(f"    {last} --> g_{group.id}_more")
            self.lines.append(f'    g_{group.id}_more -->|"{w["yes"]}"| {first}')
            exit_node = f"g_{group.id}_more"
        else:
            self.lines.append(f'    {last} -->|"{w["next"]} ({w["up_to"]} {group.max})"| {first}')
        self.lines.append("  end")
        if group.stop_after:
            self.lines.append(f'  {last} -.->|"{w["stop"]}"| g_{group.id}_out(( ))')
            exit_node = f"g_{group.id}_out"
        return first, exit_node


def diagram(flow: Flow, messages: Messages, lang: str = "nl") -> str:
    return HEADER.format(source=flow.source) + _Drawing(flow, messages, lang).draw()


def expected(messages: Messages | None = None, lang: str = "nl") -> dict[Path, str]:
    """Every diagram as it should be on disk."""
    messages = messages or Messages()
    return {DOCS / f"{flow_id}.mmd": diagram(flow, messages, lang)
            for flow_id, flow in load_all(messages.has).items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="exit 1 when a diagram is stale")
    args = parser.parse_args(argv)
    stale = []
    for path, text in expected().items():
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text, encoding="utf-8")
    for path in stale:
        print(f"{'stale' if args.check else 'written'}: {path}")
    return 1 if args.check and stale else 0


if __name__ == "__main__":
    sys.exit(main())
