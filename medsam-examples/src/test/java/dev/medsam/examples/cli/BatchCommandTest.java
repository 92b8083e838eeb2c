package dev.medsam.examples.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code medsam batch} without Spark on the class path (medsam-examples alone): listed and explained by the help,
 * its arguments checked here, and medsam-spark's jars found for the second JVM in both installation layouts. The
 * job itself is tested in medsam-spark; the distribution's run of it in .ci/dist-check.
 */
class BatchCommandTest {

    @TempDir
    Path dir;

    @Test
    void theHelpListsAndExplainsBatch() {
        CliRun root = CliRun.of("--help");
        assertEquals(0, root.exitCode(), root.toString());
        assertTrue(root.out().matches("(?s).*\\n\\s+batch\\s+Segment many cases with Apache Spark.*"), root.out());
        for (String[] args : new String[][] {{"help", "batch"}, {"batch", "--help"}}) {
            CliRun help = CliRun.of(args);
            assertEquals(0, help.exitCode(), help.toString());
            for (String option : List.of("--challenge", "--cases", "--gt", "--checkpoint", "--out", "--master",
                    "--partitions", "--threads", "--precision", "--tolerance-mm", "--spacing-order")) {
                assertTrue(help.out().contains(option), option + " in " + help.out());
            }
        }
    }

    @Test
    void badArgumentsAreUsageErrorsBeforeAnyJvmStarts() throws IOException {
        Path model = Files.writeString(dir.resolve("m.pth"), "x");
        String out = dir.resolve("out").toString();
        CliRun both = CliRun.of("batch", "--cases", "x.csv", "--challenge", dir.toString(), "-c", model.toString(),
                "-o", out);
        assertEquals(2, both.exitCode(), both.toString());
        assertTrue(both.err().contains("mutually exclusive"), both.err());
        CliRun none = CliRun.of("batch", "-c", model.toString(), "-o", out);
        assertEquals(2, none.exitCode(), none.toString());
        CliRun gtWithTable = CliRun.of("batch", "--cases", "x.csv", "--gt", dir.toString(), "-c", model.toString(),
                "-o", out);
        assertEquals(2, gtWithTable.exitCode(), gtWithTable.toString());
        assertTrue(gtWithTable.err().startsWith("medsam batch: --gt goes with --challenge"), gtWithTable.err());
        CliRun gtNotADir = CliRun.of("batch", "--challenge", dir.toString(), "--gt", dir.resolve("nope").toString(),
                "-c", model.toString(), "-o", out);
        assertEquals(2, gtNotADir.exitCode(), gtNotADir.toString());
        assertTrue(gtNotADir.err().contains("--gt " + dir.resolve("nope") + " is not a folder"), gtNotADir.err());
        CliRun order = CliRun.of("batch", "--challenge", dir.toString(), "-c", model.toString(), "-o", out,
                "--spacing-order", "zyx");
        assertEquals(2, order.exitCode(), order.toString());
        assertTrue(order.err().contains("'--spacing-order': must be array or xyz, got 'zyx'"), order.err());
        CliRun precision = CliRun.of("batch", "--challenge", dir.toString(), "-c", model.toString(), "-o", out,
                "--precision", "fp16");
        assertEquals(2, precision.exitCode(), precision.toString());
        CliRun threads = CliRun.of("batch", "--challenge", dir.toString(), "-c", model.toString(), "-o", out,
                "--threads", "-1");
        assertEquals(2, threads.exitCode(), threads.toString());
        CliRun noModel = CliRun.of("batch", "--challenge", dir.toString(), "-c", dir.resolve("none.pth").toString(),
                "-o", out);
        assertEquals(1, noModel.exitCode(), noModel.toString());
        assertTrue(noModel.err().startsWith("medsam batch: ") && noModel.err().contains("none.pth"), noModel.err());
        assertFalse(Files.exists(dir.resolve("out")), "nothing written for a refused command");
    }

