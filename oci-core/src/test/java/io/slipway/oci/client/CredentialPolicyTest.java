package io.slipway.oci.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpRequest;
import org.junit.jupiter.api.Test;

/** Which headers and methods a redirect keeps, and where credentials may go over plain HTTP. */
class CredentialPolicyTest {
    private static final HttpRequest PULL = HttpRequest.newBuilder(URI.create("https://registry.example:5000/v2/a/blobs/x"))
            .header("Authorization", "Bearer t").header("Accept", "*/*").build();

    @Test
    void authorizationStaysOnItsOrigin() throws Exception {
        HttpRequest same = CredentialPolicy.redirected(PULL, URI.create("https://REGISTRY.example:5000/other"), 307);
        assertThat(same.headers().firstValue("Authorization")).hasValue("Bearer t");
        for (String other : new String[] {"https://s3.example/bucket/x?X-Amz-Signature=1",
                "https://registry.example:5001/x", "https://registry.example/x"}) {
            HttpRequest r = CredentialPolicy.redirected(PULL, URI.create(other), 307);
            assertThat(r.headers().firstValue("Authorization")).as(other).isEmpty();
            assertThat(r.headers().firstValue("Accept")).hasValue("*/*");
            assertThat(r.method()).isEqualTo("GET");
        }
        assertThatThrownBy(() -> CredentialPolicy.redirected(PULL, URI.create("http://registry.example:5000/x"), 302))
                .hasMessageContaining("refusing a redirect from https://registry.example:5000 to plain");
    }

    @Test
    void aPostRedirectedBy303BecomesAGet() throws Exception {
        HttpRequest post = HttpRequest.newBuilder(URI.create("https://r.example/v2/a/blobs/uploads/"))
                .POST(HttpRequest.BodyPublishers.ofString("x")).build();
        assertThat(CredentialPolicy.redirected(post, URI.create("https://r.example/next"), 303).method()).isEqualTo("GET");
        assertThat(CredentialPolicy.redirected(post, URI.create("https://r.example/next"), 307).method()).isEqualTo("POST");
    }

    @Test
    void credentialsOverPlainHttpOnlyToLoopback() throws Exception {
        for (String ok : new String[] {"https://r.example/", "http://127.0.0.1:5000/", "http://[::1]:5000/",
                "http://localhost:5000/"}) {
            CredentialPolicy.requireSafeForCredentials(URI.create(ok));
        }
        for (String refused : new String[] {"http://r.example/", "http://10.0.0.5:5000/", "http://127.0.0.1.nip.io/"}) {
            assertThatThrownBy(() -> CredentialPolicy.requireSafeForCredentials(URI.create(refused))).as(refused)
                    .hasMessageContaining("refusing to send credentials over plain HTTP");
        }
    }
}
