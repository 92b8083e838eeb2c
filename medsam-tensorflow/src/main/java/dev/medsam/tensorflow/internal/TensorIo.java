package dev.medsam.tensorflow.internal;

import dev.medsam.core.spi.FloatTensor;
import org.tensorflow.Tensor;
import org.tensorflow.ndarray.Shape;
import org.tensorflow.ndarray.buffer.FloatDataBuffer;
import org.tensorflow.types.TFloat32;
import org.tensorflow.types.TInt32;

import java.nio.FloatBuffer;

/** Copies between Java arrays / core tensors and native TensorFlow tensors. The caller closes what it gets. */
final class TensorIo {

    private static final int CHUNK = 1 << 20;

    private TensorIo() {
    }

    /** A new native tensor of {@code shape} holding the remaining values of {@code values}. */
    static TFloat32 floats(FloatBuffer values, long... shape) {
        TFloat32 t = TFloat32.tensorOf(Shape.of(shape));
        try {
            FloatBuffer in = values.duplicate();
            if (in.remaining() != t.size()) {
                throw new IllegalArgumentException("shape " + Shape.of(shape) + " needs " + t.size() + " values, got "
                        + in.remaining());
            }
            FloatDataBuffer out = t.asRawTensor().data().asFloats();
            if (in.hasArray()) {
                out.write(in.array(), in.arrayOffset() + in.position(), in.remaining());
                return t;
            }
            float[] chunk = new float[Math.min(in.remaining(), CHUNK)];
            long at = 0;
            while (in.hasRemaining()) {
                int n = Math.min(chunk.length, in.remaining());
                in.get(chunk, 0, n);
                out.offset(at).write(chunk, 0, n);
                at += n;
            }
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    static TFloat32 floats(float[] values, long... shape) {
        TFloat32 t = TFloat32.tensorOf(Shape.of(shape));
        try {
            if (values.length != t.size()) {
                throw new IllegalArgumentException("shape " + Shape.of(shape) + " needs " + t.size() + " values, got "
                        + values.length);
            }
            t.asRawTensor().data().asFloats().write(values);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    static TFloat32 floats(FloatTensor tensor) {
        int[] s = tensor.shape();
        long[] shape = new long[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = s[i];
        }
        return floats(tensor.buffer(), shape);
    }

    static TInt32 ints(int[] values, long... shape) {
        TInt32 t = TInt32.tensorOf(Shape.of(shape));
        try {
            t.asRawTensor().data().asInts().write(values);
            return t;
        } catch (RuntimeException e) {
            t.close();
            throw e;
        }
    }

    /** Copies a float32 result into a heap tensor of the same shape. */
    static FloatTensor toFloatTensor(Tensor result) {
        if (!(result instanceof TFloat32 t)) {
            throw new IllegalStateException("expected a float32 result, got " + result.dataType());
        }
        long[] s = t.shape().asArray();
        int[] shape = new int[s.length];
        for (int i = 0; i < s.length; i++) {
            shape[i] = Math.toIntExact(s[i]);
        }
        float[] values = new float[Math.toIntExact(t.size())];
        t.asRawTensor().data().asFloats().read(values);
        return FloatTensor.wrap(shape, values);
    }

    /** A native copy of a float32 result, which stays valid after the result it came from is closed. */
    static TFloat32 copy(Tensor t) {
        TFloat32 src = (TFloat32) t;
        TFloat32 dst = TFloat32.tensorOf(src.shape());
        try {
            src.asRawTensor().data().copyTo(dst.asRawTensor().data(), src.numBytes());
            return dst;
        } catch (RuntimeException e) {
            dst.close();
            throw e;
        }
    }
}
