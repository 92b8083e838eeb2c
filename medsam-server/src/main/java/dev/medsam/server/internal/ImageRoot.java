package dev.medsam.server.internal;

import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.io.ImageFormat;
import dev.medsam.io.LoadedImage;
import dev.medsam.io.MedicalImages;

import java.io.IOException;
import java.nio.file.FileVisitOption;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;
import java.util.stream.Stream;

/**
 * The folder the server serves: turns request paths into files strictly inside it, lists its images, and reads
 * them (each once at a time: concurrent requests for one file share one read). Thread-safe.
 */
public final class ImageRoot {

    /** Deepest folder level listed below the root. */
    static final int MAX_DEPTH = 8;
    /** Most entries in a listing; more are cut off (the listing says so). */
    static final int MAX_ENTRIES = 1000;

    private final Path root;
    private final long maxVoxels;
    private final Lru<LoadedVolume> volumes = new Lru<>(4);
    private final Lru<MedicalImage> eightBit = new Lru<>(4);
    /** Listing entries by file stamp, so that listing again does not read every image again. */
    private final Map<String, Entry> described = new java.util.concurrent.ConcurrentHashMap<>();

    /**
     * @param root      an existing folder
     * @param maxVoxels the largest image read (voxels times components); larger ones are refused with 413
     */
    public ImageRoot(Path root, long maxVoxels) throws IOException {
        this.root = root.toRealPath();
        if (!Files.isDirectory(this.root)) {
            throw new IOException(root + ": not a folder");
        }
        if (maxVoxels < 1) {
            throw new IllegalArgumentException("the image size limit must be 1 voxel or more, got " + maxVoxels);
        }
        this.maxVoxels = maxVoxels;
    }

    public Path root() {
        return root;
    }

    /**
     * {@code message} with the served folder's absolute path taken out (files under it named relative to it, the
     * folder itself as {@code .}): messages from the readers name the files they read, and a client must not
     * learn where the server keeps its images.
     */
    public String withoutRoot(String message) {
        String m = message == null ? "" : message;
        return m.replace(root + java.io.File.separator, "").replace(root.toString(), ".");
    }

    /**
     * The file or folder that {@code relative} names under the root, after following symbolic links.
     *
     * @throws HttpError 400 for absolute paths, {@code ..} and odd characters; 404 if it does not exist; 403 if
     *                   it (or a link on the way) leads outside the root
     */
    public Path resolve(String relative) {
        Objects.requireNonNull(relative, "path");
        if (relative.isEmpty()) {
            throw HttpError.badRequest("path: must not be empty");
        }
        if (relative.indexOf('\0') >= 0 || relative.indexOf('\\') >= 0 || relative.contains(":")) {
            throw HttpError.badRequest("path '" + printable(relative) + "': must be a relative path with '/' "
                    + "between names (no '\\\\', ':' or NUL)");
        }
        if (relative.startsWith("/")) {
            throw HttpError.badRequest("path '" + printable(relative) + "': absolute paths are refused; give a "
                    + "path relative to the served folder");
        }
        for (String part : relative.split("/", -1)) {
            if (part.equals("..")) {
                throw HttpError.badRequest("path '" + printable(relative) + "': '..' is refused");
            }
        }
        Path candidate = root.resolve(relative).normalize();
        if (!candidate.startsWith(root)) {
            throw HttpError.badRequest("path '" + printable(relative) + "': lies outside the served folder");
        }
        Path real;
        try {
            real = candidate.toRealPath();
        } catch (NoSuchFileException e) {
            throw new HttpError(404, "path '" + printable(relative) + "': no such file under the served folder");
        } catch (IOException e) {
            throw new HttpError(404, "path '" + printable(relative) + "': cannot be opened (" + e.getMessage() + ")");
        }
        if (!real.startsWith(root)) {
            throw new HttpError(403, "path '" + printable(relative) + "': a symbolic link leads outside the served "
                    + "folder");
        }
        return real;
    }

    /** The image at {@code relative}: read once, kept for the next requests while the file stays unchanged. */
    public LoadedVolume load(String relative) {
        Path file = resolve(relative);
        String key;
        try {
            BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
            key = file + "|" + a.lastModifiedTime().toMillis() + "|" + a.size();
            if (a.isDirectory()) {
                key += "|" + directoryStamp(file);
            }
        } catch (IOException e) {
            throw new HttpError(404, "path '" + printable(relative) + "': cannot be read (" + e.getMessage() + ")");
        }
        String k = key;
        return volumes.get(key, () -> read(relative, file, k));
    }

