package io.slipway.registry.clients;

import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainer;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Run in a child JVM by {@link HttpsClientsTest}: Jib pushes an image to {@code args[0]} (host:port)
 * and pulls it back into a tar, trusting only what {@code -Djavax.net.ssl.trustStore} holds — the
 * way a build trusts a private CA. Insecure registries are not allowed. Prints the pushed digest.
 */
public final class JibOverHttps {
    private JibOverHttps() {
    }

    public static void main(String[] args) throws Exception {
        String registry = args[0];
        Path work = Path.of(args[1]);
        Path file = Files.writeString(work.resolve("hello.txt"), "pushed by Jib over TLS\n");
        Path cache = Files.createDirectories(work.resolve("cache"));
        JibContainer pushed = Jib.fromScratch()
                .addLayer(List.of(file), AbsoluteUnixPath.get("/app"))
                .containerize(Containerizer.to(RegistryImage.named(registry + "/team/jib:1"))
                        .setBaseImageLayersCache(cache).setApplicationLayersCache(cache));
        Jib.from(RegistryImage.named(registry + "/team/jib:1"))
                .containerize(Containerizer.to(TarImage.at(work.resolve("pulled.tar")).named("team/jib:pulled"))
                        .setBaseImageLayersCache(cache).setApplicationLayersCache(cache));
        System.out.println(pushed.getDigest());
    }
}
