"""`python -m core.corpus.sample [--out PATH] [--seed N]`: regenerate the sample corpus and summarise it."""

from __future__ import annotations

import argparse

from core.corpus.sample import DEFAULT_SEED, SAMPLE_PATH, write_sample


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m core.corpus.sample", description=__doc__)
    parser.add_argument("--out", default=str(SAMPLE_PATH), help=f"xlsx to write (default: {SAMPLE_PATH})")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    frame = write_sample(args.out, seed=args.seed)
    print(f"wrote {args.out}: {len(frame)} rows, seed {args.seed}")
    for label, count in frame["감정_대분류"].str.strip().value_counts().sort_index().items():
        print(f"  {label}  {count}")
    first = frame["사람문장1"]
    print(f"minor labels: {frame['감정_소분류'].str.strip().nunique()}; "
          f"unique 사람문장1: {first.nunique() / len(first):.1%}; "
          f"with turn 3: {frame['사람문장3'].notna().mean():.0%}, turn 4: {frame['사람문장4'].notna().mean():.0%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
