#!/usr/bin/env bash
# Real FTP clients (curl, lftp, tnftp, ncftpput, busybox ftpput, Python
# ftplib) against the real spooler, ftp-gateway and printer-agent: every
# upload is printed byte-identical on the dir: device. Runs in a private
# network namespace (ctest starts it under `unshare -n`); fixed ports are
# safe there. Usage: ftp_clients_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"
url=ftp://alice:secret@127.0.0.1:2121
make_role_tokens  # the gateway holds only the intake role, the agent only agent

"$build/services/spooler/spooler" --data_dir="$work/data" --queues=office "${spooler_auth[@]}" \
  --listen=127.0.0.1:7600 --metrics_listen= --min_free_disk_bytes=0 2>"$work/spooler.log" &
pids+=($!)
wait_port 7600 || fail "the spooler does not listen"  # may be slow to open (sanitizers)
"$build/services/ftp-gateway/ftp-gateway" --spooler=127.0.0.1:7600 --listen=127.0.0.1:2121 \
  "${intake_auth[@]}" --passive_ports=30000-30009 --metrics_listen= 2>"$work/ftp.log" &
pids+=($!)
"$build/services/printer-agent/printer-agent" --spooler=127.0.0.1:7600 "${agent_auth[@]}" \
  --printer="p1=office=dir:$work/out" --metrics_listen= 2>"$work/agent.log" &
pids+=($!)
wait_port 2121 || fail "nothing listens on 2121"

head -c 500000 /dev/urandom > "$work/job.bin"
printf 'first line\nsecond line\n' > "$work/job.txt"
bin=$(sha256sum < "$work/job.bin" | cut -d' ' -f1)
# ASCII uploads arrive with CRLF line ends, and are printed as they arrive.
crlf=$(sed 's/$/\r/' "$work/job.txt" | sha256sum | cut -d' ' -f1)
expect=()  # sha256 per job, in job id order

curl -sS -T "$work/job.bin" "$url/office/" || fail "curl EPSV"; expect+=("$bin")
curl -sS --disable-epsv -T "$work/job.bin" "$url/office/" || fail "curl PASV"; expect+=("$bin")
curl -sS -P - -T "$work/job.bin" "$url/office/" || fail "curl EPRT"; expect+=("$bin")
curl -sS -P - --disable-eprt -T "$work/job.bin" "$url/office/" || fail "curl PORT"; expect+=("$bin")
curl -sS --use-ascii -T "$work/job.txt" "$url/office/" || fail "curl ASCII"; expect+=("$crlf")
curl -sS --ftp-method nocwd -T "$work/job.bin" "$url/office/renamed.bin" || fail "curl nocwd"; expect+=("$bin")
ok "curl: EPSV, PASV, EPRT, PORT, --use-ascii, --ftp-method nocwd"

lftp -u alice,secret -p 2121 -e "set ftp:ssl-allow no; cd office; put $work/job.bin; bye" 127.0.0.1 \
  || fail "lftp passive"; expect+=("$bin")
lftp -u alice,secret -p 2121 -e "set ftp:ssl-allow no; set ftp:passive-mode no; cd office; put $work/job.bin; bye" \
  127.0.0.1 || fail "lftp active"; expect+=("$bin")
ok "lftp: passive and active"

printf 'user alice secret\nbinary\ncd office\nput %s job.bin\nquit\n' "$work/job.bin" \
  | ftp -n -p -v 127.0.0.1 2121 > "$work/tnftp.out" || fail "tnftp scripted"
grep -q "226" "$work/tnftp.out" || fail "tnftp saw no 226"; expect+=("$bin")
ftp -u "ftp://alice:secret@127.0.0.1:2121/office/url.bin" "$work/job.bin" > /dev/null \
  || fail "tnftp URL mode"; expect+=("$bin")
ok "tnftp: scripted (ftp -n) and URL mode (closes right after 226)"

ncftpput -u alice -p secret -P 2121 127.0.0.1 /office "$work/job.bin" > /dev/null 2>&1 \
  || fail "ncftpput"; expect+=("$bin")
busybox ftpput -u alice -p secret -P 2121 127.0.0.1 office/busybox.bin "$work/job.bin" \
  || fail "busybox ftpput (STOR office/name, no CWD)"; expect+=("$bin")
ok "ncftpput and busybox ftpput"

/usr/bin/python3 - "$work/job.bin" <<'PY' || fail "python ftplib"
import ftplib, sys
for passive in (True, False):
    f = ftplib.FTP()
    f.connect("127.0.0.1", 2121, timeout=30)
    f.login("alice", "secret")
    f.cwd("office")
    f.set_pasv(passive)
    with open(sys.argv[1], "rb") as data:
        reply = f.storbinary("STOR py.bin", data)
    assert reply.startswith("226"), reply
    f.quit()
PY
expect+=("$bin" "$bin")
ok "Python ftplib: passive and active"

# LIST shows queues at / and jobs inside a queue.
curl -sS "$url/" | grep -q " office$" || fail "LIST / does not show the queue"
[[ $(curl -sS -l "$url/office/" | wc -l) -ge 12 ]] || fail "NLST office lacks the jobs"
curl -sS "$url/office/" | grep -q -- "-py.bin$" || fail "LIST office lacks py.bin"
ok "LIST shows queues and jobs"

n=${#expect[@]}
for i in $(seq 1 "$n"); do
  for _ in $(seq 300); do [[ -f "$work/out/$i" ]] && break; sleep 0.1; done
  [[ -f "$work/out/$i" ]] || fail "job $i never printed"
  got=$(sha256sum < "$work/out/$i" | cut -d' ' -f1)
  [[ "$got" == "${expect[$((i - 1))]}" ]] || fail "job $i printed wrong bytes"
done
ok "all $n uploads printed byte-identical"

# --- quota: 600 kB per user per hour on "metered"; the second 500 kB upload is refused
ctl() { "$build/tools/spoolctl/spoolctl" --spooler=127.0.0.1:7600 "${admin_auth[@]}" "$@"; }
ctl queue add metered >/dev/null || fail "queue add metered"
ctl queue set metered --quota_period=1h --quota_bytes=600000 >/dev/null || fail "queue set quota"
curl -sS -T "$work/job.bin" "ftp://carol:x@127.0.0.1:2121/metered/" || fail "quota: first upload refused"
rc=0
out=$(curl -sS -T "$work/job.bin" "ftp://carol:x@127.0.0.1:2121/metered/" 2>&1) || rc=$?
echo "$out"
# curl's exit code 70 is its name for the FTP reply 552.
[[ $rc == 70 ]] || fail "quota: curl exited $rc, not 70 (552 exceeded storage allocation)"
curl -sS -T "$work/job.bin" "ftp://dave:x@127.0.0.1:2121/metered/" || fail "quota: another user refused"
ok "quota: curl gets 552 over quota; other users still print"
echo "$passed passed, 0 failed"
