#!/usr/bin/env bash
# systemd-e2e.sh BIN_DIR
#
# End-to-end test of the shipped unit files (systemd/earshot.service,
# systemd/earshot.socket) against a real systemd service manager.
# BIN_DIR is the folder holding the built `earshotd`.
#
# Run it as
#     ../shared/tools/with-systemd scripts/systemd-e2e.sh BIN_DIR
# or simply `scripts/systemd-e2e.sh BIN_DIR`: when SYSTEMD_USER_UNIT_DIR is
# unset the script re-executes itself under ../shared/tools/with-systemd
# (which needs root). Inside, `systemctl --user` talks to a private
# `systemd --user` manager (running as root) whose unit folder is
# $SYSTEMD_USER_UNIT_DIR.
#
# What it does:
#   1. `systemd-analyze verify` of the units exactly as shipped; the only
#      complaint allowed is the missing /usr/local/bin/earshotd (when it is
#      missing). A copy with only the ExecStart binary path pointed at
#      BIN_DIR/earshotd must verify with no complaint at all.
#   2. Copies both units unchanged into $SYSTEMD_USER_UNIT_DIR, plus drop-ins
#      (earshot.service.d/test.conf, earshot.socket.d/test.conf) that point
#      ExecStart at BIN_DIR/earshotd, clear only what this manager cannot
#      apply (DynamicUser=, User=, Group=, SocketGroup=) and add what the
#      with-systemd layout needs (the notify socket bound through
#      PrivateTmp=, logs to a file, WatchdogSec=2s, an ExecStopPost= that
#      records the exit). Each is explained where it is written below; all
#      other settings, the hardening included, stay as shipped.
#   3. Starts earshot.socket only, checks the service is inactive, sends a
#      ping through the socket (socket activation), checks the service is
#      active with READY/STATUS and its sandbox in force, reloads it (same
#      MainPID, StatusText "serving ...", reloads.ok == 1 in `info`), checks
#      it outlives several watchdog intervals with keep-alives arriving,
#      stops service and socket and checks the daemon exited 0 by itself
#      (Result=success, EXIT_CODE=exited, EXIT_STATUS=0).
#
# Output: one `ok - ...` / `not ok - ...` line per check, then exactly one
# line `N passed, M failed`. Exit status 0 only when M is 0 (2 on usage
# errors). On any failure the daemon's last 50 log lines are printed. Every
# wait is bounded; everything the script creates is removed on exit.
set -uo pipefail

