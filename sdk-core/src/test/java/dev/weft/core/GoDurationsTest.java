package dev.weft.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Go's time.Duration text: ParseDuration and Duration.String(). */
class GoDurationsTest {

    private static final String MICRO_SIGN = "\u00b5"; // what Go's String() writes
    private static final String GREEK_MU = "\u03bc"; // also accepted by Go's ParseDuration

    static Stream<Arguments> validDurations() {
        return Stream.of(
                Arguments.of("250ms", Duration.ofMillis(250)),
                Arguments.of("1s", Duration.ofSeconds(1)),
                Arguments.of("2s", Duration.ofSeconds(2)),
                Arguments.of("1m30s", Duration.ofSeconds(90)),
                Arguments.of("1.5h", Duration.ofMinutes(90)),
                Arguments.of("0", Duration.ZERO),
                Arguments.of("-0", Duration.ZERO),
                Arguments.of("+0", Duration.ZERO),
                Arguments.of("0s", Duration.ZERO),
                Arguments.of("-2s", Duration.ofSeconds(-2)),
                Arguments.of("+2s", Duration.ofSeconds(2)),
                Arguments.of("300us", Duration.ofNanos(300_000)),
                Arguments.of("1" + MICRO_SIGN + "s", Duration.ofNanos(1_000)),
                Arguments.of("1" + GREEK_MU + "s", Duration.ofNanos(1_000)),
                Arguments.of("100ns", Duration.ofNanos(100)),
                Arguments.of("1.5s", Duration.ofMillis(1500)),
                Arguments.of(".5s", Duration.ofMillis(500)),
                Arguments.of("2h45m", Duration.ofMinutes(165)),
                Arguments.of("1h0m0s", Duration.ofHours(1)),
                Arguments.of("1h2m3s4ms5us6ns", Duration.ofHours(1).plusMinutes(2).plusSeconds(3)
                        .plusMillis(4).plusNanos(5_006)),
                Arguments.of("-1m30.5s", Duration.ofMillis(-90_500)),
                Arguments.of("1.000000001s", Duration.ofNanos(1_000_000_001)),
                Arguments.of("2562047h", Duration.ofHours(2_562_047)));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("validDurations")
    void parse_goDurationText_givesDuration(String text, Duration expected) {
        assertEquals(expected, GoDurations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "5", "1x", "s", "1..5s", "-", "+", ".s", "1s2", "ms", "1 s", "1S", "1sec", "--1s", "1.2.3s"})
    void parse_malformedText_throwsIllegalArgumentException(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GoDurations.parse(text));
        assertTrue(e.getMessage().contains("duration"), e.getMessage());
    }

    @Test
    void parse_null_throwsIllegalArgumentException() {
        assertThrows(IllegalArgumentException.class, () -> GoDurations.parse(null));
    }

    @Test
    void parse_errors_nameTheOffendingText() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("1x"))
                .getMessage().contains("\"1x\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("5"))
                .getMessage().contains("\"5\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> GoDurations.parse("1..5s"))
                .getMessage().contains("\"1..5s\""));
    }

    static Stream<Arguments> goStrings() {
        return Stream.of(
                Arguments.of(Duration.ZERO, "0s"),
                Arguments.of(Duration.ofMillis(250), "250ms"),
                Arguments.of(Duration.ofSeconds(1), "1s"),
                Arguments.of(Duration.ofSeconds(2), "2s"),
                Arguments.of(Duration.ofSeconds(90), "1m30s"),
                Arguments.of(Duration.ofMinutes(1), "1m0s"),
                Arguments.of(Duration.ofHours(1), "1h0m0s"),
                Arguments.of(Duration.ofMinutes(90), "1h30m0s"),
                Arguments.of(Duration.ofMillis(1500), "1.5s"),
                Arguments.of(Duration.ofNanos(500_000), "500" + MICRO_SIGN + "s"),
                Arguments.of(Duration.ofNanos(1_500), "1.5" + MICRO_SIGN + "s"),
                Arguments.of(Duration.ofNanos(100), "100ns"),
                Arguments.of(Duration.ofNanos(1), "1ns"),
                Arguments.of(Duration.ofNanos(1_500_000), "1.5ms"),
                Arguments.of(Duration.ofNanos(1_000_000_001), "1.000000001s"),
                Arguments.of(Duration.ofSeconds(-2), "-2s"),
                Arguments.of(Duration.ofMillis(-250), "-250ms"),
                Arguments.of(Duration.ofHours(2).plusMinutes(3).plusMillis(4_500), "2h3m4.5s"),
                Arguments.of(Duration.ofHours(100), "100h0m0s"));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @MethodSource("goStrings")
    void format_duration_matchesGoString(Duration duration, String expected) {
        assertEquals(expected, GoDurations.format(duration));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("goStrings")
    void parse_ofGoString_givesDurationBack(Duration duration, String text) {
        assertEquals(duration, GoDurations.parse(text));
    }

    @ParameterizedTest
    @ValueSource(longs = {0L, 1L, 999L, 1_000L, 1_001L, 999_999L, 1_000_000L, 123_456_789L, 999_999_999L,
        1_000_000_000L, 59_999_999_999L, 60_000_000_000L, 3_599_999_999_999L, 3_600_000_000_000L,
        3_661_000_000_005L, -1L, -1_500_000L, -3_600_000_000_001L, Long.MAX_VALUE})
    void parse_ofFormat_roundTrips(long nanos) {
        Duration d = Duration.ofNanos(nanos);

        assertEquals(d, GoDurations.parse(GoDurations.format(d)), GoDurations.format(d));
    }

    @Test
    void format_longMaxValue_matchesGo() {
        // Go: time.Duration(math.MaxInt64).String()
        assertEquals("2562047h47m16.854775807s", GoDurations.format(Duration.ofNanos(Long.MAX_VALUE)));
    }

    @Test
    void parse_beyondInt64Nanoseconds_rejectedAsGoDoes() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> GoDurations.parse("2562048h"));
        assertTrue(e.getMessage().contains("out of range"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GoDurations.parse("9223372036854775808ns"));
        assertEquals(Duration.ofNanos(Long.MIN_VALUE),
                GoDurations.parse("-9223372036854775808ns"));
    }

    @Test
    void parse_fractionalNanosecondsPerComponent_truncatedAsGoDoes() {
        assertEquals(Duration.ofNanos(2), GoDurations.parse("1.9ns1.9ns"));
    }

    @Test
    void format_minimumDuration_matchesGo() {
        assertEquals("-2562047h47m16.854775808s",
                GoDurations.format(Duration.ofNanos(Long.MIN_VALUE)));
    }
}
