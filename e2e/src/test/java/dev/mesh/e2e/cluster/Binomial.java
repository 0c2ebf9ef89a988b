package dev.mesh.e2e.cluster;

/** The two-sided p-value of a binomial count, for "the split is what was asked" assertions. */
final class Binomial {

    private Binomial() {
    }

    /**
     * P-value of observing {@code k} successes in {@code n} trials with probability {@code p}: twice the smaller
     * tail, capped at 1.
     */
    static double twoSidedP(int k, int n, double p) {
        double lower = 0;
        double upper = 0;
        for (int i = 0; i <= n; i++) {
            double pmf = Math.exp(logChoose(n, i) + i * Math.log(p) + (n - i) * Math.log1p(-p));
            if (i <= k) {
                lower += pmf;
            }
            if (i >= k) {
                upper += pmf;
            }
        }
        return Math.min(1, 2 * Math.min(lower, upper));
    }

    private static double logChoose(int n, int k) {
        return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
    }

    private static double logFactorial(int n) {
        double sum = 0;
        for (int i = 2; i <= n; i++) {
            sum += Math.log(i);
        }
        return sum;
    }
}
