package dev.medsam.server;

import com.sun.net.httpserver.HttpServer;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.pipeline.Pipeline;
import dev.medsam.server.internal.ApiHandler;
import dev.medsam.server.internal.DicomSegAnswers;
import dev.medsam.server.internal.ImageRoot;
import dev.medsam.server.internal.Jobs;
import dev.medsam.server.internal.SliceSegmenter;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local segmentation server: the HTTP API under {@code /api/v1} (described by {@code /api/v1/openapi.json}) and
 * a browser viewer at {@code /}, serving the images in one folder with one {@link SegmentationSession}. It is what
 * {@code medsam serve} runs, and the reference integration for applications: it uses the library's public API
 * only.
 *
 * <pre>{@code
 * try (SegmentationSession session = SegmentationSession.builder(Path.of("medsam_vit_b.pth")).build();
 *      MedSamServer server = MedSamServer.builder(Path.of("images"), session).port(8777).start()) {
 *     System.out.println("open " + server.uri());
 *     server.awaitClose();
 * }
 * }</pre>
 *
 * <h2>Security</h2>
 * Listens on 127.0.0.1 unless {@link Builder#host} says otherwise. Serves only files under the root (no
 * {@code ..}, no absolute paths, no symbolic links leading out); answers only requests whose Host header names
 * this server (DNS rebinding), and refuses cross-origin writes (Origin, Sec-Fetch-Site) and writes that are not
 * {@code application/json}. Request bodies ({@link Builder#maxBodyBytes}) and images ({@link Builder#maxVoxels})
 * have limits, answered with 413.
 *
 * <h2>Threads and state</h2>
 * Requests are served by a fixed pool of {@link Builder#threads} threads; 3D propagation runs as jobs on a thread
 * of its own. The server keeps no per-client state besides jobs, whose ids are 128 random bits, so one tab's
 * work does not show up in another's. Slice embeddings live in the session's cache, keyed by file, slice and
 * window: concurrent requests for one slice run the encoder once. Each answer's {@code Server-Timing} comes from
 * the session's stages on that request's thread ({@link SegmentationSession#listenOnCurrentThread}), so a request
 * never reports another one's encoder.
 *
 * <h2>Lifecycle</h2>
 * {@link #close()} waits briefly for requests in flight, then stops listening and cancels jobs; it is idempotent. The
 * session stays open: its owner closes it after the server.
 */
public final class MedSamServer implements AutoCloseable {

    private static final System.Logger LOG = System.getLogger(MedSamServer.class.getName());

    /** How long {@link #close()} waits for requests in flight. */
    private static final long CLOSE_GRACE_NANOS = TimeUnit.SECONDS.toNanos(2);

    private final HttpServer http;
    private final ExecutorService pool;
    private final Jobs jobs;
    private final Path scratch;
    private final URI uri;
    /** Requests being handled right now. */
    private final AtomicInteger inFlight;
    private final java.util.concurrent.CountDownLatch closed = new java.util.concurrent.CountDownLatch(1);
    private volatile boolean isClosed;

    private MedSamServer(HttpServer http, ExecutorService pool, Jobs jobs, Path scratch, URI uri,
                         AtomicInteger inFlight) {
        this.http = http;
        this.pool = pool;
        this.jobs = jobs;
        this.scratch = scratch;
        this.uri = uri;
        this.inFlight = inFlight;
    }

    /** A builder for a server over the images in {@code root}, segmenting with {@code session}. */
    public static Builder builder(Path root, SegmentationSession session) {
        return new Builder(Objects.requireNonNull(root, "root"), Objects.requireNonNull(session, "session"));
    }

    /** The address the page is at, e.g. {@code http://127.0.0.1:8777/}. */
    public URI uri() {
        return uri;
    }

    /** The port listened on (the one chosen by the system when the builder asked for port 0). */
    public int port() {
        return uri.getPort();
    }

    /** Blocks until {@link #close()} is called (from another thread or a shutdown hook). */
    public void awaitClose() throws InterruptedException {
        closed.await();
    }

    /**
     * Waits up to two seconds for requests in flight (returning at once when there are none), then stops listening,
     * drops open connections and cancels propagation jobs. Idempotent.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (isClosed) {
                return;
            }
            isClosed = true;
        }
        // Not http.stop(2) alone: on JDK 17 up to 17.0.15 it always waits the whole delay, even with no exchange in
        // progress (JDK-8304065), which made every shutdown take two seconds. Our own count ends the wait early.
        long deadline = System.nanoTime() + CLOSE_GRACE_NANOS;
        try {
            while (inFlight.get() > 0 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        http.stop(0);
        jobs.close();
        pool.shutdown();
        try {
            pool.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try {
            Files.walkFileTree(scratch, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.deleteIfExists(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.deleteIfExists(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.WARNING, "could not remove " + scratch + ": " + e.getMessage());
        }
        closed.countDown();
    }

    /** Settings of a server; {@link #start()} opens it. Not thread-safe. */
    public static final class Builder {
        /** Default port of {@code medsam serve}. */
        public static final int DEFAULT_PORT = 8777;
        /** Default request body limit: 1 MiB (prompts are small). */
        public static final long DEFAULT_MAX_BODY_BYTES = 1 << 20;
        /** Default image size limit: 256 Mi values (512 x 512 x 1024 voxels). */
        public static final long DEFAULT_MAX_VOXELS = 256L << 20;

        private final Path root;
        private final SegmentationSession session;
        private String host = "127.0.0.1";
        private int port = DEFAULT_PORT;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private long maxVoxels = DEFAULT_MAX_VOXELS;
        private int threads = 8;
        private final Set<String> extraHosts = new TreeSet<>();
        private final Map<String, String> health = new LinkedHashMap<>();

        private Builder(Path root, SegmentationSession session) {
            this.root = root;
            this.session = session;
            health.put("model", session.architecture().name());
            health.put("backend", "default");
        }

        /** The address to listen on (default 127.0.0.1); anything but loopback exposes the images to the network. */
        public Builder host(String host) {
            this.host = Objects.requireNonNull(host, "host");
            return this;
        }

        /** The port (default 8777); 0 lets the system choose (see {@link MedSamServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be 0..65535, got " + port);
            }
            this.port = port;
            return this;
        }

        /** The largest request body in bytes (default 1 MiB). */
        public Builder maxBodyBytes(long bytes) {
            if (bytes < 1) {
                throw new IllegalArgumentException("the body limit must be 1 byte or more, got " + bytes);
            }
            this.maxBodyBytes = bytes;
            return this;
        }

        /** The largest image read, in values (voxels times components; default 256 Mi). */
        public Builder maxVoxels(long voxels) {
            if (voxels < 1) {
                throw new IllegalArgumentException("the image size limit must be 1 or more, got " + voxels);
            }
            this.maxVoxels = voxels;
            return this;
        }

        /**
         * Accepts requests that address the server as {@code name} (a DNS name or address, without the port), for
         * example the machine's name when listening beyond loopback. The server's own addresses are always
         * accepted: loopback names, the {@link #host} and, when that is a wildcard address, every address of the
         * machine's network interfaces.
         */
        public Builder allowHost(String name) {
            Objects.requireNonNull(name, "host name");
            if (name.isBlank() || name.contains("/") || name.contains(" ")) {
                throw new IllegalArgumentException("not a host name: '" + name + "'");
            }
            extraHosts.add(name.toLowerCase(Locale.ROOT));
            return this;
        }

        /** {@link #allowHost} for each name. */
        public Builder allowHosts(java.util.Collection<String> names) {
            Objects.requireNonNull(names, "host names").forEach(this::allowHost);
            return this;
        }

        /** Request threads (default 8). */
        public Builder threads(int threads) {
            if (threads < 1 || threads > 256) {
                throw new IllegalArgumentException("threads must be 1..256, got " + threads);
            }
            this.threads = threads;
            return this;
        }

        /** The model and backend names the health endpoint reports (default: the architecture, "default"). */
        public Builder describe(String model, String backend) {
            health.put("model", Objects.requireNonNull(model, "model"));
            health.put("backend", Objects.requireNonNull(backend, "backend"));
            return this;
        }

        /**
         * Binds the port and starts serving.
         *
         * @throws IOException if the root is not a readable folder or the port cannot be bound
         */
        public MedSamServer start() throws IOException {
            ImageRoot images = new ImageRoot(root, maxVoxels);
            InetAddress address = InetAddress.getByName(host);
            HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 64);
            int bound = http.getAddress().getPort();
            Set<String> hosts = new TreeSet<>();
            for (String name : new String[] {"127.0.0.1", "localhost", "[::1]"}) {
                hosts.add(name + ":" + bound);
            }
            String shown = address.getHostAddress().contains(":") ? "[" + address.getHostAddress() + "]"
                    : address.getHostAddress();
            hosts.add(shown.toLowerCase(Locale.ROOT) + ":" + bound);
            hosts.add(host.toLowerCase(Locale.ROOT) + ":" + bound);
            for (String name : extraHosts) {
                hosts.add(name + ":" + bound);
            }
            if (address.isAnyLocalAddress()) {
                // listening everywhere: the machine's own addresses are this server's names too
                for (java.net.NetworkInterface nif : java.util.Collections.list(
                        java.net.NetworkInterface.getNetworkInterfaces())) {
                    for (InetAddress a : java.util.Collections.list(nif.getInetAddresses())) {
                        String text = a.getHostAddress();
                        int zone = text.indexOf('%');
                        text = zone >= 0 ? text.substring(0, zone) : text;
                        hosts.add((text.contains(":") ? "[" + text + "]" : text).toLowerCase(Locale.ROOT) + ":" + bound);
                    }
                }
            }
            Path scratch = Files.createTempDirectory("medsam-serve-");
            Jobs jobs = new Jobs(session, images);
            AtomicInteger n = new AtomicInteger();
            ExecutorService pool = Executors.newFixedThreadPool(threads, r -> {
                Thread t = new Thread(r, "medsam-serve-" + n.incrementAndGet());
                t.setDaemon(true);
                return t;
            });
            String version = MedSamServer.class.getPackage().getImplementationVersion();
            DicomSegAnswers seg = new DicomSegAnswers(images, session.pipeline().modelName(),
                    version == null ? "development" : version);
            ApiHandler handler = new ApiHandler(images, new SliceSegmenter(session, images), jobs, hosts,
                    maxBodyBytes, health, scratch, seg);
            AtomicInteger inFlight = new AtomicInteger();
            http.createContext("/", exchange -> {
                inFlight.incrementAndGet();
                try {
                    handler.handle(exchange);
                } finally {
                    inFlight.decrementAndGet();
                }
            });
            http.setExecutor(pool);
            http.start();
            String uriHost = address.isAnyLocalAddress() ? "127.0.0.1" : shown;
            URI uri = URI.create("http://" + uriHost + ":" + bound + "/");
            LOG.log(System.Logger.Level.INFO, "serving " + images.root() + " at " + uri);
            return new MedSamServer(http, pool, jobs, scratch, uri, inFlight);
        }
    }
}
