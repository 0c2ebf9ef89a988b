package dev.mesh.ca.grpc;

import dev.mesh.ca.grpc.v1.IstioCertificateRequest;
import dev.mesh.ca.grpc.v1.IstioCertificateResponse;
import dev.mesh.ca.grpc.v1.IstioCertificateServiceGrpc;
import dev.mesh.ca.model.CaException;
import dev.mesh.ca.pki.CertificateAuthority;
import io.grpc.stub.StreamObserver;
import org.jboss.logging.Logger;

/** {@code istio.v1.auth.IstioCertificateService}: translates between the wire and {@link CertificateAuthority}. */
final class CertificateService extends IstioCertificateServiceGrpc.IstioCertificateServiceImplBase {

    private static final Logger LOG = Logger.getLogger(CertificateService.class);

    private final CertificateAuthority ca;

    CertificateService(CertificateAuthority ca) {
        this.ca = ca;
    }

    @Override
    public void createCertificate(IstioCertificateRequest request, StreamObserver<IstioCertificateResponse> response) {
        IstioCertificateResponse reply;
        try {
            reply = IstioCertificateResponse.newBuilder()
                    .addAllCertChain(ca.createCertificate(CallerCredentials.KEY.get(), request.getCsr(), request.getValidityDuration()))
                    .build();
        } catch (RuntimeException e) {
            if (e instanceof CaException refusal) {
                LOG.debugf("refused certificate request (%s): %s", refusal.reason().label(), refusal.getMessage());
            }
            response.onError(StatusMapping.toStatus(e).asRuntimeException());
            return;
        }
        response.onNext(reply);
        response.onCompleted();
    }
}
