package dev.mesh.distributor.grpc;

import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** The proxies connected to this replica, for {@code /debug/syncz} and metrics. */
public final class AdsRegistry {

    private final Set<AdsStream<?, ?>> streams = ConcurrentHashMap.newKeySet();

    void add(AdsStream<?, ?> stream) {
        streams.add(stream);
    }

    void remove(AdsStream<?, ?> stream) {
        streams.remove(stream);
    }

    public int size() {
        return streams.size();
    }

    /** The connected proxy {@code <pod>.<namespace>}, if any. */
    public java.util.Optional<dev.mesh.distributor.xds.ProxyNode> proxy(String podDotNamespace) {
        return streams.stream().map(AdsStream::proxy).filter(Objects::nonNull)
                .filter(n -> (n.podName() + "." + n.namespace()).equals(podDotNamespace)).findFirst();
    }

    /** The sync status of every connected proxy, by proxy id. */
    public List<SyncStatus> statuses() {
        return streams.stream().map(AdsStream::status).filter(Objects::nonNull)
                .sorted(Comparator.comparing(SyncStatus::proxyId)).toList();
    }
}
