/**
 * The {@code medsam} command line, the demo and the example programs. Not a library: nothing here is API, but
 * the example programs' package is exported so that they can be started with {@code java -m}. The command
 * packages are opened to picocli (it injects options by reflection) and to Jackson (it writes the JSON reports).
 */
module dev.medsam.examples {
    requires dev.medsam.core;
    requires dev.medsam.io;
    requires dev.medsam.tensorflow;
    requires dev.medsam.server;
    requires info.picocli;
    requires com.fasterxml.jackson.databind;
    requires java.net.http;
    requires java.logging;
    requires java.management;

    exports dev.medsam.examples;
    exports dev.medsam.examples.programs;
    // the seam to medsam-spark, which implements BatchRunner (on the class path, found with ServiceLoader)
    exports dev.medsam.examples.batch;

    uses dev.medsam.examples.batch.BatchRunner;

    opens dev.medsam.examples.cli to info.picocli, com.fasterxml.jackson.databind;
    opens dev.medsam.examples.eval to com.fasterxml.jackson.databind;
}
