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
{{- include "sluice.validateSecurity" . -}}

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


{{/*
Security values that cannot work together. The services' own identity is their certificate (they
call each other with it), so tokens and ACLs need TLS, and ACLs need the services' principals as
super users or every call between them is refused (CLUSTER_AUTHORIZATION_FAILED).
*/}}
{{- define "sluice.validateSecurity" -}}
{{- $v := .Values -}}
{{- $s := $v.security -}}
{{- $owned := list "listener.security.protocol.map" "ssl.keystore.location" "ssl.truststore.location" "ssl.client.auth" "sasl.oauthbearer.expected.issuer" "sasl.oauthbearer.jwks.endpoint.url" "sasl.oauthbearer.expected.audience" "authorizer.class.name" "super.users" "allow.everyone.if.no.acl.found" -}}
{{- range $scope, $map := dict "config" $v.config "controller.config" $v.controller.config "broker.config" $v.broker.config "coordinator.config" $v.coordinator.config "tiering.config" $v.tiering.config -}}
{{- range $key, $_ := $map -}}
{{- if has $key $owned -}}
{{- fail (printf "%s.%s: the chart writes %s from security.tls / security.oauth / security.authorization; set it there" $scope $key $key) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if not $s.tls.enabled -}}
{{- if $s.tls.clientAuth -}}
{{- fail (printf "security.tls.clientAuth=%s needs security.tls.enabled: client certificates are a TLS feature" $s.tls.clientAuth) -}}
{{- end -}}
{{- if $s.oauth.enabled -}}
{{- fail "security.oauth.enabled needs security.tls.enabled: bearer tokens must not cross a plaintext listener, and the services authenticate to each other by certificate" -}}
{{- end -}}
{{- if $s.authorization.enabled -}}
{{- fail "security.authorization.enabled needs security.tls.enabled: without TLS every caller, the services too, is User:ANONYMOUS" -}}
{{- end -}}
{{- if $v.tests.tlsSecretName -}}
{{- fail "tests.tlsSecretName needs security.tls.enabled" -}}
{{- end -}}
{{- else -}}
{{- range $role := include "sluice.securedRoles" . | splitList " " -}}
{{- if not (index $s.tls $role).secretName -}}
{{- fail (printf "security.tls.enabled needs security.tls.%s.secretName: a Secret with tls.crt, tls.key and ca.crt (a cert-manager Certificate's) for the %s pods" $role $role) -}}
{{- end -}}
{{- end -}}
{{- if and (eq (include "sluice.clientAuth" .) "none") (or $s.oauth.enabled $s.authorization.enabled) -}}
{{- fail "security.tls.clientAuth=none with oauth or authorization: the services authenticate to each other by certificate; use requested or required" -}}
{{- end -}}
{{- end -}}
{{- if and $s.oauth.enabled (not $s.oauth.issuer) -}}
{{- fail "security.oauth.enabled needs security.oauth.issuer (sasl.oauthbearer.expected.issuer: the iss of every token)" -}}
{{- end -}}
{{- $cc := $s.oauth.clientCredentials -}}
{{- if and $cc.secretName (not $cc.tokenEndpoint) -}}
{{- fail "security.oauth.clientCredentials.secretName needs security.oauth.clientCredentials.tokenEndpoint (where the client-credentials grant gets its token)" -}}
{{- end -}}
{{- if and $cc.tokenEndpoint (not $cc.secretName) -}}
{{- fail "security.oauth.clientCredentials.tokenEndpoint needs security.oauth.clientCredentials.secretName (the client id and secret)" -}}
{{- end -}}
{{- if and $cc.secretName (not $s.oauth.enabled) -}}
{{- fail "security.oauth.clientCredentials needs security.oauth.enabled" -}}
{{- end -}}
{{- if $s.authorization.enabled -}}
{{- range $role := include "sluice.securedRoles" . | splitList " " -}}
{{- if not (index $s.tls $role).principal -}}
{{- fail (printf "security.authorization.enabled needs security.tls.%s.principal (User:<subject of its certificate>) in super.users, or every call the %s pods make to the other services is refused" $role $role) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $v.tests.enabled $s.tls.enabled (not $v.tests.tlsSecretName) -}}
{{- if eq (include "sluice.clientAuth" .) "required" -}}
{{- fail "security.tls.clientAuth=required: the helm test pod needs a client certificate, tests.tlsSecretName (or tests.enabled=false)" -}}
{{- end -}}
{{- if and $s.oauth.enabled (not $cc.secretName) -}}
{{- fail "security.oauth.enabled: the helm test pod must authenticate, with security.oauth.clientCredentials or a certificate in tests.tlsSecretName (or tests.enabled=false)" -}}
{{- end -}}
{{- end -}}
{{- end -}}
