#!/usr/bin/env bash
# What `make soak` runs: the real catalogue, 300 generated listeners, mf and
# two-tower trained on them, a release earshotd, then scripts/soak.py for
# DURATION seconds (default 60). Usage: scripts/soak.sh BIN_DIR [DURATION]
set -euo pipefail
bin=$1
duration=${2:-60}
root=$(cd "$(dirname "$0")/.." && pwd)
data=$root/../shared/data
work=$(mktemp -d /tmp/earshot-soak.XXXXXX)
daemon=
cleanup() {
    if [ -n "$daemon" ]; then kill "$daemon" 2>/dev/null || true; wait "$daemon" 2>/dev/null || true; fi
    rm -rf "$work"
}
trap cleanup EXIT

echo "soak: preparing the catalogue and models in $work" >&2
"$bin/earshot" import catalogue --db "$work/catalogue.db" "$data/spotify-tracks/tracks.csv" >/dev/null
# 300 listeners, each with 40 plays of tracks from three genres among the most popular tracks.
python3 - "$work/catalogue.db" "$work/interactions.tsv" <<'PY'
import random, sqlite3, sys
db = sqlite3.connect(sys.argv[1])
by_genre = {}
for track, genre in db.execute(
        "SELECT t.id, g.name FROM tracks t JOIN track_genres tg ON tg.track_id = t.id JOIN genres g ON g.id = tg.genre_id "
        "WHERE t.popularity >= 40"):
    by_genre.setdefault(genre, []).append(track)
genres = sorted(g for g, tracks in by_genre.items() if len(tracks) >= 20)
rng = random.Random(2026)
with open(sys.argv[2], "w") as out:
    out.write("user\titem\tweight\n")
    for user in range(300):
        picked = set()
        for genre in rng.sample(genres, 3):
            picked.update(rng.sample(by_genre[genre], 14))
        for track in sorted(picked)[:40]:
            out.write(f"u{user}\t{track}\t{rng.randint(1, 20)}\n")
PY
"$bin/earshot" import interactions --db "$work/catalogue.db" "$work/interactions.tsv" >/dev/null
mkdir -p "$work/snapshots"
"$bin/earshot" train mf --db "$work/catalogue.db" --out "$work/snapshots/mf" >/dev/null
"$bin/earshot" train two-tower --db "$work/catalogue.db" --into "$work/snapshots/mf" --out "$work/snapshots/both" >/dev/null
ln -s both "$work/snapshots/current"

"$bin/earshotd" --socket "$work/earshot.sock" --catalogue "$work/catalogue.db" \
    --snapshot "$work/snapshots/current" 2>"$work/earshotd.log" &
daemon=$!
for _ in $(seq 600); do [ -S "$work/earshot.sock" ] && break; sleep 0.1; done
[ -S "$work/earshot.sock" ] || { cat "$work/earshotd.log" >&2; exit 1; }
users=$(seq -s, -f 'u%g' 0 299)
status=0
python3 "$root/scripts/soak.py" --socket "$work/earshot.sock" --pid "$daemon" --catalogue "$work/catalogue.db" \
    --users "$users" --duration "$duration" || status=$?
kill -0 "$daemon" 2>/dev/null || { echo "soak: earshotd is not running any more" >&2; status=1; }
exit $status
