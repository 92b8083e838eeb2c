package dev.medsam.io.numpy;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the Python literals NumPy writes in a .npy header: a dict of str keys whose values are
 * strings, True/False/None, ints and tuples or lists of these. Strings become String, booleans Boolean, None
 * {@link #NONE}, ints BigInteger, tuples {@link Tuple} and lists List. Anything else is an
 * {@link IllegalArgumentException} saying where.
 */
final class PyLiteral {

    /** A Python tuple (NumPy requires the shape to be one, not a list). */
    record Tuple(List<Object> items) {
        @Override
        public String toString() {
            return items.toString().replace('[', '(').replace(']', ')');
        }
    }

    /** Python's None. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    private static final int MAX_DEPTH = 16;

    private final String s;
    private int p;

    private PyLiteral(String s) {
        this.s = s;
    }

    /** Parses a whole literal (surrounding whitespace allowed). */
    static Object parse(String text) {
        PyLiteral parser = new PyLiteral(text);
        Object v = parser.value(0);
        parser.skipSpace();
        if (parser.p != text.length()) {
            throw parser.error("unexpected text after the literal");
        }
        return v;
    }

    private Object value(int depth) {
        if (depth > MAX_DEPTH) {
            throw error("nested too deeply");
        }
        skipSpace();
        if (p >= s.length()) {
            throw error("unexpected end");
        }
        char c = s.charAt(p);
        switch (c) {
            case '{':
                return dict(depth);
            case '(':
                return new Tuple(sequence(depth, ')'));
            case '[':
                return sequence(depth, ']');
            case '\'':
            case '"':
                return string();
            default:
                break;
        }
        if (c == '-' || c == '+' || Character.isDigit(c)) {
            return integer();
        }
        if (s.startsWith("True", p)) {
            p += 4;
            return Boolean.TRUE;
        }
        if (s.startsWith("False", p)) {
            p += 5;
            return Boolean.FALSE;
        }
        if (s.startsWith("None", p)) {
            p += 4;
            return NONE;
        }
        throw error("unexpected character '" + c + "'");
    }

    private Map<String, Object> dict(int depth) {
        p++; // {
        Map<String, Object> m = new LinkedHashMap<>();
        while (true) {
            skipSpace();
            if (peek('}')) {
                p++;
                return m;
            }
            Object key = value(depth + 1);
            if (!(key instanceof String k)) {
                throw error("dict key is not a string");
            }
            skipSpace();
            expect(':');
            Object v = value(depth + 1);
            if (m.put(k, v) != null) {
                throw error("duplicate key '" + k + "'");
            }
            skipSpace();
            if (peek(',')) {
                p++;
            } else if (!peek('}')) {
                throw error("expected ',' or '}'");
            }
        }
    }

    private List<Object> sequence(int depth, char close) {
        p++;
        List<Object> items = new ArrayList<>();
        while (true) {
            skipSpace();
            if (peek(close)) {
                p++;
                return items;
            }
            items.add(value(depth + 1));
            skipSpace();
            if (peek(',')) {
                p++;
            } else if (!peek(close)) {
                throw error("expected ',' or '" + close + "'");
            }
        }
    }

    private String string() {
        char quote = s.charAt(p++);
        StringBuilder sb = new StringBuilder();
        while (p < s.length()) {
            char c = s.charAt(p++);
            if (c == quote) {
                return sb.toString();
            }
            if (c == '\\') {
                if (p >= s.length()) {
                    break;
                }
                char e = s.charAt(p++);
                switch (e) {
                    case 'n' -> sb.append('\n');
                    case 't' -> sb.append('\t');
                    case 'r' -> sb.append('\r');
                    case '0' -> sb.append('\0');
                    case '\\', '\'', '"' -> sb.append(e);
                    default -> sb.append('\\').append(e);
                }
            } else {
                sb.append(c);
            }
        }
        throw error("unterminated string");
    }

    private BigInteger integer() {
        int start = p;
        if (s.charAt(p) == '-' || s.charAt(p) == '+') {
            p++;
        }
        int digits = p;
        while (p < s.length() && Character.isDigit(s.charAt(p))) {
            p++;
        }
        if (p == digits || p - digits > 40) {
            throw error("bad integer");
        }
        BigInteger v = new BigInteger(s.substring(start, p));
        if (p < s.length() && (s.charAt(p) == 'L' || s.charAt(p) == 'l')) {
            p++; // Python 2 long suffix, as old NumPy wrote shapes
        }
        return v;
    }

    private boolean peek(char c) {
        return p < s.length() && s.charAt(p) == c;
    }

    private void expect(char c) {
        if (!peek(c)) {
            throw error("expected '" + c + "'");
        }
        p++;
    }

    private void skipSpace() {
        while (p < s.length() && Character.isWhitespace(s.charAt(p))) {
            p++;
        }
    }

    private IllegalArgumentException error(String what) {
        return new IllegalArgumentException(what + " at character " + p);
    }
}
