package io.slipway.helm.render;

import java.net.URL;
import java.net.URLClassLoader;

/**
 * {@link RenderCheckMain} on a thread whose context class loader sees nothing but the JDK, as a
 * Jenkins step thread's (the web application's loader) does not see a plugin's libraries.
 */
public final class ForeignContextMain {
    private ForeignContextMain() {
    }

    public static void main(String[] args) {
        Thread.currentThread().setContextClassLoader(new URLClassLoader(new URL[0], null));
        System.exit(RenderCheckMain.run(args));
    }
}