    /** {@code volume} after {@code preset} (over the whole volume, as {@code medsam segment} applies it), cached. */
    public MedicalImage eightBit(LoadedVolume volume, IntensityPreset preset) {
        return eightBit.get(volume.key() + "|" + preset, () -> {
            try {
                return preset.apply(volume.image());
            } catch (IllegalArgumentException e) {
                throw HttpError.badRequest("window: the " + preset.name() + " intensity preset does not apply to '"
                        + volume.path() + "': " + e.getMessage());
            }
        });
    }

    private LoadedVolume read(String relative, Path file, String key) {
        LoadedImage loaded;
        try {
            if (!Files.isDirectory(file) && Files.size(file) > maxVoxels * 8 + (1 << 20)) {
                throw new HttpError(413, "path '" + relative + "': the file (" + Files.size(file) + " bytes) is "
                        + "larger than this server reads (images up to " + maxVoxels + " voxels)");
            }
            loaded = MedicalImages.read(file);
        } catch (IOException | IllegalArgumentException e) {
            throw new HttpError(422, "path '" + relative + "': " + e.getMessage());
        }
        MedicalImage img = loaded.image();
        int[] dims = img.dims();
        for (int a = 4; a < dims.length; a++) {
            if (dims[a] != 1) {
                throw new HttpError(422, "path '" + relative + "': has dims " + java.util.Arrays.toString(dims)
                        + "; the server takes 2D images and 3D volumes");
            }
        }
        if (img.components() != 1 && img.components() != 3) {
            throw new HttpError(422, "path '" + relative + "': has " + img.components() + " channels per pixel; "
                    + "the server takes grey (1) or RGB (3) images");
        }
        MedicalImage volume = img.volume(0);
        if (volume.valueCount() > maxVoxels) {
            throw new HttpError(413, "path '" + relative + "': " + volume.valueCount() + " values is more than "
                    + "this server's limit of " + maxVoxels + " (medsam serve --max-voxels)");
        }
        boolean is3d = volume.rank() >= 3 && volume.dim(2) > 1;
        MedicalImage source = is3d || volume.rank() <= 2 ? volume : volume.plane(2, 0, 0);
        requireFinite(relative, source);
        return new LoadedVolume(relative, key, loaded.format(), source, is3d ? source.dim(2) : 1);
    }

    private static void requireFinite(String relative, MedicalImage img) {
        if (!img.dataType().isFloatingPoint()) {
            return;
        }
        long n = img.valueCount();
        for (long i = 0; i < n; i++) {
            if (!Double.isFinite(img.get(i))) {
                throw new HttpError(422, "path '" + relative + "': value " + i + " is " + img.get(i)
                        + "; images must hold finite numbers");
            }
        }
    }

