package dev.mesh.ca.pki;

import dev.mesh.ca.model.CaKeyMaterial;
import dev.mesh.ca.model.Identity;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Duration;

/** Issues a workload certificate. Called only after the caller and the request have been checked. */
public interface CertificateSigner {

    X509Certificate sign(PublicKey subjectKey, Identity identity, Duration ttl, CaKeyMaterial ca);
}
