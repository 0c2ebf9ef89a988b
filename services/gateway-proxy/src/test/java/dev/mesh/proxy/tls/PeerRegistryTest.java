package dev.mesh.proxy.tls;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PeerRegistryTest {

    @Test
    void registeredForTheConnectionOnly() {
        PeerRegistry registry = new PeerRegistry();
        Runnable remove = registry.register("10.244.4.5", 40000, InboundTls.Outcome.PLAINTEXT);
        assertThat(registry.lookup("10.244.4.5", 40000)).contains(InboundTls.Outcome.PLAINTEXT);
        assertThat(registry.lookup("10.244.4.5", 40001)).isEmpty();
        remove.run();
        assertThat(registry.lookup("10.244.4.5", 40000)).isEmpty();
        assertThat(registry.size()).isZero();
    }
}
