package dev.medsam.io.dicom;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.Fixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** REFERENCE.json of the shared data set, and hashing in its conventions. */
final class Reference {

    private Reference() {
    }

    static Path data(String relative) {
        return Fixtures.require("data/" + relative);
    }

    static JsonNode json() {
        try {
            return new ObjectMapper().readTree(data("REFERENCE.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The "files" entries whose format is DICOM. */
    static List<JsonNode> dicomFiles() {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode f : json().get("files")) {
            if ("DICOM".equals(f.path("format").asText())) {
                out.add(f);
            }
        }
        return out;
    }

    static JsonNode file(String path) {
        for (JsonNode f : json().get("files")) {
            if (path.equals(f.get("path").asText())) {
                return f;
            }
        }
        throw new AssertionError("no REFERENCE.json entry for " + path);
    }

    /** SHA-256 of the stored values: MedicalImage's layout is the C order of (frames, rows, cols, samples). */
    static String sha256(MedicalImage image) {
        return sha256(image.data());
    }

    static String sha256(ByteBuffer data) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(data.duplicate());
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }

    /** The pydicom shape of an image: dims reversed, then samples if colour. */
    static List<Integer> pydicomShape(MedicalImage image) {
        List<Integer> shape = new ArrayList<>();
        for (int i = image.rank() - 1; i >= 0; i--) {
            shape.add(image.dim(i));
        }
        if (image.components() > 1) {
            shape.add(image.components());
        }
        return shape;
    }

    static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    static double[][] matrix(JsonNode m) {
        double[][] out = new double[4][4];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                out[r][c] = m.get(r).get(c).asDouble();
            }
        }
        return out;
    }
}
