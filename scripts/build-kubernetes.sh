#!/usr/bin/env bash
# Builds a real Kubernetes control plane from the Go module proxy into a cache outside the
# repository, once: etcd 3.6, kube-apiserver / kube-controller-manager / kube-scheduler 1.36 and
# helm 3.19 (about 10 minutes on 2 cores the first time; later runs print the cached directory).
# No Docker and no kubelet: the chart tests start these on loopback (test-support/kubernetes.ts)
# and the node-agent e2e plays the kubelet. Written from the shared recipe recipes/kubernetes.sh.
#
# Usage: scripts/build-kubernetes.sh [--helm-only] [K8S_DIR]
#   --helm-only: build only helm (a few minutes), for tests that only render the chart.
#   K8S_DIR defaults to $SLUICE_TOOLS_DIR/k8s, else ~/.cache/sluice-tools/k8s.
# Prints the bin directory's absolute path on its last line of stdout; exit 2 when Go is missing.
# Concurrent callers (CI's pre-build and a test building on first use) serialise on a lock file.
set -euo pipefail

KUBE_VERSION=1.36.3
HELM_VERSION=v3.19.0
ETCD_VERSION=v3.6.5
STAGING_VERSION=0.${KUBE_VERSION#1.}
HELM_ONLY=0
if [ "${1:-}" = --helm-only ]; then
  HELM_ONLY=1
  shift
fi
K8S_DIR=${1:-${SLUICE_TOOLS_DIR:-$HOME/.cache/sluice-tools}/k8s}
BIN_DIR="$K8S_DIR/bin"
BINARIES=(helm etcd kube-apiserver kube-controller-manager kube-scheduler)
# Stamped versions: without them the API server reports v0.0.0-master (helm then refuses charts
# with a kubeVersion constraint) and `helm template` renders for Kubernetes 1.20.
KUBE_LDFLAGS="-X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1"
KUBE_LDFLAGS="$KUBE_LDFLAGS -X k8s.io/component-base/version.gitMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
KUBE_LDFLAGS="$KUBE_LDFLAGS -X k8s.io/component-base/version.gitTreeState=clean"
HELM_LDFLAGS="-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION"
HELM_LDFLAGS="$HELM_LDFLAGS -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1"
HELM_LDFLAGS="$HELM_LDFLAGS -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$(echo "$KUBE_VERSION" | cut -d. -f2)"
# A binary counts as built only with the stamp of this recipe next to it (a change here rebuilds).
RECIPE="kube $KUBE_VERSION helm $HELM_VERSION etcd $ETCD_VERSION ldflags 1"

built() { [ -x "$BIN_DIR/$1" ] && [ "$(cat "$BIN_DIR/$1.recipe" 2>/dev/null)" = "$RECIPE" ]; }

all_built() {
  if [ "$HELM_ONLY" = 1 ]; then built helm; return; fi
  for b in "${BINARIES[@]}"; do built "$b" || return 1; done
}

if all_built; then
  echo "$BIN_DIR"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "build-kubernetes: Go is not installed (apt-get install golang-go, or a Go toolchain)" >&2
  exit 2
fi
mkdir -p "$K8S_DIR/src" "$BIN_DIR"
exec 9>"$K8S_DIR/build.lock"
flock 9
# Each binary is built to a temporary name and renamed, so an interrupted build never leaves a
# half-written executable that later runs would take as done.
install_binary() { mv "$1" "$BIN_DIR/$2" && echo "$RECIPE" >"$BIN_DIR/$2.recipe"; }

if ! built helm; then
  tmp=$(mktemp -d)
  GOBIN="$tmp" go install -ldflags "$HELM_LDFLAGS" "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >&2
  install_binary "$tmp/helm" helm
  rm -rf "$tmp"
fi

if all_built; then
  echo "$BIN_DIR"
  exit 0
fi

if ! built etcd; then
  (mkdir -p "$K8S_DIR/src/etcd" && cd "$K8S_DIR/src/etcd" &&
    printf 'module ketcd\n\ngo 1.26.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >go.mod &&
    printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >main.go &&
    go mod tidy >&2 && go build -o etcd.tmp . >&2 && install_binary etcd.tmp etcd)
fi

if ! all_built; then
  (mkdir -p "$K8S_DIR/src/kube" && cd "$K8S_DIR/src/kube" &&
    mod_file=$(go env GOMODCACHE)/cache/download/k8s.io/kubernetes/@v/v$KUBE_VERSION.mod &&
    { [ -f "$mod_file" ] || go mod download "k8s.io/kubernetes@v$KUBE_VERSION" >&2; } &&
    # k8s.io/kubernetes points its staging modules at ./staging: pin each to its published version.
    { printf 'module kube\n\ngo 1.26.0\n\nrequire k8s.io/kubernetes v%s\n\nreplace (\n' "$KUBE_VERSION"
      grep -E '=> ./staging' "$mod_file" | awk -v v="$STAGING_VERSION" '{print "  " $1 " => " $1 " v" v}'
      echo ')'; } >go.mod &&
    for c in kube-apiserver:NewAPIServerCommand kube-controller-manager:NewControllerManagerCommand \
      kube-scheduler:NewSchedulerCommand; do
      mkdir -p "cmd/${c%%:*}"
      printf 'package main\n\nimport (\n\t"os"\n\n\t"k8s.io/component-base/cli"\n\t"k8s.io/kubernetes/cmd/%s/app"\n)\n\nfunc main() { os.Exit(cli.Run(app.%s())) }\n' \
        "${c%%:*}" "${c##*:}" >"cmd/${c%%:*}/main.go"
    done &&
    go mod tidy >&2 &&
    for c in kube-apiserver kube-controller-manager kube-scheduler; do
      built "$c" || { go build -ldflags "$KUBE_LDFLAGS" -o "$c.tmp" "./cmd/$c" >&2 && install_binary "$c.tmp" "$c"; }
    done)
fi

all_built
echo "$BIN_DIR"
