package dev.weft.core.internal;

import dev.weft.core.InternalApi;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * PEM encoding exactly as Go's {@code pem.EncodeToMemory} writes it (64-character base64 lines,
 * {@code \n} line ends, a trailing newline). Fabric serializes identities this way, and every
 * signature and transaction id over a serialized identity depends on these exact bytes.
 */
@InternalApi
public final class Pem {
    private static final Base64.Encoder ENCODER = Base64.getMimeEncoder(64, new byte[] {'\n'});

    private Pem() {
    }

    public static String encode(String type, byte[] der) {
        StringBuilder sb = new StringBuilder(der.length * 4 / 3 + 80);
        sb.append("-----BEGIN ").append(type).append("-----\n");
        if (der.length > 0) {
            sb.append(ENCODER.encodeToString(der)).append('\n');
        }
        sb.append("-----END ").append(type).append("-----\n");
        return sb.toString();
    }

    public static byte[] encodeToBytes(String type, byte[] der) {
        return encode(type, der).getBytes(StandardCharsets.US_ASCII);
    }
}
