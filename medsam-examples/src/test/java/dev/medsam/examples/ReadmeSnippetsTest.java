package dev.medsam.examples;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every Java block of the README is a verbatim excerpt (up to indentation) of an example program, so that the README
 * shows code that compiles and that a test runs.
 */
class ReadmeSnippetsTest {

    @Test
    void javaBlocksAreCopiedFromTheExamplePrograms() throws IOException {
        Path module = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        Path readme = module.resolve("../README.md").normalize();
        List<List<String>> blocks = javaBlocks(Files.readAllLines(readme));
        assertFalse(blocks.isEmpty(), "no ```java block in " + readme);
        List<List<String>> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(module.resolve("src/main/java/dev/medsam/examples/programs"))) {
            for (Path f : files.filter(p -> p.toString().endsWith(".java")).toList()) {
                sources.add(Files.readAllLines(f).stream().map(String::strip).toList());
            }
        }
        for (List<String> block : blocks) {
            List<String> stripped = block.stream().map(String::strip).toList();
            boolean found = sources.stream().anyMatch(src -> contains(src, stripped));
            assertTrue(found, "this README block is not in any example program:\n" + String.join("\n", block));
        }
    }

    private static List<List<String>> javaBlocks(List<String> lines) {
        List<List<String>> blocks = new ArrayList<>();
        List<String> current = null;
        for (String line : lines) {
            if (current == null && line.strip().equals("```java")) {
                current = new ArrayList<>();
            } else if (current != null && line.strip().equals("```")) {
                blocks.add(current);
                current = null;
            } else if (current != null) {
                current.add(line);
            }
        }
        return blocks;
    }

    private static boolean contains(List<String> source, List<String> block) {
        for (int i = 0; i + block.size() <= source.size(); i++) {
            if (source.subList(i, i + block.size()).equals(block)) {
                return true;
            }
        }
        return false;
    }
}
