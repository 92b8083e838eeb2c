package dev.medsam.server.internal;

import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request parsing and path resolution never fail with anything but a 4xx {@link HttpError}, whatever the client
 * sends, and a resolved path always lies inside the root.
 */
class RequestsProperties {

    private static Path root;
    private static ImageRoot images;

    @BeforeContainer
    static void makeRoot() throws IOException {
        root = Files.createTempDirectory("serve-props");
        Files.createDirectories(root.resolve("a/b"));
        Files.writeString(root.resolve("a/b/c.txt"), "x");
        Files.writeString(root.resolve("top.txt"), "x");
        images = new ImageRoot(root, 1000);
    }

    @AfterContainer
    static void removeRoot() throws IOException {
        Files.delete(root.resolve("a/b/c.txt"));
        Files.delete(root.resolve("top.txt"));
        Files.delete(root.resolve("a/b"));
        Files.delete(root.resolve("a"));
        Files.delete(root);
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> parts = Arbitraries.of("a", "b", "c.txt", "top.txt", "..", ".", "", "/", "\\", "%2e",
                "\u0000", ":", "~", "a/b", "/etc/passwd", "..%2f");
        return parts.list().ofMaxSize(6).map(l -> String.join("/", l))
                .injectDuplicates(0.1).edgeCases(e -> e.add("../"));
    }

    @Property(tries = 400)
    void resolvedPathsStayInsideTheRoot(@ForAll("paths") String path) throws IOException {
        try {
            Path p = images.resolve(path);
            assertTrue(p.startsWith(root.toRealPath()), path + " -> " + p);
        } catch (HttpError e) {
            assertTrue(e.status() >= 400 && e.status() < 500, e.status() + " " + e.getMessage());
            assertTrue(!e.getMessage().isBlank());
        }
    }

    @Provide
    Arbitrary<byte[]> bodies() {
        Arbitrary<String> fragments = Arbitraries.of("{", "}", "[", "]", ",", ":", "\"path\"", "\"ct.dcm\"",
                "\"slice\"", "\"boxes\"", "\"points\"", "\"objects\"", "\"box\"", "\"window\"", "\"format\"",
                "\"png\"", "\"lung\"", "1", "-1", "0", "1e400", "2.5", "null", "true", "\"x\"", "[1,2,3,4]",
                "[[1,2,30,40]]", "[[1,2,1]]", "\"\\u0000\"");
        Arbitrary<byte[]> structured = fragments.list().ofMaxSize(30)
                .map(l -> String.join("", l).getBytes(StandardCharsets.UTF_8));
        Arbitrary<byte[]> raw = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        return Arbitraries.oneOf(structured, raw);
    }

    @Property(tries = 600)
    void sliceRequestsParseOrSayWhy(@ForAll("bodies") byte[] body) {
        try {
            Requests.SliceRequest r = Requests.slice(body, true);
            assertTrue(!r.objects().isEmpty());
        } catch (HttpError e) {
            assertTrue(e.status() == 400 || e.status() == 413, e.status() + " " + e.getMessage());
        }
    }

    @Property(tries = 300)
    void propagateRequestsParseOrSayWhy(@ForAll("bodies") byte[] body) {
        try {
            Requests.PropagateRequest r = Requests.propagate(body);
            assertTrue(!r.boxes().isEmpty());
        } catch (HttpError e) {
            assertTrue(e.status() == 400 || e.status() == 413, e.status() + " " + e.getMessage());
        }
    }
}
