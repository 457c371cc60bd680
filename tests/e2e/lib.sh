# Shared by the end-to-end shell tests: a private loopback, a work dir, the
# processes to stop at exit, and ok/fail reporting. Source it, then use
# `pids+=($!)` for every background process and `ok`/`fail`.
# shellcheck shell=bash
ip link set lo up
work=$(mktemp -d)
pids=()
passed=0
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
ok() { echo "ok: $*"; passed=$((passed + 1)); }
# Prints the last lines of every log in $work and exits non-zero.
fail() {
  echo "FAIL: $*"
  for log in "$work"/*.log; do [[ -f "$log" ]] && { echo "--- $log"; tail -20 "$log"; }; done
  exit 1
}
# Waits up to 10 s until something listens on 127.0.0.1:$1.
wait_port() {
  for _ in $(seq 100); do (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0; sleep 0.1; done
  return 1
}
# Least privilege as deployed: writes $work/tokens for the spooler (one
# credential per role) and a token file per role. Use the arrays as flags:
#   spooler "${spooler_auth[@]}", gateways "${intake_auth[@]}",
#   printer-agent "${agent_auth[@]}", spoolctl "${admin_auth[@]}".
make_role_tokens() {
  local role
  : > "$work/tokens"
  for role in intake agent admin; do
    printf '%s' "$role-token-$RANDOM$RANDOM" > "$work/$role.token"
    printf '%s test-%s sha256:%s\n' "$role" "$role" \
      "$(sha256sum < "$work/$role.token" | cut -d' ' -f1)" >> "$work/tokens"
  done
  # shellcheck disable=SC2034  # used by the scripts that source this file
  spooler_auth=(--tokens_file="$work/tokens")
  # shellcheck disable=SC2034
  intake_auth=(--token_file="$work/intake.token")
  # shellcheck disable=SC2034
  agent_auth=(--token_file="$work/agent.token")
  # shellcheck disable=SC2034
  admin_auth=(--token_file="$work/admin.token")
}
