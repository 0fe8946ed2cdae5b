"""(person sentence, counsellor reply) pairs from a corpus, and their split by dialogue."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from core.corpus.data import HUMAN, SYSTEM, Corpus, normalize_text
from core.errors import CorpusError

TURNS = ("first", "all")


@dataclass
class PairConfig:
    # all: measured on the real file, every turn gives 2.8x the pairs of turn 1 (14,218 vs 5,106)
    turns: str = "all"  # first (사람문장1 → 시스템응답1) | all (every non-empty turn k)
    max_chars: int = 300  # longer sentences are cut

    def __post_init__(self) -> None:
        if self.turns not in TURNS:
            raise ValueError(f"turns must be one of {', '.join(TURNS)}; got {self.turns!r}")


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


def build_pairs(corpus: Corpus, config: PairConfig | None = None) -> Pairs:
    """Non-empty (사람문장k, 시스템응답k) pairs, turn 1 only or every turn; exact duplicates dropped."""
    config = config or PairConfig()
    frame = corpus.frame
    turns = [k for k in range(1, 2 if config.turns == "first" else 5)
             if HUMAN[k - 1] in frame.columns and SYSTEM[k - 1] in frame.columns]
    if not turns:
        raise CorpusError(f"{corpus.source_name}: reply generation needs the columns 사람문장1 and "
                          f"시스템응답1 (시스템문장1 in the new release); they are missing.")
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
        raise CorpusError(f"{corpus.source_name}: no row has both a person sentence and a reply.")
    return Pairs(sources, targets, dialogues, report, config)


def _turn_cells(corpus: Corpus, turns: list[int], max_chars: int):
    """Yields (row, person sentence, reply) for each row and turn, normalised and cut."""
    columns = [c for k in turns for c in (HUMAN[k - 1], SYSTEM[k - 1])]
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
