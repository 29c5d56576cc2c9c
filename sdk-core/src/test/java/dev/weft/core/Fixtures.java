package dev.weft.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.hyperledger.fabric.protos.common.Block;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Access to the real Fabric 2.5.12 fixtures copied from {@code shared/fixtures/fabric-2.5.12}
 * (see INDEX.md there): raw blocks, filtered blocks, crypto material, and the facts computed for
 * them independently of Weft.
 */
public final class Fixtures {
    public static final String ROOT = "/fabric-2.5.12/";

    /** Block numbers with both an orderer and a peer copy. */
    public static final List<Integer> BLOCKS = List.of(0, 1, 2, 3, 4, 5, 14, 15, 16, 200, 6574, 7589, 7590, 7591, 7592);

    /** A time inside the validity period of every fixture certificate (2026-11-21 12:06 to 2036-11-18). */
    public static final Instant VALID_TIME = Instant.parse("2027-06-01T00:00:00Z");
    public static final Clock VALID_CLOCK = Clock.fixed(VALID_TIME, ZoneOffset.UTC);

    private Fixtures() {
    }

    public static byte[] bytes(String relative) {
        try (InputStream in = Fixtures.class.getResourceAsStream(ROOT + relative)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + relative);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static String text(String relative) {
        return new String(bytes(relative), StandardCharsets.UTF_8);
    }

    public static Block peerBlock(int number) {
        return block("blocks/peer-block-" + number + ".pb");
    }

    public static Block ordererBlock(int number) {
        return block("blocks/orderer-block-" + number + ".pb");
    }

    public static Block block(String relative) {
        try {
            return Block.parseFrom(bytes(relative));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static X509Certificate certificate(String name) {
        return Credentials.readCertificate(text("crypto/" + name));
    }

    public static PrivateKey key(String name) {
        return Credentials.readPrivateKey(text("crypto/" + name));
    }

    /** The facts JSON of a fixture file, e.g. {@code facts("peer-block-7591")}. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> facts(String name) {
        LoaderOptions options = new LoaderOptions();
        options.setCodePointLimit(10 * 1024 * 1024);
        return (Map<String, Object>) new Yaml(new SafeConstructor(options)).load(text("facts/" + name + ".facts.json"));
    }

    @SuppressWarnings("unchecked")
    public static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    public static List<Object> list(Object o) {
        return (List<Object>) o;
    }
}
