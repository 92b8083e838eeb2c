package dev.medsam.core.volume;

import dev.medsam.core.BinaryMask;
import dev.medsam.core.Box;
import dev.medsam.core.PixelBounds;
import dev.medsam.core.image.MedicalImage;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The slice-sweeping implementation against an oracle written the way the reference scripts are: one object at a
 * time, up from the start slice then down, each object's masks in its own temporary volume, then
 * {@code segs[tmp > 0] = label}. Random volumes, prompts (3D boxes and key boxes), margins and extensions.
 */
class PropagationPropertiesTest {

    record Case(int nx, int ny, int nz, List<int[]> blobs, List<VolumePrompt> prompts, double margin, int extra) {
    }

    @Provide
    Arbitrary<Case> cases() {
        Arbitrary<int[]> dims = Combinators.combine(Arbitraries.integers().between(6, 20),
                Arbitraries.integers().between(6, 20), Arbitraries.integers().between(1, 10)).as((a, b, c) -> new int[] {a, b, c});
        return dims.flatMap(d -> {
            int nx = d[0];
            int ny = d[1];
            int nz = d[2];
            Arbitrary<int[]> blob = Combinators.combine(Arbitraries.integers().between(0, nx - 1),
                    Arbitraries.integers().between(0, ny - 1), Arbitraries.integers().between(0, nz - 1),
                    Arbitraries.integers().between(0, 6), Arbitraries.integers().between(0, 6),
                    Arbitraries.integers().between(0, 4)).as((x, y, z, w, h, t) ->
                    new int[] {x, y, z, Math.min(nx - 1, x + w), Math.min(ny - 1, y + h), Math.min(nz - 1, z + t)});
            Arbitrary<Box> box = Combinators.combine(Arbitraries.integers().between(0, nx - 1),
                    Arbitraries.integers().between(0, ny - 1), Arbitraries.integers().between(1, 8),
                    Arbitraries.integers().between(1, 8)).as((x, y, w, h) -> new Box(x, y, x + w, y + h));
            Arbitrary<VolumePrompt> box3d = Combinators.combine(box, Arbitraries.integers().between(0, nz - 1),
                    Arbitraries.integers().between(0, nz - 1)).as((b, za, zb) -> VolumePrompt.ofBox3d(b.x0(), b.y0(),
                    Math.min(za, zb), b.x1(), b.y1(), Math.max(za, zb)));
            Arbitrary<VolumePrompt> keys = Arbitraries.maps(Arbitraries.integers().between(0, nz - 1), box).ofMinSize(1)
                    .ofMaxSize(3).map(VolumePrompt::ofKeyBoxes);
            Arbitrary<VolumePrompt> prompt = Arbitraries.oneOf(box3d, keys);
            return Combinators.combine(blob.list().ofMinSize(0).ofMaxSize(3), prompt.list().ofMinSize(1).ofMaxSize(3),
                    Arbitraries.of(0.0, 1.0, 2.5), Arbitraries.integers().between(0, 3))
                    .as((blobs, prompts, margin, extra) -> new Case(nx, ny, nz, blobs, prompts, margin, extra));
        });
    }

