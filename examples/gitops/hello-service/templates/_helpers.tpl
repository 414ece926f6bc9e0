{{- define "hello-service.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}

{{- define "hello-service.selector" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* repository:tag, or repository:tag@digest when the tag carries a digest, as the pipeline writes it. */}}
{{- define "hello-service.image" -}}
{{ .Values.image.repository }}:{{ .Values.image.tag }}
{{- end -}}
