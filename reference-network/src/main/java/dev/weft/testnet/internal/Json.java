package dev.weft.testnet.internal;

import dev.weft.core.InternalApi;
import dev.weft.testnet.ChaincodeException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The small amount of JSON the reference network writes and reads: the asset-transfer sample's
 * flat objects (written in key order or insertion order, as the sample does) and connection
 * profiles (nested maps, lists, strings, numbers, booleans).
 */
@InternalApi
public final class Json {
    private Json() {
    }

    /** Writes maps, lists, strings, numbers, booleans and nulls as compact JSON. */
    public static String write(Object value) {
        StringBuilder sb = new StringBuilder();
        write(value, sb);
        return sb.toString();
    }

    private static void write(Object value, StringBuilder sb) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String s) {
            sb.append(quote(s));
        } else if (value instanceof Number || value instanceof Boolean) {
            sb.append(value);
        } else if (value instanceof Map<?, ?> map) {
            sb.append('{');
            boolean first = true;
            for (var e : map.entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append(quote(String.valueOf(e.getKey()))).append(':');
                write(e.getValue(), sb);
            }
            sb.append('}');
        } else if (value instanceof List<?> list) {
            sb.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                write(list.get(i), sb);
            }
            sb.append(']');
        } else {
            throw new IllegalArgumentException("cannot write " + value.getClass().getName() + " as JSON");
        }
    }

    public static String sorted(Map<String, Object> object) {
        // JavaScript's sort-keys order: by UTF-16 code units, which is String's natural order.
        return inOrder(new TreeMap<>(object));
    }

    public static String inOrder(Map<String, Object> object) {
        StringBuilder sb = new StringBuilder("{");
        for (var e : object.entrySet()) {
            if (sb.length() > 1) {
                sb.append(',');
            }
            sb.append(quote(e.getKey())).append(':');
            sb.append(e.getValue() instanceof String s ? quote(s) : String.valueOf(e.getValue()));
        }
        return sb.append('}').toString();
    }

    public static String quote(String s) {
        StringBuilder sb = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> sb.append("\\\"");
                case '\\' -> sb.append("\\\\");
                case '\n' -> sb.append("\\n");
                case '\r' -> sb.append("\\r");
                case '\t' -> sb.append("\\t");
                case '\b' -> sb.append("\\b");
                case '\f' -> sb.append("\\f");
                default -> {
                    if (c < 0x20) {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.append('"').toString();
    }

    /** Parses a flat JSON object of strings, numbers, booleans and nulls. */
    public static Map<String, Object> parseObject(String json) {
        Parser p = new Parser(json);
        Map<String, Object> result = p.object();
        p.space();
        if (p.pos != json.length()) {
            throw new ChaincodeException("stored asset is not a JSON object");
        }
        return result;
    }

    private static final class Parser {
        final String s;
        int pos;

        Parser(String s) {
            this.s = s;
        }

        Map<String, Object> object() {
            space();
            expect('{');
            Map<String, Object> map = new LinkedHashMap<>();
            space();
            if (peek() == '}') {
                pos++;
                return map;
            }
            while (true) {
                space();
                String key = string();
                space();
                expect(':');
                space();
                map.put(key, value());
                space();
                if (peek() == ',') {
                    pos++;
                    continue;
                }
                expect('}');
                return map;
            }
        }

        Object value() {
            char c = peek();
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", pos)) {
                pos += 4;
                return true;
            }
            if (s.startsWith("false", pos)) {
                pos += 5;
                return false;
            }
            if (s.startsWith("null", pos)) {
                pos += 4;
                return null;
            }
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            if (start == pos) {
                throw new ChaincodeException("stored asset is not flat JSON");
            }
            String number = s.substring(start, pos);
            return number.matches("-?\\d+") ? (Object) Long.parseLong(number) : (Object) Double.parseDouble(number);
        }

        String string() {
            expect('"');
            StringBuilder sb = new StringBuilder();
            while (true) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return sb.toString();
                }
                if (c == '\\') {
                    char e = s.charAt(pos++);
                    switch (e) {
                        case 'n' -> sb.append('\n');
                        case 'r' -> sb.append('\r');
                        case 't' -> sb.append('\t');
                        case 'b' -> sb.append('\b');
                        case 'f' -> sb.append('\f');
                        case 'u' -> {
                            sb.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                            pos += 4;
                        }
                        default -> sb.append(e);
                    }
                } else {
                    sb.append(c);
                }
            }
        }

        char peek() {
            if (pos >= s.length()) {
                throw new ChaincodeException("stored asset is truncated JSON");
            }
            return s.charAt(pos);
        }

        void expect(char c) {
            if (peek() != c) {
                throw new ChaincodeException("stored asset is not valid JSON");
            }
            pos++;
        }

        void space() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }
    }
}
