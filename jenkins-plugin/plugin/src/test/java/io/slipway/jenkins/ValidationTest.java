package io.slipway.jenkins;

import static org.assertj.core.api.Assertions.assertThat;

import hudson.util.FormValidation;
import org.junit.jupiter.api.Test;

/** The Snippet Generator's form checks say what the step would say at run time. */
class ValidationTest {
    private static final String DIGEST = "sha256:" + "a".repeat(64);

    @Test
    void gateChecksImageSeverityAndDurations() {
        SlipwayGateStep.DescriptorImpl d = new SlipwayGateStep.DescriptorImpl();
        assertThat(d.doCheckImage("reg.example.com/team/app:1.0@" + DIGEST).kind).isEqualTo(FormValidation.Kind.OK);
        FormValidation tagOnly = d.doCheckImage("team/app:1.0");
        assertThat(tagOnly.kind).isEqualTo(FormValidation.Kind.ERROR);
        assertThat(tagOnly.getMessage()).contains("has no digest");
        assertThat(d.doCheckImage("").kind).isEqualTo(FormValidation.Kind.ERROR);
        assertThat(d.doCheckImage("${img.reference}").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckSeverity("critical").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckSeverity("severe").kind).isEqualTo(FormValidation.Kind.ERROR);
        assertThat(d.doCheckTimeout("10m").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckTimeout("ten minutes").getMessage()).contains("invalid duration");
        assertThat(d.doCheckRegistry("").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(d.doCheckRegistry("registry.example.com").kind).isEqualTo(FormValidation.Kind.ERROR);
    }

    @Test
    void buildChecksTheTargetAndTheRegistryBlockItsUrl() {
        SlipwayBuildStep.DescriptorImpl build = new SlipwayBuildStep.DescriptorImpl();
        assertThat(build.doCheckImage("team-dev/app:1.0").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(build.doCheckImage("team-dev/app@" + DIGEST).getMessage()).contains("must not name a digest");
        assertThat(build.doCheckImage("Team/App").kind).isEqualTo(FormValidation.Kind.ERROR);
        WithSlipwayRegistryStep.DescriptorImpl block = new WithSlipwayRegistryStep.DescriptorImpl();
        assertThat(block.doCheckUrl("https://registry.example.com").kind).isEqualTo(FormValidation.Kind.OK);
        assertThat(block.doCheckUrl("").kind).isEqualTo(FormValidation.Kind.ERROR);
        // plain HTTP without a warning to this machine only: the hosts the steps send credentials to
        // (CredentialPolicy's loopback rule, the one every client keeps: all of 127.0.0.0/8 is this machine)
        for (String loopback : new String[] {"http://127.0.0.1:5000", "http://localhost:5000", "http://[::1]:5000",
                "http://127.0.0.2:5000"}) {
            assertThat(block.doCheckUrl(loopback).kind).as(loopback).isEqualTo(FormValidation.Kind.OK);
        }
        assertThat(block.doCheckUrl("http://127.0.0.1.nip.io:5000").kind).isEqualTo(FormValidation.Kind.WARNING);
        assertThat(block.doCheckUrl("http://registry.example.com").getMessage())
                .contains("only to this machine: localhost, 127.0.0.1 (any 127.x.y.z) or [::1]");
        assertThat(block.doCheckUrl("http://registry.example.com").kind).isEqualTo(FormValidation.Kind.WARNING);
        assertThat(new SlipwaySignStep.DescriptorImpl().doCheckKeyCredentialsId(" ").kind).isEqualTo(FormValidation.Kind.ERROR);
        assertThat(new SlipwayPromoteStep.DescriptorImpl().doCheckTo("envs/prod/values.yaml").kind)
                .isEqualTo(FormValidation.Kind.OK);
    }
}
