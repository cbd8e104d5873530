#!/usr/bin/env python3
"""Writes a synthetic interactions TSV for scale runs of train_als.py.

    synth_interactions.py --users U --items I --per-user N [--seed S] OUT

Each user plays N distinct items drawn with Zipf-like popularity (item k
with weight 1/(k+10)), each with a play count from a geometric distribution
(mean 20). The shape of the Last.fm split (1,892 users × 15,412 items, 39
items per user) scaled up; only sizes and times are meant to be read from
runs on it, not quality.
"""

import argparse
import bisect
import itertools
import random


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, required=True)
    parser.add_argument("--items", type=int, required=True)
    parser.add_argument("--per-user", type=int, default=39)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("out")
    arguments = parser.parse_args()
    random.seed(arguments.seed)
    cumulative = list(itertools.accumulate(1 / (k + 10) for k in range(arguments.items)))
    total = cumulative[-1]
    with open(arguments.out, "w", buffering=1 << 20) as out:
        out.write("user\titem\tweight\n")
        for user in range(arguments.users):
            chosen = set()
            while len(chosen) < min(arguments.per_user, arguments.items):
                chosen.add(bisect.bisect_left(cumulative, random.random() * total))
            for item in sorted(chosen):
                plays = 1
                while random.random() > 0.05:
                    plays += 1
                out.write(f"u{user}\ti{item}\t{plays}\n")


if __name__ == "__main__":
    main()
