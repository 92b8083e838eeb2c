package dev.medsam.examples.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.medsam.core.metrics.LabelBurden;
import dev.medsam.core.metrics.TumourBurden;

import java.io.IOException;
import java.util.Optional;

/** The tumour-burden report {@code medsam segment3d --report} writes, as JSON. */
final class BurdenReport {

    private BurdenReport() {
    }

    /**
     * The report: spacing in mm, the coordinate system, and per label 1..{@code objects} its voxels, volume in mL,
     * bounding boxes in mm and voxels and connected components (zeros and nulls for an empty label).
     */
    static String json(TumourBurden burden, int objects) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode root = mapper.createObjectNode();
        ArrayNode spacing = root.putArray("spacing_mm");
        for (double s : burden.spacingMm()) {
            spacing.add(tidy(s));
        }
        root.put("system", burden.system().name());
        ArrayNode labels = root.putArray("labels");
        for (int label = 1; label <= objects; label++) {
            Optional<LabelBurden> found = burden.label(label);
            ObjectNode l = labels.addObject();
            l.put("label", label);
            if (found.isPresent()) {
                LabelBurden b = found.get();
                l.put("voxels", b.voxels());
                l.put("volume_ml", tidy(b.volumeMl()));
                ArrayNode mm = l.putArray("bbox_mm");
                for (double v : b.bboxMm()) {
                    mm.add(tidy(v));
                }
                ArrayNode vox = l.putArray("bbox_voxels");
                for (int v : b.bboxVoxels()) {
                    vox.add(v);
                }
                l.put("components", b.components());
            } else {
                // an object whose masks all came out empty (or were overwritten by later objects)
                l.put("voxels", 0);
                l.put("volume_ml", 0.0);
                l.putNull("bbox_mm");
                l.putNull("bbox_voxels");
                l.put("components", 0);
            }
        }
        return mapper.writeValueAsString(root) + System.lineSeparator();
    }

    /**
     * {@code v} to 10 significant digits: millimetres and millilitres derived from float32 headers carry
     * round-off (0.9999999999999929) that is noise to a reader, and 10 digits keep far more than any scanner
     * measures.
     */
    static double tidy(double v) {
        if (!Double.isFinite(v) || v == 0) {
            return v;
        }
        return new java.math.BigDecimal(v).round(new java.math.MathContext(10)).doubleValue();
    }
}
