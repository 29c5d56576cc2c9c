package dev.weft.testnet.internal.ledger;

import dev.weft.core.InternalApi;
import java.util.Comparator;

/**
 * Fabric orders keys by their UTF-8 bytes (Go string comparison). For Java strings that is
 * code-point order, which differs from {@link String#compareTo} (UTF-16 units) for characters
 * outside the Basic Multilingual Plane.
 */
@InternalApi
public final class KeyOrder {
    public static final Comparator<String> UTF8 = KeyOrder::compare;

    private KeyOrder() {
    }

    public static int compare(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
