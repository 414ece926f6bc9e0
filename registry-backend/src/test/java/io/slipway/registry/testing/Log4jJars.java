package io.slipway.registry.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * A log4j-core jar as the Vulnerability Advisor recognises one (its manifest and Maven
 * properties), without the classes: what the pipeline tests put into an image to be found by the
 * real Log4Shell advisory.
 */
public final class Log4jJars {
    private Log4jJars() {
    }

    public static byte[] log4jCore(String version) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            zip.putNextEntry(new ZipEntry("META-INF/MANIFEST.MF"));
            zip.write(("Manifest-Version: 1.0\nImplementation-Title: Apache Log4j Core\nImplementation-Version: "
                    + version + "\n").getBytes(StandardCharsets.UTF_8));
            zip.putNextEntry(new ZipEntry("META-INF/maven/org.apache.logging.log4j/log4j-core/pom.properties"));
            zip.write(("groupId=org.apache.logging.log4j\nartifactId=log4j-core\nversion=" + version + "\n")
                    .getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }
}
