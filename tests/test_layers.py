"""The layers of docs/architecture.md, checked on the import graph of the top-level packages:
no package imports a package of a higher layer, and there is no cycle between packages.
Telegram's library is imported only where Telegram is spoken."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# 1 ground, 2 domain, 3 services, 4 adapters, 5 app (see docs/architecture.md)
LAYERS = {
    "core": 1, "storage": 1, "messages": 1, "flows": 1, "delivery": 1, "buttons": 1,
    "programme": 2,
    "schedule": 3, "documents": 3,
    "handlers": 4, "transports": 4,
    "kernbot": 5, "bot": 5,
}
TELEGRAM_SPEAKERS = {"delivery", "schedule", "handlers", "transports", "kernbot", "bot"}


def package_of(path: Path) -> str:
    relative = path.relative_to(ROOT)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imports() -> dict[str, set[tuple[str, str]]]:
    """package -> {(imported top-level name, file)}; every import, also inside functions."""
    found: dict[str, set[tuple[str, str]]] = {name: set() for name in LAYERS}
    files = [ROOT / "bot.py", *(p for name in LAYERS if (ROOT / name).is_dir()
                                for p in (ROOT / name).rglob("*.py"))]
    for path in files:
        package = package_of(path)
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                names = [node.module]
            for name in names:
                found[package].add((name.split(".")[0], str(path.relative_to(ROOT))))
    return found


def test_no_package_imports_upwards():
    upward = [f"{where}: {package} (layer {LAYERS[package]}) imports {target} "
              f"(layer {LAYERS[target]})"
              for package, targets in imports().items() for target, where in targets
              if target in LAYERS and LAYERS[target] > LAYERS[package]]
    assert upward == []


def test_no_package_cycle():
    graph = {package: {t for t, _ in targets if t in LAYERS and t != package}
             for package, targets in imports().items()}

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = sorted(p for p in graph if reaches(p, p, {p}))
    assert cycles == []


def test_telegram_is_spoken_only_by_the_adapters_and_delivery():
    speakers = {package for package, targets in imports().items()
                if any(t == "telegram" for t, _ in targets)}
    assert speakers <= TELEGRAM_SPEAKERS, speakers - TELEGRAM_SPEAKERS


def test_every_package_has_a_layer():
    packages = {p.name for p in ROOT.iterdir() if (p / "__init__.py").exists()}
    assert packages - {"tests", "bench"} <= set(LAYERS)