if [[ $# -ne 1 || ! -x "$1/earshotd" ]]; then
  echo "usage: $0 BIN_DIR   (BIN_DIR must contain an executable earshotd)" >&2
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
if [[ -z "${XDG_RUNTIME_DIR:-}" || -z "${XDG_CONFIG_HOME:-}" ]]; then
  echo "$0: XDG_RUNTIME_DIR and XDG_CONFIG_HOME must be set (run under with-systemd)" >&2
  exit 2
fi
for tool in systemctl systemd-analyze socat timeout; do
  if ! command -v "$tool" >/dev/null; then echo "$0: $tool is required" >&2; exit 2; fi
done

UNIT_DIR=$SYSTEMD_USER_UNIT_DIR
SERVICE=earshot.service
SOCKET_UNIT=earshot.socket
# %t/earshot/earshot.sock in a user manager.
SOCK="$XDG_RUNTIME_DIR/earshot/earshot.sock"
# In a user manager ConfigurationDirectory= is %E = $XDG_CONFIG_HOME and on
# systemd 252 StateDirectory= (%S) is $XDG_CONFIG_HOME as well.
APP_CONFIG_DIR="$XDG_CONFIG_HOME/earshot"
WATCHDOG_SEC=2
WORK=$(mktemp -d -t earshot-systemd-e2e.XXXXXX)
LOG="$WORK/earshotd.log"
EXIT_RECORD="$WORK/exit-record"
created_inaccessible=0
VISIBLE_DIR=""

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

sctl() { timeout 30 systemctl --user "$@"; }
prop() { sctl show -p "$2" --value "$1" 2>/dev/null; }
unit_state() { sctl show -p ActiveState,SubState,Result,ExecMainStatus,MainPID,NRestarts "$1" 2>/dev/null | tr '\n' ' '; }

# wait_until SECONDS CMD... : polls CMD every 0.1 s; fails after SECONDS.
wait_until() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    ((SECONDS >= deadline)) && return 1
    sleep 0.1
  done
}

# request JSON: one request line, prints the daemon's reply line.
request() { printf '%s\n' "$1" | timeout 15 socat -t 5 - "UNIX-CONNECT:$SOCK" 2>&1; }

journald_available() { [[ -S /run/systemd/journal/stdout ]]; }

show_daemon_log() {
  echo "# --- last 50 lines of the earshot.service log ---"
  if journald_available; then
    journalctl --user -u "$SERVICE" -n 50 --no-pager 2>&1 | sed 's/^/# /'
  elif [[ -s "$LOG" ]]; then
    tail -n 50 "$LOG" | sed 's/^/# /'
  else
    echo "# (empty: the daemon wrote nothing)"
  fi
  echo "# --- systemctl --user status ---"
  SYSTEMD_COLORS=0 sctl status --no-pager --lines=0 "$SOCKET_UNIT" "$SERVICE" 2>&1 | sed 's/^/# /'
}

# Also runs on SIGTERM/SIGINT (e.g. from timeout(1)), when the manager may be
# going away too: short timeouts, files removed whatever systemctl says.
cleanup() {
  trap - EXIT INT TERM
  timeout 25 systemctl --user stop "$SERVICE" "$SOCKET_UNIT" >/dev/null 2>&1
  timeout 5 systemctl --user reset-failed "$SERVICE" "$SOCKET_UNIT" >/dev/null 2>&1
  rm -rf "$UNIT_DIR/$SERVICE" "$UNIT_DIR/$SOCKET_UNIT" "$UNIT_DIR/$SERVICE.d" "$UNIT_DIR/$SOCKET_UNIT.d"
  timeout 5 systemctl --user daemon-reload >/dev/null 2>&1
  rm -rf "$APP_CONFIG_DIR" "$XDG_RUNTIME_DIR/earshot" "$WORK"
  if [[ -n $VISIBLE_DIR ]]; then rmdir "$VISIBLE_DIR"; fi
  if ((created_inaccessible)); then rm -rf /run/systemd/inaccessible; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Quotes a word for a unit file's command line: \ " % and $ escaped.
unit_quote() {
  local s=${1//\\/\\\\}
  s=${s//\"/\\\"}
  s=${s//%/%%}
  s=${s//\$/\$\$}
  printf '"%s"' "$s"
}

# ---------------------------------------------------------------------------
# 1. systemd-analyze verify of the units as shipped.

verify_units() { # DIR -> output of verify, status in $verify_rc
  verify_out=$(timeout 60 systemd-analyze verify "$1/$SOCKET_UNIT" "$1/$SERVICE" 2>&1)
  verify_rc=$?
}

verify_units "$ROOT/systemd"
missing_binary_line="$SERVICE: Command /usr/local/bin/earshotd is not executable: No such file or directory"
if [[ -x /usr/local/bin/earshotd ]]; then
  if [[ $verify_rc -eq 0 && -z "$verify_out" ]]; then
    ok "systemd-analyze verify: shipped units verify cleanly"
  else
    not_ok "systemd-analyze verify: shipped units verify cleanly" "exit status $verify_rc" "$verify_out"
  fi
else
  other=$(grep -vxF -- "$missing_binary_line" <<<"$verify_out")
  if [[ -z "$other" ]]; then
    ok "systemd-analyze verify: shipped units: no complaint but the missing /usr/local/bin/earshotd"
  else
    not_ok "systemd-analyze verify: shipped units: no complaint but the missing /usr/local/bin/earshotd" \
      "exit status $verify_rc" "$other"
  fi
fi

mkdir -p "$WORK/verify"
cp "$ROOT/systemd/$SOCKET_UNIT" "$WORK/verify/"
shipped=$(<"$ROOT/systemd/$SERVICE")
patched=${shipped/$'\n'"ExecStart=/usr/local/bin/earshotd "/$'\n'"ExecStart=$(unit_quote "$BIN_DIR/earshotd") "}
printf '%s\n' "$patched" >"$WORK/verify/$SERVICE"
if [[ $patched == "$shipped" ]]; then
  not_ok "systemd-analyze verify: copy with ExecStart at BIN_DIR/earshotd verifies cleanly" \
    "the shipped ExecStart= no longer starts with /usr/local/bin/earshotd"
else
  verify_units "$WORK/verify"
  if [[ $verify_rc -eq 0 && -z "$verify_out" ]]; then
    ok "systemd-analyze verify: copy with ExecStart at BIN_DIR/earshotd verifies cleanly"
  else
    not_ok "systemd-analyze verify: copy with ExecStart at BIN_DIR/earshotd verifies cleanly" \
      "exit status $verify_rc" "$verify_out"
  fi
fi

# ---------------------------------------------------------------------------
# 2. Install the shipped units and the test drop-ins.

# with-systemd mounts an empty tmpfs on /run/systemd, so the manager lacks the
# /run/systemd/inaccessible/ nodes that PID 1 creates at boot. Mount
# namespacing bind-mounts them to hide paths; without them ProtectHome=,
# ProtectKernelTunables= and ProtectKernelLogs= fail with 226/NAMESPACE
# ("Failed to mount /run/systemd/inaccessible/dir ... No such file or
# directory"). Create them (this tmpfs is private to with-systemd's mount
# namespace) instead of clearing those settings.
if [[ ! -e /run/systemd/inaccessible && "${WITH_SYSTEMD_INNER:-}" == 1 ]]; then
  created_inaccessible=1
  (
    set -e
    mkdir -m 0755 /run/systemd/inaccessible
    cd /run/systemd/inaccessible
    mkdir -m 0000 dir
    install -m 0000 /dev/null reg
    mkfifo -m 0000 fifo
    mknod -m 0000 chr c 0 0
    mknod -m 0000 blk b 0 0
  ) || echo "# could not create /run/systemd/inaccessible; sandboxing checks below may fail"
fi

cp "$ROOT/systemd/$SERVICE" "$ROOT/systemd/$SOCKET_UNIT" "$UNIT_DIR/"
mkdir -p "$UNIT_DIR/$SERVICE.d" "$UNIT_DIR/$SOCKET_UNIT.d" "$APP_CONFIG_DIR"

# A small config in the service's ConfigurationDirectory= (%E/earshot, the
# user-manager twin of /etc/earshot). Flags below override the data paths.
cat >"$APP_CONFIG_DIR/earshot.toml" <<'EOF'
# Written by scripts/systemd-e2e.sh.
[log]
level = "info"
EOF

# PrivateTmp= and ProtectHome= hide /tmp, /var/tmp, /home, /root and
# /run/user from the service (203/EXEC). A BIN_DIR there is shown to the
# service read-only at an empty folder in /run instead.
exec_dir=$BIN_DIR
bind_settings=""
case "$BIN_DIR/" in
  /tmp/* | /var/tmp/* | /home/* | /root/* | /run/user/*)
    VISIBLE_DIR=$(mktemp -d -p /run earshot-systemd-e2e.XXXXXX)
    exec_dir=$VISIBLE_DIR
    bind_settings="# BIN_DIR is hidden by PrivateTmp=/ProtectHome=: show it read-only in /run.
BindReadOnlyPaths=\"${BIN_DIR//%/%%}\":\"${VISIBLE_DIR//%/%%}\""
    ;;
esac

if journald_available; then
  log_settings=""
else
  # No journald beside with-systemd's manager (no /run/systemd/journal):
  # the service's stdout/stderr would go nowhere, so keep them in a file.
  log_settings="StandardOutput=append:$LOG
StandardError=append:$LOG"
fi

cat >"$UNIT_DIR/$SERVICE.d/test.conf" <<EOF
# Written by scripts/systemd-e2e.sh: runs the shipped earshot.service under a
# root \`systemd --user\` manager (../shared/tools/with-systemd). Every setting
# not named here is in force exactly as shipped, hardening included.
[Service]
# The binary under test; config, catalogue and snapshot in the service's own
# ConfigurationDirectory=/StateDirectory= (both %E/earshot here), the socket
# path the same as earshot.socket's (ignored under socket activation).
ExecStart=
ExecStart=$(unit_quote "$exec_dir/earshotd") --config %E/earshot/earshot.toml --socket %t/earshot/earshot.sock --catalogue %S/earshot/catalogue.db --snapshot %S/earshot/snapshots/current
# DynamicUser= implies PrivateTmp=yes, and with-systemd keeps the manager's
# XDG_RUNTIME_DIR and XDG_CONFIG_HOME (the service's Runtime-, State- and
# ConfigurationDirectory=) under /tmp, so the private /tmp hides them:
# 226/NAMESPACE "Failed to set up ExecDirectories symlinks inside mount
# namespace: File exists".
DynamicUser=no
# Without DynamicUser= these name static accounts, and this machine has no
# "earshot" user or group (earshot.sysusers is not installed):
# 217/USER and 216/GROUP. The service runs as the manager's user (root).
User=
Group=
# PrivateTmp=yes stays on, but the private /tmp hides the manager's notify
# socket (\$XDG_RUNTIME_DIR/systemd/notify lives under /tmp with
# with-systemd), so READY=1 never arrives and the start hangs. Bind the
# socket into the service's namespace; on a real host it is in /run.
BindPaths=%t/systemd/notify
# Test instrumentation, not a change: systemd garbage-collects an inactive
# unit nothing refers to, so right after \`systemctl stop earshot.service
# earshot.socket\` \`systemctl show earshot.service\` may describe a freshly
# loaded unit (Result=success, ExecMainStatus=0, ExecMainPID=0 whatever
# happened). Record what systemd saw when the daemon ended; "+" runs this
# outside the sandbox so it can write to the test's folder.
ExecStopPost=+/bin/sh -c 'echo "\$\${SERVICE_RESULT} \$\${EXIT_CODE} \$\${EXIT_STATUS}" >>"\$\$1"' sh $(unit_quote "$EXIT_RECORD")
# Shorter than the shipped 30s so that surviving several watchdog intervals
# takes seconds.
WatchdogSec=${WATCHDOG_SEC}s
$bind_settings
$log_settings
EOF

cat >"$UNIT_DIR/$SOCKET_UNIT.d/test.conf" <<'EOF'
# Written by scripts/systemd-e2e.sh.
[Socket]
# The "earshot" group comes from earshot.sysusers, which is not installed on
# this machine: the socket unit would fail with "Failed to resolve group".
SocketGroup=
EOF

if sctl daemon-reload; then
  ok "systemctl --user daemon-reload with the shipped units and test drop-ins"
else
  not_ok "systemctl --user daemon-reload with the shipped units and test drop-ins"
fi

# ---------------------------------------------------------------------------
# 3. Socket activation, reload, watchdog, stop.

if sctl start "$SOCKET_UNIT" && [[ $(prop "$SOCKET_UNIT" ActiveState) == active ]]; then
  ok "earshot.socket starts and listens ($(prop "$SOCKET_UNIT" SubState))"
else
  not_ok "earshot.socket starts and listens" "$(unit_state "$SOCKET_UNIT")"
fi

state=$(prop "$SERVICE" ActiveState)
if [[ $state == inactive ]]; then
  ok "earshot.service is inactive before the first connection"
else
  not_ok "earshot.service is inactive before the first connection" "ActiveState=$state"
fi

mode=$(stat -c '%a' "$SOCK" 2>/dev/null)
if [[ -S $SOCK && $mode == 660 ]]; then
  ok "socket file exists at %t/earshot/earshot.sock with mode 0660"
else
  not_ok "socket file exists at %t/earshot/earshot.sock with mode 0660" "path $SOCK, mode '${mode:-missing}'"
fi

reply=$(request '{"id":1,"op":"ping"}')
if [[ $reply == *'"id":1'* && $reply == *'"pong":true'* ]]; then
  ok "ping through the socket answers pong (socket activation)"
else
  not_ok "ping through the socket answers pong (socket activation)" "reply: $reply"
fi

service_running() { [[ $(prop "$SERVICE" ActiveState) == active && $(prop "$SERVICE" SubState) == running ]]; }
if wait_until 10 service_running; then
  ok "earshot.service is active (running) after the first connection"
else
  not_ok "earshot.service is active (running) after the first connection" "$(unit_state "$SERVICE")"
fi
main_pid=$(prop "$SERVICE" MainPID)
status=$(prop "$SERVICE" StatusText)
if [[ ${main_pid:-0} -gt 0 && $status == serving* ]]; then
  ok "READY=1 with STATUS: MainPID=$main_pid, StatusText \"$status\""
else
  not_ok "READY=1 with STATUS: MainPID set and StatusText starting with \"serving\"" \
    "MainPID=$main_pid StatusText=\"$status\""
fi

# The shipped hardening is in force on the daemon itself (as read by root
# from outside): no capabilities, no_new_privs, a seccomp filter, / read-only
# (ProtectSystem=strict), /home masked (ProtectHome=), its own /tmp.
proc_status=$(cat "/proc/$main_pid/status" 2>/dev/null)
field() { awk -v k="$1:" '$1 == k { print $2 }' <<<"$proc_status"; }
root_mount=$(awk '$5 == "/" { print $6 }' "/proc/$main_pid/mountinfo" 2>/dev/null | tail -n 1)
home_mode=$(stat -c '%a' "/proc/$main_pid/root/home" 2>/dev/null)
if [[ $(field CapBnd) == 0000000000000000 && $(field CapEff) == 0000000000000000 &&
      $(field NoNewPrivs) == 1 && $(field Seccomp) == 2 && $root_mount == ro,* &&
      $home_mode == 0 && -d $WORK && ! -e /proc/$main_pid/root$WORK ]]; then
  ok "sandbox in force on the daemon: no capabilities, NoNewPrivs, seccomp filter, / read-only, /home masked, private /tmp"
else
  not_ok "sandbox in force on the daemon: no capabilities, NoNewPrivs, seccomp filter, / read-only, /home masked, private /tmp" \
    "CapBnd=$(field CapBnd) CapEff=$(field CapEff) NoNewPrivs=$(field NoNewPrivs) Seccomp=$(field Seccomp)" \
    "/ options=$root_mount, /home mode=${home_mode:-?}, $WORK visible: $([[ -e /proc/$main_pid/root$WORK ]] && echo yes || echo no)"
fi

if sctl reload "$SERVICE"; then
  ok "systemctl --user reload earshot.service succeeds"
else
  not_ok "systemctl --user reload earshot.service succeeds" "$(unit_state "$SERVICE")"
fi
# systemd 252 ends the reload job when ExecReload= (kill -HUP) exits; the
# daemon's RELOADING=1 ... READY=1 may still be in flight, so poll (bounded).
reloads_ok() {
  local info
  info=$(request '{"id":2,"op":"info"}')
  reloads_ok_value=$(grep -o '"reloads":{[^{}]*}' <<<"$info" | grep -o '"ok":[0-9]*' | cut -d: -f2)
  [[ $reloads_ok_value == 1 ]]
}
if wait_until 10 reloads_ok; then
  ok "info after the reload shows reloads.ok == 1"
else
  not_ok "info after the reload shows reloads.ok == 1" "reloads.ok=${reloads_ok_value:-none}" \
    "info: $(request '{"id":2,"op":"info"}')"
fi
wait_until 10 service_running
pid=$(prop "$SERVICE" MainPID)
state=$(prop "$SERVICE" ActiveState)
status=$(prop "$SERVICE" StatusText)
if [[ $pid == "$main_pid" && $state == active && $status == serving* ]]; then
  ok "after the reload: same MainPID, active, StatusText \"$status\""
else
  not_ok "after the reload: same MainPID, active, StatusText starting with \"serving\"" \
    "MainPID $main_pid -> $pid, ActiveState=$state, StatusText=\"$status\""
fi

watchdog=$(prop "$SERVICE" WatchdogUSec)
ping_before=$(prop "$SERVICE" WatchdogTimestampMonotonic)
sleep $((WATCHDOG_SEC * 5 / 2))
ping_after=$(prop "$SERVICE" WatchdogTimestampMonotonic)
pid=$(prop "$SERVICE" MainPID)
state=$(prop "$SERVICE" ActiveState)
restarts=$(prop "$SERVICE" NRestarts)
if [[ $watchdog == "${WATCHDOG_SEC}s" && $pid == "$main_pid" && $state == active && $restarts == 0 ]]; then
  ok "watchdog: still active after $((WATCHDOG_SEC * 5 / 2))s with WatchdogSec=${WATCHDOG_SEC}s (same MainPID, NRestarts=0)"
else
  not_ok "watchdog: still active after $((WATCHDOG_SEC * 5 / 2))s with WatchdogSec=${WATCHDOG_SEC}s (same MainPID, NRestarts=0)" \
    "WatchdogUSec=$watchdog MainPID $main_pid -> $pid ActiveState=$state NRestarts=$restarts"
fi
if [[ ${ping_after:-0} -gt ${ping_before:-0} ]]; then
  ok "watchdog: WATCHDOG=1 keep-alives arrive (WatchdogTimestamp advanced)"
else
  not_ok "watchdog: WATCHDOG=1 keep-alives arrive (WatchdogTimestamp advanced)" \
    "WatchdogTimestampMonotonic $ping_before -> $ping_after"
fi

reply=$(request '{"id":3,"op":"ping"}')
if [[ $reply == *'"pong":true'* ]]; then
  ok "ping still answers after reload and watchdog wait"
else
  not_ok "ping still answers after reload and watchdog wait" "reply: $reply"
fi

if sctl stop "$SERVICE" "$SOCKET_UNIT"; then
  ok "systemctl --user stop earshot.service earshot.socket"
else
  not_ok "systemctl --user stop earshot.service earshot.socket" "$(unit_state "$SERVICE")"
fi
# Result=success alone would also accept a daemon killed by SIGTERM (systemd
# counts that as a clean stop): require EXIT_CODE=exited with status 0.
record=$(tail -n 1 "$EXIT_RECORD" 2>/dev/null)
if [[ $record == "success exited 0" ]]; then
  ok "SIGTERM: the daemon exits 0 by itself (Result=success, ExecMainCode=exited, ExecMainStatus=0)"
else
  not_ok "SIGTERM: the daemon exits 0 by itself (Result=success, ExecMainCode=exited, ExecMainStatus=0)" \
    "ExecStopPost saw SERVICE_RESULT EXIT_CODE EXIT_STATUS = '${record:-nothing recorded}'"
fi
shown=$(sctl show -p InvocationID,Result,ExecMainCode,ExecMainStatus "$SERVICE" | tr '\n' ' ')
if [[ $shown == *"InvocationID= "* ]]; then
  echo "# systemctl show after the stop: unit already garbage-collected, its values are defaults: $shown"
elif [[ $shown == *"Result=success "* && $shown == *"ExecMainCode=1 "* && $shown == *"ExecMainStatus=0 "* ]]; then
  ok "systemctl show after the stop: Result=success, ExecMainCode=1 (exited), ExecMainStatus=0"
else
  not_ok "systemctl show after the stop: Result=success, ExecMainCode=1 (exited), ExecMainStatus=0" "$shown"
fi
if [[ ! -e $SOCK && $(prop "$SOCKET_UNIT" ActiveState) == inactive ]]; then
  ok "earshot.socket stopped and removed its socket file (RemoveOnStop=yes)"
else
  not_ok "earshot.socket stopped and removed its socket file (RemoveOnStop=yes)" \
    "$(unit_state "$SOCKET_UNIT")" "$(ls -la "$SOCK" 2>&1)"
fi

if ((failed > 0)); then show_daemon_log; fi
echo "$passed passed, $failed failed"
((failed == 0))
