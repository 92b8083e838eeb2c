package dev.medsam.core.testing;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/**
 * Emits pickle opcodes by hand, the way torch.save does (protocol 2: GLOBAL, BINPERSID, REDUCE, BUILD ...), so
 * tests can make checkpoints without Python. The opcode sequences were checked with Python's pickletools.
 */
public final class PickleWriter {

    /** A tensor as torch pickles it: a strided view of a storage. */
    public record Tensor(String storageClass, String storageKey, long storageNumel, long offset, long[] size, long[] stride) {
    }

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    public PickleWriter op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    public PickleWriter proto(int n) {
        return op(0x80, n);
    }

    public PickleWriter global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** STACK_GLOBAL (protocol 4) of two short strings. */
    public PickleWriter stackGlobal(String module, String name) {
        return str(module).str(name).op(0x93);
    }

    public PickleWriter str(String s) {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X');
        le32(b.length);
        out.writeBytes(b);
        return this;
    }

    public PickleWriter integer(long v) {
        if (v >= 0 && v < 256) {
            return op('K', (int) v);
        }
        if (v >= 0 && v < 65536) {
            return op('M', (int) (v & 0xFF), (int) (v >>> 8));
        }
        if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
            op('J');
            return le32((int) v);
        }
        op(0x8a, 8); // LONG1 with 8 bytes
        for (int i = 0; i < 8; i++) {
            out.write((int) (v >>> (8 * i)));
        }
        return this;
    }

    public PickleWriter mark() {
        return op('(');
    }

    public PickleWriter tuple() {
        return op('t');
    }

    public PickleWriter emptyTuple() {
        return op(')');
    }

    public PickleWriter emptyDict() {
        return op('}');
    }

    public PickleWriter setItem() {
        return op('s');
    }

    public PickleWriter setItems() {
        return op('u');
    }

    public PickleWriter reduce() {
        return op('R');
    }

    public PickleWriter build() {
        return op('b');
    }

    public PickleWriter stop() {
        return op('.');
    }

    public PickleWriter bool(boolean b) {
        return op(b ? 0x88 : 0x89);
    }

    public PickleWriter none() {
        return op('N');
    }

    public PickleWriter binput(int i) {
        return op('q', i);
    }

    public PickleWriter binget(int i) {
        return op('h', i);
    }

    public PickleWriter ints(long[] values) {
        mark();
        for (long v : values) {
            integer(v);
        }
        return tuple();
    }

    /** torch._utils._rebuild_tensor_v2((storage pid), offset, size, stride, False, OrderedDict()). */
    public PickleWriter tensor(Tensor t) {
        global("torch._utils", "_rebuild_tensor_v2");
        mark();
        mark().str("storage").global("torch", t.storageClass()).str(t.storageKey()).str("cpu")
                .integer(t.storageNumel()).tuple().op('Q');
        integer(t.offset());
        ints(t.size());
        ints(t.stride());
        bool(false);
        global("collections", "OrderedDict").emptyTuple().reduce();
        return tuple().reduce();
    }

    /** OrderedDict of tensors with a _metadata attribute set by BUILD, as state_dict() pickles. */
    public PickleWriter stateDict(Map<String, Tensor> tensors) {
        global("collections", "OrderedDict").emptyTuple().reduce();
        mark();
        for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
            str(e.getKey());
            tensor(e.getValue());
        }
        setItems();
        // _metadata = OrderedDict({"": {"version": 1}})
        emptyDict().str("_metadata").global("collections", "OrderedDict").emptyTuple().reduce()
                .str("").emptyDict().str("version").integer(1).setItem().setItem().setItem();
        return build();
    }

    private PickleWriter le32(int v) {
        for (int i = 0; i < 4; i++) {
            out.write(v >>> (8 * i));
        }
        return this;
    }

    public byte[] bytes() {
        return out.toByteArray();
    }
}
