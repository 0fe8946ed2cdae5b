"""Every string key the pages and ui modules use exists in Korean and English; an unknown key is caught.

Keys are read from the source: literal t("...") calls, t(f"prefix.{x}") calls whose options are listed in
DYNAMIC below, and labels_for("prefix", OPTIONS) with OPTIONS a constant the file defines or imports. A new
f-string key fails until its options are listed, so no key goes unchecked.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from core.classifier.curve import READINGS
from core.classifier.walkthrough import STAGES
from core.config import POOLINGS, TASKS, TEXT_MODES
from core.errors import MESSAGES
from core.seq2seq.data import TURNS
from ui import i18n
from ui.i18n import STRINGS, labels_for, t
from ui.workspace import ITEMS

ROOT = Path(__file__).resolve().parents[2]
PAGE_KEYS = ("data", "tok", "train", "predict", "eval", "inside", "explain", "model", "reply", "board", "teacher")
SOURCES = sorted([ROOT / "app.py", *(ROOT / "pages").glob("*.py"), *(ROOT / "ui").glob("*.py")])

# f-string keys (each {...} written as {}) and the values their placeholder takes.
DYNAMIC = {
    "task.{}": TASKS,
    "text.{}": TEXT_MODES,
    "pooling.{}": POOLINGS,
    "release.{}": ("old", "new", "wave", "generic", "json", "mixed"),  # core.corpus.data: Corpus.release
    "curve.{}": tuple(READINGS),  # ui/curve.py: the learning curve's reading (core.classifier.curve.Reading.key)
    "reply.turns.{}": TURNS,
    "reply.second.{}": ("beam", "mbr"),  # pages/reply.py: the second reply's decoding
    "reply.title.{}": ("greedy", "beam", "mbr"),
    "inside.short.{}": STAGES,
    "inside.stage.{}": STAGES,
    "inside.about.{}": STAGES,
    "{}_line": ("done", "stopped", "failed"),  # render_progress: the states that are not 'running'
    "{}.{}": (),  # labels_for's own body: its callers are checked where they call it
    "explain.m.{}": ("attention", "grad_x_input", "integrated_gradients", "leave_one_out", "random"),
    "explain.agree.{}": ("weak", "moderate", "strong", "undefined"),
    "explain.moves.{}": ("True", "False"),
    "explain.advice.{}": ("hint", "care", "guide"),
    "error.{}": tuple(MESSAGES),  # ui.i18n.error_text: every core error code
    "kind.{}": ("classifier", "seq2seq"),  # error_text: the bundle kind a refusal names
    # settings_line: the board's settings (core.storage.board.share_settings) by their Train labels
    "train.{}": ("pooling", "emb", "hidden", "layers", "dropout", "lr", "batch", "epochs", "patience", "seed",
                 "val_share", "schedule"),
    "ws.item.{}": ITEMS,  # ui/workspace.py: a stored item that did not load
    "{}.title": PAGE_KEYS,  # page_header: every page's title...
    "{}.intro": tuple(k for k in PAGE_KEYS if k != "model"),  # ...and intro (the Model page has a warning instead)
}


def template(node: ast.JoinedStr) -> str:
    return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)


def constant(name: str, tree: ast.Module):
    """A module-level literal (SOURCES = [...]) of this file, or a name it imports from core."""
    for statement in tree.body:
        if isinstance(statement, ast.Assign) and any(getattr(target, "id", None) == name for target in statement.targets):
            return ast.literal_eval(statement.value)
        if isinstance(statement, ast.ImportFrom) and statement.module and statement.module.startswith("core"):
            if any((alias.asname or alias.name) == name for alias in statement.names):
                return getattr(importlib.import_module(statement.module), name)
    raise LookupError(name)


def literal_keys(node: ast.expr) -> set[str] | None:
    """t("key"), t(f"prefix.{x}") with x listed in DYNAMIC, or t("a" if ... else "b"); None if unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.JoinedStr) and template(node) in DYNAMIC:
        return {template(node).replace("{}", str(option)) for option in DYNAMIC[template(node)]}
    if isinstance(node, ast.IfExp):
        body, orelse = literal_keys(node.body), literal_keys(node.orelse)
        return None if body is None or orelse is None else body | orelse
    return None


def keys_in(source: str, name: str) -> tuple[set[str], list[str]]:
    """(keys a file uses, problems: t() arguments or labels_for options this test cannot resolve)."""
    tree = ast.parse(source)
    keys, problems = set(), []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.args):
            continue
        first, where = node.args[0], f"{name}:{node.lineno}"
        if node.func.id == "t":
            found = literal_keys(first)
            if found is None:
                problems.append(f"{where}: t({ast.unparse(first)}): list its options in DYNAMIC")
            keys |= found or set()
        elif node.func.id == "labels_for" and len(node.args) == 2 and isinstance(first, ast.Constant):
            try:
                options = constant(ast.unparse(node.args[1]), tree)
            except LookupError:
                problems.append(f"{where}: labels_for options {ast.unparse(node.args[1])} are not a known constant")
                continue
            keys |= {f"{first.value}.{option}" for option in options}
    return keys, problems


def test_every_key_a_page_uses_has_korean_and_english():
    used, problems = {}, []
    for path in SOURCES:
        keys, found = keys_in(path.read_text(encoding="utf-8"), path.relative_to(ROOT).as_posix())
        problems += found
        for key in keys:
            used.setdefault(key, path.relative_to(ROOT).as_posix())
    assert len(used) > 300  # the scan found the pages' keys
    assert not problems, problems
    missing = {key: where for key, where in sorted(used.items()) if key not in STRINGS}
    assert not missing, f"keys missing from ui/i18n.py: {missing}"
    empty = [key for key in used if not all(text.strip() for text in STRINGS[key])]
    assert not empty, f"keys with an empty Korean or English string: {empty}"


def test_every_string_has_two_languages_with_the_same_placeholders():
    import string

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    for key, pair in STRINGS.items():
        assert len(pair) == 2 and all(isinstance(text, str) and text.strip() for text in pair), key
        if key.startswith("error."):  # the Korean may leave out a detail only English names (an exception's type)
            assert fields(pair[0]) <= fields(pair[1]), key
        else:
            assert fields(pair[0]) == fields(pair[1]), key


def test_the_scan_sees_literal_dynamic_and_labels_for_keys():
    source = ('from core.config import POOLINGS\nfrom ui.i18n import labels_for, t\nMODES = ["a", "b"]\n'
              't("probe.literal")\nt(f"task.{x}")\nt("probe.yes" if x else "probe.no")\n'
              'labels_for("probe.mode", MODES)\nlabels_for("pooling", POOLINGS)\nt(f"probe.unlisted.{x}")\n')
    keys, problems = keys_in(source, "probe.py")
    assert {"probe.literal", "task.binary", "probe.yes", "probe.no", "probe.mode.a", "probe.mode.b", "pooling.mean"} <= keys
    assert problems == ["probe.py:9: t(f'probe.unlisted.{x}'): list its options in DYNAMIC"]


def test_an_unknown_key_shows_as_is_and_is_recorded():
    before = set(i18n.MISSING)
    assert t("page.data") == STRINGS["page.data"][0] and "page.data" not in i18n.MISSING
    assert t("no.such.key") == "no.such.key"  # the page still renders
    assert labels_for("pooling", ["attention", "nope"])("nope") == "pooling.nope"
    assert i18n.MISSING - before == {"no.such.key", "pooling.nope"}
    i18n.MISSING.difference_update({"no.such.key", "pooling.nope"})  # expected here; the conftest check passes
