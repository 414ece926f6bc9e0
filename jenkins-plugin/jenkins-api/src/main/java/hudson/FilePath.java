package hudson;

import hudson.remoting.VirtualChannel;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.io.Serializable;

public final class FilePath implements Serializable {
    private final String remote;

    public FilePath(File localPath) {
        this.remote = localPath.getPath();
    }

    public String getRemote() {
        return remote;
    }

    /**
     * Jenkins sends the callable to the agent that holds the file; here it makes the same trip
     * through Java serialization before running, so what would not reach an agent fails a test.
     */
    @SuppressWarnings("unchecked")
    public <T> T act(FileCallable<T> callable) throws IOException, InterruptedException {
        FileCallable<T> copy;
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream out = new ObjectOutputStream(bytes)) {
            out.writeObject(callable);
        }
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (FileCallable<T>) in.readObject();
        } catch (ClassNotFoundException e) {
            throw new IOException(e);
        }
        return copy.invoke(new File(remote), null);
    }

    public interface FileCallable<T> extends Serializable, org.jenkinsci.remoting.RoleSensitive {
        T invoke(File f, VirtualChannel channel) throws IOException, InterruptedException;
    }
}
