"""core/errors.py: every error core raises names a known code and passes exactly the values its English line needs;
the line is English, and the error pickles with its code and values (a job's failure travels back that way)."""

from __future__ import annotations

import ast
import pickle
import string
from pathlib import Path

from core.errors import MESSAGES, AttentionLabError, BundleError, CorpusError, TrainingBusyError, reported
from core.storage.board import BoardRefusal
from core.storage.store import QuotaError

ROOT = Path(__file__).resolve().parents[1]
ERRORS = {"AttentionLabError", "CorpusError", "BundleError", "TrainingBusyError", "QuotaError", "BoardRefusal"}
# Codes chosen by a helper rather than written at the raise: the helper's call and the codes it can return.
COMPUTED = {"_ole_problem(data)": ("xlsx_encrypted", "xls_legacy")}


def fields(template: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def raise_sites() -> list[tuple[str, ast.Call]]:
    """Every call of an error class in core, but the command line's (its flag checks pass English messages)."""
    sites = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        if "cli" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ERRORS:
                sites.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return sites


def test_every_error_core_raises_has_a_code_and_exactly_its_values():
    sites = raise_sites()
    assert len(sites) > 90  # the scan sees core's raise sites
    problems = []
    for where, call in sites:
        first = call.args[0] if call.args else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            codes = (first.value,)
        else:
            codes = COMPUTED.get(ast.unparse(first) if first is not None else "", ())
        given = {keyword.arg for keyword in call.keywords}
        if not codes or None in given:
            problems.append(f"{where}: the code or its values are not written at the call")
        for code in codes:
            if code not in MESSAGES:
                problems.append(f"{where}: unknown code {code!r}")
            elif given != fields(MESSAGES[code]):
                problems.append(f"{where}: {code} takes {sorted(fields(MESSAGES[code]))}, given {sorted(given)}")
    assert not problems, problems


def test_the_line_is_english_and_the_error_keeps_its_class():
    error = CorpusError("single_label", name="one.xlsx", rows=20, label="기쁨")
    assert str(error) == ("one.xlsx: all 20 usable rows have the same label (기쁨); a classifier needs at least two "
                          "classes.")
    assert isinstance(error, AttentionLabError) and isinstance(error, ValueError)
    assert (error.code, error.values) == ("single_label", {"name": "one.xlsx", "rows": 20, "label": "기쁨"})
    assert str(CorpusError("json_emotion_code", name="a.json", number=1, code="E70")).endswith("code 'E70' (expected "
                                                                                                 "E10 to E69).")


def test_an_error_pickles_with_its_code_values_and_cause():
    cause = AttentionLabError("tokenizer_ids")
    for error in (BundleError("bundle_cause", name="b.zip", cause=cause), TrainingBusyError("training_busy"),
                  QuotaError("quota_total", total="1.0 MB"), BoardRefusal("board_wait", seconds=3)):
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is type(error) and again.code == error.code and str(again) == str(error)
    assert str(pickle.loads(pickle.dumps(BundleError("bundle_cause", name="b.zip", cause=cause)))) == (
        "b.zip: The tokenizer must use pad_id=0 and unk_id=1.")


def test_a_message_instead_of_a_code_shows_as_it_is_and_failures_are_reported():
    assert str(AttentionLabError("--epochs and --batch-size must be at least 1.")) == ("--epochs and --batch-size must "
                                                                                         "be at least 1.")
    quota = QuotaError("quota_total", total="1.0 MB")
    assert reported(quota) is quota and reported(OSError("disk full")) == "disk full"
