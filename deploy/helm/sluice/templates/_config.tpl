{{/*
The ConfigMap of one role (its shared server.properties): dict "root" $ "role" r. A template of
its own because each role's StatefulSet checksums exactly this, so a change to broker.config rolls
the brokers and leaves the controllers and coordinators running (a change to the common `config`
rolls every role).
*/}}
{{- define "sluice.roleConfigMap" -}}
{{- $root := .root -}}
{{- $role := .role -}}
{{- $voters := include "sluice.addresses" (dict "root" $root "role" "controller" "ids" true) -}}
# The role's shared server.properties; each pod's init step adds node.id, listeners and the rest
# only it knows (deploy/docker/prepare-pod.sh).
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ include "sluice.roleName" (dict "root" $root "role" $role) }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "sluice.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $role }}
data:
  server.properties: |
    process.roles={{ $role }}
    controller.quorum.voters={{ $voters }}
    {{- if eq $role "controller" }}
    metadata.log.dir=/var/lib/sluice/data
    {{- with $root.Values.controller.readiness }}
    {{- if hasKey . "leaderSilenceMaxMs" }}
    controller.readiness.leader.silence.max.ms={{ int64 .leaderSilenceMaxMs }}
    {{- end }}
    {{- if hasKey . "maxLagOffsets" }}
    controller.readiness.max.lag.offsets={{ int64 .maxLagOffsets }}
    {{- end }}
    {{- end }}
    {{- else if eq $role "broker" }}
    log.dirs=/var/lib/sluice/data
    share.coordinator.addresses={{ include "sluice.addresses" (dict "root" $root "role" "coordinator") }}
    {{- if $root.Values.tiering.enabled }}
    {{- include "sluice.tieringProperties" $root | nindent 4 }}
    {{- end }}
    {{- else }}
    coordinator.peers={{ include "sluice.addresses" (dict "root" $root "role" "coordinator" "ids" true) }}
    {{- end }}
    {{- with include "sluice.securityProperties" $root }}
    {{- . | nindent 4 }}
    {{- end }}
    {{- range $key, $value := merge (deepCopy (index $root.Values $role).config) $root.Values.config }}
    {{ $key }}={{ if kindIs "float64" $value }}{{ int64 $value }}{{ else }}{{ $value }}{{ end }}
    {{- end }}
{{- end -}}
