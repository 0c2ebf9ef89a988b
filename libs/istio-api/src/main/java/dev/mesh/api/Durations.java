package dev.mesh.api;

import java.math.BigDecimal;
import java.time.Duration;

/** Parses durations as the Istio CRDs accept them: Go's duration syntax ({@code 1h2m3.5s}, {@code 100ms}). */
public final class Durations {

    private Durations() {
    }

    public static Duration parse(String text) {
        String s = text.trim();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("invalid duration \"\": empty");
        }
        boolean negative = false;
        int i = 0;
        if (s.charAt(0) == '-' || s.charAt(0) == '+') {
            negative = s.charAt(0) == '-';
            i = 1;
        }
        if (s.substring(i).equals("0")) {
            return Duration.ZERO;
        }
        BigDecimal nanos = BigDecimal.ZERO;
        boolean any = false;
        while (i < s.length()) {
            int start = i;
            while (i < s.length() && (Character.isDigit(s.charAt(i)) || s.charAt(i) == '.')) {
                i++;
            }
            if (start == i) {
                throw invalid(text);
            }
            BigDecimal amount;
            try {
                amount = new BigDecimal(s.substring(start, i));
            } catch (NumberFormatException e) {
                throw invalid(text);
            }
            int unitStart = i;
            while (i < s.length() && !Character.isDigit(s.charAt(i)) && s.charAt(i) != '.') {
                i++;
            }
            long unitNanos = switch (s.substring(unitStart, i)) {
                case "ns" -> 1L;
                case "us", "µs", "μs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                case "h" -> 3_600_000_000_000L;
                default -> throw invalid(text);
            };
            nanos = nanos.add(amount.multiply(BigDecimal.valueOf(unitNanos)));
            any = true;
        }
        if (!any) {
            throw invalid(text);
        }
        Duration d = Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
    }

    private static IllegalArgumentException invalid(String text) {
        return new IllegalArgumentException("invalid duration \"" + text
                + "\": expected a number with a unit (ns, us, ms, s, m, h), such as 10s or 1.5s");
    }

    /** The canonical text form, as Istio prints durations ({@code 1.5s}, {@code 100ms}). */
    public static String format(Duration d) {
        if (d.isZero()) {
            return "0s";
        }
        if (d.toNanos() % 1_000_000_000L == 0) {
            return d.toSeconds() + "s";
        }
        if (d.toNanos() % 1_000_000L == 0 && d.toMillis() < 1000) {
            return d.toMillis() + "ms";
        }
        return BigDecimal.valueOf(d.toNanos(), 9).stripTrailingZeros().toPlainString() + "s";
    }
}
