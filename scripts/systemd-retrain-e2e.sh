#!/usr/bin/env bash
# systemd-retrain-e2e.sh BIN_DIR
#
# End-to-end test of retraining and the per-user units against a real
# systemd service manager (../shared/tools/with-systemd, which this script
# re-executes itself under when SYSTEMD_USER_UNIT_DIR is unset).
# BIN_DIR holds the built `earshotd` and `earshot`.
#
#   1. `systemd-analyze verify` of earshot-retrain.service/.timer with the
#      binary path pointed at BIN_DIR, and of the user units likewise.
#   2. The shipped system units (earshot.service, earshot.socket,
#      earshot-retrain.service, earshot-retrain.timer) with only
#      `/usr/local/bin/` → BIN_DIR/ and `/etc/earshot/` → a test config
#      folder rewritten, plus drop-ins clearing what this manager cannot apply
#      (User=, Group=, DynamicUser=, SocketGroup=: no "earshot" account here)
#      and keeping logs in a file. The config's [server] socket and [data]
#      paths point at the test folders (the units' StateDirectory=). Then:
#      the daemon serves an mf snapshot; listens of new users arrive over the
#      socket (their recommendations are folded in); `systemctl --user start
#      earshot-retrain.service` ends with Result=success; info.snapshot.id
#      changes with the same MainPID and the new users' recommendations use
#      trained vectors (`user_vector` "trained", `users` fact grown); four
#      retrains forced worse (`--degrade-for-testing` in a drop-in) are kept,
#      not promoted, and the daemon keeps serving the promoted one; after the
#      five retrains `earshot snapshot gc --keep 3 --config FILE` leaves the
#      three newest plus the served one; the Prometheus exposition passes
#      `promtool check metrics` (when installed), its counters match `stats`
#      and count the retrains; `earshot metrics --textfile` writes it.
#   3. The user units (systemd/user/) with only `%h/.local/bin/` → BIN_DIR/
#      rewritten; drop-ins capture logs and, because this manager runs as
#      root, set STATE_DIRECTORY/RUNTIME_DIRECTORY to the folders an
#      ordinary user's XDG defaults give: socket activation on
#      %t/earshot/earshot.sock, the daemon serving the snapshot from
#      $XDG_STATE_HOME/earshot (where the `earshot` command looks by
#      default), reload, eight plays of a listener new to the model and a
#      user retrain (Result=success, promoted with that one listener's
#      held-out play judged), stop with exit 0.
#
# Output: `ok - ...` / `not ok - ...` lines, then `N passed, M failed`; exit
# status 0 only when M is 0. Every wait is bounded; everything created is
# removed on exit.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/earshotd" || ! -x "$1/earshot" ]]; then
  echo "usage: $0 BIN_DIR   (BIN_DIR must contain executable earshotd and earshot)" >&2
  exit 2
fi
BIN_DIR=$(cd "$1" && pwd -P)
SELF=$(readlink -f "$0")
ROOT=$(cd "$(dirname "$SELF")/.." && pwd -P)

if [[ -z "${SYSTEMD_USER_UNIT_DIR:-}" ]]; then
  WITH_SYSTEMD="$ROOT/../shared/tools/with-systemd"
  if [[ ! -x "$WITH_SYSTEMD" ]]; then
    echo "$0: SYSTEMD_USER_UNIT_DIR is unset and $WITH_SYSTEMD is missing" >&2
    exit 2
  fi
  exec "$WITH_SYSTEMD" "$SELF" "$BIN_DIR"
fi
for tool in systemctl systemd-analyze socat timeout; do
  if ! command -v "$tool" >/dev/null; then echo "$0: $tool is required" >&2; exit 2; fi
