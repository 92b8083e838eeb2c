// Loaded by bin/medsam-jshell after JShell's DEFAULT startup: the MedSAM API, imported.
// Try:  /open medsam-examples/quickstart.jsh     (or see the README's Java examples)
import java.nio.file.*;
import dev.medsam.core.*;
import dev.medsam.core.spi.BackendException;
import dev.medsam.core.spi.Device;
import dev.medsam.core.image.*;
import dev.medsam.core.pipeline.*;
import dev.medsam.core.volume.*;
import dev.medsam.core.metrics.*;
import dev.medsam.io.*;
import dev.medsam.io.files.*;
import dev.medsam.examples.*;