    @Test
    void aChildJvmWithoutTheRunnerFailsInsteadOfStartingAnother() throws IOException {
        Path model = Files.writeString(dir.resolve("m.pth"), "x");
        System.setProperty(SparkRelaunch.RELAUNCHED, "true");
        try {
            CliRun r = CliRun.of("batch", "--challenge", dir.toString(), "-c", model.toString(), "-o",
                    dir.resolve("out").toString());
            assertEquals(1, r.exitCode(), r.toString());
            assertTrue(r.err().contains("hold no batch runner"), r.err());
        } finally {
            System.clearProperty(SparkRelaunch.RELAUNCHED);
        }
    }

    @Test
    void findsMedsamSparkInTheDistributionAndInTheSourceTree() throws IOException {
        // the distribution: lib/medsam-examples-*.jar beside lib/spark/medsam-spark-*.jar
        Path lib = Files.createDirectories(dir.resolve("dist/lib"));
        Path examplesJar = Files.createFile(lib.resolve("medsam-examples-1.0.jar"));
        assertTrue(SparkRelaunch.classPath(examplesJar).isEmpty(), "no lib/spark yet");
        Files.createDirectories(lib.resolve("spark"));
        Files.createFile(lib.resolve("spark/spark-core_2.13-4.1.1.jar"));
        assertTrue(SparkRelaunch.classPath(examplesJar).isEmpty(), "lib/spark without medsam-spark's jar");
        Files.createFile(lib.resolve("spark/medsam-spark-1.0.jar"));
        assertEquals(lib.resolve("*") + File.pathSeparator + lib.resolve("spark/*"),
                SparkRelaunch.classPath(examplesJar).orElseThrow());

        // the source tree: medsam-examples/target/{classes, jar} beside medsam-spark/target/{jar, lib, spark-lib}
        Path repo = dir.resolve("repo");
        Path classes = Files.createDirectories(repo.resolve("medsam-examples/target/classes"));
        Path jar = Files.createFile(repo.resolve("medsam-examples/target/medsam-examples-1.0.jar"));
        Path sparkTarget = Files.createDirectories(repo.resolve("medsam-spark/target/lib"));
        sparkTarget = sparkTarget.getParent();
        Files.createFile(sparkTarget.resolve("medsam-spark-1.0-sources.jar"));
        assertTrue(SparkRelaunch.classPath(classes).isEmpty(), "no medsam-spark jar, only its sources");
        Files.createFile(sparkTarget.resolve("medsam-spark-1.0.jar"));
        assertTrue(SparkRelaunch.classPath(classes).isEmpty(), "no spark-lib: the build was not packaged");
        Files.createDirectories(sparkTarget.resolve("spark-lib"));
        String expected = String.join(File.pathSeparator, sparkTarget.resolve("medsam-spark-1.0.jar").toString(),
                sparkTarget.resolve("lib/*").toString(), sparkTarget.resolve("spark-lib/*").toString());
        assertEquals(expected, SparkRelaunch.classPath(classes).orElseThrow());
        assertEquals(expected, SparkRelaunch.classPath(jar).orElseThrow());
        assertTrue(SparkRelaunch.classPath(Files.createDirectories(dir.resolve("elsewhere/classes"))).isEmpty());
    }

    @Test
    void theChildKeepsTheHeapAndPropertiesAndGetsSparksOptions() {
        List<String> command = SparkRelaunch.command("/jdk/bin/java",
                List.of("-Xmx8g", "-Djava.class.path=/old/*", "-Djdk.module.path=/mods", "-Dfoo=bar"), "/new/*",
                List.of("--quiet", "batch", "--challenge", "imgs"));
        assertEquals("/jdk/bin/java", command.get(0));
        assertTrue(command.contains("-Xmx8g") && command.contains("-Dfoo=bar"), command.toString());
        assertFalse(command.stream().anyMatch(a -> a.startsWith("-Djava.class.path") || a.startsWith("-Djdk.module")),
                command.toString());
        assertTrue(command.contains("--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"), command.toString());
        assertTrue(command.contains("-D" + SparkRelaunch.RELAUNCHED + "=true"), command.toString());
        int cp = command.indexOf("-cp");
        assertEquals("/new/*", command.get(cp + 1));
        assertEquals(List.of(MedSamCommand.class.getName(), "--quiet", "batch", "--challenge", "imgs"),
                command.subList(cp + 2, command.size()));
    }
}
