package dev.mesh.ca.pki;

import dev.mesh.ca.model.CaException;
import dev.mesh.ca.model.CaException.Reason;
import java.io.StringReader;
import java.security.PublicKey;
import java.util.Arrays;
import java.security.interfaces.RSAPublicKey;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Null;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;

/**
 * Reads a PEM PKCS#10 request and checks everything about it that does not depend on the caller:
 * its encoding, its self-signature, its key (RSA 2048..8192 bits, ECDSA P-256 or P-384), its
 * signature algorithm (SHA-256 or stronger) and its names (only SPIFFE URI SANs).
 */
public final class CsrInspector {

    /** A PEM CSR for a 8192-bit RSA key with a few names is about 8 KiB; anything far beyond is not a CSR we sign. */
    public static final int MAX_CSR_CHARS = 32 * 1024;
    private static final int MIN_RSA_BITS = 2048;
    private static final int MAX_RSA_BITS = 8192;

    private static final Set<String> PEM_TYPES = Set.of("CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST");
    private static final Map<ASN1ObjectIdentifier, String> CURVES = Map.of(
            SECObjectIdentifiers.secp256r1, "P-256", SECObjectIdentifiers.secp384r1, "P-384");
    private static final Set<ASN1ObjectIdentifier> STRONG_SIGNATURES = Set.of(
            PKCSObjectIdentifiers.sha256WithRSAEncryption, PKCSObjectIdentifiers.sha384WithRSAEncryption,
            PKCSObjectIdentifiers.sha512WithRSAEncryption, PKCSObjectIdentifiers.id_RSASSA_PSS,
            X9ObjectIdentifiers.ecdsa_with_SHA256, X9ObjectIdentifiers.ecdsa_with_SHA384, X9ObjectIdentifiers.ecdsa_with_SHA512);

    /** What a valid CSR asks for. */
    public record InspectedCsr(PublicKey publicKey, List<String> uriSans) {
    }

    public InspectedCsr inspect(String csrPem) {
        if (csrPem == null || csrPem.isBlank()) {
            throw new CaException(Reason.MALFORMED_CSR, "csr: empty; send a PEM-encoded PKCS#10 certificate request");
        }
        if (csrPem.length() > MAX_CSR_CHARS) {
            throw new CaException(Reason.MALFORMED_CSR, "csr: " + csrPem.length() + " characters, more than the "
                    + MAX_CSR_CHARS + " a certificate request can need");
        }
        PKCS10CertificationRequest csr = parse(csrPem);
        checkSignatureAlgorithm(csr.getSignatureAlgorithm());
        PublicKey key = checkKey(csr.getSubjectPublicKeyInfo());
        try {
            JcaContentVerifierProviderBuilder verifier = new JcaContentVerifierProviderBuilder();
            if (key instanceof java.security.interfaces.ECKey) {
                verifier.setProvider(Certificates.BC);
            }
            if (!csr.isSignatureValid(verifier.build(key))) {
                throw new CaException(Reason.BAD_CSR_SIGNATURE,
                        "csr: its signature does not verify with its own public key (altered or not signed by the key holder)");
            }
        } catch (CaException e) {
            throw e;
        } catch (Exception e) {
            throw new CaException(Reason.BAD_CSR_SIGNATURE, "csr: its signature cannot be checked (" + e.getMessage() + ")", e);
        }
        return new InspectedCsr(key, uriSans(csr));
    }

    /**
     * Parses strictly: one PEM block of type {@code CERTIFICATE REQUEST} whose content is exactly the
     * DER encoding of what it parses to. Lenient BER (a BOOLEAN of 0xFE, a long-form length) is
     * refused, so that the bytes the signature covers are the bytes that were sent, as Go's
     * x509 parser (which Istio's CA uses) requires too.
     */
    private static PKCS10CertificationRequest parse(String csrPem) {
        PemObject pem;
        try (PemReader reader = new PemReader(new StringReader(csrPem))) {
            pem = reader.readPemObject();
        } catch (Exception e) {
            throw new CaException(Reason.MALFORMED_CSR, "csr: not PEM (" + e.getMessage() + ")", e);
        }
        if (pem == null || !PEM_TYPES.contains(pem.getType())) {
            throw new CaException(Reason.MALFORMED_CSR, "csr: expected a PEM block 'CERTIFICATE REQUEST', found "
                    + (pem == null ? "no PEM block" : "'" + pem.getType() + "'"));
        }
        PKCS10CertificationRequest csr;
        byte[] der = pem.getContent();
        try {
            csr = new PKCS10CertificationRequest(der);
            if (!Arrays.equals(csr.toASN1Structure().getEncoded(ASN1Encoding.DER), der)) {
                throw new CaException(Reason.MALFORMED_CSR, "csr: not DER-encoded (the request must use the canonical encoding)");
            }
        } catch (CaException e) {
            throw e;
        } catch (Exception e) {
            throw new CaException(Reason.MALFORMED_CSR, "csr: not a PKCS#10 request (" + e.getMessage() + ")", e);
        } catch (StackOverflowError e) {
            // ASN.1 nested deeper than any real request; the size limit keeps this cheap to reach and recover from.
            throw new CaException(Reason.MALFORMED_CSR, "csr: ASN.1 structure nested too deeply to be a certificate request");
        }
        return csr;
    }

