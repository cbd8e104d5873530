#!/usr/bin/env bash
# search latency alone and while listens stream on other connections, against
# one earshotd binary (run it for two builds to compare them).
# Usage: scripts/search-under-listens.sh BIN_DIR [SECONDS]
# BIN_DIR holds earshotd and earshot; the real catalogue comes from ../shared/data.
set -euo pipefail
bin=$1
seconds=${2:-10}
root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d /tmp/earshot-search-listens.XXXXXX)
daemon=
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    if [ -n "${writers:-}" ]; then kill $writers 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT
"$bin/earshot" import catalogue --db "$work/catalogue.db" "$root/../shared/data/spotify-tracks/tracks.csv" >/dev/null
"$bin/earshotd" --socket "$work/s.sock" --catalogue "$work/catalogue.db" --snapshot "$work/none" 2>"$work/log" &
daemon=$!
for _ in $(seq 600); do [ -S "$work/s.sock" ] && break; sleep 0.1; done
search='{"op":"search","q":"love","k":10}'
p99() { "$bin/earshot" bench --socket "$work/s.sock" --connections 2 --duration "$seconds" --warmup 20 --op "$search" |
    tail -1 | python3 -c 'import json,sys; d=json.load(sys.stdin); print(d["p99_ms"], d["throughput_rps"])'; }
read -r alone alone_rate < <(p99)
# Four connections of listens without ts, eight in flight each: every one is a new row and an fsync.
writers=
for i in 1 2 3 4; do
    "$bin/earshot" bench --socket "$work/s.sock" --connections 1 --pipeline 8 --duration $((seconds + 4)) \
        --op "{\"op\":\"listen\",\"user\":\"writer$i\",\"track\":\"6JrAEmBFd61eYIGVOSPnT4\"}" >/dev/null &
    writers="$writers $!"
done
sleep 2
read -r loaded loaded_rate < <(p99)
wait $writers
writers=
python3 - "$alone" "$loaded" "$alone_rate" "$loaded_rate" <<'PY'
import json, sys
alone, loaded, alone_rate, loaded_rate = map(float, sys.argv[1:])
print(f"search p99 alone {alone:.2f} ms ({alone_rate:.0f}/s); while listens stream {loaded:.2f} ms ({loaded_rate:.0f}/s); ratio {loaded / alone:.2f}")
print(json.dumps({"search_p99_ms_alone": alone, "search_p99_ms_with_listens": loaded, "ratio": round(loaded / alone, 2)}))
PY
