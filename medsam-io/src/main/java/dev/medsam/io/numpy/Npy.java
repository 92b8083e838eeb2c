package dev.medsam.io.numpy;

import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.files.MalformedImageException;
import dev.medsam.io.files.internal.ByteOrders;
import dev.medsam.io.files.internal.Limits;
import dev.medsam.io.files.internal.Transpose;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Reads and writes NumPy {@code .npy} files: format versions 1.0, 2.0 and 3.0; every type of {@link NpyDtype}
 * in either byte order; C or Fortran order. Arrays come back as {@link NpyArray} (little-endian, C order).
 * Structured, complex, string and object arrays are rejected with a {@link MalformedImageException} (NumPy's
 * pickled object arrays are never unpickled).
 *
 * <p>Every size in a header is checked against the bytes the file actually has before anything is
 * allocated. Writes are atomic (temporary file in the same folder, then a move). Thread-safe (stateless).
 * <pre>{@code
 * NpyArray logits = NpyArray.ofFloats(values, 1, 1, 256, 256);
 * Npy.write(Path.of("logits.npy"), logits);
 * NpyArray back = Npy.read(Path.of("logits.npy"));
 * }</pre>
 */
public final class Npy {

    static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    /** Longest header accepted: NumPy itself refuses headers over 10000 bytes unless told otherwise. */
    static final int MAX_HEADER_BYTES = 1 << 20;

    private Npy() {
    }

