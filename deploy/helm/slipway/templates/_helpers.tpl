{{/* The chart's names, labels and the registry configuration rendered from values. */}}

{{- define "slipway.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "slipway.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "slipway.selectorLabels" -}}
app.kubernetes.io/name: {{ include "slipway.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "slipway.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{ include "slipway.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end -}}

{{- define "slipway.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "slipway.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* The image: repository:tag, or repository:tag@digest when a digest is given (pinned). */}}
{{- define "slipway.image" -}}
{{- $tag := default .Chart.AppVersion .Values.image.tag -}}
{{- if .Values.image.digest -}}
{{- printf "%s:%s@%s" .Values.image.repository $tag .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}

{{- define "slipway.tlsSecretName" -}}
{{- default (printf "%s-tls" (include "slipway.fullname" .)) .Values.tls.secretName -}}
{{- end -}}

{{- define "slipway.admissionServiceName" -}}
{{- printf "%s-admission" (include "slipway.fullname" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "slipway.admissionTlsSecretName" -}}
{{- default (printf "%s-admission-tls" (include "slipway.fullname" .)) .Values.admission.tls.secretName -}}
{{- end -}}

{{/* Whether the probes and /metrics have their own plain-HTTP listener. */}}
{{- define "slipway.metricsPort" -}}
{{- if and .Values.metrics.enabled .Values.metrics.port -}}{{ .Values.metrics.port }}{{- end -}}
{{- end -}}

{{/*
Refuses values that cannot run, with the reason (the shape of each value, its type and allowed
words, is values.schema.json's to check): several pods over one SQLite file or one blob
directory would corrupt them, and the stores' credentials must come from Secrets.
*/}}
{{- define "slipway.validate" -}}
{{- $shared := and (eq .Values.storage.driver "s3") (eq .Values.metadata.driver "postgres") -}}
{{- if and (gt (int .Values.replicaCount) 1) (eq .Values.metadata.driver "sqlite") -}}
{{- fail (printf "replicaCount is %d but metadata.driver is sqlite: SQLite is the single-replica embedded mode. Use replicaCount: 1, or metadata.driver: postgres with storage.driver: s3 for several replicas." (int .Values.replicaCount)) -}}
{{- end -}}
{{- if and (gt (int .Values.replicaCount) 1) (not $shared) -}}
{{- fail (printf "replicaCount is %d but storage.driver is %s: several replicas need blobs in S3 (storage.driver: s3) and metadata in PostgreSQL." (int .Values.replicaCount) .Values.storage.driver) -}}
{{- end -}}
{{- if and (eq .Values.storage.driver "s3") (not .Values.storage.s3.bucket) -}}
{{- fail "storage.driver is s3 but storage.s3.bucket is empty" -}}
{{- end -}}
{{- if eq .Values.metadata.driver "postgres" -}}
{{- if not .Values.metadata.postgres.url -}}
{{- fail "metadata.driver is postgres but metadata.postgres.url is empty (jdbc:postgresql://HOST:5432/DB)" -}}
{{- end -}}
{{- if not .Values.metadata.postgres.existingSecret -}}
{{- fail "metadata.driver is postgres but metadata.postgres.existingSecret is empty: the password comes from a Secret" -}}
{{- end -}}
{{- end -}}
{{- if and $shared (gt (int .Values.replicaCount) 1) (not .Values.adminApiKey.existingSecret) -}}
{{- fail "several replicas need adminApiKey.existingSecret: each pod would otherwise make its own administrator key" -}}
{{- end -}}
{{- if and .Values.tls.enabled .Values.tls.certManager.enabled (not .Values.tls.certManager.issuerRef.name) -}}
{{- fail "tls.certManager.enabled needs tls.certManager.issuerRef.name" -}}
{{- end -}}
{{- if .Values.admission.enabled -}}
{{- if and (not .Values.admission.tls.certManager.enabled) (not .Values.admission.caBundle) -}}
{{- fail "admission.enabled needs the webhooks' CA: admission.caBundle (base64 PEM), or admission.tls.certManager.enabled so cert-manager injects it" -}}
{{- end -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.ingress.host) -}}
{{- fail "ingress.enabled needs ingress.host" -}}
{{- end -}}
{{- if and .Values.ingress.enabled (not .Values.externalUrl) -}}
{{- fail "ingress.enabled needs externalUrl (e.g. https://<ingress.host>): clients behind an Ingress are sent to it for tokens, and admission knows the registry's images by its host" -}}
{{- end -}}
{{- if and .Values.metrics.serviceMonitor.enabled (not (include "slipway.metricsPort" .)) -}}
{{- fail "metrics.serviceMonitor.enabled needs metrics.enabled and metrics.port" -}}
{{- end -}}
{{- end -}}

{{/* registry.yaml: the registry's configuration file (RegistryConfig.load). Secrets stay in the environment. */}}
{{- define "slipway.config" -}}
{{- $c := dict "listen" (printf "0.0.0.0:%d" 5000) "data" "/var/lib/slipway/data" -}}
{{- $auth := dict "mode" .Values.auth.mode "anonymousPull" .Values.auth.anonymousPull "bootstrapAccount" .Values.auth.bootstrapAccount "tokenLifetime" .Values.auth.tokenLifetime "service" .Values.auth.service -}}
{{- if .Values.auth.realm -}}
{{- $_ := set $auth "realm" .Values.auth.realm -}}
{{- else if .Values.externalUrl -}}
{{- $_ := set $auth "realm" (printf "%s/token" (trimSuffix "/" .Values.externalUrl)) -}}
{{- end -}}
{{- $_ := set $c "auth" $auth -}}
{{- if .Values.externalUrl -}}{{- $_ := set $c "externalUrl" .Values.externalUrl -}}{{- end -}}
{{- if .Values.names -}}{{- $_ := set $c "names" .Values.names -}}{{- end -}}
{{- if eq .Values.storage.driver "s3" -}}
{{- $s := dict "driver" "s3" "bucket" .Values.storage.s3.bucket "region" .Values.storage.s3.region "pathStyle" .Values.storage.s3.pathStyle "partSize" (int .Values.storage.s3.partSize) -}}
{{- if .Values.storage.s3.endpoint -}}{{- $_ := set $s "endpoint" .Values.storage.s3.endpoint -}}{{- end -}}
{{- if .Values.storage.s3.redirect -}}{{- $_ := set $s "redirect" .Values.storage.s3.redirect -}}{{- end -}}
{{- $_ := set $c "storage" $s -}}
{{- else -}}
{{- $_ := set $c "storage" (dict "driver" "filesystem") -}}
{{- end -}}
{{- if eq .Values.metadata.driver "postgres" -}}
{{- $_ := set $c "metadata" (dict "driver" "postgres" "url" .Values.metadata.postgres.url "user" .Values.metadata.postgres.user "poolSize" (int .Values.metadata.postgres.poolSize)) -}}
{{- else -}}
{{- $_ := set $c "metadata" (dict "driver" "sqlite") -}}
{{- end -}}
{{- $_ := set $c "scan" (dict "workers" (int .Values.scan.workers) "lease" .Values.scan.lease) -}}
{{- $_ := set $c "trash" (dict "retention" .Values.trash.retention) -}}
{{- $_ := set $c "gc" (dict "interval" .Values.gc.interval "grace" .Values.gc.grace) -}}
{{- if .Values.limits -}}{{- $_ := set $c "limits" .Values.limits -}}{{- end -}}
{{- if .Values.connections -}}{{- $_ := set $c "connections" .Values.connections -}}{{- end -}}
{{- if .Values.trustedProxies -}}{{- $_ := set $c "trustedProxies" .Values.trustedProxies -}}{{- end -}}
{{- if .Values.tls.enabled -}}
{{- $_ := set $c "tls" (dict "cert" "/etc/slipway/tls/tls.crt" "key" "/etc/slipway/tls/tls.key") -}}
{{- end -}}
{{- if .Values.admission.enabled -}}
{{- $a := dict "listen" (printf "0.0.0.0:%d" (int .Values.admission.port)) "tls" (dict "cert" "/etc/slipway/admission-tls/tls.crt" "key" "/etc/slipway/admission-tls/tls.key") -}}
{{- if .Values.admission.clientCA.secretName -}}
{{- $_ := set $a "clientCA" (printf "/etc/slipway/admission-client-ca/%s" .Values.admission.clientCA.key) -}}
{{- end -}}
{{- $_ := set $c "admission" $a -}}
{{- end -}}
{{- $m := dict "enabled" .Values.metrics.enabled -}}
{{- if include "slipway.metricsPort" . -}}
{{- $_ := set $m "listen" (printf "0.0.0.0:%d" (int .Values.metrics.port)) -}}
{{- end -}}
{{- $_ := set $c "metrics" $m -}}
{{- $_ := set $c "log" (dict "format" .Values.log.format "requests" .Values.log.requests) -}}
{{- toYaml (mergeOverwrite $c (deepCopy .Values.extraConfig)) -}}
{{- end -}}

{{/* The container's environment: the stores' and the administrator's credentials, each from a Secret. */}}
{{- define "slipway.env" -}}
{{- with .Values.javaOptions }}
- name: JAVA_TOOL_OPTIONS
  value: {{ . | quote }}
{{- end }}
{{- if .Values.adminApiKey.existingSecret }}
- name: SLIPWAY_ADMIN_API_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.adminApiKey.existingSecret }}
      key: {{ .Values.adminApiKey.key }}
{{- end }}
{{- if and (eq .Values.storage.driver "s3") .Values.storage.s3.existingSecret }}
- name: SLIPWAY_S3_ACCESS_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.s3.existingSecret }}
      key: {{ .Values.storage.s3.accessKeyKey }}
- name: SLIPWAY_S3_SECRET_KEY
  valueFrom:
    secretKeyRef:
      name: {{ .Values.storage.s3.existingSecret }}
      key: {{ .Values.storage.s3.secretKeyKey }}
{{- end }}
{{- if eq .Values.metadata.driver "postgres" }}
- name: SLIPWAY_POSTGRES_PASSWORD
  valueFrom:
    secretKeyRef:
      name: {{ .Values.metadata.postgres.existingSecret }}
      key: {{ .Values.metadata.postgres.passwordKey }}
{{- end }}
{{- with .Values.extraEnv }}
{{- toYaml . | nindent 0 }}
{{- end }}
{{- end -}}
