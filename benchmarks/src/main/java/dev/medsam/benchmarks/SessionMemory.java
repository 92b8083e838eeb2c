package dev.medsam.benchmarks;

import dev.medsam.benchmarks.support.CtPhantom;
import dev.medsam.benchmarks.support.ProcessMemory;
import dev.medsam.benchmarks.support.TempFolder;
import dev.medsam.benchmarks.support.VitbCheckpointFile;
import dev.medsam.core.Box;
import dev.medsam.core.Prompts;
import dev.medsam.core.SegmentationSession;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.pipeline.IntensityPreset;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Peak resident memory (VmHWM) of a process that uses a ViT-B session the way an application does:
 * {@code SegmentationSession.builder(checkpoint).threads(2).build()}, encode a 512x512 CT slice, segment one box
 * and eight boxes, encode a second slice. JMH cannot measure this ({@code -prof gc} sees the Java heap only; native
 * TensorFlow memory and mapped checkpoint pages are outside it), hence a plain program:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar dev.medsam.benchmarks.SessionMemory [checkpoint.pth]
 * </pre>
 *
 * Without an argument it writes the ViT-B formula weights as a .pth file to a temporary folder and measures in a
 * fresh child JVM (same java and JVM options), so that generating the file does not count. Linux only (reads
 * /proc/self/status).
 */
public final class SessionMemory {

    private SessionMemory() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 1) {
            System.err.println("usage: SessionMemory [checkpoint.pth|checkpoint.safetensors]");
            System.exit(2);
        }
        if (args.length == 1) {
            measure(Path.of(args[0]));
            return;
        }
        try (TempFolder folder = TempFolder.create("medsam-bench-rss")) {
            Path file = VitbCheckpointFile.write(folder.path(), "pth");
            System.out.printf(Locale.ROOT, "wrote %s (%,d bytes); measuring in a fresh JVM%n", file, Files.size(file));
            List<String> command = new ArrayList<>();
            command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            command.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
            command.add("-cp");
            command.add(System.getProperty("java.class.path"));
            command.add(SessionMemory.class.getName());
            command.add(file.toString());
            int exit = new ProcessBuilder(command).inheritIO().start().waitFor();
            if (exit != 0) {
                throw new IllegalStateException("the measuring JVM exited with status " + exit);
            }
        }
    }

    private static void measure(Path checkpoint) throws IOException {
        System.out.println(ProcessMemory.describe("JVM started"));
        long t0 = System.nanoTime();
        try (SegmentationSession session = SegmentationSession.builder(checkpoint).threads(2).build()) {
            System.out.println(ProcessMemory.describe(String.format(Locale.ROOT, "session built (%.1f s)", secs(t0))));
            CtPhantom phantom = CtPhantom.of(512, 512, 2);
            IntensityPreset window = IntensityPreset.ctWindow("soft-tissue");
            MedicalImage first = phantom.slice(0);
            long t1 = System.nanoTime();
            session.setImage(first, window);
            System.out.println(ProcessMemory.describe(String.format(Locale.ROOT, "first image encoded (%.1f s)", secs(t1))));
            Box liver = phantom.liverBoxOnMiddleSlice();
            session.segment(Prompts.of(liver));
            List<Prompts> eight = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                eight.add(Prompts.of(new Box(liver.x0() + 12 * i, liver.y0(), liver.x1() + 12 * i, liver.y1())));
            }
            session.segment(eight);
            System.out.println(ProcessMemory.describe("1 box and 8 boxes segmented"));
            long t2 = System.nanoTime();
            session.setImage(phantom.slice(1), window);
            session.segment(Prompts.of(liver));
            System.out.println(ProcessMemory.describe(String.format(Locale.ROOT, "second image encoded and segmented (%.1f s)",
                    secs(t2))));
        }
        Runtime rt = Runtime.getRuntime();
        System.out.printf(Locale.ROOT, "java heap: max %.0f MiB, committed %.0f MiB%n", ProcessMemory.mib(rt.maxMemory()),
                ProcessMemory.mib(rt.totalMemory()));
        System.out.println(ProcessMemory.describe("session closed; whole run"));
    }

    private static double secs(long t0) {
        return (System.nanoTime() - t0) / 1e9;
    }
}