    /**
     * Reads a .npy file.
     *
     * @throws MalformedImageException if the content is not a supported .npy array
     */
    public static NpyArray read(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Limits.requireRegularFile(file);
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            NpyHeader h = readHeader(in, file, "", size);
            return readBody(in, h, file, "", size - h.dataOffset(), size - h.dataOffset() + " bytes follow the header");
        } catch (RuntimeException e) {
            throw new MalformedImageException(file, "cannot be read as .npy: " + e, e);
        }
    }

    /** Reads only the header of a .npy file. */
    public static NpyHeader readHeader(Path file) throws IOException {
        Objects.requireNonNull(file, "file");
        Limits.requireRegularFile(file);
        long size = Files.size(file);
        try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 12)) {
            return readHeader(in, file, "", size);
        } catch (RuntimeException e) {
            throw new MalformedImageException(file, "cannot be read as .npy: " + e, e);
        }
    }

    /** Writes {@code array} as a little-endian C-order .npy file (version 1.0, or 2.0 for a huge header). */
    public static void write(Path file, NpyArray array) throws IOException {
        write(file, array, ByteOrder.LITTLE_ENDIAN, false);
    }

    /**
     * Writes {@code array} with the given byte order and memory order (Fortran: first index fastest).
     *
     * @throws IOException if the file cannot be written (no partial file is left)
     */
    public static void write(Path file, NpyArray array, ByteOrder order, boolean fortranOrder) throws IOException {
        Objects.requireNonNull(array, "array");
        Objects.requireNonNull(order, "order");
        AtomicFiles.write(file, out -> writeTo(out, array, order, fortranOrder));
    }

    // ---- stream level, shared with Npz ----

    /**
     * Parses the header at the start of {@code in}. {@code member} names the zip member for messages ("" for a
     * plain file); {@code limit} is the most bytes the stream can have.
     */
    static NpyHeader readHeader(InputStream in, Path file, String member, long limit) throws IOException {
        String where = member.isEmpty() ? "" : "member '" + member + "': ";
        byte[] pre = readUpTo(in, 10, file, where);
        if (pre.length < 8 || !startsWith(pre, MAGIC)) {
            throw new MalformedImageException(file, where + "not a .npy array (no \\x93NUMPY magic)");
        }
        int major = pre[6] & 0xFF;
        int minor = pre[7] & 0xFF;
        if (major < 1 || major > 3) {
            throw new MalformedImageException(file, where + ".npy format version " + major + "." + minor
                    + " is not supported (1.0, 2.0 and 3.0 are)");
        }
        if (pre.length < 10) {
            throw new MalformedImageException(file, where + "truncated .npy preamble");
        }
        long headerLen;
        int prefix;
        if (major == 1) {
            headerLen = ByteBuffer.wrap(pre, 8, 2).order(ByteOrder.LITTLE_ENDIAN).getShort() & 0xFFFF;
            prefix = 10;
        } else {
            byte[] more = readUpTo(in, 2, file, where);
            if (more.length < 2) {
                throw new MalformedImageException(file, where + "truncated .npy preamble");
            }
            headerLen = ByteBuffer.wrap(new byte[] {pre[8], pre[9], more[0], more[1]}).order(ByteOrder.LITTLE_ENDIAN)
                    .getInt() & 0xFFFFFFFFL;
            prefix = 12;
        }
        if (headerLen > MAX_HEADER_BYTES || prefix + headerLen > limit) {
            throw new MalformedImageException(file, where + ".npy header length " + headerLen + " is "
                    + (headerLen > MAX_HEADER_BYTES ? "larger than " + MAX_HEADER_BYTES + " bytes"
                            : "beyond the end of the data (" + limit + " bytes)"));
        }
        byte[] hb = readUpTo(in, (int) headerLen, file, where);
        if (hb.length < headerLen) {
            throw new MalformedImageException(file, where + "truncated .npy header (" + hb.length + " of " + headerLen
                    + " bytes)");
        }
        String text = new String(hb, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Object parsed;
        try {
            parsed = PyLiteral.parse(text);
        } catch (IllegalArgumentException e) {
            throw new MalformedImageException(file, where + "unreadable .npy header (" + e.getMessage() + "): "
                    + abbreviate(text));
        }
        if (!(parsed instanceof Map<?, ?> dict)) {
            throw new MalformedImageException(file, where + ".npy header is not a dict: " + abbreviate(text));
        }
        if (!dict.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            throw new MalformedImageException(file, where + ".npy header keys are " + dict.keySet()
                    + ", expected descr, fortran_order and shape");
        }
        Object descr = dict.get("descr");
        if (!(descr instanceof String d)) {
            throw new MalformedImageException(file, where + "structured dtype " + abbreviate(String.valueOf(descr))
                    + " is not supported");
        }
        if (NpyDtype.fromDescr(d).isEmpty()) {
            throw new MalformedImageException(file, where + "dtype '" + d + "' is not supported (bool, int8..uint64 "
                    + "and float16/32/64 are)");
        }
        NpyDtype dtype = NpyDtype.fromDescr(d).get();
        if (d.startsWith("|") && dtype.bytes() > 1) {
            throw new MalformedImageException(file, where + "dtype '" + d + "' has no byte order for a "
                    + dtype.bytes() + "-byte type");
        }
        Object fortran = dict.get("fortran_order");
        if (!(fortran instanceof Boolean f)) {
            throw new MalformedImageException(file, where + "fortran_order is " + fortran + ", not True or False");
        }
        Object shapeValue = dict.get("shape");
        if (!(shapeValue instanceof PyLiteral.Tuple tuple)) {
            throw new MalformedImageException(file, where + "shape is " + shapeValue + ", not a tuple");
        }
        List<Object> dims = tuple.items();
        if (dims.size() > 64) {
            throw new MalformedImageException(file, where + "shape has " + dims.size() + " axes (NumPy allows 64)");
        }
        int[] shape = new int[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            Object v = dims.get(i);
            if (!(v instanceof BigInteger b) || b.signum() < 0 || b.bitLength() > 31) {
                throw new MalformedImageException(file, where + "shape[" + i + "] is " + v
                        + "; dimensions are integers from 0 to " + Integer.MAX_VALUE);
            }
            shape[i] = b.intValue();
        }
        return new NpyHeader(major, minor, d, f, shape, prefix + headerLen);
    }

    /**
     * Reads the values that follow a header. {@code available} is the most bytes the stream can still
     * deliver ({@code why} says so for the message).
     */
    static NpyArray readBody(InputStream in, NpyHeader h, Path file, String member, long available, String why)
            throws IOException {
        String where = member.isEmpty() ? "" : "member '" + member + "': ";
        NpyDtype dtype = h.dtype();
        int[] shape = h.shape();
        long bytes = dtype.bytes();
        for (int d : shape) {
            bytes = Limits.multiply(bytes, d);
        }
        Limits.checkImageAllocation(file, where + "array " + java.util.Arrays.toString(shape) + " of " + dtype.numpyName(),
                bytes, available, why);
        byte[] data = new byte[(int) bytes];
        int got = 0;
        try {
            while (got < bytes) {
                int n = in.read(data, got, (int) bytes - got);
                if (n < 0) {
                    break;
                }
                got += n;
            }
        } catch (EOFException e) {
            // reported below
        } catch (MalformedImageException e) {
            throw e;
        } catch (IOException e) {
            throw new MalformedImageException(file, where + "cannot read the array data: " + e.getMessage(), e);
        }
        if (got < bytes) {
            throw new MalformedImageException(file, where + "truncated: the header promises " + bytes
                    + " bytes of data, only " + got + " follow");
        }
        if (h.bigEndian()) {
            ByteOrders.swap(data, dtype.bytes());
        }
        if (h.fortranOrder() && shape.length > 1) {
            byte[] c = new byte[data.length];
            int[] pos = {0};
            Transpose.fortranToC(ByteBuffer.wrap(data), shape, dtype.bytes(), (chunk, off, len) -> {
                System.arraycopy(chunk, off, c, pos[0], len);
                pos[0] += len;
            });
            data = c;
        }
        return NpyArray.of(dtype, shape, ByteBuffer.wrap(data));
    }

    /** The header bytes (preamble included) NumPy would write for this array. */
    static byte[] headerBytes(NpyArray a, ByteOrder order, boolean fortranOrder) {
        StringBuilder sb = new StringBuilder("{'descr': '")
                .append(a.dtype().descr(order == ByteOrder.LITTLE_ENDIAN))
                .append("', 'fortran_order': ").append(fortranOrder ? "True" : "False")
                .append(", 'shape': (");
        int[] shape = a.shape();
        for (int i = 0; i < shape.length; i++) {
            sb.append(i == 0 ? "" : ", ").append(shape[i]);
        }
        sb.append(shape.length == 1 ? ",), }" : "), }");
        String header = sb.toString();
        int hlen = header.length() + 1;
        int major = hlen + 10 + 64 <= 0xFFFF ? 1 : 2;
        int prefix = major == 1 ? 10 : 12;
        int pad = 64 - ((prefix + hlen) % 64);
        byte[] text = (header + " ".repeat(pad) + "\n").getBytes(StandardCharsets.ISO_8859_1);
        ByteBuffer out = ByteBuffer.allocate(prefix + text.length).order(ByteOrder.LITTLE_ENDIAN);
        out.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            out.putShort((short) text.length);
        } else {
            out.putInt(text.length);
        }
        out.put(text);
        return out.array();
    }

    /** Writes header and values to {@code out}. */
    static void writeTo(OutputStream out, NpyArray a, ByteOrder order, boolean fortranOrder) throws IOException {
        out.write(headerBytes(a, order, fortranOrder));
        int width = a.dtype().bytes();
        boolean swap = order == ByteOrder.BIG_ENDIAN && width > 1;
        ByteBuffer data = a.data();
        if (fortranOrder && a.rank() > 1) {
            int[] shape = a.shape();
            int[] reversed = new int[shape.length];
            for (int i = 0; i < shape.length; i++) {
                reversed[i] = shape[shape.length - 1 - i];
            }
            IOException[] failure = {null};
            // C order of (d0..dn) is first-axis-fastest order of (dn..d0); emitting that in C order gives
            // first-axis-fastest order of (d0..dn), which is Fortran order.
            Transpose.fortranToC(data, reversed, width, (chunk, off, len) -> {
                if (failure[0] != null) {
                    return;
                }
                try {
                    if (swap) {
                        ByteOrders.swap(chunk, off, off + len, width);
                    }
                    out.write(chunk, off, len);
                } catch (IOException e) {
                    failure[0] = e;
                }
            });
            if (failure[0] != null) {
                throw failure[0];
            }
            return;
        }
        byte[] chunk = new byte[Math.max(width, (1 << 16) / width * width)];
        while (data.remaining() > 0) {
            int n = Math.min(chunk.length, data.remaining());
            data.get(chunk, 0, n);
            if (swap) {
                ByteOrders.swap(chunk, 0, n, width);
            }
            out.write(chunk, 0, n);
        }
    }

    private static byte[] readUpTo(InputStream in, int n, Path file, String where) throws IOException {
        try {
            return in.readNBytes(n);
        } catch (EOFException e) {
            return new byte[0];
        } catch (MalformedImageException e) {
            throw e;
        } catch (IOException e) {
            throw new MalformedImageException(file, where + "cannot read the .npy header: " + e.getMessage(), e);
        }
    }

    private static boolean startsWith(byte[] a, byte[] prefix) {
        if (a.length < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (a[i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static String abbreviate(String s) {
        String t = s.strip();
        StringBuilder sb = new StringBuilder();
        for (char c : t.toCharArray()) {
            sb.append(c >= 32 && c < 127 ? c : '?');
            if (sb.length() >= 120) {
                return sb.append("...").toString();
            }
        }
        return sb.toString();
    }
}
