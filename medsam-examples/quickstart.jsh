// MedSAM in JShell: segments the CT slice bundled with the examples (a box around its liver) with the bundled tiny
// test checkpoint and prints the mask's pixel count. The tiny checkpoint has random weights, so the mask shows that
// everything runs, not where the liver is: put medsam_vit_b.pth in place of DemoData.tinyCheckpoint() for that.
//   medsam-examples/bin/medsam-jshell medsam-examples/quickstart.jsh     (or, at the jshell prompt:
//   /open medsam-examples/quickstart.jsh)
// It leaves you at the prompt with `ct`, `session` and `mask` to play with, e.g.
//   session.segment(Prompts.of(new Box(350, 180, 450, 300))).binary().count()
// The session holds the network's native memory: session.close() (or /exit) frees it.
import java.nio.file.*;
import dev.medsam.core.*;
import dev.medsam.core.image.*;
import dev.medsam.core.pipeline.*;
import dev.medsam.io.*;
import dev.medsam.examples.*;

MedicalImage ct = MedicalImages.read(DemoData.ctSlice()).image();
System.out.println("image: " + ct);

SegmentationSession session = SegmentationSession.builder(DemoData.tinyCheckpoint()).build();
session.setImage(ct, IntensityPreset.ctWindow("soft-tissue"));
BinaryMask mask = session.segment(Prompts.of(DemoData.LIVER_BOX)).binary();
System.out.println("mask pixels: " + mask.count());
