package io.slipway.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.LintResult;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhook;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.ValidatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.Ingress;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.slipway.registry.config.RegistryConfig;
import io.slipway.registry.config.StoreSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The Helm chart {@code deploy/helm/slipway}: {@code helm lint --strict} with each values file of
 * {@code ci/}, and every object each renders read with fabric8's Kubernetes model, refusing any field
 * the model does not know; the registry configuration the chart renders is read by the registry's own
 * {@link RegistryConfig#load}, which refuses unknown settings too.
 */
class SlipwayChartTest {
    @TempDir
    Path tmp;

    static List<Path> ciValues() {
        return Chart.ciValues();
    }

    @Test
    void everyCiValuesFileIsTested() {
        assertThat(ciValues()).extracting(p -> p.getFileName().toString()).containsExactly(
                "embedded-values.yaml", "ingress-servicemonitor-values.yaml", "postgres-s3-ha-values.yaml",
                "tls-certmanager-admission-values.yaml");
    }

    @Test
    void lintsCleanWithItsOwnValues() throws Exception {
        LintResult result = Chart.lint(null, tmp);
        assertThat(result.isFailed()).as(String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    @ParameterizedTest
    @MethodSource("ciValues")
    void lintsCleanWithEachCiValuesFile(Path values) throws Exception {
        LintResult result = Chart.lint(values, tmp);
        assertThat(result.isFailed()).as(values + ": " + String.join("\n", result.getMessages())).isFalse();
        assertThat(result.getMessages()).as(values.toString()).noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]"));
    }

    /**
     * Lint applies the values schema. (A template's {@code fail} is only logged by Helm's lint, at INFO:
     * {@link #refusesValuesThatCannotRunSayingWhy} checks those through {@code helm template}.)
     */
    @Test
    void lintFailsOnValuesTheSchemaRefuses() throws Exception {
        Path values = Files.writeString(tmp.resolve("misspelt-values.yaml"), "auth:\n  mode: tokn\n");
        LintResult result = Chart.lint(values, tmp);
        assertThat(result.isFailed()).isTrue();
        assertThat(String.join("\n", result.getMessages())).contains("[ERROR] values.yaml: - at '/auth/mode'");
    }

    /** What holds for every configuration: the pod's hardening, the probes, the config the registry accepts. */
    @ParameterizedTest
    @MethodSource("ciValues")
    void everyRenderedObjectIsAKnownKubernetesObjectAndThePodIsHardened(Path values) throws Exception {
        List<HasMetadata> objects = Chart.objects(Chart.render(values, Map.of()));
        System.out.println("rendered objects for " + values.getFileName() + ": " + objects.size() + " " + kinds(objects));
        // Only kinds without a model in fabric8 are read generically (a misspelt apiVersion would be too).
        assertThat(objects).filteredOn(GenericKubernetesResource.class::isInstance).extracting(o -> o.getApiVersion() + " " + o.getKind())
                .isSubsetOf("monitoring.coreos.com/v1 ServiceMonitor", "cert-manager.io/v1 Certificate", "cert-manager.io/v1 Issuer");
        assertThat(objects).allSatisfy(o -> assertThat(o.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/instance", Chart.RELEASE)
                .containsEntry("app.kubernetes.io/name", "slipway"));

        Deployment deployment = one(objects, Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getRunAsUser()).isPositive();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(pod.getAutomountServiceAccountToken()).isFalse();
        Container registry = pod.getContainers().get(0);
        assertThat(pod.getContainers()).hasSize(1);
        assertThat(registry.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(registry.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(registry.getSecurityContext().getPrivileged()).isFalse();
        assertThat(registry.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(registry.getSecurityContext().getCapabilities().getAdd()).isNullOrEmpty();
        assertThat(registry.getArgs()).containsExactly("registry", "serve", "--config", "/etc/slipway/config/registry.yaml");
        // A read-only root needs somewhere to write: /tmp and the data folder are volumes.
        assertThat(mount(registry, "/tmp").getName()).satisfies(name -> assertThat(volume(pod, name).getEmptyDir()).isNotNull());
        assertThat(mount(registry, "/var/lib/slipway").getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(registry.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
        assertThat(registry.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
        // Probes go to the metrics listener, plain HTTP whatever the registry port speaks.
        assertThat(registry.getLivenessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("metrics");
        assertThat(registry.getReadinessProbe().getHttpGet().getScheme()).isEqualTo("HTTP");
        assertThat(registry.getResources().getLimits()).containsKey("memory");
        assertThat(registry.getResources().getRequests()).containsKeys("cpu", "memory");
        // Every Secret a container reads exists by name in the values, none is inlined.
        assertThat(registry.getEnv()).allSatisfy(e -> {
            assertThat(e.getValue()).as(e.getName() + " is no inline value").isNull();
            assertThat(e.getValueFrom().getSecretKeyRef()).as(e.getName() + " comes from a Secret").isNotNull();
        });

        ConfigMap config = one(objects, ConfigMap.class);
        String registryYaml = config.getData().get("registry.yaml");
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config"))
                .as("the pods roll when the configuration changes").isEqualTo(sha256(registryYaml.strip()));
        RegistryConfig loaded = load(registryYaml);
        assertThat(loaded.port()).isEqualTo(5000);
        assertThat(loaded.host()).isEqualTo("0.0.0.0");
        assertThat(loaded.dataDir()).isEqualTo(Path.of("/var/lib/slipway/data"));
        assertThat(loaded.observe().metricsListen()).isEqualTo("0.0.0.0:9102");

        Service service = objects.stream().filter(o -> o instanceof Service && o.getMetadata().getName().equals("reg-slipway"))
                .map(Service.class::cast).findFirst().orElseThrow();
        assertThat(service.getSpec().getSelector()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts()).extracting(ServicePort::getPort).contains(5000, 9102);

        NetworkPolicy policy = one(objects, NetworkPolicy.class);
        assertThat(policy.getSpec().getPodSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getPolicyTypes()).containsExactly("Ingress");
    }

    @Test
    void embeddedIsOneReplicaOnAClaim() throws Exception {
        List<HasMetadata> objects = render("embedded-values.yaml");
        assertThat(kinds(objects)).isEqualTo(Map.of("ConfigMap", 1L, "Deployment", 1L, "NetworkPolicy", 1L,
                "PersistentVolumeClaim", 1L, "Service", 1L, "ServiceAccount", 1L));
        Deployment deployment = one(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getSpec().getStrategy().getType()).as("never two pods on one SQLite file").isEqualTo("Recreate");
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        PersistentVolumeClaim claim = one(objects, PersistentVolumeClaim.class);
        assertThat(volume(pod, mount(pod.getContainers().get(0), "/var/lib/slipway").getName()).getPersistentVolumeClaim().getClaimName())
                .isEqualTo(claim.getMetadata().getName());
        assertThat(claim.getSpec().getResources().getRequests().get("storage").toString()).isEqualTo("50Gi");
        assertThat(claim.getSpec().getStorageClassName()).isEqualTo("standard");
        assertThat(claim.getMetadata().getAnnotations()).containsEntry("helm.sh/resource-policy", "keep");
        assertThat(pod.getContainers().get(0).getEnv()).as("no Secret is needed in embedded mode").isNullOrEmpty();
        assertThat(deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getImage()).isEqualTo("slipway-registry:0.1.0");

        RegistryConfig config = load(one(objects, ConfigMap.class).getData().get("registry.yaml"));
        assertThat(config.stores().storage()).isEqualTo(StoreSettings.FILESYSTEM);
        assertThat(config.stores().metadata()).isEqualTo(StoreSettings.SQLITE);
        assertThat(config.listeners().tls()).isNull();
        assertThat(config.listeners().admission()).isNull();
        assertThat(config.naming().externalUrl()).isEqualTo("http://registry.team.internal:5000");
        assertThat(config.authSettings().realm()).isEqualTo("http://registry.team.internal:5000/token");
    }

    @Test
    void postgresS3IsSeveralReplicasWithCredentialsFromSecrets() throws Exception {
        List<HasMetadata> objects = render("postgres-s3-ha-values.yaml");
        assertThat(kinds(objects)).isEqualTo(Map.of("ConfigMap", 1L, "Deployment", 1L, "NetworkPolicy", 1L,
                "PodDisruptionBudget", 1L, "Service", 1L, "ServiceAccount", 1L));
        Deployment deployment = one(objects, Deployment.class);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(3);
        assertThat(deployment.getSpec().getStrategy()).as("shared stores roll one pod at a time").isNull();
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container registry = pod.getContainers().get(0);
        assertThat(registry.getImage()).isEqualTo("registry.example.com/slipway/slipway-registry:0.1.0"
                + "@sha256:4f53cda18c2baa0c0354bb5f9a3ecbe5ed12ab4d8e11ba873c2f11161202b945");
        Map<String, String> secretRefs = registry.getEnv().stream().filter(e -> e.getValueFrom() != null)
                .collect(Collectors.toMap(EnvVar::getName, e -> e.getValueFrom().getSecretKeyRef().getName() + "/"
                        + e.getValueFrom().getSecretKeyRef().getKey()));
        assertThat(secretRefs).isEqualTo(Map.of("SLIPWAY_ADMIN_API_KEY", "slipway-admin/api-key",
                "SLIPWAY_S3_ACCESS_KEY", "slipway-s3/access-key", "SLIPWAY_S3_SECRET_KEY", "slipway-s3/secret-key",
                "SLIPWAY_POSTGRES_PASSWORD", "slipway-postgres/password"));
        assertThat(volume(pod, mount(registry, "/var/lib/slipway").getName()).getEmptyDir())
                .as("nothing of the registry's state is kept on the node").isNotNull();
        assertThat(pod.getTopologySpreadConstraints()).hasSize(1);
        Volume tokenKey = volume(pod, mount(registry, "/etc/slipway/token-key").getName());
        assertThat(tokenKey.getSecret().getSecretName()).isEqualTo("slipway-token-key");
        assertThat(tokenKey.getSecret().getDefaultMode()).as("0440: the registry refuses a key others may read")
                .isEqualTo(0440);

        PodDisruptionBudget pdb = one(objects, PodDisruptionBudget.class);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);
        assertThat(pdb.getSpec().getSelector().getMatchLabels()).isEqualTo(deployment.getSpec().getSelector().getMatchLabels());

        String registryYaml = one(objects, ConfigMap.class).getData().get("registry.yaml");
        assertThat(registryYaml).doesNotContain("password").doesNotContain("secretKey").doesNotContain("accessKey");
        RegistryConfig config = load(registryYaml);
        assertThat(config.stores().shared()).isTrue();
        assertThat(config.stores().s3().bucket()).isEqualTo("slipway-blobs");
        assertThat(config.stores().s3().endpoint()).hasToString("https://minio.storage.svc:9000");
        assertThat(config.stores().s3().partSize()).isEqualTo(8388608);
        assertThat(config.stores().s3().redirect()).isEqualTo(Duration.ofMinutes(20));
        assertThat(config.stores().postgres().url()).isEqualTo("jdbc:postgresql://postgres.db.svc:5432/slipway");
        assertThat(config.stores().postgres().poolSize()).isEqualTo(16);
        assertThat(config.authSettings().tokenKeyFile()).as("every replica signs with the Secret's key")
                .isEqualTo(Path.of("/etc/slipway/token-key/token.key"));
        assertThat(config.limits().uploadBytes()).isEqualTo(17179869184L);
        assertThat(config.limits().uploadsPerPrincipal()).isEqualTo(64);
        assertThat(config.listeners().trustedProxies()).hasSize(1);
    }

    @Test
    @SuppressWarnings("unchecked")
    void tlsAndAdmissionComeFromCertManager() throws Exception {
        List<HasMetadata> objects = render("tls-certmanager-admission-values.yaml");
        assertThat(kinds(objects)).isEqualTo(Map.ofEntries(Map.entry("Certificate", 3L), Map.entry("ConfigMap", 1L),
                Map.entry("Deployment", 1L), Map.entry("Issuer", 2L), Map.entry("MutatingWebhookConfiguration", 1L),
                Map.entry("NetworkPolicy", 1L), Map.entry("PersistentVolumeClaim", 1L), Map.entry("Service", 2L),
                Map.entry("ServiceAccount", 1L), Map.entry("ValidatingWebhookConfiguration", 1L)));
        Deployment deployment = one(objects, Deployment.class);
        PodSpec pod = deployment.getSpec().getTemplate().getSpec();
        Container registry = pod.getContainers().get(0);
        assertThat(volume(pod, mount(registry, "/etc/slipway/tls").getName()).getSecret().getSecretName()).isEqualTo("reg-slipway-tls");
        assertThat(volume(pod, mount(registry, "/etc/slipway/admission-tls").getName()).getSecret().getSecretName())
                .isEqualTo("reg-slipway-admission-tls");
        assertThat(volume(pod, mount(registry, "/etc/slipway/admission-client-ca").getName()).getSecret().getSecretName())
                .isEqualTo("apiserver-client-ca");
        assertThat(registry.getPorts()).anySatisfy(p -> {
            assertThat(p.getName()).isEqualTo("admission");
            assertThat(p.getContainerPort()).isEqualTo(8443);
        });

        RegistryConfig config = load(one(objects, ConfigMap.class).getData().get("registry.yaml"));
        assertThat(config.listeners().tls().cert()).isEqualTo(Path.of("/etc/slipway/tls/tls.crt"));
        assertThat(config.listeners().tls().key()).isEqualTo(Path.of("/etc/slipway/tls/tls.key"));
        assertThat(config.listeners().admission().port()).isEqualTo(8443);
        assertThat(config.listeners().admission().tls().cert()).isEqualTo(Path.of("/etc/slipway/admission-tls/tls.crt"));
        assertThat(config.listeners().admission().tls().clientCA()).isEqualTo(Path.of("/etc/slipway/admission-client-ca/ca.crt"));
        assertThat(config.naming().names()).containsExactly("slipway.registry.svc:5000");

        Service admission = named(objects, Service.class, "reg-slipway-admission");
        assertThat(admission.getSpec().getPorts()).singleElement().satisfies(p -> {
            assertThat(p.getPort()).isEqualTo(8443);
            assertThat(p.getTargetPort().getStrVal()).isEqualTo("admission");
        });
        assertThat(named(objects, Service.class, "reg-slipway").getSpec().getPorts().get(0).getName()).isEqualTo("https");

        ValidatingWebhook validating = one(objects, ValidatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(one(objects, ValidatingWebhookConfiguration.class).getWebhooks()).hasSize(1);
        assertThat(validating.getFailurePolicy()).isEqualTo("Fail");
        assertThat(validating.getSideEffects()).isEqualTo("None");
        assertThat(validating.getTimeoutSeconds()).isEqualTo(5);
        assertThat(validating.getAdmissionReviewVersions()).containsExactly("v1");
        assertThat(validating.getClientConfig().getService().getName()).isEqualTo("reg-slipway-admission");
        assertThat(validating.getClientConfig().getService().getNamespace()).isEqualTo(Chart.NAMESPACE);
        assertThat(validating.getClientConfig().getService().getPort()).isEqualTo(8443);
        assertThat(validating.getClientConfig().getService().getPath()).isEqualTo("/admission/v1/validate");
        assertThat(validating.getClientConfig().getCaBundle()).as("cert-manager injects it").isNull();
        assertThat(validating.getNamespaceSelector().getMatchExpressions()).singleElement().satisfies(e -> {
            assertThat(e.getKey()).isEqualTo("kubernetes.io/metadata.name");
            assertThat(e.getOperator()).isEqualTo("NotIn");
            assertThat(e.getValues()).containsExactly(Chart.NAMESPACE, "kube-system", "cert-manager");
        });
        assertThat(validating.getRules()).flatExtracting(r -> r.getResources()).containsExactlyInAnyOrder("pods",
                "pods/ephemeralcontainers", "deployments", "statefulsets", "daemonsets", "replicasets", "jobs", "cronjobs");
        assertThat(one(objects, ValidatingWebhookConfiguration.class).getMetadata().getAnnotations())
                .containsEntry("cert-manager.io/inject-ca-from", Chart.NAMESPACE + "/reg-slipway-admission");

        MutatingWebhook mutating = one(objects, MutatingWebhookConfiguration.class).getWebhooks().get(0);
        assertThat(mutating.getFailurePolicy()).isEqualTo("Fail");
        assertThat(mutating.getClientConfig().getService().getPath()).isEqualTo("/admission/v1/mutate");
        assertThat(mutating.getReinvocationPolicy()).isEqualTo("IfNeeded");
        assertThat(mutating.getNamespaceSelector()).isEqualTo(validating.getNamespaceSelector());

        // cert-manager's kinds have no model here: their fields are checked one by one.
        GenericKubernetesResource serving = generic(objects, "Certificate", "reg-slipway-admission");
        assertThat(serving.getApiVersion()).isEqualTo("cert-manager.io/v1");
        assertThat((List<Object>) serving.get("spec", "dnsNames")).containsExactly("reg-slipway-admission.registry.svc",
                "reg-slipway-admission.registry.svc.cluster.local");
        assertThat((String) serving.get("spec", "secretName")).isEqualTo("reg-slipway-admission-tls");
        assertThat((String) serving.get("spec", "issuerRef", "name")).isEqualTo("reg-slipway-admission-ca");
        GenericKubernetesResource ca = generic(objects, "Certificate", "reg-slipway-admission-ca");
        assertThat((Boolean) ca.get("spec", "isCA")).isTrue();
        assertThat((String) generic(objects, "Issuer", "reg-slipway-admission-ca").get("spec", "ca", "secretName"))
                .isEqualTo(ca.get("spec", "secretName"));
        GenericKubernetesResource tls = generic(objects, "Certificate", "reg-slipway");
        assertThat((String) tls.get("spec", "secretName")).isEqualTo("reg-slipway-tls");
        assertThat((String) tls.get("spec", "issuerRef", "kind")).isEqualTo("ClusterIssuer");
        assertThat((List<Object>) tls.get("spec", "dnsNames")).containsExactly("registry.example.com", "slipway.registry.svc");
    }

    @Test
    void ingressAndServiceMonitorAndAGivenCaBundle() throws Exception {
        List<HasMetadata> objects = render("ingress-servicemonitor-values.yaml");
        assertThat(kinds(objects)).isEqualTo(Map.of("ConfigMap", 1L, "Deployment", 1L, "Ingress", 1L, "NetworkPolicy", 1L,
                "PersistentVolumeClaim", 1L, "Service", 2L, "ServiceAccount", 1L, "ServiceMonitor", 1L,
                "ValidatingWebhookConfiguration", 1L));
        Ingress ingress = one(objects, Ingress.class);
        assertThat(ingress.getSpec().getIngressClassName()).isEqualTo("nginx");
        assertThat(ingress.getSpec().getTls()).singleElement().satisfies(t -> {
            assertThat(t.getHosts()).containsExactly("registry.example.com");
            assertThat(t.getSecretName()).isEqualTo("registry-example-com-tls");
        });
        var backend = ingress.getSpec().getRules().get(0).getHttp().getPaths().get(0).getBackend().getService();
        assertThat(backend.getName()).isEqualTo("reg-slipway");
        assertThat(backend.getPort().getNumber()).isEqualTo(5000);

        GenericKubernetesResource monitor = generic(objects, "ServiceMonitor", "reg-slipway");
        assertThat(monitor.getApiVersion()).isEqualTo("monitoring.coreos.com/v1");
        assertThat(monitor.getMetadata().getLabels()).containsEntry("release", "prometheus");
        assertThat((Map<?, ?>) monitor.get("spec", "selector", "matchLabels"))
                .isEqualTo(one(objects, Deployment.class).getSpec().getSelector().getMatchLabels());
        List<?> endpoints = monitor.get("spec", "endpoints");
        assertThat(endpoints).singleElement().isEqualTo(Map.of("port", "metrics", "path", "/metrics", "scheme", "http",
                "interval", "30s", "scrapeTimeout", "10s"));
        assertThat(named(objects, Service.class, "reg-slipway").getSpec().getPorts()).extracting(ServicePort::getName).contains("metrics");

        ValidatingWebhookConfiguration webhooks = one(objects, ValidatingWebhookConfiguration.class);
        assertThat(webhooks.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(webhooks.getWebhooks().get(0).getClientConfig().getCaBundle())
                .isEqualTo("LS0tLS1CRUdJTiBDRVJUSUZJQ0FURS0tLS0tCk1JSUJrVENCK3dJSkFMUjNmZXRjaApkdW1teQotLS0tLUVORCBDRVJUSUZJQ0FURS0tLS0tCg==");
        assertThat(objects).noneMatch(o -> o instanceof MutatingWebhookConfiguration);

        NetworkPolicy policy = one(objects, NetworkPolicy.class);
        assertThat(policy.getSpec().getIngress()).hasSize(3);
        assertThat(policy.getSpec().getIngress().get(0).getFrom()).singleElement().satisfies(from ->
                assertThat(from.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "ingress-nginx"));
        assertThat(policy.getSpec().getIngress().get(1).getPorts().get(0).getPort().getStrVal()).isEqualTo("admission");
        assertThat(policy.getSpec().getIngress().get(1).getFrom()).as("the API server is no pod").isNullOrEmpty();
        assertThat(policy.getSpec().getIngress().get(2).getFrom()).singleElement().satisfies(from ->
                assertThat(from.getNamespaceSelector().getMatchLabels()).containsEntry("kubernetes.io/metadata.name", "monitoring"));
    }

    @Test
    void aChangedSettingRollsThePods() throws Exception {
        String before = checksum(Chart.objects(Chart.render(null, Map.of())));
        String after = checksum(Chart.objects(Chart.render(null, Map.of("gc.interval", "12h"))));
        assertThat(after).isNotEqualTo(before);
        assertThat(checksum(Chart.objects(Chart.render(null, Map.of("resources.limits.memory", "4Gi")))))
                .as("a pod setting alone changes the pod, not the configuration").isEqualTo(before);
    }

    @Test
    void refusesValuesThatCannotRunSayingWhy() {
        assertThatThrownBy(() -> Chart.render(null, Map.of("replicaCount", 2)))
                .hasMessageContaining("replicaCount is 2 but metadata.driver is sqlite");
        assertThatThrownBy(() -> Chart.render(null, Map.of("replicaCount", 2, "metadata.driver", "postgres",
                "metadata.postgres.url", "jdbc:postgresql://db/slipway", "metadata.postgres.existingSecret", "pg")))
                .hasMessageContaining("several replicas need blobs in S3");
        assertThatThrownBy(() -> Chart.render(null, Map.of("metadata.driver", "postgres", "metadata.postgres.url",
                "jdbc:postgresql://db/slipway"))).hasMessageContaining("the password comes from a Secret");
        assertThatThrownBy(() -> Chart.render(null, Map.of("metadata.driver", "postgres", "metadata.postgres.url",
                "jdbc:postgresql://db/slipway", "metadata.postgres.existingSecret", "pg")))
                .hasMessageContaining("auth.tokenKey.existingSecret is empty");
        assertThatThrownBy(() -> Chart.render(null, Map.of("storage.driver", "s3")))
                .hasMessageContaining("storage.s3.bucket is empty");
        assertThatThrownBy(() -> Chart.render(null, Map.of("admission.enabled", true)))
                .hasMessageContaining("admission.enabled needs the webhooks' CA");
        assertThatThrownBy(() -> Chart.render(null, Map.of("admission.enabled", true, "admission.caBundle", "Zm9v",
                "admission.timeoutSeconds", 31))).hasMessageContaining("schema").hasMessageContaining("/admission/timeoutSeconds");
        assertThatThrownBy(() -> Chart.render(null, Map.of("metadata.driver", "mysql"))).hasMessageContaining("schema")
                .hasMessageContaining("/metadata/driver");
        assertThatThrownBy(() -> Chart.render(null, Map.of("ingress.enabled", true))).hasMessageContaining("ingress.enabled needs ingress.host");
        assertThatThrownBy(() -> Chart.render(null, Map.of("ingress.enabled", true, "ingress.host", "r.example.com")))
                .hasMessageContaining("ingress.enabled needs externalUrl");
        // values.schema.json: a misspelt key is refused, not silently ignored
        assertThatThrownBy(() -> Chart.render(null, Map.of("replicas", 3)))
                .hasMessageContaining("schema").hasMessageContaining("replicas");
        assertThatThrownBy(() -> Chart.render(null, Map.of("storage.s3.bucekt", "b")))
                .hasMessageContaining("schema").hasMessageContaining("bucekt");
        assertThatThrownBy(() -> Chart.render(null, Map.of("admission.failurePolicy", "Ignor")))
                .hasMessageContaining("schema").hasMessageContaining("failurePolicy");
    }

    /** The reader is as strict as the tests claim: a misspelt or misplaced field is an error, not ignored. */
    @Test
    void theStrictReaderRefusesFieldsTheModelDoesNotKnow() {
        String ok = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"x\"},\"spec\":{\"replicas\":2}}";
        assertThat(Chart.read(ok, Deployment.class).getSpec().getReplicas()).isEqualTo(2);
        assertThatThrownBy(() -> Chart.read(ok.replace("\"replicas\"", "\"replica\""), Deployment.class))
                .hasMessageStartingWith("not a valid Kubernetes object: Unrecognized field \"replica\"")
                .hasMessageContaining("DeploymentSpec");
        assertThatThrownBy(() -> Chart.read("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"x\"},"
                + "\"spec\":{\"containers\":[{\"name\":\"c\",\"securityContext\":{\"readOnlyRootFileSystem\":true}}]}}",
                HasMetadata.class)).hasMessageStartingWith("not a valid Kubernetes object: Unrecognized field \"readOnlyRootFileSystem\"")
                .hasMessageContaining("SecurityContext");
    }

    private List<HasMetadata> render(String ciFile) throws Exception {
        return Chart.objects(Chart.render(Chart.DIR.resolve("ci").resolve(ciFile), Map.of()));
    }

    private RegistryConfig load(String registryYaml) throws Exception {
        Path file = Files.createTempFile(tmp, "registry", ".yaml");
        Files.writeString(file, registryYaml);
        return RegistryConfig.load(file);
    }

    private static String checksum(List<HasMetadata> objects) {
        return one(objects, Deployment.class).getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
    }

    static Map<String, Long> kinds(List<HasMetadata> objects) {
        return objects.stream().collect(Collectors.groupingBy(HasMetadata::getKind, TreeMap::new, Collectors.counting()));
    }

    static <T extends HasMetadata> T one(List<HasMetadata> objects, Class<T> type) {
        List<T> of = objects.stream().filter(type::isInstance).map(type::cast).toList();
        assertThat(of).as(type.getSimpleName()).hasSize(1);
        return of.get(0);
    }

    private static <T extends HasMetadata> T named(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast).filter(o -> o.getMetadata().getName().equals(name))
                .findFirst().orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " " + name));
    }

    private static GenericKubernetesResource generic(List<HasMetadata> objects, String kind, String name) {
        return objects.stream().filter(o -> o instanceof GenericKubernetesResource && o.getKind().equals(kind)
                && o.getMetadata().getName().equals(name)).map(GenericKubernetesResource.class::cast).findFirst()
                .orElseThrow(() -> new AssertionError("no " + kind + " " + name));
    }

    private static VolumeMount mount(Container container, String path) {
        return container.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(path)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
    }

    private static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no volume " + name));
    }

    static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }
}
