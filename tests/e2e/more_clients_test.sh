#!/usr/bin/env bash
# Clients whose Debian packages conflict with LPRng, unpacked by
# scripts/install-deps under /opt/spoolgate-test-clients: BSD lpr/lpq/lprm
# (through BSD lpd, as on a BSD or old Debian desktop) and the lpd backend
# that a CUPS server uses to print to an LPD queue; plus inetutils' ftp.
# Runs in a private network and mount namespace (ctest starts it under
# `unshare -n -m`): BSD lpd needs its printcap at /etc/printcap and its
# socket at /dev/printer, its lock under /var/spool/lpd and its pid file in
# /run, which are replaced here and nowhere else.
# Usage: more_clients_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
clients=/opt/spoolgate-test-clients
[[ -x $clients/lpr/usr/bin/lpr && -x $clients/cups/usr/lib/cups/backend-available/lpd ]] ||
  fail "run scripts/install-deps: $clients is missing"
mount --make-rprivate /
chmod 755 "$work"  # BSD lpr and lpd work as daemon/lp in the spool below it
# The bind mounts below must go before lib.sh's cleanup removes $work.
trap 'umount -l /dev /run /var/spool "$work/keep/"* /etc/printcap 2>/dev/null || true; cleanup' EXIT

make_role_tokens  # gateways hold only the intake role, the agent only agent
ctl() { "$build/tools/spoolctl/spoolctl" --spooler=127.0.0.1:7600 "${admin_auth[@]}" "$@"; }
printf 'queues:\n  - {name: office, accepting: true, enabled: true, banners: true}\n  - {name: held, accepting: true, enabled: false}\n' \
  > "$work/spooler.yaml"
"$build/services/spooler/spooler" --config="$work/spooler.yaml" --data_dir="$work/data" \
  --listen=127.0.0.1:7600 --metrics_listen= --min_free_disk_bytes=0 --admin_hosts=127.0.0.0/8 \
  "${spooler_auth[@]}" \
  2>"$work/spooler.log" &
pids+=($!)
wait_port 7600 || fail "the spooler does not listen"  # may be slow to open (sanitizers)
mkdir -p "$work/out"
"$build/services/printer-agent/printer-agent" --spooler=127.0.0.1:7600 "${agent_auth[@]}" \
  --printer="p1=office=dir:$work/out" --metrics_listen= 2>"$work/agent.log" &
pids+=($!)
# BSD lpd forwards to port 515 of its rm= host, and treats 127.0.0.1 as
# itself: the gateway listens on 127.0.0.2:515.
"$build/services/lpd-gateway/lpd-gateway" --spooler=127.0.0.1:7600 "${intake_auth[@]}" \
  --listen=127.0.0.2:515 --metrics_listen= 2>"$work/lpd.log" &
pids+=($!)
"$build/services/ftp-gateway/ftp-gateway" --spooler=127.0.0.1:7600 --listen=127.0.0.1:2121 \
  "${intake_auth[@]}" --metrics_listen= 2>"$work/ftp.log" &
pids+=($!)
wait_port 2121 || fail "nothing listens on 2121"

# Job id of the newest job, and a wait until job $1 is printed with sha256 $2.
newest() { ctl jobs --all --json | sed -n 's/^{"id":"\([0-9]*\)".*/\1/p' | sort -n | tail -1; }
printed() {
  for _ in $(seq 300); do
    [[ -f "$work/out/$1" ]] && [[ $(tail -c "$3" "$work/out/$1" | sha256sum | cut -d' ' -f1) == "$2" ]] &&
      return 0
    sleep 0.1
  done
  fail "job $1 was not printed as sent"
}

# --- BSD lpr -> BSD lpd (secure mode: no TCP listener) -> lpd-gateway
spool="$work/spool"
mkdir -p "$spool/office" "$spool/held" "$work/keep"
chown -R daemon:lp "$spool" && chmod -R 2775 "$spool"
{
  printf 'office|lp:rm=127.0.0.2:rp=office:sd=%s/office:lf=%s/bsd-lpd.log:mx#0:sh:\n' "$spool" "$work"
  printf 'held:rm=127.0.0.2:rp=held:sd=%s/held:lf=%s/bsd-lpd.log:mx#0:sh:\n' "$spool" "$work"
} > "$work/printcap"
mount --bind "$work/printcap" /etc/printcap
for n in null zero urandom; do
  touch "$work/keep/$n"
  mount --bind "/dev/$n" "$work/keep/$n"
