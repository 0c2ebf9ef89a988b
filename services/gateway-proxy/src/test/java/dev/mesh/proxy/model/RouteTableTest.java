package dev.mesh.proxy.model;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteTableTest {

    static VirtualHost vh(String name, String... domains) {
        return new VirtualHost(name, List.of(domains), List.of(), HeaderOps.NONE);
    }

    final RouteTable table = new RouteTable("http.80", List.of(vh("exact", "shop.example.com"),
            vh("suffix", "*.example.com"), vh("longer-suffix", "*.api.example.com"), vh("prefix", "shop.*"),
            vh("any", "*")), HeaderOps.NONE);

    @Test
    void exactDomain_winsOverWildcards() {
        assertThat(table.select("shop.example.com").name()).isEqualTo("exact");
        assertThat(table.select("SHOP.example.com").name()).isEqualTo("exact");
    }

    @Test
    void longestSuffixWildcard_thenPrefixWildcard_thenStar() {
        assertThat(table.select("v1.api.example.com").name()).isEqualTo("longer-suffix");
        assertThat(table.select("cart.example.com").name()).isEqualTo("suffix");
        assertThat(table.select("shop.internal").name()).isEqualTo("prefix");
        assertThat(table.select("other.org").name()).isEqualTo("any");
    }

    @Test
    void authorityPort_isDroppedOnlyWhenTheFullAuthorityMatchesNothing() {
        RouteTable t = new RouteTable("r", List.of(vh("with-port", "a.example:8080"), vh("bare", "a.example")), HeaderOps.NONE);
        assertThat(t.select("a.example:8080").name()).isEqualTo("with-port");
        assertThat(t.select("a.example:9090").name()).isEqualTo("bare");
    }

    @Test
    void noMatchingDomain_selectsNothing() {
        RouteTable t = new RouteTable("r", List.of(vh("only", "a.example")), HeaderOps.NONE);
        assertThat(t.select("b.example")).isNull();
        assertThat(t.select("")).isNull();
    }
}
