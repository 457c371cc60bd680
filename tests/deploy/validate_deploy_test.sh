#!/usr/bin/env bash
# The deploy files, checked by the tools that consume them.
# Usage: validate_deploy_test.sh BUILD_DIR
set -euo pipefail
top=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:?usage: $0 BUILD_DIR}" && pwd)
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
for configmap in grafana-datasources grafana-dashboard-providers grafana-dashboards; do
  check "k8s base provisions Grafana: $configmap" grep -q "name: $configmap-" <<< "$rendered"
done
check "compose provisions Grafana" grep -q "/etc/grafana/provisioning" deploy/docker-compose.yml
check "promtool check config" promtool check config deploy/prometheus/prometheus.yml
check "promtool check rules" promtool check rules deploy/prometheus/alerts.yml
check "yamllint" yamllint -d "{extends: relaxed, rules: {line-length: {max: 120}}}" deploy
check "grafana dashboard is JSON" /usr/bin/python3 -m json.tool deploy/grafana/spoolgate-dashboard.json
check "shellcheck" shellcheck -x scripts/install-deps scripts/run-local scripts/run-fuzzers bench/run-all deploy/k8s/make-credentials \
  scripts/container-test scripts/fresh-test scripts/lib/*.sh .ci/run tests/e2e/*.sh tests/deploy/*.sh
units_name_binaries() {
  local unit binary
  for unit in deploy/systemd/*.service; do
    binary=$(sed -n 's|^ExecStart=/usr/local/bin/\([a-z-]*\).*|\1|p' "$unit")
    [[ -n "$binary" ]] && grep -q "NAME $binary" services/*/CMakeLists.txt || return 1
  done
}
check "systemd units name existing binaries" units_name_binaries
# The example configs the units and the docs point to load in their service.
for config in deploy/config/*.yaml; do
  service=$(basename "$config" .yaml)
  check "deploy/config/$service.yaml loads" "$build/services/$service/$service" \
    --config="$config" --print_config
done
units_reference_shipped_configs() {
  local unit config
  for unit in deploy/systemd/*.service; do
    config=$(sed -n 's|^ExecStart=.*--config=/etc/spoolgate/\([a-z-]*\.yaml\).*|\1|p' "$unit")
    [[ -n "$config" && -f "deploy/config/$config" ]] || { echo "$unit: no shipped config"; return 1; }
  done
}
check "systemd units use the shipped configs" units_reference_shipped_configs
# systemd-analyze verify wants the binaries where ExecStart says: point the
# units at the build tree's.
units=$(mktemp -d)
for unit in deploy/systemd/*.service; do
  sed -E "s|^ExecStart=/usr/local/bin/([a-z-]+)|ExecStart=$build/services/\1/\1|" "$unit" \
    > "$units/$(basename "$unit")"
done
check "systemd-analyze verify" systemd-analyze verify "$units"/*.service
rm -rf "$units"
rm -f /tmp/spoolgate-validate.$$
echo "$passed passed, 0 failed"
