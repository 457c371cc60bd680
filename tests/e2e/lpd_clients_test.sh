#!/usr/bin/env bash
# Real LPD clients (LPRng lpr/lpq/lprm, rlpr/rlpq/rlprm) against the real
# spooler, lpd-gateway and printer-agent. Runs inside a private network
# namespace with only loopback (ctest starts it under `unshare -n`), because
# LPRng looks host names up by itself; fixed ports are safe there.
# Usage: lpd_clients_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

q=office@127.0.0.1%5515
make_role_tokens  # the gateway holds only the intake role, the agent only agent
ctl() { "$build/tools/spoolctl/spoolctl" --spooler=127.0.0.1:7600 "${admin_auth[@]}" "$@"; }

"$build/services/spooler/spooler" --data_dir="$work/data" --queues=office "${spooler_auth[@]}" \
  --listen=127.0.0.1:7600 --metrics_listen= --min_free_disk_bytes=0 2>"$work/spooler.log" &
pids+=($!)
wait_port 7600 || fail "the spooler does not listen"  # may be slow to open (sanitizers)
"$build/services/lpd-gateway/lpd-gateway" --spooler=127.0.0.1:7600 "${intake_auth[@]}" \
  --listen=127.0.0.1:5515 --metrics_listen= 2>"$work/lpd.log" &
pids+=($!)
wait_port 5515 || fail "nothing listens on 5515"

# --- jobs, no printer attached yet: job ids are 1, 2, ... in this order
printf 'plain text\nsecond line\n' > "$work/text.txt"
head -c 300000 /dev/urandom > "$work/binary.bin"
printf 'from stdin\n' > "$work/stdin.txt"
printf 'streamed with -k\n' > "$work/stream.txt"
printf 'rlpr text\n' > "$work/rlpr.txt"
: > "$work/empty"
declare -A want  # job id -> expected sha256 on the device

lpr -P "$q" "$work/text.txt" || fail "lpr text"
want[1]=$(sha256sum < "$work/text.txt" | cut -d' ' -f1)
lpr -l -P "$q" "$work/binary.bin" || fail "lpr -l binary"
want[2]=$(sha256sum < "$work/binary.bin" | cut -d' ' -f1)
lpr -P "$q" < "$work/stdin.txt" || fail "lpr stdin"
want[3]=$(sha256sum < "$work/stdin.txt" | cut -d' ' -f1)
lpr -k -P "$q" < "$work/stream.txt" || fail "lpr -k (stdin streamed, count 0)"
want[4]=$(sha256sum < "$work/stream.txt" | cut -d' ' -f1)
lpr -l -P "$q" "$work/text.txt" "$work/binary.bin" || fail "lpr two files"
want[5]=$(cat "$work/text.txt" "$work/binary.bin" | sha256sum | cut -d' ' -f1)
lpr -C Z -l -P "$q" "$work/text.txt" || fail "lpr priority class"
want[6]=${want[1]}
rlpr -N -H 127.0.0.1 --port=5515 -P office -l "$work/rlpr.txt" || fail "rlpr"
want[7]=$(sha256sum < "$work/rlpr.txt" | cut -d' ' -f1)
rlpr -N -H 127.0.0.1 --port=5515 -P office "$work/empty" 2>/dev/null || fail "rlpr empty file"
want[8]=$(sha256sum < "$work/empty" | cut -d' ' -f1)
ok "8 jobs sent with lpr (text, -l, stdin, -k, two files, class Z) and rlpr (text, empty)"

# --- lpq: all pending, the class Z job (priority 25) first
listing=$(lpq -s -P "$q")
echo "$listing"
[[ $(echo "$listing" | grep -c ' bytes$') == 8 ]] || fail "lpq does not list 8 jobs"
[[ $(echo "$listing" | awk '/^1st/ {print $3}') == 6 ]] || fail "priority job is not 1st"
[[ $(echo "$listing" | awk '/^2nd/ {print $3}') == 1 ]] || fail "FIFO order broken"
rlpq -N -H 127.0.0.1 --port=5515 -P office | grep -q "no printer attached" || fail "rlpq"
lpq -P "$q" | grep -q "\[job 6" || fail "lpq long format"
ok "lpq/rlpq list pending jobs in priority order"

# --- lprm: own job yes, somebody else's no
lpr -U alice -P "$q" "$work/text.txt" || fail "lpr -U alice"   # job 9
lpr -U bob -P "$q" "$work/text.txt" || fail "lpr -U bob"       # job 10
lprm -U bob -P "$q" 9 | grep -q "permission denied" || fail "bob removed alice's job"
lprm -U bob -P "$q" 10 | grep -q "dequeued" || fail "bob could not remove his job"
rlprm -N -H 127.0.0.1 --port=5515 -P office 9 | grep -q "permission denied" || fail "rlprm"
ctl jobs --json | grep -q '"id":"9"' || fail "job 9 vanished"
ctl jobs --all --json | grep '"id":"10"' | grep -q CANCELLED || fail "job 10 not cancelled"
lprm -U alice -P "$q" 9 | grep -q dequeued || fail "alice could not remove her job"
ok "lprm removes one's own job and is refused for another user's"

# --- print: the bytes on the dir: device match
"$build/services/printer-agent/printer-agent" --spooler=127.0.0.1:7600 "${agent_auth[@]}" \
  --printer="p1=office=dir:$work/out" --metrics_listen= 2>"$work/agent.log" &
pids+=($!)
for id in "${!want[@]}"; do
  for _ in $(seq 300); do [[ -f "$work/out/$id" ]] && break; sleep 0.1; done
  [[ -f "$work/out/$id" ]] || fail "job $id never printed"
  got=$(sha256sum < "$work/out/$id" | cut -d' ' -f1)
  [[ "$got" == "${want[$id]}" ]] || fail "job $id printed wrong bytes"
done
ok "all 8 jobs printed byte-identical"

# --- quota: two jobs per user per hour on "metered"; the third is refused
ctl queue add metered >/dev/null || fail "queue add metered"
ctl queue set metered --quota_period=1h --quota_jobs=2 >/dev/null || fail "queue set quota"
m=metered@127.0.0.1%5515
lpr -U carol -P "$m" "$work/text.txt" || fail "quota: first job refused"
lpr -U carol -P "$m" "$work/text.txt" || fail "quota: second job refused"
if out=$(lpr -U carol -P "$m" "$work/text.txt" 2>&1); then fail "quota: third job accepted"; fi
echo "$out"
grep -q "quota" <<< "$out" || fail "lpr does not show the quota reason"
lpr -U dave -P "$m" "$work/text.txt" || fail "quota: another user refused"
ctl quota show carol | grep -q "metered .* 2 .* 2 " || fail "quota show carol"
ok "quota: lpr shows the refusal and its reason; other users still print"
echo "$passed passed, 0 failed"
