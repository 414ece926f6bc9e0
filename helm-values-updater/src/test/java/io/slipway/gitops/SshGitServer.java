package io.slipway.gitops;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.server.Environment;
import org.apache.sshd.server.ExitCallback;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.keyprovider.SimpleGeneratorHostKeyProvider;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A Git SSH server for tests: Apache MINA sshd on 127.0.0.1 with public-key authentication, which
 * runs {@code git-upload-pack} and {@code git-receive-pack} with JGit on the bare repositories of
 * one folder. Public for the Jenkins plugin's tests.
 */
public final class SshGitServer implements AutoCloseable {
    private final SshServer sshd;

    public SshGitServer(Path repositories, Path hostKey, PublicKey allowedUserKey) throws IOException {
        sshd = SshServer.setUpDefaultServer();
        sshd.setHost("127.0.0.1");
        sshd.setPort(0);
        sshd.setKeyPairProvider(new SimpleGeneratorHostKeyProvider(hostKey));
        sshd.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, allowedUserKey));
        sshd.setPasswordAuthenticator(null);
        sshd.setKeyboardInteractiveAuthenticator(null);
        sshd.setCommandFactory(gitCommands(repositories));
        sshd.start();
    }

    public String url(String repository) {
        return "ssh://git@127.0.0.1:" + sshd.getPort() + "/" + repository;
    }

    /** The {@code known_hosts} line for this server's host key. */
    public String knownHostsLine() throws IOException, GeneralSecurityException {
        KeyPair host = sshd.getKeyPairProvider().loadKeys(null).iterator().next();
        return "[127.0.0.1]:" + sshd.getPort() + " " + PublicKeyEntry.toString(host.getPublic());
    }

    /** A new EC key pair, its private half written in OpenSSH format to {@code file}. */
    public static KeyPair newUserKey(Path file) throws GeneralSecurityException, IOException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        try (OutputStream out = Files.newOutputStream(file)) {
            OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(pair, "slipway-test", null, out);
        }
        return pair;
    }

    @Override
    public void close() throws IOException {
        sshd.stop(true);
    }

    private static CommandFactory gitCommands(Path repositories) {
        return (channel, commandLine) -> {
            List<String> words = CommandFactory.split(commandLine);
            if (words.size() != 2 || !(words.get(0).equals("git-upload-pack") || words.get(0).equals("git-receive-pack"))) {
                throw new IOException("unsupported command " + commandLine);
            }
            Path repo = repositories.resolve(words.get(1).replaceFirst("^/+", "")).normalize();
            if (!repo.startsWith(repositories)) {
                throw new IOException("no such repository");
            }
            return new GitCommand(words.get(0), repo);
        };
    }

    /** One git-upload-pack or git-receive-pack session, run on its own thread. */
    private static final class GitCommand implements Command {
        private final String verb;
        private final Path repo;
        private InputStream in;
        private OutputStream out;
        private OutputStream err;
        private ExitCallback exit;

        GitCommand(String verb, Path repo) {
            this.verb = verb;
            this.repo = repo;
        }

        @Override
        public void setInputStream(InputStream in) {
            this.in = in;
        }

        @Override
        public void setOutputStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void setErrorStream(OutputStream err) {
            this.err = err;
        }

        @Override
        public void setExitCallback(ExitCallback callback) {
            this.exit = callback;
        }

        @Override
        public void start(ChannelSession channel, Environment env) {
            Thread worker = new Thread(this::run, "ssh-" + verb);
            worker.setDaemon(true);
            worker.start();
        }

        private void run() {
            try (Repository repository = TestRepos.open(repo)) {
                if (verb.equals("git-upload-pack")) {
                    new UploadPack(repository).upload(in, out, err);
                } else {
                    new ReceivePack(repository).receive(in, out, err);
                }
                out.flush();
                exit.onExit(0);
            } catch (IOException | RuntimeException e) {
                try {
                    err.write((e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                    err.flush();
                } catch (IOException ignored) {
                    // the channel is gone; the exit code says enough
                }
                exit.onExit(1, String.valueOf(e.getMessage()));
            }
        }

        @Override
        public void destroy(ChannelSession channel) {
        }
    }
}
