"""Rooms stay small: no Python module of ours (migrations, tests and the virtualenv aside) passes 400
lines. A module that grows past it mixes subjects; split it by subject (README, "Rooms")."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MOST_LINES = 400
# Not our modules, or not modules a reader walks through: generated migrations, the tests' own
# scaffolding, the virtualenv and what the site writes at run time.
LEFT_OUT = {".venv", "venv", "node_modules", "migrations", "tests", "var", ".git", "__pycache__"}


def our_modules() -> list[Path]:
    return sorted(
        path for path in ROOT.rglob("*.py") if not LEFT_OUT.intersection(path.relative_to(ROOT).parts[:-1])
    )


def test_rooms_every_module_at_most_400_lines():
    modules = our_modules()
    assert len(modules) > 100, "the walk found too few modules to be looking at the project"
    too_long = {
        str(path.relative_to(ROOT)): lines
        for path in modules
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > MOST_LINES
    }
    assert not too_long, f"modules over {MOST_LINES} lines (split them by subject): {too_long}"
