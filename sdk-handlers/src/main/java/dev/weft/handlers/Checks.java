package dev.weft.handlers;

import java.time.Duration;
import java.util.Objects;

/** Argument checks shared by the API's builders: they fail where the bad value is given, naming it. */
final class Checks {
    private Checks() {
    }

    static String nonEmpty(String value, String name) {
        Objects.requireNonNull(value, name);
        if (value.isEmpty()) {
            throw new IllegalArgumentException(name + " must not be empty");
        }
        return value;
    }

    static Duration positive(Duration duration, String name) {
        Objects.requireNonNull(duration, name);
        if (duration.isNegative() || duration.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + duration);
        }
        return duration;
    }
}
