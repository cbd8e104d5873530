#!/usr/bin/env python3
"""Soak test of a running earshotd (what `make soak` runs).

256 connections send mixed pipelined traffic (recommend with every scorer,
similar, score, search, listen, stats) for --duration seconds while SIGHUP
arrives every 2 s, after --warmup seconds of the same (default 10; every
connection closed after it, as at the end). Reports requests, errors by code,
p50/p99 per op, RSS and open descriptors at start (after the warm-up, at
rest) and at end (at rest), then one JSON object as the last line. Exits 1
when the run breaks a promise: any error (the warm-up's included), RSS
growth of 10% or more between the first and the last 10 s, or more open
descriptors at the end than at the start.
"""
import argparse
import asyncio
import json
import os
import random
import signal
import sqlite3
import statistics
import sys
import time


def process_facts(pid):
    rss = 0
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1]) * 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def percentile(values, fraction):
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


class Traffic:
    """The request mix; every request is valid, so every error is the daemon's."""

    def __init__(self, tracks, words, users, scorers, seed):
        self.tracks, self.words, self.users, self.scorers = tracks, words, users, scorers
        self.random = random.Random(seed)

    def next(self, connection):
        r = self.random
        kind = r.choice(["recommend", "recommend", "similar", "score", "search", "listen", "stats"])
        if kind == "recommend":
            scorer = r.choice(self.scorers)
            if scorer == "content":
                return kind + ":content", {"op": "recommend", "scorer": "content", "history": r.sample(self.tracks, 5), "k": 10}
            return kind + ":" + scorer, {"op": "recommend", "scorer": scorer, "user": r.choice(self.users), "k": 10,
                                         "max_per_artist": 2}
        if kind == "similar":
            return kind, {"op": "similar", "track": r.choice(self.tracks), "k": 10}
        if kind == "score":
            return kind, {"op": "score", "scorer": r.choice([s for s in self.scorers if s != "content"] or ["content"]),
                          "user": r.choice(self.users), "tracks": r.sample(self.tracks, 20)}
        if kind == "search":
            return kind, {"op": "search", "q": r.choice(self.words), "k": 5}
        if kind == "listen":
            return kind, {"op": "listen", "user": f"soak{connection}", "track": r.choice(self.tracks),
                          "ms_played": r.randrange(1, 300_000)}
        return kind, {"op": "stats"}


async def connection_loop(index, socket_path, traffic, window, stop_at, results):
    reader, writer = await asyncio.open_unix_connection(socket_path, limit=1 << 22)
    try:
        while time.monotonic() < stop_at:
            batch = [traffic.next(index) for _ in range(window)]
            sent = time.monotonic()
            writer.write(b"".join(json.dumps(body).encode() + b"\n" for _, body in batch))
            await writer.drain()
            for op, _ in batch:
                line = await reader.readline()
                elapsed = time.monotonic() - sent
                if not line:
                    results["errors"]["connection_closed"] = results["errors"].get("connection_closed", 0) + 1
                    return
                answer = json.loads(line)
                results["latency"].setdefault(op, []).append(elapsed)
                results["requests"] += 1
                if not answer.get("ok"):
                    code = answer["error"]["code"]
                    results["errors"][code] = results["errors"].get(code, 0) + 1
                    if len(results["examples"]) < 5:
                        results["examples"].append(answer)
    finally:
        writer.close()


async def hangups(pid, stop_at, interval, results):
    while time.monotonic() + interval < stop_at:
        await asyncio.sleep(interval)
        os.kill(pid, signal.SIGHUP)
        results["sighups"] += 1


async def sampler(pid, started, stop_at, samples):
    while time.monotonic() < stop_at:
        rss, fds = process_facts(pid)
        samples.append((time.monotonic() - started, rss, fds))
        await asyncio.sleep(1)


async def phase(args, traffic_data, seconds, results, samples):
    """`seconds` of the traffic with SIGHUPs; then every connection is closed."""
    tracks, words, users, scorers = traffic_data
    started = time.monotonic()
    stop_at = started + seconds
    tasks = [asyncio.create_task(sampler(args.pid, started, stop_at, samples)),
             asyncio.create_task(hangups(args.pid, stop_at, args.sighup_interval, results))]
    # Connections open at once, as a burst.
    tasks += [asyncio.create_task(connection_loop(i, args.socket, Traffic(tracks, words, users, scorers, i),
                                                  args.pipeline, stop_at, results))
              for i in range(args.connections)]
    await asyncio.gather(*tasks)
    await asyncio.sleep(1)  # let the daemon close the connections before the count
    return time.monotonic() - started


