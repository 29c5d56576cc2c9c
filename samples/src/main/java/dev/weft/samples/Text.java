package dev.weft.samples;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Locale;

/** Formatting for people: chaincode results, ids, durations. */
final class Text {
    private static final JsonFactory JSON = new JsonFactory();

    private Text() {
    }

    /**
     * A chaincode result as text: pretty-printed if it is JSON, as is if it is readable UTF-8,
     * otherwise as hex with its length.
     */
    static String result(byte[] bytes) {
        if (bytes.length == 0) {
            return "(empty)";
        }
        String json = prettyJson(bytes);
        if (json != null) {
            return json;
        }
        String text = utf8(bytes);
        if (text != null && text.chars().noneMatch(c -> Character.isISOControl(c) && c != '\n' && c != '\t' && c != '\r')) {
            return text;
        }
        return "(" + bytes.length + " bytes) " + HexFormat.of().formatHex(bytes);
    }

    /** Pretty-printed JSON, or null if the bytes are not one JSON object or array. */
    static String prettyJson(byte[] bytes) {
        if (bytes.length == 0 || (bytes[0] != '{' && bytes[0] != '[')) {
            return null;
        }
        StringWriter out = new StringWriter();
        try (JsonParser parser = JSON.createParser(bytes);
                JsonGenerator generator = JSON.createGenerator(out).useDefaultPrettyPrinter()) {
            JsonToken token = parser.nextToken();
            generator.copyCurrentStructure(parser);
            if (token == null || parser.nextToken() != null) {
                return null; // empty, or trailing content after the value
            }
        } catch (IOException e) {
            return null;
        }
        return out.toString();
    }

    /** Whether the bytes are exactly one JSON value (object, array, string, number, true, false, null). */
    static boolean isJson(byte[] bytes) {
        try (JsonParser parser = JSON.createParser(bytes)) {
            if (parser.nextToken() == null) {
                return false;
            }
            parser.skipChildren();
            return parser.nextToken() == null;
        } catch (IOException e) {
            return false;
        }
    }

    /** The bytes as UTF-8 text, or null if they are not valid UTF-8. */
    static String utf8(byte[] bytes) {
        try {
            return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /** The first and last characters of a transaction id. */
    static String shortId(String transactionId) {
        return transactionId.length() <= 12 ? transactionId
                : transactionId.substring(0, 6) + "…" + transactionId.substring(transactionId.length() - 4);
    }

    /** Nanoseconds as milliseconds with one decimal, right-aligned. */
    static String millis(long nanos) {
        return String.format(Locale.ROOT, "%7.1f ms", nanos / 1e6);
    }

    /** A number with thousands separators. */
    static String count(long n) {
        return String.format(Locale.ROOT, "%,d", n);
    }
}
