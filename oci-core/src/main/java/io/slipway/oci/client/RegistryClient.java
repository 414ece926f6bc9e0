package io.slipway.oci.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.slipway.oci.Digest;
import io.slipway.oci.MediaTypes;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A small OCI Distribution client: blobs (HEAD, GET, monolithic upload) and manifests (GET, HEAD,
 * PUT) by tag or digest, with the Docker token flow. A request goes out with the token cached for
 * its scope; on 401 the {@code WWW-Authenticate} challenge names the realm, and a token is got there
 * with the Basic credentials and cached per scope, so a run of calls on one repository costs one
 * token request.
 *
 * <p>Credentials stay home ({@link CredentialPolicy}, the rule every client shares): redirects are followed by it,
 * not by the HTTP client, so {@code Authorization} is dropped when one leads to another origin (the pre-signed
 * object-store URL a blob GET is redirected to) and a redirect from HTTPS to HTTP is refused; credentials (Basic, or
 * a token got with them) are never sent over plain HTTP except to a loopback address. Blobs are streamed
 * ({@link #blobTo(String, Digest, Path)}), their digest checked on the way.
 */
public final class RegistryClient {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ACCEPT_MANIFESTS = String.join(",", MediaTypes.OCI_MANIFEST, MediaTypes.OCI_INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    private final String base;
    private final String user;
    private final String secret;
    private final HttpClient http;
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    /**
     * The registry's last Bearer challenge: a request for a scope with no token yet gets its token from
     * the same realm first, rather than being sent without one. A push's body sent without a token is
     * refused with 401 part-way, and the server closes the connection under the rest of the body, so
     * the client may read no answer at all (seen in CI: "HTTP/1.1 header parser received no bytes").
     */
    private volatile BearerChallenge lastChallenge;

    /**
     * @param registryUrl {@code http(s)://host:port}
     * @param user        Basic user for the token realm ({@code iamapikey}), or null for anonymous
     * @param secret      its password or API key
     */
    public RegistryClient(String registryUrl, String user, String secret) {
        this.base = registryUrl.replaceAll("/+$", "");
        this.user = user;
        this.secret = secret;
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10))
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String registryUrl() {
        return base;
    }

    /** True when the repository holds the blob. */
    public boolean blobExists(String repository, Digest digest) throws IOException {
        HttpResponse<byte[]> r = send(repository, false, get("/v2/" + repository + "/blobs/" + digest)
                .method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() == 404) {
            return false;
        }
        check(r, "HEAD blob " + digest);
        return true;
    }

    /** Blobs read whole into memory ({@link #blob(String, Digest)}) are configs and signatures; layers go to a file. */
    public static final long MAX_BLOB_IN_MEMORY = 32L << 20;

    /**
     * A small blob (a config, a signature payload) in memory, its digest checked. One larger than
     * {@link #MAX_BLOB_IN_MEMORY} is refused: read it with {@link #blobTo(String, Digest, Path)}.
     */
    public byte[] blob(String repository, Digest digest) throws IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        blobTo(repository, digest, new BoundedOutput(out, MAX_BLOB_IN_MEMORY, digest));
        return out.toByteArray();
    }

    /**
     * Streams a blob into a file, hashing it on the way; nothing but a buffer is held in memory. On a digest
     * mismatch (or any failure) the partial file is deleted and the call fails: a file left at {@code target}
     * always holds exactly the blob.
     */
    public void blobTo(String repository, Digest digest, Path target) throws IOException {
        Path partial = target.resolveSibling(target.getFileName() + ".partial");
        boolean done = false;
        try (OutputStream out = Files.newOutputStream(partial)) {
            blobTo(repository, digest, out);
            out.close();
            Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            done = true;
        } finally {
            if (!done) {
                Files.deleteIfExists(partial);
            }
        }
    }

    /**
     * Streams a blob into {@code out}, hashing it on the way, and fails after the last byte when it does not match
     * {@code digest}: what was written must then be thrown away (the file form does that itself).
     */
    public void blobTo(String repository, Digest digest, OutputStream out) throws IOException {
        HttpResponse<InputStream> r = send(repository, false, get("/v2/" + repository + "/blobs/" + digest),
                HttpResponse.BodyHandlers.ofInputStream());
        try (InputStream in = r.body()) {
            if (r.statusCode() < 200 || r.statusCode() >= 300) {
                check(r.statusCode(), in.readNBytes(64 << 10), "GET blob " + digest);
            }
            MessageDigest hash = digest.algorithm().newMessageDigest();
            byte[] buffer = new byte[64 << 10];
            for (int n; (n = in.read(buffer)) > 0; ) {
                hash.update(buffer, 0, n);
                out.write(buffer, 0, n);
            }
            if (!Digest.fromHash(digest.algorithm(), hash.digest()).equals(digest)) {
                throw new IOException("blob " + digest + " from " + repository + " does not match its digest");
            }
        }
    }

    /** An in-memory sink that refuses to grow past its bound, so a huge blob fails instead of exhausting the heap. */
    private static final class BoundedOutput extends java.io.FilterOutputStream {
        private final long limit;
        private final Digest digest;
        private long written;

        BoundedOutput(OutputStream out, long limit, Digest digest) {
            super(out);
            this.limit = limit;
            this.digest = digest;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            written += len;
            if (written > limit) {
                throw new IOException("blob " + digest + " is larger than " + (limit >> 20)
                        + " MiB: read it into a file (RegistryClient.blobTo), not into memory");
            }
            out.write(b, off, len);
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    /** Uploads the blob in one request ({@code POST …/blobs/uploads/?digest=}) unless it is there. */
    public Digest uploadBlob(String repository, byte[] content) throws IOException {
        Digest digest = Digest.sha256(content);
        if (blobExists(repository, digest)) {
            return digest;
        }
        HttpResponse<byte[]> r = send(repository, true,
                get("/v2/" + repository + "/blobs/uploads/?digest=" + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8))
                        .header("Content-Type", "application/octet-stream")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(content)));
        if (r.statusCode() == 202) {
            // The registry declined the monolithic form and opened a session: finish it with one PUT.
            String location = r.headers().firstValue("Location")
                    .orElseThrow(() -> new IOException("upload session without a Location header"));
            URI target = URI.create(base + "/").resolve(location);
            String sep = target.getQuery() == null ? "?" : "&";
            r = send(repository, true, HttpRequest.newBuilder(URI.create(target + sep + "digest="
                            + URLEncoder.encode(digest.toString(), StandardCharsets.UTF_8)))
                    .timeout(Duration.ofMinutes(5)).header("Content-Type", "application/octet-stream")
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(content)));
        }
        check(r, "upload blob " + digest);
        return digest;
    }

    /** The manifest for a tag or digest, or null when there is none. */
    public FetchedManifest manifest(String repository, String reference) throws IOException {
        HttpResponse<byte[]> r = send(repository, false,
                get("/v2/" + repository + "/manifests/" + reference).header("Accept", ACCEPT_MANIFESTS));
        if (r.statusCode() == 404) {
            return null;
        }
        check(r, "GET manifest " + repository + ":" + reference);
        Digest digest = Digest.sha256(r.body());
        if (Digest.looksLikeDigest(reference) && !Digest.parse(reference).matches(r.body())) {
            throw new IOException("manifest " + reference + " does not match its digest");
        }
        String type = MediaTypes.strip(r.headers().firstValue("Content-Type").orElse(MediaTypes.OCI_MANIFEST));
        return new FetchedManifest(r.body(), type, digest);
    }

    /** The digest a tag (or digest) resolves to, or null when there is none. */
    public Digest manifestDigest(String repository, String reference) throws IOException {
        HttpResponse<byte[]> r = send(repository, false, get("/v2/" + repository + "/manifests/" + reference)
                .header("Accept", ACCEPT_MANIFESTS).method("HEAD", HttpRequest.BodyPublishers.noBody()));
        if (r.statusCode() == 404) {
            return null;
        }
        check(r, "HEAD manifest " + repository + ":" + reference);
        return r.headers().firstValue("Docker-Content-Digest").map(Digest::parse)
                .orElseThrow(() -> new IOException("the registry sent no Docker-Content-Digest"));
    }

    /** Stores a manifest under a tag or its digest; returns its digest. */
    public Digest putManifest(String repository, String reference, byte[] manifest, String mediaType) throws IOException {
        HttpResponse<byte[]> r = send(repository, true, get("/v2/" + repository + "/manifests/" + reference)
                .header("Content-Type", mediaType).PUT(HttpRequest.BodyPublishers.ofByteArray(manifest)));
        check(r, "PUT manifest " + repository + ":" + reference);
        return Digest.sha256(manifest);
    }

    /**
     * The Red Hat simple-signing signatures of a manifest, through the signature extension API
     * ({@code GET /extensions/v2/<name>/signatures/<digest>}), as the signed messages' bytes.
     */
    public java.util.List<byte[]> simpleSignatures(String repository, Digest manifest) throws IOException {
        HttpResponse<byte[]> r = send(repository, false, get("/extensions/v2/" + repository + "/signatures/" + manifest));
        if (r.statusCode() == 404) {
            return java.util.List.of();
        }
        check(r, "GET signatures of " + repository + "@" + manifest);
        java.util.List<byte[]> out = new java.util.ArrayList<>();
        for (JsonNode sig : JSON.readTree(r.body()).path("signatures")) {
            out.add(Base64.getDecoder().decode(sig.path("content").asText()));
        }
        return out;
    }

    /** Adds one simple-signing signature through the extension API; {@code name} tells it apart. */
    public void putSimpleSignature(String repository, Digest manifest, String name, byte[] signedMessage) throws IOException {
        com.fasterxml.jackson.databind.node.ObjectNode body = JSON.createObjectNode();
        body.put("schemaVersion", 2);
        body.put("type", "atomic");
        body.put("name", name);
        body.put("content", Base64.getEncoder().encodeToString(signedMessage));
        HttpResponse<byte[]> r = send(repository, true, get("/extensions/v2/" + repository + "/signatures/" + manifest)
                .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofByteArray(JSON.writeValueAsBytes(body))));
        check(r, "PUT signature of " + repository + "@" + manifest);
    }

    private HttpRequest.Builder get(String path) {
        return HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofMinutes(5));
    }

    private static String scope(String repository, boolean push) {
        return "repository:" + repository + (push ? ":pull,push" : ":pull");
    }

    private HttpResponse<byte[]> send(String repository, boolean push, HttpRequest.Builder request) throws IOException {
        return send(repository, push, request, HttpResponse.BodyHandlers.ofByteArray());
    }

    private <T> HttpResponse<T> send(String repository, boolean push, HttpRequest.Builder request,
            HttpResponse.BodyHandler<T> body) throws IOException {
        String scope = scope(repository, push);
        String token = tokens.get(scope);
        HttpRequest built = request.build();
        if (user != null) {
            CredentialPolicy.requireSafeForCredentials(built.uri()); // before anything is sent: the token would be got with them
        }
        BearerChallenge known = lastChallenge;
        if (token == null && known != null) {
            token = fetchToken(known, scope);
            tokens.put(scope, token);
        }
        HttpResponse<T> r = exchange(token == null ? built : withToken(built, token), body);
        if (r.statusCode() != 401) {
            return r;
        }
        BearerChallenge challenge = BearerChallenge.parse(r.headers().firstValue("WWW-Authenticate").orElse(null));
        if (challenge == null) {
            return r;
        }
        lastChallenge = challenge;
        if (r.body() instanceof InputStream unread) {
            unread.close(); // the 401's body: the connection goes back to the pool
        }
        token = fetchToken(challenge, scope);
        tokens.put(scope, token);
        return exchange(withToken(built, token), body);
    }

    private static HttpRequest withToken(HttpRequest request, String token) {
        return HttpRequest.newBuilder(request, (name, value) -> !name.equalsIgnoreCase("Authorization"))
                .header("Authorization", "Bearer " + token).build();
    }

    private String fetchToken(BearerChallenge challenge, String scope) throws IOException {
        StringBuilder url = new StringBuilder(challenge.realm());
        url.append(challenge.realm().contains("?") ? '&' : '?');
        if (challenge.service() != null) {
            url.append("service=").append(URLEncoder.encode(challenge.service(), StandardCharsets.UTF_8)).append('&');
        }
        // Our own scope, not the challenge's: a push asks pull,push even when a HEAD was refused first.
        url.append("scope=").append(URLEncoder.encode(scope, StandardCharsets.UTF_8));
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url.toString())).timeout(Duration.ofSeconds(30)).GET();
        if (user != null) {
            b.header("Authorization", "Basic " + Base64.getEncoder()
                    .encodeToString((user + ":" + secret).getBytes(StandardCharsets.UTF_8)));
        }
        HttpResponse<byte[]> r = exchange(b.build());
        if (r.statusCode() != 200) {
            throw new RegistryException(r.statusCode(), "the token service refused the credentials (HTTP "
                    + r.statusCode() + ")");
        }
        JsonNode body = JSON.readTree(r.body());
        String token = body.path("token").asText(body.path("access_token").asText(""));
        if (token.isEmpty()) {
            throw new IOException("the token service answered without a token");
        }
        return token;
    }

    private HttpResponse<byte[]> exchange(HttpRequest request) throws IOException {
        return exchange(request, HttpResponse.BodyHandlers.ofByteArray());
    }

    /** Every request of this client goes through here: {@link CredentialPolicy} follows the redirects. */
    private <T> HttpResponse<T> exchange(HttpRequest request, HttpResponse.BodyHandler<T> body) throws IOException {
        try {
            return CredentialPolicy.send(http, request, body);
        } catch (ConnectException | HttpConnectTimeoutException e) {
            throw new RegistryUnreachableException("cannot reach the registry at " + base, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static void check(HttpResponse<byte[]> r, String what) throws RegistryException {
        check(r.statusCode(), r.body(), what);
    }

    private static void check(int status, byte[] body, String what) throws RegistryException {
        if (status >= 200 && status < 300) {
            return;
        }
        String detail = "";
        try {
            JsonNode error = JSON.readTree(body).path("errors").path(0);
            detail = ": " + error.path("code").asText() + " " + error.path("message").asText();
        } catch (IOException | RuntimeException ignored) {
            // not the OCI error shape; the status says enough
        }
        throw new RegistryException(status, what + " failed with HTTP " + status + detail);
    }
}
