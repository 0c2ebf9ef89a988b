package dev.mesh.injector.tls;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CertificateRotatorTest {

    /** A clock the test moves. */
    static final class FakeClock extends Clock {
        Instant now = Instant.parse("2026-11-26T10:00:00Z");

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    private static X509Certificate x509(String pem) throws Exception {
        return (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void servingCertificate_isSignedByTheCa_forTheServiceNames() throws Exception {
        FakeClock clock = new FakeClock();
        ServingCertificate c = new CertificateIssuer(clock, Duration.ofHours(24), CertificateIssuer.newCa(clock),
                CertificateIssuer.serviceNames("injector-webhook", "mesh")).issue();
        X509Certificate cert = x509(c.certificatePem());
        X509Certificate ca = x509(c.caPem());
        cert.verify(ca.getPublicKey());
        assertThat(cert.getSubjectAlternativeNames().stream().map(n -> (Object) n.get(1)).toList()).containsExactly(
                "injector-webhook.mesh.svc", "injector-webhook", "injector-webhook.mesh",
                "injector-webhook.mesh.svc.cluster.local");
        assertThat(cert.getNotAfter().toInstant()).isEqualTo(clock.now.plus(Duration.ofHours(24)));
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(c.privateKeyPem()).startsWith("-----BEGIN PRIVATE KEY-----");
    }

    @Test
    void caThatDoesNotParse_isRefusedWithAReason() {
        CaMaterial broken = new CaMaterial("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", "x");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new CertificateIssuer(new FakeClock(),
                Duration.ofHours(1), broken, List.of("a"))).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the webhook CA does not parse");
    }

    @Test
    void certificate_isRotatedAfterTwoThirdsOfItsLife_andTheCaPublishedEachTime() {
        FakeClock clock = new FakeClock();
        List<String> published = new ArrayList<>();
        List<ServingCertificate> installed = new ArrayList<>();
        CertificateIssuer issuer = new CertificateIssuer(clock, Duration.ofHours(30), CertificateIssuer.newCa(clock),
                List.of("injector-webhook.mesh.svc"));
        CertificateRotator rotator = new CertificateRotator(issuer, clock, published::add);

        assertThat(rotator.rotateIfDue(installed::add)).isTrue();
        clock.now = clock.now.plus(Duration.ofHours(19));
        assertThat(rotator.rotateIfDue(installed::add)).isFalse();
        clock.now = clock.now.plus(Duration.ofHours(1));
        assertThat(rotator.rotateIfDue(installed::add)).isTrue();

        assertThat(installed).hasSize(2);
        assertThat(rotator.current()).isSameAs(installed.get(1));
        assertThat(installed.get(1).notBefore()).isEqualTo(clock.now);
        assertThat(published).hasSize(2).allMatch(ca -> ca.equals(installed.get(0).caPem()));
    }
}
