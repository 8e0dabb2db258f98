"""docs/architecture.md, "the one-way flow": reports/ imports targets/, never the reverse — not even inside a
function (the job machinery used to live in reports/, so two targets views imported it there)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            names.add(node.module or "")
    return names


def test_no_module_of_targets_imports_reports_anywhere_in_it():
    modules = sorted((ROOT / "targets").rglob("*.py"))
    assert len(modules) > 50  # the whole app was read
    offenders = {
        str(path.relative_to(ROOT)): sorted(
            n for n in _imports(path) if n == "reports" or n.startswith("reports.")
        )
        for path in modules
    }
    assert {path: names for path, names in offenders.items() if names} == {}


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    sample = tmp_path / "view.py"
    sample.write_text("def view():\n    from reports import jobs\n    return jobs\n", encoding="utf-8")
    assert "reports" in _imports(sample)
