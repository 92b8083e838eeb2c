package dev.medsam.io.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.medsam.core.testing.Fixtures;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/** The shared data folder's REFERENCE.json, read with Jackson. */
public final class Reference {

    private Reference() {
    }

    public static Path dataDir() {
        return Fixtures.require("data");
    }

    public static JsonNode root() {
        try {
            return new ObjectMapper().readTree(Fixtures.require("data/REFERENCE.json").toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every entry of "files" whose format is one of {@code formats}. */
    public static List<JsonNode> files(String... formats) {
        List<JsonNode> out = new ArrayList<>();
        for (JsonNode f : root().get("files")) {
            for (String fmt : formats) {
                if (f.get("format").asText().equals(fmt)) {
                    out.add(f);
                }
            }
        }
        return out;
    }

    public static Path path(JsonNode entry) {
        return dataDir().resolve(entry.get("path").asText());
    }

    public static int[] ints(JsonNode array) {
        int[] out = new int[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asInt();
        }
        return out;
    }

    public static double[] doubles(JsonNode array) {
        double[] out = new double[array.size()];
        for (int i = 0; i < out.length; i++) {
            out[i] = array.get(i).asDouble();
        }
        return out;
    }

    /** The 4x4 matrix of a JSON [[...],[...],...] as 16 row-major values. */
    public static double[] matrix(JsonNode rows) {
        double[] out = new double[16];
        for (int r = 0; r < 4; r++) {
            for (int c = 0; c < 4; c++) {
                out[r * 4 + c] = rows.get(r).get(c).asDouble();
            }
        }
        return out;
    }

    public static String sha256(byte[] b, int off, int len) {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            md.update(b, off, len);
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asserts |a - b| <= tol * max(1, |b|). */
    public static void assertRelClose(String what, double expected, double actual, double tol) {
        double scale = Math.max(1, Math.abs(expected));
        if (!(Math.abs(expected - actual) <= tol * scale)) {
            throw new AssertionError(what + ": expected " + expected + ", got " + actual + " (tolerance " + tol + ")");
        }
    }
}
