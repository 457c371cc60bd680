#!/usr/bin/env bash
# A full disk keeps every promise. The spooler's data dir is a 48 MiB tmpfs
# mounted in a private mount namespace (ctest starts this under
# `unshare -m -n`), with the free-space threshold off so that real ENOSPC
# errors happen:
# - a job bigger than the free space is refused on LPD (code 2), FTP (452)
#   and gRPC (RESOURCE_EXHAUSTED), and the refusal comes at once, not after
#   a client timeout;
# - a small job is taken again right after, without a restart;
# - with the disk filled to the last bytes, RocksDB's own writes fail; once
#   the filler is removed the spooler takes jobs again by itself;
# - every job acknowledged before survives a kill -9 and prints byte-exact.
# Usage: disk_full_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

data="$work/data"
mkdir -p "$data" "$work/printed"
mount -t tmpfs -o size=48m tmpfs "$data" || fail "cannot mount a tmpfs (needs root and unshare -m)"
finish() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  umount "$data" 2>/dev/null || true
  rm -rf "$work"
}
trap finish EXIT
ctl() { "$build/tools/spoolctl/spoolctl" --spooler=127.0.0.1:7601 "$@"; }

start_spooler() {
  "$build/services/spooler/spooler" --data_dir="$data" --queues=office \
    --listen=127.0.0.1:7601 --metrics_listen=127.0.0.1:9561 --min_free_disk_bytes=0 \
    2>>"$work/spooler.log" &
  spooler_pid=$!
  pids+=("$spooler_pid")
  wait_port 7601 || fail "the spooler does not listen"
}
start_spooler
"$build/services/lpd-gateway/lpd-gateway" --spooler=127.0.0.1:7601 \
  --listen=127.0.0.1:5516 --metrics_listen= 2>"$work/lpd.log" &
pids+=($!)
"$build/services/ftp-gateway/ftp-gateway" --spooler=127.0.0.1:7601 \
  --listen=127.0.0.1:2122 --metrics_listen= 2>"$work/ftp.log" &
pids+=($!)
wait_port 5516 || fail "nothing listens on 5516"
wait_port 2122 || fail "nothing listens on 2122"

# Sends one LPD job of `size` bytes of `byte`; prints the acks it got
# ("0 0 0 0 0" for a whole job) and stops at the first refusal.
lpd_job() {
  python3 - "$1" "$2" "$3" <<'EOF'
import socket, sys
size, byte, number = int(sys.argv[1]), sys.argv[2].encode(), sys.argv[3]
s = socket.create_connection(("127.0.0.1", 5516), timeout=30)
acks = []
def ack():
    c = s.recv(1)
    acks.append(str(c[0]) if c else "closed")
    return c == b"\0"
control = f"Hdiskhost\nPalice\nldfA{number}diskhost\n".encode()
try:
    ok = (s.sendall(b"\x02office\n") or ack()) and \
         (s.sendall(b"\x02%d cfA%sdiskhost\n" % (len(control), number.encode())) or ack()) and \
         (s.sendall(control + b"\0") or ack()) and \
         (s.sendall(b"\x03%d dfA%sdiskhost\n" % (size, number.encode())) or ack())
    if ok:
        block = byte * (1 << 20)
        sent = 0
        while sent < size:
            n = min(len(block), size - sent)
            s.sendall(block[:n])
            sent += n
        s.sendall(b"\0")
        ack()
except (BrokenPipeError, ConnectionResetError):
    # The gateway refused and closed while the data was still coming: the
    # refusal octet is what it sent before closing.
    try:
        c = s.recv(1)
        acks.append(str(c[0]) if c else "closed")
    except OSError:
        acks.append("reset")
print(" ".join(acks))
EOF
}

# --- jobs acknowledged while there is room
declare -A want
for i in 1 2 3; do head -c $((20000 * i)) /dev/urandom > "$work/small$i"; done
for i in 1 2; do
  id=$(ctl print "$work/small$i" --queue=office) || fail "spoolctl print small$i"
  want[$id]=$(sha256sum < "$work/small$i" | cut -d' ' -f1)
