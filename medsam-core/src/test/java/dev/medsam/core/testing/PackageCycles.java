package dev.medsam.core.testing;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.library.dependencies.SliceAssignment;
import com.tngtech.archunit.library.dependencies.SliceIdentifier;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.util.Collections;
import java.util.List;

import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

/**
 * Fails when the packages of a module depend on each other in a cycle (issue 16). A package and its
 * {@code internal} sub-package count as one unit: the public facade calls its implementation, which uses the
 * facade's value types and exceptions, and that is one design, not a cycle. Between units there must be none,
 * so that each layer (spi below the application API, image below both) can be read and replaced on its own.
 * Main classes only; tests may reach across. Thread-safe; each call imports the classes again.
 */
public final class PackageCycles {

    private PackageCycles() {
    }

    /** Checks every package below {@code rootPackage} (for example {@code dev.medsam.core}). */
    public static void assertNone(String rootPackage) {
        // Only the module's own classes matter for cycles between its packages. importPackages() would open every
        // jar on the class path (TensorFlow's native jars, Spark's) to look for the package, and the classes ours
        // refer to would be read from there one by one; both took seconds per module and decide nothing here, so
        // the folders holding the package are imported and everything else stays a stub.
        ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
        List<URL> folders;
        try {
            folders = Collections.list(PackageCycles.class.getClassLoader().getResources(rootPackage.replace('.', '/')))
                    .stream().filter(u -> u.getProtocol().equals("file")).toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list the class path folders of " + rootPackage, e);
        }
        JavaClasses classes = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importUrls(folders);
        if (classes.isEmpty()) {
            throw new AssertionError("no classes found below " + rootPackage + ": wrong package name?");
        }
        ArchRule rule = slices().assignedFrom(new UnitAssignment(rootPackage))
                .should().beFreeOfCycles()
                .because("a package and its internal sub-package form one unit; units must layer");
        rule.check(classes);
    }

    /** Assigns a class to its package with a trailing {@code .internal} removed. */
    private record UnitAssignment(String rootPackage) implements SliceAssignment {
        @Override
        public SliceIdentifier getIdentifierOf(JavaClass javaClass) {
            String p = javaClass.getPackageName();
            if (!p.equals(rootPackage) && !p.startsWith(rootPackage + ".")) {
                return SliceIdentifier.ignore();
            }
            return SliceIdentifier.of(p.endsWith(".internal") ? p.substring(0, p.length() - ".internal".length()) : p);
        }

        @Override
        public String getDescription() {
            return "packages below " + rootPackage + " (with their internal sub-packages)";
        }
    }
}
