#!/usr/bin/env bash
# Fetches Apache Kafka (server, clients, tools and their dependencies, all of one version) from
# Maven Central into $SLUICE_PEERS_DIR/kafka-<version>/libs (default ~/.cache/sluice-peers),
# outside git. The version is pinned: $KAFKA_VERSION, default 4.1.1 (the bench's pin, kept in
# step with PINNED_KAFKA_VERSION in bench/src/compare-kafka.ts). Idempotent: a finished fetch
# leaves libs/.version and is not repeated. Needs java (17+) and mvn.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
version="${KAFKA_VERSION:-4.1.1}"
[[ "$version" =~ ^4\.[0-9]+\.[0-9]+$ ]] || { echo "fetch-kafka: KAFKA_VERSION must be a 4.x.y release, not '$version'" >&2; exit 2; }
cache="${SLUICE_PEERS_DIR:-$HOME/.cache/sluice-peers}/kafka-$version"
for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "fetch-kafka: '$tool' is not on PATH; install it (Debian: apt-get install -y openjdk-17-jdk-headless maven)" >&2; exit 2; }
done
if [[ -f "$cache/libs/.version" ]]; then echo "kafka $(cat "$cache/libs/.version") already in $cache/libs"; exit 0; fi
mkdir -p "$cache"
rm -rf "$cache/libs.partial"
mvn -q -B -f "$here/pom.xml" "-Dkafka.version=$version" dependency:copy-dependencies \
  -DoutputDirectory="$cache/libs.partial" -DincludeScope=runtime
# Server, clients and tools must all be the pinned version (mixed versions broke EndToEndLatency).
for artifact in kafka_2.13 kafka-clients kafka-tools; do
  [[ -f "$cache/libs.partial/$artifact-$version.jar" ]] || { echo "fetch-kafka: $artifact-$version.jar was not resolved" >&2; exit 1; }
done
echo "$version" > "$cache/libs.partial/.version"
rm -rf "$cache/libs" && mv "$cache/libs.partial" "$cache/libs"
echo "kafka $version in $cache/libs ($(ls "$cache/libs" | wc -l) jars)"
