package dev.weft.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.core.CommitStatusSource;
import dev.weft.core.Fixtures;
import dev.weft.core.Peer;
import dev.weft.core.Signer;
import dev.weft.core.Signers;
import dev.weft.core.X509Identity;
import java.time.Duration;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The builder's required options and argument checks. */
class CommitStatusSourcesBuilderTest {
    private static final X509Identity IDENTITY = X509Identity.of("Org1MSP", Fixtures.certificate("org1-user1-cert.pem"));
    private static final Signer SIGNER = Signers.newPrivateKeySigner(Fixtures.key("org1-user1-key.pem"));
    private static final Function<String, List<Peer>> NO_PEERS = channel -> List.of();

    @Test
    void build_nothingSet_illegalStateNamingIdentity() {
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> CommitStatusSources.builder().build());
        assertEquals("identity must be set", e.getMessage());
    }

    @Test
    void build_withoutSigner_illegalStateNamingSigner() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CommitStatusSources.builder().identity(IDENTITY).eventPeers(NO_PEERS).build());
        assertEquals("signer must be set", e.getMessage());
    }

    @Test
    void build_withoutEventPeers_illegalStateNamingEventPeers() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CommitStatusSources.builder().identity(IDENTITY).signer(SIGNER).build());
        assertEquals("eventPeers must be set", e.getMessage());
    }

    @Test
    void build_withoutIdentity_illegalStateNamingIdentity() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> CommitStatusSources.builder().signer(SIGNER).eventPeers(NO_PEERS).build());
        assertEquals("identity must be set", e.getMessage());
    }

    @Test
    void build_requiredOptionsSet_sourceWithoutConnectingUntilRegister() {
        int[] calls = {0};
        try (CommitStatusSource source = CommitStatusSources.builder().identity(IDENTITY).signer(SIGNER)
                .eventPeers(channel -> {
                    calls[0]++;
                    return List.of();
                }).build()) {
            assertNotNull(source);
            assertEquals(0, calls[0], "event peers are looked up on a channel's first registration");
        }
    }

    @ParameterizedTest
    @CsvSource({"PT0S, PT1S", "PT-0.1S, PT1S", "PT2S, PT1S", "PT0.1S, PT0.099S"})
    void reconnectDelay_initialNotPositiveOrMaxBelowInitial_illegalArgument(String initial, String max) {
        CommitStatusSources.Builder builder = CommitStatusSources.builder();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> builder.reconnectDelay(Duration.parse(initial), Duration.parse(max)));
        assertTrue(e.getMessage().contains("0 < initial <= max"), e.getMessage());
    }

    @Test
    void reconnectDelay_initialEqualsMax_accepted() {
        CommitStatusSources.Builder builder = CommitStatusSources.builder();
        assertEquals(builder, builder.reconnectDelay(Duration.ofMillis(1), Duration.ofMillis(1)));
    }

    @Test
    void setters_null_nullPointerNamingOption() {
        CommitStatusSources.Builder builder = CommitStatusSources.builder();
        assertEquals("identity", assertThrows(NullPointerException.class, () -> builder.identity(null)).getMessage());
        assertEquals("signer", assertThrows(NullPointerException.class, () -> builder.signer(null)).getMessage());
        assertEquals("eventPeers", assertThrows(NullPointerException.class,
                () -> builder.eventPeers(null)).getMessage());
        assertEquals("scheduler", assertThrows(NullPointerException.class, () -> builder.scheduler(null)).getMessage());
        assertEquals("initial", assertThrows(NullPointerException.class,
                () -> builder.reconnectDelay(null, Duration.ofSeconds(1))).getMessage());
        assertEquals("max", assertThrows(NullPointerException.class,
                () -> builder.reconnectDelay(Duration.ofSeconds(1), null)).getMessage());
    }
}
