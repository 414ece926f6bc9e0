package hudson.util;

import java.io.Serializable;

/** In Jenkins the value is encrypted with the controller's key; here it is kept as given. */
public final class Secret implements Serializable {
    private final String value;

    private Secret(String value) {
        this.value = value;
    }

    public String getPlainText() {
        return value;
    }

    public static Secret fromString(String data) {
        return new Secret(data == null ? "" : data);
    }

    public static String toString(Secret s) {
        return s == null ? "" : s.getPlainText();
    }
}
