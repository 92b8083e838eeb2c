package dev.medsam.core.checkpoint.internal;

import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A restricted reader for the Python pickles inside PyTorch checkpoints. It interprets the data opcodes of
 * pickle protocols 0-4 (numbers, strings, tuples, lists, dicts, memo), but instead of importing and calling
 * Python objects it knows exactly the few globals a state dict needs and refuses every other one by name:
 * <ul>
 *   <li>{@code collections.OrderedDict} (the state dict itself, and empty backward-hook dicts), whose
 *       {@code _metadata} attribute arrives by BUILD and is ignored;</li>
 *   <li>{@code torch._utils._rebuild_tensor_v2} (storage, storage offset, size, stride, requires_grad,
 *       backward hooks[, metadata]) and {@code torch._utils._rebuild_parameter[_with_state]}, which yield
 *       {@link TensorRef}s;</li>
 *   <li>the {@code torch.*Storage} classes, which only appear inside persistent ids
 *       {@code ('storage', storage class, key, location, numel)} and yield {@link StorageRef}s.</li>
 * </ul>
 * Nothing in the file is ever executed. Object construction opcodes (NEWOBJ, INST, OBJ), extension codes and
 * out-of-band buffers are refused. Every length is checked against the bytes left, and every object made is
 * charged at an estimate of its heap size (a tuple 48 bytes plus 8 per item, a dict entry 48, a boxed number 24,
 * a stack or memo slot 8 to 64): the total may not pass {@link #MAX_BYTES_PER_PICKLE_BYTE} times the pickle's
 * size plus {@link #FREE_BYTES}, so the memory used is linear in the pickle even when one-byte opcodes each
 * make a container (32 MiB of TUPLE1 would otherwise build 3 GB of tuples). Real state dicts use about half of
 * that allowance (6 bytes per pickle byte for the test checkpoints). Containers may nest at most
 * {@link #MAX_NESTING} deep. Containers compare by identity (never by content), so
 * self-referencing structures cannot send hashing or printing into endless recursion.
 *
 * <p>Errors are {@link PickleException}s with the byte offset of the opcode.
 */
final class Unpickler {

    /** A Python {@code None}. */
    static final Object NONE = new Object() {
        @Override
        public String toString() {
            return "None";
        }
    };

    /** What a persistent id {@code ('storage', cls, key, location, numel)} refers to. */
    record StorageRef(String key, StorageType type, String location, long numel) {
    }

    /** A tensor as {@code _rebuild_tensor_v2} describes it: a strided view of a storage. */
    record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {
    }

    /** A Python tuple (identity semantics); {@code items} is never modified. */
    static final class PyTuple {
        /** The empty tuple, shared as in Python. */
        static final PyTuple EMPTY = new PyTuple(List.of());

        final List<Object> items;
        final int depth;

        PyTuple(List<Object> items) {
            this.items = items;
            int d = 0;
            for (Object o : items) {
                d = Math.max(d, depthOf(o));
            }
            this.depth = d + 1;
        }
    }

    /**
     * A Python list (identity semantics). Storage is allocated on the first element, so that a pickle of empty
     * containers (one byte each) cannot cost much more than its size.
     */
    static final class PyList {
        private List<Object> items;
        int depth = 1;

        void addAll(List<Object> values) {
            for (Object o : values) {
                depth = Math.max(depth, depthOf(o) + 1);
            }
            if (!values.isEmpty()) {
                if (items == null) {
                    items = new ArrayList<>(values.size());
                }
                items.addAll(values);
            }
        }

        List<Object> items() {
            return items == null ? List.of() : items;
        }
    }

    /** A Python dict or OrderedDict, in insertion order; keys are strings, numbers or identity-compared objects. */
    static final class PyDict {
        private Map<Object, Object> items;
        int depth = 1;

        void put(Object key, Object value) {
            depth = Math.max(depth, Math.max(depthOf(key), depthOf(value)) + 1);
            if (items == null) {
                items = new LinkedHashMap<>();
            }
            items.put(key, value);
        }

        Map<Object, Object> items() {
            return items == null ? Map.of() : items;
        }
    }

    /** A Python set or frozenset; its contents are never needed. */
    static final class PySet {
    }

    /** The PyTorch storage classes: element type and size. */
    enum StorageType {
        FLOAT("FloatStorage", "float32", 4),
        HALF("HalfStorage", "float16", 2),
        BFLOAT16("BFloat16Storage", "bfloat16", 2),
        DOUBLE("DoubleStorage", "float64", 8),
        LONG("LongStorage", "int64", 8),
        INT("IntStorage", "int32", 4),
        SHORT("ShortStorage", "int16", 2),
        CHAR("CharStorage", "int8", 1),
        BYTE("ByteStorage", "uint8", 1),
        BOOL("BoolStorage", "bool", 1);

        final String className;
        final String dtype;
        final int bytes;

        StorageType(String className, String dtype, int bytes) {
            this.className = className;
            this.dtype = dtype;
            this.bytes = bytes;
        }
    }

    /** The globals this reader accepts; everything else is refused. */
    private enum Global {
        ORDERED_DICT("collections.OrderedDict"),
        REBUILD_TENSOR_V2("torch._utils._rebuild_tensor_v2"),
        REBUILD_PARAMETER("torch._utils._rebuild_parameter"),
        REBUILD_PARAMETER_WITH_STATE("torch._utils._rebuild_parameter_with_state");

        final String pythonName;

        Global(String pythonName) {
            this.pythonName = pythonName;
        }
    }

    /** A malformed or refused pickle; the message names the opcode offset. */
    static final class PickleException extends Exception {
        private static final long serialVersionUID = 1L;

        PickleException(String message) {
            super(message);
        }
    }

    private static final Set<String> STORAGE_MODULES = Set.of("torch");
    /** Longest integer accepted (LONG1/LONG4), in bytes: a state dict needs no big numbers. */
    private static final int MAX_LONG_BYTES = 16;
    /** Deepest MARK nesting accepted. */
    private static final int MAX_MARKS = 10_000;

    /** Most bytes of objects one byte of pickle may make, by the estimates in the class comment. */
    static final long MAX_BYTES_PER_PICKLE_BYTE = 12;
    /**
     * Deepest nesting of containers accepted (as far as it is known when a container is made or filled): a state
     * dict nests four or five deep, while a chain of millions of one-item tuples slows every garbage collection.
     */
    static final int MAX_NESTING = 100;
    /** Allowance on top, so that tiny pickles are never refused. */
    static final long FREE_BYTES = 1 << 20;

    private final ByteBuffer in;
    private final long budget;
    private long charged;
    private final List<Object> stack = new ArrayList<>();
    private final List<Integer> marks = new ArrayList<>();
    /** Memo entries with small indices (torch numbers them 0, 1, 2, ...): a growable array. */
    private Object[] memo = new Object[64];
    private int memoCount;
    /** Memo entries with indices beyond what the pickle's length makes plausible for dense numbering. */
    private final Map<Long, Object> sparseMemo = new HashMap<>();
    private final Map<String, StorageRef> storages = new HashMap<>();
    /** Objects made by BUILD-able reductions (OrderedDicts), so that BUILD on anything else is refused. */
    private final Map<Object, Boolean> buildable = new IdentityHashMap<>();
    private int opAt;

    private Unpickler(ByteBuffer in) {
        this.in = in.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        this.budget = FREE_BYTES + MAX_BYTES_PER_PICKLE_BYTE * (long) in.remaining();
    }

    /** How deep containers nest in {@code o} (0 for a value that is no container), as far as known. */
    static int depthOf(Object o) {
        if (o instanceof PyTuple t) {
            return t.depth;
        }
        if (o instanceof PyList l) {
            return l.depth;
        }
        if (o instanceof PyDict d) {
            return d.depth;
        }
        return 0;
    }

    private void checkNesting(Object container) throws PickleException {
        if (depthOf(container) > MAX_NESTING) {
            throw error("containers nest more than " + MAX_NESTING + " deep; a state dict nests a few levels: the"
                    + " file is corrupt or built to exhaust memory");
        }
    }

    /** Counts {@code bytes} of objects made; fails once the pickle has made more than its size allows. */
    private void charge(long bytes) throws PickleException {
        charged += bytes;
        if (charged > budget) {
            throw error("the pickle builds more than " + budget + " bytes of objects from " + in.limit()
                    + " bytes (at most " + MAX_BYTES_PER_PICKLE_BYTE + " per byte are allowed; a state dict needs far"
                    + " fewer): the file is corrupt or built to exhaust memory");
        }
    }

    /** Reads one pickle from {@code bytes} (position to limit) and returns the object it describes. */
    static Object load(ByteBuffer bytes) throws PickleException {
        return new Unpickler(bytes).run();
    }

    private Object run() throws PickleException {
        while (true) {
            if (!in.hasRemaining()) {
                throw new PickleException("the pickle ends without a STOP opcode (truncated data.pkl)");
            }
            opAt = in.position();
            int op = in.get() & 0xFF;
            switch (op) {
                case 0x80: { // PROTO
                    int proto = u8();
                    if (proto > 5) {
                        throw error("unsupported pickle protocol " + proto);
                    }
                    break;
                }
                case 0x95: // FRAME: only a size hint
                    need(8);
                    in.getLong();
                    break;
                case '.': // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw error("STOP with " + stack.size() + " objects on the stack (expected 1)");
                    }
                    return stack.get(0);
                case '(': // MARK
                    if (marks.size() >= MAX_MARKS) {
                        throw error("more than " + MAX_MARKS + " nested MARKs");
                    }
                    marks.add(stack.size());
                    break;
                case '0': // POP
                    pop();
                    break;
                case '1': // POP_MARK
                    popMark();
                    break;
                case '2': // DUP
                    push(peek());
                    break;
                case 'N':
                    push(NONE);
                    break;
                case 0x88: // NEWTRUE
                    push(Boolean.TRUE);
                    break;
                case 0x89: // NEWFALSE
                    push(Boolean.FALSE);
                    break;
                case 'J': // BININT
                    need(4);
                    push((long) in.getInt());
                    break;
                case 'K': // BININT1
                    push((long) u8());
                    break;
                case 'M': // BININT2
                    need(2);
                    push((long) (in.getShort() & 0xFFFF));
                    break;
                case 'I': // INT (text), also "I01\n" / "I00\n" for booleans
                    push(textInt(line()));
                    break;
                case 'L': { // LONG (text)
                    String s = line();
                    push(textInt(s.endsWith("L") ? s.substring(0, s.length() - 1) : s));
                    break;
                }
                case 0x8a: // LONG1
                    push(littleEndianInt(u8()));
                    break;
                case 0x8b: { // LONG4
                    need(4);
                    int n = in.getInt();
                    if (n < 0) {
                        throw error("negative LONG4 length " + n);
                    }
                    push(littleEndianInt(n));
                    break;
                }
                case 'G': // BINFLOAT (big-endian double)
                    need(8);
                    push(Double.longBitsToDouble(Long.reverseBytes(in.getLong())));
                    break;
                case 'F': { // FLOAT (text)
                    String s = line();
                    try {
                        push(Double.parseDouble(s));
                    } catch (NumberFormatException e) {
                        throw error("malformed FLOAT '" + abbreviate(s) + "'");
                    }
                    break;
                }
                case 'X': { // BINUNICODE
                    need(4);
                    push(utf8(in.getInt() & 0xFFFFFFFFL));
                    break;
                }
                case 0x8c: // SHORT_BINUNICODE
                    push(utf8(u8()));
                    break;
                case 0x8d: { // BINUNICODE8
                    need(8);
                    push(utf8(in.getLong()));
                    break;
                }
                case 'T': { // BINSTRING (Python 2 str, read as Latin-1)
                    need(4);
                    push(latin1(in.getInt() & 0xFFFFFFFFL));
                    break;
                }
                case 'U': // SHORT_BINSTRING
                    push(latin1(u8()));
                    break;
                case 'B': { // BINBYTES
                    need(4);
                    push(bytes(in.getInt() & 0xFFFFFFFFL));
                    break;
                }
                case 'C': // SHORT_BINBYTES
                    push(bytes(u8()));
                    break;
                case 0x8e: { // BINBYTES8
                    need(8);
                    push(bytes(in.getLong()));
                    break;
                }
                case ')': // EMPTY_TUPLE
                    push(PyTuple.EMPTY);
                    break;
                case 't': { // TUPLE
                    List<Object> items = popMark();
                    charge(48 + 8L * items.size());
                    push(items.isEmpty() ? PyTuple.EMPTY : new PyTuple(items));
                    break;
                }
                case 0x85: // TUPLE1
                    push(tupleOf(1));
                    break;
                case 0x86: // TUPLE2
                    push(tupleOf(2));
                    break;
                case 0x87: // TUPLE3
                    push(tupleOf(3));
                    break;
                case ']': // EMPTY_LIST
                    charge(32);
                    push(new PyList());
                    break;
                case 'l': { // LIST
                    PyList list = new PyList();
                    List<Object> items = popMark();
                    charge(32 + 16L * items.size());
                    list.addAll(items);
                    push(list);
                    break;
                }
                case 'a': { // APPEND
                    Object v = pop();
                    charge(16);
                    listAt(peek(), "APPEND").addAll(List.of(v));
                    checkNesting(peek());
                    break;
                }
                case 'e': { // APPENDS
                    List<Object> vs = popMark();
                    charge(16L * vs.size());
                    listAt(peek(), "APPENDS").addAll(vs);
                    checkNesting(peek());
                    break;
                }
                case '}': // EMPTY_DICT
                    charge(32);
                    push(new PyDict());
                    break;
                case 'd': { // DICT
                    List<Object> kv = popMark();
                    charge(32);
                    PyDict d = new PyDict();
                    putAll(d, kv);
                    push(d);
                    break;
                }
                case 's': { // SETITEM
                    Object v = pop();
                    Object k = pop();
                    put(dictAt(peek(), "SETITEM"), k, v);
                    break;
                }
                case 'u': { // SETITEMS
                    List<Object> kv = popMark();
                    putAll(dictAt(peek(), "SETITEMS"), kv);
                    break;
                }
                case 0x8f: // EMPTY_SET
                    charge(32);
                    push(new PySet());
                    break;
                case 0x90: { // ADDITEMS
                    popMark();
                    Object top = peek();
                    if (!(top instanceof PySet)) {
                        throw error("ADDITEMS on " + typeName(top));
                    }
                    break;
                }
                case 0x91: { // FROZENSET
                    popMark();
                    charge(32);
                    push(new PySet());
                    break;
                }
                case 'p': // PUT
                    memoPut(memoIndex(line()), peek());
                    break;
                case 'q': // BINPUT
                    memoPut(u8(), peek());
                    break;
                case 'r': // LONG_BINPUT
                    need(4);
                    memoPut(in.getInt() & 0xFFFFFFFFL, peek());
                    break;
                case 0x94: // MEMOIZE
                    memoPut(memoCount, peek());
                    break;
                case 'g': // GET
                    push(memoGet(memoIndex(line())));
                    break;
                case 'h': // BINGET
                    push(memoGet(u8()));
                    break;
                case 'j': // LONG_BINGET
                    need(4);
                    push(memoGet(in.getInt() & 0xFFFFFFFFL));
                    break;
                case 'c': { // GLOBAL "module\nname\n"
                    String module = line();
                    String name = line();
                    push(global(module, name));
                    break;
                }
                case 0x93: { // STACK_GLOBAL
                    Object name = pop();
                    Object module = pop();
                    if (!(module instanceof String) || !(name instanceof String)) {
                        throw error("STACK_GLOBAL needs two strings, got " + typeName(module) + " and " + typeName(name));
                    }
                    push(global((String) module, (String) name));
                    break;
                }
                case 'Q': // BINPERSID
                    push(persistentLoad(pop()));
                    break;
                case 'R': { // REDUCE
                    Object args = pop();
                    Object callable = pop();
                    push(reduce(callable, args));
                    break;
                }
                case 'b': { // BUILD
                    Object state = pop();
                    Object obj = peek();
                    if (!buildable.containsKey(obj)) {
                        throw error("BUILD on " + typeName(obj) + " (only an OrderedDict's attributes may be set)");
                    }
                    if (!(state instanceof PyDict) && !(state instanceof PyTuple)) {
                        throw error("BUILD with a " + typeName(state) + " state");
                    }
                    // The state is the OrderedDict's __dict__ (its _metadata): nothing a state dict needs.
                    break;
                }
                case 0x81: // NEWOBJ
                case 0x92: // NEWOBJ_EX
                case 'i': // INST
                case 'o': // OBJ
                    throw error("refusing to create an object (opcode " + opName(op) + "): a state dict needs none");
                case 0x82: // EXT1
                case 0x83: // EXT2
                case 0x84: // EXT4
                    throw error("refusing extension-registry opcode " + opName(op));
                case 'P': // PERSID (text)
                case 'S': // STRING (text, escaped)
                case 'V': // UNICODE (text, escaped)
                case 0x96: // BYTEARRAY8
                case 0x97: // NEXT_BUFFER
                case 0x98: // READONLY_BUFFER
                    throw error("unsupported pickle opcode " + opName(op) + " (PyTorch does not write it)");
                default:
                    throw error("invalid pickle opcode 0x" + String.format("%02x", op));
            }
        }
    }

    private Object global(String module, String name) throws PickleException {
        String full = module + "." + name;
        for (Global g : Global.values()) {
            if (g.pythonName.equals(full)) {
                return g;
            }
        }
        if (STORAGE_MODULES.contains(module)) {
            for (StorageType t : StorageType.values()) {
                if (t.className.equals(name)) {
                    return t;
                }
            }
        }
        throw error("refusing to load global '" + abbreviate(full) + "': a checkpoint may only reference"
                + " collections.OrderedDict, torch._utils._rebuild_tensor_v2 / _rebuild_parameter and torch"
                + " storage classes (loading must never execute code)");
    }

    private Object reduce(Object callable, Object args) throws PickleException {
        if (!(args instanceof PyTuple)) {
            throw error("REDUCE with " + typeName(args) + " arguments (expected a tuple)");
        }
        List<Object> a = ((PyTuple) args).items;
        if (callable == Global.ORDERED_DICT) {
            PyDict d = new PyDict();
            if (a.size() == 1 && a.get(0) instanceof PyList) {
                for (Object pair : ((PyList) a.get(0)).items()) {
                    if (!(pair instanceof PyTuple) || ((PyTuple) pair).items.size() != 2) {
                        throw error("OrderedDict built from a list holding " + typeName(pair) + " (expected pairs)");
                    }
                    put(d, ((PyTuple) pair).items.get(0), ((PyTuple) pair).items.get(1));
                }
            } else if (!a.isEmpty()) {
                throw error("OrderedDict called with " + a.size() + " arguments");
            }
            buildable.put(d, Boolean.TRUE);
            return d;
        }
        if (callable == Global.REBUILD_TENSOR_V2) {
            if (a.size() != 6 && a.size() != 7) {
                throw error("_rebuild_tensor_v2 called with " + a.size() + " arguments (expected 6 or 7)");
            }
            if (!(a.get(0) instanceof StorageRef)) {
                throw error("_rebuild_tensor_v2 called with " + typeName(a.get(0)) + " instead of a storage");
            }
            long offset = integer(a.get(1), "storage offset");
            long[] size = ints(a.get(2), "size");
            long[] stride = ints(a.get(3), "stride");
            if (size.length != stride.length) {
                throw error("tensor with size " + Arrays.toString(size) + " but stride " + Arrays.toString(stride));
            }
            return new TensorRef((StorageRef) a.get(0), offset, size, stride);
        }
        if (callable == Global.REBUILD_PARAMETER || callable == Global.REBUILD_PARAMETER_WITH_STATE) {
            int expected = callable == Global.REBUILD_PARAMETER ? 3 : 4;
            if (a.size() != expected || !(a.get(0) instanceof TensorRef)) {
                throw error("_rebuild_parameter called with " + a.size() + " arguments, first "
                        + (a.isEmpty() ? "none" : typeName(a.get(0))));
            }
            return a.get(0);
        }
        throw error("REDUCE calls " + typeName(callable) + ", which is not callable here");
    }

    private StorageRef persistentLoad(Object pid) throws PickleException {
        if (!(pid instanceof PyTuple)) {
            throw error("persistent id is " + typeName(pid) + ", expected a tuple");
        }
        List<Object> t = ((PyTuple) pid).items;
        if (t.size() != 5 || !"storage".equals(t.get(0))) {
            throw error("unsupported persistent id (expected ('storage', class, key, location, numel))");
        }
        if (!(t.get(1) instanceof StorageType)) {
            throw error("persistent id names " + typeName(t.get(1)) + " instead of a torch storage class");
        }
        if (!(t.get(2) instanceof String) || !(t.get(3) instanceof String)) {
            throw error("persistent id with a non-string storage key or location");
        }
        StorageType type = (StorageType) t.get(1);
        String key = (String) t.get(2);
        long numel = integer(t.get(4), "storage size");
        StorageRef ref = new StorageRef(key, type, (String) t.get(3), numel);
        StorageRef earlier = storages.putIfAbsent(key, ref);
        if (earlier != null) {
            if (earlier.type() != type || earlier.numel() != numel) {
                throw error("storage '" + abbreviate(key) + "' is referenced as " + earlier.type().className + "["
                        + earlier.numel() + "] and as " + type.className + "[" + numel + "]");
            }
            return earlier;
        }
        return ref;
    }

    private long[] ints(Object o, String what) throws PickleException {
        if (!(o instanceof PyTuple)) {
            throw error("tensor " + what + " is " + typeName(o) + ", expected a tuple");
        }
        List<Object> items = ((PyTuple) o).items;
        long[] out = new long[items.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = integer(items.get(i), what + " entry");
        }
        return out;
    }

    private long integer(Object o, String what) throws PickleException {
        if (o instanceof BigInteger big) {
            // LONG1/LONG4 numbers beyond 64 bits: say what the value is rather than "an int, expected an int"
            String digits = big.toString();
            throw error(what + " is " + (digits.length() > 30 ? "a " + big.bitLength() + "-bit integer"
                    : digits) + ", beyond the 64-bit range a tensor's size, stride or offset can have");
        }
        if (!(o instanceof Long)) {
            throw error(what + " is " + typeName(o) + ", expected an int");
        }
        return (Long) o;
    }

    private void putAll(PyDict d, List<Object> kv) throws PickleException {
        if (kv.size() % 2 != 0) {
            throw error("odd number of items (" + kv.size() + ") for a dict");
        }
        for (int i = 0; i < kv.size(); i += 2) {
            put(d, kv.get(i), kv.get(i + 1));
        }
    }

    private void put(PyDict d, Object key, Object value) throws PickleException {
        if (key instanceof PyList || key instanceof PyDict || key instanceof PySet) {
            throw error("unhashable dict key of type " + typeName(key));
        }
        charge(48);
        d.put(key, value);
        checkNesting(d);
    }

    private PyList listAt(Object o, String op) throws PickleException {
        if (!(o instanceof PyList)) {
            throw error(op + " on " + typeName(o) + ", expected a list");
        }
        return (PyList) o;
    }

    private PyDict dictAt(Object o, String op) throws PickleException {
        if (!(o instanceof PyDict)) {
            throw error(op + " on " + typeName(o) + ", expected a dict");
        }
        return (PyDict) o;
    }

    private PyTuple tupleOf(int n) throws PickleException {
        if (stack.size() - currentMarkFloor() < n) {
            throw error("stack underflow building a " + n + "-tuple");
        }
        charge(48 + 8L * n);
        List<Object> items = new ArrayList<>(stack.subList(stack.size() - n, stack.size()));
        stack.subList(stack.size() - n, stack.size()).clear();
        return new PyTuple(items);
    }

    /** Pushes {@code o}: a stack slot, and a box for a number (the only objects pushed without a charge of their own). */
    private void push(Object o) throws PickleException {
        charge(o instanceof Long || o instanceof Double || o instanceof BigInteger ? 32 : 8);
        checkNesting(o);
        stack.add(Objects.requireNonNull(o));
    }

    private Object pop() throws PickleException {
        if (stack.size() <= currentMarkFloor()) {
            throw error("stack underflow");
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek() throws PickleException {
        if (stack.size() <= currentMarkFloor()) {
            throw error("stack underflow");
        }
        return stack.get(stack.size() - 1);
    }

    /** Objects above the newest MARK may be popped; those below belong to an enclosing construct. */
    private int currentMarkFloor() {
        return marks.isEmpty() ? 0 : marks.get(marks.size() - 1);
    }

    private List<Object> popMark() throws PickleException {
        if (marks.isEmpty()) {
            throw error("no MARK on the stack");
        }
        int at = marks.remove(marks.size() - 1);
        List<Object> items = new ArrayList<>(stack.subList(at, stack.size()));
        stack.subList(at, stack.size()).clear();
        return items;
    }

    private void memoPut(long index, Object value) throws PickleException {
        if (index < in.limit()) {
            int i = (int) index;
            if (i >= memo.length) {
                int grown = Math.max(i + 1, memo.length * 2);
                charge(8L * (grown - memo.length));
                memo = Arrays.copyOf(memo, grown);
            }
            if (memo[i] == null) {
                memoCount++;
            }
            memo[i] = value;
        } else if (sparseMemo.put(index, value) == null) {
            charge(64);
            memoCount++;
        }
    }

    private Object memoGet(long index) throws PickleException {
        Object o = index < memo.length ? memo[(int) index] : sparseMemo.get(index);
        if (o == null) {
            throw error("memo entry " + index + " was never stored");
        }
        return o;
    }

    private long memoIndex(String s) throws PickleException {
        try {
            long v = Long.parseLong(s);
            if (v < 0) {
                throw error("negative memo index " + v);
            }
            return v;
        } catch (NumberFormatException e) {
            throw error("malformed memo index '" + abbreviate(s) + "'");
        }
    }

    private Object textInt(String s) throws PickleException {
        if (s.equals("01")) {
            return Boolean.TRUE;
        }
        if (s.equals("00")) {
            return Boolean.FALSE;
        }
        if (s.length() > 40) {
            throw error("integer literal too long");
        }
        try {
            BigInteger v = new BigInteger(s);
            return v.bitLength() < 64 ? (Object) v.longValue() : v;
        } catch (NumberFormatException e) {
            throw error("malformed integer '" + abbreviate(s) + "'");
        }
    }

    private Object littleEndianInt(long n) throws PickleException {
        if (n > MAX_LONG_BYTES) {
            throw error("integer of " + n + " bytes (at most " + MAX_LONG_BYTES + " supported)");
        }
        need(n);
        byte[] b = new byte[(int) n];
        in.get(b);
        if (n == 0) {
            return 0L;
        }
        byte[] bigEndian = new byte[b.length];
        for (int i = 0; i < b.length; i++) {
            bigEndian[i] = b[b.length - 1 - i];
        }
        BigInteger v = new BigInteger(bigEndian); // two's complement, as pickle's LONG1/LONG4
        return v.bitLength() < 64 ? (Object) v.longValue() : v;
    }

    private String utf8(long n) throws PickleException {
        byte[] b = bytes(n);
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(b)).toString();
        } catch (CharacterCodingException e) {
            throw error("string is not valid UTF-8");
        }
    }

    private String latin1(long n) throws PickleException {
        return new String(bytes(n), StandardCharsets.ISO_8859_1);
    }

    private byte[] bytes(long n) throws PickleException {
        need(n);
        charge(40 + n); // the array here, then the String made of it
        byte[] b = new byte[(int) n];
        in.get(b);
        return b;
    }

    /** A text argument up to the next newline (protocol 0 opcodes and GLOBAL). */
    private String line() throws PickleException {
        int start = in.position();
        for (int p = start; p < in.limit(); p++) {
            if (in.get(p) == '\n') {
                byte[] b = new byte[p - start];
                in.get(b);
                in.get(); // the newline
                return new String(b, StandardCharsets.UTF_8);
            }
        }
        throw error("unterminated text argument");
    }

    private int u8() throws PickleException {
        need(1);
        return in.get() & 0xFF;
    }

    private void need(long n) throws PickleException {
        if (n < 0 || n > in.remaining()) {
            throw error("needs " + n + " more bytes but only " + in.remaining() + " remain (truncated or corrupt)");
        }
    }

    private PickleException error(String message) {
        return new PickleException(message + " (data.pkl offset " + opAt + ")");
    }

    /** A short type description for messages; never prints contents (which may be huge or self-referencing). */
    static String typeName(Object o) {
        if (o instanceof Global) {
            return ((Global) o).pythonName;
        }
        if (o instanceof StorageType) {
            return "torch." + ((StorageType) o).className;
        }
        if (o instanceof String) {
            return "a str";
        }
        if (o instanceof Long || o instanceof BigInteger) {
            return "an int";
        }
        if (o instanceof Double) {
            return "a float";
        }
        if (o instanceof Boolean) {
            return "a bool";
        }
        if (o == NONE) {
            return "None";
        }
        if (o instanceof byte[]) {
            return "bytes";
        }
        if (o instanceof PyTuple) {
            return "a tuple";
        }
        if (o instanceof PyList) {
            return "a list";
        }
        if (o instanceof PyDict) {
            return "a dict";
        }
        if (o instanceof PySet) {
            return "a set";
        }
        if (o instanceof StorageRef) {
            return "a storage";
        }
        if (o instanceof TensorRef) {
            return "a tensor";
        }
        return o.getClass().getSimpleName();
    }

    private static String opName(int op) {
        switch (op) {
            case 0x81: return "NEWOBJ";
            case 0x92: return "NEWOBJ_EX";
            case 'i': return "INST";
            case 'o': return "OBJ";
            case 0x82: return "EXT1";
            case 0x83: return "EXT2";
            case 0x84: return "EXT4";
            case 'P': return "PERSID";
            case 'S': return "STRING";
            case 'V': return "UNICODE";
            case 0x96: return "BYTEARRAY8";
            case 0x97: return "NEXT_BUFFER";
            case 0x98: return "READONLY_BUFFER";
            default: return String.format("0x%02x", op);
        }
    }

    private static String abbreviate(String s) {
        return s.length() <= 80 ? s : s.substring(0, 77) + "...";
    }
}
