package dev.medsam.io.image2d;

import dev.medsam.core.testing.TempFolders;
import dev.medsam.io.MedicalImages;
import dev.medsam.io.testing.Mangle;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** PNG, JPEG, BMP and TIFF reading never crashes, hangs or over-allocates on damaged or lying files. */
class RasterMangledInputTest {

    private static Path dir;
    private static byte[] png;
    private static byte[] png16;
    private static byte[] jpeg;
    private static byte[] bmp;
    private static byte[] tiff;
    private static byte[] tiffLzw;

    /** Header fields (offset, width): PNG IHDR; BMP file and info header; TinyTiff IFD entry values. */
    private static final int[][] PNG_FIELDS = {{16, 4}, {20, 4}, {24, 1}, {25, 1}, {26, 1}, {27, 1}, {28, 1},
        {8, 4}, {33, 4}, {37, 4}};
    private static final int[][] BMP_FIELDS = {{2, 4}, {10, 4}, {14, 4}, {18, 4}, {22, 4}, {26, 2}, {28, 2},
        {30, 4}, {34, 4}, {46, 4}};
    private static final int[][] TIFF_FIELDS = {{4, 4}, {8, 2}, {18, 4}, {22, 4}, {30, 4}, {34, 4}, {42, 4},
        {46, 4}, {54, 4}, {58, 4}, {66, 4}, {70, 4}, {78, 4}, {82, 4}, {90, 4}, {94, 4}, {102, 4}, {106, 4},
        {114, 4}, {118, 4}, {126, 4}, {130, 4}, {142, 4}, {154, 4}};

    @BeforeContainer
    static void makeFiles() throws IOException {
        dir = Files.createTempDirectory("raster-mangle");
        BufferedImage rgb = new BufferedImage(16, 12, BufferedImage.TYPE_3BYTE_BGR);
        BufferedImage grey = new BufferedImage(16, 12, BufferedImage.TYPE_BYTE_GRAY);
        BufferedImage u16 = new BufferedImage(9, 7, BufferedImage.TYPE_USHORT_GRAY);
        for (int y = 0; y < 12; y++) {
            for (int x = 0; x < 16; x++) {
                rgb.getRaster().setPixel(x, y, new int[] {x * 16, y * 20, (x * y) % 256});
                grey.getRaster().setSample(x, y, 0, (x * 7 + y * 13) % 256);
            }
        }
        png = encode(grey, "png");
        png16 = encode(u16, "png");
        jpeg = encode(rgb, "jpeg");
        bmp = encode(rgb, "bmp");
        byte[] px = new byte[5 * 4 * 2];
        for (int i = 0; i < px.length; i++) {
            px[i] = (byte) (i * 31);
        }
        tiff = TinyTiff.write(ByteOrder.LITTLE_ENDIAN, 5, 4, 1, 16, 2, px, new double[] {10, 10}, 3, null);
        tiffLzw = encode(grey, "tiff");
    }

    private static byte[] encode(BufferedImage img, String format) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (!ImageIO.write(img, format, out)) {
            throw new IOException("no writer for " + format);
        }
        return out.toByteArray();
    }

    @AfterContainer
    static void removeFiles() throws IOException {
        TempFolders.deleteTree(dir);
    }

    @Property(tries = 1)
    void baseFilesAreValid() throws Exception {
        for (byte[] b : new byte[][] {png, png16, jpeg, bmp, tiff, tiffLzw}) {
            Path p = dir.resolve("ok.img");
            Files.write(p, b);
            MedicalImages.read(p);
        }
    }

    @Provide
    Arbitrary<byte[]> bases() {
        return Arbitraries.of(0, 1, 2, 3, 4, 5).map(i -> new byte[][] {png, png16, jpeg, bmp, tiff, tiffLzw}[i]);
    }

    @Provide
    Arbitrary<List<Mangle.Op>> genericOps() {
        return Mangle.generic();
    }

    @Property(tries = 2500)
    void genericMutationsOnlyRaiseIOException(@ForAll("bases") byte[] base, @ForAll("genericOps") List<Mangle.Op> ops)
            throws IOException {
        Mangle.check(dir.resolve("g.img"), Mangle.apply(base, ops), Mangle.anyFormat());
    }

    record FieldCase(int format, List<Mangle.Op> ops) {
    }

    @Provide
    Arbitrary<FieldCase> fieldCases() {
        return Combinators.combine(Arbitraries.of(0, 1, 2), Arbitraries.integers()).as((f, ignored) -> f)
                .flatMap(f -> (f == 0 ? Mangle.fields(PNG_FIELDS, true) : f == 1 ? Mangle.fields(BMP_FIELDS, false)
                        : Mangle.fields(TIFF_FIELDS, false)).map(ops -> new FieldCase(f, ops)));
    }

    @Property(tries = 1500)
    void lyingHeaderFieldsOnlyRaiseIOException(@ForAll("fieldCases") FieldCase c) throws IOException {
        byte[] base = c.format == 0 ? png : c.format == 1 ? bmp : tiff;
        Mangle.check(dir.resolve("f.img"), Mangle.apply(base, c.ops), MedicalImages::inspect);
    }

    /**
     * Found by the two properties above (seeds -8174417077314665568 and -2781693508909335099): a BMP whose
     * pixel-data offset points far past the file made the JDK's reader allocate the gap as a colour table (2 GB
     * for 2^31 - 1, 64 MB for a flipped bit in its top byte). The header check refuses both, naming the value.
     */
    @Example
    void bmpPixelOffsetPastTheFileIsRefusedBeforeTheReaderAllocates() throws IOException {
        for (long offset : new long[] {Integer.MAX_VALUE, 54 + (4L << 24)}) {
            byte[] bytes = Mangle.apply(bmp, List.of(new Mangle.SetField(10, 4, offset, false, false)));
            Mangle.check(dir.resolve("offset.bmp"), bytes, Mangle.anyFormat());
            IOException e = assertThrows(IOException.class, () -> MedicalImages.read(dir.resolve("offset.bmp")));
            assertTrue(e.getMessage().contains("pixel data offset " + offset), e.getMessage());
        }
    }
}
