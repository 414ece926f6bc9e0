package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import com.cloudbees.plugins.credentials.CredentialsScope;
import com.cloudbees.plugins.credentials.SystemCredentialsProvider;
import com.cloudbees.plugins.credentials.impl.UsernamePasswordCredentialsImpl;
import io.slipway.registry.testing.IamFixture;
import java.nio.file.Files;
import java.nio.file.Path;
import org.jenkinsci.plugins.workflow.cps.CpsFlowDefinition;
import org.jenkinsci.plugins.workflow.cps.SnippetizerTester;
import org.jenkinsci.plugins.workflow.job.WorkflowJob;
import org.jenkinsci.plugins.workflow.job.WorkflowRun;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.jvnet.hudson.test.JenkinsRule;
import org.jvnet.hudson.test.junit.jupiter.WithJenkins;

/**
 * The steps in a real Jenkins controller (JenkinsRule), against a Slipway registry started here:
 * a WorkflowJob builds from a jib build file written into its workspace, pushes, gates and shows
 * no secret in its log; the Snippet Generator round-trips each step. Runs only with -Preal-jenkins.
 */
@WithJenkins
class SlipwayPipelineTest {
    static Path data;
    static IamFixture iam;

    @BeforeAll
    static void registry() throws Exception {
        data = Files.createTempDirectory("slipway-real-jenkins");
        iam = new IamFixture(data);
    }

    @AfterAll
    static void stop() throws Exception {
        iam.close();
    }

    @Test
    void buildAndGateInAPipeline(JenkinsRule j) throws Exception {
        String key = iam.keys.get("ci");
        SystemCredentialsProvider.getInstance().getCredentials().add(
                new UsernamePasswordCredentialsImpl(CredentialsScope.GLOBAL, "slipway-ci", "", "iamapikey", key));
        WorkflowJob job = j.createProject(WorkflowJob.class, "app");
        job.setDefinition(new CpsFlowDefinition("""
                node {
                  writeFile file: 'app/hello.txt', text: 'hello'
                  writeFile file: 'jib.yaml', text: '''apiVersion: jib/v1alpha1
                kind: BuildFile
                from: scratch
                layers:
                  entries:
                    - name: app
                      files:
                        - src: app
                          dest: /app
                '''
                  withSlipwayRegistry(url: '%s', credentialsId: 'slipway-ci') {
                    def img = slipwayBuild(image: 'acme-dev/hello:1.0', tags: ['candidate'])
                    echo "built ${img.reference}"
                    def verdict = slipwayGate(image: img.reference, timeout: '60s', interval: '1s')
                    echo "gate ${verdict.passed}"
                    sh 'cat "$DOCKER_CONFIG/config.json"; echo "key=$SLIPWAY_API_KEY"'
                  }
                }
                """.formatted(iam.server.uri()), true));
        WorkflowRun run = j.buildAndAssertSuccess(job);
        j.assertLogContains("built 127.0.0.1:" + iam.server.port() + "/acme-dev/hello@sha256:", run);
        j.assertLogContains("gate true", run);
        j.assertLogContains("key=****", run);
        j.assertLogNotContains(key, run);
    }

    @Test
    void theSnippetGeneratorRoundTripsEachStep(JenkinsRule j) throws Exception {
        SnippetizerTester snippets = new SnippetizerTester(j);
        String image = "team/app@sha256:" + "a".repeat(64);
        snippets.assertRoundTrip(new SlipwayGateStep(image), "slipwayGate '" + image + "'");
        SlipwayGateStep critical = new SlipwayGateStep(image);
        critical.setSeverity("critical");
        snippets.assertRoundTrip(critical, "slipwayGate image: '" + image + "', severity: 'critical'");
        snippets.assertRoundTrip(new SlipwayBuildStep("team/app:1.0"), "slipwayBuild 'team/app:1.0'");
        snippets.assertRoundTrip(new SlipwaySignStep(image, "key"), "slipwaySign image: '" + image + "', keyCredentialsId: 'key'");
        snippets.assertRoundTrip(new SlipwayDeployStep("https://git/x.git", "envs/dev/values.yaml", image),
                "slipwayDeploy gitops: 'https://git/x.git', image: '" + image + "', values: 'envs/dev/values.yaml'");
        snippets.assertRoundTrip(new SlipwayPromoteStep("https://git/x.git", "a/values.yaml", "b/values.yaml"),
                "slipwayPromote from: 'a/values.yaml', gitops: 'https://git/x.git', to: 'b/values.yaml'");
        assertThat(j.jenkins.getPluginManager().getPlugin("slipway")).isNotNull();
    }
}
