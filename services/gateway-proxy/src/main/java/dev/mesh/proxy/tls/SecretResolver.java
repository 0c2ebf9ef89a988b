package dev.mesh.proxy.tls;

import dev.mesh.proxy.identity.CertificateStore;
import dev.mesh.proxy.identity.Pem;
import dev.mesh.proxy.identity.WorkloadCertificate;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.function.Supplier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Resolves the SDS secret names the control plane puts in TLS contexts, as Istio's agent does: {@code default}
 * (this proxy's workload certificate and key) and {@code ROOTCA} (the mesh roots) from the {@link CertificateStore},
 * {@code file-cert:<cert>~<key>} and {@code file-root:<ca>} from files this proxy can read.
 */
public final class SecretResolver {

    public static final String DEFAULT = "default";
    public static final String ROOTCA = "ROOTCA";
    private static final String FILE_CERT = "file-cert:";
    private static final String FILE_ROOT = "file-root:";

    private final CertificateStore store;

    public SecretResolver(CertificateStore store) {
        this.store = store;
    }

    public CertificateStore store() {
        return store;
    }

    /** The certificate and key a secret names; the supplier gives null while there is none (no workload cert yet). */
    public Supplier<WorkloadCertificate> certificate(String name, String at) {
        if (DEFAULT.equals(name)) {
            return () -> store.current().orElse(null);
        }
        if (name.startsWith(FILE_CERT)) {
            String[] files = name.substring(FILE_CERT.length()).split("~", -1);
            if (files.length != 2 || files[0].isEmpty() || files[1].isEmpty()) {
                throw new IllegalArgumentException(at + ": SDS secret \"" + name + "\" is not file-cert:<cert>~<key>");
            }
            List<X509Certificate> chain = Pem.certificates(read(Path.of(files[0]), at), "certificate file " + files[0]);
            PrivateKey key = privateKey(Path.of(files[1]), at);
            WorkloadCertificate certificate = new WorkloadCertificate(chain, key, List.of(chain.get(chain.size() - 1)));
            return () -> certificate;
        }
        throw new IllegalArgumentException(at + ": SDS certificate secret \"" + name
                + "\" is not one this proxy can resolve (default, file-cert:<cert>~<key>)");
    }

    /** The roots a validation secret names; empty while there are none. */
    public Supplier<List<X509Certificate>> roots(String name, String at) {
        if (ROOTCA.equals(name)) {
            return () -> store.current().map(WorkloadCertificate::roots).orElse(List.of());
        }
        if (name.startsWith(FILE_ROOT)) {
            String file = name.substring(FILE_ROOT.length());
            List<X509Certificate> roots = Pem.certificates(read(Path.of(file), at), "CA certificate file " + file);
            return () -> roots;
        }
        throw new IllegalArgumentException(at + ": SDS validation secret \"" + name
                + "\" is not one this proxy can resolve (ROOTCA, file-root:<ca>)");
    }

    private static String read(Path file, String at) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new IllegalArgumentException(at + ": cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(Path file, String at) {
        try (PEMParser parser = new PEMParser(new StringReader(read(file, at)))) {
            Object parsed = parser.readObject();
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            if (parsed instanceof PEMKeyPair pair) {
                return converter.getKeyPair(pair).getPrivate();
            }
            if (parsed instanceof PrivateKeyInfo info) {
                return converter.getPrivateKey(info);
            }
            throw new IllegalArgumentException(at + ": " + file + " holds no unencrypted PEM private key");
        } catch (IOException e) {
            throw new IllegalArgumentException(at + ": " + file + " is not a PEM private key: " + e.getMessage(), e);
        }
    }
}