    private static String directoryStamp(Path dir) throws IOException {
        long newest = 0;
        int count = 0;
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                newest = Math.max(newest, Files.getLastModifiedTime(p).toMillis());
                count++;
            }
        }
        return count + "@" + newest;
    }

    /**
     * The images under the root: files in a format the library reads, and folders of DICOM files (one series
     * each) instead of their files. Symbolic links are not followed. Each entry holds path, kind, format and,
     * when the file can be read, dims, slices and modality (else an error).
     */
    public Listing list() throws IOException {
        Map<Path, List<Path>> dicomByFolder = new TreeMap<>();
        List<Path> others = new ArrayList<>();
        boolean[] truncated = {false};
        try (Stream<Path> walk = Files.walk(root, MAX_DEPTH, EnumSet.noneOf(FileVisitOption.class).toArray(
                new FileVisitOption[0]))) {
            for (Path p : (Iterable<Path>) walk.sorted(Comparator.naturalOrder())::iterator) {
                if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || p.getFileName().toString().startsWith(".")) {
                    continue;
                }
                if (dicomByFolder.size() + others.size() >= MAX_ENTRIES) {
                    truncated[0] = true;
                    break;
                }
                ImageFormat f;
                try {
                    f = MedicalImages.detect(p);
                } catch (IOException e) {
                    continue; // not an image: the listing shows images only
                }
                if (f == ImageFormat.DICOM) {
                    dicomByFolder.computeIfAbsent(p.getParent(), k -> new ArrayList<>()).add(p);
                } else {
                    others.add(p);
                }
            }
        }
        List<Entry> entries = new ArrayList<>();
        for (Map.Entry<Path, List<Path>> e : dicomByFolder.entrySet()) {
            if (e.getValue().size() > 1) {
                entries.add(describe(e.getKey(), "series"));
            } else {
                entries.add(describe(e.getValue().get(0), "file"));
            }
        }
        for (Path p : others) {
            entries.add(describe(p, "file"));
        }
        entries.sort(Comparator.comparing(Entry::path));
        return new Listing(entries, truncated[0]);
    }

    private Entry describe(Path p, String kind) {
        String rel = root.relativize(p).toString().replace('\\', '/');
        if (rel.isEmpty()) {
            rel = ".";
        }
        String stamp;
        try {
            BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class);
            stamp = p + "|" + a.lastModifiedTime().toMillis() + "|" + a.size()
                    + (a.isDirectory() ? "|" + directoryStamp(p) : "");
        } catch (IOException e) {
            return new Entry(rel, kind, "", new int[0], 0, "", "cannot be read: " + withoutRoot(e.getMessage()));
        }
        Entry known = described.get(stamp);
        if (known != null) {
            return known;
        }
        if (described.size() > 4 * MAX_ENTRIES) {
            described.clear(); // stale stamps of changed files; a bound, not a policy
        }
        Entry e = read(rel, kind);
        described.put(stamp, e);
        return e;
    }

    private Entry read(String rel, String kind) {
        try {
            LoadedVolume v = load(rel);
            return new Entry(rel, kind, v.format().name().toLowerCase(Locale.ROOT), v.image().dims(), v.slices(),
                    v.image().modality().orElse(""), "");
        } catch (HttpError e) {
            return new Entry(rel, kind, "", new int[0], 0, "", withoutRoot(e.getMessage()));
        }
    }

    static String printable(String s) {
        StringBuilder b = new StringBuilder();
        s.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f) {
                b.append(String.format(Locale.ROOT, "\\u%04x", c));
            } else {
                b.appendCodePoint(c);
            }
        });
        return b.toString();
    }

    /** One image of the listing. {@code error} is empty when the image reads. */
    public record Entry(String path, String kind, String format, int[] dims, int slices, String modality,
                        String error) {
        public Entry {
            Objects.requireNonNull(path, "path");
            dims = dims.clone();
        }

        @Override
        public int[] dims() {
            return dims.clone();
        }
    }

    /** The listing, and whether it was cut at {@link #MAX_ENTRIES}. */
    public record Listing(List<Entry> entries, boolean truncated) {
        public Listing {
            entries = List.copyOf(entries);
        }
    }

    /**
     * A read image: {@code image} is 2D (rank 2 or one plane) or a 3D volume of {@code slices} planes along its
     * third axis.
     */
    public record LoadedVolume(String path, String key, ImageFormat format, MedicalImage image, int slices) {
        public LoadedVolume {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(image, "image");
        }

        /** Whether the image has more than one slice. */
        public boolean isVolume() {
            return slices > 1;
        }

        /** The plane of {@code img} (this image or a derived one on its grid) at {@code slice}. */
        public MedicalImage plane(MedicalImage img, int slice) {
            if (!isVolume()) {
                return img.rank() <= 2 ? img : img.plane(2, 0, 0);
            }
            return img.plane(2, slice, 0);
        }
    }

    /**
     * A small least-recently-used map of futures: a missing value is computed once by the first caller while
     * the others wait for it (so one image is read once however many tabs ask at the same time); a failure is
     * not kept.
     */
    static final class Lru<V> {
        private final int capacity;
        private final LinkedHashMap<String, CompletableFuture<V>> map = new LinkedHashMap<>(16, 0.75f, true);

        Lru(int capacity) {
            this.capacity = capacity;
        }

        V get(String key, Supplier<V> compute) {
            CompletableFuture<V> f;
            boolean mine = false;
            synchronized (this) {
                f = map.get(key);
                if (f == null) {
                    f = new CompletableFuture<>();
                    map.put(key, f);
                    mine = true;
                    while (map.size() > capacity) {
                        map.remove(map.keySet().iterator().next());
                    }
                }
            }
            if (mine) {
                try {
                    V v = compute.get();
                    f.complete(v);
                    return v;
                } catch (RuntimeException | Error e) {
                    synchronized (this) {
                        map.remove(key, f);
                    }
                    f.completeExceptionally(e);
                    throw e;
                }
            }
            try {
                return f.join();
            } catch (CompletionException e) {
                if (e.getCause() instanceof RuntimeException re) {
                    throw re;
                }
                throw e;
            }
        }
    }
}
