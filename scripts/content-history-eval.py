#!/usr/bin/env python3
"""Offline check of the content scorer on a real Spotify extended history.

The protocol of issue 3: the history's plays of >= 30 s whose track is in the
catalogue, in time order; the first 80% of distinct tracks are the profile
(sent as `history`, with `exclude` = the profile), the later 20% the test set.
Prints recall@K of `recommend` and the round-trip times over the socket.

usage: content-history-eval.py SOCKET CATALOGUE.db HISTORY.json... [--k 100] [--repeat 50] [--weighted]
"""
import argparse, json, socket, sqlite3, statistics, time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("catalogue")
    parser.add_argument("history", nargs="+")
    parser.add_argument("--k", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--weighted", action="store_true", help="send play counts as history weights")
    parser.add_argument("--scorer", default="content")
    parser.add_argument("--validation", action="store_true",
                        help="tune honestly: split the profile itself 80/20 and never look at the test tracks")
    parser.add_argument("--half-life", type=float, default=0,
                        help="weight profile tracks by recency: halves every N positions back (0: off)")
    args = parser.parse_args()

    known = {row[0] for row in sqlite3.connect(args.catalogue).execute("select id from tracks")}
    plays = []
    for path in args.history:
        plays += json.load(open(path, encoding="utf-8"))
    plays = [p for p in plays if p.get("spotify_track_uri") and p["ms_played"] >= 30_000]
    plays.sort(key=lambda p: p["ts"])
    order, counts = [], {}
    for p in plays:
        track = p["spotify_track_uri"].split(":")[-1]
        if track not in known:
            continue
        if track not in counts:
            order.append(track)
        counts[track] = counts.get(track, 0) + 1
    cut = int(len(order) * 0.8)
    profile, test = order[:cut], set(order[cut:])
    if args.validation:
        inner = int(len(profile) * 0.8)
        profile, test = profile[:inner], set(profile[inner:])
    def weight(position, track):
        w = counts[track] if args.weighted else 1.0
        if args.half_life > 0:
            w *= 0.5 ** ((len(profile) - 1 - position) / args.half_life)
        return w
    if args.weighted or args.half_life > 0:
        history = [{"track": t, "weight": max(weight(i, t), 1e-6)} for i, t in enumerate(profile)]
    else:
        history = profile
    request = json.dumps({"op": "recommend", "scorer": args.scorer, "history": history, "exclude": profile, "k": args.k})

    client = socket.socket(socket.AF_UNIX)
    client.connect(args.socket)
    reader = client.makefile("rb")
    times, response = [], None
    for _ in range(args.repeat):
        start = time.perf_counter()
        client.sendall(request.encode() + b"\n")
        response = json.loads(reader.readline())
        times.append((time.perf_counter() - start) * 1000)
    assert response["ok"], response
    found = [item["track"] for item in response["result"]["items"]]
    hits = len(test.intersection(found))
    print(json.dumps({
        "profile": len(profile), "test": len(test), "k": args.k, "hits": hits,
        f"recall@{args.k}": round(hits / len(test), 4),
        "median_ms": round(statistics.median(times), 3), "p90_ms": round(sorted(times)[int(0.9 * len(times))], 3),
    }))


if __name__ == "__main__":
    main()
