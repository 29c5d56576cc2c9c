package dev.weft.core;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Duration;

/**
 * Go's {@code time.Duration} text form, used by Fabric configuration ({@code BatchTimeout "2s"},
 * {@code "250ms"}, {@code "1m30s"}), and a handy form for durations in command lines and settings.
 *
 * <p>Stateless and thread-safe.
 */
public final class GoDurations {
    private GoDurations() {
    }

    /**
     * Parses a Go duration string: an optional sign and one or more decimal numbers with a unit
     * ({@code ns us µs ms s m h}); {@code "0"} alone is also valid.
     *
     * @throws IllegalArgumentException with the offending text if it is not a Go duration
     */
    public static Duration parse(String text) {
        if (text == null || text.isEmpty()) {
            throw new IllegalArgumentException("empty duration");
        }
        String s = text;
        boolean negative = false;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            s = s.substring(1);
        }
        if (s.equals("0")) {
            return Duration.ZERO;
        }
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration \"" + text + "\"");
        }
        BigDecimal totalNanos = BigDecimal.ZERO;
        int i = 0;
        while (i < s.length()) {
            int numberStart = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            String number = s.substring(numberStart, i);
            if (number.isEmpty() || number.equals(".") || number.indexOf('.') != number.lastIndexOf('.')) {
                throw new IllegalArgumentException("invalid duration \"" + text + "\"");
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            String unit = s.substring(unitStart, i);
            long unitNanos = switch (unit) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                case "" -> throw new IllegalArgumentException("missing unit in duration \"" + text + "\"");
                default -> throw new IllegalArgumentException("unknown unit \"" + unit + "\" in duration \"" + text + "\"");
            };
            // Go truncates each component to whole nanoseconds before adding it.
            totalNanos = totalNanos.add(new BigDecimal(number).multiply(BigDecimal.valueOf(unitNanos))
                    .setScale(0, RoundingMode.DOWN));
        }
        BigDecimal signed = negative ? totalNanos.negate() : totalNanos;
        try {
            // Go truncates fractions of a nanosecond and rejects durations beyond int64 nanoseconds.
            return Duration.ofNanos(signed.setScale(0, RoundingMode.DOWN).longValueExact());
        } catch (ArithmeticException e) {
            throw new IllegalArgumentException("duration \"" + text + "\" is out of range", e);
        }
    }

    /** Formats a duration as Go's {@code Duration.String()} does, e.g. {@code 250ms}, {@code 2s}, {@code 1m30s}. */
    public static String format(Duration duration) {
        long signedNanos = duration.toNanos();
        if (signedNanos == 0) {
            return "0s";
        }
        StringBuilder sb = new StringBuilder();
        if (signedNanos < 0) {
            sb.append('-');
            if (signedNanos == Long.MIN_VALUE) {
                // -2^63 has no positive long; Go prints it as below.
                return sb.append("2562047h47m16.854775808s").toString();
            }
        }
        long nanos = Math.abs(signedNanos);
        if (nanos < 1_000_000_000L) {
            if (nanos < 1_000L) {
                return sb.append(nanos).append("ns").toString();
            }
            if (nanos < 1_000_000L) {
                return sb.append(fraction(nanos, 1_000L)).append("µs").toString();
            }
            return sb.append(fraction(nanos, 1_000_000L)).append("ms").toString();
        }
        long hours = nanos / 3_600_000_000_000L;
        nanos -= hours * 3_600_000_000_000L;
        long minutes = nanos / 60_000_000_000L;
        nanos -= minutes * 60_000_000_000L;
        if (hours > 0) {
            sb.append(hours).append('h');
        }
        if (hours > 0 || minutes > 0) {
            sb.append(minutes).append('m');
        }
        return sb.append(fraction(nanos, 1_000_000_000L)).append('s').toString();
    }

    private static String fraction(long value, long unit) {
        return BigDecimal.valueOf(value).divide(BigDecimal.valueOf(unit)).stripTrailingZeros().toPlainString();
    }
}
