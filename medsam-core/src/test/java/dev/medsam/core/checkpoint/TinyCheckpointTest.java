package dev.medsam.core.checkpoint;

import dev.medsam.core.testing.Fixtures;
import dev.medsam.core.testing.TinyCheckpoint;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The tiny checkpoint committed with the tests is the fixtures' one, readable without them. */
class TinyCheckpointTest {

    @Test
    void theCommittedCheckpointIsTheRecordedFileAndReadsAsTheTinyArchitecture() throws Exception {
        assertEquals(TinyCheckpoint.SHA256, sha256(TinyCheckpoint.path()), "tiny_sam.pth differs from SOURCES.md");
        StateDict weights = TinyCheckpoint.weights();
        assertEquals(TinyCheckpoint.ARCHITECTURE, SamArchitecture.infer(weights));
        TinyCheckpoint.ARCHITECTURE.validate(weights);
        assertTrue(weights.parameterCount() > 5_000_000, "parameters: " + weights.parameterCount());
    }

    @Test
    void theCommittedCheckpointIsByteIdenticalToTheSharedFixture() throws Exception {
        Path shared = Fixtures.samParity("weights/tiny_sam.pth");
        assertEquals(sha256(shared), sha256(TinyCheckpoint.path()), "committed tiny_sam.pth vs " + shared);
    }

    private static String sha256(Path file) throws IOException, NoSuchAlgorithmException {
        MessageDigest md = MessageDigest.getInstance("SHA-256");
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }
}
