package dev.medsam.tensorflow.internal;

import org.tensorflow.Result;
import org.tensorflow.Session;
import org.tensorflow.proto.DeviceStepStats;
import org.tensorflow.proto.NodeExecStats;
import org.tensorflow.proto.RunMetadata;
import org.tensorflow.proto.RunOptions;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/** Runs a session call with a full trace and prints where the time went, by op type and by name prefix. */
final class Profiler {

    private Profiler() {
    }

    static org.tensorflow.Graph graph;

    private static String describe(String node) {
        if (graph == null) {
            return "";
        }
        var op = graph.operation(node);
        if (op == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(" " + op.type() + "(");
        for (int i = 0; i < op.numInputs(); i++) {
            sb.append(i == 0 ? "" : ", ").append(op.input(i).op().name().replaceAll(".*/", "")).append(op.input(i).shape());
        }
        return sb.append(")").toString();
    }

    /** Runs {@code runner} once with a full trace and returns the step statistics. */
    static RunMetadata trace(Session.Runner runner) {
        runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
        try (Result r = runner.runAndFetchMetadata()) {
            return r.getMetadata().orElseThrow();
        }
    }

    /**
     * Prints each node's shortest time over several traced runs of the same call, summed by op type and listed by
     * node: on a machine shared with other work the shortest of a node's times is the closest to its own cost.
     */
    static void printFastest(String title, List<RunMetadata> runs) {
        Map<String, Double> fastest = new HashMap<>();
        Map<String, String> typeOf = new HashMap<>();
        for (RunMetadata md : runs) {
            Map<String, Double> thisRun = new HashMap<>();
            for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
                for (NodeExecStats n : d.getNodeStatsList()) {
                    double ms = millis(n);
                    String type = opType(n);
                    typeOf.put(n.getNodeName(), type);
                    thisRun.merge(n.getNodeName(), ms, Double::sum);
                }
            }
            thisRun.forEach((node, ms) -> fastest.merge(node, ms, Math::min));
        }
        Map<String, Double> byType = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        double total = 0;
        for (Map.Entry<String, Double> e : fastest.entrySet()) {
            byType.merge(typeOf.get(e.getKey()), e.getValue(), Double::sum);
            count.merge(typeOf.get(e.getKey()), 1, Integer::sum);
            total += e.getValue();
        }
        System.out.printf("== %s: sum over nodes of each node's fastest time in %d runs: %.2f ms%n", title, runs.size(),
                total);
        byType.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(25)
                .forEach(e -> System.out.printf("  %-28s %8.2f ms  (%d)%n", e.getKey(), e.getValue(), count.get(e.getKey())));
        System.out.println("  -- top nodes");
        fastest.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue()))
                .limit(Integer.getInteger("top", 25))
                .forEach(e -> System.out.printf("  %-60s %-22s %7.2f ms %s%n", e.getKey(), typeOf.get(e.getKey()),
                        e.getValue(), describe(e.getKey())));
    }

    static void profile(String title, Session.Runner runner, Function<String, String> groupOfName) {
        runner.setOptions(RunOptions.newBuilder().setTraceLevel(RunOptions.TraceLevel.FULL_TRACE).build());
        RunMetadata md;
        long t0 = System.nanoTime();
        try (Result r = runner.runAndFetchMetadata()) {
            md = r.getMetadata().orElseThrow();
        }
        double wall = (System.nanoTime() - t0) / 1e6;
        Map<String, Double> byType = new HashMap<>();
        Map<String, Double> byGroup = new HashMap<>();
        Map<String, Double> byNode = new HashMap<>();
        Map<String, Integer> count = new HashMap<>();
        double total = 0;
        for (DeviceStepStats d : md.getStepStats().getDevStatsList()) {
            for (NodeExecStats n : d.getNodeStatsList()) {
                double ms = millis(n);
                String type = opType(n);
                byType.merge(type, ms, Double::sum);
                count.merge(type, 1, Integer::sum);
                byGroup.merge(groupOfName.apply(n.getNodeName()), ms, Double::sum);
                byNode.merge(n.getNodeName() + " [" + type + "]", ms, Double::sum);
                total += ms;
            }
        }
        System.out.printf("== %s: wall %.0f ms, sum of op times %.0f ms%n", title, wall, total);
        byType.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(25)
                .forEach(e -> System.out.printf("  %-28s %8.1f ms  (%d)%n", e.getKey(), e.getValue(), count.get(e.getKey())));
        System.out.println("  -- top nodes");
        byNode.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(Integer.getInteger("top", 25))
                .forEach(e -> System.out.printf("  %-70s %8.1f ms %s%n", e.getKey(), e.getValue(),
                        describe(e.getKey().substring(0, e.getKey().indexOf(" [")))));
        System.out.println("  -- by group");
        byGroup.entrySet().stream().sorted((a, b) -> Double.compare(b.getValue(), a.getValue())).limit(25)
                .forEach(e -> System.out.printf("  %-40s %8.1f ms%n", e.getKey(), e.getValue()));
    }

    /** The node's time on the device, in milliseconds. */
    private static double millis(NodeExecStats n) {
        return (n.getOpEndRelMicros() - n.getOpStartRelMicros()) / 1000.0;
    }

    /** The op type from a timeline label such as {@code "name = MatMul(a, b)"}. */
    private static String opType(NodeExecStats n) {
        String label = n.getTimelineLabel();
        String type = label.contains("= ") ? label.substring(label.indexOf("= ") + 2) : label;
        return type.contains("(") ? type.substring(0, type.indexOf('(')) : type;
    }
}