    private static void checkSignatureAlgorithm(AlgorithmIdentifier algorithm) {
        ASN1ObjectIdentifier oid = algorithm.getAlgorithm();
        if (!STRONG_SIGNATURES.contains(oid)) {
            throw new CaException(Reason.UNSUPPORTED_KEY, "csr: signature algorithm " + oid.getId()
                    + " is not accepted; sign with SHA-256 or stronger (RSA or ECDSA)");
        }
        // The algorithm's parameters are outside what the signature covers: accept only their defined forms
        // (RFC 4055, RFC 5758), so that no unsigned bytes ride along.
        Object parameters = algorithm.getParameters();
        boolean valid = PKCSObjectIdentifiers.id_RSASSA_PSS.equals(oid) ? parameters != null
                : oid.getId().startsWith(X9ObjectIdentifiers.ansi_X9_62.getId()) ? parameters == null
                : parameters == null || parameters instanceof ASN1Null;
        if (!valid) {
            throw new CaException(Reason.MALFORMED_CSR, "csr: signature algorithm " + oid.getId() + " has invalid parameters");
        }
    }

    private static PublicKey checkKey(SubjectPublicKeyInfo info) {
        ASN1ObjectIdentifier algorithm = info.getAlgorithm().getAlgorithm();
        PublicKey key;
        try {
            key = new JcaPEMKeyConverter().getPublicKey(info);
        } catch (Exception e) {
            throw new CaException(Reason.UNSUPPORTED_KEY, "csr: public key cannot be read (" + e.getMessage() + ")", e);
        }
        if (PKCSObjectIdentifiers.rsaEncryption.equals(algorithm) && key instanceof RSAPublicKey rsa) {
            int bits = rsa.getModulus().bitLength();
            if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
                throw new CaException(Reason.UNSUPPORTED_KEY, "csr: RSA key of " + bits + " bits; accepted are "
                        + MIN_RSA_BITS + " to " + MAX_RSA_BITS + " bits");
            }
            return key;
        }
        if (X9ObjectIdentifiers.id_ecPublicKey.equals(algorithm)) {
            Object parameters = info.getAlgorithm().getParameters();
            String curve = parameters instanceof ASN1ObjectIdentifier oid ? CURVES.get(oid) : null;
            if (curve == null) {
                throw new CaException(Reason.UNSUPPORTED_KEY, "csr: EC key on curve " + parameters
                        + " is not accepted; use P-256 or P-384");
            }
            return key;
        }
        throw new CaException(Reason.UNSUPPORTED_KEY, "csr: key algorithm " + algorithm.getId()
                + " is not accepted; use RSA (2048 bits or more) or ECDSA P-256/P-384");
    }

    private static List<String> uriSans(PKCS10CertificationRequest csr) {
        List<String> uris = new ArrayList<>();
        for (var attribute : csr.getAttributes(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)) {
            Extensions extensions;
            GeneralNames names;
            try {
                extensions = Extensions.getInstance(attribute.getAttrValues().getObjectAt(0));
                names = GeneralNames.fromExtensions(extensions, Extension.subjectAlternativeName);
            } catch (RuntimeException e) {
                throw new CaException(Reason.MALFORMED_CSR, "csr: extension request cannot be read (" + e.getMessage() + ")", e);
            }
            if (names == null) {
                continue;
            }
            for (GeneralName name : names.getNames()) {
                if (name.getTagNo() != GeneralName.uniformResourceIdentifier) {
                    throw new CaException(Reason.MALFORMED_CSR, "csr: subject alternative name " + name
                            + " is not allowed; only the workload's SPIFFE URI may be requested");
                }
                uris.add(name.getName().toString());
            }
        }
        if (uris.isEmpty()) {
            throw new CaException(Reason.MALFORMED_CSR,
                    "csr: no SPIFFE URI subject alternative name; request spiffe://<trust-domain>/ns/<ns>/sa/<sa>");
        }
        return uris;
    }
}
