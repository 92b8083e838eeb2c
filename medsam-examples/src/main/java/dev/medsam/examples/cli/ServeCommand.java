package dev.medsam.examples.cli;

import dev.medsam.core.SegmentationSession;
import dev.medsam.server.MedSamServer;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.function.Consumer;

/**
 * {@code medsam serve}: the HTTP API and browser viewer of {@link MedSamServer} over the images in one folder,
 * until interrupted (Ctrl-C).
 */
@Command(name = "serve",
        mixinStandardHelpOptions = true,
        sortOptions = false,
        description = {
            "Serve the images under --root to a browser viewer (draw boxes and points, scroll slices, propagate "
                    + "through volumes, download masks) and an HTTP API under /api/v1 (OpenAPI at "
                    + "/api/v1/openapi.json). Stops with Ctrl-C.",
            "Listens on 127.0.0.1 unless --host says otherwise; only files under --root are served.",
        })
public final class ServeCommand implements Callable<Integer> {

    /** Told about each server started (tests use it to reach and stop the server). */
    static volatile Consumer<MedSamServer> onStart = s -> { };

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--root", required = true, paramLabel = "DIR",
            description = "The folder whose images (and DICOM series folders) are served.")
    Path root;

    @Mixin
    CheckpointOption checkpoint;

    @Option(names = "--port", paramLabel = "N", defaultValue = "8777",
            description = "TCP port (default: ${DEFAULT-VALUE}; 0 picks a free one).")
    int port;

    @Option(names = "--host", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on (default: ${DEFAULT-VALUE}). Anything else exposes the images and "
                    + "the model to the network.")
    String host;

    @Option(names = "--allow-host", paramLabel = "NAME",
            description = "Also accept requests addressed to NAME (e.g. this machine's DNS name when --host is not "
                    + "loopback); repeat for more. Requests naming any other host are refused (DNS rebinding).")
    java.util.List<String> allowHosts = new java.util.ArrayList<>();

    @Option(names = "--open", description = "Open the page in the desktop's browser.")
    boolean open;

    @Option(names = "--max-voxels", paramLabel = "N", defaultValue = "268435456",
            description = "Largest image the server reads, in values (default: ${DEFAULT-VALUE}).")
    long maxVoxels;

    @Option(names = "--cache", paramLabel = "N", defaultValue = "32",
            description = "Slice embeddings kept in memory, about 4 MB each (default: ${DEFAULT-VALUE}).")
    int cache;

    @Mixin
    ComputeOptions compute;

    @Override
    public Integer call() throws IOException, InterruptedException {
        CommandLine cl = spec.commandLine();
        if (!Files.isDirectory(root)) {
            throw new CommandLine.ParameterException(cl, "--root " + root + ": not a folder");
        }
        if (port < 0 || port > 65535) {
            throw new CommandLine.ParameterException(cl, "--port must be 0..65535, got " + port);
        }
        if (maxVoxels < 1) {
            throw new CommandLine.ParameterException(cl, "--max-voxels must be 1 or more, got " + maxVoxels);
        }
        CliValues.requireNonNegative(cl, "--cache", cache);
        compute.check(cl);
        Path model = checkpoint.resolve(cl);
        InetAddress address;
        try {
            address = InetAddress.getByName(host);
        } catch (IOException e) {
            throw new CommandLine.ParameterException(cl, "--host " + host + ": unknown address");
        }
        PrintWriter out = cl.getOut();
        PrintWriter err = cl.getErr();
        if (!address.isLoopbackAddress()) {
            err.println("medsam serve: warning: listening on " + host + ", not loopback: anyone who can reach this "
                    + "machine can read the images under " + root + " and use the model");
            err.flush();
        }
        for (String name : allowHosts) {
            if (name.isBlank() || name.contains("/") || name.contains(" ") || name.contains(":")) {
                throw new CommandLine.ParameterException(cl, "--allow-host '" + name + "': give a host name "
                        + "without port or scheme");
            }
        }
        try (SegmentationSession session = compute.applyTo(SegmentationSession.builder(model), cl).cacheSize(cache)
                .build();
             MedSamServer server = MedSamServer.builder(root, session).host(host).port(port).maxVoxels(maxVoxels)
                     .describe(session.architecture().name(), "tensorflow")
                     .allowHosts(allowHosts).start()) {
            Thread hook = new Thread(server::close, "medsam-serve-shutdown");
            Runtime.getRuntime().addShutdownHook(hook);
            out.println("medsam serve: serving " + root.toAbsolutePath().normalize() + " at " + server.uri()
                    + " (Ctrl-C stops)");
            out.flush();
            if (open) {
                openBrowser(err, server);
            }
            onStart.accept(server);
            server.awaitClose();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook closed the server
            }
        }
        return 0;
    }

    private static void openBrowser(PrintWriter err, MedSamServer server) {
        try {
            if (!java.awt.GraphicsEnvironment.isHeadless() && java.awt.Desktop.isDesktopSupported()
                    && java.awt.Desktop.getDesktop().isSupported(java.awt.Desktop.Action.BROWSE)) {
                java.awt.Desktop.getDesktop().browse(server.uri());
                return;
            }
        } catch (IOException | UnsupportedOperationException e) {
            // fall through to the message
        }
        err.println("medsam serve: cannot open a browser here; open " + server.uri() + " yourself");
        err.flush();
    }
}
