"""(person sentence, counsellor reply) pairs from a corpus, and their split by dialogue."""

from __future__ import annotations

import random
import re
from dataclasses import dataclass, field

from core.corpus.data import HUMAN, Corpus, normalize_text, turn_columns
from core.errors import CorpusError

TURNS = ("first", "all")
# Closing marks of a sentence. 99.6% of the person sentences end with one (sample and real files alike), so
# the encoder learns to find a sentence's end by it; a typed "시험을 망쳐서 너무 속상해" without one replied
# until the length limit (docs/performance.md).
SENTENCE_END = re.compile(r"[.!?…~]\s*$")


def as_source(sentence: str) -> str:
    """The sentence as the encoder reads it, in training and generation alike: a final "." added when it has
    no closing mark."""
    sentence = sentence.rstrip()
    return sentence if not sentence or SENTENCE_END.search(sentence) else sentence + "."


@dataclass
class PairConfig:
    # all: measured on the real file, every turn gives 2.8x the pairs of turn 1 (14,218 vs 5,106)
    turns: str = "all"  # first (사람문장1 → 시스템응답1) | all (every non-empty turn k)
    max_chars: int = 300  # longer sentences are cut
    max_pairs: int = 0  # 0: every pair; else whole dialogues, drawn at random, up to this many pairs (a class's time)

    def __post_init__(self) -> None:
        if self.turns not in TURNS:
            raise ValueError(f"turns must be one of {', '.join(TURNS)}; got {self.turns!r}")
        if self.max_pairs < 0:
            raise ValueError(f"max_pairs must be 0 (every pair) or more; got {self.max_pairs}")


@dataclass
class PairReport:
    rows_read: int
    turns_seen: int  # (사람문장k, 시스템응답k) cells looked at
    dropped_incomplete: int  # one side empty
    duplicates_removed: int

    @property
    def pairs_used(self) -> int:
        return self.turns_seen - self.dropped_incomplete - self.duplicates_removed


@dataclass
class Pairs:
    sources: list[str]
    targets: list[str]
    dialogues: list[int]  # the corpus row each pair comes from; splits keep a dialogue on one side
    report: PairReport
    config: PairConfig = field(default_factory=PairConfig)

    def __len__(self) -> int:
        return len(self.sources)

    def subset(self, index: list[int]) -> Pairs:
        return Pairs([self.sources[i] for i in index], [self.targets[i] for i in index],
                     [self.dialogues[i] for i in index], self.report, self.config)

    def capped(self, seed: int = 0) -> Pairs:
        """At most `config.max_pairs` pairs (all when 0): whole dialogues taken in a seeded random order, so a
        dialogue is never cut and the kept pairs still cover every part of the file."""
        most = self.config.max_pairs
        if most <= 0 or len(self) <= most:
            return self
        by_dialogue: dict[int, list[int]] = {}
        for index, dialogue in enumerate(self.dialogues):
            by_dialogue.setdefault(dialogue, []).append(index)
        order = sorted(by_dialogue)
        random.Random(seed).shuffle(order)
        kept: list[int] = []
        for dialogue in order:
            if len(kept) + len(by_dialogue[dialogue]) > most:
                continue
            kept += by_dialogue[dialogue]
        return self.subset(sorted(kept))


def build_pairs(corpus: Corpus, config: PairConfig | None = None) -> Pairs:
    """Non-empty (사람문장k, 시스템응답k) pairs, turn 1 only or every turn; exact duplicates dropped."""
    config = config or PairConfig()
    frame = corpus.frame
    turns = [(human, reply) for human, reply in turn_columns(frame)  # every layout's replies are named 시스템응답k
             if reply and (config.turns == "all" or human == f"{HUMAN}1")]
    if not turns:
        raise CorpusError("reply_columns", name=corpus.source_name)
    seen: set[tuple[str, str]] = set()
    sources, targets, dialogues = [], [], []
    looked, incomplete = 0, 0
    for row, source, target in _turn_cells(corpus, turns, config.max_chars):
        looked += 1
        if not source or not target:
            incomplete += 1
        elif (source, target) not in seen:
            seen.add((source, target))
            sources.append(source)
            targets.append(target)
            dialogues.append(row)
    report = PairReport(len(frame), looked, incomplete, looked - incomplete - len(sources))
    if not sources:
        raise CorpusError("no_reply_pairs", name=corpus.source_name)
    return Pairs(sources, targets, dialogues, report, config)


def _turn_cells(corpus: Corpus, turns: list[tuple[str, str]], max_chars: int):
    """Yields (row, person sentence, reply) for each row and turn, normalised and cut."""
    columns = [c for pair in turns for c in pair]
    for row, values in enumerate(corpus.frame[columns].itertuples(index=False)):
        for j in range(len(turns)):
            yield row, normalize_text(values[2 * j])[:max_chars], normalize_text(values[2 * j + 1])[:max_chars]


def split_by_dialogue(pairs: Pairs, val_share: float, seed: int) -> tuple[list[int], list[int]]:
    """Train and validation pair indices; all turns of one dialogue land on the same side."""
    dialogues = sorted(set(pairs.dialogues))
    if val_share <= 0 or len(dialogues) < 2:
        return list(range(len(pairs))), []
    random.Random(seed).shuffle(dialogues)
    n_val = min(len(dialogues) - 1, max(1, round(len(dialogues) * val_share)))
    held_out = set(dialogues[:n_val])
    train = [i for i, d in enumerate(pairs.dialogues) if d not in held_out]
    val = [i for i, d in enumerate(pairs.dialogues) if d in held_out]
    return train, val
