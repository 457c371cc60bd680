#!/usr/bin/env bash
# The deploy files, checked by the tools that consume them.
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
cd "$top"
passed=0
check() {
  local what=$1; shift
  if "$@" > /tmp/spoolgate-validate.$$ 2>&1; then
    echo "ok: $what"; passed=$((passed + 1))
  else
    echo "FAIL: $what"; cat /tmp/spoolgate-validate.$$; rm -f /tmp/spoolgate-validate.$$; exit 1
  fi
}
check "docker-compose config" docker-compose -f deploy/docker-compose.yml config -q
check "kubectl kustomize renders the base" kubectl kustomize deploy/k8s
rendered=$(kubectl kustomize deploy/k8s)
for kind in StatefulSet Deployment DaemonSet Service ConfigMap NetworkPolicy PersistentVolumeClaim; do
  [[ $kind == PersistentVolumeClaim ]] && kind=volumeClaimTemplates
  check "k8s base has $kind" grep -q "$kind" <<< "$rendered"
done
check "promtool check config" promtool check config deploy/prometheus/prometheus.yml
check "promtool check rules" promtool check rules deploy/prometheus/alerts.yml
check "yamllint" yamllint -d "{extends: relaxed, rules: {line-length: {max: 120}}}" deploy
check "grafana dashboard is JSON" /usr/bin/python3 -m json.tool deploy/grafana/spoolgate-dashboard.json
check "shellcheck" shellcheck scripts/install-deps scripts/run-local scripts/run-fuzzers bench/run-all \
  .ci/run tests/e2e/*.sh tests/deploy/*.sh
units_name_binaries() {
  local unit binary
  for unit in deploy/systemd/*.service; do
    binary=$(sed -n 's|^ExecStart=/usr/local/bin/\([a-z-]*\).*|\1|p' "$unit")
    [[ -n "$binary" ]] && grep -q "NAME $binary" services/*/CMakeLists.txt || return 1
  done
}
check "systemd units name existing binaries" units_name_binaries
rm -f /tmp/spoolgate-validate.$$
echo "$passed passed, 0 failed"
