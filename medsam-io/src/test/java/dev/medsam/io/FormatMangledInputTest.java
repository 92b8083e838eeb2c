package dev.medsam.io;

import dev.medsam.core.image.Affine;
import dev.medsam.core.image.CoordinateSystem;
import dev.medsam.core.image.DataType;
import dev.medsam.core.image.MedicalImage;
import dev.medsam.core.testing.TempFolders;
import dev.medsam.io.metaimage.MetaImageReader;
import dev.medsam.io.metaimage.MetaImageWriter;
import dev.medsam.io.nrrd.NrrdReader;
import dev.medsam.io.nrrd.NrrdSegment;
import dev.medsam.io.nrrd.NrrdWriter;
import dev.medsam.io.testing.Mangle;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * NRRD and MetaImage readers never crash, hang or over-allocate on truncated, bit-flipped or lying files: they
 * read them or throw an IOException naming the file.
 */
class FormatMangledInputTest {

    private static Path dir;
    /** Attached files: NRRD raw, NRRD gzip, Slicer segmentation, MetaImage raw, MetaImage compressed. */
    private static final List<byte[]> BASES = new ArrayList<>();
    private static final List<String> NAMES = List.of("m.nrrd", "m.nrrd", "m.seg.nrrd", "m.mha", "m.mha");

    /** Header values worth lying with: huge, negative, non-numbers, paths, odd vectors. */
    private static final String[] LIES = {"0", "-1", "2147483647", "4294967296", "99999999999999999999", "nan",
        "inf", "1e308", "", " ", "none", "(1,0,0)", "(nan,0,0)", "(0,0,0) (0,0,0) (0,0,0)", "LOCAL", "LIST",
        "/dev/zero", "../../etc/passwd", "%d 1 1000000 1", "x%n 1 2 1", "big", "gzip", "raw", "ascii", "bzip2",
        "MET_DOUBLE", "MET_UCHAR", "True", "False", "unsigned char", "double", "block", "3 3 3", "1 1", "16",
        "1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17", "RGB-color domain domain", "right-anterior-superior"};

    @BeforeContainer
    static void makeFiles() throws IOException {
        dir = Files.createTempDirectory("format-mangle");
        byte[] v = new byte[4 * 3 * 2 * 2];
        for (int i = 0; i < v.length; i++) {
            v[i] = (byte) (i * 37);
        }
        MedicalImage img = MedicalImage.builder(DataType.INT16, 4, 3, 2)
                .affine(Affine.of(CoordinateSystem.LPS, 0.9, 0.1, 0, 10, -0.1, 0.9, 0, 20, 0, 0, 2.5, -30))
                .data(ByteBuffer.wrap(v)).build();
        byte[] labels = new byte[24];
        labels[5] = 1;
        labels[9] = 2;
        MedicalImage mask = MedicalImage.builder(DataType.UINT8, 4, 3, 2).data(ByteBuffer.wrap(labels)).build();
        Path p = dir.resolve("base.nrrd");
        NrrdWriter.write(img, p, false);
        BASES.add(Files.readAllBytes(p));
        NrrdWriter.write(img, p, true);
        BASES.add(Files.readAllBytes(p));
        Path s = dir.resolve("base.seg.nrrd");
        NrrdWriter.writeSegmentation(mask, List.of(NrrdSegment.of("liver", 1), NrrdSegment.of("tumour", 2)), s);
        BASES.add(Files.readAllBytes(s));
        Path m = dir.resolve("base.mha");
        MetaImageWriter.write(img, m, false);
        BASES.add(Files.readAllBytes(m));
        MetaImageWriter.write(img, m, true);
        BASES.add(Files.readAllBytes(m));
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        TempFolders.deleteTree(dir);
    }

    @Property(tries = 1)
    void baseFilesAreValid() throws Exception {
        for (int i = 0; i < BASES.size(); i++) {
            Path p = dir.resolve("ok" + i + "-" + NAMES.get(i));
            Files.write(p, BASES.get(i));
            MedicalImages.read(p);
            if (NAMES.get(i).endsWith(".seg.nrrd") && NrrdReader.read(p).segments().size() != 2) {
                throw new AssertionError("segments not read back");
            }
        }
    }

