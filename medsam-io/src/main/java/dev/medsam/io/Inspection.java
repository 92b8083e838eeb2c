package dev.medsam.io;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.image.Rescale;
import dev.medsam.core.image.Window;
import dev.medsam.io.files.internal.Transpose;
import dev.medsam.io.internal.ValueDigest;
import dev.medsam.io.numpy.NpyArray;
import dev.medsam.io.numpy.NpyDtype;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * What a file holds, as {@code medsam inspect} reports it: per array (one for most files, one per member of
 * an NPZ) the dims, stored type, geometry, scaling, statistics of the scaled values and a hash of the stored
 * values, following the conventions of the project's reference data:
 * <ul>
 *   <li>dims: NIfTI's {@code dim[1..dim[0]]} (x first, singleton dims kept) for NIfTI
 *       ({@link DimsConvention#FIRST_AXIS_FASTEST}); (rows, cols[, samples]) for 2D images and the array shape for
 *       NumPy ({@link DimsConvention#ROW_MAJOR}, slowest axis first);</li>
 *   <li>{@link Entry#sha256()}: SHA-256 of the stored values, little-endian, in C order (last index fastest)
 *       of the reported dims; a voxel's components stay together;</li>
 *   <li>min, max, mean: of {@code stored * slope + intercept} in double arithmetic.</li>
 * </ul>
 * Immutable and thread-safe.
 */
public final class Inspection {

    /** How an entry's dims are listed (which also fixes the order the hash is taken in). */
    public enum DimsConvention {
        /** Fastest axis first, as NIfTI's dim[1..]: (x, y, z, t, ...). */
        FIRST_AXIS_FASTEST,
        /** Slowest axis first, as NumPy, pydicom and Pillow: (..., rows, cols[, samples]). */
        ROW_MAJOR
    }

    private static final String[] NIFTI_AXES = {"x", "y", "z", "t", "u", "v", "w"};
    private static final int MAX_LISTED_VALUES = 32;

    private final Path file;
    private final ImageFormat format;
    private final List<Entry> entries;
    private final List<String> warnings;

    private Inspection(Path file, ImageFormat format, List<Entry> entries, List<String> warnings) {
        this.file = file;
        this.format = format;
        this.entries = List.copyOf(entries);
        this.warnings = List.copyOf(warnings);
    }

    /** An inspection of {@code file} (for format readers outside this package, such as DICOM's). */
    public static Inspection of(Path file, ImageFormat format, List<Entry> entries, List<String> warnings) {
        return new Inspection(Objects.requireNonNull(file, "file"), Objects.requireNonNull(format, "format"),
                entries, warnings);
    }

    public Path file() {
        return file;
    }

    public ImageFormat format() {
        return format;
    }

    /** One entry per array: one for most files, one per member for NPZ (in archive order). */
    public List<Entry> entries() {
        return entries;
    }

    /** Recoverable problems met while reading, one line each. */
    public List<String> warnings() {
        return warnings;
    }

    /** One array of an inspected file. */
    public static final class Entry {
        private final String name;
        private final DimsConvention convention;
        private final List<String> axes;
        private final int[] dims;
        private final String dtype;
        private final int components;
        private final double[] spacing;
        private final Affine affine;
        private final Rescale rescale;
        private final Window window;
        private final ValueDigest.Result digest;
        private final double[] values;
        private final Map<String, String> details;

        private Entry(String name, DimsConvention convention, List<String> axes, int[] dims, String dtype,
                      int components, double[] spacing, Affine affine, Rescale rescale, Window window,
                      ValueDigest.Result digest, double[] values, Map<String, String> details) {
            this.name = name;
            this.convention = convention;
            this.axes = List.copyOf(axes);
            this.dims = dims;
            this.dtype = dtype;
            this.components = components;
            this.spacing = spacing;
            this.affine = affine;
            this.rescale = rescale;
            this.window = window;
            this.digest = digest;
            this.values = values;
            this.details = java.util.Collections.unmodifiableMap(new TreeMap<>(details));
        }

        /**
         * The entry for an image: dims listed by {@code convention}, affine reported in {@code system}, the
         * image's attributes as details. Reads every value once (hash and statistics).
         *
         * @param name the member name, or "" for a single-image file
         */
        public static Entry ofImage(String name, MedicalImage image, DimsConvention convention,
                                    CoordinateSystem system) {
            return ofImage(name, image, convention, system, null);
        }

        /**
         * As {@link #ofImage(String, MedicalImage, DimsConvention, CoordinateSystem)}, reporting {@code spacing}
         * (mm, one value per spatial axis in the order of the image's dims, x first) instead of the affine's
         * column lengths: for formats whose header states the voxel size, as NIfTI's pixdim.
         */
        public static Entry ofImage(String name, MedicalImage image, DimsConvention convention,
                                    CoordinateSystem system, double[] spacing) {
            Objects.requireNonNull(name, "name");
            int[] imageDims = image.dims();
            int c = image.components();
            NpyDtype type = NpyDtype.of(image.dataType());
            ValueDigest d = new ValueDigest(type, image.rescale());
            int[] dims;
            List<String> axes = new ArrayList<>();
            int spatial = Math.min(3, imageDims.length);
            double[] reported = Arrays.copyOf(spacing != null ? spacing : image.spacing(), spatial);
            if (convention == DimsConvention.FIRST_AXIS_FASTEST) {
                dims = imageDims;
                for (int i = 0; i < dims.length; i++) {
                    axes.add(i < NIFTI_AXES.length ? NIFTI_AXES[i] : "axis" + i);
                }
                Transpose.fortranToC(image.data(), imageDims, type.bytes() * c, d::update);
            } else {
                int n = imageDims.length;
                dims = new int[n + (c > 1 ? 1 : 0)];
                for (int i = 0; i < n; i++) {
                    dims[i] = imageDims[n - 1 - i];
                }
                if (c > 1) {
                    dims[n] = c;
                }
                String[] names = n == 2 ? new String[] {"rows", "cols"}
                        : n == 3 ? new String[] {"frames", "rows", "cols"} : null;
                for (int i = 0; i < n; i++) {
                    axes.add(names != null ? names[i] : "axis" + i);
                }
                if (c > 1) {
                    axes.add("samples");
                }
                double[] reversed = new double[spatial];
                for (int i = 0; i < spatial; i++) {
                    reversed[i] = reported[spatial - 1 - i];
                }
                reported = reversed;
                d.update(image.data());
            }
            ValueDigest.Result r = d.finish();
            Map<String, String> details = new TreeMap<>(image.attributes());
            return new Entry(name, convention, axes, dims, type.numpyName(), c, reported, image.affine(system),
                    image.rescale(), image.window().orElse(null), r,
                    convention == DimsConvention.ROW_MAJOR ? listed(r.count(), image::get) : null, details);
        }

        /** The entry for a NumPy array (shape as stored, no geometry, identity rescale). */
        public static Entry ofArray(String name, NpyArray array, Map<String, String> details) {
            Objects.requireNonNull(name, "name");
            ValueDigest d = new ValueDigest(array.dtype(), Rescale.IDENTITY);
            d.update(array.data());
            ValueDigest.Result r = d.finish();
            List<String> axes = new ArrayList<>();
            for (int i = 0; i < array.rank(); i++) {
                axes.add("d" + i);
            }
            return new Entry(name, DimsConvention.ROW_MAJOR, axes, array.shape(), array.dtype().numpyName(), 1,
                    null, null, Rescale.IDENTITY, null, r, listed(r.count(), array::get), details);
        }

        private interface Values {
            double get(long i);
        }

        private static double[] listed(long count, Values v) {
            if (count > MAX_LISTED_VALUES) {
                return null;
            }
            double[] out = new double[(int) count];
            for (int i = 0; i < out.length; i++) {
                out[i] = v.get(i);
            }
            return out;
        }

        /** The NPZ member name (without {@code .npy}), or "" for a single-image file. */
        public String name() {
            return name;
        }

        public DimsConvention convention() {
            return convention;
        }

        /** Names of the reported axes: x, y, z, t for NIfTI; rows, cols, samples for 2D; d0, d1, ... for NumPy. */
        public List<String> axes() {
            return axes;
        }

        /** The dims in the order of {@link #convention()} (a copy). */
        public int[] dims() {
            return dims.clone();
        }

        /** The stored type in NumPy notation without byte order: {@code int16}, {@code bool}, ... */
        public String dtype() {
            return dtype;
        }

        /** Values per voxel (3 for RGB); included in {@link #dims()} for {@link DimsConvention#ROW_MAJOR}. */
        public int components() {
            return components;
        }

        /** Spacing in mm of the spatial axes, in the order they appear in {@link #dims()}; empty for NumPy. */
        public Optional<double[]> spacing() {
            return Optional.ofNullable(spacing == null ? null : spacing.clone());
        }

        /** The voxel-to-patient affine (RAS for NIfTI, LPS otherwise); empty for NumPy arrays. */
        public Optional<Affine> affine() {
            return Optional.ofNullable(affine);
        }

        public Rescale rescale() {
            return rescale;
        }

        public Optional<Window> window() {
            return Optional.ofNullable(window);
        }

        /** Number of stored values (voxels times components). */
        public long count() {
            return digest.count();
        }

        /** Smallest scaled value (NaN if there are none). */
        public double min() {
            return digest.min();
        }

        /** Largest scaled value (NaN if there are none). */
        public double max() {
            return digest.max();
        }

        /** Mean scaled value (NaN if there are none). */
        public double mean() {
            return digest.mean();
        }

        /** SHA-256 (hex) of the stored values, little-endian, in C order of {@link #dims()}. */
        public String sha256() {
            return digest.sha256();
        }

        /**
         * All stored values in C order, for NumPy arrays and row-major images of at most 32 values (spacing,
         * boxes); else empty.
         */
        public Optional<double[]> values() {
            return Optional.ofNullable(values == null ? null : values.clone());
        }

        /** Format-specific facts (header fields and the like), as strings. */
        public Map<String, String> details() {
            return details;
        }
    }
}
