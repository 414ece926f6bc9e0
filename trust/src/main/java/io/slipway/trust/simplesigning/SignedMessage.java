package io.slipway.trust.simplesigning;

import io.slipway.trust.SignatureVerificationException;
import io.slipway.trust.SignatureVerificationException.Reason;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.DataFormatException;
import java.util.zip.Inflater;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.CompressionAlgorithmTags;
import org.bouncycastle.bcpg.PacketTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.bc.BcPGPObjectFactory;

/**
 * An OpenPGP signed message taken apart strictly: exactly one one-pass signature, one literal
 * payload and one signature, optionally inside one compressed packet, every length exact.
 *
 * <p>Why not let Bouncy Castle parse the whole message: it is lenient where a signature format
 * must not be. It accepts a truncated compressed stream, a packet whose length runs past the end,
 * a subpacket length that overruns its area (re-encoding what it guessed before hashing), and a
 * one-pass header that disagrees with its signature. None of these forges a signature, but each
 * lets one signed message have many byte forms, and a verifier should accept exactly the bytes a
 * signer wrote. So the framing is checked here, and Bouncy Castle only parses the signature packet
 * whose bytes are already known to be exact.
 */
final class SignedMessage {

    private final byte[] content;
    private final PGPSignature signature;

    private SignedMessage(byte[] content, PGPSignature signature) {
        this.content = content;
        this.signature = signature;
    }

    byte[] content() {
        return content;
    }

    PGPSignature signature() {
        return signature;
    }

    /** A packet: its tag and its body (header removed, partial chunks joined). */
    private record Packet(int tag, byte[] body) {
    }

