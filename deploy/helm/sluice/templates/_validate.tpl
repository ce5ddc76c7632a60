{{/*
Refusals: settings that cannot keep the metadata quorum or min.insync.replicas through a voluntary
disruption, keys the chart owns, and a malformed cluster id. Rendering fails with one message
naming the value to change, so nothing is applied.
*/}}
{{- define "sluice.validate" -}}
{{- $v := .Values -}}

{{- /* Keys each pod computes for itself; a value given here would contradict them. */ -}}
{{- $reserved := list "node.id" "process.roles" "listeners" "advertised.listeners" "controller.listener.names" "controller.quorum.voters" "log.dirs" "metadata.log.dir" "metrics.host" "metrics.port" "coordinator.broker" "coordinator.peers" "share.coordinator.addresses" -}}
{{- range $scope, $map := dict "config" $v.config "controller.config" $v.controller.config "broker.config" $v.broker.config "coordinator.config" $v.coordinator.config -}}
{{- range $key, $_ := $map -}}
{{- if has $key $reserved -}}
{{- fail (printf "%s.%s: the chart sets %s for each pod (from its ordinal and DNS name); remove it from the values" $scope $key $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* Tiered storage: the chart writes the object store keys from tiering.s3 (one place for brokers and the tiering service). */ -}}
{{- range $key, $_ := $v.tiering.config -}}
{{- if has $key $reserved -}}
{{- fail (printf "tiering.config.%s: the chart sets %s for each pod (from its ordinal and DNS name); remove it from the values" $key $key) -}}
{{- end -}}
{{- end -}}
{{- if $v.tiering.enabled -}}
{{- if not $v.tiering.s3.bucket -}}
{{- fail "tiering.enabled needs tiering.s3.bucket (an existing bucket for the remote segments)" -}}
{{- end -}}
{{- range $scope, $map := dict "config" $v.config "broker.config" $v.broker.config "tiering.config" $v.tiering.config -}}
{{- range $key, $_ := $map -}}
{{- if or (eq $key "remote.log.storage.system.enable") (hasPrefix "rsm.config.storage." $key) (eq $key "rsm.config.key.prefix") (hasPrefix "tiering.scrub." $key) -}}
{{- fail (printf "%s.%s: with tiering.enabled the chart writes it from tiering.s3 / tiering.scrub; set it there" $scope $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- /* The controller's readiness bounds have their values (controller.readiness); one place only. */ -}}
{{- range $scope, $map := dict "config" $v.config "controller.config" $v.controller.config -}}
{{- range $key, $_ := $map -}}
{{- if hasPrefix "controller.readiness." $key -}}
{{- fail (printf "%s.%s: the chart writes it from controller.readiness (leaderSilenceMaxMs, maxLagOffsets); set it there" $scope $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- if and $v.clusterId (not (regexMatch "^[A-Za-z0-9_-]{21}[AQgw]$" $v.clusterId)) -}}
{{- fail (printf "clusterId %q is not a Kafka UUID (22 base64url characters, as `sluice storage random-uuid` prints)" $v.clusterId) -}}
{{- end -}}

{{- /* The metadata quorum: a majority of controller.replicas must stay up. */ -}}
{{- $controllers := int $v.controller.replicas -}}
{{- $majority := add (div $controllers 2) 1 -}}
{{- $spareControllers := sub $controllers $majority -}}
{{- if lt $controllers 1 -}}
{{- fail "controller.replicas must be at least 1 (the metadata quorum)" -}}
{{- end -}}
{{- if and $v.controller.pdb.enabled (gt (int $v.controller.pdb.maxUnavailable) $spareControllers) -}}
{{- fail (printf "controller.pdb.maxUnavailable=%d cannot keep the metadata quorum: %d controllers need %d up (a majority), so at most %d may be unavailable; run an odd controller.replicas >= 3 or lower controller.pdb.maxUnavailable" (int $v.controller.pdb.maxUnavailable) $controllers $majority $spareControllers) -}}
{{- end -}}

{{- /* Brokers: every replication factor must fit, and a disruption must leave min.insync.replicas. */ -}}
{{- $brokers := int $v.broker.replicas -}}
{{- $rf := int (include "sluice.configValue" (dict "root" . "role" "broker" "key" "default.replication.factor" "default" 1)) -}}
{{- $minIsr := int (include "sluice.configValue" (dict "root" . "role" "broker" "key" "min.insync.replicas" "default" 1)) -}}
{{- $offsetsRf := int (include "sluice.configValue" (dict "root" . "role" "coordinator" "key" "offsets.topic.replication.factor" "default" 3)) -}}
{{- $shareRf := int (include "sluice.configValue" (dict "root" . "role" "coordinator" "key" "share.coordinator.state.topic.replication.factor" "default" 3)) -}}
{{- if lt $brokers 1 -}}
{{- fail "broker.replicas must be at least 1" -}}
{{- end -}}
{{- range $key, $factor := dict "default.replication.factor" $rf "offsets.topic.replication.factor" $offsetsRf "share.coordinator.state.topic.replication.factor" $shareRf -}}
{{- if gt $factor $brokers -}}
{{- fail (printf "%s=%d needs at least %d brokers, broker.replicas is %d: raise broker.replicas or lower %s in config" $key $factor $factor $brokers $key) -}}
{{- end -}}
{{- end -}}
{{- if gt $minIsr $rf -}}
{{- fail (printf "min.insync.replicas=%d is above default.replication.factor=%d: no acks=all write could ever succeed" $minIsr $rf) -}}
{{- end -}}
{{- if $v.broker.pdb.enabled -}}
{{- $brokerMax := int $v.broker.pdb.maxUnavailable -}}
{{- if lt (sub $rf $brokerMax) $minIsr -}}
{{- fail (printf "broker.pdb.maxUnavailable=%d would let a disruption take a partition with default.replication.factor=%d below min.insync.replicas=%d (acks=all writes would fail with NOT_ENOUGH_REPLICAS); lower broker.pdb.maxUnavailable" $brokerMax $rf $minIsr) -}}
{{- end -}}
{{- end -}}
{{- end -}}
