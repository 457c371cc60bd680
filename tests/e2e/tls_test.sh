#!/usr/bin/env bash
# TLS and roles with a test CA: spoolctl (admin token), the printer agent
# (its client certificate names its role) and the LPD gateway (intake token)
# work over mutual TLS; plain connections, connections without a client
# certificate, calls without a known credential and calls outside a role are
# refused. Runs in a private network namespace (fixed ports).
# Usage: tls_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
# shellcheck source=tests/e2e/lib.sh
source "$(dirname "$0")/lib.sh"

cd "$work"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=Spoolgate test CA" \
  -keyout ca.key -out ca.pem 2>/dev/null
make_cert() {  # name, subjectAltName
  openssl req -newkey rsa:2048 -nodes -subj "/CN=$1" -keyout "$1.key" -out "$1.csr" 2>/dev/null
  printf 'subjectAltName=%s\n' "$2" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
    -extfile "$1.ext" -out "$1.pem" 2>/dev/null
}
make_cert spooler "IP:127.0.0.1,DNS:localhost"
make_cert client "DNS:client"
make_cert agent "DNS:printroom.office"
echo "s3cret-token" > token
echo "wrong-token" > wrong
printf 'intake-token' > intake.token
printf 'intake lpd-gw sha256:%s\nagent printroom cert:printroom.office\n' \
  "$(sha256sum < intake.token | cut -d' ' -f1)" > tokens

"$build/services/spooler/spooler" --data_dir="$work/data" --queues=office --listen=127.0.0.1:7600 \
  --metrics_listen= --min_free_disk_bytes=0 --tls_cert=spooler.pem --tls_key=spooler.key \
  --tls_client_ca=ca.pem --admin_token_file=token --tokens_file=tokens 2>spooler.log &
pids+=($!)
wait_port 7600 || fail "nothing listens on 7600"

tls=(--tls_ca=ca.pem --tls_cert=client.pem --tls_key=client.key)
ctl() { "$build/tools/spoolctl/spoolctl" --spooler=127.0.0.1:7600 "$@"; }
ctl "${tls[@]}" --admin_token_file=token queues | grep -q office || fail "spoolctl over TLS with token"
ok "spoolctl over mutual TLS with the token"

set +e
out=$(ctl "${tls[@]}" queues 2>&1); rc=$?
set -e
[[ $rc == 1 && $out == *"certificate 'client' has no role"* ]] || fail "no token: rc=$rc $out"
set +e
ctl "${tls[@]}" --admin_token_file=wrong queues >/dev/null 2>&1; rc_wrong=$?
ctl --admin_token_file=token queues >/dev/null 2>&1; rc_plain=$?
ctl --tls_ca=ca.pem --admin_token_file=token queues >/dev/null 2>&1; rc_nocert=$?
set -e
[[ $rc_wrong == 1 ]] || fail "wrong token accepted (rc=$rc_wrong)"
ok "the spooler refuses a missing or wrong token"
set +e
out=$(ctl "${tls[@]}" --token_file=intake.token queue add other 2>&1); rc=$?
set -e
[[ $rc == 1 && $out == *"role intake"* ]] || fail "intake token created a queue: rc=$rc $out"
ok "the intake role may not administer"
[[ $rc_plain == 3 ]] || fail "plain connection not refused (rc=$rc_plain)"
[[ $rc_nocert == 3 ]] || fail "TLS without a client certificate not refused (rc=$rc_nocert)"
ok "plain TCP and TLS without a client certificate are refused"

echo "over tls" > job.txt
id=$(ctl "${tls[@]}" --token_file=intake.token print job.txt --queue=office) || fail "print over TLS"
"$build/services/printer-agent/printer-agent" --spooler=127.0.0.1:7600 \
  --tls_ca=ca.pem --tls_cert=agent.pem --tls_key=agent.key \
  --printer="p=office=dir:$work/out" --metrics_listen= 2>agent.log &
pids+=($!)
for _ in $(seq 100); do [[ -f "out/$id" ]] && break; sleep 0.1; done
cmp -s job.txt "out/$id" || fail "agent over TLS did not print the job"
ok "printer-agent attaches and prints over TLS, its certificate naming its role"

"$build/services/lpd-gateway/lpd-gateway" --spooler=127.0.0.1:7600 "${tls[@]}" \
  --token_file=intake.token --listen=127.0.0.1:5515 --metrics_listen= 2>lpd.log &
pids+=($!)
wait_port 5515 || fail "nothing listens on 5515"
exec 3<>/dev/tcp/127.0.0.1/5515
printf '\003office\n' >&3
listing=$(timeout 10 cat <&3)
exec 3>&-
[[ $listing == *"office is ready"* ]] || fail "lpq through the gateway over TLS: $listing"
ok "lpd-gateway answers lpq over TLS with the intake role"
echo "$passed passed, 0 failed"