    static SignedMessage read(byte[] bytes) throws SignatureVerificationException {
        try {
            List<Packet> packets = withoutMarkers(split(dearmor(bytes)));
            if (packets.size() == 1 && packets.get(0).tag() == PacketTags.COMPRESSED_DATA) {
                packets = withoutMarkers(split(decompress(packets.get(0).body())));
            }
            if (packets.size() != 3 || packets.get(0).tag() != PacketTags.ONE_PASS_SIGNATURE
                    || packets.get(1).tag() != PacketTags.LITERAL_DATA || packets.get(2).tag() != PacketTags.SIGNATURE) {
                throw malformed("expected one-pass signature, literal data and signature, found packets "
                        + packets.stream().map(Packet::tag).toList());
            }
            byte[] content = literalContent(packets.get(1).body());
            PGPSignature signature = signature(packets.get(2).body());
            requireOnePassMatches(packets.get(0).body(), signature);
            return new SignedMessage(content, signature);
        } catch (IOException | RuntimeException e) {
            throw malformed("not a well-formed OpenPGP signed message" + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
    }

    private static byte[] dearmor(byte[] bytes) throws IOException {
        if (bytes.length > 0 && (bytes[0] & 0x80) != 0) {
            return bytes; // binary: every OpenPGP packet header has the high bit set
        }
        try (ArmoredInputStream armored = ArmoredInputStream.builder().setIgnoreCRC(false).build(new ByteArrayInputStream(bytes))) {
            return armored.readAllBytes();
        }
    }

    private static List<Packet> withoutMarkers(List<Packet> packets) {
        return packets.stream().filter(p -> p.tag() != PacketTags.MARKER).toList();
    }

    /** Splits {@code data} into packets; any length that does not end exactly at a packet boundary fails. */
    private static List<Packet> split(byte[] data) throws SignatureVerificationException {
        List<Packet> packets = new ArrayList<>();
        Cursor in = new Cursor(data);
        while (in.remaining() > 0) {
            int ctb = in.u8();
            if ((ctb & 0x80) == 0) {
                throw malformed("invalid packet header");
            }
            if ((ctb & 0x40) == 0) {
                int tag = (ctb >> 2) & 0x0f;
                int lengthType = ctb & 0x03;
                long length = switch (lengthType) {
                    case 0 -> in.u8();
                    case 1 -> in.u16();
                    case 2 -> in.u32();
                    default -> in.remaining(); // indeterminate: to the end of the data
                };
                packets.add(new Packet(tag, in.bytes(length)));
            } else {
                int tag = ctb & 0x3f;
                ByteArrayOutputStream body = new ByteArrayOutputStream();
                while (true) {
                    int first = in.u8();
                    if (first >= 224 && first < 255) { // partial body length: a chunk, then more
                        body.writeBytes(in.bytes(1L << (first & 0x1f)));
                        continue;
                    }
                    long length = first < 192 ? first
                            : first < 224 ? ((first - 192) << 8) + in.u8() + 192
                            : in.u32();
                    body.writeBytes(in.bytes(length));
                    break;
                }
                packets.add(new Packet(tag, body.toByteArray()));
            }
        }
        return packets;
    }

    private static byte[] decompress(byte[] body) throws SignatureVerificationException {
        if (body.length == 0) {
            throw malformed("empty compressed packet");
        }
        int algorithm = body[0] & 0xff;
        byte[] data = java.util.Arrays.copyOfRange(body, 1, body.length);
        return switch (algorithm) {
            case CompressionAlgorithmTags.UNCOMPRESSED -> data;
            case CompressionAlgorithmTags.ZIP -> inflate(data, true);
            case CompressionAlgorithmTags.ZLIB -> inflate(data, false);
            default -> throw malformed("unsupported compression algorithm " + algorithm);
        };
    }

    // The stream must end exactly where the data ends, and within the payload limit.
    private static byte[] inflate(byte[] data, boolean raw) throws SignatureVerificationException {
        Inflater inflater = new Inflater(raw);
        try {
            inflater.setInput(data);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            while (!inflater.finished()) {
                int n = inflater.inflate(buffer);
                if (n == 0 && (inflater.needsInput() || inflater.needsDictionary())) {
                    throw malformed("compressed data is truncated");
                }
                out.write(buffer, 0, n);
                if (out.size() > SimpleSigningVerifier.MAX_PAYLOAD_BYTES + 4096) {
                    throw malformed("compressed message is larger than a signature can be");
                }
            }
            if (inflater.getRemaining() != 0) {
                throw malformed("data after the end of the compressed stream");
            }
            return out.toByteArray();
        } catch (DataFormatException e) {
            throw malformed("compressed data is damaged");
        } finally {
            inflater.end();
        }
    }

    private static byte[] literalContent(byte[] body) throws SignatureVerificationException {
        Cursor in = new Cursor(body);
        int format = in.u8();
        if (format != 'b' && format != 'u' && format != 't') {
            throw malformed("unknown literal data format");
        }
        in.bytes(in.u8()); // file name
        in.u32(); // date
        byte[] content = in.bytes(in.remaining());
        if (content.length > SimpleSigningVerifier.MAX_PAYLOAD_BYTES) {
            throw malformed("payload larger than " + SimpleSigningVerifier.MAX_PAYLOAD_BYTES + " bytes");
        }
        return content;
    }

    private static PGPSignature signature(byte[] body) throws SignatureVerificationException, IOException {
        requireExactV4Signature(body);
        ByteArrayOutputStream packet = new ByteArrayOutputStream();
        packet.write(0xc0 | PacketTags.SIGNATURE);
        packet.write(0xff);
        packet.writeBytes(new byte[] {(byte) (body.length >>> 24), (byte) (body.length >>> 16), (byte) (body.length >>> 8), (byte) body.length});
        packet.writeBytes(body);
        Object parsed = new BcPGPObjectFactory(packet.toByteArray()).nextObject();
        if (!(parsed instanceof PGPSignatureList list) || list.size() != 1) {
            throw malformed("the signature packet cannot be read");
        }
        PGPSignature signature = list.get(0);
        if (signature.getSignatureType() != PGPSignature.BINARY_DOCUMENT) {
            throw malformed("not a signature over a binary document");
        }
        return signature;
    }

    /** Version 4 only (what GnuPG writes), with subpacket areas and MPIs that fill the packet exactly. */
    private static void requireExactV4Signature(byte[] body) throws SignatureVerificationException {
        Cursor in = new Cursor(body);
        if (in.u8() != 4) {
            throw malformed("only version 4 OpenPGP signatures are accepted");
        }
        in.u8(); // signature type
        int keyAlgorithm = in.u8();
        in.u8(); // hash algorithm
        requireExactSubpackets(in.bytes(in.u16()), false);
        requireExactSubpackets(in.bytes(in.u16()), true);
        in.u16(); // left 16 bits of the hash, checked by the verifier
        int mpis = switch (keyAlgorithm) {
            case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN -> 1;
            case PublicKeyAlgorithmTags.DSA, PublicKeyAlgorithmTags.ECDSA, PublicKeyAlgorithmTags.EDDSA_LEGACY -> 2;
            default -> throw malformed("unsupported signature algorithm " + keyAlgorithm);
        };
        for (int i = 0; i < mpis; i++) {
            int bits = in.u16();
            byte[] value = in.bytes((bits + 7) / 8L);
            int actualBits = value.length == 0 ? 0 : (value.length - 1) * 8 + (32 - Integer.numberOfLeadingZeros(value[0] & 0xff));
            if (actualBits != bits) {
                throw malformed("an MPI's bit count does not match its value");
            }
        }
        if (in.remaining() != 0) {
            throw malformed("data after the signature values");
        }
    }

    /**
     * Subpackets must fill their area exactly. The unhashed area is not covered by the signature,
     * so anyone can edit it; it may hold only what signers put there, the issuer's key ID and
     * fingerprint (which the verifier then checks against the key that verified).
     */
    private static void requireExactSubpackets(byte[] area, boolean unhashed) throws SignatureVerificationException {
        Cursor in = new Cursor(area);
        while (in.remaining() > 0) {
            int first = in.u8();
            long length = first < 192 ? first : first < 255 ? ((first - 192) << 8) + in.u8() + 192 : in.u32();
            if (length == 0) {
                throw malformed("empty signature subpacket");
            }
            int type = in.bytes(length)[0] & 0x7f;
            if (unhashed && type != SignatureSubpacketTags.ISSUER_KEY_ID && type != SignatureSubpacketTags.ISSUER_FINGERPRINT) {
                throw malformed("unexpected unsigned subpacket of type " + type);
            }
        }
    }

    private static void requireOnePassMatches(byte[] onePass, PGPSignature signature) throws SignatureVerificationException {
        Cursor in = new Cursor(onePass);
        int version = in.u8();
        int type = in.u8();
        int hash = in.u8();
        int keyAlgorithm = in.u8();
        long keyId = in.u64();
        int last = in.u8();
        if (version != 3 || in.remaining() != 0 || last != 1) {
            throw malformed("unexpected one-pass signature packet");
        }
        if (type != signature.getSignatureType() || hash != signature.getHashAlgorithm()
                || keyAlgorithm != signature.getKeyAlgorithm() || keyId != signature.getKeyID()) {
            throw malformed("the signature does not match its one-pass header");
        }
    }

    private static SignatureVerificationException malformed(String message) {
        return new SignatureVerificationException(Reason.MALFORMED_SIGNATURE, message);
    }

    /** Reads big-endian numbers and byte runs, failing at the end of the data instead of guessing. */
    private static final class Cursor {
        private final byte[] data;
        private int position;

        Cursor(byte[] data) {
            this.data = data;
        }

        int remaining() {
            return data.length - position;
        }

        int u8() throws SignatureVerificationException {
            if (remaining() < 1) {
                throw malformed("truncated packet");
            }
            return data[position++] & 0xff;
        }

        int u16() throws SignatureVerificationException {
            return (u8() << 8) | u8();
        }

        long u32() throws SignatureVerificationException {
            return ((long) u16() << 16) | u16();
        }

        long u64() throws SignatureVerificationException {
            return (u32() << 32) | u32();
        }

        byte[] bytes(long count) throws SignatureVerificationException {
            if (count < 0 || count > remaining()) {
                throw malformed("a length runs past the end of its data");
            }
            byte[] out = java.util.Arrays.copyOfRange(data, position, position + (int) count);
            position += (int) count;
            return out;
        }
    }
}
