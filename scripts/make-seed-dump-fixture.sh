#!/usr/bin/env bash
# Regenerates Tests/EarshotCatalogueTests/Fixtures/seed-dump.sql, the test
# fixture of `earshot import catalogue DUMP.sql`, with a real PostgreSQL: a
# throwaway cluster in a temporary directory, reachable only through a Unix
# socket there, holding a few hand-made rows in the seed project's schema
# (see Sources/EarshotCatalogue/PostgresDumpImporter.swift), dumped with
# pg_dump's plain-SQL format and stopped again.
#
# Needs PostgreSQL's server binaries (Debian: apt-get install postgresql). Run
# it by hand after changing the rows below, then update the tests that check
# them; `make test` never runs it. As root, the server and pg_dump run as the
# `postgres` user (PostgreSQL refuses to run as root).
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
out="$root/Tests/EarshotCatalogueTests/Fixtures/seed-dump.sql"
bindir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ] || [ ! -x "$bindir/pg_dump" ]; then
    echo "make-seed-dump-fixture: PostgreSQL is not installed (Debian: apt-get install postgresql)" >&2
    exit 1
fi

tmp=$(mktemp -d)
as=()
if [ "$(id -u)" = 0 ]; then
    chown postgres: "$tmp"
    as=(runuser -u postgres --)
fi
port=54329  # names the socket file only: the server listens on no TCP address
cleanup() {
    "${as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -m fast stop >/dev/null 2>&1 || true
    rm -rf "$tmp"
}
trap cleanup EXIT

"${as[@]}" "$bindir/initdb" -D "$tmp/data" -U seed -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
"${as[@]}" "$bindir/pg_ctl" -D "$tmp/data" -l "$tmp/server.log" -w \
    -o "-c listen_addresses='' -k $tmp -p $port" start >/dev/null
psql=("${as[@]}" "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -h "$tmp" -p "$port" -U seed)
"${psql[@]}" -d postgres -c 'CREATE DATABASE seed'

# Rows chosen for the importer's edge cases: non-ASCII text; tabs, newlines,
# backslashes and quotes in names; genres with spaces, commas, quotes,
# backslashes and a NULL element; artists whose genres overlap; credits in
# a non-alphabetical order; a track without a features row, one whose
# features are all NULL and one with a single NULL feature; a credit of an
# artist missing from `artist`; NULL album and popularity; extra columns.
"${psql[@]}" -d seed <<'SQL'
CREATE TABLE artist (
    id text PRIMARY KEY,
    name text NOT NULL,
    genres text[]
);
CREATE TABLE track (
    id text PRIMARY KEY,
    name text NOT NULL,
    album text,
    artist_ids text[] NOT NULL,
    popularity integer,
    duration_ms integer,
    explicit boolean
);
CREATE TABLE audio_features (
    track_id text PRIMARY KEY REFERENCES track (id),
    danceability real,
    energy real,
    key integer,
    loudness real,
    mode integer,
    speechiness real,
    acousticness real,
    instrumentalness real,
    liveness real,
    valence real,
    tempo real,
    time_signature integer
);
-- Columns the notebook added later: the importer ignores them.
ALTER TABLE track ADD COLUMN release_date date;
ALTER TABLE audio_features ADD COLUMN analysis_url text;

INSERT INTO artist (id, name, genres) VALUES
    ('0SeedFixtureArtist0001', 'Sigur Rós', '{"icelandic rock",post-rock}'),
    ('0SeedFixtureArtist0002', 'Beyoncé', ARRAY['pop', 'r&b', 'hip hop']),
    ('0SeedFixtureArtist0003', E'Back\\slash "Quoted" Band', ARRAY['rock, indie', 'say "hi"', E'back\\slash', 'pop']),
    ('0SeedFixtureArtist0004', 'YOASOBI', '{j-pop}'),
    ('0SeedFixtureArtist0005', E'Tab\tArtist', NULL),
    ('0SeedFixtureArtist0006', 'Null Element', ARRAY[NULL, 'NULL', 'ambient']),
    ('0SeedFixtureArtist0007', 'No Genres', '{}');

INSERT INTO track (id, name, album, artist_ids, popularity, duration_ms, explicit, release_date) VALUES
    ('0SeedFixtureTrack00001', 'Hoppípolla', 'Takk...', '{0SeedFixtureArtist0001}', 62, 268000, false, '2005-09-12'),
    ('0SeedFixtureTrack00002', 'Drunk in Love (feat. Jay-Z)', 'BEYONCÉ [Platinum Edition]',
        '{0SeedFixtureArtist0002,0SeedFixtureArtist0003,0SeedFixtureArtist0001}', 80, 323480, true, NULL),
    ('0SeedFixtureTrack00003', E'Line\nbreak\tand \\ backslash "quoted"', NULL,
        '{0SeedFixtureArtist0003}', 10, 1000, false, NULL),
    ('0SeedFixtureTrack00004', '夜に駆ける', 'THE BOOK', '{0SeedFixtureArtist0004,0SeedFixtureArtist0005}',
        75, 261000, false, '2021-01-06'),
    ('0SeedFixtureTrack00005', 'Partial Features', 'Ambient Works',
        '{0SeedFixtureArtist0006,0SeedFixtureArtist0007}', 5, 420000, false, NULL),
    ('0SeedFixtureTrack00006', 'Ghost Credit', 'Takk...', '{0SeedFixtureArtist0001,0SeedFixtureMissing999}',
        NULL, 200000, false, NULL);

INSERT INTO audio_features (track_id, danceability, energy, key, loudness, mode, speechiness, acousticness,
        instrumentalness, liveness, valence, tempo, time_signature, analysis_url) VALUES
    ('0SeedFixtureTrack00001', 0.25, 0.5, 1, -8.5, 1, 0.03125, 0.75, 0.875, 0.125, 0.0625, 81.5, 4,
        'https://api.spotify.com/v1/audio-analysis/0SeedFixtureTrack00001'),
    ('0SeedFixtureTrack00002', 0.5, 0.625, 5, -6.25, 0, 0.046, 0.0099, 1.01e-06, 0.2, 0.4, 140.25, 4, NULL),
    ('0SeedFixtureTrack00003', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
    ('0SeedFixtureTrack00005', 0.1, 0.2, 0, -20, 1, 0.03, 0.9, 0.8, 0.1, 0.05, NULL, 3, NULL);
SQL

# A fixed restrict key (pg_dump 15.14+ writes a random one): the same rows give the same file.
restrict=()
if "${as[@]}" "$bindir/pg_dump" --help | grep -- --restrict-key >/dev/null; then restrict=(--restrict-key=earshotfixture); fi
"${as[@]}" "$bindir/pg_dump" -h "$tmp" -p "$port" -U seed --no-owner --no-privileges "${restrict[@]}" seed >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote $out" >&2
