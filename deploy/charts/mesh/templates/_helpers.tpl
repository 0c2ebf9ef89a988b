{{/*
The values every template renders from: the user's values over the chosen profile (profiles/<profile>.yaml).
.Values already holds the user's values over values.yaml; a profile key is taken only where .Values has no
such key. values.yaml leaves out every key a profile sets, so the precedence is: what the user sets, then the
profile, then values.yaml. Usage:
  {{- $v := include "mesh.values" . | fromJson }}
*/}}
{{- define "mesh.values" -}}
{{- $name := .Values.profile | default "default" -}}
{{- $text := .Files.Get (printf "profiles/%s.yaml" $name) -}}
{{- if not $text -}}
{{- fail (printf "profile %q does not exist: use demo, default or minimal" $name) -}}
{{- end -}}
{{- $merged := deepCopy .Values -}}
{{- include "mesh.fillMissing" (list $merged ($text | fromYaml)) -}}
{{- toJson $merged -}}
{{- end -}}

{{/* Copies into the first map every key of the second it lacks, recursing into maps both hold. */}}
{{- define "mesh.fillMissing" -}}
{{- $dst := index . 0 -}}
{{- range $k, $src := index . 1 -}}
{{- if not (hasKey $dst $k) -}}
{{- $_ := set $dst $k $src -}}
{{- else if and (kindIs "map" $src) (kindIs "map" (index $dst $k)) -}}
{{- include "mesh.fillMissing" (list (index $dst $k) $src) -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Labels of every object. Argument: (dict "root" $ "name" <component name> "component" <role>). */}}
{{- define "mesh.labels" -}}
app: {{ .name }}
app.kubernetes.io/name: {{ .name }}
app.kubernetes.io/component: {{ .component }}
app.kubernetes.io/part-of: mesh
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | quote }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version }}
{{- end -}}

{{/* The image reference. Argument: (dict "root" $ "image" <image values>). */}}
{{- define "mesh.image" -}}
{{- printf "%s:%s" .image.repository (.image.tag | default .root.Chart.AppVersion) -}}
{{- end -}}

{{/* The restrictive security context of every container. */}}
{{- define "mesh.containerSecurityContext" -}}
allowPrivilegeEscalation: false
privileged: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: ["ALL"]
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{/* Pod spec fields every component shares. Argument: (dict "root" $ "v" <all values> "c" <component values>). */}}
{{- define "mesh.podCommon" -}}
{{- $sc := deepCopy .v.global.podSecurityContext }}
{{- with .sysctls }}
{{- $_ := set $sc "sysctls" . }}
{{- end }}
securityContext:
  {{- toYaml $sc | nindent 2 }}
{{- with .v.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with .c.affinity }}
affinity:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end -}}

{{/*
Environment variables from a service's free-form settings. Argument: (dict "prefix" "MESH_CA" "config" <map>
"owned" <list of keys the chart sets itself>). Keys are the setting names without the prefix (push-threads).
*/}}
{{- define "mesh.configEnv" -}}
{{- $prefix := .prefix -}}
{{- $owned := .owned -}}
{{- $known := index (include "mesh.settings" . | fromJson) $prefix -}}
{{- range $key, $value := .config }}
{{- if has $key $owned }}
{{- fail (printf "%s: %q is set by the chart from its own values; set those instead" $prefix $key) }}
{{- end }}
{{- if not (has $key $known) }}
{{- fail (printf "%s: %q is not a setting of this service (known: %s)" $prefix $key (join ", " $known)) }}
{{- end }}
{{- /* Values pass through JSON, where every number is a float: print whole numbers as integers. */}}
{{- if and (kindIs "float64" $value) (eq $value (float64 (int64 $value))) }}
{{- $value = int64 $value }}
{{- end }}
- name: {{ printf "%s_%s" $prefix ($key | upper | replace "-" "_" | replace "." "_") }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- end -}}

