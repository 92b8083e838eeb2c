package dev.medsam.server.internal;

import dev.medsam.core.Box;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;
import dev.medsam.core.volume.CancellationToken;
import dev.medsam.core.volume.PropagationOptions;
import dev.medsam.core.volume.VolumePrompt;
import dev.medsam.core.volume.VolumeSegmentation;
import dev.medsam.core.volume.VolumeSegmenter;
import dev.medsam.server.internal.ImageRoot.LoadedVolume;
import dev.medsam.server.internal.Requests.PropagateRequest;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * 3D propagation jobs. Each job has an unguessable id (128 random bits), so one tab cannot see another's work
 * unless it is given the id; jobs run one at a time on their own thread, so slice requests stay quick, and are
 * forgotten an hour after they end. Thread-safe.
 */
public final class Jobs implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(Jobs.class.getName());
    /** Jobs queued or running at once; more are refused with 429. */
    static final int MAX_PENDING = 4;
    /** Finished jobs are kept this long for their result. */
    static final Duration KEEP = Duration.ofHours(1);
    /** Most jobs remembered (finished ones beyond it are dropped, oldest first). */
    static final int MAX_KEPT = 64;

    private final SegmentationSession session;
    private final ImageRoot root;
    private final ExecutorService worker;
    private final Map<String, Job> jobs = new ConcurrentHashMap<>();
    private final SecureRandom random = new SecureRandom();

    public Jobs(SegmentationSession session, ImageRoot root) {
        this.session = session;
        this.root = root;
        this.worker = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "medsam-serve-propagation");
            t.setDaemon(true);
            return t;
        });
    }

    /** State of a job. */
    public enum State { QUEUED, RUNNING, DONE, FAILED, CANCELLED }

    /** One propagation: progress is updated by the worker thread and read by pollers. */
    public static final class Job {
        final String id;
        final String path;
        final int objects;
        final List<String> labels;
        final CancellationToken cancel = new CancellationToken();
        final Instant created = Instant.now();
        volatile State state = State.QUEUED;
        volatile int done;
        volatile int total;
        volatile String error = "";
        volatile Instant ended;
        volatile VolumeSegmentation result;

        Job(String id, String path, int objects, List<String> labels) {
            this.id = id;
            this.path = path;
            this.objects = objects;
            this.labels = List.copyOf(labels);
        }

        public String id() {
            return id;
        }

        public String path() {
            return path;
        }

        /** How many objects (boxes) the job propagates. */
        public int objects() {
            return objects;
        }

        /** The names of objects 1, 2, ... the request gave (for a DICOM SEG result); may be fewer than objects. */
        public List<String> labels() {
            return labels;
        }

        public State state() {
            return state;
        }

        public int done() {
            return done;
        }

        public int total() {
            return total;
        }

        public String error() {
            return error;
        }

        public Optional<VolumeSegmentation> result() {
            return Optional.ofNullable(result);
        }
    }

    /** Checks the request against the image now (so that bad prompts are a 400, not a failed job) and queues it. */
    public Job submit(PropagateRequest r) {
        purge();
        LoadedVolume v = root.load(r.path());
        if (!v.isVolume()) {
            throw HttpError.badRequest("path: '" + r.path() + "' is a 2D image; propagation needs a volume");
        }
        if (r.slice() >= v.slices()) {
            throw HttpError.badRequest("slice: " + r.slice() + " is outside 0.." + (v.slices() - 1) + " of '"
                    + r.path() + "'");
        }
        int w = v.image().width();
        int h = v.image().height();
        List<VolumePrompt> prompts = new ArrayList<>();
        for (int i = 0; i < r.boxes().size(); i++) {
            Box b = r.boxes().get(i);
            double x0 = Math.max(b.x0(), 0);
            double y0 = Math.max(b.y0(), 0);
            double x1 = Math.min(b.x1(), w);
            double y1 = Math.min(b.y1(), h);
            if (!(x1 > x0) || !(y1 > y0)) {
                throw HttpError.badRequest("boxes[" + i + "]: lies outside the " + w + "x" + h + " slice");
            }
            prompts.add(VolumePrompt.ofKeyBoxes(Map.of(r.slice(), new Box(x0, y0, x1, y1)), 0, v.slices() - 1));
        }
        IntensityPreset preset = SliceSegmenter.presetFor(v, r.window());
        long pending = jobs.values().stream().filter(j -> j.state == State.QUEUED || j.state == State.RUNNING)
                .count();
        if (pending >= MAX_PENDING) {
            throw new HttpError(429, "already " + pending + " propagations queued or running; wait for one to end");
        }
        byte[] idBytes = new byte[16];
        random.nextBytes(idBytes);
        Job job = new Job(HexFormat.of().formatHex(idBytes), r.path(), r.boxes().size(), r.labels());
        job.total = v.slices();
        jobs.put(job.id, job);
        try {
            worker.execute(() -> run(job, v.image(), prompts, preset));
        } catch (RejectedExecutionException e) {
            jobs.remove(job.id);
            throw new HttpError(503, "the server is shutting down");
        }
        return job;
    }

    private void run(Job job, MedicalImage volume, List<VolumePrompt> prompts, IntensityPreset preset) {
        if (job.cancel.isCancelled()) {
            finish(job, State.CANCELLED, "");
            return;
        }
        job.state = State.RUNNING;
        try {
            PropagationOptions options = PropagationOptions.builder().preset(preset).build();
            VolumeSegmentation result = VolumeSegmenter.of(session).segment(volume, prompts, options, p -> {
                job.done = p.slicesDone();
                job.total = p.slicesTotal();
            }, job.cancel);
            job.result = result;
            finish(job, State.DONE, "");
        } catch (CancellationException e) {
            finish(job, State.CANCELLED, "");
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "propagation " + job.id + " on " + job.path + " failed", e);
            finish(job, State.FAILED, e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private static void finish(Job job, State state, String error) {
        job.error = error;
        job.ended = Instant.now();
        job.state = state;
    }

    /** The job with {@code id}, else 404. */
    public Job get(String id) {
        Job j = jobs.get(id);
        if (j == null) {
            throw new HttpError(404, "no job '" + ImageRoot.printable(id) + "' (unknown, or ended over an hour ago)");
        }
        return j;
    }

    /** Cancels a queued or running job; a finished job is forgotten. */
    public void cancel(String id) {
        Job j = get(id);
        j.cancel.cancel();
        if (j.state == State.DONE || j.state == State.FAILED || j.state == State.CANCELLED) {
            jobs.remove(id);
        }
    }

    private void purge() {
        Instant cut = Instant.now().minus(KEEP);
        jobs.values().removeIf(j -> j.ended != null && j.ended.isBefore(cut));
        if (jobs.size() >= MAX_KEPT) {
            List<Job> ended = new ArrayList<>(jobs.values().stream().filter(j -> j.ended != null).toList());
            ended.sort((a, b) -> a.ended.compareTo(b.ended));
            for (Iterator<Job> it = ended.iterator(); it.hasNext() && jobs.size() >= MAX_KEPT; ) {
                jobs.remove(it.next().id);
            }
        }
    }

    /** Cancels every job and stops the worker (waiting briefly for the running slice). */
    @Override
    public void close() {
        jobs.values().forEach(j -> j.cancel.cancel());
        worker.shutdownNow();
        try {
            worker.awaitTermination(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
