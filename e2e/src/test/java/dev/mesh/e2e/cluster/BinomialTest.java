package dev.mesh.e2e.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class BinomialTest {

    @Test
    void ninetyTenOfAThousand_acceptsTheExpectedAndRefusesTheFarOff() {
        assertThat(Binomial.twoSidedP(900, 1000, 0.9)).isGreaterThan(0.9);
        assertThat(Binomial.twoSidedP(880, 1000, 0.9)).isBetween(0.03, 0.06);
        assertThat(Binomial.twoSidedP(860, 1000, 0.9)).isLessThan(0.001);
        assertThat(Binomial.twoSidedP(500, 1000, 0.9)).isLessThan(1e-100);
    }

    @Test
    void fairCoin_matchesTheKnownValue() {
        // P(X <= 3) for 10 fair tosses is 176/1024; two-sided doubles it.
        assertThat(Binomial.twoSidedP(3, 10, 0.5)).isCloseTo(2 * 176 / 1024.0, Offset.offset(1e-9));
    }
}
