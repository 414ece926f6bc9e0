package io.slipway.helm.render;

import com.marcnuri.helm.jni.NativeLibrary;
import java.util.function.Supplier;

/**
 * The one way into helm-java. helm-java finds its native library through the thread's context
 * class loader and, when that loader cannot see one, downloads a native jar from Maven Central at
 * run time; a failed load then leaves {@code Helm$HelmLibHolder} broken for the life of the JVM.
 * Here the context class loader is the one that loaded helm-java, the native library is looked
 * for before Helm is touched (so nothing is ever downloaded), and a Helm that cannot load is a
 * {@link RenderCheckException} that names the platform.
 *
 * <p>Helm's Go runtime takes over SIGTERM and SIGQUIT in the JVM that loads it. A long-lived JVM
 * (a Jenkins controller or agent) must not call this: it runs {@link RenderCheckProcess} instead,
 * which calls this in a child JVM.
 */
public final class HelmCalls {
    private static volatile Boolean nativeFound;

    private HelmCalls() {
    }

    /** Runs a helm-java call with the context class loader set, after making sure Helm can load without a download. */
    public static <T> T call(Supplier<T> helmCall) {
        ClassLoader own = HelmCalls.class.getClassLoader();
        Thread thread = Thread.currentThread();
        ClassLoader before = thread.getContextClassLoader();
        thread.setContextClassLoader(own);
        try {
            requireNative(own);
            return helmCall.get();
        } catch (LinkageError e) {
            // ExceptionInInitializerError, UnsatisfiedLinkError, NoClassDefFoundError after an earlier one
            throw new RenderCheckException("Helm (helm-java's native library) could not be loaded on " + platform() + ": " + e, e);
        } finally {
            thread.setContextClassLoader(before);
        }
    }

    /** The JVM's platform as helm-java names its native jars. */
    static String platform() {
        return System.getProperty("os.name") + "/" + System.getProperty("os.arch");
    }

    private static void requireNative(ClassLoader own) {
        Boolean found = nativeFound;
        if (found == null) {
            found = NativeLibrary.serviceProviderLibrary(own) != null;
            nativeFound = found;
        }
        if (!found) {
            throw new RenderCheckException("no native Helm library for " + platform() + " on the class path (Slipway ships "
                    + "helm-java's linux-amd64 one) and none is downloaded at run time; render on a linux-amd64 machine, "
                    + "or turn the render check off");
        }
    }
}
