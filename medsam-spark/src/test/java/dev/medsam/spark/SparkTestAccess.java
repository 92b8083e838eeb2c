package dev.medsam.spark;

import org.apache.spark.sql.SparkSession;

import java.io.IOException;
import java.nio.file.Path;

/** {@link SparkTests} for the tests of other packages. */
public final class SparkTestAccess {

    private SparkTestAccess() {
    }

    public static SparkSession spark() {
        return SparkTests.spark();
    }

    public static Path tinyCheckpoint() {
        return SparkTests.tinyCheckpoint();
    }

    public static Path[] challengeFolder(Path root) throws IOException {
        return SparkTests.challengeFolder(root);
    }
}
