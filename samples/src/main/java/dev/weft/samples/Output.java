package dev.weft.samples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import dev.weft.core.TransactionStatus;
import dev.weft.handlers.TxResult;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.Optional;

/** How submit and evaluate print a transaction, for people or for scripts. */
final class Output {
    private Output() {
    }

    static void transaction(PrintWriter out, TxResult result, boolean json) {
        Optional<TransactionStatus> commit = result.commit();
        if (json) {
            out.println(json(result));
            out.flush();
            return;
        }
        out.println(Text.result(result.result()));
        if (commit.isPresent()) {
            out.printf("%-6s %s%n", "tx", result.transactionId());
            out.printf("%-6s %d%n", "block", commit.get().blockNumber());
            out.printf("%-6s %s%n", "status", commit.get().code());
        }
        out.flush();
    }

    private static String json(TxResult result) {
        StringWriter text = new StringWriter();
        try (JsonGenerator g = new JsonFactory().createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("transactionId", result.transactionId());
            if (result.commit().isPresent()) {
                g.writeNumberField("block", result.blockNumber());
                g.writeStringField("status", result.validationCode().name());
            }
            byte[] bytes = result.result();
            String decoded = Text.utf8(bytes);
            if (bytes.length > 0 && Text.isJson(bytes)) {
                g.writeFieldName("result");
                g.writeRawValue(decoded); // a JSON value stays one: an object, an array, true, 42
            } else if (decoded != null) {
                g.writeStringField("result", decoded);
            } else {
                g.writeStringField("resultBase64", java.util.Base64.getEncoder().encodeToString(bytes));
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return text.toString();
    }
}
