package dev.medsam.examples.programs;

import dev.medsam.core.Box;
import dev.medsam.core.EncodedImage;
import dev.medsam.core.Prompts;
import dev.medsam.core.Segmentation;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.io.files.AtomicFiles;
import dev.medsam.io.MedicalImages;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Many images, one model: a CSV lists image files and a box for each ({@code file,x0,y0,x1,y1}, paths relative to
 * the CSV, {@code #} comments and a header line allowed); a pool of worker threads segments them with ONE shared
 * {@link SegmentationSession} (thread-safe: each worker encodes its own image and prompts the {@link EncodedImage} it
 * got back, never the session's shared "current image"). Writes {@code <name>_mask.png} (0/255) per image and
 * {@code results.csv}; one bad file does not stop the others.
 *
 * <pre>
 * java -cp "medsam-examples/target/medsam-examples-0.1.0-SNAPSHOT.jar:medsam-examples/target/lib/*" \
 *     dev.medsam.examples.programs.BatchSegment CHECKPOINT BOXES.csv OUT_DIR [WORKERS]
 * </pre>
 */
public final class BatchSegment {

    private BatchSegment() {
    }

    /** One line of the CSV. */
    record Job(Path image, Box box, String outputName) {
    }

    /** What happened to one job: its mask's pixel count and predicted IoU, or the error. */
    record Result(Job job, long pixels, float iou, long millis, String error) {
        boolean ok() {
            return error.isEmpty();
        }
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        if (args.length < 3 || args.length > 4) {
            System.err.println("usage: BatchSegment CHECKPOINT BOXES.csv OUT_DIR [WORKERS]");
            System.exit(2);
        }
        int workers = args.length == 4 ? Integer.parseInt(args[3]) : 2;
        List<Result> results = run(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]), workers);
        long failed = results.stream().filter(r -> !r.ok()).count();
        System.out.println(results.size() - failed + " of " + results.size() + " images segmented; see "
                + Path.of(args[2]).resolve("results.csv"));
        System.exit(failed == 0 ? 0 : 1);
    }

    /** Reads the CSV, segments every image with {@code workers} threads sharing one model, writes masks and results. */
    static List<Result> run(Path checkpoint, Path csv, Path outDir, int workers) throws IOException, InterruptedException {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be 1 or more, got " + workers);
        }
        List<Job> jobs = readJobs(csv);
        Files.createDirectories(outDir);
        // The workers share the machine's cores: give each network operation its share instead of letting every
        // worker start a full-size thread pool inside TensorFlow.
        int threadsPerCall = Math.max(1, Runtime.getRuntime().availableProcessors() / workers);
        // Every image is seen once, so caching embeddings would only hold memory.
        try (SegmentationSession session = SegmentationSession.builder(checkpoint)
                .threads(threadsPerCall).cacheSize(0).build()) {
            ExecutorService pool = Executors.newFixedThreadPool(workers);
            try {
                List<Future<Result>> futures = new ArrayList<>();
                for (Job job : jobs) {
                    futures.add(pool.submit(() -> segmentOne(session, job, outDir)));
                }
                List<Result> results = new ArrayList<>();
                for (Future<Result> f : futures) {
                    Result r = f.get();
                    System.out.println(r.job().image().getFileName() + ": " + (r.ok()
                            ? String.format(Locale.ROOT, "%d pixels, IoU %.3f, %d ms", r.pixels(), r.iou(), r.millis())
                            : "FAILED: " + r.error()));
                    results.add(r);
                }
                writeResults(results, outDir.resolve("results.csv"));
                return results;
            } catch (ExecutionException e) {
                throw new IllegalStateException("a worker failed unexpectedly", e.getCause());
            } finally {
                pool.shutdown();
            }
        }
    }

    private static Result segmentOne(SegmentationSession session, Job job, Path outDir) {
        long start = System.nanoTime();
        try {
            MedicalImage image = MedicalImages.read(job.image()).image();
            EncodedImage encoded = session.encode(image);                   // this worker's own image
            Segmentation s = session.segment(encoded, List.of(Prompts.of(job.box())), false).get(0);
            MedicalImages.write(s.binary(), image, outDir.resolve(job.outputName()));
            return new Result(job, s.binary().count(), s.iou(), (System.nanoTime() - start) / 1_000_000, "");
        } catch (IOException | RuntimeException e) {
            String message = e.getMessage() == null ? e.toString() : e.getMessage();
            return new Result(job, 0, Float.NaN, (System.nanoTime() - start) / 1_000_000, message);
        }
    }

    static List<Job> readJobs(Path csv) throws IOException {
        Path base = csv.toAbsolutePath().getParent();
        List<Job> jobs = new ArrayList<>();
        Map<String, Integer> names = new HashMap<>();
        List<String> lines = Files.readAllLines(csv, StandardCharsets.UTF_8);
        for (int n = 0; n < lines.size(); n++) {
            String line = lines.get(n).strip();
            if (line.isEmpty() || line.startsWith("#") || (n == 0 && line.toLowerCase(Locale.ROOT).startsWith("file,"))) {
                continue;
            }
            String[] parts = line.split(",", 2);
            if (parts.length != 2) {
                throw new IllegalArgumentException(csv + " line " + (n + 1) + ": expected file,x0,y0,x1,y1, got '" + line + "'");
            }
            Box box;
            try {
                box = Boxes.parse(parts[1]);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(csv + " line " + (n + 1) + ": " + e.getMessage(), e);
            }
            Path image = base.resolve(parts[0].strip());
            String name = stem(image.getFileName().toString()) + "_mask.png";
            Integer earlier = names.putIfAbsent(name, n + 1);
            if (earlier != null) {
                throw new IllegalArgumentException(csv + " line " + (n + 1) + ": " + image.getFileName()
                        + " would overwrite the mask of line " + earlier + " (" + name + ")");
            }
            jobs.add(new Job(image, box, name));
        }
        if (jobs.isEmpty()) {
            throw new IllegalArgumentException(csv + " lists no images");
        }
        return jobs;
    }

    /** "ct.nii.gz" -> "ct", "slice.dcm" -> "slice", "scan" -> "scan". */
    static String stem(String fileName) {
        String s = fileName.endsWith(".gz") ? fileName.substring(0, fileName.length() - 3) : fileName;
        int dot = s.lastIndexOf('.');
        return dot > 0 ? s.substring(0, dot) : s;
    }

    private static void writeResults(List<Result> results, Path file) throws IOException {
        StringBuilder b = new StringBuilder("file,pixels,iou,millis,error\n");
        for (Result r : results) {
            b.append(r.job().image().getFileName()).append(',').append(r.pixels()).append(',')
                    .append(r.ok() ? String.format(Locale.ROOT, "%.4f", r.iou()) : "").append(',')
                    .append(r.millis()).append(',').append(r.error().replace(',', ';').replace('\n', ' ')).append('\n');
        }
        byte[] csv = b.toString().getBytes(StandardCharsets.UTF_8);
        AtomicFiles.write(file, out -> out.write(csv)); // complete or not at all
    }
}
