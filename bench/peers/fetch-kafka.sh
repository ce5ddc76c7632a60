#!/usr/bin/env bash
# Fetches Apache Kafka 4.x (server, clients, tools and their dependencies) from Maven Central into
# $SLUICE_PEERS_DIR/kafka/libs (default ~/.cache/sluice-peers), outside git. Idempotent: a
# finished fetch leaves libs/.version and is not repeated. Needs java (17+) and mvn.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cache="${SLUICE_PEERS_DIR:-$HOME/.cache/sluice-peers}/kafka"
for tool in java mvn; do
  command -v "$tool" >/dev/null || { echo "fetch-kafka: '$tool' is not on PATH; install it (Debian: apt-get install -y openjdk-17-jdk-headless maven)" >&2; exit 2; }
done
if [[ -f "$cache/libs/.version" ]]; then echo "kafka $(cat "$cache/libs/.version") already in $cache/libs"; exit 0; fi
mkdir -p "$cache"
rm -rf "$cache/libs.partial"
extra=()
[[ -n "${KAFKA_VERSION:-}" ]] && extra+=("-Dkafka.version=$KAFKA_VERSION")
mvn -q -B -f "$here/pom.xml" "${extra[@]}" dependency:copy-dependencies \
  -DoutputDirectory="$cache/libs.partial" -DincludeScope=runtime
jar="$(ls "$cache/libs.partial" | grep -E '^kafka_2\.13-4\.[0-9.]+\.jar$' | head -1)"
[[ -n "$jar" ]] || { echo "fetch-kafka: no kafka_2.13-4.x jar was resolved" >&2; exit 1; }
version="${jar#kafka_2.13-}"; version="${version%.jar}"
echo "$version" > "$cache/libs.partial/.version"
rm -rf "$cache/libs" && mv "$cache/libs.partial" "$cache/libs"
echo "kafka $version in $cache/libs ($(ls "$cache/libs" | wc -l) jars)"
