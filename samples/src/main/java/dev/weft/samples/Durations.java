package dev.weft.samples;

import dev.weft.core.GoDurations;
import java.time.Duration;
import picocli.CommandLine;

/** Reads durations as Fabric's configuration writes them: {@code 250ms}, {@code 2s}, {@code 1m30s}. */
final class Durations implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
        Duration d;
        try {
            d = GoDurations.parse(value);
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not a duration; write e.g. 500ms, 2s or 1m30s");
        }
        if (d.isNegative()) {
            throw new CommandLine.TypeConversionException("'" + value + "' is negative; a duration must not be");
        }
        return d;
    }
}