async def soak(args):
    db = sqlite3.connect(f"file:{args.catalogue}?mode=ro", uri=True)
    tracks = [row[0] for row in db.execute("SELECT id FROM tracks ORDER BY popularity DESC LIMIT 5000")]
    words = [row[0].split()[0] for row in db.execute("SELECT name FROM tracks ORDER BY popularity DESC LIMIT 500")
             if row[0].split()]
    traffic_data = (tracks, words, args.users.split(","), args.scorers.split(","))
    # The warm-up opens what the daemon opens on first use (read connections, the
    # writer, allocator arenas for 256 connections, a second state during a reload);
    # its errors count like any other.
    warmup = {"requests": 0, "errors": {}, "latency": {}, "examples": [], "sighups": 0}
    if args.warmup > 0:
        await phase(args, traffic_data, args.warmup, warmup, [])
    start = process_facts(args.pid)
    results = {"requests": 0, "errors": {}, "latency": {}, "examples": [], "sighups": 0}
    samples = []
    elapsed = await phase(args, traffic_data, args.duration, results, samples)
    return warmup, start, results, samples, process_facts(args.pid), elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--socket", required=True)
    parser.add_argument("--pid", type=int, required=True, help="the daemon's pid, for SIGHUP, RSS and descriptors")
    parser.add_argument("--catalogue", required=True, help="the daemon's catalogue, read for valid track ids")
    parser.add_argument("--users", required=True, help="comma-separated users the models know")
    parser.add_argument("--scorers", default="content,mf,two-tower")
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--warmup", type=float, default=10,
                        help="seconds of the same traffic first; RSS and descriptors are compared from its end, at rest")
    parser.add_argument("--connections", type=int, default=256)
    parser.add_argument("--pipeline", type=int, default=4, help="requests written at once per connection")
    parser.add_argument("--sighup-interval", type=float, default=2)
    args = parser.parse_args()

    launch_rss, launch_fds = process_facts(args.pid)
    warmup, (start_rss, start_fds), results, samples, (end_rss, end_fds), elapsed = asyncio.run(soak(args))
    for code, count in warmup["errors"].items():
        results["errors"][code] = results["errors"].get(code, 0) + count
    results["examples"] = warmup["examples"] + results["examples"]
    first = [rss for t, rss, _ in samples if t <= 10]
    last = [rss for t, rss, _ in samples if t >= args.duration - 10]
    growth = (statistics.mean(last) / statistics.mean(first) - 1) if first and last else 0.0

    print(f"soak: {elapsed:.0f} s, {args.connections} connections, pipeline {args.pipeline}, "
          f"{results['sighups']} SIGHUPs, {results['requests']:,} requests ({results['requests'] / elapsed:,.0f}/s)")
    print(f"{'op':<22}{'requests':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for op in sorted(results["latency"]):
        values = results["latency"][op]
        print(f"{op:<22}{len(values):>10,}{percentile(values, 0.5) * 1000:>10.2f}{percentile(values, 0.99) * 1000:>10.2f}")
    print(f"warm-up: {args.warmup:.0f} s, {warmup['requests']:,} requests, {warmup['sighups']} SIGHUPs; "
          f"RSS {launch_rss / 2**20:.1f} MiB and {launch_fds} descriptors before it")
    print(f"errors by code (warm-up included): {results['errors'] or 'none'}")
    for example in results["examples"]:
        print(f"  e.g. {json.dumps(example)}")
    print(f"RSS: {start_rss / 2**20:.1f} MiB at start (after the warm-up), {end_rss / 2**20:.1f} MiB at end; "
          f"mean of the last 10 s vs the first 10 s: {growth * 100:+.1f}%")
    timeline = ", ".join(f"{t:.0f} s {rss / 2**20:.0f}" for t, rss, _ in samples[::5])
    print(f"RSS (MiB) every 5 s: {timeline}")
    print(f"open descriptors: {start_fds} at start, {end_fds} at end; "
          f"during the run: {', '.join(str(fds) for _, _, fds in samples[::5])}")
    failures = []
    if results["errors"]:
        failures.append("errors")
    if growth >= 0.10:
        failures.append("RSS grew by 10% or more")
    if end_fds > start_fds:
        failures.append("more open descriptors at the end")
    summary = {
        "seconds": round(elapsed, 1), "requests": results["requests"], "errors": results["errors"],
        "sighups": results["sighups"], "rss_start": start_rss, "rss_end": end_rss,
        "rss_growth_last_vs_first_10s": round(growth, 4), "fds_start": start_fds, "fds_end": end_fds,
        "warmup_seconds": args.warmup, "warmup_requests": warmup["requests"], "rss_launch": launch_rss,
        "fds_launch": launch_fds,
        "p50_ms": {op: round(percentile(v, 0.5) * 1000, 3) for op, v in results["latency"].items()},
        "p99_ms": {op: round(percentile(v, 0.99) * 1000, 3) for op, v in results["latency"].items()},
        "failures": failures,
    }
    print(json.dumps(summary, sort_keys=True))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
