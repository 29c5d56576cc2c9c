package dev.weft.testnet.internal.ledger;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.weft.testnet.StateStore;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The state store contract, for the in-memory and the on-disk store alike, and what only the
 * on-disk store adds: its contents and savepoint survive a reopen, and a crash keeps exactly the
 * committed blocks.
 */
class StateStoresTest {
    @TempDir
    static Path dir;
    private static int files;

    static Stream<Arguments> stores() {
        return Stream.of(
                Arguments.of("in memory", (Supplier<StateStore>) InMemoryStateStore::new),
                Arguments.of("MVStore", (Supplier<StateStore>) () -> MvStoreStateStore.open(
                        dir.resolve("contract-" + (files++) + ".mv.db"))));
    }

    private static byte[] bytes(String s) {
        return s.getBytes(UTF_8);
    }

    private static List<String> keys(Iterator<StateStore.Entry> entries) {
        List<String> keys = new ArrayList<>();
        entries.forEachRemaining(e -> keys.add(e.key()));
        return keys;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void getApplyDelete_keepValuesWithTheirVersionsPerNamespace(String name, Supplier<StateStore> stores) {
        try (StateStore state = stores.get()) {
            assertEquals(-1, state.savepoint());
            state.apply(List.of(new StateStore.Write("cc", "k", bytes("v1")), new StateStore.Write("other", "k",
                    bytes("o"))), 3, 2);

            StateStore.VersionedValue v = state.get("cc", "k").orElseThrow();
            assertArrayEquals(bytes("v1"), v.value());
            assertEquals(3, v.blockNumber());
            assertEquals(2, v.transactionNumber());
            assertArrayEquals(bytes("o"), state.get("other", "k").orElseThrow().value());
            assertFalse(state.get("none", "k").isPresent());

            state.apply(List.of(new StateStore.Write("cc", "k", null)), 4, 0);
            state.commit(4);

            assertFalse(state.get("cc", "k").isPresent());
            assertEquals(4, state.savepoint());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stores")
    void range_isInUtf8ByteOrderWithExclusiveEndAndEmptyMeaningToTheEnd(String name, Supplier<StateStore> stores) {
        try (StateStore state = stores.get()) {
            // U+FFFD sorts before U+1F600 in UTF-8 bytes, after it in UTF-16 units; \u0000 starts composite keys.
            for (String key : List.of("b", "a", "\uFFFD", "\uD83D\uDE00", "\u0000color\u0000blue\u0000", "c", "é")) {
                state.apply(List.of(new StateStore.Write("cc", key, bytes(key))), 1, 0);
            }
            state.apply(List.of(new StateStore.Write("zz", "a", bytes("x"))), 1, 0);

            assertEquals(List.of("\u0000color\u0000blue\u0000", "a", "b", "c", "é", "\uFFFD", "\uD83D\uDE00"),
                    keys(state.range("cc", "", "")));
            assertEquals(List.of("b", "c"), keys(state.range("cc", "b", "d")));
            assertEquals(List.of("\uFFFD", "\uD83D\uDE00"), keys(state.range("cc", "\uFFFD", "")));
            assertEquals(List.of(), keys(state.range("cc", "c", "b")));
            assertEquals(List.of(), keys(state.range("none", "", "")));
            StateStore.Entry first = state.range("cc", "é", "").next();
            assertArrayEquals(bytes("é"), first.value().value());
        }
    }

    @Test
    void mvStore_reopened_hasTheCommittedWritesAndSavepoint() {
        Path file = dir.resolve("reopen.mv.db");
        try (StateStore state = MvStoreStateStore.open(file)) {
            state.apply(List.of(new StateStore.Write("cc", "a", bytes("1")), new StateStore.Write("cc", "b",
                    bytes("2"))), 7, 1);
            state.commit(7);
        }

        try (StateStore state = MvStoreStateStore.open(file)) {
            assertEquals(7, state.savepoint());
            assertEquals(List.of("a", "b"), keys(state.range("cc", "", "")));
            assertEquals(1, state.get("cc", "b").orElseThrow().transactionNumber());
        }
    }

    @Test
    void mvStore_crashMidBlock_keepsTheLastCommittedBlockAndNoneOfTheNext() throws Exception {
        Path file = dir.resolve("crash.mv.db");
        Path afterCrash = dir.resolve("after-crash.mv.db");
        try (StateStore state = MvStoreStateStore.open(file)) {
            state.apply(List.of(new StateStore.Write("cc", "a", bytes("block 1"))), 1, 0);
            state.commit(1);
            state.apply(List.of(new StateStore.Write("cc", "a", bytes("block 2")),
                    new StateStore.Write("cc", "b", bytes("block 2"))), 2, 0);
            // What the disk holds now is what a crash would leave: block 2's writes are not committed.
            Files.copy(file, afterCrash);
        }

        try (StateStore state = MvStoreStateStore.open(afterCrash)) {
            assertEquals(1, state.savepoint());
            assertArrayEquals(bytes("block 1"), state.get("cc", "a").orElseThrow().value());
            assertFalse(state.get("cc", "b").isPresent());
        }
    }

    @Test
    void mvStore_fileThatIsNotAStateFile_failsNamingIt() throws Exception {
        Path garbage = Files.writeString(dir.resolve("garbage.mv.db"), "this is not an MVStore file ".repeat(200));

        UncheckedIOException e = assertThrows(UncheckedIOException.class, () -> MvStoreStateStore.open(garbage));

        assertTrue(e.getMessage().contains(garbage.toString()), e.getMessage());
    }
}
