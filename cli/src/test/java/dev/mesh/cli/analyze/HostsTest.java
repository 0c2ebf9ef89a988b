package dev.mesh.cli.analyze;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class HostsTest {

    @Test
    void exactHosts_overlapOnlyWhenEqual() {
        assertThat(Hosts.overlap("foo.com", "foo.com")).isTrue();
        assertThat(Hosts.overlap("foo.com", "bar.com")).isFalse();
    }

    @Test
    void wildcard_coversSubdomainsEitherWay() {
        assertThat(Hosts.overlap("*.foo.com", "a.foo.com")).isTrue();
        assertThat(Hosts.overlap("a.foo.com", "*.foo.com")).isTrue();
        assertThat(Hosts.overlap("*", "a.foo.com")).isTrue();
        assertThat(Hosts.overlap("*.foo.com", "a.bar.com")).isFalse();
    }

    @Test
    void twoWildcards_overlapWhenOneSuffixCoversTheOther() {
        assertThat(Hosts.overlap("*.productpage.d", "*.d")).isTrue();
        assertThat(Hosts.overlap("*.d", "*.productpage.d")).isTrue();
        assertThat(Hosts.overlap("*.b.com", "*.c.com")).isFalse();
    }

    @Test
    void serverHostsForNamespace_keepUnqualifiedStarAndOwnNamespace() {
        assertThat(Hosts.forNamespace(List.of("a.com", "*/b.com", "demo/c.com", "other/d.com"), "demo"))
                .containsExactly("a.com", "b.com", "c.com");
    }

    @Test
    void fullName_qualifiesShortReferencesOnly() {
        assertThat(Hosts.fullName("demo", "gw")).isEqualTo("demo/gw");
        assertThat(Hosts.fullName("demo", "other/gw")).isEqualTo("other/gw");
        assertThat(Hosts.display("/gw")).isEqualTo("gw");
    }
}
