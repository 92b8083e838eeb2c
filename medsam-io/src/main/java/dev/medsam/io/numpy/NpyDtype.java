package dev.medsam.io.numpy;

import dev.medsam.core.image.DataType;

import java.util.Locale;
import java.util.Optional;

/**
 * The NumPy element types this library reads and writes: {@code bool} and the fixed-size integer and IEEE
 * float types. Byte order is not part of the type: {@link NpyArray} always holds little-endian values, and
 * the reader and writer handle the order in the file.
 */
public enum NpyDtype {
    BOOL('b', 1),
    INT8('i', 1),
    UINT8('u', 1),
    INT16('i', 2),
    UINT16('u', 2),
    INT32('i', 4),
    UINT32('u', 4),
    INT64('i', 8),
    UINT64('u', 8),
    FLOAT16('f', 2),
    FLOAT32('f', 4),
    FLOAT64('f', 8);

    private final char kind;
    private final int bytes;

    NpyDtype(char kind, int bytes) {
        this.kind = kind;
        this.bytes = bytes;
    }

    /** Bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** NumPy's name: {@code bool}, {@code uint8}, {@code float32}, ... */
    public String numpyName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** NumPy's type character: {@code b} (bool), {@code i}, {@code u} or {@code f}. */
    public char kind() {
        return kind;
    }

    /**
     * The array-protocol type string for this type in {@code littleEndian} order: {@code '<f4'}, {@code '|u1'},
     * {@code '|b1'}, ... (single-byte types always use {@code '|'}).
     */
    public String descr(boolean littleEndian) {
        char order = bytes == 1 ? '|' : littleEndian ? '<' : '>';
        return "" + order + kind + bytes;
    }

    /**
     * The type for an array-protocol type string such as {@code <f4}, {@code >i2}, {@code |u1}, {@code |b1} or
     * {@code ?}; empty for anything else (complex, strings, records, datetimes, ...).
     */
    public static Optional<NpyDtype> fromDescr(String descr) {
        if (descr.equals("?") || descr.equals("|?") || descr.equals("b1")) {
            return Optional.of(BOOL);
        }
        String s = descr;
        if (!s.isEmpty() && "<>|=".indexOf(s.charAt(0)) >= 0) {
            s = s.substring(1);
        }
        if (s.length() != 2) {
            return Optional.empty();
        }
        char k = s.charAt(0);
        int n = s.charAt(1) - '0';
        for (NpyDtype t : values()) {
            if (t.kind == k && t.bytes == n) {
                return Optional.of(t);
            }
        }
        return Optional.empty();
    }

    /** The image type holding the same values ({@code bool} becomes {@code uint8} 0/1). */
    public DataType toDataType() {
        return switch (this) {
            case BOOL, UINT8 -> DataType.UINT8;
            case INT8 -> DataType.INT8;
            case INT16 -> DataType.INT16;
            case UINT16 -> DataType.UINT16;
            case INT32 -> DataType.INT32;
            case UINT32 -> DataType.UINT32;
            case INT64 -> DataType.INT64;
            case UINT64 -> DataType.UINT64;
            case FLOAT16 -> DataType.FLOAT16;
            case FLOAT32 -> DataType.FLOAT32;
            case FLOAT64 -> DataType.FLOAT64;
        };
    }

    /** The NumPy type of an image type. */
    public static NpyDtype of(DataType type) {
        return switch (type) {
            case UINT8 -> UINT8;
            case INT8 -> INT8;
            case UINT16 -> UINT16;
            case INT16 -> INT16;
            case UINT32 -> UINT32;
            case INT32 -> INT32;
            case UINT64 -> UINT64;
            case INT64 -> INT64;
            case FLOAT16 -> FLOAT16;
            case FLOAT32 -> FLOAT32;
            case FLOAT64 -> FLOAT64;
        };
    }
}