{{/*
Every setting of each service, by environment variable prefix, as docs/configuration.md lists them (a chart test
keeps the two equal): config keys outside these are refused rather than silently ignored.
*/}}
{{- define "mesh.settings" -}}
{{- toJson (dict
  "MESH_DISTRIBUTOR" (list "xds-port" "xds-tls-port" "xds-tls-cert-file" "xds-tls-key-file" "xds-tls-root-file" "http-port" "domain-suffix" "root-namespace" "trust-domain" "enable-auto-mtls" "debounce" "debounce-max" "push-threads" "push-concurrency")
  "MESH_CA" (list "grpc-port" "grpc-host" "http-port" "namespace" "trust-domain" "token-audience" "default-ttl" "max-ttl" "root-ttl" "server-dns-names" "distributor-secret" "distributor-dns-names")
  "MESH_INJECTOR" (list "webhook-port" "metrics-port" "webhook-host" "namespace" "service-name" "webhook-configuration-name" "max-request-bytes" "template-file" "template-check-interval" "cert-validity" "cert-check-interval" "kubernetes")
  "MESH_TELEMETRY" (list "otlp-port" "http-port" "otlp-host" "otlp-max-message-bytes" "bucket" "retention" "max-edges" "trace-capacity" "kafka-enabled" "kafka-topic" "kafka-group")) -}}
{{- end -}}

{{/* ServiceAccount. Argument: (dict "root" $ "name" <name> "component" <role> "automount" <bool>). */}}
{{- define "mesh.serviceAccount" -}}
apiVersion: v1
kind: ServiceAccount
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "mesh.labels" . | nindent 4 }}
automountServiceAccountToken: {{ .automount }}
{{- end -}}

{{/* The minReplicas of a component: autoscaling.minReplicas, else replicas. Argument: component values. */}}
{{- define "mesh.minReplicas" -}}
{{- if hasKey .autoscaling "minReplicas" }}{{ .autoscaling.minReplicas | int }}{{ else }}{{ .replicas | int }}{{ end -}}
{{- end -}}

{{/* HorizontalPodAutoscaler, when enabled. Argument: (dict "root" $ "name" <name> "component" <role> "c" <component values>). */}}
{{- define "mesh.hpa" -}}
{{- if .c.autoscaling.enabled }}
{{- $min := include "mesh.minReplicas" .c | int }}
{{- $max := .c.autoscaling.maxReplicas | int }}
{{- if lt $max $min }}
{{- fail (printf "%s: autoscaling.maxReplicas (%d) is below minReplicas (%d)" .name $max $min) }}
{{- end }}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "mesh.labels" . | nindent 4 }}
spec:
  scaleTargetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: {{ .name }}
  minReplicas: {{ $min }}
  maxReplicas: {{ $max }}
  metrics:
    - type: Resource
      resource:
        name: cpu
        target:
          type: Utilization
          averageUtilization: {{ .c.autoscaling.targetCPUUtilizationPercentage | int }}
{{- end }}
{{- end -}}

{{/* PodDisruptionBudget, when enabled. Argument: (dict "root" $ "name" <name> "component" <role> "c" <component values> "selector" <labels>). */}}
{{- define "mesh.pdb" -}}
{{- $pdb := .c.podDisruptionBudget }}
{{- if $pdb.enabled }}
{{- if eq (hasKey $pdb "minAvailable") (hasKey $pdb "maxUnavailable") }}
{{- fail (printf "%s: podDisruptionBudget needs exactly one of minAvailable and maxUnavailable" .name) }}
{{- end }}
---
apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: {{ .name }}
  namespace: {{ .root.Release.Namespace }}
  labels:
    {{- include "mesh.labels" . | nindent 4 }}
spec:
  {{- if hasKey $pdb "minAvailable" }}
  minAvailable: {{ $pdb.minAvailable }}
  {{- else }}
  maxUnavailable: {{ $pdb.maxUnavailable }}
  {{- end }}
  selector:
    matchLabels:
      {{- toYaml .selector | nindent 6 }}
{{- end }}
{{- end -}}

{{/* Startup, liveness and readiness probes on a Quarkus service's health endpoints. Argument: the HTTP port. */}}
{{- define "mesh.quarkusProbes" -}}
startupProbe:
  httpGet: {path: /q/health/started, port: {{ . | int }}}
  periodSeconds: 2
  failureThreshold: 60
livenessProbe:
  httpGet: {path: /q/health/live, port: {{ . | int }}}
  periodSeconds: 10
  timeoutSeconds: 3
  failureThreshold: 3
readinessProbe:
  httpGet: {path: /q/health/ready, port: {{ . | int }}}
  periodSeconds: 5
  timeoutSeconds: 3
  failureThreshold: 3
{{- end -}}
