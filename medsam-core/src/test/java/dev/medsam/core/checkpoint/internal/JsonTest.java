package dev.medsam.core.checkpoint.internal;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonTest {

    @Test
    void parsesValuesKeepingMemberOrder() throws Json.JsonException {
        Object v = Json.parse(" {\"b\": [1, -2, 3.5, 1e3, 9223372036854775807, 9223372036854775808],"
                + " \"a\": {\"t\": true, \"f\": false, \"n\": null}, \"s\": \"x\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"} \n");
        Map<?, ?> m = (Map<?, ?>) v;
        assertEquals(List.of("b", "a", "s"), List.copyOf(m.keySet()));
        assertEquals(List.of(1L, -2L, 3.5, 1000.0, Long.MAX_VALUE, 9.223372036854775808E18), m.get("b"));
        Map<?, ?> a = (Map<?, ?>) m.get("a");
        assertEquals(Boolean.TRUE, a.get("t"));
        assertEquals(Boolean.FALSE, a.get("f"));
        assertSame(Json.NULL, a.get("n"));
        assertEquals("x\"\\/\b\f\n\r\t\u00e9\ud83d\ude00", m.get("s"));
    }

    @Test
    void refusesWhatRfc8259Refuses() {
        String[] bad = {"", "{", "{\"a\":1,}", "[1,]", "01", "-", "1.", ".5", "1e", "+1", "\"\\x\"", "\"\u0001\"",
            "{\"a\" 1}", "{a:1}", "[1 2]", "tru", "nul", "\"abc", "\"\\u12g4\"", "{\"a\":1,\"a\":2}", "1 2", "'a'", "NaN"};
        for (String s : bad) {
            Json.JsonException e = assertThrows(Json.JsonException.class, () -> Json.parse(s), s);
            assertTrue(e.getMessage().contains("at character"), e.getMessage());
        }
    }

    @Test
    void limitsNesting() {
        String deep = "[".repeat(Json.MAX_DEPTH + 1) + "]".repeat(Json.MAX_DEPTH + 1);
        assertThrows(Json.JsonException.class, () -> Json.parse(deep));
        String ok = "[".repeat(Json.MAX_DEPTH) + "]".repeat(Json.MAX_DEPTH);
        assertTrue(assertDoesNotThrow(ok) instanceof List);
    }

    private static Object assertDoesNotThrow(String s) {
        try {
            return Json.parse(s);
        } catch (Json.JsonException e) {
            throw new AssertionError(e);
        }
    }
}