done
[[ $(lpd_job 300000 a 101) == "0 0 0 0 0" ]] || fail "a small LPD job was refused"
curl -sS -T "$work/small3" "ftp://127.0.0.1:2122/office/" >/dev/null || fail "a small FTP upload failed"
ok "jobs acknowledged on gRPC, LPD and FTP while there is room"

# --- a job bigger than the free space, on each protocol
start=$(date +%s)
acks=$(lpd_job $((64 << 20)) b 102)
echo "LPD acks for 64 MiB: $acks"
[[ $acks == "0 0 0 0 2"* ]] || fail "64 MiB over LPD: not refused with code 2 ($acks)"
(( $(date +%s) - start < 30 )) || fail "the LPD refusal took $(( $(date +%s) - start )) s"
head -c $((64 << 20)) /dev/zero > "$work/big"
reply=$(curl -sS -T "$work/big" "ftp://127.0.0.1:2122/office/" 2>&1) && fail "64 MiB over FTP was taken"
echo "$reply" | grep -q "452" || fail "64 MiB over FTP: no 452 ($reply)"
out=$(ctl print "$work/big" --queue=office 2>&1) && fail "64 MiB over gRPC was taken"
echo "$out" | grep -qi "RESOURCE_EXHAUSTED\|space" || fail "64 MiB over gRPC: $out"
ok "a job bigger than the free space is refused: LPD code 2, FTP 452, gRPC RESOURCE_EXHAUSTED"

# --- room again at once: the refused jobs' files are gone
id=$(ctl print "$work/small1" --queue=office) || fail "a small job after the refusals"
want[$id]=$(sha256sum < "$work/small1" | cut -d' ' -f1)
ok "a small job is taken right after, without a restart"

# --- RocksDB's own writes fail with the disk full to the last bytes
free_kib=$(df --output=avail -k "$data" | tail -1)
head -c $(( (free_kib - 8) * 1024 )) /dev/zero > "$data/filler" 2>/dev/null || true
refused=0
for i in $(seq 1 100); do
  head -c 200000 /dev/urandom > "$work/fill$i"
  if ! ctl print "$work/fill$i" --queue=office >/dev/null 2>&1; then refused=1; break; fi
done
(( refused )) || fail "the disk never filled up"
grep -q "commit: IO error: No space left" "$work/spooler.log" ||
  fail "RocksDB's own writes never ran out of space"
rm -f "$data/filler"
taken=0
for _ in $(seq 1 50); do
  if id=$(ctl print "$work/small2" --queue=office 2>/dev/null); then taken=1; break; fi
  sleep 0.2
done
(( taken )) || fail "no job is taken after the space was freed"
want[$id]=$(sha256sum < "$work/small2" | cut -d' ' -f1)
metric_is() {  # waits up to 5 s for a metric line
  for _ in $(seq 1 50); do
    curl -sf "http://127.0.0.1:9561/metrics" | grep -q "^$1\$" && return 0
    sleep 0.1
  done
  return 1
}
metric_is "spoolgate_spooler_store_writes_stopped 0" || fail "the store still reports stopped writes"
ok "with the disk full to the last byte jobs are refused; freed, they are taken again without a restart"

# --- every acknowledged job survives kill -9 and prints byte-exact
kill -9 "$spooler_pid"
wait "$spooler_pid" 2>/dev/null || true
start_spooler
"$build/services/printer-agent/printer-agent" --spooler=127.0.0.1:7601 \
  --printer=p=office=dir:"$work/printed" --metrics_listen= 2>"$work/agent.log" &
pids+=($!)
for id in "${!want[@]}"; do
  for _ in $(seq 1 100); do [[ -f "$work/printed/$id" ]] && break; sleep 0.1; done
  [[ -f "$work/printed/$id" ]] || fail "acknowledged job $id did not print after the restart"
  [[ $(sha256sum < "$work/printed/$id" | cut -d' ' -f1) == "${want[$id]}" ]] ||
    fail "job $id printed with other bytes"
done
ok "${#want[@]} acknowledged jobs survive kill -9 and print byte-exact"
echo "disk full: $passed checks passed"