    @Property(tries = 150)
    void sweepsGiveTheSameLabelsAndStepsAsObjectByObject(@ForAll("cases") Case c) {
        Volumes v = new Volumes(c.nx(), c.ny(), c.nz());
        for (int[] b : c.blobs()) {
            v.box(b[0], b[1], b[2], b[3], b[4], b[5], 9);
        }
        MedicalImage image = v.image();
        PropagationOptions options = PropagationOptions.builder().margin(c.margin()).extendUntilEmpty(c.extra()).build();
        TruthSegmenter fake = new TruthSegmenter();
        VolumeSegmentation result = VolumeSegmenter.of(fake).segment(image, c.prompts(), options);

        int[] expected = new int[c.nx() * c.ny() * c.nz()];
        for (int i = 0; i < c.prompts().size(); i++) {
            List<SliceStep> steps = new ArrayList<>();
            boolean[] tmp = oracle(v, c.prompts().get(i), c.margin(), c.extra(), steps);
            for (int k = 0; k < tmp.length; k++) {
                if (tmp[k]) {
                    expected[k] = i + 1;
                }
            }
            assertEquals(steps, result.objects().get(i).steps(), "object " + (i + 1));
        }
        for (int z = 0; z < c.nz(); z++) {
            for (int y = 0; y < c.ny(); y++) {
                for (int x = 0; x < c.nx(); x++) {
                    assertEquals(expected[x + c.nx() * (y + c.ny() * z)], Volumes.label(result.labels(), x, y, z),
                            "voxel " + x + "," + y + "," + z);
                }
            }
        }
        // every call segments each object at most once, and the calls are the visits
        assertEquals(fake.calls.size(), result.sliceVisits());
        int steps = result.objects().stream().mapToInt(o -> o.steps().size()).sum();
        assertEquals(steps, fake.calls.stream().mapToInt(call -> call.boxes().size()).sum());
    }

    /** One object as the reference scripts do it; fills {@code steps} in propagation order. */
    private static boolean[] oracle(Volumes v, VolumePrompt p, double margin, int extra, List<SliceStep> steps) {
        boolean[] tmp = new boolean[v.v.length];
        TruthSegmenter truth = new TruthSegmenter();
        MedicalImage image = v.image();
        Optional<PixelBounds> startBounds = Optional.empty();
        Optional<PixelBounds> prev = Optional.empty();
        for (int z = p.startSlice(); z < v.nz; z++) {
            boolean inRange = z <= p.lastSlice();
            if (!inRange && (z > p.lastSlice() + extra || prev.isEmpty())) {
                break;
            }
            prev = step(truth, image, v, p, z, prev, margin, tmp, steps);
            if (z == p.startSlice()) {
                startBounds = prev;
            }
        }
        prev = startBounds;
        for (int z = p.startSlice() - 1; z >= 0; z--) {
            boolean inRange = z >= p.firstSlice();
            if (!inRange && (z < p.firstSlice() - extra || prev.isEmpty())) {
                break;
            }
            prev = step(truth, image, v, p, z, prev, margin, tmp, steps);
        }
        return tmp;
    }

    private static Optional<PixelBounds> step(TruthSegmenter truth, MedicalImage image, Volumes v, VolumePrompt p, int z,
                                              Optional<PixelBounds> prev, double margin, boolean[] tmp, List<SliceStep> steps) {
        Box box;
        BoxSource source;
        if (p.keyBox(z).isPresent()) {
            box = p.keyBox(z).get();
            source = BoxSource.KEY_BOX;
        } else if (prev.isPresent()) {
            PixelBounds b = prev.get();
            double x0 = Math.max(0, b.minX() - margin);
            double y0 = Math.max(0, b.minY() - margin);
            double x1 = Math.min(v.nx - 1, b.maxX() + margin);
            double y1 = Math.min(v.ny - 1, b.maxY() + margin);
            box = new Box(x0, y0, x1 > x0 ? x1 : x0 + 1, y1 > y0 ? y1 : y0 + 1);
            source = BoxSource.PREVIOUS_MASK;
        } else {
            TreeMap<Integer, Box> keys = new TreeMap<>(p.keyBoxes());
            int best = -1;
            for (Map.Entry<Integer, Box> e : keys.entrySet()) {
                if (best < 0 || Math.abs(e.getKey() - z) < Math.abs(best - z)) {
                    best = e.getKey();
                }
            }
            box = keys.get(best);
            source = BoxSource.FALLBACK;
        }
        VolumeSlice slice = new VolumeSlice(image.plane(2, z, 0), 2, z, "oracle");
        BinaryMask mask = truth.segment(slice, List.of(box)).get(0);
        for (int y = 0; y < v.ny; y++) {
            for (int x = 0; x < v.nx; x++) {
                if (mask.get(x, y)) {
                    tmp[x + v.nx * (y + v.ny * z)] = true;
                }
            }
        }
        steps.add(new SliceStep(z, box, source, mask.count()));
        return mask.bounds();
    }
}
