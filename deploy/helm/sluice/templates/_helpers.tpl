{{/* Names, labels and the addresses every pod computes the same way. */}}

{{- define "sluice.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-sluice, or <release> when the release name already contains "sluice". */}}
{{- define "sluice.fullname" -}}
{{- if contains .Chart.Name .Release.Name -}}
{{- .Release.Name | trunc 40 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name .Chart.Name | trunc 40 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{- define "sluice.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
app.kubernetes.io/name: {{ include "sluice.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{/* Selector labels of one role: dict "root" $ "role" "broker". */}}
{{- define "sluice.selectorLabels" -}}
app.kubernetes.io/name: {{ include "sluice.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ .role }}
{{- end -}}

{{- define "sluice.roleName" -}}
{{- printf "%s-%s" (include "sluice.fullname" .root) .role -}}
{{- end -}}

{{- define "sluice.headlessName" -}}
{{- printf "%s-%s-headless" (include "sluice.fullname" .root) .role -}}
{{- end -}}

{{- define "sluice.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{- define "sluice.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "sluice.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* How many pods a role has: coordinators pair with brokers one to one. */}}
{{- define "sluice.replicas" -}}
{{- if eq .role "coordinator" -}}
{{- .root.Values.broker.replicas -}}
{{- else -}}
{{- (index .root.Values .role).replicas -}}
{{- end -}}
{{- end -}}

{{/* Coordinators take their paired broker's node id. */}}
{{- define "sluice.nodeIdOffset" -}}
{{- if eq .role "coordinator" -}}
{{- .root.Values.broker.nodeIdOffset -}}
{{- else -}}
{{- (index .root.Values .role).nodeIdOffset -}}
{{- end -}}
{{- end -}}

{{/* The stable DNS name of pod <ordinal> of a role: dict "root" $ "role" r "ordinal" i. */}}
{{- define "sluice.podHost" -}}
{{- printf "%s-%d.%s.%s.svc.%s" (include "sluice.roleName" .) (int .ordinal) (include "sluice.headlessName" .) .root.Release.Namespace .root.Values.clusterDomain -}}
{{- end -}}

{{/* host:port of every pod of a role, comma-separated; with "ids" true, as id@host:port (voters, peers). */}}
{{- define "sluice.addresses" -}}
{{- $root := .root -}}
{{- $role := .role -}}
{{- $port := index $root.Values.ports $role -}}
{{- $offset := int (include "sluice.nodeIdOffset" .) -}}
{{- $list := list -}}
{{- range $i := until (int (include "sluice.replicas" .)) -}}
{{- $host := include "sluice.podHost" (dict "root" $root "role" $role "ordinal" $i) -}}
{{- if $.ids -}}
{{- $list = append $list (printf "%d@%s:%d" (add $i $offset) $host (int $port)) -}}
{{- else -}}
{{- $list = append $list (printf "%s:%d" $host (int $port)) -}}
{{- end -}}
{{- end -}}
{{- join "," $list -}}
{{- end -}}

{{/* A config value from the common map overlaid by the role's map, else the default: dict "root" $ "role" r "key" k "default" d. */}}
{{- define "sluice.configValue" -}}
{{- $common := .root.Values.config -}}
{{- $own := dict -}}
{{- if hasKey .root.Values .role -}}{{- $own = (index .root.Values .role).config -}}{{- end -}}
{{- if hasKey $own .key -}}
{{- index $own .key -}}
{{- else if hasKey $common .key -}}
{{- index $common .key -}}
{{- else -}}
{{- .default -}}
{{- end -}}
{{- end -}}

{{/* The grpc.health.v1 service whose status readiness follows. */}}
{{- define "sluice.healthService" -}}
{{- get (dict "controller" "sluice.v1.Controller" "broker" "sluice.v1.Broker" "coordinator" "sluice.v1.Coordinator" "tiering" "sluice.v1.Tiering") . -}}
{{- end -}}

{{/* What the downward API tells a pod about itself. */}}
{{- define "sluice.podEnv" -}}
- name: POD_NAME
  valueFrom: { fieldRef: { fieldPath: metadata.name } }
- name: POD_NAMESPACE
  valueFrom: { fieldRef: { fieldPath: metadata.namespace } }
- name: POD_IP
  valueFrom: { fieldRef: { fieldPath: status.podIP } }
- name: SLUICE_ROLE
  value: {{ .role }}
{{- end -}}

{{- define "sluice.volumeMounts" -}}
- name: role-config
  mountPath: /etc/sluice
  readOnly: true
- name: run
  mountPath: /var/run/sluice
- name: tmp
  mountPath: /tmp
{{- if not (has .role (list "coordinator" "tiering")) }}
- name: data
  mountPath: /var/lib/sluice/data
{{- end }}
{{- if .root.Values.security.tls.enabled }}
- name: tls
  mountPath: {{ include "sluice.tlsDir" .root }}
  readOnly: true
{{- end }}
{{- end -}}

{{/* The object store settings brokers and the tiering service share (Kafka's / the Aiven plugin's names). */}}
{{- define "sluice.tieringProperties" -}}
{{- $s3 := .Values.tiering.s3 -}}
remote.log.storage.system.enable=true
{{- with $s3.endpoint }}
rsm.config.storage.s3.endpoint.url={{ . }}
{{- end }}
rsm.config.storage.s3.region={{ $s3.region }}
rsm.config.storage.s3.bucket.name={{ $s3.bucket }}
rsm.config.storage.s3.path.style.access.enabled={{ $s3.pathStyle }}
{{- with $s3.prefix }}
rsm.config.key.prefix={{ . }}
{{- end }}
{{- end -}}

{{/* The credentials Secret as the standard AWS environment variables (none: the SDK's default chain). */}}
{{- define "sluice.tieringEnv" -}}
{{- $secret := .Values.tiering.s3.credentialsSecret -}}
{{- if $secret.name }}
- name: AWS_ACCESS_KEY_ID
  valueFrom:
    secretKeyRef: { name: {{ $secret.name | quote }}, key: {{ $secret.accessKeyIdKey | quote }} }
- name: AWS_SECRET_ACCESS_KEY
  valueFrom:
    secretKeyRef: { name: {{ $secret.name | quote }}, key: {{ $secret.secretAccessKeyKey | quote }} }
{{- end }}
{{- end -}}

{{/*
Security (docs/security.md). Where a role's certificate Secret is mounted: ssl.keystore.location.
*/}}
{{- define "sluice.tlsDir" -}}/etc/sluice-tls{{- end -}}

{{/* SASL_SSL with OAuth bearer tokens (every caller authenticates), else SSL. */}}
{{- define "sluice.securityProtocol" -}}
{{- if .Values.security.oauth.enabled -}}SASL_SSL{{- else -}}SSL{{- end -}}
{{- end -}}

{{/*
The name of a role's one listener: CONTROLLER for controllers; brokers and coordinators name it
after its protocol, as Kafka's defaults do (PLAINTEXT, SSL, SASL_SSL): dict "root" $ "role" r.
*/}}
{{- define "sluice.listenerName" -}}
{{- if eq .role "controller" -}}CONTROLLER
{{- else if .root.Values.security.tls.enabled -}}{{ include "sluice.securityProtocol" .root }}
{{- else -}}PLAINTEXT
{{- end -}}
{{- end -}}

{{/* ssl.client.auth: as given, else requested when the services must authenticate to each other (tokens or ACLs). */}}
{{- define "sluice.clientAuth" -}}
{{- $s := .Values.security -}}
{{- if $s.tls.clientAuth -}}{{ $s.tls.clientAuth }}
{{- else if or $s.oauth.enabled $s.authorization.enabled -}}requested
{{- else -}}none
{{- end -}}
{{- end -}}

{{/* The roles with a certificate of their own: every role the release runs. */}}
{{- define "sluice.securedRoles" -}}
{{- if .Values.tiering.enabled -}}controller broker coordinator tiering{{- else -}}controller broker coordinator{{- end -}}
{{- end -}}

{{/* super.users: the services' own principals (their certificates), then the operators'. */}}
{{- define "sluice.superUsers" -}}
{{- $s := .Values.security -}}
{{- $users := list -}}
{{- range $role := include "sluice.securedRoles" . | splitList " " -}}
{{- $users = append $users (index $s.tls $role).principal -}}
{{- end -}}
{{- join ";" (uniq (concat $users $s.authorization.superUsers)) -}}
{{- end -}}

{{/* The Kafka-named security keys every role's server.properties carries (none without TLS). */}}
{{- define "sluice.securityProperties" -}}
{{- $s := .Values.security -}}
{{- if $s.tls.enabled -}}
{{- $protocol := include "sluice.securityProtocol" . -}}
listener.security.protocol.map=CONTROLLER:{{ $protocol }},{{ $protocol }}:{{ $protocol }}
ssl.keystore.location={{ include "sluice.tlsDir" . }}
ssl.client.auth={{ include "sluice.clientAuth" . }}
{{- if $s.oauth.enabled }}
sasl.oauthbearer.expected.issuer={{ $s.oauth.issuer }}
{{- with $s.oauth.jwksUrl }}
sasl.oauthbearer.jwks.endpoint.url={{ . }}
{{- end }}
{{- with $s.oauth.audience }}
sasl.oauthbearer.expected.audience={{ join "," . }}
{{- end }}
{{- end }}
{{- if $s.authorization.enabled }}
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users={{ include "sluice.superUsers" . }}
allow.everyone.if.no.acl.found={{ $s.authorization.allowEveryoneIfNoAclFound }}
{{- end }}
{{- end -}}
{{- end -}}