done
case "$BIN_DIR/" in
  /tmp/* | /var/tmp/* | /home/* | /root/* | /run/user/*)
    echo "$0: BIN_DIR $BIN_DIR is hidden from the hardened units (PrivateTmp=/ProtectHome=); build elsewhere" >&2
    exit 2
    ;;
esac

UNIT_DIR=$SYSTEMD_USER_UNIT_DIR
EARSHOT="$BIN_DIR/earshot"
SOCK="$XDG_RUNTIME_DIR/earshot/earshot.sock"
# StateDirectory= of a user manager: $XDG_CONFIG_HOME before systemd 254, $XDG_STATE_HOME since.
SYSTEMD_VERSION=$(systemctl --version | awk 'NR == 1 { print $2 }')
if ((SYSTEMD_VERSION < 254)); then STATE_BASE=$XDG_CONFIG_HOME; else STATE_BASE=$XDG_STATE_HOME; fi
STATE="$STATE_BASE/earshot"
# The test config folder that /etc/earshot/ is rewritten to.
CONF_DIR="$XDG_CONFIG_HOME/earshot-test-config"
CONFIG="$CONF_DIR/earshot.toml"
WORK=$(mktemp -d -t earshot-retrain-e2e.XXXXXX)
LOG="$WORK/units.log"
EXIT_RECORD="$WORK/exit-record"
SYSTEM_UNITS=(earshot.service earshot.socket earshot-retrain.service earshot-retrain.timer)

passed=0
failed=0
ok() { echo "ok - $1"; passed=$((passed + 1)); }
not_ok() {
  echo "not ok - $1"
  shift
  local line
  for line in "$@"; do printf '#   %s\n' "$line"; done
  failed=$((failed + 1))
}
check() { # NAME DETAIL CONDITION...
  local name=$1 detail=$2
  shift 2
  if "$@"; then ok "$name"; else not_ok "$name" "$detail"; fi
}

sctl() { timeout 120 systemctl --user "$@"; }
prop() { sctl show -p "$2" --value "$1" 2>/dev/null; }
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.1
  done
}
request() { printf '%s\n' "$1" | timeout 15 socat -t 5 - "UNIX-CONNECT:$SOCK" 2>&1; }
# json_get JSON PATH: one value by a dotted path (python3), empty when absent.
json_get() {
  python3 -c 'import json,sys
v=json.loads(sys.argv[1])
for k in sys.argv[2].split("."):
    v = v[int(k)] if isinstance(v, list) else (v or {}).get(k)
print("" if v is None else (json.dumps(v) if isinstance(v, (dict, list, bool)) else v))' "$1" "$2" 2>/dev/null
}
snapshot_dirs() { find "$STATE/snapshots" -mindepth 1 -maxdepth 1 -type d ! -name '.*' -printf '%f\n' | sort; }

show_log() {
  echo "# --- last 60 lines of the units' log ---"
  tail -n 60 "$LOG" 2>/dev/null | sed 's/^/# /'
}

remove_units() {
  local unit
  timeout 60 systemctl --user stop "${SYSTEM_UNITS[@]}" >/dev/null 2>&1
  timeout 5 systemctl --user reset-failed >/dev/null 2>&1
  for unit in "${SYSTEM_UNITS[@]}"; do rm -rf "${UNIT_DIR:?}/$unit" "$UNIT_DIR/$unit.d"; done
  timeout 10 systemctl --user daemon-reload >/dev/null 2>&1
}
cleanup() {
  trap - EXIT INT TERM
  remove_units
  rm -rf "$CONF_DIR" "$XDG_CONFIG_HOME/earshot" "$XDG_STATE_HOME/earshot" "$XDG_RUNTIME_DIR/earshot" "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Writes the test-instrumentation drop-in NAME.d/test.conf: log capture, and
# an ExecStopPost= recording how a service ended (systemd may garbage-collect
# a stopped unit before `systemctl show` can tell).
log_dropin() {
  mkdir -p "$UNIT_DIR/$1.d"
  cat >"$UNIT_DIR/$1.d/test.conf" <<EOF
# Written by scripts/systemd-retrain-e2e.sh: with-systemd has no journald.
[Service]
StandardOutput=append:$LOG
StandardError=append:$LOG
$2
EOF
}

# ---------------------------------------------------------------------------
# 1. systemd-analyze verify with the binaries pointed at BIN_DIR.

mkdir -p "$WORK/verify/system" "$WORK/verify/user"
for unit in "${SYSTEM_UNITS[@]}"; do
  sed "s#/usr/local/bin/#$BIN_DIR/#g" "$ROOT/systemd/$unit" >"$WORK/verify/system/$unit"
done
out=$(cd "$WORK/verify/system" && timeout 60 systemd-analyze verify earshot-retrain.service earshot-retrain.timer 2>&1)
rc=$?
check "systemd-analyze verify earshot-retrain.service earshot-retrain.timer" "status $rc: $out" \
  test "$rc" -eq 0 -a -z "$out"
for unit in "$ROOT"/systemd/user/*; do
  sed "s#%h/.local/bin/#$BIN_DIR/#g" "$unit" >"$WORK/verify/user/$(basename "$unit")"
done
out=$(cd "$WORK/verify/user" && timeout 60 systemd-analyze --user verify ./*.service ./*.socket ./*.timer 2>&1)
rc=$?
check "systemd-analyze --user verify of systemd/user/*" "status $rc: $out" test "$rc" -eq 0 -a -z "$out"

# ---------------------------------------------------------------------------
# 2. The system units, retraining.

mkdir -p "$STATE" "$CONF_DIR"
if ! prepared=$(timeout 300 "$EARSHOT" demo --state "$STATE" --prepare-only --mf-only --tracks 2000 2>&1); then
  not_ok "earshot demo --prepare-only: a catalogue with listens and an mf snapshot" "$prepared"
fi
cat >"$CONFIG" <<EOF
# Written by scripts/systemd-retrain-e2e.sh.
[server]
socket = "$SOCK"
[data]
catalogue = "$STATE/catalogue.db"
snapshot = "$STATE/snapshots/current"
[scorers]
default = "mf"
[retrain]
keep = 100
EOF
for unit in "${SYSTEM_UNITS[@]}"; do
  sed -e "s#/usr/local/bin/#$BIN_DIR/#g" -e "s#/etc/earshot/#$CONF_DIR/#g" "$ROOT/systemd/$unit" >"$UNIT_DIR/$unit"
done
# with-systemd's manager runs in a mount namespace of its own: a unit with
# ProtectProc=/ProtectKernelTunables= (as the shipped ones) gets a namespace
# built without the manager's /run folder, so the test config there (what
# /etc/earshot/ is on a host) is bound in explicitly, and so is the runtime
# folder with the daemon's socket for the retrain unit (/run/earshot on a host).
log_dropin earshot.service "DynamicUser=no
User=
Group=
BindPaths=%t/systemd/notify
BindReadOnlyPaths=$CONF_DIR
ExecStopPost=+/bin/sh -c 'echo \"\$\${SERVICE_RESULT} \$\${EXIT_CODE} \$\${EXIT_STATUS}\" >>$EXIT_RECORD'"
log_dropin earshot-retrain.service "User=
Group=
BindReadOnlyPaths=$CONF_DIR
BindPaths=%t/earshot"
mkdir -p "$UNIT_DIR/earshot.socket.d"
printf '[Socket]\nSocketGroup=\n' >"$UNIT_DIR/earshot.socket.d/test.conf"
check "daemon-reload with the four shipped system units" "" sctl daemon-reload

sctl start earshot.socket
info=$(request '{"op":"info"}')
first_id=$(json_get "$info" result.snapshot.id)
mf_ready=$(python3 -c 'import json,sys; print(any(s["name"]=="mf" and s["ready"] for s in json.loads(sys.argv[1])["result"]["scorers"]))' "$info" 2>/dev/null)
check "socket activation: the daemon serves an mf snapshot ($first_id)" "$info" test -n "$first_id" -a "$mf_ready" = True
main_pid=$(prop earshot.service MainPID)

# Two new listeners, eight plays each of tracks the demo listeners play.
tracks=$(python3 - "$STATE/catalogue.db" <<'EOF'
import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
print(" ".join(r[0] for r in db.execute("SELECT track_id FROM listens GROUP BY track_id ORDER BY count(*) DESC LIMIT 16")))
EOF
)
stored=0
for user in newcomer-a newcomer-b; do
  n=0
  for track in $tracks; do
    n=$((n + 1))
    [[ $user == newcomer-a && $((n % 2)) -eq 0 ]] && continue
    [[ $user == newcomer-b && $((n % 2)) -eq 1 ]] && continue
    reply=$(request "{\"op\":\"listen\",\"user\":\"$user\",\"track\":\"$track\",\"ms_played\":200000,\"ts\":\"2026-12-01T10:0$((n % 10)):00Z\"}")
    [[ $reply == *'"stored":true'* ]] && stored=$((stored + 1))
  done
done
# New plays of twenty known listeners: the gate compares on plays neither model saw.
for listener in $(seq 0 19); do
  for offset in 100 500 900; do
    track=$(printf 'demo%018d' $((offset + listener)))
    reply=$(request "{\"op\":\"listen\",\"user\":\"listener$listener\",\"track\":\"$track\",\"ms_played\":200000,\"ts\":\"2026-12-01T11:00:0$((offset / 100 % 10))Z\"}")
    [[ $reply == *'"stored":true'* ]] && stored=$((stored + 1))
  done
done
check "76 listens of two new and twenty known users stored over the socket" "stored $stored" test "$stored" -eq 76
mf_users() { python3 -c 'import json,sys; print([s for s in json.loads(sys.argv[1])["result"]["scorers"] if s["name"]=="mf"][0]["model"]["users"])' "$(request '{"op":"scorers"}')" 2>/dev/null; }
users_before=$(mf_users)
before=$(request '{"op":"recommend","user":"newcomer-a","scorer":"mf","k":5}')
check "before the retrain the new user is folded in (user_vector folded_in)" "$before" \
  test "$(json_get "$before" result.user_vector)" = folded_in

run_retrain() { # -> Result of the run; the summary is the last JSON line of the log
  timeout 900 systemctl --user start earshot-retrain.service
  prop earshot-retrain.service Result
}
last_summary() { grep '^{"' "$LOG" | grep '"outcome"' | tail -n 1; }

result=$(run_retrain)
summary=$(last_summary)
check "systemctl --user start earshot-retrain.service: Result=success, outcome promoted" "Result=$result summary=$summary" \
  test "$result" = success -a "$(json_get "$summary" outcome)" = promoted
promoted_dir=$(json_get "$summary" snapshot)
served_id() { json_get "$(request '{"op":"info"}')" result.snapshot.id; }
second_id=$(served_id)
check "info.snapshot.id changed without a restart ($first_id → $second_id, MainPID $main_pid)" \
  "MainPID now $(prop earshot.service MainPID)" \
  test -n "$second_id" -a "$second_id" != "$first_id" -a "$(prop earshot.service MainPID)" = "$main_pid"
after=$(request '{"op":"recommend","user":"newcomer-a","scorer":"mf","k":5}')
users_after=$(mf_users)
check "after the retrain the new users have trained vectors (user_vector trained, mf users $users_before → $users_after)" "$after" \
  test "$(json_get "$after" result.user_vector)" = trained -a "$users_after" = "$((users_before + 2))"

# Four retrains forced worse: their candidates are kept, never promoted.
mkdir -p "$UNIT_DIR/earshot-retrain.service.d"
cat >"$UNIT_DIR/earshot-retrain.service.d/worse.conf" <<EOF
# Written by scripts/systemd-retrain-e2e.sh: a retrain that must not be promoted.
[Service]
ExecStart=
ExecStart=$BIN_DIR/earshot retrain --config $CONFIG --degrade-for-testing
EOF
sctl daemon-reload
kept=0
for _ in 1 2 3 4; do
  result=$(run_retrain)
  summary=$(last_summary)
  [[ $result == success && $(json_get "$summary" outcome) == kept ]] && kept=$((kept + 1))
done
check "four retrains forced worse: Result=success, outcome kept, not promoted" "kept $kept, last: $summary" test "$kept" -eq 4
check "the daemon keeps the promoted snapshot ($second_id) and current names it" \
  "served $(served_id), current → $(readlink "$STATE/snapshots/current")" \
  test "$(served_id)" = "$second_id" -a "$(readlink "$STATE/snapshots/current")" = "$promoted_dir"
count=$(snapshot_dirs | wc -l)
gc=$(timeout 60 "$EARSHOT" snapshot gc --keep 3 --config "$CONFIG" 2>/dev/null | tail -n 1)
left=$(snapshot_dirs | tr '\n' ' ')
check "after five retrains snapshot gc --keep 3 leaves three plus the served one ($count → $left)" "gc: $gc" \
  test "$(snapshot_dirs | wc -l)" -eq 4 -a -d "$STATE/snapshots/$promoted_dir"
check "after the gc the daemon still serves $second_id" "served $(served_id)" test "$(served_id)" = "$second_id"

# Metrics.
json_stats=$(request '{"op":"stats"}')
prom=$(request '{"op":"stats","format":"prometheus"}')
text=$(json_get "$prom" result.text)
printf '%s\n' "$text" >"$WORK/metrics.prom"
if command -v promtool >/dev/null; then
  lint=$(promtool check metrics <"$WORK/metrics.prom" 2>&1)
  check "promtool check metrics accepts the exposition" "$lint" test $? -eq 0 -a -z "$lint"
else
  echo "# promtool is not installed: skipped the promtool check"
fi
counter() { awk -v k="$1" '$1 == k { print $2 }' "$WORK/metrics.prom"; }
mismatch=""
for op in ping info recommend listen scorers; do
  want=$(json_get "$json_stats" "result.requests.$op")
  got=$(counter "earshot_requests_total{op=\"$op\"}")
  [[ $want == "$got" ]] || mismatch+="$op: stats $want, prometheus $got; "
done
want_stats=$(($(json_get "$json_stats" result.requests.stats) + 1))
[[ $(counter 'earshot_requests_total{op="stats"}') == "$want_stats" ]] || mismatch+="stats: want $want_stats; "
check "the exposition's request counters match stats" "$mismatch" test -z "$mismatch"
check "the exposition counts the retrains (promoted 1, kept 4) and the reload" \
  "$(grep -E '^earshot_(retrain_runs|reloads)_total' "$WORK/metrics.prom" | tr '\n' ' ')" \
  test "$(counter 'earshot_retrain_runs_total{outcome="promoted"}')" = 1 \
  -a "$(counter 'earshot_retrain_runs_total{outcome="kept"}')" = 4 -a "$(counter earshot_reloads_total)" = 1
mkdir -p "$WORK/textfile"
timeout 30 "$EARSHOT" metrics --config "$CONFIG" --textfile "$WORK/textfile" 2>/dev/null
check "earshot metrics --textfile writes earshot.prom and nothing else" "$(ls -A "$WORK/textfile")" \
  test "$(ls -A "$WORK/textfile")" = earshot.prom

sctl stop earshot.service earshot.socket
check "stop: the daemon exits 0 by itself" "$(tail -n 1 "$EXIT_RECORD" 2>/dev/null)" \
  test "$(tail -n 1 "$EXIT_RECORD" 2>/dev/null)" = "success exited 0"
remove_units
rm -rf "$CONF_DIR" "$XDG_CONFIG_HOME/earshot"

# ---------------------------------------------------------------------------
# 3. The user units as shipped, the catalogue and snapshots where the CLI looks.

USER_STATE="${XDG_STATE_HOME:-$HOME/.local/state}/earshot"
mkdir -p "$USER_STATE"
if ! prepared=$(timeout 300 "$EARSHOT" demo --state "$USER_STATE" --prepare-only --mf-only --tracks 1000 2>&1); then
  not_ok "earshot demo --prepare-only in \$XDG_STATE_HOME/earshot" "$prepared"
fi
for unit in "$ROOT"/systemd/user/*; do
  sed "s#%h/.local/bin/#$BIN_DIR/#g" "$unit" >"$UNIT_DIR/$(basename "$unit")"
done
: >"$EXIT_RECORD"
# with-systemd's manager runs as root, so the programs would take root's
# defaults (/var/lib/earshot, /run/earshot); point them at the folders an
# ordinary user's defaults give ($XDG_STATE_HOME/earshot, %t/earshot).
log_dropin earshot.service "ExecStopPost=/bin/sh -c 'echo \"\$\${SERVICE_RESULT} \$\${EXIT_CODE} \$\${EXIT_STATUS}\" >>$EXIT_RECORD'
Environment=STATE_DIRECTORY=$USER_STATE"
log_dropin earshot-retrain.service "Environment=STATE_DIRECTORY=$USER_STATE RUNTIME_DIRECTORY=%t/earshot"
check "daemon-reload with the user units" "" sctl daemon-reload
sctl start earshot.socket
check "user earshot.socket listens at %t/earshot/earshot.sock, mode 0600, daemon not yet started" \
  "mode $(stat -c %a "$SOCK" 2>&1), service $(prop earshot.service ActiveState)" \
  test -S "$SOCK" -a "$(stat -c %a "$SOCK" 2>/dev/null)" = 600 -a "$(prop earshot.service ActiveState)" = inactive
reply=$(request '{"op":"ping"}')
check "user units: socket activation answers ping" "$reply" test "${reply#*pong\":true}" != "$reply"
user_first=$(served_id)
check "user daemon serves the snapshot from \$XDG_STATE_HOME/earshot ($user_first)" "$(request '{"op":"info"}')" \
  test -n "$user_first"
user_pid=$(prop earshot.service MainPID)
sctl reload earshot.service
reloaded() { [[ $(json_get "$(request '{"op":"info"}')" result.reloads.ok) == 1 ]]; }
check "user units: systemctl --user reload (reloads.ok 1, same MainPID)" "MainPID $user_pid → $(prop earshot.service MainPID)" \
  wait_until 10 reloaded
# The seed's own listener, new to the model: eight plays, the latest held out and judged alone.
for n in 0 1 2 3 4 5 6 7; do
  request "{\"op\":\"listen\",\"user\":\"me\",\"track\":\"$(printf 'demo%018d' $((n * 3)))\",\"ms_played\":200000,\"ts\":\"2026-12-01T12:0$n:00Z\"}" >/dev/null
done
result=$(run_retrain)
summary=$(last_summary)
check "user earshot-retrain.service with the CLI defaults: Result=success, promoted on the lone new listener's plays, served" \
  "Result=$result served=$(served_id) summary=$summary" \
  test "$result" = success -a "$(json_get "$summary" outcome)" = promoted -a "$(served_id)" = "$(json_get "$summary" id)" \
  -a "$(json_get "$summary" parts.0.users)" = 1
sctl stop earshot.service earshot.socket
check "user units: stop, the daemon exits 0 and the socket is removed" "$(tail -n 1 "$EXIT_RECORD" 2>/dev/null)" \
  test "$(tail -n 1 "$EXIT_RECORD" 2>/dev/null)" = "success exited 0" -a ! -e "$SOCK"
for unit in "$ROOT"/systemd/user/*; do rm -rf "${UNIT_DIR:?}/$(basename "$unit")" "$UNIT_DIR/$(basename "$unit").d"; done

if ((failed > 0)); then show_log; fi
echo "$passed passed, $failed failed"
((failed == 0))
