package dev.medsam.examples.cli;

import java.io.File;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.net.URISyntaxException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.CodeSource;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Runs {@code medsam batch} again in a JVM that has medsam-spark's jars and the JVM options Spark needs on Java 17,
 * when the current JVM lacks them. The other commands never load Spark (about 300 MB of jars); this costs
 * {@code batch} one extra JVM start, small beside Spark's own start-up.
 *
 * <p>Where the jars are, relative to the jar (or classes folder) this class was loaded from:
 * <ul>
 *   <li>the distribution: {@code lib/medsam-examples-*.jar} beside {@code lib/spark/} (medsam-spark's jar and Spark's
 *       jars that {@code lib/} lacks): class path {@code lib/*:lib/spark/*};</li>
 *   <li>the source tree after {@code mvn package}: {@code medsam-examples/target/} beside
 *       {@code medsam-spark/target/} (its jar, {@code lib/} with our jars and {@code spark-lib/} with Spark's).</li>
 * </ul>
 */
final class SparkRelaunch {

    /** Set on the child JVM, so that a broken installation fails instead of starting JVMs in a loop. */
    static final String RELAUNCHED = "medsam.batch.relaunched";

    /**
     * The module openings Spark needs on Java 17+ (the list Spark's own launcher passes, its JavaModuleOptions);
     * medsam-spark's pom passes the same list to its tests.
     */
    static final List<String> SPARK_JVM_OPTIONS = sparkJvmOptions();

    private SparkRelaunch() {
    }

    private static List<String> sparkJvmOptions() {
        List<String> options = new ArrayList<>(List.of("-XX:+IgnoreUnrecognizedVMOptions",
                "-Djdk.reflect.useDirectMethodHandle=false", "-Dio.netty.tryReflectionSetAccessible=true"));
        for (String p : List.of("java.lang", "java.lang.invoke", "java.lang.reflect", "java.io", "java.net", "java.nio",
                "java.util", "java.util.concurrent", "java.util.concurrent.atomic", "jdk.internal.ref", "sun.nio.ch",
                "sun.nio.cs", "sun.security.action", "sun.util.calendar")) {
            options.add("--add-opens=java.base/" + p + "=ALL-UNNAMED");
        }
        return List.copyOf(options);
    }

    /**
     * Runs {@code medsam <args>} in a child JVM with Spark's class path, its standard streams those of this process,
     * and returns its exit code.
     *
     * @throws IOException if medsam-spark's jars cannot be found or the JVM cannot be started
     */
    static int run(List<String> args) throws IOException {
        if (Boolean.getBoolean(RELAUNCHED)) {
            throw new IOException("medsam-spark's jars are on the class path but hold no batch runner"
                    + " (META-INF/services/dev.medsam.examples.batch.BatchRunner): the installation is incomplete");
        }
        Path from = codeSource();
        String classPath = classPath(from).orElseThrow(() -> new IOException("Spark is not on the class path and no "
                + "medsam-spark build was found beside " + from + " (the distribution's lib/spark, or the source "
                + "tree's medsam-spark/target after 'mvn -DskipTests package'); or run the job with spark-submit"));
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        List<String> command = command(java.toString(), ManagementFactory.getRuntimeMXBean().getInputArguments(),
                classPath, args);
        Process child = new ProcessBuilder(command).inheritIO().start();
        // the parent stopped (Ctrl-C, kill) must not leave a Spark job running on its own
        Thread stopChild = new Thread(child::destroy, "medsam-batch-stop-child");
        Runtime.getRuntime().addShutdownHook(stopChild);
        try {
            return child.waitFor();
        } catch (InterruptedException e) {
            child.destroy();
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for medsam batch", e);
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(stopChild);
            } catch (IllegalStateException shuttingDown) {
                // the JVM is exiting anyway; the hook runs
            }
        }
    }

    /**
     * The child's command: this JVM's options (heap, system properties; not its class or module path) plus Spark's,
     * then {@code -cp classPath}, the command line's main class and {@code args}.
     */
    static List<String> command(String java, List<String> jvmOptions, String classPath, List<String> args) {
        List<String> command = new ArrayList<>();
        command.add(java);
        for (String o : jvmOptions) {
            // the class or module path of this JVM would be wrong for the child; the launcher's own -D are harmless
            if (!o.startsWith("-Djava.class.path=") && !o.startsWith("-Djdk.module.")
                    && !o.startsWith("--module-path") && !o.startsWith("--add-modules")) {
                command.add(o);
            }
        }
        command.addAll(SPARK_JVM_OPTIONS);
        command.add("-D" + RELAUNCHED + "=true");
        command.add("-cp");
        command.add(classPath);
        command.add(MedSamCommand.class.getName());
        command.addAll(args);
        return command;
    }

    /**
     * medsam-spark's class path for the jar or classes folder {@code from} (see the class comment), or empty when
     * neither layout is there.
     */
    static Optional<String> classPath(Path from) throws IOException {
        Path dir = from.toAbsolutePath().normalize().getParent();
        if (dir == null) {
            return Optional.empty();
        }
        Path sparkLib = dir.resolve("spark");
        if (Files.isRegularFile(from) && firstJar(sparkLib, "medsam-spark-").isPresent()) {
            return Optional.of(dir.resolve("*") + File.pathSeparator + sparkLib.resolve("*"));
        }
        Path module = dir.getParent();
        if (dir.getFileName() != null && dir.getFileName().toString().equals("target") && module != null
                && module.getParent() != null) {
            Path target = module.getParent().resolve("medsam-spark").resolve("target");
            Optional<Path> jar = firstJar(target, "medsam-spark-");
            if (jar.isPresent() && Files.isDirectory(target.resolve("lib"))
                    && Files.isDirectory(target.resolve("spark-lib"))) {
                return Optional.of(String.join(File.pathSeparator, jar.get().toString(),
                        target.resolve("lib").resolve("*").toString(), target.resolve("spark-lib").resolve("*").toString()));
            }
        }
        return Optional.empty();
    }

    /** The first {@code <prefix>*.jar} in {@code dir} that is the classes jar (not sources, tests or javadoc). */
    private static Optional<Path> firstJar(Path dir, String prefix) throws IOException {
        if (!Files.isDirectory(dir)) {
            return Optional.empty();
        }
        List<Path> jars = new ArrayList<>();
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, prefix + "*.jar")) {
            for (Path p : files) {
                String name = p.getFileName().toString();
                if (!name.endsWith("-sources.jar") && !name.endsWith("-tests.jar") && !name.endsWith("-javadoc.jar")) {
                    jars.add(p);
                }
            }
        }
        return jars.stream().sorted().findFirst();
    }

    private static Path codeSource() throws IOException {
        CodeSource source = SparkRelaunch.class.getProtectionDomain().getCodeSource();
        if (source == null || source.getLocation() == null) {
            throw new IOException("cannot tell where the medsam command line was loaded from, to find medsam-spark");
        }
        try {
            return Path.of(source.getLocation().toURI());
        } catch (URISyntaxException | IllegalArgumentException e) {
            throw new IOException("cannot tell where the medsam command line was loaded from (" + source.getLocation()
                    + "), to find medsam-spark", e);
        }
    }
}