    @Provide
    Arbitrary<Integer> bases() {
        return Arbitraries.integers().between(0, BASES.size() - 1);
    }

    @Property(tries = 1500)
    void genericMutationsOnlyRaiseIOException(@ForAll("bases") int base, @ForAll("genericOps") List<Mangle.Op> ops)
            throws IOException {
        Mangle.check(dir.resolve("g-" + NAMES.get(base)), Mangle.apply(BASES.get(base), ops), Mangle.anyFormat());
    }

    @Provide
    Arbitrary<List<Mangle.Op>> genericOps() {
        return Mangle.generic();
    }

    /** Replaces the value of header line {@code line} (after its ':' or '=') with {@code lie}. */
    record Lie(int base, int line, String lie) {
        byte[] apply() {
            byte[] b = BASES.get(base);
            String text = new String(b, StandardCharsets.ISO_8859_1);
            int headerEnd = base < 3 ? text.indexOf("\n\n") : text.indexOf("ElementDataFile");
            headerEnd = text.indexOf('\n', headerEnd + 1);
            String[] lines = text.substring(0, headerEnd).split("\n", -1);
            int i = 1 + Math.floorMod(line, lines.length - 1);
            String l = lines[i];
            int sep = Math.max(l.indexOf(": "), l.indexOf('='));
            lines[i] = sep < 0 ? lie : l.substring(0, sep + (l.charAt(sep) == ':' ? 2 : 1)) + " " + lie;
            if (l.contains(":=")) {
                lines[i] = l.substring(0, l.indexOf(":=") + 2) + lie;
            }
            String out = String.join("\n", lines) + text.substring(headerEnd);
            return out.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    @Provide
    Arbitrary<Lie> lies() {
        return Combinators.combine(bases(), Arbitraries.integers().between(0, 40), Arbitraries.of(LIES))
                .as(Lie::new);
    }

    @Property(tries = 1500)
    void lyingHeaderValuesOnlyRaiseIOException(@ForAll("lies") Lie lie) throws IOException {
        String name = "f-" + NAMES.get(lie.base());
        Mangle.Reader reader = name.endsWith(".mha") ? MetaImageReader::read : NrrdReader::read;
        Mangle.check(dir.resolve(name), lie.apply(), reader);
    }

    @Property(tries = 300)
    void inspectOnlyRaisesIOException(@ForAll("lies") Lie lie) throws IOException {
        Mangle.check(dir.resolve("i-" + NAMES.get(lie.base())), lie.apply(), MedicalImages::inspect);
    }

    @Property(tries = 200)
    void hugeSizesInATinyFileAreRefusedBeforeAllocating(@ForAll("sizes") int[] sizes, @ForAll boolean meta)
            throws IOException {
        String header = meta
                ? "ObjectType = Image\nNDims = 3\nDimSize = " + sizes[0] + " " + sizes[1] + " " + sizes[2]
                        + "\nElementType = MET_SHORT\nCompressedData = True\nElementDataFile = LOCAL\n"
                : "NRRD0004\ntype: short\ndimension: 3\nsizes: " + sizes[0] + " " + sizes[1] + " " + sizes[2]
                        + "\nendian: little\nencoding: gzip\n\n";
        byte[] h = header.getBytes(StandardCharsets.US_ASCII);
        byte[] data = meta ? new byte[] {0x78, (byte) 0x9c, 3, 0, 0, 0, 0, 1} : Mangle.gzip(new byte[16]);
        byte[] file = new byte[h.length + data.length];
        System.arraycopy(h, 0, file, 0, h.length);
        System.arraycopy(data, 0, file, h.length, data.length);
        Mangle.check(dir.resolve(meta ? "h.mha" : "h.nrrd"), file, Mangle.anyFormat());
    }

    @Provide
    Arbitrary<int[]> sizes() {
        return Arbitraries.integers().between(1, Integer.MAX_VALUE).array(int[].class).ofSize(3);
    }
}
