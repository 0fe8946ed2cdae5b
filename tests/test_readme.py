"""The README is for users: at most 300 lines, and its file tree names every source file and only real ones."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SOURCES = ("core", "ui", "pages", "scripts")


def tree_paths() -> set[str]:
    block = README.split("## Files", 1)[1].split("```")[1]
    return {line.split()[0].rstrip(",") for line in block.splitlines() if line.strip()}


def test_the_readme_stays_short():
    assert len(README.splitlines()) <= 300


def test_the_file_tree_lists_every_source_file_and_only_real_ones():
    listed = tree_paths()
    files = {p.relative_to(ROOT).as_posix() for folder in SOURCES for p in (ROOT / folder).rglob("*")
             if p.is_file() and "__pycache__" not in p.parts}
    assert sorted(files - listed) == [], "files missing from the README tree"
    assert sorted(p for p in listed if not (ROOT / p.rstrip("/")).exists()) == [], "the tree names missing files"


def test_every_path_the_docs_mention_exists():
    for doc in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]:
        text = doc.read_text(encoding="utf-8")
        for path in set(re.findall(r"(?<![\w/.])(?:core|ui|pages|tests|scripts|docs)/[\w./-]*\w", text)):
            assert "*" in path or (ROOT / path).exists(), f"{doc.name} names {path}, which does not exist"
