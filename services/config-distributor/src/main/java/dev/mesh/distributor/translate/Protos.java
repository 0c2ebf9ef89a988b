package dev.mesh.distributor.translate;

import com.google.protobuf.Any;
import com.google.protobuf.Duration;
import com.google.protobuf.Message;
import com.google.protobuf.UInt32Value;
import io.envoyproxy.envoy.config.core.v3.Address;
import io.envoyproxy.envoy.config.core.v3.AggregatedConfigSource;
import io.envoyproxy.envoy.config.core.v3.ApiVersion;
import io.envoyproxy.envoy.config.core.v3.ConfigSource;
import io.envoyproxy.envoy.config.core.v3.SocketAddress;
import io.envoyproxy.envoy.type.v3.FractionalPercent;

/** Small builders for the proto values every translator uses. */
final class Protos {

    static final ConfigSource ADS = ConfigSource.newBuilder()
            .setAds(AggregatedConfigSource.getDefaultInstance())
            .setResourceApiVersion(ApiVersion.V3)
            .build();

    private Protos() {
    }

    static Duration duration(java.time.Duration d) {
        return Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    static Duration seconds(long s) {
        return Duration.newBuilder().setSeconds(s).build();
    }

    static UInt32Value u32(long v) {
        return UInt32Value.of((int) Math.min(v, 0xFFFF_FFFFL));
    }

    static Address address(String ip, int port) {
        return Address.newBuilder().setSocketAddress(SocketAddress.newBuilder().setAddress(ip).setPortValue(port))
                .build();
    }

    static Any any(Message m) {
        return Any.pack(m);
    }

    /** A percentage (0..100, fractional) as Envoy's fraction per million, as Istio converts it. */
    static FractionalPercent percent(double value) {
        return FractionalPercent.newBuilder()
                .setNumerator((int) Math.round(value * 10_000))
                .setDenominator(FractionalPercent.DenominatorType.MILLION)
                .build();
    }
}