done
mount -t tmpfs tmpfs /dev
for n in null zero urandom; do
  touch "/dev/$n"
  mount --bind "$work/keep/$n" "/dev/$n"
done
# lpd daemonizes: stop it with the rest (by its pid file in its spool).
trap 'pkill -f "$clients/lpr/usr/sbin/lpd" 2>/dev/null; umount -l /dev /run /var/spool "$work/keep/"* /etc/printcap 2>/dev/null || true; cleanup' EXIT
# lpd's lock, pid file and master spool directory, private to this test.
mount -t tmpfs tmpfs /var/spool
mkdir -p /var/spool/lpd
mount -t tmpfs tmpfs /run
"$clients/lpr/usr/sbin/lpd" -s
for _ in $(seq 100); do [[ -S /dev/printer ]] && break; sleep 0.05; done
[[ -S /dev/printer ]] || fail "BSD lpd did not start"
head -c 200000 /dev/urandom > "$work/bsd.bin"
"$clients/lpr/usr/bin/lpr" -P office -l -J "bsd job" "$work/bsd.bin"  # -l: binary, unfiltered
for _ in $(seq 100); do [[ -n $(newest) ]] && break; sleep 0.1; done
id=$(newest)
[[ -n $id ]] || fail "BSD lpr: no job arrived"
printed "$id" "$(sha256sum < "$work/bsd.bin" | cut -d' ' -f1)" 200000
ok "BSD lpr through BSD lpd prints byte-exact (job $id)"
"$clients/lpr/usr/bin/lpq" -P office | grep -q "office is ready" || fail "BSD lpq: no queue state"
ok "BSD lpq shows the queue state"
printf 'one\n' | "$clients/lpr/usr/bin/lpr" -P held
printf 'two\n' | "$clients/lpr/usr/bin/lpr" -P held
waiting() { ctl jobs --queue=held --json | grep -c '"state":"JOB_STATE_PENDING"' || true; }
for _ in $(seq 100); do [[ $(waiting) -eq 2 ]] && break; sleep 0.1; done
[[ $(waiting) -eq 2 ]] || fail "BSD lpr: the held queue did not get two jobs"
"$clients/lpr/usr/bin/lprm" -P held - > "$work/lprm.out" 2>&1 || true
for _ in $(seq 50); do [[ $(waiting) -eq 0 ]] && break; sleep 0.1; done
[[ $(waiting) -eq 0 ]] || fail "BSD lprm - as root left jobs: $(cat "$work/lprm.out")"
ok "BSD lprm - as root removes every job of the queue"

# --- the CUPS lpd backend, as cupsd runs it: job user title copies options file
backend="$clients/cups/usr/lib/cups/backend-available/lpd"
for options in "reserve=none" "reserve=none&mode=stream" "reserve=none&order=data,control&banner=on"; do
  head -c 100000 /dev/urandom > "$work/cups.bin"
  before=$(newest)
  DEVICE_URI="lpd://127.0.0.2:515/office?$options" timeout 60 \
    "$backend" 77 carol "cups job" 1 "" "$work/cups.bin" 2>"$work/cups-backend.log" ||
    fail "CUPS lpd backend ($options)"
  id=$(newest)
  [[ $id != "$before" ]] || fail "CUPS lpd backend ($options): no job"
  printed "$id" "$(sha256sum < "$work/cups.bin" | cut -d' ' -f1)" 100000
  ok "CUPS lpd backend ($options) prints byte-exact (job $id)"
done

# --- inetutils ftp, scripted
printf 'inetutils ftp\r\n' > "$work/inetutils.txt"
inetutils-ftp -n -v 127.0.0.1 2121 > "$work/inetutils.out" 2>&1 <<FTP || fail "inetutils-ftp"
user dave secret
binary
cd office
put $work/inetutils.txt inetutils.txt
quit
FTP
grep -q "^226" "$work/inetutils.out" || fail "inetutils-ftp: no 226: $(cat "$work/inetutils.out")"
id=$(newest)
printed "$id" "$(sha256sum < "$work/inetutils.txt" | cut -d' ' -f1)" "$(stat -c %s "$work/inetutils.txt")"
ok "inetutils-ftp prints byte-exact (job $id)"
echo "passed: $passed"
