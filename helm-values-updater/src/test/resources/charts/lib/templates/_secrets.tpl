{{/*
A password that survives upgrades: reuse the one in the release's Secret when the cluster has it
(lookup), else make one. Offline, lookup returns an empty map and a new one is made.
*/}}
{{- define "lib.password" -}}
{{- $secret := lookup "v1" "Secret" .namespace .name -}}
{{- if and $secret (hasKey ($secret.data | default dict) "password") -}}
{{- index $secret.data "password" -}}
{{- else -}}
{{- randAlphaNum 16 | b64enc -}}
{{- end -}}
{{- end -}}
