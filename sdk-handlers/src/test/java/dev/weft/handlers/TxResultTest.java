package dev.weft.handlers;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.weft.core.TransactionStatus;
import org.hyperledger.fabric.protos.peer.TxValidationCode;
import org.junit.jupiter.api.Test;

class TxResultTest {
    private final TxResult evaluated = TxResult.of("tx1", ByteString.copyFromUtf8("result"));

    @Test
    void committed_statusOfAnotherTransaction_throwsIae() {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
                () -> evaluated.committed(new TransactionStatus("tx2", 5, 0, TxValidationCode.VALID_VALUE)));

        assertTrue(error.getMessage().contains("tx2") && error.getMessage().contains("tx1"), error.getMessage());
    }

    @Test
    void committed_matchingStatus_exposesBlockAndValidationCode() {
        TxResult committed = evaluated.committed(new TransactionStatus("tx1", 5, 2, TxValidationCode.VALID_VALUE));

        assertEquals(5, committed.blockNumber());
        assertEquals(TxValidationCode.VALID, committed.validationCode());
        assertEquals("result", committed.resultAsString());
        assertTrue(evaluated.commit().isEmpty(), "the evaluated result is not changed");
    }

    @Test
    void blockNumber_onEvaluateResult_throwsIllegalState() {
        IllegalStateException error = assertThrows(IllegalStateException.class, evaluated::blockNumber);

        assertTrue(error.getMessage().contains("tx1"), error.getMessage());
    }

    @Test
    void validationCode_onEvaluateResult_throwsIllegalState() {
        assertThrows(IllegalStateException.class, evaluated::validationCode);
    }

    @Test
    void result_returnedArrayModified_resultUnchanged() {
        byte[] first = evaluated.result();
        first[0] = 'X';

        assertArrayEquals("result".getBytes(UTF_8), evaluated.result());
        assertEquals("result", evaluated.resultAsString());
    }
}
