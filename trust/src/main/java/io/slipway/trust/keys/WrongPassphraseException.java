package io.slipway.trust.keys;

/**
 * An encrypted private key did not open with the passphrase given. A separate type because the
 * CLI asks again rather than failing, and because it is the one error a user can fix by typing.
 */
public class WrongPassphraseException extends KeyFileException {

    public WrongPassphraseException() {
        super("wrong passphrase for the encrypted private key");
    }
}
